/**
 * The metrics explorer: a namespace's metrics (ListMetrics) as a filterable table, the chosen
 * ones charted with a statistic, period and range. The choice lives in the URL query
 * (`?namespace=…&metric=…&stat=…&period=…&range=…`) so a chart can be linked to.
 */
import { useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { CloudWatchClient, ListMetricsCommand, type Dimension, type Metric } from '@aws-sdk/client-cloudwatch';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Box from '@cloudscape-design/components/box';
import { client } from '../clients.ts';
import { ApiError } from '../components/api-error.tsx';
import { MetricChart } from '../components/metric-chart.tsx';
import { allPages } from '../components/observe-common.tsx';
import { Page } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

const cw = () => client(CloudWatchClient);

export const STATISTICS = ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'];
const PERIODS = [{ value: '10', label: '10 seconds' }, { value: '60', label: '1 minute' }, { value: '300', label: '5 minutes' }];
const RANGES = [{ value: '15', label: '15 minutes' }, { value: '60', label: '1 hour' }, { value: '180', label: '3 hours' }, { value: '1440', label: '1 day' }];

const dimsText = (d: Dimension[] | undefined) => (d ?? []).map((x) => `${x.Name}=${x.Value}`).join(', ');

/** A metric in the URL: its name, then `|name=value` per dimension, each part URI-encoded. */
export function metricParam(m: Metric): string {
  return [m.MetricName!, ...(m.Dimensions ?? []).map((d) => `${encodeURIComponent(d.Name!)}=${encodeURIComponent(d.Value!)}`)]
    .map((p, i) => (i === 0 ? encodeURIComponent(p) : p)).join('|');
}

function parseMetricParam(namespace: string, s: string): Metric {
  const [name, ...dims] = s.split('|');
  return {
    Namespace: namespace,
    MetricName: decodeURIComponent(name),
    Dimensions: dims.map((d) => {
      const eq = d.indexOf('=');
      return { Name: decodeURIComponent(d.slice(0, eq)), Value: decodeURIComponent(d.slice(eq + 1)) };
    }),
  };
}

const keyOf = (m: Metric) => metricParam(m);

export default function MetricsPage() {
  const [params, setParams] = useSearchParams();
  const namespace = params.get('namespace') ?? '';
  const stat = params.get('stat') ?? 'Average';
  const period = params.get('period') ?? '60';
  const range = params.get('range') ?? '60';
  const chosen = params.getAll('metric');
  const update = (change: (p: URLSearchParams) => void) => {
    const next = new URLSearchParams(params);
    change(next);
    setParams(next, { replace: true });
  };

  const namespaces = useLive(async () => {
    const all = await allPages(async (NextToken) => {
      const r = await cw().send(new ListMetricsCommand({ NextToken }));
      return { items: r.Metrics, next: r.NextToken };
    }, 20);
    return [...new Set(all.map((m) => m.Namespace!))].sort();
  }, ['metrics/series']);
  const metrics = useLive(async () => {
    if (!namespace) return [];
    return allPages(async (NextToken) => {
      const r = await cw().send(new ListMetricsCommand({ Namespace: namespace, NextToken }));
      return { items: r.Metrics, next: r.NextToken };
    });
  }, ['metrics/series'], [namespace]);

  const selected = useMemo(() => chosen.map((c) => parseMetricParam(namespace, c)), [namespace, chosen.join('\n')]);
  const queries = selected.map((m, i) => ({ id: `m${i}`, label: `${m.MetricName}${m.Dimensions?.length ? ` (${dimsText(m.Dimensions)})` : ''}`, metric: m, stat }));
  const nsOptions = (namespaces.data ?? (namespace ? [namespace] : [])).map((n) => ({ value: n, label: n }));
  if (namespace && !nsOptions.some((o) => o.value === namespace)) nsOptions.unshift({ value: namespace, label: namespace });

  return (
    <Page title="Metrics" crumbs={[{ text: 'CloudWatch', to: '/cloudwatch/log-groups' }, { text: 'Metrics' }]}>
      <ApiError error={namespaces.error} />
      <Container header={<Header variant="h2" description="Choose metrics below; the chart's link can be shared.">Chart</Header>}>
        <SpaceBetween size="m">
          <SpaceBetween size="m" direction="horizontal">
            <FormField label="Statistic">
              <Select data-testid="statistic" selectedOption={{ value: stat, label: stat }} options={STATISTICS.map((s) => ({ value: s, label: s }))}
                onChange={({ detail }) => update((p) => p.set('stat', detail.selectedOption.value!))} />
            </FormField>
            <FormField label="Period">
              <Select data-testid="period" selectedOption={PERIODS.find((p) => p.value === period) ?? { value: period, label: `${period} seconds` }} options={PERIODS}
                onChange={({ detail }) => update((p) => p.set('period', detail.selectedOption.value!))} />
            </FormField>
            <FormField label="Range">
              <Select data-testid="range" selectedOption={RANGES.find((r) => r.value === range) ?? { value: range, label: `${range} minutes` }} options={RANGES}
                onChange={({ detail }) => update((p) => p.set('range', detail.selectedOption.value!))} />
            </FormField>
          </SpaceBetween>
          {queries.length ? (
            <MetricChart testId="metrics-chart" queries={queries} minutes={Number(range)} period={Number(period)} height={280} yTitle={stat} />
          ) : (
            <Box textAlign="center" color="text-status-inactive" padding="l">Select metrics to chart them.</Box>
          )}
        </SpaceBetween>
      </Container>
      <Container header={<Header variant="h2">Browse</Header>}>
        <FormField label="Namespace">
          <Select
            data-testid="namespace"
            selectedOption={namespace ? { value: namespace, label: namespace } : null}
            placeholder="Choose a namespace"
            options={nsOptions}
            filteringType="auto"
            statusType={namespaces.loading && !namespaces.data ? 'loading' : 'finished'}
            loadingText="Loading namespaces"
            empty="No metrics yet"
            onChange={({ detail }) => update((p) => { p.set('namespace', detail.selectedOption.value!); p.delete('metric'); })}
          />
        </FormField>
      </Container>
      {namespace && (
        <ResourceTable
          title="Metrics"
          testId="metrics"
          items={metrics.data?.map((m) => ({ ...m, DimensionsText: dimsText(m.Dimensions) }))}
          loading={metrics.loading}
          error={metrics.error}
          trackBy={keyOf}
          selectionType="multi"
          selectedItems={selected.map((m) => ({ ...m, DimensionsText: dimsText(m.Dimensions) }))}
          onSelectionChange={(items) => update((p) => { p.delete('metric'); for (const m of items) p.append('metric', metricParam(m)); })}
          columns={[
            { id: 'name', header: 'Metric name', cell: (m) => m.MetricName, sortBy: (m) => m.MetricName },
            { id: 'dims', header: 'Dimensions', cell: (m) => dimsText(m.Dimensions) || '-', sortBy: (m) => dimsText(m.Dimensions) },
          ]}
        />
      )}
    </Page>
  );
}
