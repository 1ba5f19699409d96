/**
 * Whether an event matches a pattern, as EventBridge decides it: every field of the pattern
 * must match, a field's list of conditions is any-of, an array in the event matches when any
 * of its elements does (objects in one array element are matched together), and a field the
 * event lacks matches only `exists: false` (or a nested pattern made of such conditions).
 */
import { BlockList } from 'node:net';
import type { Condition, FieldNode, NumericBound, Pattern, Scalar } from './pattern.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `event` (parsed JSON) matches `pattern`. */
export function matchesPattern(pattern: Pattern, event: unknown): boolean {
  return matchObject(pattern, isObject(event) ? event : {});
}

function matchObject(pattern: Pattern, object: Record<string, unknown>): boolean {
  for (const [key, node] of pattern.fields) {
    if (!matchField(node, Object.hasOwn(object, key) ? object[key] : undefined)) return false;
  }
  return pattern.or.every((alternatives) => alternatives.some((p) => matchObject(p, object)));
}

/** Whether one field of the event (undefined when absent) matches its node. */
export function matchField(node: FieldNode, value: unknown): boolean {
  if (node.kind === 'object') {
    const objects = objectsOf(value);
    return objects.length === 0 ? matchObject(node.pattern, {}) : objects.some((o) => matchObject(node.pattern, o));
  }
  const leaves = leavesOf(value);
  return node.conditions.some((c) => matchCondition(c, leaves));
}

/** The objects a value holds: itself, or those of an array (nested arrays flattened). */
function objectsOf(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(objectsOf);
  return isObject(value) ? [value] : [];
}

/** The scalar values a field holds: itself, or those of an array (nested arrays flattened). */
function leavesOf(value: unknown): Scalar[] {
  if (Array.isArray(value)) return value.flatMap(leavesOf);
  if (value === undefined || isObject(value)) return [];
  return [value as Scalar];
}

function matchCondition(c: Condition, leaves: Scalar[]): boolean {
  if (c.kind === 'exists') return c.value === leaves.length > 0;
  return leaves.some((v) => matchValue(c, v));
}

/** Whether one scalar of the event satisfies a condition. */
export function matchValue(c: Exclude<Condition, { kind: 'exists' }>, v: Scalar): boolean {
  switch (c.kind) {
    case 'exact':
      return v === c.value;
    case 'prefix':
      return typeof v === 'string' && (c.ignoreCase ? v.toLowerCase().startsWith(c.value.toLowerCase()) : v.startsWith(c.value));
    case 'suffix':
      return typeof v === 'string' && (c.ignoreCase ? v.toLowerCase().endsWith(c.value.toLowerCase()) : v.endsWith(c.value));
    case 'equals-ignore-case':
      return typeof v === 'string' && v.toLowerCase() === c.value.toLowerCase();
    case 'wildcard':
      return typeof v === 'string' && wildcardRegExp(c.value).test(v);
    case 'anything-but':
      return !c.values.includes(v as string | number);
    case 'anything-but-set':
      return typeof v === 'string' && !c.values.some((x) => matchValue(c.op === 'prefix' || c.op === 'suffix' ? { kind: c.op, value: x, ignoreCase: false } : { kind: c.op, value: x }, v));
    case 'numeric':
      return typeof v === 'number' && c.bounds.every((b) => compare(b, v));
    case 'cidr':
      return typeof v === 'string' && inCidr(c, v);
  }
}

function compare(b: NumericBound, v: number): boolean {
  switch (b.op) {
    case '=': return v === b.value;
    case '<': return v < b.value;
    case '<=': return v <= b.value;
    case '>': return v > b.value;
    case '>=': return v >= b.value;
  }
}

const wildcards = new Map<string, RegExp>();

/** `*` is any run of characters; `\*` and `\\` are themselves. */
function wildcardRegExp(value: string): RegExp {
  let re = wildcards.get(value);
  if (!re) {
    let source = '';
    for (let i = 0; i < value.length; i++) {
      const ch = value[i]!;
      if (ch === '\\') source += escape(value[++i] ?? '\\');
      else source += ch === '*' ? '.*' : escape(ch);
    }
    re = new RegExp(`^${source}$`, 's');
    if (wildcards.size > 1000) wildcards.clear();
    wildcards.set(value, re);
  }
  return re;
}

const escape = (ch: string) => ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function inCidr(c: Extract<Condition, { kind: 'cidr' }>, v: string): boolean {
  const list = new BlockList();
  list.addSubnet(c.address, c.prefixLength, c.family);
  try {
    return list.check(v, c.family);
  } catch {
    return false;
  }
}
