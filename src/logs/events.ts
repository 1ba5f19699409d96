/**
 * Log events: PutLogEvents' rules (AWS's batch limits, chronological order, the 24-hour span,
 * too-old, expired and too-new events reported, not stored), GetLogEvents' forward and backward
 * tokens (the same token back when there is nothing new), and FilterLogEvents across a group's
 * streams with a filter pattern. Events go to the event store; the stream's record (first and
 * last event time, last ingestion, stored bytes, sequence token) to the key-value store.
 */
import { crc32 } from 'node:zlib';
import { getDoc, listDocs, transact } from '../state/index.ts';
import { LogsErrors } from './errors.ts';
import type { Position, ReadEvent, StreamRef } from './event-store.ts';
import { compileFilterPattern, FilterPatternError } from './filter-pattern.ts';
import { sequenceToken, type LogsEnv } from './groups.ts';
import { metricFilterData } from './metric-filters.ts';
import { keys, type LogGroupRecord, type LogStreamRecord, type MetricFilterRecord, type Scope } from './records.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** AWS's batch limits: events, bytes (messages in UTF-8 plus 26 per event). */
export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
export const EVENT_OVERHEAD = 26;

/** An event as PutLogEvents takes it. */
export interface InputEvent {
  timestamp: number;
  message: string;
}

/** Which events of a batch were not stored, by AWS's indexes (end indexes exclusive, start inclusive). */
export interface RejectedEvents {
  tooOldLogEventEndIndex?: number;
  tooNewLogEventStartIndex?: number;
  expiredLogEventEndIndex?: number;
}

/**
 * Checks a batch against AWS's rules and splits off what it rejects: a pure function of the
 * batch, the time and the group's retention.
 */
export function acceptBatch(events: readonly InputEvent[], now: number, retentionInDays?: number): { accepted: InputEvent[]; rejected: RejectedEvents } {
  if (events.length > MAX_BATCH_EVENTS) throw LogsErrors.invalidParameter(`Too many log events in the batch: ${events.length} exceeds the limit of ${MAX_BATCH_EVENTS}.`);
  const bytes = events.reduce((sum, e) => sum + Buffer.byteLength(e.message, 'utf8') + EVENT_OVERHEAD, 0);
  if (bytes > MAX_BATCH_BYTES) throw LogsErrors.invalidParameter(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.timestamp < events[i - 1]!.timestamp) throw LogsErrors.invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
  }
  const tooOld = events.filter((e) => e.timestamp < now - 14 * DAY).length;
  const expired = retentionInDays === undefined ? 0 : events.filter((e) => e.timestamp < now - retentionInDays * DAY).length;
  const firstNew = events.findIndex((e) => e.timestamp > now + 2 * HOUR);
  const tooNew = firstNew < 0 ? events.length : firstNew;
  const accepted = events.slice(Math.max(tooOld, expired), Math.max(tooNew, Math.max(tooOld, expired)));
  if (accepted.length > 0 && accepted.at(-1)!.timestamp - accepted[0]!.timestamp > DAY) {
    throw LogsErrors.invalidParameter('Log events in a single PutLogEvents request cannot span more than 24 hours.');
  }
  return {
    accepted,
    rejected: {
      ...(tooOld > 0 ? { tooOldLogEventEndIndex: tooOld } : {}),
      ...(firstNew >= 0 ? { tooNewLogEventStartIndex: firstNew } : {}),
      ...(expired > 0 ? { expiredLogEventEndIndex: expired } : {}),
    },
  };
}

