/**
 * An alarm's chart: the metric it watches (or its metric-math queries) over the last hours with
 * its threshold drawn across, so one sees how far the data is from the line; live.
 */
import type { MetricAlarm, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { MetricDataChart } from './metric-chart.tsx';

/** The queries an alarm evaluates: its single metric and statistic, or its own Metrics list. */
function alarmQueries(a: MetricAlarm): MetricDataQuery[] {
  if (a.Metrics?.length) return a.Metrics.map((m) => ({ ...m, Period: m.Period ?? m.MetricStat?.Period }));
  const stat = a.Statistic ?? a.ExtendedStatistic ?? 'Average';
  return [{
    Id: 'm0',
    Label: `${a.MetricName} (${stat})`,
    ReturnData: true,
    MetricStat: { Metric: { Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions }, Stat: stat, Period: a.Period ?? 60, Unit: a.Unit },
  }];
}

export function AlarmChart({ alarm, minutes = 180, height = 220 }: { alarm: MetricAlarm; minutes?: number; height?: number }) {
  const threshold = alarm.Threshold === undefined ? undefined : { title: `Threshold (${alarm.ComparisonOperator ?? ''} ${alarm.Threshold})`, y: alarm.Threshold };
  return <MetricDataChart queries={alarmQueries(alarm)} minutes={minutes} height={height} testId="alarm-chart" ariaLabel={`Metric of alarm ${alarm.AlarmName}`} threshold={threshold} />;
}
