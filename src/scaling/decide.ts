/**
 * The scaling decisions, pure: what capacity a target tracking or step scaling policy asks for
 * given its alarms' states and latest values, the current desiredCount, the target's bounds,
 * the policy's cooldowns and the clock; and when a scheduled action is due. The scaling
 * controller reads state, calls these, and writes what they return.
 */
import { nextDueTime } from '../events/index.ts';
import type { PolicyRecord, ScalableTargetRecord, ScheduledActionRecord, StepScalingRecord } from './records.ts';

/** `n` within [min, max]. */
export const clamp = (n: number, min: number, max: number): number => Math.min(max, Math.max(min, n));

/** An alarm of a policy as the controller read it: its state and the latest value of its metric. */
export interface AlarmReading {
  name: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  /** The latest datapoint (undefined when there is none). */
  value?: number;
  threshold?: number;
}

/** A policy's decision: the new desiredCount, which way, and the alarm that triggered it. */
export interface ScalingDecision {
  capacity: number;
  direction: 'out' | 'in';
  alarmName: string;
}

const elapsed = (now: number, since: number | undefined, seconds: number) => since === undefined || now - since >= seconds * 1000;

/**
 * Target tracking: when the high alarm is in ALARM, ceil(current × metric ÷ target) after the
 * scale-out cooldown; when the low alarm is, the same proportion (ceil, so it never removes
 * more than the metric allows) after the scale-in cooldown, unless scale-in is disabled;
 * always within [min, max].
 */
export function targetTrackingDecision(
  policy: PolicyRecord, target: ScalableTargetRecord, current: number, alarms: AlarmReading[], now: number,
): ScalingDecision | undefined {
  const tt = policy.targetTracking;
  if (!tt) return undefined;
  const byKind = (kind: 'high' | 'low') => alarms.find((a) => a.name === policy.alarms.find((p) => p.kind === kind)?.name);
  const high = byKind('high');
  const low = byKind('low');
  const proportional = (value: number) => Math.ceil((current * value) / tt.targetValue - 1e-9);
  if (high?.state === 'ALARM' && high.value !== undefined && !target.suspended.dynamicScalingOutSuspended) {
    const wanted = clamp(current === 0 ? 1 : Math.max(current + 1, proportional(high.value)), target.minCapacity, target.maxCapacity);
    if (wanted > current && elapsed(now, policy.lastScaleOutAt, tt.scaleOutCooldown)) return { capacity: wanted, direction: 'out', alarmName: high.name };
    return undefined;
  }
  if (low?.state === 'ALARM' && low.value !== undefined && !tt.disableScaleIn && !target.suspended.dynamicScalingInSuspended) {
    const wanted = clamp(Math.min(current - 1, proportional(low.value)), target.minCapacity, target.maxCapacity);
    const last = Math.max(policy.lastScaleInAt ?? -Infinity, policy.lastScaleOutAt ?? -Infinity);
    if (wanted < current && elapsed(now, Number.isFinite(last) ? last : undefined, tt.scaleInCooldown)) return { capacity: wanted, direction: 'in', alarmName: low.name };
  }
  return undefined;
}

/** The step whose bounds hold `breach` (metric − threshold): [lower, upper) above the threshold, (lower, upper] below it. */
export function stepFor(steps: StepScalingRecord['steps'], breach: number) {
  return steps.find((s) => breach >= 0
    ? (s.lower === undefined || breach >= s.lower) && (s.upper === undefined || breach < s.upper)
    : (s.lower === undefined || breach > s.lower) && (s.upper === undefined || breach <= s.upper));
}

/** The capacity a step's adjustment gives from `current`, before the bounds. */
export function adjusted(step: StepScalingRecord, adjustment: number, current: number): number {
  if (step.adjustmentType === 'ExactCapacity') return adjustment;
  if (step.adjustmentType === 'ChangeInCapacity') return current + adjustment;
  // PercentChangeInCapacity: fractions of a task round away from zero below 1, toward zero above it.
  const raw = (current * adjustment) / 100;
  let change = Math.abs(raw) < 1 ? Math.sign(raw) * (raw === 0 ? 0 : 1) : Math.trunc(raw);
  const least = step.minAdjustmentMagnitude;
  if (least !== undefined && Math.abs(change) < least) change = Math.sign(adjustment) * least;
  return current + change;
}

