/**
 * Log events: PutLogEvents, GetLogEvents, FilterLogEvents (what `aws logs tail --follow` polls),
 * and StartLiveTail: an event stream (application/vnd.amazon.eventstream, which the platform
 * writes) of a `sessionStart`, then a `sessionUpdate` a second with the events that arrived.
 * The SDKs call it on a `stream-` host prefix: a client of Wharf at an address passes
 * `disableHostPrefix: true`.
 */
import type { LiveTailSessionStart, StartLiveTailRequest, StartLiveTailResponseStream } from '@aws-sdk/client-cloudwatch-logs';
import * as logs from '../../logs/index.ts';
import { envOf, groupOfArn, need, onStream, scopeOf, type LogsDeps, type LogsOperationTable } from './common.ts';
import { groupOf } from './groups.ts';

/** Node's timers, unref'd: a session's pending update never keeps the process alive. */
const nodeTimers: logs.LiveTailTimers = {
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** The session's stream as the SDK types it: its start, then its updates. */
async function* liveTailStream(start: LiveTailSessionStart, updates: AsyncIterable<logs.LiveTailUpdate>): AsyncGenerator<StartLiveTailResponseStream> {
  yield { sessionStart: start };
  for await (const u of updates) yield { sessionUpdate: { sessionMetadata: { sampled: u.sampled }, sessionResults: u.events } };
}

/** The request's group identifiers (names or ARNs) and the names they resolve to. */
const liveTailGroups = (i: Partial<StartLiveTailRequest>, ctx: Parameters<typeof groupOfArn>[1]) =>
  (i.logGroupIdentifiers ?? []).map((identifier) => ({ identifier, name: identifier.startsWith('arn:') ? groupOfArn(identifier, ctx) : identifier }));

/** The log event operations. */
export function eventOperations(deps: LogsDeps): LogsOperationTable {
  const env = envOf(deps);
  return {
    PutLogEvents: {
      authorization: { resources: onStream },
      handler: async (i, ctx) => {
        // Sequence tokens are accepted and ignored, as AWS now does.
        const { nextSequenceToken, rejected } = await logs.putLogEvents(
          env, scopeOf(ctx), need(i.logGroupName, 'logGroupName'), need(i.logStreamName, 'logStreamName'),
          need(i.logEvents, 'logEvents').map((e) => ({ timestamp: e.timestamp ?? 0, message: e.message ?? '' })),
        );
        return { nextSequenceToken, ...(Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {}) };
      },
    },
    GetLogEvents: {
      authorization: {
        resources: (i, ctx) => {
          try {
            return onStream({ logGroupName: groupOf(i, ctx), logStreamName: i.logStreamName }, ctx);
          } catch {
            return ['*'];
          }
        },
      },
      handler: async (i, ctx) => {
        const page = await logs.getLogEvents(env, scopeOf(ctx), {
          group: groupOf(i, ctx), stream: need(i.logStreamName, 'logStreamName'), startTime: i.startTime, endTime: i.endTime,
          startFromHead: i.startFromHead, nextToken: i.nextToken, limit: i.limit,
        });
        return {
          events: page.events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
          nextForwardToken: page.nextForwardToken, nextBackwardToken: page.nextBackwardToken,
        };
      },
    },
    FilterLogEvents: {
      authorization: {
        resources: (i, ctx) => {
          try {
            return [logs.groupArn(scopeOf(ctx), groupOf(i, ctx))];
          } catch {
            return ['*'];
          }
        },
      },
      handler: async (i, ctx) => {
        if (i.interleaved === false) throw logs.LogsErrors.invalidParameter('Events are always interleaved: interleaved=false is not supported.');
        const page = await logs.filterLogEvents(env, scopeOf(ctx), {
          group: groupOf(i, ctx), streamNames: i.logStreamNames, streamNamePrefix: i.logStreamNamePrefix, startTime: i.startTime, endTime: i.endTime,
          filterPattern: i.filterPattern, limit: i.limit, nextToken: i.nextToken,
        });
        return {
          events: page.events.map((e) => ({ logStreamName: e.logStreamName, timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime, eventId: e.eventId })),
          searchedLogStreams: [],
          ...(page.nextToken ? { nextToken: page.nextToken } : {}),
        };
      },
    },
    StartLiveTail: {
      authorization: {
        resources: (i, ctx) => {
          try {
            const groups = liveTailGroups(i, ctx);
            return groups.length > 0 ? groups.map((g) => logs.groupArn(scopeOf(ctx), g.name)) : ['*'];
          } catch {
            return ['*'];
          }
        },
      },
      handler: async (i, ctx) => {
        need(i.logGroupIdentifiers, 'logGroupIdentifiers');
        const request: logs.LiveTailRequest = {
          groups: liveTailGroups(i, ctx), streamNames: i.logStreamNames, streamNamePrefixes: i.logStreamNamePrefixes, filterPattern: i.logEventFilterPattern,
        };
        const updates = await logs.startLiveTail(env, scopeOf(ctx), request, deps.liveTail ?? { timers: nodeTimers }, ctx.signal);
        const start: LiveTailSessionStart = {
          requestId: ctx.requestId, sessionId: deps.ids.uuid(), logGroupIdentifiers: i.logGroupIdentifiers,
          ...(i.logStreamNames !== undefined ? { logStreamNames: i.logStreamNames } : {}),
          ...(i.logStreamNamePrefixes !== undefined ? { logStreamNamePrefixes: i.logStreamNamePrefixes } : {}),
          ...(i.logEventFilterPattern !== undefined ? { logEventFilterPattern: i.logEventFilterPattern } : {}),
        };
        return { responseStream: liveTailStream(start, updates) };
      },
    },
  };
}
