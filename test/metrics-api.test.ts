/**
 * CloudWatch end to end, through @aws-sdk/client-cloudwatch (AWS JSON 1.0, awsQueryCompatible)
 * and the AWS CLI v2 (awsQuery) against a control plane in this process: PutMetricData, then
 * GetMetricStatistics with percentiles and GetMetricData with metric math; ListMetrics; alarms
 * created, evaluated by the alarm controller on a virtual clock over the control plane's store
 * (ALARM, then OK), SetAlarmState, DescribeAlarmHistory, tags, and CloudWatch's errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, DescribeAlarmsForMetricCommand, DisableAlarmActionsCommand,
  GetMetricDataCommand, GetMetricStatisticsCommand, ListMetricsCommand, ListTagsForResourceCommand, PutMetricAlarmCommand, PutMetricDataCommand,
  SetAlarmStateCommand, TagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { AlarmController } from '../src/controllers/index.ts';
import { VirtualTime } from '../src/controllers/virtual-time.testing.ts';
import { credentials, region } from './support/wharf.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused } from './support/in-process.ts';

// The test runs the controller itself, on a virtual clock.
const controlPlane = inProcessControlPlane({ leaderLoops: { alarms: false } });
let plane: ControlPlane;
let cw: CloudWatchClient;
before(async () => {
  plane = await controlPlane();
  cw = new CloudWatchClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
});
after(() => cw?.destroy());
const { cli, cliFails } = awsCli(() => plane.url, 'cloudwatch');

const MIN = 60_000;
/** A minute boundary a few minutes back, so every datapoint is in the past and in whole minutes. */
const base = Math.floor(Date.now() / MIN) * MIN - 10 * MIN;
const web = [{ Name: 'Service', Value: 'web' }];

