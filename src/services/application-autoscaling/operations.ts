/**
 * Application Auto Scaling's operations over the scaling domain: scalable targets, scaling
 * policies, scheduled actions, activities and tags, for ECS services.
 */
import type { PutScalingPolicyRequest, TargetTrackingScalingPolicyConfiguration } from '@aws-sdk/client-application-auto-scaling';
import { requestTagConditions, tagKeyConditions, type RequestContext } from '../../aws/index.ts';
import * as sc from '../../scaling/index.ts';
import {
  actionShape, activityShape, checkEcs, envOf, page, policyShape, scopeOf, targetShape, type ScalingDeps, type ScalingOperationTable,
} from './common.ts';

const tagsIn = (tags: Record<string, string> | undefined): sc.ScalingTag[] => Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));
const tagsOut = (tags: readonly sc.ScalingTag[]): Record<string, string> => Object.fromEntries(tags.map((t) => [t.key, t.value]));
const onTarget = (i: { ResourceARN?: string }, _ctx: RequestContext) => [i.ResourceARN ?? '*'];

/** PutScalingPolicy's target tracking configuration in the domain's terms. */
function trackingIn(c: TargetTrackingScalingPolicyConfiguration | undefined): sc.PutPolicyRequest['targetTracking'] {
  if (!c) return undefined;
  const p = c.PredefinedMetricSpecification;
  const m = c.CustomizedMetricSpecification;
  if (p && m) throw sc.ScalingErrors.validation('TargetTrackingScalingPolicyConfiguration: specify PredefinedMetricSpecification or CustomizedMetricSpecification, not both.');
  if (m && m.Metrics && m.MetricName) throw sc.ScalingErrors.validation('CustomizedMetricSpecification: specify MetricName or Metrics, not both.');
  if (m && !m.Metrics && (!m.MetricName || !m.Namespace || !m.Statistic)) {
    throw sc.ScalingErrors.validation(`CustomizedMetricSpecification.${!m.MetricName ? 'MetricName' : !m.Namespace ? 'Namespace' : 'Statistic'}: required for a customized metric without Metrics.`);
  }
  if (m?.Metrics && m.Metrics.filter((q) => q.ReturnData !== false).length !== 1) {
    throw sc.ScalingErrors.validation('CustomizedMetricSpecification.Metrics: exactly one metric data query must return data (ReturnData true).');
  }
  const metric: sc.PolicyMetric | undefined = m ? (m.Metrics
    ? { queries: m.Metrics.map((q) => ({
      id: q.Id!, ...(q.Expression !== undefined ? { expression: q.Expression } : {}), ...(q.Label !== undefined ? { label: q.Label } : {}),
      returnData: q.ReturnData ?? true,
      ...(q.MetricStat ? { metricStat: {
        namespace: q.MetricStat.Metric?.Namespace ?? '', metricName: q.MetricStat.Metric?.MetricName ?? '',
        dimensions: (q.MetricStat.Metric?.Dimensions ?? []).map((d) => ({ name: d.Name!, value: d.Value! })), stat: q.MetricStat.Stat!,
        ...(q.MetricStat.Unit ? { unit: q.MetricStat.Unit } : {}),
      } } : {}),
    })) }
    : { namespace: m.Namespace, metricName: m.MetricName, statistic: m.Statistic, dimensions: (m.Dimensions ?? []).map((d) => ({ name: d.Name!, value: d.Value! })), ...(m.Unit ? { unit: m.Unit } : {}) })
    : undefined;
  if (!p && !metric) throw sc.ScalingErrors.validation('TargetTrackingScalingPolicyConfiguration: one of PredefinedMetricSpecification and CustomizedMetricSpecification is required.');
  const shown = { ...c, ScaleOutCooldown: c.ScaleOutCooldown ?? sc.DEFAULT_COOLDOWN, ScaleInCooldown: c.ScaleInCooldown ?? sc.DEFAULT_COOLDOWN, DisableScaleIn: c.DisableScaleIn ?? false };
  return {
    targetValue: c.TargetValue!, ...(p ? { predefined: { type: p.PredefinedMetricType!, ...(p.ResourceLabel ? { resourceLabel: p.ResourceLabel } : {}) } } : {}),
    ...(metric ? { metric } : {}),
    scaleOutCooldown: shown.ScaleOutCooldown, scaleInCooldown: shown.ScaleInCooldown, disableScaleIn: shown.DisableScaleIn, shown: shown as Record<string, unknown>,
  };
}

