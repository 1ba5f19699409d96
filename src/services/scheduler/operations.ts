/**
 * Scheduler's operations: schedule groups (CreateScheduleGroup, GetScheduleGroup,
 * ListScheduleGroups, DeleteScheduleGroup), schedules (CreateSchedule, GetSchedule,
 * UpdateSchedule, DeleteSchedule, ListSchedules) and tags on groups (TagResource, UntagResource,
 * ListTagsForResource).
 */
import type { CreateScheduleInput, UpdateScheduleInput } from '@aws-sdk/client-scheduler';
import { parseArn, requestTagConditions, tagKeyConditions, type RequestContext } from '../../aws/index.ts';
import * as events from '../../events/index.ts';
import {
  envOf, groupOf, need, onGroup, onSchedule, page, scheduleShape, scopeOf, tagsIn, tagsOut, targetIn, unservedTargetParameters,
  type SchedulerDeps, type SchedulerOperationTable,
} from './common.ts';

const MAX_TAGS = 200;

/** A create or update request → what the domain writes (UpdateSchedule replaces every field). */
function scheduleInput(i: CreateScheduleInput | UpdateScheduleInput): events.ScheduleInput {
  const window = need(i.FlexibleTimeWindow, 'flexibleTimeWindow');
  const target = need(i.Target, 'target');
  const unserved = unservedTargetParameters(target);
  if (unserved) throw events.SchedulerErrors.validation(`${unserved} is not supported: Wharf delivers to Amazon ECS clusters and EventBridge event buses.`);
  return {
    name: need(i.Name, 'name'), groupName: groupOf(i.GroupName), scheduleExpression: need(i.ScheduleExpression, 'scheduleExpression'),
    state: i.State ?? 'ENABLED', actionAfterCompletion: i.ActionAfterCompletion ?? 'NONE',
    flexibleTimeWindow: { mode: need(window.Mode, 'flexibleTimeWindow.mode'), ...(window.MaximumWindowInMinutes !== undefined ? { maximumWindowInMinutes: window.MaximumWindowInMinutes } : {}) },
    target: targetIn(target),
    ...(i.ScheduleExpressionTimezone !== undefined ? { timezone: i.ScheduleExpressionTimezone } : {}),
    ...(i.StartDate !== undefined ? { startDate: i.StartDate.getTime() } : {}),
    ...(i.EndDate !== undefined ? { endDate: i.EndDate.getTime() } : {}),
    ...(i.Description !== undefined ? { description: i.Description } : {}),
    ...(i.KmsKeyArn !== undefined ? { kmsKeyArn: i.KmsKeyArn } : {}),
  };
}

/** The group a tagging ARN names (only groups take tags). */
function taggedGroup(arn: string, ctx: RequestContext): string {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'scheduler' || parsed.account !== ctx.account || parsed.region !== ctx.region) throw events.SchedulerErrors.resourceNotFound(arn);
  const [type, ...path] = parsed.resource.split('/');
  if (type === 'schedule-group' && path.length === 1) return path[0]!;
  if (type === 'schedule') throw events.SchedulerErrors.validation('Tags are supported on schedule groups only, not on schedules.');
  throw events.SchedulerErrors.resourceNotFound(arn);
}

