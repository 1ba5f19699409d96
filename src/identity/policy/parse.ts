/**
 * `parsePolicy`: reads a policy document as IAM does, refuses what IAM refuses with IAM's
 * MalformedPolicyDocument wording, and compiles what it accepts.
 *
 * IAM's checks run in stages and the first failing stage names the error; the stages here
 * follow IAM's: syntax (JSON, elements, types), what the kind of policy allows, legacy parsing,
 * statement ids, actions present, resources present, resource formats, action vendors.
 */
import { checkConditionLegacy, compileCondition, type ConditionTest } from './conditions.ts';
import { CompiledPolicy, compileActions, compileResources, vendorsOf, type CompiledStatement } from './compiled.ts';
import { PolicyDocumentError, PolicyMessages } from './errors.ts';
import { compilePrincipal, type PrincipalMatcher } from './principals.ts';
import type { ConditionElement, ParseOptions, Policy, PolicyKind, PolicyVersion, PrincipalElement, Statement } from './types.ts';

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const VERSIONS: ReadonlySet<string> = new Set<PolicyVersion>(['2012-10-17', '2008-10-17']);
const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b']);
/** Kinds IAM itself stores, whose statement ids must be alphanumeric. */
const IAM_KINDS: ReadonlySet<PolicyKind> = new Set(['identity', 'boundary', 'session', 'trust']);
/** Kinds attached to an identity: no Principal, Resource required. */
const IDENTITY_KINDS: ReadonlySet<PolicyKind> = new Set(['identity', 'boundary', 'session']);

const fail = (message: string): never => {
  throw new PolicyDocumentError(message);
};
const syntax = () => fail(PolicyMessages.syntax);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A statement after the syntax stage: elements typed, nothing else checked yet. */
interface RawStatement {
  readonly sid?: string;
  readonly effect: string;
  readonly principal?: unknown;
  readonly notPrincipal?: unknown;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly condition?: ConditionElement;
  readonly conditionTests: readonly ConditionTest[];
}

/** Reads Action/Resource-like elements: a string or a list of strings. */
function stringList(v: unknown): readonly string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return syntax();
}

function readStatement(raw: unknown, variables: boolean): RawStatement {
  if (!isObject(raw)) return syntax();
  for (const key of Object.keys(raw)) if (!STATEMENT_ELEMENTS.has(key)) syntax();
  const has = (k: string) => raw[k] !== undefined;
  if ((has('Action') && has('NotAction')) || (has('Resource') && has('NotResource')) || (has('Principal') && has('NotPrincipal'))) syntax();
  const effect = raw.Effect;
  if (typeof effect !== 'string' || !['allow', 'deny'].includes(effect.toLowerCase())) syntax();
  if (has('Sid') && typeof raw.Sid !== 'string') syntax();
  const condition = has('Condition') ? compileCondition(raw.Condition, variables) : undefined;
  return {
    sid: raw.Sid as string | undefined,
    effect: effect as string,
    principal: raw.Principal,
    notPrincipal: raw.NotPrincipal,
    action: stringList(raw.Action),
    notAction: stringList(raw.NotAction),
    resource: stringList(raw.Resource),
    notResource: stringList(raw.NotResource),
    condition: condition?.element,
    conditionTests: condition?.tests ?? [],
  };
}

/** IAM's check of one Resource value; the message of the first problem, or undefined. */
function resourceProblem(r: string): string | undefined {
  if (r === '*') return undefined;
  if (!r.includes(':')) return PolicyMessages.resourceFormat(r);
  const parts = r.split(':');
  if (!PARTITIONS.has(parts[1] ?? '')) {
    const rest = parts.slice(2);
    const at = (i: number) => (i < rest.length && (rest[i] !== '' || rest.length > 1) ? rest[i] : '*');
    const tail = rest.length > 3 ? rest.slice(3).join(':') : '*';
    return PolicyMessages.partition(parts[1] ?? '', `arn:${parts[1] ?? ''}:${at(0)}:${at(1)}:${at(2)}:${tail}`);
  }
  if (parts.length < 3) return PolicyMessages.resourceVendor;
  if (parts[2] === 'iam' && (parts[3] ?? '') !== '') return PolicyMessages.iamRegion(r);
  return undefined;
}

/** IAM's legacy parser refuses short ARNs that contain `::` and ARNs with no service. */
function resourceFailsLegacy(r: string): boolean {
  if (r === '*' || !r.includes(':')) return false;
  const colons = r.split(':').length - 1;
  return (colons < 5 && r.includes('::')) || r.split(':')[2] === '';
}

/** IAM's check of one Action value; the message of the first problem, or undefined. */
function actionProblem(a: string): string | undefined {
  if (a === '*') return undefined;
  const parts = a.split(':');
  if (parts.length === 1) return PolicyMessages.vendor;
  if (parts.length > 2) return PolicyMessages.oneColon;
  if (/[^a-zA-Z0-9.-]/.test(parts[0]) || parts[0] === '') return PolicyMessages.invalidVendor(parts[0]);
  return undefined;
}

