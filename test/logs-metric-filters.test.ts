/**
 * CloudWatch Logs' metric filters feeding CloudWatch metrics, end to end: filters put through
 * @aws-sdk/client-cloudwatch-logs and the AWS CLI, events put with PutLogEvents, and the metrics
 * read back with @aws-sdk/client-cloudwatch's GetMetricStatistics and GetMetricData;
 * DescribeMetricFilters' selections and paging, TestMetricFilter, and AWS's refusals.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteMetricFilterCommand, DescribeMetricFiltersCommand, PutLogEventsCommand,
  PutMetricFilterCommand, TestMetricFilterCommand, type DescribeMetricFiltersCommandInput, type MetricTransformation,
} from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient, GetMetricDataCommand, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { credentials, region } from './support/wharf.ts';
import { awsCli, inProcessControlPlane, refused } from './support/in-process.ts';

const controlPlane = inProcessControlPlane();
let plane: ControlPlane;
let cwl: CloudWatchLogsClient;
let cw: CloudWatchClient;

before(async () => {
  plane = await controlPlane();
  cwl = new CloudWatchLogsClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
  cw = new CloudWatchClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
});
after(() => {
  cwl?.destroy();
  cw?.destroy();
});

const { cli, cliFails } = awsCli(() => plane.url, 'logs');
const MIN = 60_000;
/** A minute ten minutes ago: the events' timestamps, and the metrics' period. */
const minute = Math.floor((Date.now() - 10 * MIN) / MIN) * MIN;

async function groupWithStream(group: string, stream = 's'): Promise<void> {
  await cwl.send(new CreateLogGroupCommand({ logGroupName: group }));
  await cwl.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
}

async function put(group: string, messages: string[], at = minute): Promise<void> {
  await cwl.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: messages.map((message, i) => ({ timestamp: at + i, message })) }));
}

async function statistics(namespace: string, metricName: string, dimensions: { Name: string; Value: string }[] = [], unit?: string) {
  const out = await cw.send(new GetMetricStatisticsCommand({
    Namespace: namespace, MetricName: metricName, Dimensions: dimensions, StartTime: new Date(minute - MIN), EndTime: new Date(minute + 2 * MIN),
    Period: 60, Statistics: ['Sum', 'SampleCount', 'Minimum', 'Maximum'], ...(unit ? { Unit: unit as never } : {}),
  }));
  return (out.Datapoints ?? []).sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime())
    .map((d) => ({ at: d.Timestamp!.getTime(), sum: d.Sum, n: d.SampleCount, min: d.Minimum, max: d.Maximum, unit: d.Unit }));
}

