/**
 * Log events: PutLogEvents, GetLogEvents, FilterLogEvents (what `aws logs tail --follow` polls),
 * and StartLiveTail refused: its answer is an event stream (application/vnd.amazon.eventstream
 * frames on a long-lived response, on a `streaming-` host prefix), which the platform's codecs
 * do not speak.
 */
import * as logs from '../../logs/index.ts';
import { envOf, need, onStream, scopeOf, type LogsDeps, type LogsOperationTable } from './common.ts';
import { groupOf } from './groups.ts';

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
      handler: async () => {
        throw logs.LogsErrors.invalidOperation(
          'StartLiveTail answers with an event stream (application/vnd.amazon.eventstream), which Wharf does not serve; '
          + 'use FilterLogEvents with startTime, as `aws logs tail --follow` does.',
        );
      },
    },
  };
}
