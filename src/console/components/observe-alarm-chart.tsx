/**
 * An alarm's chart: the metric it watches (or its metric-math queries) over the last hours with
 * its threshold drawn across, so one sees how far the data is from the line; live.
 */
import { CloudWatchClient, GetMetricDataCommand, type MetricAlarm, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import Box from '@cloudscape-design/components/box';
import LineChart, { type LineChartProps } from '@cloudscape-design/components/line-chart';
import { client } from '../clients.ts';
import { useLive } from '../live.ts';
import { ApiError } from './api-error.tsx';

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
  const queries = alarmQueries(alarm);
  const key = JSON.stringify(queries) + minutes;
  const result = useLive(async () => {
    const end = new Date();
    const start = new Date(end.getTime() - minutes * 60_000);
    const out = await client(CloudWatchClient).send(new GetMetricDataCommand({ StartTime: start, EndTime: end, MetricDataQueries: queries, ScanBy: 'TimestampAscending' }));
    return { start, end, results: out.MetricDataResults ?? [] };
  }, ['metrics/data', 'metrics/history'], [key]);
  if (result.error) return <ApiError error={result.error} />;
  const series: Array<LineChartProps<Date>['series'][number]> = (result.data?.results ?? []).map((r) => ({
    title: r.Label ?? r.Id ?? '',
    type: 'line' as const,
    data: (r.Timestamps ?? []).map((t, i) => ({ x: new Date(t), y: r.Values?.[i] ?? 0 })).sort((a, b) => a.x.getTime() - b.x.getTime()),
  }));
  if (alarm.Threshold !== undefined && series.length) series.push({ title: `Threshold (${alarm.ComparisonOperator ?? ''} ${alarm.Threshold})`, type: 'threshold', y: alarm.Threshold });
  return (
    <div data-testid="alarm-chart">
      <LineChart
        series={series}
        xDomain={result.data ? [result.data.start, result.data.end] : undefined}
        xScaleType="time"
        height={height}
        hideFilter
        statusType={result.loading && !result.data ? 'loading' : 'finished'}
        ariaLabel={`Metric of alarm ${alarm.AlarmName}`}
        empty={<Box textAlign="center" color="inherit">No data points in the last {minutes / 60} hours</Box>}
        i18nStrings={{ xTickFormatter: (d) => d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false }) }}
      />
    </div>
  );
}