describe('CloudWatch through the SDK and the AWS CLI', () => {
  it('PutMetricData, then GetMetricStatistics (with percentiles) and GetMetricData with math, from both clients', async () => {
    await cw.send(new PutMetricDataCommand({
      Namespace: 'Shop', MetricData: [
        { MetricName: 'Latency', Dimensions: web, Timestamp: new Date(base), Values: [10, 20, 30, 40], Counts: [1, 1, 1, 1], Unit: 'Milliseconds' },
        { MetricName: 'Latency', Dimensions: web, Timestamp: new Date(base + MIN), StatisticValues: { SampleCount: 2, Sum: 100, Minimum: 50, Maximum: 50 }, Unit: 'Milliseconds' },
        { MetricName: 'Requests', Dimensions: web, Timestamp: new Date(base), Value: 200, Unit: 'Count' },
        { MetricName: 'Requests', Dimensions: web, Timestamp: new Date(base + MIN), Value: 100, Unit: 'Count' },
        { MetricName: 'Errors', Dimensions: web, Timestamp: new Date(base), Value: 4, Unit: 'Count' },
      ],
    }));
    await cli('put-metric-data', '--namespace', 'Shop', '--metric-name', 'Errors', '--dimensions', 'Service=web', '--value', '6', '--unit', 'Count',
      '--timestamp', new Date(base + 5_000).toISOString());

    const stats = await cw.send(new GetMetricStatisticsCommand({
      Namespace: 'Shop', MetricName: 'Latency', Dimensions: web, StartTime: new Date(base), EndTime: new Date(base + 2 * MIN), Period: 60,
      Statistics: ['Average', 'SampleCount', 'Maximum'],
    }));
    assert.equal(stats.Label, 'Latency');
    const points = [...stats.Datapoints!].sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
    assert.deepEqual(points.map((p) => [p.Timestamp!.getTime(), p.Average, p.SampleCount, p.Maximum, p.Unit]),
      [[base, 25, 4, 40, 'Milliseconds'], [base + MIN, 50, 2, 50, 'Milliseconds']]);
    const p = await cli('get-metric-statistics', '--namespace', 'Shop', '--metric-name', 'Latency', '--dimensions', 'Name=Service,Value=web',
      '--start-time', new Date(base).toISOString(), '--end-time', new Date(base + 2 * MIN).toISOString(), '--period', '120', '--extended-statistics', 'p50', 'p99');
    assert.equal(p.Datapoints.length, 1);
    const { p50, p99 } = p.Datapoints[0].ExtendedStatistics;
    assert.ok(Math.abs(p50 - 30) <= 0.6 && Math.abs(p99 - 50) <= 1, JSON.stringify(p.Datapoints[0]));

    const stat = (Id: string, MetricName: string) => ({ Id, ReturnData: false, MetricStat: { Metric: { Namespace: 'Shop', MetricName, Dimensions: web }, Period: 60, Stat: 'Sum' } });
    const data = await cw.send(new GetMetricDataCommand({
      StartTime: new Date(base), EndTime: new Date(base + 3 * MIN), ScanBy: 'TimestampAscending',
      MetricDataQueries: [stat('errors', 'Errors'), stat('requests', 'Requests'), { Id: 'rate', Expression: '100 * FILL(errors, 0) / requests', Label: 'Error %' },
        { Id: 'busy', Expression: 'IF(requests > 150, 1, 0)' }],
    }));
    assert.deepEqual(data.MetricDataResults!.map((r) => [r.Id, r.Label, r.Timestamps!.map((t) => t.getTime() - base), r.Values, r.StatusCode]), [
      ['rate', 'Error %', [0, MIN], [5, 0], 'Complete'],
      ['busy', 'busy', [0, MIN], [1, 0], 'Complete'],
    ]);
    const fromCli = await cli('get-metric-data', '--start-time', new Date(base).toISOString(), '--end-time', new Date(base + 3 * MIN).toISOString(),
      '--metric-data-queries', JSON.stringify([stat('requests', 'Requests'), { Id: 'total', Expression: 'SUM(METRICS())' }]));
    assert.deepEqual(fromCli.MetricDataResults.map((r: { Id: string; Values: number[] }) => [r.Id, r.Values]), [['total', [100, 200]]], 'newest first by default');

    const paged = await cw.send(new GetMetricDataCommand({ StartTime: new Date(base), EndTime: new Date(base + 3 * MIN), MaxDatapoints: 1, MetricDataQueries: [{ ...stat('r', 'Requests'), ReturnData: true }] }));
    assert.deepEqual(paged.MetricDataResults![0]!.Values, [100]);
    const rest = await cw.send(new GetMetricDataCommand({ StartTime: new Date(base), EndTime: new Date(base + 3 * MIN), MaxDatapoints: 1, NextToken: paged.NextToken, MetricDataQueries: [{ ...stat('r', 'Requests'), ReturnData: true }] }));
    assert.deepEqual([rest.MetricDataResults![0]!.Values, rest.NextToken], [[200], undefined]);

    const listed = await cw.send(new ListMetricsCommand({ Namespace: 'Shop', Dimensions: [{ Name: 'Service' }], RecentlyActive: 'PT3H' }));
    assert.deepEqual(listed.Metrics!.map((m) => m.MetricName), ['Errors', 'Latency', 'Requests']);
    const listedCli = await cli('list-metrics', '--namespace', 'Shop', '--metric-name', 'Errors');
    assert.deepEqual(listedCli.Metrics, [{ Namespace: 'Shop', MetricName: 'Errors', Dimensions: [{ Name: 'Service', Value: 'web' }] }]);
  });

  it('a large PutMetricData, which the SDK sends gzipped (Content-Encoding), is read whole', async () => {
    const data = Array.from({ length: 1000 }, (_, i) => ({ MetricName: 'Big', Dimensions: [{ Name: 'Shard', Value: String(i % 4) }], Value: i, Unit: 'Count' as const }));
    const at = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await cw.send(new PutMetricDataCommand({ Namespace: 'Gzip/Test', MetricData: data.map((d) => ({ ...d, Timestamp: at })) }));
    const stats = await cw.send(new GetMetricStatisticsCommand({
      Namespace: 'Gzip/Test', MetricName: 'Big', Dimensions: [{ Name: 'Shard', Value: '0' }], StartTime: new Date(at.getTime() - 60_000),
      EndTime: new Date(at.getTime() + 60_000), Period: 60, Statistics: ['SampleCount', 'Sum'],
    }));
    assert.deepEqual(stats.Datapoints?.map((d) => [d.SampleCount, d.Sum]), [[250, data.filter((_, i) => i % 4 === 0).reduce((n, d) => n + d.Value, 0)]]);
  });

  it('refuses as CloudWatch does, to both clients', async () => {
    await refused(cw.send(new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: [{ MetricName: 'x', Value: 1 }] })), 'InvalidParameterValueException',
      'The value AWS/EC2 for parameter Namespace is invalid.');
    await refused(cw.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ MetricName: 'x', Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }] })),
      'InvalidParameterCombinationException', /mutually exclusive/);
    await refused(cw.send(new GetMetricStatisticsCommand({ Namespace: 'Shop', MetricName: 'Latency', StartTime: new Date(base - 2 * 86_400_000), EndTime: new Date(base), Period: 60, Statistics: ['Sum'] })),
      'InvalidParameterCombinationException', /exceeds the limit of 1,440/);
    await refused(cw.send(new GetMetricDataCommand({ StartTime: new Date(base), EndTime: new Date(base + MIN), MetricDataQueries: [{ Id: 'e1', Expression: 'm9 * 2' }] })),
      'ValidationException', /Unrecognized metric or expression id: m9/);
    assert.match(await cliFails('put-metric-data', '--namespace', 'AWS/Lambda', '--metric-name', 'x', '--value', '1'), /InvalidParameterValue.*The value AWS\/Lambda for parameter Namespace is invalid/);
    await refused(cw.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' })), 'ResourceNotFound', 'Alarm nope does not exist', 404);
  });

  it('an alarm goes to ALARM and back to OK as the controller evaluates it on a virtual clock; SetAlarmState; history; tags', async () => {
    // Virtual time stays behind the control plane's wall clock, so its history entries come before SetAlarmState's.
    const now = base + 8 * MIN;
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'latency-high', Namespace: 'Shop', MetricName: 'Checkout', Dimensions: web, Statistic: 'Maximum', Period: 60, EvaluationPeriods: 2,
      Threshold: 70, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching', AlarmActions: [`arn:aws:sns:${region}:${ACCOUNT}:ops`],
      Tags: [{ Key: 'team', Value: 'shop' }],
    }));
    const [created] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['latency-high'] }))).MetricAlarms!;
    assert.deepEqual([created!.AlarmArn, created!.StateValue, created!.StateReason], [`arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:latency-high`, 'INSUFFICIENT_DATA', 'Unchecked: Initial alarm creation']);

    const time = new VirtualTime(now);
    const told: string[] = [];
    const controller = new AlarmController({ store: plane.store, clock: time, timers: time, ids: { hex32: () => '0'.repeat(32), uuid: randomUUID },
      actions: { onAlarmStateChange: (a, from, to) => told.push(`${a.name} ${from}->${to}`) } });
    const put = (minutesAgo: number, value: number) => cw.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ MetricName: 'Checkout', Dimensions: web, Timestamp: new Date(now - minutesAgo * MIN), Value: value }] }));
    await put(2, 90.5);
    await put(1, 80);
    await controller.runOnce();
    const [alarmed] = (await cw.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }))).MetricAlarms!;
    assert.equal(alarmed!.StateReason, `Threshold Crossed: 2 out of the last 2 datapoints [80.0 (${ddmmyy(now - MIN)}), 90.5 (${ddmmyy(now - 2 * MIN)})] `
      + 'were greater than the threshold (70.0) (minimum 2 datapoints for INSUFFICIENT_DATA -> ALARM transition).');
    assert.deepEqual(JSON.parse(alarmed!.StateReasonData!).recentDatapoints, [90.5, 80]);
    assert.equal((await cw.send(new DescribeAlarmsForMetricCommand({ Namespace: 'Shop', MetricName: 'Checkout', Dimensions: web }))).MetricAlarms!.length, 1);

    await put(0, 10);
    await time.advance(MIN);
    await controller.runOnce();
    await controller.close();
    const cliView = await cli('describe-alarms', '--alarm-name-prefix', 'latency');
    assert.equal(cliView.MetricAlarms[0].StateValue, 'OK');
    assert.match(cliView.MetricAlarms[0].StateReason, /^Threshold Crossed: 1 out of the last 2 datapoints \[10\.0 .*\] was not greater than the threshold \(70\.0\) \(minimum 1 datapoint for ALARM -> OK transition\)\.$/);
    assert.deepEqual(told, ['latency-high INSUFFICIENT_DATA->ALARM', 'latency-high ALARM->OK']);

    await cw.send(new SetAlarmStateCommand({ AlarmName: 'latency-high', StateValue: 'ALARM', StateReason: 'testing the pager', StateReasonData: '{"by":"hand"}' }));
    await refused(cw.send(new SetAlarmStateCommand({ AlarmName: 'latency-high', StateValue: 'OK', StateReason: 'x', StateReasonData: 'not json' })), 'InvalidFormatFault');
    await cli('disable-alarm-actions', '--alarm-names', 'latency-high');
    const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'latency-high', HistoryItemType: 'StateUpdate' }));
    assert.deepEqual(history.AlarmHistoryItems!.map((h) => h.HistorySummary),
      ['Alarm updated from OK to ALARM', 'Alarm updated from ALARM to OK', 'Alarm updated from INSUFFICIENT_DATA to ALARM'], 'newest first');
    assert.equal(JSON.parse(history.AlarmHistoryItems![0]!.HistoryData!).newState.stateReason, 'testing the pager');
    const historyCli = await cli('describe-alarm-history', '--alarm-name', 'latency-high', '--history-item-type', 'StateUpdate', '--scan-by', 'TimestampAscending',
      '--max-items', '1');
    assert.equal(historyCli.AlarmHistoryItems[0].HistorySummary, 'Alarm updated from INSUFFICIENT_DATA to ALARM');
    assert.ok(historyCli.NextToken, 'more pages');
    const configured = await cli('describe-alarm-history', '--alarm-name', 'latency-high', '--history-item-type', 'ConfigurationUpdate');
    assert.deepEqual(configured.AlarmHistoryItems.map((h: { HistorySummary: string }) => h.HistorySummary), ['Alarm "latency-high" created']);

    await cw.send(new TagResourceCommand({ ResourceARN: created!.AlarmArn, Tags: [{ Key: 'env', Value: 'prod' }] }));
    assert.deepEqual((await cw.send(new ListTagsForResourceCommand({ ResourceARN: created!.AlarmArn }))).Tags, [{ Key: 'team', Value: 'shop' }, { Key: 'env', Value: 'prod' }]);
    const [after] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['latency-high'] }))).MetricAlarms!;
    assert.equal(after!.ActionsEnabled, false);
    await refused(cw.send(new DeleteAlarmsCommand({ AlarmNames: ['latency-high', 'missing'] })), 'ResourceNotFound', undefined, 404);
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['latency-high'] }));
    assert.deepEqual((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms, []);
  });
});

/** `dd/MM/yy HH:mm:ss` UTC, as alarm reasons date datapoints. */
function ddmmyy(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