/** PutLogEvents: the accepted events on disk, then the stream's record updated, then the group's metric filters' data published. */
export async function putLogEvents(
  env: LogsEnv, scope: Scope, group: string, stream: string, events: readonly InputEvent[],
): Promise<{ nextSequenceToken: string; rejected: RejectedEvents }> {
  const groupRecord = (await getDoc<LogGroupRecord>(env.store, keys.group(scope, group)))?.value;
  if (!groupRecord) throw LogsErrors.groupNotFound();
  if (!(await getDoc(env.store, keys.stream(scope, group, stream)))) throw LogsErrors.streamNotFound();
  const now = env.clock.now();
  const { accepted, rejected } = acceptBatch(events, now, groupRecord.retentionInDays);
  await env.events.append({ ...scope, group, stream }, accepted.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: now })));
  const bytes = accepted.reduce((sum, e) => sum + Buffer.byteLength(e.message, 'utf8') + EVENT_OVERHEAD, 0);
  const updated = await transact(env.store, async (tx) => {
    const record = await tx.get<LogStreamRecord>(keys.stream(scope, group, stream));
    if (!record) throw LogsErrors.streamNotFound();
    const count = Number(record.uploadSequenceToken) + 1;
    const next: LogStreamRecord = { ...record, uploadSequenceToken: sequenceToken(count), storedBytes: record.storedBytes + bytes };
    if (accepted.length > 0) {
      next.firstEventTimestamp = Math.min(record.firstEventTimestamp ?? Infinity, accepted[0]!.timestamp);
      next.lastEventTimestamp = Math.max(record.lastEventTimestamp ?? -Infinity, accepted.at(-1)!.timestamp);
      next.lastIngestionTime = now;
    }
    tx.put(keys.stream(scope, group, stream), next);
    return next;
  });
  if (env.metricData && accepted.length > 0) {
    const filters = (await listDocs<MetricFilterRecord>(env.store, keys.metricFilters(scope, group))).map((d) => d.value);
    const data = metricFilterData(filters, accepted);
    if (data.length > 0) await env.metricData(scope, data);
  }
  return { nextSequenceToken: updated.uploadSequenceToken, rejected };
}

const TOKEN = /^([fb])\/(\d{10})(\d{16})$/;
const token = (direction: 'f' | 'b', p: Position) => `${direction}/${String(p.segment).padStart(10, '0')}${String(p.offset).padStart(16, '0')}`;

function parseToken(text: string): { direction: 'forward' | 'backward'; at: Position } {
  const m = TOKEN.exec(text);
  if (!m) throw LogsErrors.invalidNextToken();
  return { direction: m[1] === 'f' ? 'forward' : 'backward', at: { segment: Number(m[2]), offset: Number(m[3]) } };
}

/** What GetLogEvents asks for. */
export interface GetLogEventsRequest {
  group: string;
  stream: string;
  startTime?: number;
  endTime?: number;
  startFromHead?: boolean;
  nextToken?: string;
  limit?: number;
}

/** GetLogEvents: a page of one stream's events and the tokens to read on in either direction. */
export async function getLogEvents(env: LogsEnv, scope: Scope, req: GetLogEventsRequest): Promise<{ events: ReadEvent[]; nextForwardToken: string; nextBackwardToken: string }> {
  if (!(await getDoc(env.store, keys.group(scope, req.group)))) throw LogsErrors.groupNotFound();
  if (!(await getDoc(env.store, keys.stream(scope, req.group, req.stream)))) throw LogsErrors.streamNotFound();
  const ref: StreamRef = { ...scope, group: req.group, stream: req.stream };
  const parsed = req.nextToken !== undefined ? parseToken(req.nextToken) : undefined;
  const direction = parsed?.direction ?? (req.startFromHead ? 'forward' : 'backward');
  const from = parsed?.at ?? (direction === 'forward' ? 'head' : 'tail');
  const { events, next } = await env.events.read(ref, { startTime: req.startTime, endTime: req.endTime, direction, from, limit: req.limit ?? 10_000 });
  const first = events[0];
  const last = events.at(-1);
  if (direction === 'forward') {
    return {
      events,
      // Nothing new: the same token back, so a reader polling forward knows it is at the end.
      nextForwardToken: last ? token('f', next) : req.nextToken ?? token('f', next),
      nextBackwardToken: token('b', first?.at ?? (typeof from === 'object' ? from : next)),
    };
  }
  return {
    events,
    nextBackwardToken: first ? token('b', first.at) : req.nextToken ?? token('b', next),
    nextForwardToken: token('f', last?.after ?? next),
  };
}

/** What FilterLogEvents asks for. */
export interface FilterLogEventsRequest {
  group: string;
  streamNames?: string[];
  streamNamePrefix?: string;
  startTime?: number;
  endTime?: number;
  filterPattern?: string;
  limit?: number;
  nextToken?: string;
}