function stepIn(i: PutScalingPolicyRequest): sc.StepScalingRecord | undefined {
  const s = i.StepScalingPolicyConfiguration;
  if (!s) return undefined;
  if (!s.AdjustmentType) throw sc.ScalingErrors.validation('StepScalingPolicyConfiguration.AdjustmentType: required.');
  return {
    adjustmentType: s.AdjustmentType, cooldown: s.Cooldown ?? sc.DEFAULT_COOLDOWN, metricAggregationType: s.MetricAggregationType ?? 'Average',
    ...(s.MinAdjustmentMagnitude !== undefined ? { minAdjustmentMagnitude: s.MinAdjustmentMagnitude } : {}),
    steps: (s.StepAdjustments ?? []).map((x) => ({
      ...(x.MetricIntervalLowerBound !== undefined ? { lower: x.MetricIntervalLowerBound } : {}),
      ...(x.MetricIntervalUpperBound !== undefined ? { upper: x.MetricIntervalUpperBound } : {}), adjustment: x.ScalingAdjustment!,
    })),
  };
}

/** Every operation. */
export function scalingOperations(deps: ScalingDeps): ScalingOperationTable {
  const env = envOf(deps);
  return {
    RegisterScalableTarget: {
      authorization: { conditions: (i) => requestTagConditions(tagsIn(i.Tags).map((t) => ({ Key: t.key, Value: t.value }))) },
      handler: async (i, ctx) => {
        checkEcs(i);
        const s = i.SuspendedState;
        const t = await sc.registerTarget(env, scopeOf(ctx), {
          resourceId: i.ResourceId!, ...(i.MinCapacity !== undefined ? { minCapacity: i.MinCapacity } : {}), ...(i.MaxCapacity !== undefined ? { maxCapacity: i.MaxCapacity } : {}),
          ...(i.RoleARN !== undefined ? { roleArn: i.RoleARN } : {}), tags: tagsIn(i.Tags),
          ...(s ? { suspended: {
            ...(s.DynamicScalingInSuspended !== undefined ? { dynamicScalingInSuspended: s.DynamicScalingInSuspended } : {}),
            ...(s.DynamicScalingOutSuspended !== undefined ? { dynamicScalingOutSuspended: s.DynamicScalingOutSuspended } : {}),
            ...(s.ScheduledScalingSuspended !== undefined ? { scheduledScalingSuspended: s.ScheduledScalingSuspended } : {}),
          } } : {}),
        });
        return { ScalableTargetARN: t.arn };
      },
    },
    DescribeScalableTargets: {
      handler: async (i, ctx) => {
        checkEcs(i);
        const all = await sc.describeTargets(env, scopeOf(ctx), i.ResourceIds);
        const p = page(all, (t) => t.resourceId, i.NextToken, i.MaxResults);
        return { ScalableTargets: p.items.map(targetShape), ...(p.nextToken ? { NextToken: p.nextToken } : {}) };
      },
    },
    DeregisterScalableTarget: {
      handler: async (i, ctx) => {
        checkEcs(i);
        await sc.deregisterTarget(env, scopeOf(ctx), i.ResourceId!);
        return {};
      },
    },
    PutScalingPolicy: {
      handler: async (i, ctx) => {
        checkEcs(i);
        const type = i.PolicyType ?? 'StepScaling';
        if (type !== 'TargetTrackingScaling' && type !== 'StepScaling') {
          throw sc.ScalingErrors.validation(`PolicyType: ${type} is not supported for ECS services; use TargetTrackingScaling or StepScaling.`);
        }
        const tracking = trackingIn(i.TargetTrackingScalingPolicyConfiguration);
        const step = stepIn(i);
        const p = await sc.putPolicy(env, scopeOf(ctx), {
          name: i.PolicyName!, resourceId: i.ResourceId!, policyType: type,
          ...(tracking ? { targetTracking: tracking } : {}), ...(step ? { stepScaling: step } : {}),
        });
        return { PolicyARN: p.arn, Alarms: p.alarms.map((a) => ({ AlarmName: a.name, AlarmARN: a.arn })) };
      },
    },
    DescribeScalingPolicies: {
      handler: async (i, ctx) => {
        checkEcs(i);
        const all = await sc.describePolicies(env, scopeOf(ctx), i.ResourceId, i.PolicyNames);
        const p = page(all, (x) => `${x.resourceId}/${x.name}`, i.NextToken, i.MaxResults);
        return { ScalingPolicies: p.items.map(policyShape), ...(p.nextToken ? { NextToken: p.nextToken } : {}) };
      },
    },
    DeleteScalingPolicy: {
      handler: async (i, ctx) => {
        checkEcs(i);
        await sc.deletePolicy(env, scopeOf(ctx), i.ResourceId!, i.PolicyName!);
        return {};
      },
    },
    PutScheduledAction: {
      handler: async (i, ctx) => {
        checkEcs(i);
        const a = i.ScalableTargetAction;
        await sc.putScheduledAction(env, scopeOf(ctx), {
          name: i.ScheduledActionName!, resourceId: i.ResourceId!,
          ...(i.Schedule !== undefined ? { schedule: i.Schedule } : {}), ...(i.Timezone !== undefined ? { timezone: i.Timezone } : {}),
          ...(i.StartTime !== undefined ? { startTime: i.StartTime.getTime() } : {}), ...(i.EndTime !== undefined ? { endTime: i.EndTime.getTime() } : {}),
          ...(a?.MinCapacity !== undefined ? { minCapacity: a.MinCapacity } : {}), ...(a?.MaxCapacity !== undefined ? { maxCapacity: a.MaxCapacity } : {}),
        });
        return {};
      },
    },
    DescribeScheduledActions: {
      handler: async (i, ctx) => {
        checkEcs(i);
        const all = await sc.describeScheduledActions(env, scopeOf(ctx), i.ResourceId, i.ScheduledActionNames);
        const p = page(all, (x) => `${x.resourceId}/${x.name}`, i.NextToken, i.MaxResults);
        return { ScheduledActions: p.items.map(actionShape), ...(p.nextToken ? { NextToken: p.nextToken } : {}) };
      },
    },
    DeleteScheduledAction: {
      handler: async (i, ctx) => {
        checkEcs(i);
        await sc.deleteScheduledAction(env, scopeOf(ctx), i.ResourceId!, i.ScheduledActionName!);
        return {};
      },
    },
    DescribeScalingActivities: {
      handler: async (i, ctx) => {
        checkEcs(i);
        const all = await sc.listActivities(env, scopeOf(ctx), i.ResourceId);
        const p = page(all, (x) => `${String(x.startTime).padStart(15, '0')}-${x.id}`, i.NextToken, i.MaxResults);
        return { ScalingActivities: p.items.map(activityShape), ...(p.nextToken ? { NextToken: p.nextToken } : {}) };
      },
    },
    TagResource: {
      authorization: { resources: onTarget, conditions: (i) => requestTagConditions(tagsIn(i.Tags).map((t) => ({ Key: t.key, Value: t.value }))) },
      handler: async (i, ctx) => {
        await sc.tagTarget(env, scopeOf(ctx), i.ResourceARN!, tagsIn(i.Tags));
        return {};
      },
    },
    UntagResource: {
      authorization: { resources: onTarget, conditions: (i) => tagKeyConditions(i.TagKeys) },
      handler: async (i, ctx) => {
        await sc.untagTarget(env, scopeOf(ctx), i.ResourceARN!, i.TagKeys ?? []);
        return {};
      },
    },
    ListTagsForResource: {
      authorization: { resources: onTarget },
      handler: async (i, ctx) => ({ Tags: tagsOut(await sc.targetTags(env, scopeOf(ctx), i.ResourceARN!)) }),
    },
  };
}
