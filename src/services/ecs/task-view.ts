/** Finding a task a request names; stored tasks as the ECS API shows them (`toApiTask`, from the ECS domain). */
import type { Tx } from '../../state/index.ts';
import { EcsErrors, clusterNameOf, keys, parseArn, type Scope, type TaskRecord } from '../../ecs/index.ts';

export { toApiTask } from '../../ecs/index.ts';

/** The store key of the task a request names by id or ARN, or undefined when it names one out of the request's scope. */
export function taskKey(scope: Scope, clusterRef: string | undefined, taskRef: string): string | undefined {
  const clusterName = clusterNameOf(clusterRef, scope);
  if (!taskRef.startsWith('arn:')) {
    if (!/^[a-f0-9]{32}$/.test(taskRef)) throw EcsErrors.invalidParameter(`Invalid task id: ${taskRef}.`);
    return keys.task(scope, clusterName, taskRef);
  }
  const arn = parseArn(taskRef);
  if (!arn || arn.resourceType !== 'task' || arn.resource.length !== 2) throw EcsErrors.invalidParameter(`Invalid task ARN: ${taskRef}.`);
  // A task of another account or region is not one this request can see.
  if (arn.account !== scope.account || arn.region !== scope.region) return undefined;
  return keys.task(scope, arn.resource[0], arn.resource[1]);
}

/** Reads a task a request names, or the ECS error for a missing one. */
export async function requireTask(tx: Tx, scope: Scope, clusterRef: string | undefined, taskRef: string): Promise<TaskRecord> {
  const key = taskKey(scope, clusterRef, taskRef);
  const task = key === undefined ? undefined : await tx.get<TaskRecord>(key);
  if (!task || task.clusterName !== clusterNameOf(clusterRef, scope)) throw EcsErrors.invalidParameter('The referenced task was not found.');
  return task;
}