/**
 * Step scaling: while its alarm is in ALARM, the step holding the breach (zero when the alarm
 * has no value, as when set by SetAlarmState) adjusts the capacity, once per cooldown.
 */
export function stepDecision(
  policy: PolicyRecord, target: ScalableTargetRecord, current: number, alarm: AlarmReading, now: number,
): ScalingDecision | undefined {
  const step = policy.stepScaling;
  if (!step || alarm.state !== 'ALARM') return undefined;
  const breach = alarm.value !== undefined && alarm.threshold !== undefined ? alarm.value - alarm.threshold : 0;
  const chosen = stepFor(step.steps, breach);
  if (!chosen) return undefined;
  const wanted = clamp(adjusted(step, chosen.adjustment, current), target.minCapacity, target.maxCapacity);
  if (wanted === current) return undefined;
  const direction = wanted > current ? 'out' : 'in';
  if (direction === 'out' && target.suspended.dynamicScalingOutSuspended) return undefined;
  if (direction === 'in' && target.suspended.dynamicScalingInSuspended) return undefined;
  const last = Math.max(policy.lastScaleInAt ?? -Infinity, policy.lastScaleOutAt ?? -Infinity);
  if (!elapsed(now, Number.isFinite(last) ? last : undefined, step.cooldown)) return undefined;
  return { capacity: wanted, direction, alarmName: alarm.name };
}

/** A policy's decision with the policy's kind, for combining. */
export interface PolicyDecision {
  policy: PolicyRecord;
  decision: ScalingDecision | undefined;
}

/**
 * One change from several policies' decisions on the same target, all made from the same
 * current capacity: the largest scale-out wins; without one, a scale-in happens only when every
 * target tracking policy that may scale in asks for it (AWS scales in only then), to the largest
 * capacity asked (the most conservative). Returns the policies to mark as having scaled.
 */
export function combineDecisions(decisions: PolicyDecision[]): { decision: ScalingDecision; policies: PolicyRecord[] } | undefined {
  const made = decisions.filter((d): d is { policy: PolicyRecord; decision: ScalingDecision } => d.decision !== undefined);
  const outs = made.filter((d) => d.decision.direction === 'out');
  const pick = (list: typeof made) => list.reduce((a, b) => (b.decision.capacity > a.decision.capacity ? b : a));
  if (outs.length) return { decision: pick(outs).decision, policies: outs.map((d) => d.policy) };
  const ins = made.filter((d) => d.decision.direction === 'in');
  if (!ins.length) return undefined;
  const trackers = decisions.filter((d) => d.policy.policyType === 'TargetTrackingScaling' && !d.policy.targetTracking?.disableScaleIn);
  const trackingIns = ins.filter((d) => d.policy.policyType === 'TargetTrackingScaling');
  if (trackingIns.length && trackingIns.length < trackers.length) {
    const steps = ins.filter((d) => d.policy.policyType === 'StepScaling');
    return steps.length ? { decision: pick(steps).decision, policies: steps.map((d) => d.policy) } : undefined;
  }
  return { decision: pick(ins).decision, policies: ins.map((d) => d.policy) };
}

/** The due time a scheduled action should fire for at `now`, if any: its latest due time not yet fired for. */
export function dueScheduledTime(action: ScheduledActionRecord, now: number): number | undefined {
  const timing = {
    scheduleExpression: action.schedule, timezone: action.timezone, startDate: action.startTime, endDate: action.endTime, updatedAt: action.createdAt,
  };
  const from = action.lastFiredFor ?? action.createdAt - 1;
  let due = nextDueTime(timing, from);
  if (due === undefined || due > now) return undefined;
  // Catch up to the latest due time at or before now: it fires once, for that one.
  for (let k = 0; k < 10_000; k++) {
    const next = nextDueTime(timing, due);
    if (next === undefined || next > now) break;
    due = next;
  }
  return due;
}

/** The bounds a scheduled action sets; the desiredCount is then clamped into them. */
export function scheduledBounds(target: ScalableTargetRecord, action: ScheduledActionRecord): { min: number; max: number } {
  return { min: action.minCapacity ?? target.minCapacity, max: action.maxCapacity ?? target.maxCapacity };
}
