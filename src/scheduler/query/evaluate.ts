/**
 * Evaluates a parsed cluster query against one container instance. Pure and allocation-light:
 * the scheduler runs it once per candidate instance, thousands of times per placement.
 *
 * Semantics (see README.md for the sources):
 * - A condition on something the instance does not have (a missing attribute, an attribute
 *   set without a value, no tasks for `task:group`, an absent field) is false for every
 *   operator except `not_exists`: ECS's `attribute:retiring != true` does not select
 *   instances without `retiring`. Use `not(...)` to include them.
 * - `task:group` holds a set; a condition on it holds when any of the instance's groups
 *   satisfies it (`task:group == databases`: the instance hosts a task in `databases`).
 * - `==` / `!=` / `in` compare strings exactly; `>`-style operators compare numbers when both
 *   sides are numbers, else strings. `agentVersion` compares versions part by part,
 *   `registeredAt` compares instants at the argument's precision (a day or a second), and
 *   `runningTasksCount` compares numbers.
 */
import type { QueryCondition, QueryExpr, QueryOperator, QuerySubject } from './ast.ts';
import {
  compareValues, compareVersions, compilePattern, parseDateArgument, parseVersion, truncateTo, versionOf,
} from './values.ts';

/** Whether `subject` (one container instance) satisfies `expr`. */
export function evaluateQuery(expr: QueryExpr, subject: QuerySubject): boolean {
  switch (expr.type) {
    case 'and':
      return evaluateQuery(expr.left, subject) && evaluateQuery(expr.right, subject);
    case 'or':
      return evaluateQuery(expr.left, subject) || evaluateQuery(expr.right, subject);
    case 'not':
      return !evaluateQuery(expr.expr, subject);
    case 'condition':
      return holds(expr, subject);
  }
}

function holds(c: QueryCondition, s: QuerySubject): boolean {
  const { subject, operator } = c;
  if (subject.kind === 'attribute') {
    if (operator === 'exists' || operator === 'not_exists') return s.attributes.has(subject.name) === (operator === 'exists');
    const value = s.attributes.get(subject.name);
    return value !== undefined && stringHolds(c, value);
  }
  if (subject.kind === 'taskGroup') {
    if (operator === 'exists' || operator === 'not_exists') return s.taskGroups.size > 0 === (operator === 'exists');
    for (const group of s.taskGroups) if (stringHolds(c, group)) return true;
    return false;
  }
  switch (subject.name) {
    case 'ec2InstanceId':
      return fieldHolds(c, s.ec2InstanceId || undefined, (v) => stringHolds(c, v));
    case 'agentConnected':
      return fieldHolds(c, typeof s.agentConnected === 'boolean' ? String(s.agentConnected) : undefined, (v) => stringHolds(c, v, true));
    case 'agentVersion': {
      const version = typeof s.agentVersion === 'string' ? versionOf(s.agentVersion) : undefined;
      return fieldHolds(c, version, (v) => ordered(operator, compareVersions(v, prepared(c).version!)));
    }
    case 'registeredAt': {
      const at = s.registeredAt instanceof Date ? s.registeredAt.getTime() : s.registeredAt;
      return fieldHolds(c, finite(at), (ms) => {
        const arg = prepared(c).date!;
        return ordered(operator, truncateTo(ms, arg.precision) - arg.ms);
      });
    }
    case 'runningTasksCount': {
      return fieldHolds(c, finite(s.runningTasksCount), (v) => ordered(operator, v - Number(c.values[0])));
    }
  }
}

const finite = (n: unknown): number | undefined => (typeof n === 'number' && Number.isFinite(n) ? n : undefined);

/** A field condition: `exists` / `not_exists` test presence; every other operator needs a value. */
function fieldHolds<T>(c: QueryCondition, value: T | undefined, test: (value: T) => boolean): boolean {
  if (c.operator === 'exists' || c.operator === 'not_exists') return (value !== undefined) === (c.operator === 'exists');
  return value !== undefined && test(value);
}

/** A condition on one string value (an attribute's, a group, an instance id, `true`/`false`). */
function stringHolds(c: QueryCondition, value: string, ignoreCase = false): boolean {
  const v = ignoreCase ? value.toLowerCase() : value;
  const same = (arg: string) => (ignoreCase ? arg.toLowerCase() : arg) === v;
  switch (c.operator) {
    case 'equals':
      return same(c.values[0]);
    case 'not_equals':
      return !same(c.values[0]);
    case 'in':
      return c.values.some(same);
    case 'not_in':
      return !c.values.some(same);
    case 'matches':
      return prepared(c).pattern!.test(value);
    case 'not_matches':
      return !prepared(c).pattern!.test(value);
    case 'exists':
    case 'not_exists':
      return c.operator === 'exists';
    default:
      return ordered(c.operator, compareValues(value, c.values[0]));
  }
}

/** Whether a comparison result (negative, zero, positive) satisfies an ordering operator. */
function ordered(op: QueryOperator, sign: number): boolean {
  switch (op) {
    case 'equals':
      return sign === 0;
    case 'not_equals':
      return sign !== 0;
    case 'greater_than':
      return sign > 0;
    case 'greater_than_equal':
      return sign >= 0;
    case 'less_than':
      return sign < 0;
    case 'less_than_equal':
      return sign <= 0;
    default:
      return false;
  }
}

interface Prepared {
  pattern?: RegExp;
  version?: number[];
  date?: { ms: number; precision: 'day' | 'second' };
}

/** Arguments read once per parsed condition (compiled pattern, version, date), not once per instance. */
const cache = new WeakMap<QueryCondition, Prepared>();

function prepared(c: QueryCondition): Prepared {
  let p = cache.get(c);
  if (p) return p;
  p = {};
  const arg = c.values[0] ?? '';
  if (c.operator === 'matches' || c.operator === 'not_matches') {
    const compiled = compilePattern(arg);
    if (!(compiled instanceof RegExp)) throw new TypeError(`query pattern '${arg}' is invalid: ${compiled.error}`);
    p.pattern = compiled;
  } else if (c.subject.kind === 'field' && c.subject.name === 'agentVersion') {
    p.version = parseVersion(arg);
    if (!p.version) throw new TypeError(`query agentVersion argument '${arg}' is not a version`);
  } else if (c.subject.kind === 'field' && c.subject.name === 'registeredAt') {
    p.date = parseDateArgument(arg);
    if (!p.date) throw new TypeError(`query registeredAt argument '${arg}' is not a date`);
  }
  cache.set(c, p);
  return p;
}
