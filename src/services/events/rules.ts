/**
 * Buses, rules, targets and tags: CreateEventBus, DeleteEventBus, DescribeEventBus,
 * ListEventBuses, PutRule, DescribeRule, ListRules, EnableRule, DisableRule, DeleteRule,
 * PutTargets, RemoveTargets, ListTargetsByRule, ListRuleNamesByTarget, TagResource,
 * UntagResource, ListTagsForResource.
 */
import { paginate, parseArn, requestTagConditions, tagKeyConditions, type RequestContext } from '../../aws/index.ts';
import * as events from '../../events/index.ts';
import {
  envOf, need, onBus, onRule, ruleShape, scopeOf, tagsIn, tagsOut, targetIn, targetOut, type EventsDeps, type EventsOperationTable,
} from './common.ts';

const invalidToken = () => events.EventsErrors.invalidNextToken();
const busOf = (name: string | undefined) => events.busNameOf(name);

/** Why a target cannot be taken, or undefined. */
function targetProblem(t: events.TargetRecord): string | undefined {
  const given = [t.input, t.inputPath, t.inputTransformer].filter((x) => x !== undefined).length;
  if (given > 1) return 'Only one of Input, InputPath, or InputTransformer can be provided.';
  if (t.input !== undefined) {
    try {
      JSON.parse(t.input);
    } catch {
      return 'Input is not a valid JSON text.';
    }
  }
  if (t.inputPath !== undefined && !events.isPath(t.inputPath)) return `InputPath ${t.inputPath} is not a valid JSONPath.`;
  for (const [name, path] of Object.entries(t.inputTransformer?.pathsMap ?? {})) {
    if (!events.isPath(path)) return `InputPathsMap value for ${name} is not a valid JSONPath.`;
  }
  if (t.ecsParameters && !t.roleArn) return `RoleArn is required for target ${t.arn}.`;
  return undefined;
}

/** The bus or rule a tagging ARN names. */
function tagged(arn: string, ctx: RequestContext): { bus: string; rule?: string } {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'events' || parsed.account !== ctx.account || parsed.region !== ctx.region) throw events.EventsErrors.resourceNotFound(arn);
  const [type, ...path] = parsed.resource.split('/');
  if (type === 'event-bus' && path.length === 1) return { bus: path[0]! };
  if (type === 'rule' && path.length === 1) return { bus: events.DEFAULT_BUS, rule: path[0]! };
  if (type === 'rule' && path.length === 2) return { bus: path[0]!, rule: path[1]! };
  throw events.EventsErrors.resourceNotFound(arn);
}

