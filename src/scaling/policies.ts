/**
 * Scaling policies: PutScalingPolicy (create or replace), DescribeScalingPolicies,
 * DeleteScalingPolicy. A target tracking policy creates and owns two CloudWatch alarms, named
 * and shaped as AWS's: AlarmHigh (3 of 3 one-minute datapoints above the target) and AlarmLow
 * (15 of 15 below 90 % of it, only when scale-in is enabled), their period the operator's
 * `trackingPeriod` when set (10 or 30 s: high resolution); they are replaced with the policy
 * and deleted with it. A step scaling policy is run by an alarm of the user's whose actions
 * name the policy's ARN.
 */
import { deleteAlarms, putMetricAlarm, type AlarmSettings, type MetricQuery, type SeriesId } from '../metrics/index.ts';
import { getDoc, listDocs, transact } from '../state/index.ts';
import type { ScalingEnv } from './env.ts';
import { ScalingErrors } from './errors.ts';
import { scalingArns, scalingKeys, type PolicyMetric, type PolicyRecord, type Scope, type StepScalingRecord, type TargetTrackingRecord } from './records.ts';
import { getTarget, serviceOf } from './targets.ts';

/** The predefined metrics Wharf serves for ECS services: namespace, name and statistic. */
export const PREDEFINED: Record<string, { namespace: string; metricName: string; statistic: string }> = {
  ECSServiceAverageCPUUtilization: { namespace: 'AWS/ECS', metricName: 'CPUUtilization', statistic: 'Average' },
  ECSServiceAverageMemoryUtilization: { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', statistic: 'Average' },
  ALBRequestCountPerTarget: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCountPerTarget', statistic: 'Sum' },
};

/** ECS services' default cooldowns, in seconds. */
export const DEFAULT_COOLDOWN = 300;

/** The metric a predefined type reads for a service. */
export function predefinedMetric(type: string, resourceLabel: string | undefined, clusterName: string, serviceName: string): PolicyMetric {
  const p = PREDEFINED[type];
  if (!p) throw ScalingErrors.validation(`PredefinedMetricSpecification.PredefinedMetricType: ${type} is not supported for service namespace ecs; use ${Object.keys(PREDEFINED).join(', ')}.`);
  if (type !== 'ALBRequestCountPerTarget') {
    return { namespace: p.namespace, metricName: p.metricName, statistic: p.statistic, dimensions: [{ name: 'ClusterName', value: clusterName }, { name: 'ServiceName', value: serviceName }] };
  }
  const m = resourceLabel ? /^app\/[^/]+\/[^/]+\/(targetgroup\/[^/]+\/[^/]+)$/.exec(resourceLabel) : null;
  if (!m) throw ScalingErrors.validation('PredefinedMetricSpecification.ResourceLabel: ALBRequestCountPerTarget needs a resource label app/<load-balancer-name>/<load-balancer-id>/targetgroup/<target-group-name>/<target-group-id>.');
  return { namespace: p.namespace, metricName: p.metricName, statistic: p.statistic, dimensions: [{ name: 'TargetGroup', value: m[1]! }] };
}

/** What PutScalingPolicy asks, in the domain's terms. */
export interface PutPolicyRequest {
  name: string;
  resourceId: string;
  policyType: 'TargetTrackingScaling' | 'StepScaling';
  targetTracking?: Omit<TargetTrackingRecord, 'metric'> & { metric?: PolicyMetric };
  stepScaling?: StepScalingRecord;
}

function checkSteps(s: StepScalingRecord): void {
  if (s.steps.length === 0) throw ScalingErrors.validation('StepScalingPolicyConfiguration.StepAdjustments: at least one step adjustment is required.');
  const sorted = [...s.steps].sort((a, b) => (a.lower ?? -Infinity) - (b.lower ?? -Infinity));
  for (const [k, step] of sorted.entries()) {
    if (step.lower === undefined && step.upper === undefined && s.steps.length > 1) throw ScalingErrors.validation('StepScalingPolicyConfiguration.StepAdjustments: only one step adjustment may have no bounds.');
    if (step.lower !== undefined && step.upper !== undefined && step.upper <= step.lower) {
      throw ScalingErrors.validation(`StepScalingPolicyConfiguration.StepAdjustments: MetricIntervalUpperBound (${step.upper}) must be greater than MetricIntervalLowerBound (${step.lower}).`);
    }
    const next = sorted[k + 1];
    if (next && step.upper !== next.lower) throw ScalingErrors.validation('StepScalingPolicyConfiguration.StepAdjustments: step adjustments must not overlap or leave gaps between their bounds.');
  }
  if (s.minAdjustmentMagnitude !== undefined && s.adjustmentType !== 'PercentChangeInCapacity') {
    throw ScalingErrors.validation('StepScalingPolicyConfiguration.MinAdjustmentMagnitude: only valid with AdjustmentType PercentChangeInCapacity.');
  }
}

const series = (m: { namespace: string; metricName: string; dimensions: { name: string; value: string }[] }): SeriesId =>
  ({ namespace: m.namespace, metricName: m.metricName, dimensions: [...m.dimensions].sort((a, b) => (a.name < b.name ? -1 : 1)) });

/** The alarm settings of a target tracking policy's high or low alarm. */
function trackingAlarm(name: string, policyArn: string, tt: TargetTrackingRecord, kind: 'high' | 'low', period: number): AlarmSettings {
  const m = tt.metric;
  const metric: Pick<AlarmSettings, 'metric' | 'statistic' | 'period' | 'unit' | 'metrics'> = m.queries
    ? { metrics: m.queries.map((q): MetricQuery => ({
      id: q.id, ...(q.expression !== undefined ? { expression: q.expression } : {}), ...(q.label !== undefined ? { label: q.label } : {}),
      returnData: q.returnData ?? false,
      ...(q.metricStat ? { metricStat: { metric: series(q.metricStat), period, stat: q.metricStat.stat, ...(q.metricStat.unit ? { unit: q.metricStat.unit } : {}) } } : {}),
    })) }
    : { metric: series({ namespace: m.namespace!, metricName: m.metricName!, dimensions: m.dimensions ?? [] }), statistic: m.statistic ?? 'Average', period, ...(m.unit ? { unit: m.unit } : {}) };
  const periods = kind === 'high' ? 3 : 15;
  return {
    name, description: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${policyArn}.`, actionsEnabled: true,
    okActions: [], alarmActions: [policyArn], insufficientDataActions: [], ...metric,
    evaluationPeriods: periods, datapointsToAlarm: periods,
    threshold: kind === 'high' ? tt.targetValue : tt.targetValue * 0.9,
    comparisonOperator: kind === 'high' ? 'GreaterThanThreshold' : 'LessThanThreshold', tags: [],
  };
}

/** PutScalingPolicy: creates or replaces the policy (a target tracking policy's alarms with it). */
export async function putPolicy(env: ScalingEnv, scope: Scope, req: PutPolicyRequest): Promise<PolicyRecord> {
  const { clusterName, serviceName } = serviceOf(req.resourceId);
  await getTarget(env, scope, req.resourceId);
  const key = scalingKeys.policy(scope, req.resourceId, req.name);
  const existing = (await getDoc<PolicyRecord>(env.store, key))?.value;
  const uuid = existing ? /scalingPolicy:([^:]+):/.exec(existing.arn)![1]! : env.ids.uuid();
  const arn = scalingArns.policy(scope, uuid, req.resourceId, req.name);
  const base = { arn, name: req.name, resourceId: req.resourceId, policyType: req.policyType, createdAt: existing?.createdAt ?? env.clock.now() };
  let record: PolicyRecord;
  if (req.policyType === 'TargetTrackingScaling') {
    const t = req.targetTracking;
    if (!t) throw ScalingErrors.validation('TargetTrackingScalingPolicyConfiguration: a TargetTrackingScaling policy needs a TargetTrackingScalingPolicyConfiguration.');
    if (req.stepScaling) throw ScalingErrors.validation('StepScalingPolicyConfiguration: not valid for a TargetTrackingScaling policy.');
    const metric = t.predefined ? predefinedMetric(t.predefined.type, t.predefined.resourceLabel, clusterName, serviceName) : t.metric;
    if (!metric) throw ScalingErrors.validation('TargetTrackingScalingPolicyConfiguration: one of PredefinedMetricSpecification and CustomizedMetricSpecification is required.');
    const tt: TargetTrackingRecord = { ...t, metric };
    const prefix = `TargetTracking-${req.resourceId}`;
    const alarms: PolicyRecord['alarms'] = [{ name: `${prefix}-AlarmHigh-${env.ids.uuid()}`, arn: '', kind: 'high' }];
    if (!tt.disableScaleIn) alarms.push({ name: `${prefix}-AlarmLow-${env.ids.uuid()}`, arn: '', kind: 'low' });
    for (const a of alarms) a.arn = (await putMetricAlarm(env, scope, trackingAlarm(a.name, arn, tt, a.kind, env.trackingPeriod ?? 60))).arn;
    record = { ...base, targetTracking: tt, alarms, lastScaleInAt: existing?.lastScaleInAt, lastScaleOutAt: existing?.lastScaleOutAt };
  } else {
    const s = req.stepScaling;
    if (!s) throw ScalingErrors.validation('StepScalingPolicyConfiguration: a StepScaling policy needs a StepScalingPolicyConfiguration.');
    if (req.targetTracking) throw ScalingErrors.validation('TargetTrackingScalingPolicyConfiguration: not valid for a StepScaling policy.');
    checkSteps(s);
    record = { ...base, stepScaling: s, alarms: [], lastScaleInAt: existing?.lastScaleInAt, lastScaleOutAt: existing?.lastScaleOutAt };
  }
  await transact(env.store, async (tx) => { tx.put(key, record); });
  const stale = (existing?.alarms ?? []).map((a) => a.name).filter((n) => !record.alarms.some((a) => a.name === n));
  if (stale.length) await deleteAlarms(env, scope, stale);
  return record;
}

/** DescribeScalingPolicies: of one target or all, optionally by name. */
export async function describePolicies(env: Pick<ScalingEnv, 'store'>, scope: Scope, resourceId?: string, names?: readonly string[]): Promise<PolicyRecord[]> {
  const prefix = resourceId !== undefined ? scalingKeys.policies(scope, resourceId) : scalingKeys.allPolicies(scope);
  return (await listDocs<PolicyRecord>(env.store, prefix)).map((d) => d.value).filter((p) => !names?.length || names.includes(p.name));
}

/** DeleteScalingPolicy: with the alarms it owns. */
export async function deletePolicy(env: ScalingEnv, scope: Scope, resourceId: string, name: string): Promise<void> {
  serviceOf(resourceId);
  const key = scalingKeys.policy(scope, resourceId, name);
  const p = (await getDoc<PolicyRecord>(env.store, key))?.value;
  if (!p) throw ScalingErrors.policyNotFound(name, resourceId);
  if (p.alarms.length) await deleteAlarms(env, scope, p.alarms.map((a) => a.name));
  await transact(env.store, async (tx) => { tx.delete(key); });
}

/** Records when a policy scaled (its cooldowns run from it). */
export async function markScaled(env: Pick<ScalingEnv, 'store'>, scope: Scope, policy: PolicyRecord, direction: 'out' | 'in', at: number): Promise<void> {
  await transact(env.store, async (tx) => {
    const key = scalingKeys.policy(scope, policy.resourceId, policy.name);
    const p = await tx.get<PolicyRecord>(key);
    if (!p) return;
    tx.put(key, direction === 'out' ? { ...p, lastScaleOutAt: at } : { ...p, lastScaleInAt: at });
  });
}
