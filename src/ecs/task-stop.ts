/** Asking a task to stop: what StopTask and the service scheduler both do. */
import type { Tx } from '../state/index.ts';
import { keys, parseArn, type TaskRecord } from './records.ts';
import { leaveGroup } from './task-reports.ts';

/**
 * Stages desiredStatus STOPPED with the reason (the agent then stops the containers) and takes
 * the task out of its instance's group counts. A task already asked to stop is left as it is.
 */
export async function stageStopTask(
  tx: Tx, task: TaskRecord, stop: { stopCode: 'UserInitiated' | 'ServiceSchedulerInitiated'; reason: string }, now: number,
): Promise<TaskRecord> {
  if (task.desiredStatus === 'STOPPED') return task;
  const stopped: TaskRecord = {
    ...task,
    desiredStatus: 'STOPPED',
    stoppingAt: now,
    stopCode: stop.stopCode,
    stoppedReason: stop.reason,
    version: task.version + 1,
  };
  tx.put(keys.task(parseArn(task.arn)!, task.clusterName, task.id), stopped);
  await leaveGroup(tx, stopped);
  return stopped;
}
