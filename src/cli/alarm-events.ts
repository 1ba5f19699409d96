/**
 * CloudWatch's "CloudWatch Alarm State Change" events on EventBridge's default bus, shaped as
 * CloudWatch sends them: the alarm's name, its previous and new state (value, reason, reason
 * data, a `+0000` timestamp) and its configuration, the alarm's ARN in `resources`.
 */
import type { Ids } from '../common/index.ts';
import { DEFAULT_BUS, enqueueMatches } from '../events/index.ts';
import type { AlarmRecord, AlarmStateChange } from '../metrics/index.ts';
import { transact, type Store } from '../state/index.ts';

/** CloudWatch's timestamp in its events: `2026-12-03T17:20:48.551+0000`. */
const stamp = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

function stateOf(alarm: AlarmRecord): Record<string, unknown> {
  return { value: alarm.state, reason: alarm.stateReason, ...(alarm.stateReasonData && { reasonData: alarm.stateReasonData }), timestamp: stamp(alarm.stateUpdatedAt) };
}

/** The single-metric alarm's metric as the event's configuration lists it. */
function configurationOf(alarm: AlarmRecord): Record<string, unknown> {
  const metrics = alarm.metric ? [{
    id: 'm1', returnData: true,
    metricStat: {
      metric: { namespace: alarm.metric.namespace, name: alarm.metric.metricName, dimensions: Object.fromEntries(alarm.metric.dimensions.map((d) => [d.name, d.value])) },
      period: alarm.period, stat: alarm.statistic ?? alarm.extendedStatistic,
    },
  }] : (alarm.metrics ?? []).map((q) => ({ id: q.id, returnData: q.returnData !== false, ...(q.expression && { expression: q.expression }) }));
  return { ...(alarm.description && { description: alarm.description }), metrics };
}

/** Queues the event of `change` for the default bus's matching rules. */
export function alarmStateEvents(
  store: Store, ids: Ids, now: () => number, log: (message: string) => void,
): (scope: { account: string; region: string }, change: AlarmStateChange) => void {
  return (scope, change) => {
    const at = now();
    const event = {
      version: '0', id: ids.uuid(), 'detail-type': 'CloudWatch Alarm State Change', source: 'aws.cloudwatch', account: scope.account,
      time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'), region: scope.region, resources: [change.next.arn],
      detail: { alarmName: change.next.name, state: stateOf(change.next), previousState: stateOf(change.previous), configuration: configurationOf(change.next) },
    };
    transact(store, (tx) => enqueueMatches(tx, ids, scope, DEFAULT_BUS, event, at)).catch((error: unknown) => log(`alarm event for ${change.next.name}: ${String(error)}`));
  };
}
