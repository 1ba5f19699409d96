/**
 * The compiled form of a policy that evaluation walks: per statement an action test, a
 * resource test, a principal matcher and condition tests, all built once by `parsePolicy`.
 * Internal to the policy part; other parts see only the `Policy` interface.
 */
import { compileArnPattern, splitArn, type ArnMatcher, type ArnParts } from './arn.ts';
import type { ConditionTest } from './conditions.ts';
import { compileTokens, hasVariables, tokenize, type StringTest, type VariableLookup } from './pattern.ts';
import type { PrincipalMatcher } from './principals.ts';
import type { Policy, PolicyKind, PolicyVersion, Statement } from './types.ts';

/** What one evaluation matches statements against, prepared once per request. */
export interface Target {
  /** The action's service prefix, lower-cased. */
  readonly vendor: string;
  /** The action's name, lower-cased. */
  readonly name: string;
  readonly resource: string;
  /** The resource split into its six ARN parts; undefined for `*` and other non-ARNs. */
  readonly arn: ArnParts | undefined;
}

/** Prepares a request's action and resource for matching. */
export function target(action: string, resource: string): Target {
  const lower = action.toLowerCase();
  const colon = lower.indexOf(':');
  return {
    vendor: colon < 0 ? lower : lower.slice(0, colon),
    name: colon < 0 ? '' : lower.slice(colon + 1),
    resource,
    arn: splitArn(resource),
  };
}

/** Tests a request's action against an Action or NotAction list. */
export type ActionTest = (t: Target) => boolean;

/** Compiles an Action list (validated): `*`, or `vendor:name` with wildcards in the name, case-insensitive. */
export function compileActions(patterns: readonly string[]): ActionTest {
  if (patterns.includes('*')) return () => true;
  const byVendor = new Map<string, StringTest[]>();
  for (const p of patterns) {
    const lower = p.toLowerCase();
    const colon = lower.indexOf(':');
    const vendor = lower.slice(0, colon);
    const tests = byVendor.get(vendor) ?? [];
    tests.push(compileTokens(tokenize(lower.slice(colon + 1), { wildcards: true, variables: false })));
    byVendor.set(vendor, tests);
  }
  return (t) => {
    const tests = byVendor.get(t.vendor);
    if (!tests) return false;
    for (const test of tests) if (test(t.name)) return true;
    return false;
  };
}

/** Tests a request's resource against a Resource list: true, false, or undefined (a variable had no value). */
export type ResourceTest = (t: Target, lookup: VariableLookup) => boolean | undefined;

/** Compiles a Resource list (validated). Variables count only in 2012-10-17 documents. */
export function compileResources(patterns: readonly string[], variables: boolean): ResourceTest {
  if (patterns.includes('*')) return () => true;
  const arns: ArnMatcher[] = [];
  const wholes: StringTest[] = [];
  let dynamic = false;
  for (const p of patterns) {
    const tokens = tokenize(p, { wildcards: true, variables });
    arns.push(compileArnPattern(tokens));
    if (hasVariables(tokens)) dynamic = true;
    else wholes.push(compileTokens(tokens));
  }
  return (t, lookup) => {
    // A request resource that is not an ARN (only `*` in practice) matches only `*` patterns
    // and, for completeness, patterns that match its whole text.
    if (!t.arn) return wholes.some((w) => w(t.resource));
    let unresolved = false;
    for (const m of arns) {
      const r = m.match(t.arn, lookup);
      if (r) return true;
      if (r === undefined) unresolved = true;
    }
    return dynamic && unresolved ? undefined : false;
  };
}

/** A statement ready for evaluation. */
export interface CompiledStatement {
  readonly deny: boolean;
  /** The service prefixes the Action list names (lower-cased); undefined for `*` and for NotAction. */
  readonly vendors?: readonly string[];
  readonly action: ActionTest;
  readonly notAction: boolean;
  /** Undefined in a resource-based statement without Resource: it covers the resource it is attached to. */
  readonly resource?: ResourceTest;
  readonly notResource: boolean;
  readonly principal?: PrincipalMatcher;
  readonly notPrincipal: boolean;
  readonly conditions: readonly ConditionTest[];
}

/** The service prefixes an Action list names, or undefined when it names every service (`*`). */
export function vendorsOf(actions: readonly string[]): string[] | undefined {
  if (actions.includes('*')) return undefined;
  return [...new Set(actions.map((a) => a.slice(0, a.indexOf(':')).toLowerCase()))];
}

/** The `Policy` that `parsePolicy` returns: the written statements plus their compiled form. */
export class CompiledPolicy implements Policy {
  /** Per service prefix, the statements that can apply to its actions, in document order. */
  private readonly byVendor = new Map<string, readonly CompiledStatement[]>();
  /** The statements that can apply to any action (`*` or NotAction). */
  private readonly anyVendor: readonly CompiledStatement[];

  constructor(
    readonly statements: readonly Statement[],
    readonly version: PolicyVersion,
    readonly kind: PolicyKind,
    readonly compiled: readonly CompiledStatement[],
    readonly id?: string,
    readonly arn?: string,
  ) {
    this.anyVendor = compiled.filter((s) => !s.vendors);
    const names = new Set(compiled.flatMap((s) => s.vendors ?? []));
    for (const v of names) this.byVendor.set(v, compiled.filter((s) => !s.vendors || s.vendors.includes(v)));
  }

  /** The statements worth testing for an action of this (lower-cased) service prefix. */
  candidates(vendor: string): readonly CompiledStatement[] {
    return this.byVendor.get(vendor) ?? this.anyVendor;
  }
}