/** Every Scheduler operation. */
export function schedulerOperations(deps: SchedulerDeps): SchedulerOperationTable {
  const env = envOf(deps);
  /** Scheduler acts as the target's role: the caller must be allowed to pass it. */
  const passRole = (i: CreateScheduleInput | UpdateScheduleInput, ctx: RequestContext) =>
    i.Target?.RoleArn ? ctx.authorize({ action: 'iam:PassRole', resource: i.Target.RoleArn }) : Promise.resolve();
  const changeTags = (arn: string, ctx: RequestContext, change: (tags: events.EventsTag[]) => events.EventsTag[]) =>
    events.changeGroupTags(env, scopeOf(ctx), taggedGroup(arn, ctx), change);
  return {
    CreateScheduleGroup: {
      authorization: { resources: onGroup, conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        const group = await events.createScheduleGroup(env, scopeOf(ctx), need(i.Name, 'name'), tagsIn(i.Tags));
        return { ScheduleGroupArn: group.arn };
      },
    },
    GetScheduleGroup: {
      authorization: { resources: onGroup },
      handler: async (i, ctx) => {
        const g = await events.getScheduleGroup(env, scopeOf(ctx), need(i.Name, 'name'));
        return { Arn: g.arn, Name: g.name, State: 'ACTIVE', ...(g.createdAt !== undefined ? { CreationDate: new Date(g.createdAt), LastModificationDate: new Date(g.updatedAt ?? g.createdAt) } : {}) };
      },
    },
    ListScheduleGroups: {
      authorization: { resources: () => ['*'] },
      handler: async (i, ctx) => {
        const all = await events.listScheduleGroups(env, scopeOf(ctx), i.NamePrefix);
        const { items, nextToken } = page(all, (g) => g.name, i.NextToken, i.MaxResults);
        return {
          ScheduleGroups: items.map((g) => ({
            Arn: g.arn, Name: g.name, State: 'ACTIVE' as const,
            ...(g.createdAt !== undefined ? { CreationDate: new Date(g.createdAt), LastModificationDate: new Date(g.updatedAt ?? g.createdAt) } : {}),
          })),
          ...(nextToken ? { NextToken: nextToken } : {}),
        };
      },
    },
    DeleteScheduleGroup: {
      authorization: { resources: onGroup },
      handler: async (i, ctx) => {
        await events.deleteScheduleGroup(env, scopeOf(ctx), need(i.Name, 'name'));
        return {};
      },
    },
    CreateSchedule: {
      authorization: { resources: onSchedule },
      handler: async (i, ctx) => {
        await passRole(i, ctx);
        const s = await events.createSchedule(env, scopeOf(ctx), scheduleInput(i));
        return { ScheduleArn: s.arn };
      },
    },
    UpdateSchedule: {
      authorization: { resources: onSchedule },
      handler: async (i, ctx) => {
        await passRole(i, ctx);
        const s = await events.updateSchedule(env, scopeOf(ctx), scheduleInput(i));
        return { ScheduleArn: s.arn };
      },
    },
    GetSchedule: {
      authorization: { resources: onSchedule },
      handler: async (i, ctx) => scheduleShape(await events.getSchedule(env, scopeOf(ctx), groupOf(i.GroupName), need(i.Name, 'name'))),
    },
    DeleteSchedule: {
      authorization: { resources: onSchedule },
      handler: async (i, ctx) => {
        await events.deleteSchedule(env, scopeOf(ctx), groupOf(i.GroupName), need(i.Name, 'name'));
        return {};
      },
    },
    ListSchedules: {
      authorization: { resources: () => ['*'] },
      handler: async (i, ctx) => {
        const all = await events.listSchedules(env, scopeOf(ctx), { groupName: i.GroupName, namePrefix: i.NamePrefix, state: i.State });
        const { items, nextToken } = page(all, (s) => `${s.groupName}#${s.name}`, i.NextToken, i.MaxResults);
        return {
          Schedules: items.map((s) => ({
            Arn: s.arn, Name: s.name, GroupName: s.groupName, State: s.state, CreationDate: new Date(s.createdAt), LastModificationDate: new Date(s.updatedAt),
            Target: { Arn: s.target.arn },
          })),
          ...(nextToken ? { NextToken: nextToken } : {}),
        };
      },
    },
    TagResource: {
      authorization: { resources: (i) => [i.ResourceArn ?? '*'], conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        const added = tagsIn(need(i.Tags, 'tags'));
        await changeTags(need(i.ResourceArn, 'resourceArn'), ctx, (tags) => {
          const byKey = new Map(tags.map((t) => [t.key, t]));
          for (const t of added) byKey.set(t.key, t);
          if (byKey.size > MAX_TAGS) throw events.SchedulerErrors.quota(`A schedule group can have at most ${MAX_TAGS} tags.`);
          return [...byKey.values()];
        });
        return {};
      },
    },
    UntagResource: {
      authorization: { resources: (i) => [i.ResourceArn ?? '*'], conditions: (i) => tagKeyConditions(i.TagKeys) },
      handler: async (i, ctx) => {
        const keys = new Set(need(i.TagKeys, 'tagKeys'));
        await changeTags(need(i.ResourceArn, 'resourceArn'), ctx, (tags) => tags.filter((t) => !keys.has(t.key)));
        return {};
      },
    },
    ListTagsForResource: {
      authorization: { resources: (i) => [i.ResourceArn ?? '*'] },
      handler: async (i, ctx) => ({ Tags: tagsOut(await changeTags(need(i.ResourceArn, 'resourceArn'), ctx, (tags) => tags)) }),
    },
  };
}
