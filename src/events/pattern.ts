/**
 * EventBridge's event-pattern language, read: a pattern's JSON becomes a tree of field
 * conditions, or an InvalidEventPatternException in AWS's words (those of its rule compiler,
 * `Event pattern is not valid. Reason: ...`). Pure: matching is in `pattern-match.ts`.
 */
import { isIP } from 'node:net';

/** A value an exact condition compares with. */
export type Scalar = string | number | boolean | null;

/** One condition of a leaf field: the field matches when any of its conditions does. */
export type Condition =
  | { kind: 'exact'; value: Scalar }
  | { kind: 'prefix' | 'suffix'; value: string; ignoreCase: boolean }
  | { kind: 'equals-ignore-case'; value: string }
  | { kind: 'wildcard'; value: string }
  | { kind: 'anything-but'; values: (string | number)[] }
  | { kind: 'anything-but-set'; op: 'prefix' | 'suffix' | 'equals-ignore-case' | 'wildcard'; values: string[] }
  | { kind: 'numeric'; bounds: NumericBound[] }
  | { kind: 'exists'; value: boolean }
  | { kind: 'cidr'; address: string; prefixLength: number; family: 'ipv4' | 'ipv6' };

/** One side of a numeric range. */
export interface NumericBound {
  op: '=' | '<' | '<=' | '>' | '>=';
  value: number;
}

/** A field of a pattern: a nested pattern, or a list of conditions on the field's values. */
export type FieldNode = { kind: 'object'; pattern: Pattern } | { kind: 'leaf'; conditions: Condition[] };

/** A pattern: every field must match, and one alternative of each `$or`. */
export interface Pattern {
  fields: Map<string, FieldNode>;
  or: Pattern[][];
}

/** A pattern AWS would refuse, with its reason. */
export class PatternError extends Error {
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = 'PatternError';
  }
}

/** The largest magnitude AWS's numeric matching compares. */
export const NUMERIC_LIMIT = 5e9;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and validates an EventPattern document. */
export function parsePattern(text: string): Pattern {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PatternError('Filter is not valid JSON');
  }
  if (!isObject(json)) throw new PatternError('Filter is not an object');
  return readPattern(json);
}

function readPattern(json: Record<string, unknown>): Pattern {
  const entries = Object.entries(json);
  if (entries.length === 0) throw new PatternError('Empty objects are not allowed');
  const pattern: Pattern = { fields: new Map(), or: [] };
  for (const [key, value] of entries) {
    if (key === '$or' && Array.isArray(value)) {
      if (!value.every(isObject)) throw new PatternError('Only JSON object is allowed in array of $or relationship.');
      if (value.length < 2) throw new PatternError('There must have at least 2 Objects in $or relationship.');
      pattern.or.push(value.map((v) => readPattern(v as Record<string, unknown>)));
    } else if (isObject(value)) {
      pattern.fields.set(key, { kind: 'object', pattern: readPattern(value) });
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new PatternError('Empty arrays are not allowed');
      pattern.fields.set(key, { kind: 'leaf', conditions: value.map(readCondition) });
    } else {
      throw new PatternError(`"${key}" must be an object or an array`);
    }
  }
  return pattern;
}

function readCondition(value: unknown): Condition {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return { kind: 'exact', value };
  if (typeof value === 'number') return { kind: 'exact', value };
  if (!isObject(value)) throw new PatternError('Match value must be String, number, true, false, or null');
  const keys = Object.keys(value);
  if (keys.length === 0) throw new PatternError('Match expression name not found');
  if (keys.length > 1) throw new PatternError('Only one key allowed in match expression');
  const op = keys[0]!;
  const operand = value[op];
  switch (op) {
    case 'exact':
      return { kind: 'exact', value: mustBeString(operand, 'exact match pattern must be a string') };
    case 'prefix':
    case 'suffix': {
      if (isObject(operand)) {
        const inner = oneKey(operand, `${op === 'prefix' ? 'Prefix' : 'Suffix'} expression name not found`);
        if (inner !== 'equals-ignore-case') throw new PatternError(`Unsupported ${op} pattern: ${inner}`);
        return { kind: op, ignoreCase: true, value: mustBeString(operand[inner], 'equals-ignore-case match pattern must be a string') };
      }
      return { kind: op, ignoreCase: false, value: mustBeString(operand, `${op} match pattern must be a string`) };
    }
    case 'equals-ignore-case':
      return { kind: op, value: mustBeString(operand, 'equals-ignore-case match pattern must be a string') };
    case 'wildcard':
      return { kind: op, value: checkWildcard(mustBeString(operand, 'wildcard match pattern must be a string')) };
    case 'anything-but':
      return readAnythingBut(operand);
    case 'numeric':
      return { kind: 'numeric', bounds: readNumeric(operand) };
    case 'exists':
      if (typeof operand !== 'boolean') throw new PatternError('exists match pattern must be either true or false.');
      return { kind: 'exists', value: operand };
    case 'cidr':
      return readCidr(mustBeString(operand, 'prefix match pattern must be a string'));
    default:
      throw new PatternError(`Unrecognized match type ${op}`);
  }
}

