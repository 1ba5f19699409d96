/**
 * What the EventBridge API's handlers share: their ports, the operation table's type, the
 * scope of a request, the ARNs operations are authorized on, and records as API shapes.
 */
import { AwsError, coralValidationMessage, type EventsOperations, type OperationSpec, type RequestContext, type Violation } from '../../aws/index.ts';
import type { Rule, Tag, Target } from '@aws-sdk/client-eventbridge';
import type { Clock, Ids } from '../../common/index.ts';
import * as events from '../../events/index.ts';
import type { Store } from '../../state/index.ts';

/** What the EventBridge API runs on. */
export interface EventsDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
}

/** Some of EventBridge's operations, as one file of the adapter implements them. */
export type EventsOperationTable = { [K in keyof EventsOperations]?: OperationSpec<EventsOperations[K]['input'], EventsOperations[K]['output']> };

/** The account and region a request acts in. */
export const scopeOf = (ctx: RequestContext): events.Scope => ({ account: ctx.account, region: ctx.region });

/** The domain's environment, read when a request runs (the coverage docs build the adapter without ports). */
export const envOf = (deps: EventsDeps) => ({
  get store() { return deps.store; },
  get clock() { return deps.clock; },
  get ids() { return deps.ids; },
});

/** The bus ARN of an operation on a bus (`EventBusName` or `Name`, by name or ARN). */
export const onBus = (pick: (i: any) => string | undefined) => (i: object, ctx: RequestContext) => [events.busArn(scopeOf(ctx), events.busNameOf(pick(i)))];

/** The rule ARN of an operation on a rule (`Name` or `Rule` with `EventBusName`). */
export const onRule = (pick: (i: any) => string | undefined) => (i: { EventBusName?: string }, ctx: RequestContext) =>
  [events.ruleArn(scopeOf(ctx), events.busNameOf(i.EventBusName), pick(i) ?? '')];

/** A required member: present once validation passed. */
export function need<T>(value: T | undefined, member: string): T {
  if (value === undefined) throw events.EventsErrors.validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

export const tagsIn = (tags: readonly Tag[] | undefined): events.EventsTag[] => (tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
export const tagsOut = (tags: readonly events.EventsTag[]): Tag[] => tags.map((t) => ({ Key: t.key, Value: t.value }));

/** A rule as DescribeRule and ListRules show it. */
export function ruleShape(r: events.RuleRecord): Rule & { CreatedBy?: string } {
  return {
    Name: r.name, Arn: r.arn, State: r.state, EventBusName: r.busName,
    ...(r.eventPattern !== undefined ? { EventPattern: r.eventPattern } : {}),
    ...(r.scheduleExpression !== undefined ? { ScheduleExpression: r.scheduleExpression } : {}),
    ...(r.description !== undefined ? { Description: r.description } : {}),
    ...(r.roleArn !== undefined ? { RoleArn: r.roleArn } : {}),
  };
}

/** SDK target → the record kept. */
export function targetIn(t: Target): events.TargetRecord {
  const ecs = t.EcsParameters;
  const net = ecs?.NetworkConfiguration?.awsvpcConfiguration;
  return {
    id: t.Id ?? '', arn: t.Arn ?? '',
    ...(t.RoleArn !== undefined ? { roleArn: t.RoleArn } : {}),
    ...(t.Input !== undefined ? { input: t.Input } : {}),
    ...(t.InputPath !== undefined ? { inputPath: t.InputPath } : {}),
    ...(t.InputTransformer ? { inputTransformer: { template: t.InputTransformer.InputTemplate ?? '', ...(t.InputTransformer.InputPathsMap ? { pathsMap: t.InputTransformer.InputPathsMap } : {}) } } : {}),
    ...(t.RetryPolicy ? { retryPolicy: { maximumRetryAttempts: t.RetryPolicy.MaximumRetryAttempts, maximumEventAgeInSeconds: t.RetryPolicy.MaximumEventAgeInSeconds } } : {}),
    ...(t.DeadLetterConfig?.Arn ? { deadLetterArn: t.DeadLetterConfig.Arn } : {}),
    ...(t.SqsParameters ? { sqsParameters: { ...(t.SqsParameters.MessageGroupId !== undefined && { messageGroupId: t.SqsParameters.MessageGroupId }) } } : {}),
    ...(ecs ? {
      ecsParameters: {
        taskDefinitionArn: ecs.TaskDefinitionArn ?? '', taskCount: ecs.TaskCount, launchType: ecs.LaunchType, group: ecs.Group, platformVersion: ecs.PlatformVersion,
        propagateTags: ecs.PropagateTags, enableEcsManagedTags: ecs.EnableECSManagedTags, enableExecuteCommand: ecs.EnableExecuteCommand, referenceId: ecs.ReferenceId,
        ...(net ? { networkConfiguration: { subnets: net.Subnets ?? [], securityGroups: net.SecurityGroups, assignPublicIp: net.AssignPublicIp } } : {}),
        ...(ecs.Tags ? { tags: tagsIn(ecs.Tags) } : {}),
      },
    } : {}),
  };
}

/** The record → SDK target, as ListTargetsByRule shows it. */
export function targetOut(t: events.TargetRecord): Target {
  const ecs = t.ecsParameters;
  return {
    Id: t.id, Arn: t.arn,
    ...(t.roleArn !== undefined ? { RoleArn: t.roleArn } : {}),
    ...(t.input !== undefined ? { Input: t.input } : {}),
    ...(t.inputPath !== undefined ? { InputPath: t.inputPath } : {}),
    ...(t.inputTransformer ? { InputTransformer: { InputTemplate: t.inputTransformer.template, ...(t.inputTransformer.pathsMap ? { InputPathsMap: t.inputTransformer.pathsMap } : {}) } } : {}),
    ...(t.retryPolicy ? { RetryPolicy: { MaximumRetryAttempts: t.retryPolicy.maximumRetryAttempts, MaximumEventAgeInSeconds: t.retryPolicy.maximumEventAgeInSeconds } } : {}),
    ...(t.deadLetterArn ? { DeadLetterConfig: { Arn: t.deadLetterArn } } : {}),
    ...(t.sqsParameters ? { SqsParameters: { ...(t.sqsParameters.messageGroupId !== undefined && { MessageGroupId: t.sqsParameters.messageGroupId }) } } : {}),
    ...(ecs ? {
      EcsParameters: {
        TaskDefinitionArn: ecs.taskDefinitionArn, TaskCount: ecs.taskCount, LaunchType: ecs.launchType as never, Group: ecs.group, PlatformVersion: ecs.platformVersion,
        PropagateTags: ecs.propagateTags as never, EnableECSManagedTags: ecs.enableEcsManagedTags, EnableExecuteCommand: ecs.enableExecuteCommand, ReferenceId: ecs.referenceId,
        ...(ecs.networkConfiguration ? { NetworkConfiguration: { awsvpcConfiguration: { Subnets: ecs.networkConfiguration.subnets, SecurityGroups: ecs.networkConfiguration.securityGroups, AssignPublicIp: ecs.networkConfiguration.assignPublicIp as never } } } : {}),
        ...(ecs.tags ? { Tags: tagsOut(ecs.tags) } : {}),
      },
    } : {}),
  };
}

/** How EventBridge words a request that breaks its model. */
export function eventsValidationError(violations: Violation[]): AwsError {
  return new AwsError('ValidationException', coralValidationMessage(violations));
}
