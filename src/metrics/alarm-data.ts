/**
 * The datapoints an alarm is evaluated on: its metric's statistic per period, or the values of
 * its metric-math query that returns data, over enough periods back to cover its window.
 */
import type { Store } from '../state/index.ts';
import type { Datapoint } from './evaluate.ts';
import { runQueries } from './metric-data.ts';
import { readSeries, statisticSeries } from './query.ts';
import type { AlarmRecord, Scope } from './records.ts';

/** The period the alarm is evaluated at, in seconds. */
export function alarmPeriod(alarm: AlarmRecord): number {
  if (alarm.period !== undefined) return alarm.period;
  const returning = alarm.metrics?.find((q) => q.returnData !== false) ?? alarm.metrics?.[0];
  return returning?.period ?? returning?.metricStat?.period ?? alarm.metrics?.find((q) => q.metricStat)?.metricStat?.period ?? 60;
}

/** The alarm's datapoints over its evaluation window before `now`. */
export async function alarmDatapoints(store: Store, scope: Scope, alarm: AlarmRecord, now: number): Promise<Datapoint[]> {
  const periodMs = alarmPeriod(alarm) * 1000;
  const end = Math.floor(now / periodMs) * periodMs;
  const start = end - alarm.evaluationPeriods * periodMs;
  const toPoints = (s: { timestamps: number[]; values: number[] }) => s.timestamps.map((timestamp, k) => ({ timestamp, value: s.values[k]! }));
  if (alarm.metric) {
    const bins = await readSeries(store, scope, alarm.metric, { start, end, period: periodMs / 1000, unit: alarm.unit });
    return toPoints(statisticSeries(bins, alarm.extendedStatistic ?? alarm.statistic ?? 'Average'));
  }
  const results = await runQueries(store, scope, alarm.metrics ?? [], start, end);
  return results[0] ? toPoints(results[0]) : [];
}
