/**
 * The Condition element: IAM's operators (String*, Numeric*, Date*, Bool, BinaryEquals,
 * IpAddress/NotIpAddress, Arn*, Null), each with `...IfExists` and the set qualifiers
 * `ForAllValues:` / `ForAnyValue:`, compiled at parse time into tests of a request context.
 *
 * The logic, as IAM's "Condition operators" and "multiple context keys or values" pages give it:
 * operators in a block and keys in an operator are ANDed; a key's policy values are ORed (NORed
 * for a negated operator); a missing key makes a positive operator false and a negated one true,
 * except `...IfExists` (true when missing) and Null (which tests presence). `ForAllValues` is true
 * when every request value matches (and when there are none); `ForAnyValue` when at least one
 * does (false when there are none).
 */
import { compileArnPattern, splitArn, type ArnMatcher } from './arn.ts';
import type { RequestContext } from './context.ts';
import { PolicyDocumentError, PolicyMessages } from './errors.ts';
import { inCidr, parseAddress, parseCidr, type Cidr } from './ip.ts';
import { compileTokens, hasVariables, matchTokens, resolve, resolveText, tokenize, type StringTest, type VariableLookup } from './pattern.ts';
import type { ConditionElement } from './types.ts';

/** A compiled condition: true when the request satisfies it. */
export type ConditionTest = (ctx: RequestContext) => boolean;

type Family = 'string' | 'stringIgnoreCase' | 'stringLike' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';
type Compare = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

interface OperatorDef {
  readonly family: Family;
  readonly negated: boolean;
  readonly compare: Compare;
}

const op = (family: Family, negated = false, compare: Compare = 'eq'): OperatorDef => ({ family, negated, compare });

/** Every operator IAM knows, by lower-cased name. */
const OPERATORS: ReadonlyMap<string, OperatorDef> = new Map([
  ['stringequals', op('string')],
  ['stringnotequals', op('string', true)],
  ['stringequalsignorecase', op('stringIgnoreCase')],
  ['stringnotequalsignorecase', op('stringIgnoreCase', true)],
  ['stringlike', op('stringLike')],
  ['stringnotlike', op('stringLike', true)],
  ['numericequals', op('numeric')],
  ['numericnotequals', op('numeric', true)],
  ['numericlessthan', op('numeric', false, 'lt')],
  ['numericlessthanequals', op('numeric', false, 'le')],
  ['numericgreaterthan', op('numeric', false, 'gt')],
  ['numericgreaterthanequals', op('numeric', false, 'ge')],
  ['dateequals', op('date')],
  ['datenotequals', op('date', true)],
  ['datelessthan', op('date', false, 'lt')],
  ['datelessthanequals', op('date', false, 'le')],
  ['dategreaterthan', op('date', false, 'gt')],
  ['dategreaterthanequals', op('date', false, 'ge')],
  ['bool', op('bool')],
  ['binaryequals', op('binary')],
  ['ipaddress', op('ip')],
  ['notipaddress', op('ip', true)],
  ['arnequals', op('arn')],
  ['arnlike', op('arn')],
  ['arnnotequals', op('arn', true)],
  ['arnnotlike', op('arn', true)],
  ['null', op('null')],
]);

/** Families whose values may hold policy variables (IAM: string, ARN and Bool operators). */
const VARIABLE_FAMILIES: ReadonlySet<Family> = new Set(['string', 'stringIgnoreCase', 'stringLike', 'arn', 'bool']);

/** Tests one request value against all of a key's policy values (ORed); undefined when a variable had no value. */
type AnyMatch = (requestValue: string, lookup: VariableLookup) => boolean | undefined;

const syntax = () => new PolicyDocumentError(PolicyMessages.syntax);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses an operator name: qualifier, base operator, IfExists. Unknown names are syntax errors, as IAM reports them. */
function parseOperator(name: string): { def: OperatorDef; qualifier?: 'all' | 'any'; ifExists: boolean } {
  let rest = name;
  let qualifier: 'all' | 'any' | undefined;
  const lower = rest.toLowerCase();
  if (lower.startsWith('forallvalues:')) (qualifier = 'all'), (rest = rest.slice('forallvalues:'.length));
  else if (lower.startsWith('foranyvalue:')) (qualifier = 'any'), (rest = rest.slice('foranyvalue:'.length));
  let base = rest.toLowerCase();
  let ifExists = false;
  if (base.endsWith('ifexists') && base !== 'ifexists') (ifExists = true), (base = base.slice(0, -'ifexists'.length));
  const def = OPERATORS.get(base);
  if (!def || (def.family === 'null' && (ifExists || qualifier))) throw syntax();
  return { def, qualifier, ifExists };
}

