/**
 * What the Application Auto Scaling API's handlers share: their ports, the operation table's
 * type, the scope of a request, the namespace and dimension check, paging, and records as API
 * shapes.
 */
import type { ScalableTarget, ScalingActivity, ScalingPolicy, ScheduledAction } from '@aws-sdk/client-application-auto-scaling';
import {
  AwsError, coralValidationMessage, paginate, type ApplicationAutoscalingOperations, type OperationSpec, type RequestContext, type Violation,
} from '../../aws/index.ts';
import type { Clock, Ids } from '../../common/index.ts';
import * as sc from '../../scaling/index.ts';
import type { Store } from '../../state/index.ts';

/** What the API runs on. */
export interface ScalingDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  /** The ECS services scaled (the coverage docs build the adapter without it). */
  services?: sc.ServicesPort;
  /** Target tracking's alarm period in seconds (the operator's --scaling-period; 60 by default). */
  trackingPeriod?: number;
}

/** Some of the operations, as one file of the adapter implements them. */
export type ScalingOperationTable = {
  [K in keyof ApplicationAutoscalingOperations]?: OperationSpec<ApplicationAutoscalingOperations[K]['input'], ApplicationAutoscalingOperations[K]['output']>
};

/** The error for a request the model refuses. */
export const scalingValidationError = (violations: Violation[]): AwsError => new AwsError('ValidationException', coralValidationMessage(violations));

/** The account and region a request acts in. */
export const scopeOf = (ctx: RequestContext): sc.Scope => ({ account: ctx.account, region: ctx.region });

/** The domain's environment, read when a request runs. */
export const envOf = (deps: ScalingDeps): sc.ScalingEnv => ({
  get store() { return deps.store; },
  get clock() { return deps.clock; },
  get ids() { return deps.ids; },
  get services() {
    if (!deps.services) throw new AwsError('InternalServiceException', 'ECS services are not available.', 500);
    return deps.services;
  },
  get trackingPeriod() { return deps.trackingPeriod; },
});

/** Refuses what Wharf does not scale: namespaces other than ecs, dimensions other than an ECS service's desiredCount. */
export function checkEcs(i: { ServiceNamespace?: string; ScalableDimension?: string }): void {
  if (i.ServiceNamespace !== undefined && i.ServiceNamespace !== sc.ECS_NAMESPACE) {
    throw sc.ScalingErrors.validation(`ServiceNamespace: Wharf scales ECS services only; ${i.ServiceNamespace} is not supported (use ecs).`);
  }
  if (i.ScalableDimension !== undefined && i.ScalableDimension !== sc.ECS_DIMENSION) {
    throw sc.ScalingErrors.validation(`ScalableDimension: Unsupported scalable dimension ${i.ScalableDimension} for service namespace ecs; use ecs:service:DesiredCount.`);
  }
}

/** One page of `items` after `token`. */
export const page = <T>(items: T[], keyOf: (item: T) => string, token: string | undefined, max: number | undefined) =>
  paginate(items, keyOf, token, max, () => sc.ScalingErrors.invalidNextToken(), 50);

const ecs = { ServiceNamespace: 'ecs' as const, ScalableDimension: 'ecs:service:DesiredCount' as const };

/** A scalable target as DescribeScalableTargets shows it. */
export const targetShape = (t: sc.ScalableTargetRecord): ScalableTarget => ({
  ...ecs, ResourceId: t.resourceId, MinCapacity: t.minCapacity, MaxCapacity: t.maxCapacity, RoleARN: t.roleArn, CreationTime: new Date(t.createdAt),
  SuspendedState: {
    DynamicScalingInSuspended: t.suspended.dynamicScalingInSuspended, DynamicScalingOutSuspended: t.suspended.dynamicScalingOutSuspended,
    ScheduledScalingSuspended: t.suspended.scheduledScalingSuspended,
  },
  ScalableTargetARN: t.arn,
});

/** A policy as DescribeScalingPolicies shows it. */
export function policyShape(p: sc.PolicyRecord): ScalingPolicy {
  const s = p.stepScaling;
  return {
    PolicyARN: p.arn, PolicyName: p.name, ...ecs, ResourceId: p.resourceId, PolicyType: p.policyType,
    ...(s ? {
      StepScalingPolicyConfiguration: {
        AdjustmentType: s.adjustmentType, Cooldown: s.cooldown, MetricAggregationType: s.metricAggregationType,
        ...(s.minAdjustmentMagnitude !== undefined ? { MinAdjustmentMagnitude: s.minAdjustmentMagnitude } : {}),
        StepAdjustments: s.steps.map((x) => ({
          ...(x.lower !== undefined ? { MetricIntervalLowerBound: x.lower } : {}), ...(x.upper !== undefined ? { MetricIntervalUpperBound: x.upper } : {}), ScalingAdjustment: x.adjustment,
        })),
      },
    } : {}),
    ...(p.targetTracking ? { TargetTrackingScalingPolicyConfiguration: p.targetTracking.shown as never } : {}),
    Alarms: p.alarms.map((a) => ({ AlarmName: a.name, AlarmARN: a.arn })),
    CreationTime: new Date(p.createdAt),
  };
}

/** A scheduled action as DescribeScheduledActions shows it. */
export const actionShape = (a: sc.ScheduledActionRecord): ScheduledAction => ({
  ScheduledActionName: a.name, ScheduledActionARN: a.arn, ...ecs, Schedule: a.schedule, ...(a.timezone ? { Timezone: a.timezone } : {}), ResourceId: a.resourceId,
  ...(a.startTime !== undefined ? { StartTime: new Date(a.startTime) } : {}), ...(a.endTime !== undefined ? { EndTime: new Date(a.endTime) } : {}),
  ScalableTargetAction: { ...(a.minCapacity !== undefined ? { MinCapacity: a.minCapacity } : {}), ...(a.maxCapacity !== undefined ? { MaxCapacity: a.maxCapacity } : {}) },
  CreationTime: new Date(a.createdAt),
});

/** An activity as DescribeScalingActivities shows it. */
export const activityShape = (a: sc.ActivityRecord): ScalingActivity => ({
  ActivityId: a.id, ...ecs, ResourceId: a.resourceId, Description: a.description, Cause: a.cause, StartTime: new Date(a.startTime),
  ...(a.endTime !== undefined ? { EndTime: new Date(a.endTime) } : {}), StatusCode: a.statusCode, ...(a.statusMessage ? { StatusMessage: a.statusMessage } : {}),
});
