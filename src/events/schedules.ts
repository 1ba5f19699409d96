/**
 * Scheduled rules firing: each ENABLED rule with a ScheduleExpression fires at its due times
 * (`nextFireTime`), each due time once: the firing writes the rule's last fire time and the
 * deliveries to its targets in one transaction guarded on the last fire time it read, so a
 * restart, or two passes at once, never fire a due time twice. After a stop longer than a
 * period only the latest missed due time fires.
 */
import type { Ids } from '../common/index.ts';
import { listDocs, transact } from '../state/index.ts';
import type { EventsEnv } from './buses.ts';
import { enqueueMatches } from './put-events.ts';
import { DEFAULT_BUS, keys, type RuleRecord, type ScheduleStateRecord } from './records.ts';
import { nextFireTime, parseSchedule } from './schedule.ts';

/** The scheduled rules of every account and region. */
async function scheduledRules(env: EventsEnv): Promise<RuleRecord[]> {
  return (await listDocs<RuleRecord>(env.store, keys.everyRule()))
    .filter((d) => d.key.includes(`/rule/${DEFAULT_BUS}#`))
    .map((d) => d.value)
    .filter((r) => r.state === 'ENABLED' && r.scheduleExpression !== undefined);
}

const scopeOfArn = (arn: string) => {
  const [, , , region = '', account = ''] = arn.split(':');
  return { account, region };
};

/** Fires every due scheduled rule once; returns how many fired and when the next one is due. */
export async function fireDueSchedules(env: EventsEnv & { ids: Ids }): Promise<{ fired: number; nextDueAt?: number }> {
  const now = env.clock.now();
  let fired = 0;
  let nextDueAt: number | undefined;
  for (const rule of await scheduledRules(env)) {
    const scope = scopeOfArn(rule.arn);
    const schedule = parseSchedule(rule.scheduleExpression!);
    const anchor = rule.scheduledAt ?? rule.createdAt;
    const firedAt = await transact(env.store, async (tx) => {
      const state = await tx.get<ScheduleStateRecord>(keys.scheduleState(scope, rule.name));
      // A rule rescheduled since it last fired counts from its new anchor.
      const from = state && state.lastFireAt >= anchor ? state.lastFireAt : anchor;
      let due = nextFireTime(schedule, from, anchor);
      if (due === undefined || due > now) return undefined;
      // Only the latest due time at or before now fires.
      for (let later = nextFireTime(schedule, due, anchor); later !== undefined && later <= now; later = nextFireTime(schedule, due, anchor)) due = later;
      const current = await tx.get<RuleRecord>(keys.rule(scope, DEFAULT_BUS, rule.name));
      if (!current || current.state !== 'ENABLED' || current.scheduleExpression !== rule.scheduleExpression) return undefined;
      tx.put<ScheduleStateRecord>(keys.scheduleState(scope, rule.name), { lastFireAt: due });
      const event = {
        version: '0', id: env.ids.uuid(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: scope.account,
        time: new Date(due).toISOString().replace(/\.\d{3}Z$/, 'Z'), region: scope.region, resources: [current.arn], detail: {},
      };
      await enqueueMatches(tx, env.ids, scope, DEFAULT_BUS, event, now, current);
      return due;
    });
    if (firedAt !== undefined) fired++;
    const next = nextFireTime(schedule, Math.max(firedAt ?? now, now), anchor);
    if (next !== undefined && (nextDueAt === undefined || next < nextDueAt)) nextDueAt = next;
  }
  return { fired, nextDueAt };
}