/** Parses and validates a policy document as IAM does; throws PolicyDocumentError with IAM's MalformedPolicyDocument wording. */
export function parsePolicy(text: string, kind: PolicyKind, options: ParseOptions = {}): Policy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return syntax();
  }
  if (!isObject(doc)) return syntax();
  for (const key of Object.keys(doc)) if (!TOP_LEVEL.has(key)) syntax();
  if (doc.Version !== undefined && (typeof doc.Version !== 'string' || !VERSIONS.has(doc.Version))) syntax();
  const version = (doc.Version ?? '2008-10-17') as PolicyVersion;
  if (doc.Id !== undefined && typeof doc.Id !== 'string') syntax();
  const list = isObject(doc.Statement) ? [doc.Statement] : doc.Statement;
  if (!Array.isArray(list) || list.length === 0) return syntax();
  const variables = version === '2012-10-17';
  const raws = list.map((s) => readStatement(s, variables));

  // What the kind of policy allows.
  if (options.requireCurrentVersion && version !== '2012-10-17') fail(PolicyMessages.version);
  for (const s of raws) {
    if (IDENTITY_KINDS.has(kind)) {
      if (s.principal !== undefined || s.notPrincipal !== undefined) fail(PolicyMessages.principalNotAllowed);
    } else if (kind === 'trust') {
      if (s.resource) fail(PolicyMessages.prohibitedField('Resource'));
      if (s.notResource) fail(PolicyMessages.prohibitedField('NotResource'));
      if (s.notPrincipal !== undefined) fail(PolicyMessages.prohibitedField('NotPrincipal'));
      if (s.principal === undefined) fail(PolicyMessages.missingField('Principal'));
    } else if (s.principal === undefined && s.notPrincipal === undefined) fail(PolicyMessages.missingField('Principal'));
  }

  // Legacy parsing: exact Effect case, parseable dates, well-formed short ARNs.
  for (const s of raws) {
    if (s.effect !== 'Allow' && s.effect !== 'Deny') fail(PolicyMessages.legacy);
    if (s.condition && checkConditionLegacy(s.condition) === 'legacy') fail(PolicyMessages.legacy);
    for (const r of s.resource ?? s.notResource ?? []) if (resourceFailsLegacy(r)) fail(PolicyMessages.legacy);
  }

  const sids = new Set<string>();
  for (const s of raws) {
    if (!s.sid) continue;
    if (sids.has(s.sid)) fail(PolicyMessages.sidUnique);
    sids.add(s.sid);
  }
  if (IAM_KINDS.has(kind)) for (const s of raws) if (s.sid && !/^[0-9A-Za-z]*$/.test(s.sid)) fail(PolicyMessages.sidAlphanumeric);

  for (const s of raws) if (!(s.action ?? s.notAction)?.length) fail(PolicyMessages.actions);
  if (IDENTITY_KINDS.has(kind)) for (const s of raws) if (!(s.resource ?? s.notResource)?.length) fail(PolicyMessages.resources);
  for (const s of raws) {
    for (const r of s.resource ?? s.notResource ?? []) {
      const problem = resourceProblem(r);
      if (problem) fail(problem);
    }
  }
  for (const s of raws) {
    for (const a of s.action ?? s.notAction ?? []) {
      const problem = actionProblem(a);
      if (problem) fail(problem);
    }
    if (s.condition && checkConditionLegacy(s.condition) === 'vendor') fail(PolicyMessages.vendor);
    if (kind === 'trust' && s.action?.some((a) => !a.toLowerCase().startsWith('sts:'))) fail(PolicyMessages.trustActions);
  }

  const statements: Statement[] = [];
  const compiled: CompiledStatement[] = [];
  for (const s of raws) {
    let principal: { element: PrincipalElement; matcher: PrincipalMatcher } | undefined;
    if (s.principal !== undefined) principal = compilePrincipal(s.principal, options.principalExists);
    else if (s.notPrincipal !== undefined) principal = compilePrincipal(s.notPrincipal, options.principalExists);
    const effect = s.effect as 'Allow' | 'Deny';
    statements.push(
      Object.freeze({
        ...(s.sid !== undefined ? { sid: s.sid } : {}),
        effect,
        ...(principal && s.principal !== undefined ? { principal: principal.element } : {}),
        ...(principal && s.notPrincipal !== undefined ? { notPrincipal: principal.element } : {}),
        ...(s.action ? { action: s.action } : {}),
        ...(s.notAction ? { notAction: s.notAction } : {}),
        ...(s.resource ? { resource: s.resource } : {}),
        ...(s.notResource ? { notResource: s.notResource } : {}),
        ...(s.condition ? { condition: s.condition } : {}),
      }),
    );
    const resources = s.resource ?? s.notResource;
    compiled.push({
      deny: effect === 'Deny',
      ...(s.action && vendorsOf(s.action) ? { vendors: vendorsOf(s.action) } : {}),
      action: compileActions((s.action ?? s.notAction)!),
      notAction: s.action === undefined,
      resource: resources ? compileResources(resources, variables) : undefined,
      notResource: s.notResource !== undefined,
      principal: principal?.matcher,
      notPrincipal: s.notPrincipal !== undefined,
      conditions: s.conditionTests,
    });
  }
  return new CompiledPolicy(Object.freeze(statements), version, kind, compiled, doc.Id as string | undefined, options.arn);
}
