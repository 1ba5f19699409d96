import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeploymentConfigurationRecord, TrafficShiftRecord } from './service-records.ts';
import { advanceShift, initialShift, nextStep, type ShiftInput } from './traffic-shift.ts';

const MIN = 60_000;
const base: DeploymentConfigurationRecord = { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: false, rollback: false } };
const blueGreen = (over: Partial<DeploymentConfigurationRecord> = {}): DeploymentConfigurationRecord => ({ ...base, strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0, ...over });

/** Runs the stage machine from `state` with `over` facts; hook ids h1, h2, … */
function step(config: DeploymentConfigurationRecord, state: TrafficShiftRecord, over: Partial<ShiftInput> = {}) {
  let n = 0;
  return advanceShift({ config, state, now: 0, greenReady: false, blueLive: true, newHookId: () => `h${++n}`, ...over });
}

describe('traffic shift stages', () => {
  test('BLUE_GREEN: waits in SCALE_UP until green is healthy, then shifts test and all production traffic, bakes, and cleans up', () => {
    const config = blueGreen({ bakeTimeInMinutes: 5 });
    let s = step(config, initialShift(base, 0, () => 'unused'));
    assert.equal(s.state.stage, 'SCALE_UP');
    assert.deepEqual(s.entered, ['SCALE_UP']);
    assert.ok(s.scaleGreen && !s.retireBlue && s.outcome === undefined);
    assert.equal(s.state.greenPercent, 0);

    s = step(config, s.state, { now: 10_000, greenReady: true });
    assert.deepEqual(s.entered, ['POST_SCALE_UP', 'TEST_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME']);
    assert.equal(s.state.stage, 'BAKE_TIME');
    assert.equal(s.state.greenPercent, 100);
    assert.ok(s.state.testOnGreen);
    assert.equal(s.wakeAt, 10_000 + 5 * MIN, 'woken when the bake time is over');
    assert.ok(!s.retireBlue);

    s = step(config, s.state, { now: 10_000 + 5 * MIN, greenReady: true });
    assert.equal(s.state.stage, 'CLEAN_UP');
    assert.ok(s.retireBlue && s.outcome === undefined, 'blue goes, and the deployment waits for it');
    s = step(config, s.state, { now: 10_000 + 6 * MIN, greenReady: true, blueLive: false });
    assert.deepEqual(s.outcome, { complete: true });
  });

  test('a step is idempotent: the same facts again change nothing', () => {
    const config = blueGreen({ bakeTimeInMinutes: 5 });
    const once = step(config, initialShift(base, 0, () => 'unused'), { now: 1000, greenReady: true });
    const twice = step(config, once.state, { now: 1000, greenReady: true });
    assert.deepEqual(twice.state, once.state);
    assert.deepEqual(twice.entered, []);
  });

  test('LINEAR: stepPercent more every stepBakeTimeInMinutes, never going back', () => {
    const config = blueGreen({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 2 } });
    let s = step(config, initialShift(base, 0, () => 'unused'), { greenReady: true });
    assert.equal(s.state.stage, 'PRODUCTION_TRAFFIC_SHIFT');
    assert.equal(s.state.greenPercent, 25);
    const seen = [25];
    for (const t of [2, 4, 6]) {
      assert.equal(s.wakeAt, t * MIN);
      s = step(config, s.state, { now: t * MIN, greenReady: true });
      seen.push(s.state.greenPercent);
    }
    assert.deepEqual(seen, [25, 50, 75, 100]);
    assert.equal(s.state.stage, 'CLEAN_UP');
  });

  test('CANARY: canaryPercent, then the rest after canaryBakeTimeInMinutes', () => {
    const config = blueGreen({ strategy: 'CANARY', canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 3 } });
    let s = step(config, initialShift(base, 0, () => 'unused'), { greenReady: true });
    assert.equal(s.state.greenPercent, 10);
    assert.equal(s.wakeAt, 3 * MIN);
    s = step(config, s.state, { now: 3 * MIN - 1, greenReady: true });
    assert.equal(s.state.greenPercent, 10);
    s = step(config, s.state, { now: 3 * MIN, greenReady: true });
    assert.equal(s.state.greenPercent, 100);
  });

  test('nextStep: a step percent that does not divide 100 ends at 100; tenths stay tenths', () => {
    const linear = blueGreen({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 30, stepBakeTimeInMinutes: 1 } });
    let p = 0;
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) seen.push((p = nextStep(linear, i, p).percent));
    assert.deepEqual(seen, [30, 60, 90, 100]);
    assert.equal(nextStep(blueGreen({ strategy: 'LINEAR', linearConfiguration: { stepPercent: 3.3, stepBakeTimeInMinutes: 1 } }), 2, 6.6).percent, 9.9);
    assert.deepEqual(nextStep(blueGreen(), 0, 0), { percent: 100, waitMs: 0 });
    assert.deepEqual(nextStep(blueGreen({ strategy: 'CANARY', canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: 10 } }), 0, 0), { percent: 5, waitMs: 10 * MIN });
  });

  test('PRE_PRODUCTION_TRAFFIC_SHIFT hooks hold every production step until continued', () => {
    const config = blueGreen({
      strategy: 'LINEAR', linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 1 },
      lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT'], timeoutInMinutes: 30, timeoutAction: 'ROLLBACK' }],
    });
    let s = step(config, initialShift(config, 0, () => 'unused'), { greenReady: true });
    assert.equal(s.state.stage, 'PRODUCTION_TRAFFIC_SHIFT');
    assert.equal(s.state.greenPercent, 0, 'the first step waits for its hook');
    assert.deepEqual(s.state.hooks.map((h) => [h.stage, h.step, h.status]), [['PRE_PRODUCTION_TRAFFIC_SHIFT', 0, 'AWAITING_ACTION']]);
    const go = (st: typeof s.state) => ({ ...st, hooks: st.hooks.map((h) => (h.status === 'AWAITING_ACTION' ? { ...h, action: 'CONTINUE' as const } : h)) });
    s = step(config, go(s.state), { now: 1000, greenReady: true });
    assert.equal(s.state.greenPercent, 50);
    assert.equal(s.wakeAt, 1000 + MIN);
    s = step(config, s.state, { now: 1000 + MIN, greenReady: true });
    assert.equal(s.state.greenPercent, 50, 'the second step waits for a hook of its own');
    assert.deepEqual(s.state.hooks.map((h) => [h.step, h.status]), [[0, 'SUCCEEDED'], [1, 'AWAITING_ACTION']]);
    const refused = step(config, { ...s.state, hooks: s.state.hooks.map((h) => (h.status === 'AWAITING_ACTION' ? { ...h, action: 'ROLLBACK' as const } : h)) }, { now: 2000 + MIN, greenReady: true });
    assert.match((refused.outcome as { rollback: string }).rollback, /requested a rollback at stage PRE_PRODUCTION_TRAFFIC_SHIFT/, 'a step\'s ROLLBACK answer rolls back');
    assert.equal(refused.state.greenPercent, 50);
    s = step(config, go(s.state), { now: 2000 + MIN, greenReady: true });
    assert.equal(s.state.greenPercent, 100);
    assert.equal(s.state.stage, 'CLEAN_UP');
  });

  test('a PAUSE hook holds its stage until continued; a ROLLBACK answer or a timeout with ROLLBACK rolls back', () => {
    const config = blueGreen({ lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], timeoutInMinutes: 60, timeoutAction: 'ROLLBACK' }] });
    const held = step(config, initialShift(base, 0, () => 'unused'), { greenReady: true });
    assert.equal(held.state.stage, 'POST_TEST_TRAFFIC_SHIFT');
    assert.ok(held.state.testOnGreen);
    assert.equal(held.state.greenPercent, 0, 'production stays on blue while the hook waits');
    assert.deepEqual(held.state.hooks.map((h) => [h.hookId, h.stage, h.status]), [['h1', 'POST_TEST_TRAFFIC_SHIFT', 'AWAITING_ACTION']]);
    assert.equal(held.wakeAt, 60 * MIN, 'woken at the hook\'s timeout');

    const answered = (action: 'CONTINUE' | 'ROLLBACK') => ({ ...held.state, hooks: held.state.hooks.map((h) => ({ ...h, action })) });
    const continued = step(config, answered('CONTINUE'), { now: MIN, greenReady: true });
    assert.equal(continued.state.stage, 'CLEAN_UP', 'no bake time: blue goes at once');
    assert.equal(continued.state.hooks[0]!.status, 'SUCCEEDED');
    assert.equal(continued.state.greenPercent, 100);

    const rolled = step(config, answered('ROLLBACK'), { now: MIN, greenReady: true });
    assert.deepEqual(rolled.outcome, { rollback: 'Lifecycle hook h1 requested a rollback at stage POST_TEST_TRAFFIC_SHIFT.' });
    const late = step(config, held.state, { now: 60 * MIN, greenReady: true });
    assert.deepEqual(late.outcome, { rollback: 'Lifecycle hook h1 timed out at stage POST_TEST_TRAFFIC_SHIFT.' });
    assert.equal(late.state.hooks[0]!.status, 'TIMED_OUT');
  });

  test('a hook timing out with CONTINUE lets the deployment go on', () => {
    const config = blueGreen({ lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRE_SCALE_UP'], timeoutInMinutes: 1, timeoutAction: 'CONTINUE' }] });
    const withHook = initialShift(config, 0, () => 'x');
    assert.deepEqual(withHook.hooks.map((h) => [h.hookId, h.stage, h.expiresAt]), [['x', 'PRE_SCALE_UP', MIN]], 'the first stage\'s hooks wait from the start');
    assert.equal(step(config, withHook, { now: MIN - 1 }).state.stage, 'PRE_SCALE_UP');
    const after = step(config, withHook, { now: MIN });
    assert.equal(after.state.stage, 'SCALE_UP');
    assert.equal(after.state.hooks[0]!.status, 'TIMED_OUT');
  });
});
