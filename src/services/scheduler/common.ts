/**
 * What the Scheduler API's handlers share: their ports, the operation table's type, the scope of
 * a request, the ARNs operations are authorized on, paging, and records as API shapes.
 */
import { AwsError, coralValidationMessage, paginate, type OperationSpec, type RequestContext, type SchedulerOperations, type Violation } from '../../aws/index.ts';
import type { EcsParameters, GetScheduleOutput, Tag, Target } from '@aws-sdk/client-scheduler';
import type { Clock, Ids } from '../../common/index.ts';
import * as events from '../../events/index.ts';
import type { Store } from '../../state/index.ts';

/** What the Scheduler API runs on. */
export interface SchedulerDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
}

/** Some of Scheduler's operations, as one file of the adapter implements them. */
export type SchedulerOperationTable = { [K in keyof SchedulerOperations]?: OperationSpec<SchedulerOperations[K]['input'], SchedulerOperations[K]['output']> };

/** The account and region a request acts in. */
export const scopeOf = (ctx: RequestContext): events.Scope => ({ account: ctx.account, region: ctx.region });

/** The domain's environment, read when a request runs (the coverage docs build the adapter without ports). */
export const envOf = (deps: SchedulerDeps) => ({
  get store() { return deps.store; },
  get clock() { return deps.clock; },
  get ids() { return deps.ids; },
});

/** A group named by a request (the default group when absent). */
export const groupOf = (name: string | undefined) => name ?? events.DEFAULT_GROUP;

/** The schedule ARN an operation on a schedule is authorized on. */
export const onSchedule = (i: { Name?: string; GroupName?: string }, ctx: RequestContext) => [events.scheduleArn(scopeOf(ctx), groupOf(i.GroupName), i.Name ?? '')];

/** The group ARN an operation on a group is authorized on. */
export const onGroup = (i: { Name?: string }, ctx: RequestContext) => [events.scheduleGroupArn(scopeOf(ctx), i.Name ?? '')];

