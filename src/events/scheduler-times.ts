/**
 * When a Scheduler schedule fires, as pure functions of its record: `at(yyyy-mm-ddThh:mm:ss)`
 * once, read in the schedule's time zone; `rate()` every period (from StartDate, first at it, or
 * else from when the schedule was written, first one period later); `cron()` matched against the
 * zone's local time (`zoned.ts`). StartDate and EndDate bound the recurring kinds (an `at()`
 * ignores them, as Scheduler does). A flexible time window moves each invocation by an offset
 * within the window, derived from the schedule's seed and the due time: the same on every
 * replica and after every restart.
 */
import { ScheduleError, parseSchedule, type Schedule } from './schedule.ts';
import type { ScheduleRecord } from './scheduler-records.ts';
import { fromLocal, nextZonedCronTime } from './zoned.ts';

/** A Scheduler expression, parsed. */
export type SchedulerExpression = { kind: 'at'; local: number } | Schedule;

/** Parses `at(...)`, `rate(...)` or `cron(...)`, throwing ScheduleError. */
export function parseSchedulerExpression(expression: string): SchedulerExpression {
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expression);
  if (!at) return parseSchedule(expression);
  const [y, mo, d, h, mi, s] = at.slice(1).map(Number) as [number, number, number, number, number, number];
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(local);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) throw new ScheduleError();
  return { kind: 'at', local };
}

/** What the due times of a schedule depend on. */
export type Timing = Pick<ScheduleRecord, 'scheduleExpression' | 'timezone' | 'startDate' | 'endDate' | 'updatedAt'>;

/**
 * The first nominal due time strictly after `after`, or undefined when there is none (an
 * `at()` past, a cron whose years are over, EndDate reached). A recurring schedule's times
 * come after its write (and from its StartDate on); `after` below them means "from the start".
 */
export function nextDueTime(t: Timing, after: number): number | undefined {
  const e = parseSchedulerExpression(t.scheduleExpression);
  const zone = t.timezone ?? 'UTC';
  if (e.kind === 'at') {
    const at = fromLocal(e.local, zone);
    return at > after ? at : undefined;
  }
  const from = Math.max(after, t.updatedAt, t.startDate !== undefined ? t.startDate - 1 : -Infinity);
  let due: number | undefined;
  if (e.kind === 'rate') {
    const anchor = t.startDate ?? t.updatedAt;
    const k = Math.max(t.startDate !== undefined ? 0 : 1, Math.floor((from - anchor) / e.periodMs) + 1);
    due = anchor + k * e.periodMs;
  } else {
    due = nextZonedCronTime(e, from, zone);
  }
  return due !== undefined && (t.endDate === undefined || due <= t.endDate) ? due : undefined;
}

/** Whether the schedule invokes once only. */
export const isOneTime = (t: Pick<ScheduleRecord, 'scheduleExpression'>) => t.scheduleExpression.startsWith('at(');

/** FNV-1a over a string: 32 bits, for offsets that must be the same everywhere. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** How far past its nominal time an invocation fires: 0 with the window OFF, else within [0, window) by whole seconds. */
export function flexibleOffset(s: Pick<ScheduleRecord, 'flexibleTimeWindow' | 'seed'>, due: number): number {
  const minutes = s.flexibleTimeWindow.mode === 'FLEXIBLE' ? s.flexibleTimeWindow.maximumWindowInMinutes ?? 0 : 0;
  if (minutes <= 0) return 0;
  const windowSeconds = minutes * 60;
  return (fnv1a(`${s.seed}/${due}`) % windowSeconds) * 1000;
}