/** An event FilterLogEvents found: its stream and an id unique in the group. */
export interface FilteredEvent extends ReadEvent {
  logStreamName: string;
  eventId: string;
}

/** How many events of one stream a FilterLogEvents call looks at, at most. */
const SCAN_LIMIT = 100_000;

/** FilterLogEvents: matching events of the group's streams, by timestamp, a page at a time. */
export async function filterLogEvents(env: LogsEnv, scope: Scope, req: FilterLogEventsRequest): Promise<{ events: FilteredEvent[]; nextToken?: string }> {
  if (req.streamNames !== undefined && req.streamNamePrefix !== undefined) {
    throw LogsErrors.invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive.');
  }
  let match: (message: string) => boolean;
  try {
    match = compileFilterPattern(req.filterPattern ?? '');
  } catch (error) {
    if (error instanceof FilterPatternError) throw LogsErrors.invalidFilterPattern();
    throw error;
  }
  if (!(await getDoc(env.store, keys.group(scope, req.group)))) throw LogsErrors.groupNotFound();
  const after = req.nextToken !== undefined ? decodeFilterToken(req.nextToken) : undefined;
  const streams = (await listDocs<LogStreamRecord>(env.store, keys.streams(scope, req.group) + (req.streamNamePrefix ?? ''))).map((d) => d.value)
    .filter((s) => req.streamNames === undefined || req.streamNames.includes(s.name));
  const found: FilteredEvent[] = [];
  for (const s of streams) {
    const { events } = await env.events.read({ ...scope, group: req.group, stream: s.name }, {
      startTime: req.startTime, endTime: req.endTime, direction: 'forward', from: 'head', limit: SCAN_LIMIT, maxBytes: Number.POSITIVE_INFINITY,
    });
    for (const e of events) if (match(e.message)) found.push({ ...e, logStreamName: s.name, eventId: eventId(s.name, e.at) });
  }
  found.sort(byOrder);
  const start = after === undefined ? 0 : found.findIndex((e) => byOrder(e, after) > 0);
  const rest = start < 0 ? [] : found.slice(start);
  // A page holds up to `limit` events (10,000 by default) and 1 MiB of messages, as AWS's do.
  const page: FilteredEvent[] = [];
  let bytes = 0;
  for (const e of rest) {
    bytes += Buffer.byteLength(e.message, 'utf8') + EVENT_OVERHEAD;
    if (page.length >= (req.limit ?? 10_000) || (bytes > MAX_BATCH_BYTES && page.length > 0)) break;
    page.push(e);
  }
  return { events: page, ...(rest.length > page.length ? { nextToken: encodeFilterToken(page.at(-1)!) } : {}) };
}

type OrderKey = Pick<FilteredEvent, 'timestamp' | 'logStreamName' | 'at'>;

function byOrder(a: OrderKey, b: OrderKey): number {
  return a.timestamp - b.timestamp || (a.logStreamName < b.logStreamName ? -1 : a.logStreamName > b.logStreamName ? 1 : 0)
    || a.at.segment - b.at.segment || a.at.offset - b.at.offset;
}

/** Digits, as AWS's event ids are: the stream's checksum, the segment and the offset. */
function eventId(stream: string, at: Position): string {
  return `${String(crc32(stream)).padStart(10, '0')}${String(at.segment).padStart(10, '0')}${String(at.offset).padStart(16, '0')}`;
}

function encodeFilterToken(e: OrderKey): string {
  return Buffer.from(JSON.stringify([e.timestamp, e.logStreamName, e.at.segment, e.at.offset])).toString('base64url');
}

function decodeFilterToken(text: string): OrderKey {
  try {
    const [timestamp, logStreamName, segment, offset] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof timestamp === 'number' && typeof logStreamName === 'string' && typeof segment === 'number' && typeof offset === 'number') {
      return { timestamp, logStreamName, at: { segment, offset } };
    }
  } catch {
    // Falls through to the error.
  }
  throw LogsErrors.invalidNextToken();
}