/** A member the model requires: present once validation passed. */
export function need<T>(value: T | undefined, member: string): T {
  if (value === undefined) throw events.SchedulerErrors.validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** One page of `items` after `token`. */
export const page = <T>(items: T[], keyOf: (item: T) => string, token: string | undefined, max: number | undefined) =>
  paginate(items, keyOf, token, max, () => events.SchedulerErrors.invalidNextToken(), 100);

export const tagsIn = (tags: readonly Tag[] | undefined): events.EventsTag[] => (tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
export const tagsOut = (tags: readonly events.EventsTag[]): Tag[] => tags.map((t) => ({ Key: t.key, Value: t.value }));

/** A task tag of EcsParameters.Tags: each map `{key, value}` (either case), or each of its entries. */
function ecsTagsIn(maps: readonly Record<string, string>[]): events.EventsTag[] {
  return maps.flatMap((m) => {
    const key = m.key ?? m.Key;
    if (key !== undefined) return [{ key, value: m.value ?? m.Value ?? '' }];
    return Object.entries(m).map(([k, value]) => ({ key: k, value }));
  });
}

function ecsIn(p: EcsParameters): events.EcsTargetParameters {
  const net = p.NetworkConfiguration?.awsvpcConfiguration;
  return {
    taskDefinitionArn: p.TaskDefinitionArn ?? '', taskCount: p.TaskCount, launchType: p.LaunchType, group: p.Group, platformVersion: p.PlatformVersion,
    propagateTags: p.PropagateTags, enableEcsManagedTags: p.EnableECSManagedTags, enableExecuteCommand: p.EnableExecuteCommand, referenceId: p.ReferenceId,
    ...(net ? { networkConfiguration: { subnets: net.Subnets ?? [], securityGroups: net.SecurityGroups, assignPublicIp: net.AssignPublicIp } } : {}),
    ...(p.Tags ? { tags: ecsTagsIn(p.Tags) } : {}),
    ...(p.CapacityProviderStrategy ? { capacityProviderStrategy: p.CapacityProviderStrategy.map((c) => ({ capacityProvider: c.capacityProvider ?? '', weight: c.weight, base: c.base })) } : {}),
    ...(p.PlacementConstraints ? { placementConstraints: p.PlacementConstraints.map((c) => ({ type: c.type, expression: c.expression })) } : {}),
    ...(p.PlacementStrategy ? { placementStrategy: p.PlacementStrategy.map((s) => ({ type: s.type, field: s.field })) } : {}),
  };
}

function ecsOut(p: events.EcsTargetParameters): EcsParameters {
  return {
    TaskDefinitionArn: p.taskDefinitionArn, TaskCount: p.taskCount, LaunchType: p.launchType as EcsParameters['LaunchType'], Group: p.group,
    PlatformVersion: p.platformVersion, PropagateTags: p.propagateTags as EcsParameters['PropagateTags'], EnableECSManagedTags: p.enableEcsManagedTags,
    EnableExecuteCommand: p.enableExecuteCommand, ReferenceId: p.referenceId,
    ...(p.networkConfiguration ? {
      NetworkConfiguration: { awsvpcConfiguration: { Subnets: p.networkConfiguration.subnets, SecurityGroups: p.networkConfiguration.securityGroups, AssignPublicIp: p.networkConfiguration.assignPublicIp as 'ENABLED' | 'DISABLED' | undefined } },
    } : {}),
    ...(p.tags ? { Tags: p.tags.map((t) => ({ key: t.key, value: t.value })) } : {}),
    ...(p.capacityProviderStrategy ? { CapacityProviderStrategy: p.capacityProviderStrategy } : {}),
    ...(p.placementConstraints ? { PlacementConstraints: p.placementConstraints as EcsParameters['PlacementConstraints'] } : {}),
    ...(p.placementStrategy ? { PlacementStrategy: p.placementStrategy as EcsParameters['PlacementStrategy'] } : {}),
  };
}

/** Target parameters Wharf does not deliver with: refused rather than kept and ignored. */
export function unservedTargetParameters(t: Target): string | undefined {
  if (t.KinesisParameters) return 'Target.KinesisParameters';
  if (t.SageMakerPipelineParameters) return 'Target.SageMakerPipelineParameters';
  if (t.SqsParameters) return 'Target.SqsParameters';
  return undefined;
}

/** SDK target → the record kept. */
export function targetIn(t: Target): events.ScheduleTargetRecord {
  return {
    arn: t.Arn ?? '', roleArn: t.RoleArn ?? '',
    ...(t.Input !== undefined ? { input: t.Input } : {}),
    ...(t.RetryPolicy ? { retryPolicy: { maximumRetryAttempts: t.RetryPolicy.MaximumRetryAttempts, maximumEventAgeInSeconds: t.RetryPolicy.MaximumEventAgeInSeconds } } : {}),
    ...(t.DeadLetterConfig?.Arn ? { deadLetterArn: t.DeadLetterConfig.Arn } : {}),
    ...(t.EcsParameters ? { ecsParameters: ecsIn(t.EcsParameters) } : {}),
    ...(t.EventBridgeParameters ? { eventBridgeParameters: { detailType: t.EventBridgeParameters.DetailType ?? '', source: t.EventBridgeParameters.Source ?? '' } } : {}),
  };
}

function targetOut(t: events.ScheduleTargetRecord): Target {
  return {
    Arn: t.arn, RoleArn: t.roleArn,
    ...(t.input !== undefined ? { Input: t.input } : {}),
    // Scheduler shows its default RetryPolicy when none was given.
    RetryPolicy: { MaximumRetryAttempts: t.retryPolicy?.maximumRetryAttempts ?? 185, MaximumEventAgeInSeconds: t.retryPolicy?.maximumEventAgeInSeconds ?? 86_400 },
    ...(t.deadLetterArn ? { DeadLetterConfig: { Arn: t.deadLetterArn } } : {}),
    ...(t.ecsParameters ? { EcsParameters: ecsOut(t.ecsParameters) } : {}),
    ...(t.eventBridgeParameters ? { EventBridgeParameters: { DetailType: t.eventBridgeParameters.detailType, Source: t.eventBridgeParameters.source } } : {}),
  };
}

/** A schedule as GetSchedule shows it. */
export function scheduleShape(s: events.ScheduleRecord): GetScheduleOutput {
  return {
    Arn: s.arn, Name: s.name, GroupName: s.groupName, ScheduleExpression: s.scheduleExpression, State: s.state,
    ...(s.timezone !== undefined ? { ScheduleExpressionTimezone: s.timezone } : {}),
    ...(s.startDate !== undefined ? { StartDate: new Date(s.startDate) } : {}),
    ...(s.endDate !== undefined ? { EndDate: new Date(s.endDate) } : {}),
    ...(s.description !== undefined ? { Description: s.description } : {}),
    ...(s.kmsKeyArn !== undefined ? { KmsKeyArn: s.kmsKeyArn } : {}),
    FlexibleTimeWindow: { Mode: s.flexibleTimeWindow.mode, ...(s.flexibleTimeWindow.maximumWindowInMinutes !== undefined ? { MaximumWindowInMinutes: s.flexibleTimeWindow.maximumWindowInMinutes } : {}) },
    ActionAfterCompletion: s.actionAfterCompletion, Target: targetOut(s.target),
    CreationDate: new Date(s.createdAt), LastModificationDate: new Date(s.updatedAt),
  };
}

/** How Scheduler words a request that breaks its model. */
export function schedulerValidationError(violations: Violation[]): AwsError {
  return events.SchedulerErrors.validation(coralValidationMessage(violations));
}
