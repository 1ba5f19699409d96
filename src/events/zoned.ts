/**
 * Wall-clock time in an IANA time zone, for Scheduler's ScheduleExpressionTimezone: a `cron()`
 * is matched against the zone's local date and time, and an `at()` is read in it. Computed with
 * `Intl.DateTimeFormat` (the zone database Node carries), no dependency. A local time is kept
 * as "local epoch ms": the instant it would be if the zone were UTC, so the UTC cron matcher
 * (`nextFireTime`) walks local time unchanged. Daylight saving, as EventBridge Scheduler
 * documents it: a local time skipped when clocks go forward does not fire; a local time that
 * happens twice when they go back fires once, at its first occurrence.
 */
import { nextFireTime, type Schedule } from './schedule.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is a time zone Node knows (an IANA name such as `Europe/Paris`, or `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The local time of `instant` in `zone`, as local epoch ms (seconds kept, milliseconds kept). */
export function toLocal(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return local + (((instant % 1000) + 1000) % 1000);
}

/** The instants whose local time in `zone` is `local`: none in a spring-forward gap, two in a fall-back overlap. */
export function instantsOf(local: number, zone: string): number[] {
  const out = new Set<number>();
  // Offsets a day either side cover every transition nearby (no zone shifts twice in a day).
  for (const probe of [local - 86_400_000, local, local + 86_400_000]) {
    const offset = toLocal(probe, zone) - probe;
    const candidate = local - offset;
    if (toLocal(candidate, zone) === local) out.add(candidate);
  }
  return [...out].sort((a, b) => a - b);
}

/** The instant of a local time: its first occurrence; in a gap, the same wall time under the offset before the change. */
export function fromLocal(local: number, zone: string): number {
  const [first] = instantsOf(local, zone);
  if (first !== undefined) return first;
  return local - (toLocal(local - 86_400_000, zone) - (local - 86_400_000));
}

/**
 * The next fire time of a cron strictly after `after` (epoch ms), its fields read in `zone`:
 * a local time that does not exist is skipped, one that happens twice fires at its first.
 * Undefined when the cron never fires again.
 */
export function nextZonedCronTime(schedule: Schedule, after: number, zone: string): number | undefined {
  let local = toLocal(after, zone);
  for (let guard = 0; guard < 10_000; guard++) {
    const next = nextFireTime(schedule, local, 0);
    if (next === undefined) return undefined;
    const [first] = instantsOf(next, zone);
    if (first !== undefined && first > after) return first;
    local = next;
  }
  return undefined;
}
