/**
 * Pure: a container's output as the awslogs driver turns it into CloudWatch Logs events. Lines
 * come from Docker with its nanosecond timestamps; a cursor says how far they were shipped (the
 * last timestamp and how many lines had exactly it), so a restarted agent resumes after the
 * last line shipped, losing none and sending none twice; `awslogs-multiline-pattern` (or
 * `awslogs-datetime-format`) joins lines into one event; batches keep PutLogEvents' limits.
 */

/** One line of a container's output. `time` is Docker's RFC 3339 timestamp, normalized to 9 fraction digits. */
export interface LogLine {
  time: string;
  message: string;
}

/** How far a container's output was shipped: every line before `time`, and `count` lines at exactly `time`. */
export interface LogCursor {
  time: string;
  count: number;
}

/** A CloudWatch Logs event with the cursor just past its last line. */
export interface PendingEvent {
  timestamp: number;
  message: string;
  cursor: LogCursor;
  /** Its size as PutLogEvents counts it (UTF-8 bytes and the overhead), once the event is complete. */
  size?: number;
}

/** PutLogEvents' limits: events and bytes per batch (each event counts 26 bytes besides its UTF-8 message), and the span it may cover. */
export const BATCH_LIMITS = { events: 10_000, bytes: 1_048_576, eventOverhead: 26, spanMs: 24 * 3600 * 1000 } as const;
/** The longest event CloudWatch Logs takes (256 KiB less the overhead); longer messages are cut, as Docker's awslogs driver splits them. */
export const MAX_EVENT_BYTES = 262_144 - BATCH_LIMITS.eventOverhead;

/** Character classes of a normalized time, `2026-12-03T17:00:00.123456789Z`: `d` a digit, anything else itself. */
const NORMALIZED = 'dddd-dd-ddTdd:dd:dd.dddddddddZ';

/** Whether `time` is normalized already (Docker's own form when no fraction digit is a trailing zero). */
function isNormalized(time: string): boolean {
  if (time.length !== NORMALIZED.length) return false;
  for (let i = 0; i < NORMALIZED.length; i++) {
    const c = time.charCodeAt(i);
    const want = NORMALIZED.charCodeAt(i);
    if (want === 100 ? c < 48 || c > 57 : c !== want) return false;
  }
  return true;
}

