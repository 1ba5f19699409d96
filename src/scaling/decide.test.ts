import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { combineDecisions, dueScheduledTime, stepDecision, targetTrackingDecision, type AlarmReading } from './decide.ts';
import type { PolicyRecord, ScalableTargetRecord, ScheduledActionRecord, StepScalingRecord } from './records.ts';

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const MIN = 60_000;
const target = (min = 1, max = 10, suspended = {}): ScalableTargetRecord => ({
  arn: 'arn', resourceId: 'service/c/web', clusterName: 'c', serviceName: 'web', minCapacity: min, maxCapacity: max, roleArn: 'r',
  suspended: { dynamicScalingInSuspended: false, dynamicScalingOutSuspended: false, scheduledScalingSuspended: false, ...suspended }, createdAt: T0, tags: [],
});
const tracking = (over: Partial<PolicyRecord> = {}, disableScaleIn = false): PolicyRecord => ({
  arn: 'p', name: 'cpu50', resourceId: 'service/c/web', policyType: 'TargetTrackingScaling', createdAt: T0,
  targetTracking: { targetValue: 50, metric: {}, scaleOutCooldown: 300, scaleInCooldown: 300, disableScaleIn, shown: {} },
  alarms: [{ name: 'high', arn: 'h', kind: 'high' }, { name: 'low', arn: 'l', kind: 'low' }], ...over,
});
const high = (value: number): AlarmReading[] => [{ name: 'high', state: 'ALARM', value }, { name: 'low', state: 'OK' }];
const low = (value: number): AlarmReading[] => [{ name: 'high', state: 'OK' }, { name: 'low', state: 'ALARM', value }];

describe('target tracking', () => {
  it('scales out proportionally: ceil(current × metric ÷ target)', () => {
    assert.deepEqual(targetTrackingDecision(tracking(), target(), 2, high(90), T0), { capacity: 4, direction: 'out', alarmName: 'high' });
    assert.equal(targetTrackingDecision(tracking(), target(), 3, high(60), T0)?.capacity, 4);
  });
  it('never above max nor below min', () => {
    assert.equal(targetTrackingDecision(tracking(), target(1, 5), 4, high(100), T0)?.capacity, 5);
    assert.equal(targetTrackingDecision(tracking(), target(1, 5), 5, high(100), T0), undefined, 'at max: nothing to do');
    assert.equal(targetTrackingDecision(tracking(), target(2, 5), 4, low(1), T0)?.capacity, 2);
  });
  it('honours the scale-out cooldown, then scales out again', () => {
    const p = tracking({ lastScaleOutAt: T0 });
    assert.equal(targetTrackingDecision(p, target(), 4, high(90), T0 + 4 * MIN), undefined);
    assert.equal(targetTrackingDecision(p, target(), 4, high(90), T0 + 5 * MIN)?.capacity, 8);
  });
  it('scales in back after the scale-in cooldown (counted from the last scaling either way)', () => {
    const p = tracking({ lastScaleOutAt: T0 });
    assert.equal(targetTrackingDecision(p, target(), 8, low(10), T0 + 2 * MIN), undefined);
    assert.deepEqual(targetTrackingDecision(p, target(), 8, low(10), T0 + 5 * MIN), { capacity: 2, direction: 'in', alarmName: 'low' });
  });
  it('does not scale in with DisableScaleIn, nor either way when suspended', () => {
    assert.equal(targetTrackingDecision(tracking({}, true), target(), 8, low(10), T0), undefined);
    assert.equal(targetTrackingDecision(tracking(), target(1, 10, { dynamicScalingOutSuspended: true }), 2, high(90), T0), undefined);
    assert.equal(targetTrackingDecision(tracking(), target(1, 10, { dynamicScalingInSuspended: true }), 8, low(10), T0), undefined);
  });
  it('does nothing while no alarm is in ALARM', () => {
    assert.equal(targetTrackingDecision(tracking(), target(), 2, [{ name: 'high', state: 'OK' }, { name: 'low', state: 'INSUFFICIENT_DATA' }], T0), undefined);
  });
});

