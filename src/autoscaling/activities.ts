/**
 * Scaling activities with AWS's wording: the Description names the instance ("Launching a new EC2
 * instance: i-..."), the Cause tells, with timestamps, what changed the desired capacity and why
 * an instance was started or taken out of service.
 */
import { listDocs, type Tx } from '../state/index.ts';
import { autoscalingKeys, type ActivityRecord, type CapacityChange, type GroupRecord, type Scope } from './records.ts';

/** Activities kept per group (the oldest go first). */
export const ACTIVITIES_KEPT = 100;

/** A time as AWS writes it in a Cause: `2026-01-01T00:00:00Z`. */
export const causeTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The first sentence of a cause: the capacity change that led to it, when there is one. */
const changeSentence = (change: CapacityChange | undefined) => (change ? `At ${causeTime(change.at)} ${change.text}.  ` : '');

/** Why an instance is launched. */
export const launchCause = (change: CapacityChange | undefined, at: number, from: number, to: number) =>
  `${changeSentence(change)}At ${causeTime(at)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${from} to ${to}.`;

/** Why a scale-in terminates an instance. */
export const scaleInCause = (change: CapacityChange | undefined, at: number, from: number, to: number) =>
  `${changeSentence(change)}At ${causeTime(at)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${from} to ${to}.`;

/** Why an instance that stopped or went away outside the group's doing is replaced. */
export const healthCause = (at: number) =>
  `At ${causeTime(at)} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.`;

/** Why TerminateInstanceInAutoScalingGroup terminates an instance. */
export const userTerminateCause = (at: number, instanceId: string, shrink?: { from: number; to: number }) =>
  `At ${causeTime(at)} instance ${instanceId} was taken out of service in response to a user request${shrink ? `, shrinking the capacity from ${shrink.from} to ${shrink.to}` : ''}.`;

/** A new activity of a group, in progress. */
export function newActivity(group: GroupRecord, id: string, at: number, description: string, cause: string, details: Record<string, string>): ActivityRecord {
  return { id, groupName: group.name, groupArn: group.arn, description, cause, startTime: at, statusCode: 'InProgress', progress: 0, details };
}

/** Stages an activity's write. */
export function stageActivity(tx: Tx, scope: Scope, activity: ActivityRecord): void {
  tx.put(autoscalingKeys.activity(scope, activity.groupName, activity.startTime, activity.id), activity);
}

/** Stages the end of an activity (Successful or Failed), when it is there and not ended yet. */
export async function stageActivityEnd(tx: Tx, scope: Scope, group: GroupRecord, id: string | undefined, at: number, statusCode: 'Successful' | 'Failed' | 'Cancelled', statusMessage?: string): Promise<void> {
  if (!id) return;
  const found = (await listDocs<ActivityRecord>(tx.store, autoscalingKeys.activities(scope, group.name))).find((d) => d.value.id === id);
  if (!found || found.value.endTime !== undefined) return;
  const current = await tx.get<ActivityRecord>(found.key);
  if (!current) return;
  tx.put(found.key, { ...current, statusCode, progress: 100, endTime: at, ...(statusMessage ? { statusMessage } : {}) });
}

/** Deletes a group's oldest activities beyond the number kept. */
export async function stageActivityTrim(tx: Tx, scope: Scope, groupName: string, adding: number): Promise<void> {
  const all = await listDocs<ActivityRecord>(tx.store, autoscalingKeys.activities(scope, groupName));
  for (const d of all.slice(0, Math.max(0, all.length + adding - ACTIVITIES_KEPT))) tx.delete(d.key);
}

/** DescribeScalingActivities' order, as AWS's: activities still in progress first, then newest first. */
export const activityOrder = (a: ActivityRecord, b: ActivityRecord): number =>
  Number(a.endTime !== undefined) - Number(b.endTime !== undefined) || b.startTime - a.startTime || (a.id < b.id ? -1 : 1);

/** DescribeScalingActivities: of one group or every one in the scope, in `activityOrder`. */
export async function listActivities(store: Tx['store'], scope: Scope, groupName?: string): Promise<ActivityRecord[]> {
  const prefix = groupName !== undefined ? autoscalingKeys.activities(scope, groupName) : autoscalingKeys.allActivities(scope);
  return (await listDocs<ActivityRecord>(store, prefix)).map((d) => d.value).sort(activityOrder);
}