/** `2026-12-03T17:00:00.1234Z` → `2026-12-03T17:00:00.123400000Z`, so timestamps compare as strings. */
export function normalizeTime(time: string): string {
  if (isNormalized(time)) return time;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(time);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z` : time;
}

/** Docker's `since` for a cursor: seconds and nanoseconds since the epoch. */
export function sinceOf(cursor: LogCursor | undefined): string | undefined {
  if (!cursor) return undefined;
  const seconds = Math.floor(Date.parse(`${cursor.time.slice(0, 19)}Z`) / 1000);
  return `${seconds}.${cursor.time.slice(20, 29)}`;
}

/** Splits `<timestamp> <message>` as Docker writes it with `timestamps: true`. */
export function parseDockerLine(raw: string): LogLine | undefined {
  const space = raw.indexOf(' ');
  if (space < 20) return undefined;
  return { time: normalizeTime(raw.slice(0, space)), message: raw.slice(space + 1) };
}

/** The last second parsed (`2026-12-03T17:00:00`) and its epoch milliseconds: lines come many to a second. */
let lastSecond = '';
let lastSecondMillis = 0;

/** The line's epoch milliseconds. */
export function lineMillis(line: LogLine): number {
  const time = line.time;
  if (time.length !== NORMALIZED.length || time.charCodeAt(19) !== 46) return Date.parse(`${time.slice(0, 23)}Z`);
  if (!time.startsWith(lastSecond) || lastSecond === '') {
    lastSecond = time.slice(0, 19);
    lastSecondMillis = Date.parse(`${lastSecond}Z`);
  }
  return lastSecondMillis + (time.charCodeAt(20) - 48) * 100 + (time.charCodeAt(21) - 48) * 10 + (time.charCodeAt(22) - 48);
}

/**
 * Skips the lines `cursor` says were shipped; tracks the cursor of each line it lets through.
 * Docker's `since` includes the lines at exactly its time, so counting starts over from them.
 */
export class CursorFilter {
  private last?: LogCursor;

  constructor(private readonly from: LogCursor | undefined) {}

  /** The line's cursor, or undefined when it was shipped before. */
  next(line: LogLine): LogCursor | undefined {
    const from = this.from;
    const last = this.last;
    const count = last && last.time === line.time ? last.count + 1 : 1;
    const cursor = { time: line.time, count };
    this.last = cursor;
    if (from && (line.time < from.time || (line.time === from.time && count <= from.count))) return undefined;
    return cursor;
  }
}

/**
 * strftime-style `awslogs-datetime-format` (`%Y-%m-%d %H:%M:%S`) as the pattern a line's start
 * must match to begin a new event, as Docker's awslogs driver converts it.
 */
export function datetimeFormatPattern(format: string): RegExp {
  const parts: Record<string, string> = {
    a: '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)', A: '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)',
    b: '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)',
    B: '(?:January|February|March|April|May|June|July|August|September|October|November|December)',
    d: '(?:0[1-9]|[12]\\d|3[01])', H: '(?:[01]\\d|2[0-3])', I: '(?:0[1-9]|1[0-2])', j: '(?:\\d{3})', L: '\\.\\d{3}',
    m: '(?:0[1-9]|1[0-2])', M: '[0-5]\\d', p: '[AP]M', S: '[0-5]\\d', y: '\\d{2}', Y: '\\d{4}', z: '[+-]\\d{4}', Z: '[A-Z]{1,4}T', f: '\\d{1,9}',
  };
  let out = '^';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c === '%' && i + 1 < format.length) {
      const d = format[++i]!;
      out += parts[d] ?? (d === '%' ? '%' : escapeRegExp(`%${d}`));
    } else out += escapeRegExp(c);
  }
  return new RegExp(out);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Lines to events. Without a start pattern each line is an event; with one, a line matching it
 * starts an event and the others join the open one (`\n` between). `take` gives the events that
 * are complete, `flush` also the open one.
 */
export class EventAssembler {
  private open?: PendingEvent;
  private ready: PendingEvent[] = [];

  constructor(private readonly start?: RegExp) {}

  add(line: LogLine, cursor: LogCursor): void {
    const message = cut(line.message);
    if (!this.start) {
      this.ready.push({ timestamp: lineMillis(line), message, cursor, size: eventSize(message) });
      return;
    }
    if (this.start.test(line.message) || !this.open) {
      this.closeOpen();
      this.open = { timestamp: lineMillis(line), message, cursor };
      return;
    }
    this.open.message = cut(`${this.open.message}\n${line.message}`);
    this.open.cursor = cursor;
  }

  take(): PendingEvent[] {
    const out = this.ready;
    this.ready = [];
    return out;
  }

  /** Closes the open event too (no more lines for a while, or the output ended). */
  flush(): PendingEvent[] {
    this.closeOpen();
    return this.take();
  }

  private closeOpen(): void {
    if (this.open) {
      this.open.size = eventSize(this.open.message);
      this.ready.push(this.open);
    }
    this.open = undefined;
  }
}

/** The size PutLogEvents counts for an event with this message. */
export const eventSize = (message: string): number => Buffer.byteLength(message) + BATCH_LIMITS.eventOverhead;

function cut(message: string): string {
  // A UTF-16 unit is at most 3 bytes of UTF-8: most messages are short enough not to be measured.
  if (message.length * 3 <= MAX_EVENT_BYTES || Buffer.byteLength(message) <= MAX_EVENT_BYTES) return message;
  return Buffer.from(message).subarray(0, MAX_EVENT_BYTES).toString('utf8').replace(/\uFFFD$/, '');
}

/** How many of `events`, from `start`, make the next PutLogEvents batch: as many as fit its limits of count, bytes and span. */
export function batchLength(events: readonly PendingEvent[], start = 0): number {
  const first = events[start];
  if (!first) return 0;
  let bytes = 0;
  let i = start;
  for (; i < events.length && i - start < BATCH_LIMITS.events; i++) {
    const e = events[i]!;
    const size = e.size ?? eventSize(e.message);
    if (i > start && (bytes + size > BATCH_LIMITS.bytes || e.timestamp - first.timestamp > BATCH_LIMITS.spanMs)) break;
    bytes += size;
  }
  return i - start;
}

/** The events as PutLogEvents batches, in order: each within the limits of count, bytes and span. */
export function batches(events: readonly PendingEvent[]): PendingEvent[][] {
  const out: PendingEvent[][] = [];
  for (let at = 0; at < events.length;) {
    const n = batchLength(events, at);
    out.push(events.slice(at, at + n));
    at += n;
  }
  return out;
}