/** Reads a condition value (a scalar or a list of scalars) as strings, as IAM stores them. */
function readValues(v: unknown): string[] {
  const scalar = (x: unknown): string => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number' || typeof x === 'boolean') return String(x);
    throw syntax();
  };
  return Array.isArray(v) ? v.map(scalar) : [scalar(v)];
}

/** Parses a number as IAM's numeric operators read one (integer or decimal). */
export function parseNumber(s: string): number | undefined {
  return /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(s) ? Number(s) : undefined;
}

const ISO_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2})(:\d{2}(?:\.\d{1,9})?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses a date as the Date operators read one: W3C ISO 8601 (a time without a zone is UTC, so
 * no host time zone leaks in) or epoch seconds. Milliseconds since the epoch, or undefined.
 */
export function parseDate(s: string): number | undefined {
  const t = s.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const d = ISO_DATE.exec(t);
  if (d) {
    const month = Number(d[2] ?? '01');
    const day = Number(d[3] ?? '01');
    if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
    return Date.UTC(Number(d[1]), month - 1, day);
  }
  const dt = ISO_DATE_TIME.exec(t);
  if (!dt) return undefined;
  let zone = dt[4] === undefined ? 'Z' : dt[4].toUpperCase();
  if (zone !== 'Z') zone = zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const seconds = dt[3] ?? ':00';
  const ms = Date.parse(`${dt[1]}T${dt[2]}${seconds.slice(0, 13)}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}

const compareWith = (compare: Compare) => (a: number, b: number): boolean =>
  compare === 'eq' ? a === b : compare === 'lt' ? a < b : compare === 'le' ? a <= b : compare === 'gt' ? a > b : a >= b;

/** Normalises base64 so byte-equal values compare equal whatever their padding. */
const base64Bytes = (s: string): string => Buffer.from(s, 'base64').toString('base64');

/** Builds the value test for one key of one operator. */
function compileAnyMatch(def: OperatorDef, values: readonly string[], variables: boolean): AnyMatch {
  const withVars = variables && VARIABLE_FAMILIES.has(def.family);
  switch (def.family) {
    case 'string':
    case 'stringIgnoreCase':
    case 'bool': {
      const fold = def.family !== 'string';
      const norm = (s: string) => (fold ? s.toLowerCase() : s);
      const tokens = values.map((v) => tokenize(v, { wildcards: false, variables: withVars }));
      const set = new Set(values.filter((_, i) => !hasVariables(tokens[i])).map(norm));
      const dynamic = tokens.filter(hasVariables);
      if (dynamic.length === 0) return (v) => set.has(norm(v));
      return (v, lookup) => {
        const subject = norm(v);
        if (set.has(subject)) return true;
        for (const t of dynamic) {
          const text = resolveText(t, lookup);
          if (text === undefined) return undefined;
          if (norm(text) === subject) return true;
        }
        return false;
      };
    }
    case 'stringLike': {
      const tokens = values.map((v) => tokenize(v, { wildcards: true, variables: withVars }));
      if (!tokens.some(hasVariables)) {
        const tests: StringTest[] = tokens.map(compileTokens);
        return (v) => tests.some((t) => t(v));
      }
      return (v, lookup) => {
        for (const t of tokens) {
          const r = resolve(t, lookup);
          if (!r) return undefined;
          if (matchTokens(r, v)) return true;
        }
        return false;
      };
    }
    case 'numeric': {
      const nums = values.map(parseNumber).filter((n): n is number => n !== undefined);
      const cmp = compareWith(def.compare);
      return (v) => {
        const n = parseNumber(v);
        return n !== undefined && nums.some((p) => cmp(n, p));
      };
    }
    case 'date': {
      const dates = values.map(parseDate).filter((n): n is number => n !== undefined);
      const cmp = compareWith(def.compare);
      return (v) => {
        const n = parseDate(v);
        return n !== undefined && dates.some((p) => cmp(n, p));
      };
    }
    case 'binary': {
      const set = new Set(values.map(base64Bytes));
      return (v) => set.has(base64Bytes(v));
    }
    case 'ip': {
      const ranges = values.map(parseCidr).filter((c): c is Cidr => c !== undefined);
      return (v) => {
        const a = parseAddress(v.trim());
        return a !== undefined && ranges.some((r) => inCidr(a, r));
      };
    }
    case 'arn': {
      const patterns: ArnMatcher[] = values.map((v) => compileArnPattern(tokenize(v, { wildcards: true, variables: withVars })));
      return (v, lookup) => {
        const parts = splitArn(v);
        if (!parts) return false;
        let unresolved = false;
        for (const p of patterns) {
          const m = p.match(parts, lookup);
          if (m) return true;
          if (m === undefined) unresolved = true;
        }
        return unresolved ? undefined : false;
      };
    }
    case 'null':
      throw new TypeError('Null is compiled apart');
  }
}

/** Compiles one (operator, key, values) into a test. */
function compileKey(name: string, key: string, values: readonly string[], variables: boolean): ConditionTest {
  const { def, qualifier, ifExists } = parseOperator(name);
  const k = key.toLowerCase();
  if (def.family === 'null') {
    const wants = values.map((v) => v.toLowerCase());
    return (ctx) => {
      const present = (ctx.values(k)?.length ?? 0) > 0;
      return wants.some((w) => (w === 'true' ? !present : w === 'false' ? present : false));
    };
  }
  const anyMatch = compileAnyMatch(def, values, variables);
  const negated = def.negated;
  return (ctx) => {
    const got = ctx.values(k);
    if (!got || got.length === 0) {
      if (ifExists || qualifier === 'all') return true;
      if (qualifier === 'any') return false;
      return negated;
    }
    const lookup = ctx;
    if (qualifier === 'all') {
      for (const v of got) {
        const m = anyMatch(v, lookup);
        if (m === undefined || m === negated) return false;
      }
      return true;
    }
    // No qualifier: a multi-valued key matches when any of its values does (a negated operator
    // when none does). ForAnyValue: some value satisfies the operator, negation included.
    let matchedAny = false;
    let satisfiedAny = false;
    for (const v of got) {
      const m = anyMatch(v, lookup);
      if (m === undefined) return false;
      if (m) matchedAny = true;
      if (m !== negated) satisfiedAny = true;
    }
    return qualifier === 'any' ? satisfiedAny : negated ? !matchedAny : matchedAny;
  };
}

/**
 * Validates and compiles a statement's Condition element. `variables` is true for 2012-10-17
 * documents. Returns the normalised element (values as strings) and one test per key.
 */
export function compileCondition(raw: unknown, variables: boolean): { element: ConditionElement; tests: ConditionTest[] } {
  if (!isObject(raw)) throw syntax();
  const element: Record<string, Record<string, readonly string[]>> = {};
  const tests: ConditionTest[] = [];
  for (const [name, block] of Object.entries(raw)) {
    if (!isObject(block)) throw syntax();
    const normalised: Record<string, readonly string[]> = {};
    for (const [key, value] of Object.entries(block)) {
      const values = readValues(value);
      normalised[key] = values;
      tests.push(compileKey(name, key, values, variables));
    }
    // An unknown operator is refused even with no keys under it.
    if (Object.keys(block).length === 0) parseOperator(name);
    element[name] = normalised;
  }
  return { element, tests };
}

/** The legacy checks IAM still runs on conditions: keys need a vendor prefix, dates must parse. */
export function checkConditionLegacy(element: ConditionElement): 'vendor' | 'legacy' | undefined {
  for (const [name, block] of Object.entries(element)) {
    const { def } = parseOperator(name);
    for (const [key, values] of Object.entries(block)) {
      if (!key.includes(':')) return 'vendor';
      if (def.family === 'date' && values.some((v) => parseDate(v) === undefined)) return 'legacy';
    }
  }
  return undefined;
}
