/**
 * A rule's ScheduleExpression: `rate(<n> <minute|minutes|hour|hours|day|days>)` or AWS's
 * six-field `cron(minutes hours day-of-month month day-of-week year)` in UTC, with `?`, `L`,
 * `W` and `#` as EventBridge reads them. Pure: the next fire time after a moment, so the
 * schedule controller and its tests agree on every due time.
 */

/** A parsed schedule. */
export type Schedule =
  | { kind: 'rate'; periodMs: number }
  | { kind: 'cron'; minutes: Set<number>; hours: Set<number>; days: DayRule; months: Set<number>; years: Set<number> };

/** Which days of a month a cron expression picks: by day of month or by day of week (the other is `?`). */
type DayRule =
  | { by: 'month'; days: Set<number>; last: boolean; nearestWeekday?: number; lastWeekday: boolean }
  | { by: 'week'; weekdays: Set<number>; lastOf?: number; nth?: { weekday: number; n: number } }
  | { by: 'any' };

/** Thrown for an expression EventBridge refuses (`ValidationException: Parameter ScheduleExpression is not valid.`). */
export class ScheduleError extends Error {
  constructor() {
    super('Parameter ScheduleExpression is not valid.');
    this.name = 'ScheduleError';
  }
}

const UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Parses a ScheduleExpression, throwing ScheduleError. */
export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!;
    // AWS: the singular unit for 1, the plural otherwise.
    if (n < 1 || (n === 1) !== !unit.endsWith('s')) throw new ScheduleError();
    return { kind: 'rate', periodMs: n * UNITS[unit.replace(/s$/, '')]! };
  }
  const cron = /^cron\(([^)]*)\)$/.exec(expression);
  if (!cron) throw new ScheduleError();
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) throw new ScheduleError();
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  // Exactly one of day-of-month and day-of-week is `?`.
  if ((dom === '?') === (dow === '?')) throw new ScheduleError();
  return {
    kind: 'cron',
    minutes: field(min, 0, 59),
    hours: field(hour, 0, 23),
    months: field(month, 1, 12, MONTHS),
    years: field(year, 1970, 2199),
    days: dom !== '?' ? monthDays(dom) : weekDays(dow),
  };
}

/** A numeric field: `*`, `a`, `a-b`, `a/s`, `a-b/s`, `* /s` (no space), lists of these; names where the field has them. */
function field(text: string, lo: number, hi: number, names?: string[]): Set<number> {
  const out = new Set<number>();
  const value = (s: string): number => {
    const named = names?.indexOf(s.toUpperCase()) ?? -1;
    const n = named >= 0 ? named + lo : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!(n >= lo && n <= hi)) throw new ScheduleError();
    return n;
  };
  for (const part of text.split(',')) {
    const [range = '', stepText, ...extra] = part.split('/');
    if (extra.length) throw new ScheduleError();
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleError();
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [lo, hi];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [from, to] = [value(a), value(b)];
      if (from > to) throw new ScheduleError();
    } else {
      from = value(range);
      to = stepText === undefined ? from : hi;
    }
    for (let n = from; n <= to; n += step) out.add(n);
  }
  return out;
}

function monthDays(text: string): DayRule {
  if (text === 'L') return { by: 'month', days: new Set(), last: true, lastWeekday: false };
  if (text === 'LW') return { by: 'month', days: new Set(), last: false, lastWeekday: true };
  const w = /^(\d+)W$/.exec(text);
  if (w) {
    const day = Number(w[1]);
    if (day < 1 || day > 31) throw new ScheduleError();
    return { by: 'month', days: new Set(), last: false, lastWeekday: false, nearestWeekday: day };
  }
  return { by: 'month', days: field(text, 1, 31), last: false, lastWeekday: false };
}

function weekDays(text: string): DayRule {
  if (text === '*') return { by: 'any' };
  const last = /^(\w+)L$/.exec(text);
  if (last) return { by: 'week', weekdays: new Set(), lastOf: [...field(last[1]!, 1, 7, WEEKDAYS)][0] };
  const nth = /^(\w+)#([1-5])$/.exec(text);
  if (nth) return { by: 'week', weekdays: new Set(), nth: { weekday: [...field(nth[1]!, 1, 7, WEEKDAYS)][0]!, n: Number(nth[2]) } };
  return { by: 'week', weekdays: field(text, 1, 7, WEEKDAYS) };
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const weekdayOf = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

function dayMatches(rule: DayRule, year: number, month: number, day: number): boolean {
  const last = daysIn(year, month);
  const weekday = weekdayOf(year, month, day);
  switch (rule.by) {
    case 'any':
      return true;
    case 'month': {
      if (rule.last) return day === last;
      if (rule.lastWeekday) {
        let d = last;
        while (weekdayOf(year, month, d) === 1 || weekdayOf(year, month, d) === 7) d--;
        return day === d;
      }
      if (rule.nearestWeekday !== undefined) return day === nearestWeekday(year, month, Math.min(rule.nearestWeekday, last));
      return rule.days.has(day);
    }
    case 'week':
      if (rule.lastOf !== undefined) return weekday === rule.lastOf && day + 7 > last;
      if (rule.nth) return weekday === rule.nth.weekday && Math.ceil(day / 7) === rule.nth.n;
      return rule.weekdays.has(weekday);
  }
}

/** The weekday nearest `day` within its month (`15W`). */
function nearestWeekday(year: number, month: number, day: number): number {
  const wd = weekdayOf(year, month, day);
  if (wd === 7) return day === 1 ? 3 : day - 1;
  if (wd === 1) return day === daysIn(year, month) ? day - 2 : day + 1;
  return day;
}

/**
 * The first fire time strictly after `after` (epoch ms): a rate fires every period from
 * `anchor` (when the rule was scheduled); a cron on the minute, in UTC. Undefined when a cron
 * never fires again (its years are past).
 */
export function nextFireTime(schedule: Schedule, after: number, anchor: number): number | undefined {
  if (schedule.kind === 'rate') {
    const k = Math.max(1, Math.floor((after - anchor) / schedule.periodMs) + 1);
    return anchor + k * schedule.periodMs;
  }
  let t = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
  for (let guard = 0; guard < 200_000; guard++) {
    const [y, mo, d, h, mi] = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes()];
    if (y > 2199) return undefined;
    if (!schedule.years.has(y)) t = new Date(Date.UTC(y + 1, 0, 1));
    else if (!schedule.months.has(mo)) t = new Date(Date.UTC(y, mo, 1));
    else if (!dayMatches(schedule.days, y, mo, d)) t = new Date(Date.UTC(y, mo - 1, d + 1));
    else if (!schedule.hours.has(h)) t = new Date(Date.UTC(y, mo - 1, d, h + 1));
    else if (!schedule.minutes.has(mi)) t = new Date(Date.UTC(y, mo - 1, d, h, mi + 1));
    else return t.getTime();
  }
  return undefined;
}
