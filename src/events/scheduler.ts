/**
 * EventBridge Scheduler's records: schedule groups (`default` always exists; deleting a group
 * deletes its schedules) with their tags, and schedules — CreateSchedule, GetSchedule,
 * UpdateSchedule (a full replace, as Scheduler's is), DeleteSchedule, ListSchedules. The rules
 * that cross fields (an expression and its zone, the flexible window, StartDate before EndDate,
 * a target's parameters) are checked here; lengths, patterns and enums by the model at the edge.
 */
import type { Ids } from '../common/index.ts';
import { listDocs, transact, type Tx } from '../state/index.ts';
import type { EventsEnv } from './buses.ts';
import type { EventsTag, Scope } from './records.ts';
import { ScheduleError } from './schedule.ts';
import {
  DEFAULT_GROUP, SchedulerErrors, scheduleArn, scheduleGroupArn, schedulerKeys,
  type ScheduleGroupRecord, type ScheduleRecord,
} from './scheduler-records.ts';
import { parseSchedulerExpression } from './scheduler-times.ts';
import { isTimeZone } from './zoned.ts';

/** What a schedule is written from: everything but what Wharf derives. */
export type ScheduleInput = Omit<ScheduleRecord, 'arn' | 'createdAt' | 'updatedAt' | 'seed'>;

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const defaultGroup = (scope: Scope): ScheduleGroupRecord => ({ name: DEFAULT_GROUP, arn: scheduleGroupArn(scope, DEFAULT_GROUP), tags: [] });

/** The group `name`, read through `tx`; `default` always exists. */
async function findGroup(tx: Tx, scope: Scope, name: string): Promise<ScheduleGroupRecord> {
  const group = await tx.get<ScheduleGroupRecord>(schedulerKeys.group(scope, name));
  if (group) return group;
  if (name === DEFAULT_GROUP) return defaultGroup(scope);
  throw SchedulerErrors.groupNotFound(name);
}

/** CreateScheduleGroup. */
export async function createScheduleGroup(env: EventsEnv, scope: Scope, name: string, tags: EventsTag[]): Promise<ScheduleGroupRecord> {
  const now = env.clock.now();
  return transact(env.store, async (tx) => {
    if (name === DEFAULT_GROUP || (await tx.get(schedulerKeys.group(scope, name)))) throw SchedulerErrors.groupExists(name);
    const group: ScheduleGroupRecord = { name, arn: scheduleGroupArn(scope, name), tags, createdAt: now, updatedAt: now };
    tx.put(schedulerKeys.group(scope, name), group);
    return group;
  });
}

/** GetScheduleGroup. */
export async function getScheduleGroup(env: EventsEnv, scope: Scope, name: string): Promise<ScheduleGroupRecord> {
  return transact(env.store, (tx) => findGroup(tx, scope, name));
}

/** ListScheduleGroups: by name, `default` among them; NamePrefix filters. */
export async function listScheduleGroups(env: EventsEnv, scope: Scope, namePrefix?: string): Promise<ScheduleGroupRecord[]> {
  const stored = (await listDocs<ScheduleGroupRecord>(env.store, schedulerKeys.groups(scope))).map((d) => d.value);
  const all = stored.some((g) => g.name === DEFAULT_GROUP) ? stored : [defaultGroup(scope), ...stored];
  return all.filter((g) => !namePrefix || g.name.startsWith(namePrefix)).sort(byName);
}

/** DeleteScheduleGroup: its schedules go with it, in the same transaction; `default` cannot be deleted. */
export async function deleteScheduleGroup(env: EventsEnv, scope: Scope, name: string): Promise<void> {
  if (name === DEFAULT_GROUP) throw SchedulerErrors.validation('The default schedule group cannot be deleted.');
  await transact(env.store, async (tx) => {
    await findGroup(tx, scope, name);
    for (const s of await tx.list<ScheduleRecord>(schedulerKeys.schedules(scope, name))) {
      tx.delete(schedulerKeys.schedule(scope, name, s.name));
      tx.delete(schedulerKeys.fired(scope, name, s.name));
    }
    tx.delete(schedulerKeys.group(scope, name));
  });
}

/** TagResource / UntagResource / ListTagsForResource on a group (schedules take no tags). */
export async function changeGroupTags(env: EventsEnv, scope: Scope, name: string, change: (tags: EventsTag[]) => EventsTag[]): Promise<EventsTag[]> {
  const now = env.clock.now();
  return transact(env.store, async (tx) => {
    const group = await findGroup(tx, scope, name);
    const tags = change(group.tags);
    if (tags !== group.tags) tx.put(schedulerKeys.group(scope, name), { ...group, tags, createdAt: group.createdAt ?? now, updatedAt: now });
    return tags;
  });
}

const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[^:]*:\d{12}:cluster\/.+$/;
const BUS_ARN = /^arn:aws[a-z-]*:events:[^:]*:\d{12}:event-bus\/.+$/;

