/**
 * StartLiveTail's sessions: every update period (a second, as AWS sends its updates) a session
 * reads each matching stream of its groups forward from where it last stopped, in the event
 * store's segments, keeps the events its filter pattern matches, and yields them as one update
 * (sampled down to 500 events when more came, as AWS does). Reading the segments rather than
 * listening to this process's appends is what lets a session on one replica see the events
 * appended through every other replica sharing the logs directory, at the cost of a few file
 * system calls per stream per second. A session ends with SessionTimeoutException after three
 * hours (`sessionMs`), or quietly when its caller goes away (the signal).
 */
import { getDoc, listDocs } from '../state/index.ts';
import { LogsErrors } from './errors.ts';
import type { Position } from './event-store.ts';
import { compileFilterPattern, FilterPatternError, type Matcher } from './filter-pattern.ts';
import type { LogsEnv } from './groups.ts';
import { keys, type LogStreamRecord, type Scope } from './records.ts';

/** Timers the sessions run on (the wall clock's in the control plane; a virtual clock's in tests). */
export interface LiveTailTimers {
  /** Calls `fn` once, `ms` from now; returns the function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** How sessions run: their timers, their cap (AWS's: three hours) and how often they send an update. */
export interface LiveTailSettings {
  timers: LiveTailTimers;
  sessionMs?: number;
  updateMs?: number;
}

/** What StartLiveTail asks for, its group identifiers resolved to names. */
export interface LiveTailRequest {
  groups: { identifier: string; name: string }[];
  streamNames?: string[];
  streamNamePrefixes?: string[];
  filterPattern?: string;
}

/** One event of an update. */
export interface LiveTailEvent {
  logStreamName: string;
  logGroupIdentifier: string;
  message: string;
  timestamp: number;
  ingestionTime: number;
}

/** One update: the events that arrived since the last one, and whether they were sampled. */
export interface LiveTailUpdate {
  sampled: boolean;
  events: LiveTailEvent[];
}

/** AWS's limits: groups per session, events per update. */
export const MAX_LIVE_TAIL_GROUPS = 10;
const MAX_UPDATE_EVENTS = 500;
/** Events read from one stream per update at most; the rest are read by the next ones. */
const READ_PER_STREAM = 10_000;
const THREE_HOURS = 3 * 3_600_000;

/**
 * Checks the request (AWS's rules; groups that exist) and returns the session: an iterable of
 * updates from now on. Throws before the session starts for a request AWS refuses.
 */
export async function startLiveTail(
  env: LogsEnv, scope: Scope, req: LiveTailRequest, settings: LiveTailSettings, signal?: AbortSignal,
): Promise<AsyncIterable<LiveTailUpdate>> {
  if (req.groups.length === 0 || req.groups.length > MAX_LIVE_TAIL_GROUPS) {
    throw LogsErrors.invalidParameter(`logGroupIdentifiers must name from 1 to ${MAX_LIVE_TAIL_GROUPS} log groups.`);
  }
  if (req.streamNames !== undefined && req.streamNamePrefixes !== undefined) {
    throw LogsErrors.invalidParameter('logStreamNames and logStreamNamePrefixes are mutually exclusive.');
  }
  if ((req.streamNames !== undefined || req.streamNamePrefixes !== undefined) && req.groups.length !== 1) {
    throw LogsErrors.invalidParameter('logStreamNames or logStreamNamePrefixes can be given with one log group only.');
  }
  let match: Matcher;
  try {
    match = compileFilterPattern(req.filterPattern ?? '');
  } catch (error) {
    if (error instanceof FilterPatternError) throw LogsErrors.invalidFilterPattern();
    throw error;
  }
  for (const g of req.groups) if (!(await getDoc(env.store, keys.group(scope, g.name)))) throw LogsErrors.groupNotFound();
  const wanted = (stream: string) => (req.streamNames === undefined || req.streamNames.includes(stream))
    && (req.streamNamePrefixes === undefined || req.streamNamePrefixes.some((p) => stream.startsWith(p)));
  // Where each stream is read from: its end now; a stream created later, from its head.
  const positions = new Map<string, Position>();
  const at = (group: string, stream: string) => JSON.stringify([group, stream]);
  const streamsOf = async (group: string) => (await listDocs<LogStreamRecord>(env.store, keys.streams(scope, group))).map((d) => d.value.name).filter(wanted);
  for (const g of req.groups) {
    for (const stream of await streamsOf(g.name)) {
      const { next } = await env.events.read({ ...scope, group: g.name, stream }, { direction: 'forward', from: 'tail', limit: 1 });
      positions.set(at(g.name, stream), next);
    }
  }

  const collect = async (): Promise<LiveTailUpdate> => {
    const found: LiveTailEvent[] = [];
    for (const g of req.groups) {
      for (const stream of await streamsOf(g.name)) {
        const from = positions.get(at(g.name, stream)) ?? 'head';
        const { events, next } = await env.events.read({ ...scope, group: g.name, stream }, {
          direction: 'forward', from, limit: READ_PER_STREAM, maxBytes: Number.POSITIVE_INFINITY,
        });
        positions.set(at(g.name, stream), next);
        for (const e of events) {
          if (match(e.message)) {
            found.push({ logStreamName: stream, logGroupIdentifier: g.identifier, message: e.message, timestamp: e.timestamp, ingestionTime: e.ingestionTime });
          }
        }
      }
    }
    found.sort((a, b) => a.ingestionTime - b.ingestionTime || a.timestamp - b.timestamp);
    return found.length <= MAX_UPDATE_EVENTS
      ? { sampled: false, events: found }
      : { sampled: true, events: Array.from({ length: MAX_UPDATE_EVENTS }, (_, i) => found[Math.floor((i * found.length) / MAX_UPDATE_EVENTS)]!) };
  };
  return session(collect, settings, signal);
}

/** The session's updates, one per period, until it times out or its caller leaves. */
async function* session(collect: () => Promise<LiveTailUpdate>, settings: LiveTailSettings, signal?: AbortSignal): AsyncGenerator<LiveTailUpdate> {
  const { timers } = settings;
  let timedOut = false;
  let wake: (() => void) | undefined;
  const cancelDeadline = timers.after(settings.sessionMs ?? THREE_HOURS, () => {
    timedOut = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      await new Promise<void>((resolve) => {
        const cancel = timers.after(settings.updateMs ?? 1000, resolve);
        wake = () => {
          cancel();
          resolve();
        };
        if (timedOut || signal?.aborted) wake();
      });
      wake = undefined;
      if (signal?.aborted) return;
      if (timedOut) throw LogsErrors.sessionTimeout();
      let update: LiveTailUpdate;
      try {
        update = await collect();
      } catch (error) {
        throw LogsErrors.sessionStreaming(error instanceof Error ? error.message : String(error));
      }
      yield update;
    }
  } finally {
    cancelDeadline();
    signal?.removeEventListener('abort', onAbort);
  }
}
