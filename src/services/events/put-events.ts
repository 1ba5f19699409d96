/**
 * PutEvents and TestEventPattern. PutEvents is authorized on each entry's bus; an entry that
 * cannot be an event is a failed entry (ErrorCode, ErrorMessage) and the others are accepted.
 */
import * as events from '../../events/index.ts';
import { envOf, need, scopeOf, type EventsDeps, type EventsOperationTable } from './common.ts';

/** The events operations. */
export function eventOperations(deps: EventsDeps): EventsOperationTable {
  const env = envOf(deps);
  return {
    PutEvents: {
      authorization: {
        resources: (i, ctx) => [...new Set((i.Entries ?? []).map((e) => events.busArn(scopeOf(ctx), events.busNameOf(e.EventBusName))))],
        conditions: (i) => ({ 'events:source': (i.Entries ?? []).map((e) => e.Source ?? ''), 'events:detail-type': (i.Entries ?? []).map((e) => e.DetailType ?? '') }),
      },
      handler: async (i, ctx) => {
        const results = await events.putEvents(env, scopeOf(ctx), need(i.Entries, 'entries').map((e) => ({
          source: e.Source, detailType: e.DetailType, detail: e.Detail, resources: e.Resources, time: e.Time?.getTime(), eventBusName: e.EventBusName, traceHeader: e.TraceHeader,
        })));
        return {
          FailedEntryCount: results.filter((r) => 'errorCode' in r).length,
          Entries: results.map((r) => ('eventId' in r ? { EventId: r.eventId } : { ErrorCode: r.errorCode, ErrorMessage: r.errorMessage })),
        };
      },
    },
    TestEventPattern: {
      handler: async (i) => {
        events.checkPattern(need(i.EventPattern, 'eventPattern'));
        let event: unknown;
        try {
          event = JSON.parse(need(i.Event, 'event'));
        } catch {
          throw events.EventsErrors.validation('Parameter Event is not valid.');
        }
        const e = event as Record<string, unknown>;
        // AWS requires the envelope's own fields of the event tested.
        for (const field of ['id', 'account', 'source', 'time', 'region', 'detail-type']) {
          if (typeof e !== 'object' || e === null || e[field] === undefined) throw events.EventsErrors.validation('Parameter Event is not valid.');
        }
        return { Result: events.matchesPattern(events.parsePattern(i.EventPattern!), event) };
      },
    },
  };
}
