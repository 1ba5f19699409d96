/**
 * A CloudWatch chart: GetMetricData over the last `minutes` for each query (a metric and a
 * statistic, or a metric-math expression), drawn with Cloudscape's LineChart, redrawn as data
 * points arrive.
 */
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery, type MetricStat } from '@aws-sdk/client-cloudwatch';
import Box from '@cloudscape-design/components/box';
import LineChart, { type LineChartProps } from '@cloudscape-design/components/line-chart';
import { client } from '../clients.ts';
import { useLive } from '../live.ts';
import { ApiError } from './api-error.tsx';

export interface ChartQuery {
  id: string;
  label: string;
  metric?: MetricStat['Metric'];
  stat?: string;
  expression?: string;
  /** Drawn (false: used only by expressions). */
  returnData?: boolean;
}

export interface MetricChartProps {
  queries: ChartQuery[];
  minutes?: number;
  period?: number;
  height?: number;
  yTitle?: string;
  testId?: string;
}

export function MetricChart({ queries, minutes = 60, period = 60, height = 200, yTitle, testId }: MetricChartProps) {
  const dataQueries: MetricDataQuery[] = queries.map((q) => ({
    Id: q.id,
    Label: q.label,
    ReturnData: q.returnData ?? true,
    ...(q.expression ? { Expression: q.expression, Period: period } : { MetricStat: { Metric: q.metric, Stat: q.stat ?? 'Average', Period: period } }),
  }));
  return <MetricDataChart queries={dataQueries} minutes={minutes} height={height} yTitle={yTitle} testId={testId} ariaLabel={queries.map((q) => q.label).join(', ')} />;
}

/** GetMetricData's own queries charted (an alarm's, as it evaluates them), with a threshold line when given. */
export function MetricDataChart({ queries, minutes, height, yTitle, testId, ariaLabel, threshold }: {
  queries: MetricDataQuery[]; minutes: number; height: number; yTitle?: string; testId?: string; ariaLabel: string; threshold?: { title: string; y: number };
}) {
  const key = JSON.stringify(queries) + minutes;
  const result = useLive(async () => {
    const end = new Date();
    const start = new Date(end.getTime() - minutes * 60_000);
    const out = await client(CloudWatchClient).send(new GetMetricDataCommand({ StartTime: start, EndTime: end, MetricDataQueries: queries, ScanBy: 'TimestampAscending' }));
    return { start, end, results: out.MetricDataResults ?? [] };
  }, ['metrics/'], [key]);
  if (result.error) return <ApiError error={result.error} />;
  const series: Array<LineChartProps<Date>['series'][number]> = (result.data?.results ?? []).map((r) => ({
    title: r.Label ?? r.Id ?? '',
    type: 'line' as const,
    data: (r.Timestamps ?? []).map((t, i) => ({ x: new Date(t), y: r.Values?.[i] ?? 0 })).sort((a, b) => a.x.getTime() - b.x.getTime()),
  }));
  if (threshold && series.length) series.push({ title: threshold.title, type: 'threshold', y: threshold.y });
  const range = minutes >= 120 ? `${minutes / 60} hours` : `${minutes} minutes`;
  return (
    <div data-testid={testId}>
      <LineChart
        series={series}
        xDomain={result.data ? [result.data.start, result.data.end] : undefined}
        xScaleType="time"
        height={height}
        hideFilter
        statusType={result.loading && !result.data ? 'loading' : 'finished'}
        yTitle={yTitle}
        ariaLabel={ariaLabel}
        empty={<Box textAlign="center" color="inherit">No data points in the last {range}</Box>}
        i18nStrings={{ xTickFormatter: (d) => d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false }) }}
      />
    </div>
  );
}
