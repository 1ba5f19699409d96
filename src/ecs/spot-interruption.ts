/**
 * A FARGATE_SPOT task interrupted as AWS reclaims Spot capacity: its containers get the
 * two-minute warning (SIGTERM, then the kill after each container's stopTimeout, as any stop),
 * the task stops with stopCode SpotInterruption and AWS's reason, and a service replaces it.
 * Wharf's hosts are never reclaimed, so an operator interrupts a task to rehearse it.
 */
import { transact, type Store } from '../state/index.ts';
import { clusterNameOf } from './cluster-record.ts';
import { EcsErrors } from './errors.ts';
import { keys, type Scope, type TaskRecord } from './records.ts';
import { stageStopTask } from './task-stop.ts';

/** The reason ECS gives a task stopped by a Spot interruption. */
export const SPOT_INTERRUPTION_REASON = 'Your Spot Task was interrupted.';

/** The task id a task reference (an id or a task ARN) names. */
const taskIdOf = (ref: string): string => ref.slice(ref.lastIndexOf('/') + 1);

/**
 * Stops a running FARGATE_SPOT task of `clusterRef` as a Spot interruption. Refused for a task
 * that is not on FARGATE_SPOT (InvalidParameterException) or not found; a task already
 * stopping is left as it is.
 */
export async function interruptSpotTask(d: { store: Store; clock: { now(): number } }, scope: Scope, clusterRef: string | undefined, taskRef: string): Promise<TaskRecord> {
  const cluster = clusterNameOf(clusterRef, scope);
  return transact(d.store, async (tx) => {
    const task = await tx.get<TaskRecord>(keys.task(scope, cluster, taskIdOf(taskRef)));
    if (!task) throw EcsErrors.invalidParameter(`task: ${taskRef} was not found in cluster ${cluster}.`);
    if (task.capacityProviderName !== 'FARGATE_SPOT') {
      throw EcsErrors.invalidParameter(`task: ${task.arn} does not run on the FARGATE_SPOT capacity provider; only Spot tasks are interrupted.`);
    }
    return stageStopTask(tx, task, { stopCode: 'SpotInterruption', reason: SPOT_INTERRUPTION_REASON }, d.clock.now());
  });
}