/** The cross-field rules of a schedule, each naming its field. */
function checkSchedule(s: ScheduleInput, now: number): void {
  try {
    parseSchedulerExpression(s.scheduleExpression);
  } catch (error) {
    if (error instanceof ScheduleError) throw SchedulerErrors.validation(`Invalid ScheduleExpression ${s.scheduleExpression}.`);
    throw error;
  }
  if (s.timezone !== undefined && !isTimeZone(s.timezone)) throw SchedulerErrors.validation(`Invalid ScheduleExpressionTimezone ${s.timezone}.`);
  const w = s.flexibleTimeWindow;
  if (w.mode === 'FLEXIBLE' && w.maximumWindowInMinutes === undefined) {
    throw SchedulerErrors.validation('FlexibleTimeWindow.MaximumWindowInMinutes is required when FlexibleTimeWindow.Mode is FLEXIBLE.');
  }
  if (w.mode === 'OFF' && w.maximumWindowInMinutes !== undefined) {
    throw SchedulerErrors.validation('FlexibleTimeWindow.MaximumWindowInMinutes must not be set when FlexibleTimeWindow.Mode is OFF.');
  }
  if (s.startDate !== undefined && s.endDate !== undefined && s.startDate >= s.endDate) throw SchedulerErrors.validation('The StartDate must be before the EndDate.');
  if (s.endDate !== undefined && s.endDate <= now) throw SchedulerErrors.validation('The EndDate must be in the future.');
  const t = s.target;
  if (CLUSTER_ARN.test(t.arn)) {
    if (!t.ecsParameters) throw SchedulerErrors.validation('Target.EcsParameters is required for an Amazon ECS cluster target.');
    if (t.input !== undefined && !isJsonObject(t.input)) throw SchedulerErrors.validation('Target.Input must be a JSON object (the task\'s overrides) for an Amazon ECS target.');
  } else if (t.ecsParameters) {
    throw SchedulerErrors.validation('Target.EcsParameters is only for an Amazon ECS cluster target.');
  }
  if (BUS_ARN.test(t.arn)) {
    if (!t.eventBridgeParameters) throw SchedulerErrors.validation('Target.EventBridgeParameters is required for an EventBridge event bus target.');
    if (t.input !== undefined && !isJsonObject(t.input)) throw SchedulerErrors.validation('Target.Input must be a JSON object (the event\'s detail) for an EventBridge target.');
  } else if (t.eventBridgeParameters) {
    throw SchedulerErrors.validation('Target.EventBridgeParameters is only for an EventBridge event bus target.');
  }
}

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** CreateSchedule: in its group (which must exist); a name taken in the group is a conflict. */
export async function createSchedule(env: EventsEnv & { ids: Ids }, scope: Scope, input: ScheduleInput): Promise<ScheduleRecord> {
  const now = env.clock.now();
  checkSchedule(input, now);
  return transact(env.store, async (tx) => {
    await findGroup(tx, scope, input.groupName);
    if (await tx.get(schedulerKeys.schedule(scope, input.groupName, input.name))) throw SchedulerErrors.scheduleExists(input.name);
    const record: ScheduleRecord = { ...input, arn: scheduleArn(scope, input.groupName, input.name), createdAt: now, updatedAt: now, seed: env.ids.hex32() };
    tx.put(schedulerKeys.schedule(scope, input.groupName, input.name), record);
    tx.delete(schedulerKeys.fired(scope, input.groupName, input.name));
    return record;
  });
}

/** UpdateSchedule: every field replaced (one left out goes back to its default); it counts its times from now. */
export async function updateSchedule(env: EventsEnv & { ids: Ids }, scope: Scope, input: ScheduleInput): Promise<ScheduleRecord> {
  const now = env.clock.now();
  checkSchedule(input, now);
  return transact(env.store, async (tx) => {
    await findGroup(tx, scope, input.groupName);
    const existing = await tx.get<ScheduleRecord>(schedulerKeys.schedule(scope, input.groupName, input.name));
    if (!existing) throw SchedulerErrors.scheduleNotFound(input.name);
    const record: ScheduleRecord = { ...input, arn: existing.arn, createdAt: existing.createdAt, updatedAt: now, seed: env.ids.hex32() };
    tx.put(schedulerKeys.schedule(scope, input.groupName, input.name), record);
    return record;
  });
}

/** GetSchedule. */
export async function getSchedule(env: EventsEnv, scope: Scope, group: string, name: string): Promise<ScheduleRecord> {
  return transact(env.store, async (tx) => {
    await findGroup(tx, scope, group);
    const record = await tx.get<ScheduleRecord>(schedulerKeys.schedule(scope, group, name));
    if (!record) throw SchedulerErrors.scheduleNotFound(name);
    return record;
  });
}

/** DeleteSchedule (and its firing state). */
export async function deleteSchedule(env: EventsEnv, scope: Scope, group: string, name: string): Promise<void> {
  await transact(env.store, async (tx) => {
    await findGroup(tx, scope, group);
    if (!(await tx.get(schedulerKeys.schedule(scope, group, name)))) throw SchedulerErrors.scheduleNotFound(name);
    tx.delete(schedulerKeys.schedule(scope, group, name));
    tx.delete(schedulerKeys.fired(scope, group, name));
  });
}

/** ListSchedules: every group's (or one group's, which must exist), by group then name; NamePrefix and State filter. */
export async function listSchedules(
  env: EventsEnv, scope: Scope, filter: { groupName?: string; namePrefix?: string; state?: 'ENABLED' | 'DISABLED' },
): Promise<ScheduleRecord[]> {
  if (filter.groupName !== undefined) await getScheduleGroup(env, scope, filter.groupName);
  const prefix = filter.groupName !== undefined ? schedulerKeys.schedules(scope, filter.groupName) : schedulerKeys.allSchedules(scope);
  return (await listDocs<ScheduleRecord>(env.store, prefix)).map((d) => d.value)
    .filter((s) => (!filter.namePrefix || s.name.startsWith(filter.namePrefix)) && (!filter.state || s.state === filter.state));
}
