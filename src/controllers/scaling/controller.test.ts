import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { publishMetricData, describeAlarms } from '../../metrics/index.ts';
import { listActivities, putPolicy, putScheduledAction, registerTarget, type ScalingEnv, type Scope } from '../../scaling/index.ts';
import { SqliteStore } from '../../state/index.ts';
import { AlarmController } from '../alarms/controller.ts';
import { VirtualTime } from '../virtual-time.testing.ts';
import { ScalingController } from './controller.ts';

const scope: Scope = { account: '123456789012', region: 'eu-west-1' };
const MIN = 60_000;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A store, a virtual clock, one ECS service held in memory, and the two controllers running on their timers. */
function world(start: number) {
  const store = SqliteStore.open(':memory:');
  const time = new VirtualTime(start);
  const counts = new Map<string, number>([['c/web', 1]]);
  const env: ScalingEnv = {
    store, clock: time, ids: { hex32: () => randomUUID().replace(/-/g, ''), uuid: randomUUID },
    services: {
      desiredCount: async (_s, c, n) => counts.get(`${c}/${n}`),
      setDesiredCount: async (_s, c, n, d) => { counts.set(`${c}/${n}`, d); },
    },
  };
  const scaling = new ScalingController({ ...env, timers: time });
  // The alarm controller tells the scaling controller of each change, as the control plane wires them.
  const alarms = new AlarmController({ ...env, timers: time, actions: { onAlarmStateChange: () => scaling.nudge() } });
  cleanup.push(() => store.close(), () => alarms.close(), () => scaling.close());
  const advance = (ms: number) => time.advance(ms, async () => {
    await alarms.idle();
    await scaling.idle();
    await new Promise((resolve) => setImmediate(resolve));
    await scaling.idle();
  });
  return { env, time, counts, alarms, scaling, advance, store };
}

describe('ScalingController on virtual time', () => {
  it('target tracking: scales out on high CPU, once per cooldown, scales in after fifteen low minutes, never beyond max', async () => {
    const start = Date.UTC(2026, 5, 1, 12, 0, 0);
    const w = world(start);
    await registerTarget(w.env, scope, { resourceId: 'service/c/web', minCapacity: 1, maxCapacity: 6 });
    await putPolicy(w.env, scope, {
      name: 'cpu', resourceId: 'service/c/web', policyType: 'TargetTrackingScaling',
      targetTracking: { targetValue: 50, predefined: { type: 'ECSServiceAverageCPUUtilization' }, scaleOutCooldown: 120, scaleInCooldown: 300, disableScaleIn: false, shown: {} },
    });
    assert.equal((await describeAlarms(w.store, scope, { prefix: 'TargetTracking-service/c/web-' })).length, 2);
    const cpu = (value: number) => publishMetricData(w.env, scope, 'AWS/ECS', [{
      metricName: 'CPUUtilization', dimensions: [{ name: 'ClusterName', value: 'c' }, { name: 'ServiceName', value: 'web' }], value, timestamp: w.time.now(),
    }]);
    w.alarms.start();
    w.scaling.start();
    /** One minute of `value`: the desiredCount after it. */
    const minute = async (value: number) => {
      await cpu(value);
      await w.advance(MIN);
      return w.counts.get('c/web')!;
    };
    const high: number[] = [];
    for (let m = 0; m < 8; m++) high.push(await minute(95));
    // The high alarm needs its datapoints; then 1 → 2 (ceil(1 × 95 / 50)), 4, 6 (max), each a 120 s cooldown apart.
    const firstOut = high.indexOf(2);
    assert.ok(firstOut >= 0 && firstOut <= 2, `scaled out once the alarm went to ALARM: ${high.join(',')}`);
    assert.deepEqual(high.slice(firstOut, firstOut + 5), [2, 2, 4, 4, 6], `a scale-out per cooldown, capped at max: ${high.join(',')}`);
    const low: number[] = [];
    for (let m = 0; m < 18; m++) low.push(await minute(5));
    assert.deepEqual(low.slice(0, 13), Array(13).fill(6), `the low alarm needs 15 low minutes: ${low.join(',')}`);
    assert.equal(low.at(-1), 1, 'ceil(6 × 5 / 50), kept at min');
    const activities = await listActivities(w.env, scope, 'service/c/web');
    assert.deepEqual(activities.map((a) => a.description).reverse(),
      ['Setting desired count to 2.', 'Setting desired count to 4.', 'Setting desired count to 6.', 'Setting desired count to 1.']);
    assert.ok(activities.every((a) => a.statusCode === 'Successful'));
  });

  it('a scheduled action fires at its time, once, and clamps the desiredCount into its bounds', async () => {
    const start = Date.UTC(2026, 5, 1, 7, 58, 0);
    const w = world(start);
    await registerTarget(w.env, scope, { resourceId: 'service/c/web', minCapacity: 1, maxCapacity: 4 });
    await putScheduledAction(w.env, scope, { name: 'morning', resourceId: 'service/c/web', schedule: 'cron(0 10 * * ? *)', timezone: 'Europe/Paris', minCapacity: 3, maxCapacity: 8 });
    w.scaling.start();
    await w.advance(MIN);
    assert.equal(w.counts.get('c/web'), 1, '09:59 in Paris');
    await w.advance(MIN);
    assert.equal(w.counts.get('c/web'), 3, '10:00 in Paris');
    w.counts.set('c/web', 5);
    await w.advance(5 * MIN);
    assert.equal(w.counts.get('c/web'), 5, 'fired once: within its bounds nothing changes');
    assert.deepEqual((await listActivities(w.env, scope)).map((a) => a.cause), ['minimum capacity was set to 3 by scheduled action name morning']);
  });
});