function mustBeString(v: unknown, reason: string): string {
  if (typeof v !== 'string') throw new PatternError(reason);
  return v;
}

function oneKey(o: Record<string, unknown>, missing: string): string {
  const keys = Object.keys(o);
  if (keys.length === 0) throw new PatternError(missing);
  if (keys.length > 1) throw new PatternError('Only one key allowed in match expression');
  return keys[0]!;
}

function readAnythingBut(operand: unknown): Condition {
  if (isObject(operand)) {
    const op = oneKey(operand, 'Anything-But expression name not found');
    if (op !== 'prefix' && op !== 'suffix' && op !== 'equals-ignore-case' && op !== 'wildcard') throw new PatternError(`Unsupported anything-but pattern: ${op}`);
    const inner = operand[op];
    const list = Array.isArray(inner) ? inner : [inner];
    if (!Array.isArray(inner) && typeof inner !== 'string' && typeof inner !== 'number') {
      throw new PatternError('Value of anything-but must be an array or single string/number value.');
    }
    const values = list.map((v) => {
      if (typeof v !== 'string') {
        throw new PatternError(op === 'equals-ignore-case' ? 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'
          : op === 'wildcard' ? 'wildcard match pattern must be a string' : 'prefix/suffix match pattern must be a string');
      }
      if ((op === 'prefix' || op === 'suffix') && v === '') throw new PatternError('Null prefix/suffix not allowed');
      return op === 'wildcard' ? checkWildcard(v) : v;
    });
    return { kind: 'anything-but-set', op, values };
  }
  if (typeof operand === 'string' || typeof operand === 'number') return { kind: 'anything-but', values: [checkNumber(operand)] };
  if (!Array.isArray(operand)) throw new PatternError('Value of anything-but must be an array or single string/number value.');
  if (!operand.every((v) => typeof v === 'string' || typeof v === 'number')) throw new PatternError('Inside anything but list, start|null|boolean is not supported.');
  const numbers = operand.filter((v) => typeof v === 'number').length;
  if (operand.length === 0 || (numbers > 0 && numbers < operand.length)) {
    throw new PatternError('Inside anything but list, either all values are number or string, mixed type is not supported');
  }
  return { kind: 'anything-but', values: (operand as (string | number)[]).map(checkNumber) };
}

function checkNumber<T>(v: T): T {
  if (typeof v === 'number' && Math.abs(v) > NUMERIC_LIMIT) throw new PatternError('Value must be between -5.0E9 and 5.0E9, inclusive');
  return v;
}

const LOWER = new Set(['>', '>=']);
const UPPER = new Set(['<', '<=']);

function readNumeric(operand: unknown): NumericBound[] {
  if (!Array.isArray(operand)) throw new PatternError('Value of numeric must be an array.');
  if (operand.length === 0) throw new PatternError('Invalid member in numeric match: ]');
  const [op, value, op2, value2, ...rest] = operand as unknown[];
  if (typeof op !== 'string') throw new PatternError(`Invalid member in numeric match: ${JSON.stringify(op)}`);
  if (op !== '=' && !LOWER.has(op) && !UPPER.has(op)) throw new PatternError(`Unrecognized numeric range operator: ${op}`);
  if (typeof value !== 'number') throw new PatternError(`Value of ${op === '=' ? 'equals' : op} must be numeric`);
  const first: NumericBound = { op: op as NumericBound['op'], value: checkNumber(value) };
  if (operand.length === 2) return [first];
  if (!LOWER.has(op)) throw new PatternError('Too many elements in numeric expression');
  if (typeof op2 !== 'string') throw new PatternError(`Bad value in numeric range: ${JSON.stringify(op2)}`);
  if (!UPPER.has(op2)) throw new PatternError(`Bad numeric range operator: ${op2}`);
  if (typeof value2 !== 'number') throw new PatternError(`Value of ${op2} must be numeric`);
  if (rest.length > 0) throw new PatternError('Too many terms in numeric range expression');
  if (!(value < value2)) throw new PatternError('Bottom must be less than top');
  return [first, { op: op2 as NumericBound['op'], value: checkNumber(value2) }];
}

/** A wildcard may not have two `*` in a row; `\` escapes `*` and `\` only. */
function checkWildcard(value: string): string {
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\') {
      if (value[i + 1] !== '*' && value[i + 1] !== '\\') throw new PatternError(`Invalid escape character at pos ${i + 1}`);
      i++;
    } else if (value[i] === '*' && value[i + 1] === '*') {
      throw new PatternError(`Consecutive wildcard characters at pos ${i + 1}`);
    }
  }
  return value;
}

function readCidr(text: string): Condition {
  const [address = '', bits, ...extra] = text.split('/');
  const family = isIP(address);
  const prefixLength = Number(bits);
  const max = family === 6 ? 128 : 32;
  if (!family || extra.length || bits === undefined || !/^\d+$/.test(bits) || prefixLength > max) throw new PatternError(`Nonstandard IP address: ${text}`);
  return { kind: 'cidr', address, prefixLength, family: family === 6 ? 'ipv6' : 'ipv4' };
}
