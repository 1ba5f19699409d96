/**
 * The cluster query language's data: what an expression is made of, what it is evaluated
 * against, and the syntax error. Plain data only, so a parsed expression can be stored,
 * compared and printed; `parse.ts` builds it and `evaluate.ts` reads it.
 */

/**
 * One container instance as a query sees it. The scheduler and ListContainerInstances each
 * build one from their own records.
 */
export interface QuerySubject {
  /** Attributes of the container instance: name → value (undefined value = attribute set without a value). Built-ins included. */
  attributes: ReadonlyMap<string, string | undefined>;
  /** The EC2 (or, for external instances, managed) instance id; an empty string counts as absent. */
  ec2InstanceId: string;
  /** Groups of the tasks currently on (or being placed on) the instance, for `task:group`. */
  taskGroups: ReadonlySet<string>;
  /** Whether the instance's agent is connected, for `agentConnected`. */
  agentConnected?: boolean;
  /** The agent's version (`versionInfo.agentVersion`, e.g. `1.80.0`), for `agentVersion`. */
  agentVersion?: string;
  /** When the instance registered (a Date or milliseconds since the epoch), for `registeredAt`. */
  registeredAt?: Date | number;
  /** How many of its tasks are RUNNING, for `runningTasksCount`. */
  runningTasksCount?: number;
  /** Other fields a caller keeps on its subject; queries never read them. */
  [field: string]: unknown;
}

/** The instance fields ECS lets a query name directly (as opposed to `attribute:` and `task:group`). */
export const QUERY_FIELDS = ['agentConnected', 'agentVersion', 'ec2InstanceId', 'registeredAt', 'runningTasksCount'] as const;
/** One of {@link QUERY_FIELDS}. */
export type QueryField = (typeof QUERY_FIELDS)[number];

/** What a condition asks about: an attribute by name, the instance's task groups, or an instance field. */
export type QuerySubjectRef =
  | { readonly kind: 'attribute'; readonly name: string }
  | { readonly kind: 'taskGroup' }
  | { readonly kind: 'field'; readonly name: QueryField };

/** The comparison operators, by their ECS word names (each also has a symbol, see {@link OPERATOR_SYMBOLS}). */
export const QUERY_OPERATORS = [
  'equals', 'not_equals', 'greater_than', 'greater_than_equal', 'less_than', 'less_than_equal',
  'exists', 'not_exists', 'in', 'not_in', 'matches', 'not_matches',
] as const;
/** One of {@link QUERY_OPERATORS}. */
export type QueryOperator = (typeof QUERY_OPERATORS)[number];

/** Each operator's symbolic spelling, as ECS documents it (`exists` and `in` have none but themselves). */
export const OPERATOR_SYMBOLS: Readonly<Record<QueryOperator, string>> = {
  equals: '==', not_equals: '!=', greater_than: '>', greater_than_equal: '>=', less_than: '<', less_than_equal: '<=',
  exists: 'exists', not_exists: '!exists', in: 'in', not_in: '!in', matches: '=~', not_matches: '!~',
};

/** How many arguments an operator takes: none (`exists`), one value, or a `[a, b, ...]` list. */
export function operatorArity(op: QueryOperator): 'none' | 'one' | 'list' {
  if (op === 'exists' || op === 'not_exists') return 'none';
  return op === 'in' || op === 'not_in' ? 'list' : 'one';
}

const STRING_OPS: readonly QueryOperator[] = ['equals', 'not_equals', 'in', 'not_in', 'matches', 'not_matches'];
const ORDER_OPS: readonly QueryOperator[] = ['equals', 'not_equals', 'greater_than', 'greater_than_equal', 'less_than', 'less_than_equal'];

/**
 * The operators the ECS documentation lists as valid for each instance field; `attribute:`
 * and `task:group` take every operator.
 */
export const FIELD_OPERATORS: Readonly<Record<QueryField, readonly QueryOperator[]>> = {
  agentConnected: STRING_OPS,
  agentVersion: ORDER_OPS,
  ec2InstanceId: STRING_OPS,
  registeredAt: ORDER_OPS,
  runningTasksCount: ORDER_OPS,
};

/** A parsed cluster query language expression. */
export type QueryExpr =
  | { readonly type: 'and' | 'or'; readonly left: QueryExpr; readonly right: QueryExpr }
  | { readonly type: 'not'; readonly expr: QueryExpr }
  | QueryCondition;

/**
 * One `subject operator [argument]` expression. `values` holds the argument: empty for
 * `exists` / `not_exists`, one value for the others, the list's items for `in` / `not_in`.
 */
export interface QueryCondition {
  readonly type: 'condition';
  readonly subject: QuerySubjectRef;
  readonly operator: QueryOperator;
  readonly values: readonly string[];
}

/**
 * A query that cannot be parsed. `position` is the 1-based character position of the
 * problem and `reason` says what is wrong there; the message joins both.
 */
export class QuerySyntaxError extends Error {
  override readonly name = 'QuerySyntaxError';
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(`Invalid expression at position ${position}: ${reason}`);
  }
}
