/**
 * Scheduler's schedules firing, on the leader: each ENABLED schedule fires at each due time
 * (`nextDueTime` plus its flexible offset) once — the due time it fired for and the delivery to
 * its target are written in one transaction guarded on the firing state it read, so a restart or
 * two passes at once never fire a due time twice, and a crash after the commit loses nothing (the
 * delivery worker delivers it at least once). After a stop longer than a period only the latest
 * missed due time fires. A schedule with ActionAfterCompletion DELETE is deleted in the
 * transaction of its last invocation (an `at()`'s only one, or the last before EndDate), or by
 * the first pass after it can never fire again.
 *
 * The delivery is EventBridge's: the target is called as `scheduler.amazonaws.com` (the target's
 * role must trust it), an ECS target's Input is the task's overrides, an event bus target gets
 * an event of EventBridgeParameters' Source and DetailType with the Input as its detail.
 */
import type { Ids } from '../common/index.ts';
import { listDocs, transact } from '../state/index.ts';
import type { EventsEnv } from './buses.ts';
import { deliveryId } from './put-events.ts';
import { keys, type DeliveryRecord, type TargetRecord } from './records.ts';
import { schedulerKeys, type ScheduleFiredRecord, type ScheduleRecord } from './scheduler-records.ts';
import { flexibleOffset, nextDueTime } from './scheduler-times.ts';

/** The service principal Scheduler invokes targets as. */
export const SCHEDULER_PRINCIPAL = 'scheduler.amazonaws.com';

/** What a schedule's ECS tasks' startedBy says. */
export const SCHEDULER_STARTED_BY = 'scheduler-schedule';

const scopeOfArn = (arn: string) => {
  const [, , , region = '', account = ''] = arn.split(':');
  return { account, region };
};

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The Input with Scheduler's context attributes filled in (`<aws.scheduler.schedule-arn>`, ...). */
function withContext(input: string, s: ScheduleRecord, due: number, executionId: string): string {
  return input
    .replaceAll('<aws.scheduler.schedule-arn>', s.arn)
    .replaceAll('<aws.scheduler.scheduled-time>', isoSeconds(due))
    .replaceAll('<aws.scheduler.execution-id>', executionId)
    .replaceAll('<aws.scheduler.attempt-number>', '1');
}

/** The delivery of one invocation of `s` for its due time `due`. */
function invocation(s: ScheduleRecord, due: number, now: number, ids: Ids): DeliveryRecord {
  const scope = scopeOfArn(s.arn);
  const executionId = ids.uuid();
  const t = s.target;
  const input = t.input !== undefined ? withContext(t.input, s, due, executionId) : undefined;
  const bus = t.eventBridgeParameters;
  const target: TargetRecord = {
    id: s.name, arn: t.arn, roleArn: t.roleArn,
    // An event bus target is sent the event itself; any other gets the Input, or nothing.
    ...(bus ? {} : { input: input ?? '{}' }),
    ...(t.retryPolicy ? { retryPolicy: t.retryPolicy } : {}),
    ...(t.deadLetterArn ? { deadLetterArn: t.deadLetterArn } : {}),
    ...(t.ecsParameters ? { ecsParameters: t.ecsParameters } : {}),
  };
  const event = {
    version: '0', id: executionId, 'detail-type': bus?.detailType ?? 'Scheduled Event', source: bus?.source ?? 'aws.scheduler',
    account: scope.account, time: isoSeconds(due), region: scope.region, resources: [s.arn],
    detail: bus && input !== undefined ? (JSON.parse(input) as unknown) : {},
  };
  return {
    id: deliveryId(ids, now), scope, ruleArn: s.arn, busName: '', target, event, enqueuedAt: now, attempts: 0,
    principal: SCHEDULER_PRINCIPAL, startedBy: SCHEDULER_STARTED_BY,
  };
}

/** What one schedule's turn did. */
type Turn = { fired: boolean; nextAt?: number };

/** One schedule's turn, in one transaction guarded on its record and its firing state. */
async function fireOne(env: EventsEnv & { ids: Ids }, listed: ScheduleRecord, now: number): Promise<Turn> {
  const scope = scopeOfArn(listed.arn);
  const key = schedulerKeys.schedule(scope, listed.groupName, listed.name);
  const firedKey = schedulerKeys.fired(scope, listed.groupName, listed.name);
  const fireAt = (due: number) => due + flexibleOffset(listed, due);
  return transact(env.store, async (tx) => {
    const s = await tx.get<ScheduleRecord>(key);
    // Rewritten or gone since the listing: the next pass sees it as it is now.
    if (!s || s.seed !== listed.seed || s.state !== 'ENABLED') return { fired: false };
    const fired = await tx.get<ScheduleFiredRecord>(firedKey);
    const from = fired && fired.seed === s.seed ? fired.lastDueAt : -Infinity;
    let due = nextDueTime(s, from);
    if (due === undefined) {
      if (s.actionAfterCompletion === 'DELETE') {
        tx.delete(key);
        tx.delete(firedKey);
      }
      return { fired: false };
    }
    if (fireAt(due) > now) return { fired: false, nextAt: fireAt(due) };
    // Only the latest due time whose fire time has come fires.
    for (let later = nextDueTime(s, due), guard = 0; later !== undefined && fireAt(later) <= now && guard < 1_000_000; later = nextDueTime(s, due), guard++) due = later;
    tx.put<ScheduleFiredRecord>(firedKey, { lastDueAt: due, seed: s.seed });
    const delivery = invocation(s, due, now, env.ids);
    tx.put(keys.delivery(delivery.id), delivery);
    const next = nextDueTime(s, due);
    if (next === undefined && s.actionAfterCompletion === 'DELETE') {
      tx.delete(key);
      tx.delete(firedKey);
    }
    return { fired: true, ...(next !== undefined ? { nextAt: fireAt(next) } : {}) };
  });
}

/** Fires every due schedule of every account and region once; returns how many fired and when the next is due. */
export async function fireDueSchedulerSchedules(env: EventsEnv & { ids: Ids }): Promise<{ fired: number; nextDueAt?: number }> {
  const now = env.clock.now();
  let fired = 0;
  let nextDueAt: number | undefined;
  const schedules = (await listDocs<ScheduleRecord>(env.store, schedulerKeys.everything()))
    .filter((d) => d.key.includes('/schedule/') && d.value.state === 'ENABLED');
  for (const { value } of schedules) {
    const turn = await fireOne(env, value, now);
    if (turn.fired) fired++;
    if (turn.nextAt !== undefined && (nextDueAt === undefined || turn.nextAt < nextDueAt)) nextDueAt = turn.nextAt;
  }
  return { fired, nextDueAt };
}