describe('step scaling', () => {
  const steps = (over: Partial<StepScalingRecord> = {}): PolicyRecord => ({
    arn: 'p', name: 'steps', resourceId: 'service/c/web', policyType: 'StepScaling', createdAt: T0, alarms: [],
    stepScaling: { adjustmentType: 'ChangeInCapacity', cooldown: 60, metricAggregationType: 'Average', steps: [{ lower: 0, upper: 20, adjustment: 1 }, { lower: 20, adjustment: 3 }], ...over },
  });
  const alarm = (value?: number): AlarmReading => ({ name: 'a', state: 'ALARM', threshold: 70, ...(value !== undefined ? { value } : {}) });
  it('picks the step holding the breach', () => {
    assert.equal(stepDecision(steps(), target(), 2, alarm(80), T0)?.capacity, 3);
    assert.equal(stepDecision(steps(), target(), 2, alarm(95), T0)?.capacity, 5);
    assert.equal(stepDecision(steps(), target(), 2, alarm(), T0)?.capacity, 3, 'no value (SetAlarmState): the step at zero breach');
  });
  it('percent change with MinAdjustmentMagnitude, exact capacity, bounds', () => {
    assert.equal(stepDecision(steps({ adjustmentType: 'PercentChangeInCapacity', steps: [{ lower: 0, adjustment: 50 }] }), target(), 4, alarm(80), T0)?.capacity, 6);
    assert.equal(stepDecision(steps({ adjustmentType: 'PercentChangeInCapacity', minAdjustmentMagnitude: 2, steps: [{ lower: 0, adjustment: 10 }] }), target(), 4, alarm(80), T0)?.capacity, 6);
    assert.equal(stepDecision(steps({ adjustmentType: 'ExactCapacity', steps: [{ lower: 0, adjustment: 7 }] }), target(), 2, alarm(80), T0)?.capacity, 7);
    assert.equal(stepDecision(steps({ adjustmentType: 'ExactCapacity', steps: [{ lower: 0, adjustment: 70 }] }), target(), 2, alarm(80), T0)?.capacity, 10);
    assert.equal(stepDecision(steps({ steps: [{ upper: 0, adjustment: -1 }] }), target(), 3, alarm(50), T0)?.capacity, 2, 'scale in below the threshold');
  });
  it('waits out its cooldown', () => {
    const p = { ...steps(), lastScaleOutAt: T0 };
    assert.equal(stepDecision(p, target(), 3, alarm(80), T0 + 30_000), undefined);
    assert.equal(stepDecision(p, target(), 3, alarm(80), T0 + MIN)?.capacity, 4);
  });
});

describe('several policies on one target', () => {
  const cpu = tracking({ name: 'cpu' });
  const memory = tracking({ name: 'memory' });
  const out = (capacity: number) => ({ capacity, direction: 'out' as const, alarmName: 'a' });
  const inTo = (capacity: number) => ({ capacity, direction: 'in' as const, alarmName: 'a' });
  it('the largest scale-out wins', () => {
    assert.deepEqual(combineDecisions([{ policy: cpu, decision: out(4) }, { policy: memory, decision: out(6) }])?.decision.capacity, 6);
    assert.deepEqual(combineDecisions([{ policy: cpu, decision: out(4) }, { policy: memory, decision: inTo(1) }])?.decision, out(4));
  });
  it('scales in only when every target tracking policy that may scale in asks, to the largest capacity asked', () => {
    assert.equal(combineDecisions([{ policy: cpu, decision: inTo(2) }, { policy: memory, decision: undefined }]), undefined);
    assert.equal(combineDecisions([{ policy: cpu, decision: inTo(2) }, { policy: memory, decision: inTo(3) }])?.decision.capacity, 3);
    assert.equal(combineDecisions([{ policy: cpu, decision: inTo(2) }, { policy: tracking({ name: 'm' }, true), decision: undefined }])?.decision.capacity, 2,
      'a policy with DisableScaleIn has no say');
  });
});

describe('scheduled actions', () => {
  const action = (schedule: string, over: Partial<ScheduledActionRecord> = {}): ScheduledActionRecord => ({
    arn: 'a', name: 'night', resourceId: 'service/c/web', schedule, minCapacity: 3, createdAt: T0, ...over,
  });
  it('at(): due at its time, once', () => {
    const a = action('at(2026-06-01T12:30:00)');
    assert.equal(dueScheduledTime(a, T0 + 29 * MIN), undefined);
    assert.equal(dueScheduledTime(a, T0 + 30 * MIN), T0 + 30 * MIN);
    assert.equal(dueScheduledTime({ ...a, lastFiredFor: T0 + 30 * MIN }, T0 + 90 * MIN), undefined);
  });
  it('rate(): every period after its creation; a missed run fires once for the latest', () => {
    const a = action('rate(10 minutes)');
    assert.equal(dueScheduledTime(a, T0 + 9 * MIN), undefined);
    assert.equal(dueScheduledTime(a, T0 + 10 * MIN), T0 + 10 * MIN);
    assert.equal(dueScheduledTime({ ...a, lastFiredFor: T0 + 10 * MIN }, T0 + 35 * MIN), T0 + 30 * MIN);
  });
  it('cron() in its time zone, within StartTime/EndTime', () => {
    const a = action('cron(0 14 * * ? *)', { timezone: 'Europe/Paris' }); // 14:00 in Paris is 12:00 UTC in June
    assert.equal(dueScheduledTime({ ...a, createdAt: T0 - MIN }, T0), T0);
    assert.equal(dueScheduledTime({ ...a, createdAt: T0 - MIN, endTime: T0 - 1 }, T0), undefined);
  });
});
