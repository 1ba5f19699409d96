import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { alarmHistory, describeAlarms, putMetricAlarm, putMetricData, seriesOf, type AlarmSettings, type Scope } from '../../metrics/index.ts';
import { SqliteStore } from '../../state/index.ts';
import { VirtualTime } from '../virtual-time.testing.ts';
import { AlarmController } from './controller.ts';

const scope: Scope = { account: '123456789012', region: 'eu-west-1' };
const MIN = 60_000;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('AlarmController', () => {
  it('evaluates each minute on virtual time: INSUFFICIENT_DATA → OK → ALARM → OK, each change in the history and told to the actions port', async () => {
    const store = SqliteStore.open(':memory:');
    const time = new VirtualTime(Date.UTC(2026, 2, 12, 10, 0, 30));
    const env = { store, clock: time, ids: { hex32: () => '0'.repeat(32), uuid: randomUUID } };
    const told: string[] = [];
    const controller = new AlarmController({ ...env, timers: time, actions: { onAlarmStateChange: (a, from, to) => told.push(`${a.name}: ${from} -> ${to}`) } });
    cleanup.push(() => store.close(), () => controller.close());
    const settings: AlarmSettings = {
      name: 'cpu-high', actionsEnabled: true, okActions: [], alarmActions: [], insufficientDataActions: [], tags: [],
      metric: seriesOf('App', 'CPU', []), statistic: 'Average', period: 60, evaluationPeriods: 2, threshold: 70, comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    };
    await putMetricAlarm(env, scope, settings);
    const put = (value: number) => putMetricData(env, scope, 'App', [{ metricName: 'CPU', dimensions: [], value }]);
    const state = async () => (await describeAlarms(store, scope, {}))[0]!.state;
    const advance = (ms: number) => time.advance(ms, async () => {
      await controller.idle();
      await new Promise((resolve) => setImmediate(resolve));
    });

    controller.start();
    assert.equal(await state(), 'INSUFFICIENT_DATA');
    await controller.idle();
    assert.equal(await state(), 'OK', 'no datapoints, treated as not breaching');
    await put(90);
    await advance(MIN);
    assert.equal(await state(), 'OK', 'one breaching minute of the two');
    await put(95);
    await advance(MIN);
    assert.equal(await state(), 'ALARM', 'two breaching minutes');
    const [alarm] = await describeAlarms(store, scope, {});
    assert.match(alarm!.stateReason, /^Threshold Crossed: 2 out of the last 2 datapoints \[95\.0 \(12\/03\/26 10:01:00\), 90\.0 \(12\/03\/26 10:00:00\)\] were greater than the threshold \(70\.0\) \(minimum 2 datapoints for OK -> ALARM transition\)\.$/);
    await put(10);
    await advance(MIN);
    assert.equal(await state(), 'OK');
    await advance(MIN);
    assert.deepEqual(told, ['cpu-high: INSUFFICIENT_DATA -> OK', 'cpu-high: OK -> ALARM', 'cpu-high: ALARM -> OK']);
    assert.deepEqual((await alarmHistory(store, scope, { type: 'StateUpdate', newestFirst: false })).map((h) => h.summary),
      ['Alarm updated from INSUFFICIENT_DATA to OK', 'Alarm updated from OK to ALARM', 'Alarm updated from ALARM to OK']);
  });
});
