/**
 * ListContainerInstances' `filter`: the cluster query language of `scheduler/query`, applied
 * to stored container instances. This file only adapts: it turns a syntax error into ECS's
 * InvalidParameterException and a stored instance (plus the tasks placed on it) into the
 * subject a query reads.
 */
import { QuerySyntaxError, evaluateQuery, parseQuery, type QueryExpr, type QuerySubject } from '../../scheduler/index.ts';
import { EcsErrors, type ContainerInstanceRecord, type TaskRecord } from '../../ecs/index.ts';

/** A parsed filter expression. */
export type FilterExpr = QueryExpr;

/** What a filter reads of one container instance. */
export interface FilterTarget {
  attributes: { name?: string; value?: string }[];
  ec2InstanceId?: string;
  agentConnected?: boolean;
  agentVersion?: string;
  /** Milliseconds since the epoch. */
  registeredAt?: number;
  runningTasksCount?: number;
  /** Groups of the tasks on the instance, for `task:group`. */
  taskGroups?: Iterable<string>;
}

/** Parses a filter, or throws InvalidParameterException naming the position of the first error. */
export function parseInstanceFilter(text: string): FilterExpr {
  try {
    return parseQuery(text);
  } catch (e) {
    if (e instanceof QuerySyntaxError) throw EcsErrors.invalidParameter(`filter: invalid expression at position ${e.position}: ${e.reason}.`);
    throw e;
  }
}

function subjectOf(target: FilterTarget): QuerySubject {
  const attributes = new Map<string, string | undefined>();
  for (const a of target.attributes) if (a.name !== undefined) attributes.set(a.name, a.value);
  return {
    attributes,
    ec2InstanceId: target.ec2InstanceId ?? '',
    taskGroups: new Set(target.taskGroups ?? []),
    agentConnected: target.agentConnected,
    agentVersion: target.agentVersion,
    registeredAt: target.registeredAt,
    runningTasksCount: target.runningTasksCount,
  };
}

/** Whether one container instance satisfies a parsed filter. */
export function matchesInstanceFilter(expr: FilterExpr, target: FilterTarget): boolean {
  return evaluateQuery(expr, subjectOf(target));
}

/**
 * The instances that satisfy `expr`. `tasks` are the cluster's tasks: an instance's RUNNING
 * ones make its `runningTasksCount` (as DescribeContainerInstances counts it) and the groups
 * of those not yet STOPPED make its `task:group`.
 */
export function filterInstances(
  expr: FilterExpr,
  instances: readonly ContainerInstanceRecord[],
  tasks: readonly TaskRecord[],
): ContainerInstanceRecord[] {
  const running = new Map<string, number>();
  const groups = new Map<string, Set<string>>();
  for (const t of tasks) {
    if (t.containerInstanceId === undefined || t.lastStatus === 'STOPPED') continue;
    if (t.lastStatus === 'RUNNING') running.set(t.containerInstanceId, (running.get(t.containerInstanceId) ?? 0) + 1);
    let set = groups.get(t.containerInstanceId);
    if (!set) groups.set(t.containerInstanceId, (set = new Set()));
    set.add(t.group);
  }
  return instances.filter((i) =>
    matchesInstanceFilter(expr, {
      ...i,
      agentVersion: i.versionInfo.agentVersion,
      runningTasksCount: running.get(i.id) ?? 0,
      taskGroups: groups.get(i.id),
    }),
  );
}
