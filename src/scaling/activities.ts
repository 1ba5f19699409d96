/**
 * Scaling activities: each change of a service's desiredCount is made through the services
 * port and recorded with AWS's Description ("Setting desired count to N.") and Cause texts.
 */
import { listDocs, transact } from '../state/index.ts';
import type { ScalingEnv } from './env.ts';
import { scalingKeys, type ActivityRecord, type ScalableTargetRecord, type Scope } from './records.ts';

/** Activities kept per target (the oldest go first). */
const KEEP = 100;

/** Sets the target's desiredCount to `capacity` and records the activity (Failed, with the error, when the write fails). */
export async function scaleTo(env: ScalingEnv, scope: Scope, target: ScalableTargetRecord, capacity: number, cause: string): Promise<ActivityRecord> {
  const start = env.clock.now();
  let statusCode: ActivityRecord['statusCode'] = 'Successful';
  let statusMessage = 'Successfully set desired count to ' + capacity + '. Change successfully fulfilled by ecs.';
  try {
    await env.services.setDesiredCount(scope, target.clusterName, target.serviceName, capacity);
  } catch (error) {
    statusCode = 'Failed';
    statusMessage = `Failed to set desired count to ${capacity}. Reason: ${error instanceof Error ? error.message : String(error)}`;
  }
  const record: ActivityRecord = {
    id: env.ids.uuid(), resourceId: target.resourceId, description: `Setting desired count to ${capacity}.`, cause,
    startTime: start, endTime: env.clock.now(), statusCode, statusMessage,
  };
  const old = await listDocs<ActivityRecord>(env.store, scalingKeys.activities(scope, target.resourceId));
  await transact(env.store, async (tx) => {
    tx.put(scalingKeys.activity(scope, target.resourceId, start, record.id), record);
    for (const d of old.slice(0, Math.max(0, old.length + 1 - KEEP))) tx.delete(d.key);
  });
  return record;
}

/** DescribeScalingActivities: newest first, of one target or every one. */
export async function listActivities(env: Pick<ScalingEnv, 'store'>, scope: Scope, resourceId?: string): Promise<ActivityRecord[]> {
  const prefix = resourceId !== undefined ? scalingKeys.activities(scope, resourceId) : scalingKeys.allActivities(scope);
  return (await listDocs<ActivityRecord>(env.store, prefix)).map((d) => d.value).sort((a, b) => b.startTime - a.startTime);
}