describe('metric filters feed CloudWatch metrics', () => {
  it('a JSON filter: values from $.latency, a dimension from $.route, a unit; read with GetMetricStatistics and GetMetricData', async () => {
    await groupWithStream('/mf/api');
    await cwl.send(new PutMetricFilterCommand({
      logGroupName: '/mf/api', filterName: 'latency', filterPattern: '{ $.latency = * }',
      metricTransformations: [{ metricName: 'Latency', metricNamespace: 'Shop', metricValue: '$.latency', unit: 'Milliseconds', dimensions: { Route: '$.route' } }],
    }));
    const json = (latency: unknown, route: string) => JSON.stringify({ latency, route });
    await put('/mf/api', [json(100, '/cart'), json(300, '/cart'), json(40, '/home'), json('n/a', '/cart'), 'plain text']);
    await put('/mf/api', [json(200, '/cart')], minute + 30_000);

    assert.deepEqual(await statistics('Shop', 'Latency', [{ Name: 'Route', Value: '/cart' }], 'Milliseconds'),
      [{ at: minute, sum: 600, n: 3, min: 100, max: 300, unit: 'Milliseconds' }]);
    assert.deepEqual(await statistics('Shop', 'Latency', [{ Name: 'Route', Value: '/home' }]), [{ at: minute, sum: 40, n: 1, min: 40, max: 40, unit: 'Milliseconds' }]);
    const { Metrics } = await cw.send(new ListMetricsCommand({ Namespace: 'Shop' }));
    assert.deepEqual(Metrics!.map((m) => m.Dimensions!.map((d) => d.Value)).sort(), [['/cart'], ['/home']]);

    const data = await cw.send(new GetMetricDataCommand({
      StartTime: new Date(minute - MIN), EndTime: new Date(minute + 2 * MIN),
      MetricDataQueries: [{ Id: 'avg', MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Latency', Dimensions: [{ Name: 'Route', Value: '/cart' }] }, Period: 60, Stat: 'Average' } }],
    }));
    assert.deepEqual(data.MetricDataResults!.map((r) => [r.Timestamps!.map((t) => t.getTime()), r.Values]), [[[minute], [200]]]);
  });

  it('a space-delimited filter counting 5xx responses, with a default value for every other line', async () => {
    await groupWithStream('/mf/access');
    await cwl.send(new PutMetricFilterCommand({
      logGroupName: '/mf/access', filterName: 'server-errors', filterPattern: '[ip, user, status = 5*, bytes]',
      metricTransformations: [{ metricName: 'ServerErrors', metricNamespace: 'Shop', metricValue: '1', defaultValue: 0, unit: 'Count' }],
    }));
    await cwl.send(new PutMetricFilterCommand({
      logGroupName: '/mf/access', filterName: 'bytes', filterPattern: '[ip, user, status, bytes]',
      metricTransformations: [{ metricName: 'Bytes', metricNamespace: 'Shop', metricValue: '$bytes', unit: 'Bytes' }],
    }));
    await put('/mf/access', ['10.0.0.1 alice 200 512', '10.0.0.2 bob 503 20', '10.0.0.3 carol 500 20', 'garbage', '10.0.0.1 alice 404 100']);
    assert.deepEqual(await statistics('Shop', 'ServerErrors'), [{ at: minute, sum: 2, n: 5, min: 0, max: 1, unit: 'Count' }]);
    assert.deepEqual(await statistics('Shop', 'Bytes'), [{ at: minute, sum: 652, n: 4, min: 20, max: 512, unit: 'Bytes' }]);

    // Deleted, the filter publishes no more.
    await cwl.send(new DeleteMetricFilterCommand({ logGroupName: '/mf/access', filterName: 'server-errors' }));
    await put('/mf/access', ['10.0.0.9 dave 500 1'], minute + 1000);
    assert.deepEqual(await statistics('Shop', 'ServerErrors'), [{ at: minute, sum: 2, n: 5, min: 0, max: 1, unit: 'Count' }]);
  });

  it('a flood in one batch: every event counted, the values aggregated', async () => {
    await groupWithStream('/mf/flood');
    await cwl.send(new PutMetricFilterCommand({
      logGroupName: '/mf/flood', filterName: 'size', filterPattern: '[n, size]',
      metricTransformations: [{ metricName: 'Size', metricNamespace: 'Flood', metricValue: '$size' }],
    }));
    await put('/mf/flood', Array.from({ length: 5000 }, (_, i) => `${i} ${i % 400}`));
    const [point] = await statistics('Flood', 'Size');
    assert.deepEqual(point, { at: minute, sum: Array.from({ length: 5000 }, (_, i) => i % 400).reduce((a, b) => a + b), n: 5000, min: 0, max: 399, unit: 'None' });
  });

  it('DescribeMetricFilters: by group and name prefix, by metric name and namespace, a page at a time', async () => {
    await groupWithStream('/mf/describe');
    const t = (metricName: string): MetricTransformation[] => [{ metricName, metricNamespace: 'Desc', metricValue: '1' }];
    for (const name of ['a-1', 'a-2', 'b-1']) {
      await cwl.send(new PutMetricFilterCommand({ logGroupName: '/mf/describe', filterName: name, filterPattern: 'ERROR', metricTransformations: t(`M-${name}`) }));
    }
    const names = async (input: DescribeMetricFiltersCommandInput) =>
      (await cwl.send(new DescribeMetricFiltersCommand(input))).metricFilters!.map((f) => f.filterName);
    assert.deepEqual(await names({ logGroupName: '/mf/describe' }), ['a-1', 'a-2', 'b-1']);
    assert.deepEqual(await names({ logGroupName: '/mf/describe', filterNamePrefix: 'a-' }), ['a-1', 'a-2']);
    assert.deepEqual(await names({ metricName: 'M-b-1', metricNamespace: 'Desc' }), ['b-1']);
    const first = await cwl.send(new DescribeMetricFiltersCommand({ logGroupName: '/mf/describe', limit: 2 }));
    assert.deepEqual(first.metricFilters!.map((f) => f.filterName), ['a-1', 'a-2']);
    assert.deepEqual(await names({ logGroupName: '/mf/describe', limit: 2, nextToken: first.nextToken }), ['b-1']);
    await refused(cwl.send(new DescribeMetricFiltersCommand({ metricName: 'M-b-1' })), 'InvalidParameterException', /metricName and metricNamespace/);
    await refused(cwl.send(new DescribeMetricFiltersCommand({ logGroupName: '/mf/none' })), 'ResourceNotFoundException', 'The specified log group does not exist.');
  });

  it("AWS's refusals: transformations that do not fit the pattern, two transformations, the quota of 100 filters", async () => {
    await groupWithStream('/mf/rules');
    const attempt = (filterPattern: string, transformation: Partial<MetricTransformation>, filterName = 'r') => cwl.send(new PutMetricFilterCommand({
      logGroupName: '/mf/rules', filterName, filterPattern, metricTransformations: [{ metricName: 'M', metricNamespace: 'Rules', metricValue: '1', ...transformation }],
    }));
    await refused(attempt('ERROR', { metricValue: '$.latency' }), 'InvalidParameterException', /Invalid metricValue/);
    await refused(attempt('[a, b]', { metricValue: '$c' }), 'InvalidParameterException', /Invalid metricValue/);
    await refused(attempt('{ $.a = * }', { dimensions: { A: '$.a' }, defaultValue: 0 }), 'InvalidParameterException', /cannot have a defaultValue/);
    await refused(attempt('[a, b, c, d]', { dimensions: { A: '$a', B: '$b', C: '$c', D: '$d' } }), 'InvalidParameterException', /at most 3 dimensions/);
    await refused(attempt('ERROR', { dimensions: { A: '$a' } }), 'InvalidParameterException', /only for JSON and space-delimited/);
    await refused(attempt('{ $.x >', {}), 'InvalidParameterException', 'Invalid metric filter pattern');
    await refused(cwl.send(new PutMetricFilterCommand({
      logGroupName: '/mf/rules', filterName: 'two', filterPattern: 'x',
      metricTransformations: [{ metricName: 'A', metricNamespace: 'N', metricValue: '1' }, { metricName: 'B', metricNamespace: 'N', metricValue: '1' }],
    })), 'InvalidParameterException', /at 'metricTransformations' failed to satisfy constraint: Member must have length less than or equal to 1/);
    await refused(cwl.send(new PutMetricFilterCommand({
      logGroupName: '/mf/none', filterName: 'x', filterPattern: 'x', metricTransformations: [{ metricName: 'A', metricNamespace: 'N', metricValue: '1' }],
    })), 'ResourceNotFoundException', 'The specified log group does not exist.');
    for (let i = 0; i < 100; i++) await attempt('ERROR', {}, `quota-${String(i).padStart(3, '0')}`);
    await refused(attempt('ERROR', {}, 'one-too-many'), 'LimitExceededException', /at most 100 metric filters/);
    await attempt('WARN', {}, 'quota-000'); // Replacing one is no new filter.
  });

  it('TestMetricFilter through the SDK', async () => {
    const { matches } = await cwl.send(new TestMetricFilterCommand({
      filterPattern: '{ $.level = "ERROR" && $.ms > 10 }', logEventMessages: ['{"level":"ERROR","ms":5}', '{"level":"ERROR","ms":25}', 'nope'],
    }));
    assert.deepEqual(matches, [{ eventNumber: 2, eventMessage: '{"level":"ERROR","ms":25}', extractedValues: { '$.level': 'ERROR', '$.ms': '25' } }]);
  });

  it('the AWS CLI: put-metric-filter, describe-metric-filters, test-metric-filter', async () => {
    await groupWithStream('/mf/cli');
    await cli('put-metric-filter', '--log-group-name', '/mf/cli', '--filter-name', 'status', '--filter-pattern', '[ip, status, bytes]',
      '--metric-transformations', 'metricName=Status,metricNamespace=Cli,metricValue=$status,dimensions={Ip=$ip}');
    const described = await cli('describe-metric-filters', '--log-group-name', '/mf/cli');
    assert.deepEqual(described.metricFilters.map((f: { filterName: string; metricTransformations: unknown }) => [f.filterName, f.metricTransformations]),
      [['status', [{ metricName: 'Status', metricNamespace: 'Cli', metricValue: '$status', dimensions: { Ip: '$ip' } }]]]);
    const tested = await cli('test-metric-filter', '--filter-pattern', '[ip, status = 4*, bytes]', '--log-event-messages', '1.2.3.4 404 10', '1.2.3.4 200 10');
    assert.deepEqual(tested.matches, [{ eventNumber: 1, eventMessage: '1.2.3.4 404 10', extractedValues: { $ip: '1.2.3.4', $status: '404', $bytes: '10' } }]);
    assert.match(await cliFails('put-metric-filter', '--log-group-name', '/mf/cli', '--filter-name', 'bad', '--filter-pattern', 'ERROR',
      '--metric-transformations', 'metricName=E,metricNamespace=Cli,metricValue=$.x'), /InvalidParameterException.*Invalid metricValue/);
    await put('/mf/cli', ['10.0.0.1 404 5', '10.0.0.1 200 5']);
    assert.deepEqual(await statistics('Cli', 'Status', [{ Name: 'Ip', Value: '10.0.0.1' }]), [{ at: minute, sum: 604, n: 2, min: 200, max: 404, unit: 'None' }]);
  });
});
