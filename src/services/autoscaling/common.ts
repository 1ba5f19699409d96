/**
 * What the EC2 Auto Scaling API's handlers share: their ports, the operation table's type, the
 * scope of a request, MaxRecords/NextToken paging, IAM resources, and records as API shapes.
 */
import type { Activity, AutoScalingGroup, AutoScalingInstanceDetails, Instance, LaunchTemplateSpecification, TagDescription } from '@aws-sdk/client-auto-scaling';
import {
  AwsError, coralValidationMessage, paginate, type AutoscalingOperations, type OperationSpec, type RequestContext, type Violation,
} from '../../aws/index.ts';
import * as asg from '../../autoscaling/index.ts';
import type { Clock, Ids } from '../../common/index.ts';
import { getDoc, type Store } from '../../state/index.ts';

/** What the API runs on. */
export interface AutoScalingDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  /** EC2 instances and launch templates (without it, groups cannot be created or given a launch template). */
  instances?: asg.InstancesPort;
}

/** Some of the operations, as one file of the adapter implements them. */
export type AutoScalingOperationTable = {
  [K in keyof AutoscalingOperations]?: OperationSpec<AutoscalingOperations[K]['input'], AutoscalingOperations[K]['output']>
};

/** How the Query API words a request that breaks its model: ValidationError naming the member. */
export const autoScalingValidationError = (violations: Violation[]): AwsError => asg.AutoScalingErrors.validation(coralValidationMessage(violations));

/** The account and region a request acts in. */
export const scopeOf = (ctx: RequestContext): asg.Scope => ({ account: ctx.account, region: ctx.region });

/** The domain's environment, read when a request runs (the coverage docs build the adapter without ports). */
export const envOf = (deps: AutoScalingDeps): asg.AutoScalingEnv => ({
  get store() { return deps.store; },
  get clock() { return deps.clock; },
  get ids() { return deps.ids; },
  get instances() {
    // A refusal, not an outage: a 5xx would have the SDKs retry what cannot succeed.
    if (!deps.instances) throw asg.AutoScalingErrors.validation('EC2 instances are not available in this Wharf: Auto Scaling groups cannot be given a launch template.');
    return deps.instances;
  },
});

/** A member the model requires: present once validation passed. */
export function need<T>(value: T | undefined, member: string): T {
  if (value === undefined) throw asg.AutoScalingErrors.validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** The IAM resource of a group not (yet) there: its uuid unknown, `*`. */
export const groupResource = (ctx: RequestContext, name: string | undefined) =>
  `arn:aws:autoscaling:${ctx.region}:${ctx.account}:autoScalingGroup:*:autoScalingGroupName/${name ?? '*'}`;

/** The IAM resource of a group by name: its ARN when it exists (a policy may name its uuid), else `groupResource`. */
export async function groupArnOf(deps: AutoScalingDeps, ctx: RequestContext, name: string | undefined): Promise<string> {
  if (name === undefined) return groupResource(ctx, name);
  const g = await getDoc<asg.GroupRecord>(deps.store, asg.autoscalingKeys.group(scopeOf(ctx), name));
  return g?.value.arn ?? groupResource(ctx, name);
}

/** One page of MaxRecords after the NextToken (AWS's default 50 for groups, 100 otherwise; at most 100). */
export function page<T>(items: T[], keyOf: (item: T) => string, token: string | undefined, maxRecords: number | undefined, defaultMax: number) {
  if (maxRecords !== undefined && (maxRecords < 1 || maxRecords > 100)) {
    throw asg.AutoScalingErrors.validation(`MaxRecords: The value ${maxRecords} is not valid. It must be between 1 and 100.`);
  }
  return paginate(items, keyOf, token, maxRecords, () => asg.AutoScalingErrors.invalidNextToken(), defaultMax);
}

export const launchTemplateOut = (t: asg.LaunchTemplateSpec): LaunchTemplateSpecification => ({
  LaunchTemplateId: t.launchTemplateId, LaunchTemplateName: t.launchTemplateName, Version: t.version,
});

export const tagOut = (groupName: string, t: asg.AsgTag): TagDescription => ({
  ResourceId: groupName, ResourceType: 'auto-scaling-group', Key: t.key, Value: t.value, PropagateAtLaunch: t.propagateAtLaunch,
});

const instanceOut = (i: asg.AsgInstance): Instance => ({
  InstanceId: i.instanceId, InstanceType: i.instanceType, AvailabilityZone: i.availabilityZone, LifecycleState: i.lifecycleState,
  HealthStatus: i.healthStatus, LaunchTemplate: launchTemplateOut(i.launchTemplate), ProtectedFromScaleIn: i.protectedFromScaleIn,
});

/** A group as DescribeAutoScalingGroups shows it. */
export function groupOut(g: asg.GroupRecord): AutoScalingGroup {
  return {
    AutoScalingGroupName: g.name, AutoScalingGroupARN: g.arn, LaunchTemplate: launchTemplateOut(g.launchTemplate),
    MinSize: g.minSize, MaxSize: g.maxSize, DesiredCapacity: g.desiredCapacity, DefaultCooldown: g.defaultCooldown,
    AvailabilityZones: g.availabilityZones, LoadBalancerNames: g.loadBalancerNames, TargetGroupARNs: g.targetGroupArns,
    HealthCheckType: g.healthCheckType, HealthCheckGracePeriod: g.healthCheckGracePeriod,
    Instances: g.instances.filter((i) => i.lifecycleState !== 'Terminated').map(instanceOut),
    CreatedTime: new Date(g.createdAt), SuspendedProcesses: [], ...(g.subnets.length ? { VPCZoneIdentifier: g.subnets.join(',') } : {}),
    EnabledMetrics: [], ...(g.status ? { Status: g.status } : {}), Tags: g.tags.map((t) => tagOut(g.name, t)), TerminationPolicies: g.terminationPolicies,
    NewInstancesProtectedFromScaleIn: g.newInstancesProtectedFromScaleIn, ServiceLinkedRoleARN: g.serviceLinkedRoleArn, CapacityRebalance: g.capacityRebalance,
    ...(g.defaultInstanceWarmup !== undefined ? { DefaultInstanceWarmup: g.defaultInstanceWarmup } : {}),
    ...(g.maxInstanceLifetime !== undefined ? { MaxInstanceLifetime: g.maxInstanceLifetime } : {}),
    ...(g.context !== undefined ? { Context: g.context } : {}),
    TrafficSources: [],
  };
}

/** An instance as DescribeAutoScalingInstances shows it (its health in capitals, as AWS writes it there). */
export const instanceDetailsOut = (g: asg.GroupRecord, i: asg.AsgInstance): AutoScalingInstanceDetails => ({
  ...instanceOut(i), AutoScalingGroupName: g.name, HealthStatus: i.healthStatus.toUpperCase(),
});

/** An activity as DescribeScalingActivities shows it. */
export const activityOut = (a: asg.ActivityRecord): Activity => ({
  ActivityId: a.id, AutoScalingGroupName: a.groupName, AutoScalingGroupARN: a.groupArn, Description: a.description, Cause: a.cause,
  StartTime: new Date(a.startTime), ...(a.endTime !== undefined ? { EndTime: new Date(a.endTime) } : {}),
  StatusCode: a.statusCode, ...(a.statusMessage !== undefined ? { StatusMessage: a.statusMessage } : {}),
  Progress: a.progress, Details: JSON.stringify(a.details),
});
