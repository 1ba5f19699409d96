/**
 * Scheduled actions: PutScheduledAction (create or replace; `at()`, `rate()` and `cron()` with
 * a Timezone, bounded by StartTime and EndTime), DescribeScheduledActions,
 * DeleteScheduledAction, and firing one: the target's bounds change and its desiredCount is
 * clamped into them.
 */
import { ScheduleError, isTimeZone, parseSchedulerExpression } from '../events/index.ts';
import { getDoc, listDocs, transact } from '../state/index.ts';
import type { ScalingEnv } from './env.ts';
import { ScalingErrors } from './errors.ts';
import { scalingArns, scalingKeys, type ScalableTargetRecord, type ScheduledActionRecord, type Scope } from './records.ts';
import { clampInto, getTarget, serviceOf } from './targets.ts';
import { scheduledBounds } from './decide.ts';

/** What PutScheduledAction asks. */
export interface PutActionRequest {
  name: string;
  resourceId: string;
  schedule?: string;
  timezone?: string;
  startTime?: number;
  endTime?: number;
  minCapacity?: number;
  maxCapacity?: number;
}

/** PutScheduledAction. */
export async function putScheduledAction(env: ScalingEnv, scope: Scope, req: PutActionRequest): Promise<ScheduledActionRecord> {
  serviceOf(req.resourceId);
  await getTarget(env, scope, req.resourceId);
  const key = scalingKeys.action(scope, req.resourceId, req.name);
  const existing = (await getDoc<ScheduledActionRecord>(env.store, key))?.value;
  const schedule = req.schedule ?? existing?.schedule;
  if (schedule === undefined) throw ScalingErrors.validation('Schedule: a schedule is required to create a scheduled action.');
  try {
    parseSchedulerExpression(schedule);
  } catch (error) {
    if (error instanceof ScheduleError) throw ScalingErrors.validation(`Schedule: ${schedule} is not a valid at(), rate() or cron() expression.`);
    throw error;
  }
  if (req.timezone !== undefined && !isTimeZone(req.timezone)) throw ScalingErrors.validation(`Timezone: ${req.timezone} is not a valid time zone.`);
  if (req.startTime !== undefined && req.endTime !== undefined && req.endTime <= req.startTime) throw ScalingErrors.validation('EndTime: the end time must be after the start time.');
  const min = req.minCapacity ?? existing?.minCapacity;
  const max = req.maxCapacity ?? existing?.maxCapacity;
  if (min === undefined && max === undefined) throw ScalingErrors.validation('ScalableTargetAction: MinCapacity or MaxCapacity is required.');
  if (min !== undefined && max !== undefined && min > max) throw ScalingErrors.validation(`ScalableTargetAction.MinCapacity: Minimum capacity (${min}) cannot be greater than maximum capacity (${max}).`);
  const record: ScheduledActionRecord = {
    arn: existing?.arn ?? scalingArns.action(scope, env.ids.uuid(), req.resourceId, req.name), name: req.name, resourceId: req.resourceId, schedule,
    ...(req.timezone ?? existing?.timezone ? { timezone: req.timezone ?? existing?.timezone } : {}),
    ...(req.startTime ?? existing?.startTime) !== undefined ? { startTime: req.startTime ?? existing?.startTime } : {},
    ...(req.endTime ?? existing?.endTime) !== undefined ? { endTime: req.endTime ?? existing?.endTime } : {},
    ...(min !== undefined ? { minCapacity: min } : {}), ...(max !== undefined ? { maxCapacity: max } : {}),
    createdAt: env.clock.now(),
  };
  await transact(env.store, async (tx) => { tx.put(key, record); });
  return record;
}

/** DescribeScheduledActions: of one target or all, optionally by name. */
export async function describeScheduledActions(env: Pick<ScalingEnv, 'store'>, scope: Scope, resourceId?: string, names?: readonly string[]): Promise<ScheduledActionRecord[]> {
  const prefix = resourceId !== undefined ? scalingKeys.actions(scope, resourceId) : scalingKeys.allActions(scope);
  return (await listDocs<ScheduledActionRecord>(env.store, prefix)).map((d) => d.value).filter((a) => !names?.length || names.includes(a.name));
}

/** DeleteScheduledAction. */
export async function deleteScheduledAction(env: ScalingEnv, scope: Scope, resourceId: string, name: string): Promise<void> {
  serviceOf(resourceId);
  const key = scalingKeys.action(scope, resourceId, name);
  if (!(await getDoc(env.store, key))) throw ScalingErrors.actionNotFound(name, resourceId);
  await transact(env.store, async (tx) => { tx.delete(key); });
}

/** Fires a due scheduled action: new bounds on the target, the desiredCount clamped into them; marked fired for `due`. */
export async function fireScheduledAction(env: ScalingEnv, scope: Scope, action: ScheduledActionRecord, due: number): Promise<void> {
  const target = await transact(env.store, async (tx) => {
    const t = await tx.get<ScalableTargetRecord>(scalingKeys.target(scope, action.resourceId));
    const key = scalingKeys.action(scope, action.resourceId, action.name);
    const a = await tx.get<ScheduledActionRecord>(key);
    if (!t || !a || (a.lastFiredFor ?? -Infinity) >= due) return undefined;
    tx.put(key, { ...a, lastFiredFor: due });
    const { min, max } = scheduledBounds(t, a);
    const next = { ...t, minCapacity: min, maxCapacity: Math.max(min, max) };
    tx.put(scalingKeys.target(scope, t.resourceId), next);
    return next;
  });
  if (target) await clampInto(env, scope, target, `by scheduled action name ${action.name}`);
}
