/**
 * Agents' reports (each a `TaskStateChange` on the link) applied to the stored tasks: what an
 * agent observed of a task, merged into the task's record. Reports only move a task
 * forward through the ECS lifecycle, so a re-sent or late report changes nothing; the move to
 * STOPPED gives the task's reserved resources back to its instance in the same transaction.
 * Health is the exception to "forward only": a container's health check may flip between
 * HEALTHY and UNHEALTHY while it stays RUNNING, so the latest report's health is taken (until
 * the task is STOPPED, after which nothing about it changes).
 */
import { TASK_STATUSES, type TaskStateChange, type TaskStatus } from '../common/index.ts';
import { release } from '../scheduler/index.ts';
import type { Tx } from '../state/index.ts';
import { stageReleaseTaskEni } from './task-network.ts';
import { keys, parseArn, withGroupCount, type ContainerInstanceRecord, type ContainerRecord, type HealthStatus, type TaskRecord } from './records.ts';

const rank = (s: TaskStatus) => TASK_STATUSES.indexOf(s);

/** The store key of a task by its ARN, or undefined when the ARN is not a task ARN. */
export function taskKeyOfArn(taskArn: string): string | undefined {
  const arn = parseArn(taskArn);
  if (!arn || arn.resourceType !== 'task' || arn.resource.length !== 2) return undefined;
  return keys.task(arn, arn.resource[0], arn.resource[1]);
}

/** What became of one report: merged, nothing new in it, or refused (the reporting agent is told why). */
export type ReportOutcome =
  | { outcome: 'applied'; task: TaskRecord; /** The task's instance, when the change released its resources. */ instance?: ContainerInstanceRecord }
  | { outcome: 'unchanged' }
  | { outcome: 'refused'; reason: 'not-on-instance' | 'unreadable'; message: string };

/**
 * Merges one report into the task, inside a transaction the caller commits, so that many
 * reports can share one commit (reports staged one after another see each other).
 * `fromInstanceIds` are the container instances of the reporting agent: a report about a task
 * that does not exist or is placed elsewhere is refused, and changes nothing. The report must
 * have passed the link's checks (`decodeReport`); the stored task is checked here, so that one
 * unreadable record refuses its own report only.
 */
export async function stageTaskReport(
  tx: Tx, now: number, change: TaskStateChange, fromInstanceIds: ReadonlySet<string>,
): Promise<ReportOutcome> {
  const key = taskKeyOfArn(change.taskArn);
  const notHere: ReportOutcome = {
    outcome: 'refused', reason: 'not-on-instance', message: `Task ${change.taskArn} is not placed on this agent's container instances.`,
  };
  if (!key) return notHere;
  const task = await tx.get<TaskRecord>(key);
  if (!task || !task.containerInstanceId || !fromInstanceIds.has(task.containerInstanceId)) return notHere;
  if (!Array.isArray(task.containers) || !Array.isArray(task.spec?.containers) || rank(task.lastStatus) < 0) {
    const message = `Task ${change.taskArn} is stored in a form this control plane cannot read; the report is not applied.`;
    return { outcome: 'refused', reason: 'unreadable', message };
  }
  const next = merge(task, change, now);
  if (!next) return { outcome: 'unchanged' };
  tx.put(key, next);
  if (next.desiredStatus === 'STOPPED' && task.desiredStatus !== 'STOPPED') await leaveGroup(tx, next);
  if (next.lastStatus === 'STOPPED' && task.lastStatus !== 'STOPPED') {
    await stageReleaseTaskEni(tx, parseArn(next.arn)!, next);
    const instance = await updateInstance(tx, next, (i) => ({
      ...i,
      remainingResources: release(i.remainingResources, task.reserved, i.registeredResources),
    }));
    if (instance) return { outcome: 'applied', task: next, instance };
  }
  return { outcome: 'applied', task: next };
}