/** The bus and rule operations. */
export function ruleOperations(deps: EventsDeps): EventsOperationTable {
  const env = envOf(deps);
  const changeTags = (arn: string, ctx: RequestContext, change: (tags: events.EventsTag[]) => events.EventsTag[]) => {
    const { bus, rule } = tagged(arn, ctx);
    return rule === undefined
      ? events.changeBusTags(env, scopeOf(ctx), bus, change)
      : events.modifyRule(env, scopeOf(ctx), bus, rule, (r) => ({ ...r, tags: change(r.tags) })).then((r) => r.tags);
  };
  return {
    CreateEventBus: {
      authorization: { resources: onBus((i) => i.Name), conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        const bus = await events.createEventBus(env, scopeOf(ctx), { name: need(i.Name, 'name'), description: i.Description, tags: tagsIn(i.Tags), eventSourceName: i.EventSourceName });
        return { EventBusArn: bus.arn, ...(bus.description !== undefined ? { Description: bus.description } : {}) };
      },
    },
    DeleteEventBus: {
      authorization: { resources: onBus((i) => i.Name) },
      handler: async (i, ctx) => {
        await events.deleteEventBus(env, scopeOf(ctx), need(i.Name, 'name'));
        return {};
      },
    },
    DescribeEventBus: {
      authorization: { resources: onBus((i) => i.Name) },
      handler: async (i, ctx) => {
        const bus = await events.describeEventBus(env, scopeOf(ctx), busOf(i.Name));
        return {
          Name: bus.name, Arn: bus.arn, ...(bus.description !== undefined ? { Description: bus.description } : {}),
          ...(bus.createdAt !== undefined ? { CreationTime: new Date(bus.createdAt), LastModifiedTime: new Date(bus.createdAt) } : {}),
        };
      },
    },
    ListEventBuses: {
      handler: async (i, ctx) => {
        const page = paginate(await events.listEventBuses(env, scopeOf(ctx), i.NamePrefix), (b) => b.name, i.NextToken, i.Limit, invalidToken);
        return {
          EventBuses: page.items.map((b) => ({ Name: b.name, Arn: b.arn, ...(b.description !== undefined ? { Description: b.description } : {}), ...(b.createdAt !== undefined ? { CreationTime: new Date(b.createdAt) } : {}) })),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      },
    },
    PutRule: {
      authorization: { resources: onRule((i) => i.Name), conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        const rule = await events.putRule(env, scopeOf(ctx), {
          name: need(i.Name, 'name'), busName: busOf(i.EventBusName), eventPattern: i.EventPattern, scheduleExpression: i.ScheduleExpression,
          state: i.State === 'DISABLED' ? 'DISABLED' : i.State === undefined || i.State === 'ENABLED' ? i.State : (() => { throw events.EventsErrors.validation(`Rule state ${i.State} is not supported.`); })(),
          description: i.Description, roleArn: i.RoleArn, tags: tagsIn(i.Tags),
        });
        return { RuleArn: rule.arn };
      },
    },
    DescribeRule: {
      authorization: { resources: onRule((i) => i.Name) },
      handler: async (i, ctx) => {
        const rule = await events.describeRule(env, scopeOf(ctx), busOf(i.EventBusName), need(i.Name, 'name'));
        return { ...ruleShape(rule), CreatedBy: ctx.account };
      },
    },
    ListRules: {
      authorization: { resources: onBus((i) => i.EventBusName) },
      handler: async (i, ctx) => {
        const page = paginate(await events.listRules(env, scopeOf(ctx), busOf(i.EventBusName), i.NamePrefix), (r) => r.name, i.NextToken, i.Limit, invalidToken);
        return { Rules: page.items.map(ruleShape), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
      },
    },
    EnableRule: {
      authorization: { resources: onRule((i) => i.Name) },
      handler: async (i, ctx) => {
        await events.setRuleState(env, scopeOf(ctx), busOf(i.EventBusName), need(i.Name, 'name'), 'ENABLED');
        return {};
      },
    },
    DisableRule: {
      authorization: { resources: onRule((i) => i.Name) },
      handler: async (i, ctx) => {
        await events.setRuleState(env, scopeOf(ctx), busOf(i.EventBusName), need(i.Name, 'name'), 'DISABLED');
        return {};
      },
    },
    DeleteRule: {
      authorization: { resources: onRule((i) => i.Name) },
      handler: async (i, ctx) => {
        await events.deleteRule(env, scopeOf(ctx), busOf(i.EventBusName), need(i.Name, 'name'));
        return {};
      },
    },
    PutTargets: {
      authorization: { resources: onRule((i) => i.Rule) },
      handler: async (i, ctx) => {
        const targets = need(i.Targets, 'targets').map(targetIn);
        // EventBridge acts as the target's role: the caller must be allowed to pass it.
        for (const role of new Set(targets.map((t) => t.roleArn).filter((r): r is string => r !== undefined))) {
          await ctx.authorize({ action: 'iam:PassRole', resource: role });
        }
        const failed = await events.putTargets(env, scopeOf(ctx), busOf(i.EventBusName), need(i.Rule, 'rule'), targets, targetProblem);
        return { FailedEntryCount: failed.length, FailedEntries: failed.map((f) => ({ TargetId: f.targetId, ErrorCode: f.errorCode, ErrorMessage: f.errorMessage })) };
      },
    },
    RemoveTargets: {
      authorization: { resources: onRule((i) => i.Rule) },
      handler: async (i, ctx) => {
        await events.removeTargets(env, scopeOf(ctx), busOf(i.EventBusName), need(i.Rule, 'rule'), need(i.Ids, 'ids'));
        return { FailedEntryCount: 0, FailedEntries: [] };
      },
    },
    ListTargetsByRule: {
      authorization: { resources: onRule((i) => i.Rule) },
      handler: async (i, ctx) => {
        const rule = await events.describeRule(env, scopeOf(ctx), busOf(i.EventBusName), need(i.Rule, 'rule'));
        const page = paginate(rule.targets, (t) => t.id, i.NextToken, i.Limit, invalidToken);
        return { Targets: page.items.map(targetOut), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
      },
    },
    ListRuleNamesByTarget: {
      authorization: { resources: onBus((i) => i.EventBusName) },
      handler: async (i, ctx) => {
        const names = await events.ruleNamesByTarget(env, scopeOf(ctx), busOf(i.EventBusName), need(i.TargetArn, 'targetArn'));
        const page = paginate(names, (n) => n, i.NextToken, i.Limit, invalidToken);
        return { RuleNames: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
      },
    },
    TagResource: {
      authorization: { resources: (i) => [i.ResourceARN ?? '*'], conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        const added = tagsIn(need(i.Tags, 'tags'));
        await changeTags(need(i.ResourceARN, 'resourceARN'), ctx, (tags) => events.mergeTags(tags, added));
        return {};
      },
    },
    UntagResource: {
      authorization: { resources: (i) => [i.ResourceARN ?? '*'], conditions: (i) => tagKeyConditions(i.TagKeys) },
      handler: async (i, ctx) => {
        const removed = need(i.TagKeys, 'tagKeys');
        await changeTags(need(i.ResourceARN, 'resourceARN'), ctx, (tags) => tags.filter((t) => !removed.includes(t.key)));
        return {};
      },
    },
    ListTagsForResource: {
      authorization: { resources: (i) => [i.ResourceARN ?? '*'] },
      handler: async (i, ctx) => ({ Tags: tagsOut(await changeTags(need(i.ResourceARN, 'resourceARN'), ctx, (tags) => tags)) }),
    },
  };
}
