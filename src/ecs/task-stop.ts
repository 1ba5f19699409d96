/** Asking a task to stop: what StopTask and the service scheduler both do. */
import type { Tx } from '../state/index.ts';
import { taskTargetsOf } from './load-balancers.ts';
import { keys, parseArn, type TaskRecord } from './records.ts';
import { leaveGroup } from './task-reports.ts';

/** Why a task is asked to stop, in ECS's stop codes. */
export interface TaskStop {
  stopCode: 'UserInitiated' | 'ServiceSchedulerInitiated' | 'SpotInterruption' | 'TaskFailedToStart';
  reason: string;
}

/** A task that never had an instance (waiting in PROVISIONING) has nothing to stop: it is STOPPED at once. */
function stageStopUnplaced(tx: Tx, task: TaskRecord, stop: TaskStop, now: number): TaskRecord {
  const { placement: _, ...rest } = task;
  const stopped: TaskRecord = {
    ...rest, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: stop.stopCode, stoppedReason: stop.reason,
    stoppingAt: now, executionStoppedAt: now, stoppedAt: now, containers: task.containers.map((c) => ({ ...c, lastStatus: 'STOPPED' })),
    version: task.version + 1,
  };
  tx.put(keys.task(parseArn(task.arn)!, task.clusterName, task.id), stopped);
  return stopped;
}

/**
 * Stages desiredStatus STOPPED with the reason (the agent then stops the containers) and takes
 * the task out of its instance's group counts. A task already asked to stop is left as it is.
 * A service task registered with target groups is not stopped at once: it goes DEACTIVATING,
 * and the service controller deregisters it and moves it on to STOPPING once its targets have
 * drained (the agent keeps it running meanwhile), as ECS does.
 */
export async function stageStopTask(
  tx: Tx, task: TaskRecord, stop: TaskStop, now: number,
): Promise<TaskRecord> {
  if (task.desiredStatus === 'STOPPED') return task;
  if (task.containerInstanceId === undefined && task.lastStatus === 'PROVISIONING') return stageStopUnplaced(tx, task, stop, now);
  const registered = task.lastStatus === 'RUNNING' && (await taskTargetsOf(tx, task)) !== undefined;
  const stopped: TaskRecord = {
    ...task,
    ...(registered && { lastStatus: 'DEACTIVATING' as const }),
    desiredStatus: 'STOPPED',
    // A draining task starts STOPPING (and `stoppingAt` is set) once its targets have drained.
    ...(!registered && { stoppingAt: now }),
    stopCode: stop.stopCode,
    stoppedReason: stop.reason,
    version: task.version + 1,
  };
  tx.put(keys.task(parseArn(task.arn)!, task.clusterName, task.id), stopped);
  await leaveGroup(tx, stopped);
  return stopped;
}

/** Whether the agent is to keep a task running although it is asked to stop: it is DEACTIVATING (its targets draining). */
export const heldForDraining = (task: Pick<TaskRecord, 'desiredStatus' | 'lastStatus'>): boolean =>
  task.desiredStatus === 'STOPPED' && task.lastStatus === 'DEACTIVATING';

/** A DEACTIVATING task whose targets have drained goes STOPPING: the agent is now told to stop it. */
export function stageDrained(tx: Tx, task: TaskRecord, now: number): TaskRecord {
  if (!heldForDraining(task)) return task;
  const next: TaskRecord = { ...task, lastStatus: 'STOPPING', stoppingAt: now, version: task.version + 1 };
  tx.put(keys.task(parseArn(task.arn)!, task.clusterName, task.id), next);
  return next;
}