/** Stages a change to the instance a task was placed on (bumping its version), if it still exists. */
async function updateInstance(tx: Tx, task: TaskRecord, change: (i: ContainerInstanceRecord) => ContainerInstanceRecord): Promise<ContainerInstanceRecord | undefined> {
  if (!task.containerInstanceId) return undefined;
  // The instance's own cluster: a Fargate task's host is in the Fargate pool, not the task's cluster.
  const instanceArn = task.containerInstanceArn ? parseArn(task.containerInstanceArn) : undefined;
  const instanceCluster = instanceArn?.resource.length === 2 ? instanceArn.resource[0] : task.clusterName;
  const instanceKey = keys.instance(parseArn(task.arn)!, instanceCluster, task.containerInstanceId);
  const instance = await tx.get<ContainerInstanceRecord>(instanceKey);
  if (!instance) return undefined;
  const updated = { ...change(instance), version: instance.version + 1 };
  tx.put(instanceKey, updated);
  return updated;
}

/**
 * Takes a task out of its instance's task-group counts as its desiredStatus becomes STOPPED:
 * from then on distinctInstance and spread no longer count it, as in ECS.
 */
export async function leaveGroup(tx: Tx, task: TaskRecord): Promise<void> {
  await updateInstance(tx, task, (instance) => withGroupCount(instance, task.group, -1));
}

/** The task with the report merged in, or undefined when the report adds nothing. */
function merge(task: TaskRecord, change: TaskStateChange, now: number): TaskRecord | undefined {
  const status = rank(change.lastStatus) > rank(task.lastStatus) ? change.lastStatus : task.lastStatus;
  const containers = task.containers.map((c): ContainerRecord => {
    const seen = change.containers.find((x) => x.name === c.name);
    if (!seen || rank(seen.lastStatus) < rank(c.lastStatus) || task.lastStatus === 'STOPPED') return c;
    const health = seen.healthStatus ?? c.healthStatus;
    return {
      ...c,
      lastStatus: seen.lastStatus,
      runtimeId: seen.runtimeId ?? c.runtimeId,
      exitCode: seen.exitCode ?? c.exitCode,
      reason: seen.reason ?? c.reason,
      networkBindings: seen.networkBindings ?? c.networkBindings,
      imageDigest: seen.imageDigest ?? c.imageDigest,
      ...(health !== undefined && { healthStatus: health }),
    };
  });
  const health = task.lastStatus === 'STOPPED' ? task.healthStatus : taskHealthStatus(containers, task.spec.containers);
  const stopped = status === 'STOPPED';
  const next: TaskRecord = {
    ...task,
    lastStatus: status,
    containers,
    connectivityAt: task.connectivityAt ?? now,
    pullStartedAt: task.pullStartedAt ?? change.pullStartedAt,
    pullStoppedAt: task.pullStoppedAt ?? change.pullStoppedAt,
    startedAt: task.startedAt ?? change.startedAt,
    executionStoppedAt: task.executionStoppedAt ?? change.executionStoppedAt,
    stoppedAt: task.stoppedAt ?? (stopped ? change.stoppedAt ?? now : undefined),
    stoppingAt: task.stoppingAt ?? (stopped ? change.executionStoppedAt ?? now : undefined),
    desiredStatus: stopped ? 'STOPPED' : task.desiredStatus,
    stopCode: task.stopCode ?? (stopped || change.stopCode ? change.stopCode : undefined),
    stoppedReason: task.stoppedReason ?? change.stoppedReason,
    // UNKNOWN is what an unset health shows: a task without checks is not rewritten for it.
    healthStatus: health === 'UNKNOWN' && task.healthStatus === undefined ? undefined : health,
  };
  if (JSON.stringify(next) === JSON.stringify(task)) return undefined;
  return { ...next, version: task.version + 1 };
}

/**
 * The task's healthStatus, ECS's rule over its essential containers that have a health check:
 * UNHEALTHY if any of them is, HEALTHY when all of them are, UNKNOWN otherwise (while checks
 * are starting) and when none has a check. Non-essential containers never count.
 */
export function taskHealthStatus(
  containers: readonly Pick<ContainerRecord, 'name' | 'essential' | 'healthStatus'>[],
  definitions: readonly { name?: string; healthCheck?: { command?: string[] } }[],
): HealthStatus {
  const checked = containers.filter((c) => c.essential && definitions.some((d) => d.name === c.name && d.healthCheck?.command?.length));
  if (checked.some((c) => c.healthStatus === 'UNHEALTHY')) return 'UNHEALTHY';
  if (checked.length > 0 && checked.every((c) => c.healthStatus === 'HEALTHY')) return 'HEALTHY';
  return 'UNKNOWN';
}
