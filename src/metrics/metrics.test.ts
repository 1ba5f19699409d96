/**
 * The metrics domain on both store backends (SQLite and a one-member etcd): datapoints merged
 * into per-minute rows (one row per series, minute and unit, however many values), statistics
 * and percentiles per period, 1-second data, GetMetricData's math, ListMetrics' filters,
 * retention's rollups, and alarms' writes with their history.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AwsError } from '../aws/index.ts';
import { ManualClock } from '../common/index.ts';
import { storeBackends } from '../state/backends.testing.ts';
import {
  alarmHistory, deleteAlarms, describeAlarms, listMetrics, metricKeys, putMetricAlarm, putMetricData, readSeries, runQueries, runRetention, seriesKey,
  seriesOf, setAlarmState, statistic, tagAlarm, tagsOf, type AlarmSettings, type Scope,
} from './index.ts';

const scope: Scope = { account: '123456789012', region: 'eu-west-1' };
const T0 = Date.UTC(2026, 2, 12, 10, 0);
const MIN = 60_000;
const DAY = 86_400_000;
const code = (expected: string, message?: string) => (e: AwsError) => {
  assert.equal(e.code, expected, e.message);
  if (message !== undefined) assert.equal(e.message, message);
  return true;
};
const web = [{ name: 'Service', value: 'web' }, { name: 'Cluster', value: 'prod' }];
const latency = seriesOf('App', 'Latency', web);

for (const [backend, open] of Object.entries(storeBackends('metrics'))) {
  describe(`metrics domain on ${backend}`, () => {
    const fresh = async () => ({ store: await open(), clock: new ManualClock(T0 + 10 * MIN), ids: { hex32: () => '0'.repeat(32), uuid: randomUUID } });

    it('values aggregate into one row per series, minute and unit; statistics and percentiles per period', async () => {
      const env = await fresh();
      const values = Array.from({ length: 100 }, (_, i) => i + 1);
      await putMetricData(env, scope, 'App', [
        { metricName: 'Latency', dimensions: [web[1]!, web[0]!], timestamp: T0 + 5_000, values, counts: values.map(() => 1), unit: 'Milliseconds' },
        { metricName: 'Latency', dimensions: web, timestamp: T0 + 65_000, value: 500, unit: 'Milliseconds' },
        { metricName: 'Latency', dimensions: web, timestamp: T0 + 70_000, statisticValues: { SampleCount: 2, Sum: 300, Minimum: 100, Maximum: 200 }, unit: 'Milliseconds' },
      ]);
      await putMetricData(env, scope, 'App', [{ metricName: 'Latency', dimensions: web, timestamp: T0 + 6_000, value: 1000, unit: 'Milliseconds' }]);
      const rows = await env.store.range(metricKeys.rows(scope, seriesKey(latency), 60));
      assert.equal(rows.kvs.length, 2, 'two minutes, two rows: not one per datapoint');

      const [first, second] = await readSeries(env.store, scope, latency, { start: T0, end: T0 + 5 * MIN, period: 60 });
      assert.deepEqual([first!.timestamp, first!.agg.n, first!.agg.sum, first!.agg.max, first!.unit], [T0, 101, 6050, 1000, 'Milliseconds']);
      assert.ok(Math.abs(statistic(first!.agg, 'p50')! - 51) <= 1.1, String(statistic(first!.agg, 'p50')));
      assert.deepEqual([second!.agg.n, statistic(second!.agg, 'Average'), statistic(second!.agg, 'Minimum'), statistic(second!.agg, 'p99')], [3, 800 / 3, 100, undefined]);
      const [whole] = await readSeries(env.store, scope, latency, { start: T0, end: T0 + 5 * MIN, period: 300 });
      assert.equal(whole!.agg.n, 104);
      assert.deepEqual(await readSeries(env.store, scope, latency, { start: T0, end: T0 + 5 * MIN, period: 60, unit: 'Seconds' }), []);
    });

    it('refuses AWS/ namespaces and bad datums before writing anything', async () => {
      const env = await fresh();
      await assert.rejects(putMetricData(env, scope, 'AWS/EC2', [{ metricName: 'x', dimensions: [], value: 1 }]), code('InvalidParameterValueException', 'The value AWS/EC2 for parameter Namespace is invalid.'));
      await assert.rejects(putMetricData(env, scope, 'App', [{ metricName: 'ok', dimensions: [], value: 1 }, { metricName: 'x', dimensions: [], value: 1, statisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }]),
        code('InvalidParameterCombinationException', 'The parameters MetricData.member.2.Value and MetricData.member.2.StatisticValues are mutually exclusive and you have specified both.'));
      await assert.rejects(putMetricData(env, scope, 'App', [{ metricName: 'x', dimensions: [], values: [1, 2], counts: [1] }]), code('InvalidParameterValueException'));
      await assert.rejects(putMetricData(env, scope, 'App', [{ metricName: 'x', dimensions: [], value: NaN }]), code('InvalidParameterValueException', 'The value NaN for parameter MetricData.member.1.Value is invalid.'));
      await assert.rejects(putMetricData(env, scope, 'App', [{ metricName: 'x', dimensions: [], value: 1, timestamp: T0 - 15 * DAY }]), code('InvalidParameterValueException'));
      assert.deepEqual(await listMetrics(env.store, scope, {}), [], 'nothing written');
    });

    it('high-resolution data answers periods under a minute until its seconds are trimmed after 3 hours', async () => {
      const env = await fresh();
      await putMetricData(env, scope, 'App', [
        { metricName: 'Hits', dimensions: [], timestamp: T0 + 1_000, value: 1, storageResolution: 1 },
        { metricName: 'Hits', dimensions: [], timestamp: T0 + 12_000, value: 5, storageResolution: 1 },
      ]);
      const hits = seriesOf('App', 'Hits', []);
      assert.deepEqual((await readSeries(env.store, scope, hits, { start: T0, end: T0 + MIN, period: 10 })).map((b) => [b.timestamp - T0, b.agg.sum]), [[0, 1], [10_000, 5]]);
      await runRetention(env.store, T0 + 4 * 3_600_000);
      assert.deepEqual((await readSeries(env.store, scope, hits, { start: T0, end: T0 + MIN, period: 10 })).map((b) => [b.timestamp - T0, b.agg.sum]), [[0, 6]]);
    });

    it('rollups: 1-minute rows older than 15 days become 5-minute rows, with nothing counted twice', async () => {
      const env = await fresh();
      for (let m = 0; m < 10; m++) await putMetricData(env, scope, 'App', [{ metricName: 'Latency', dimensions: web, timestamp: T0 + m * MIN, value: m }]);
      const result = await runRetention(env.store, T0 + 16 * DAY);
      assert.equal(result.rolledUp, 10);
      const rows = await env.store.range(metricKeys.rows(scope, seriesKey(latency), 300));
      assert.equal(rows.kvs.length, 2);
      assert.equal((await env.store.range(metricKeys.rows(scope, seriesKey(latency), 60))).kvs.length, 0);
      const bins = await readSeries(env.store, scope, latency, { start: T0, end: T0 + 10 * MIN, period: 300 });
      assert.deepEqual(bins.map((b) => [b.agg.n, b.agg.sum]), [[5, 10], [5, 35]]);
      await runRetention(env.store, T0 + 64 * DAY);
      assert.equal((await readSeries(env.store, scope, latency, { start: T0, end: T0 + 10 * MIN, period: 3600 }))[0]!.agg.sum, 45);
    });

    it('GetMetricData: MetricStat queries and math over them; ListMetrics filters', async () => {
      const env = await fresh();
      await putMetricData(env, scope, 'App', [
        { metricName: 'Errors', dimensions: web, timestamp: T0, value: 2 }, { metricName: 'Requests', dimensions: web, timestamp: T0, value: 40 },
        { metricName: 'Requests', dimensions: web, timestamp: T0 + MIN, value: 10 },
        { metricName: 'Requests', dimensions: [{ name: 'Service', value: 'api' }], timestamp: T0, value: 1 },
      ]);
      const stat = (id: string, name: string) => ({ id, metricStat: { metric: seriesOf('App', name, web), period: 60, stat: 'Sum' }, returnData: false });
      const results = await runQueries(env.store, scope, [stat('e', 'Errors'), stat('r', 'Requests'), { id: 'rate', expression: '100 * FILL(e, 0) / r', label: 'Error rate' }], T0, T0 + 3 * MIN);
      assert.deepEqual(results, [{ id: 'rate', label: 'Error rate', timestamps: [T0, T0 + MIN], values: [5, 0] }]);

      assert.deepEqual((await listMetrics(env.store, scope, { metricName: 'Requests' })).map((s) => s.dimensions.map((d) => d.value)), [['prod', 'web'], ['api']]);
      assert.equal((await listMetrics(env.store, scope, { dimensions: [{ name: 'Cluster' }] })).length, 2);
      assert.equal((await listMetrics(env.store, scope, { activeSince: env.clock.now() + 1 })).length, 0);
    });

    it('alarms: created unchecked, state changes with history, tags, all-or-nothing deletion', async () => {
      const env = await fresh();
      const settings: AlarmSettings = {
        name: 'high-latency', actionsEnabled: true, okActions: [], alarmActions: ['arn:aws:sns:eu-west-1:123456789012:ops'], insufficientDataActions: [],
        metric: latency, statistic: 'Average', period: 60, evaluationPeriods: 3, threshold: 70, comparisonOperator: 'GreaterThanThreshold', tags: [{ key: 'team', value: 'web' }],
      };
      const created = await putMetricAlarm(env, scope, settings);
      assert.deepEqual([created.arn, created.state, created.stateReason], ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:high-latency', 'INSUFFICIENT_DATA', 'Unchecked: Initial alarm creation']);
      const change = await setAlarmState(env, scope, 'high-latency', { state: 'ALARM', reason: 'testing', reasonData: '{}' });
      assert.deepEqual([change?.previous.state, change?.next.state], ['INSUFFICIENT_DATA', 'ALARM']);
      assert.equal(await setAlarmState(env, scope, 'high-latency', { state: 'ALARM', reason: 'again', reasonData: '{}' }), undefined, 'no change, no history');
      await putMetricAlarm(env, scope, { ...settings, threshold: 80, tags: [] });
      const [updated] = await describeAlarms(env.store, scope, { prefix: 'high' });
      assert.deepEqual([updated!.threshold, updated!.state, updated!.tags], [80, 'ALARM', [{ key: 'team', value: 'web' }]]);
      assert.deepEqual((await alarmHistory(env.store, scope, { name: 'high-latency', newestFirst: false })).map((h) => h.summary),
        ['Alarm "high-latency" created', 'Alarm updated from INSUFFICIENT_DATA to ALARM', 'Alarm "high-latency" updated']);
      await tagAlarm(env, scope, created.arn, [{ key: 'env', value: 'prod' }], ['team']);
      assert.deepEqual(await tagsOf(env.store, scope, created.arn), [{ key: 'env', value: 'prod' }]);
      await assert.rejects(deleteAlarms(env, scope, ['high-latency', 'nope']), code('ResourceNotFound'));
      assert.equal((await describeAlarms(env.store, scope, {})).length, 1);
      await deleteAlarms(env, scope, ['high-latency']);
      assert.equal((await describeAlarms(env.store, scope, {})).length, 0);
    });
  });
}
