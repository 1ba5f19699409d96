/** Tag operations: CreateOrUpdateTags, DeleteTags and DescribeTags (filters, paging). */
import type { Tag } from '@aws-sdk/client-auto-scaling';
import { requestTagConditions, tagKeyConditions, type RequestContext } from '../../aws/index.ts';
import * as asg from '../../autoscaling/index.ts';
import { envOf, groupArnOf, need, page, scopeOf, tagOut, type AutoScalingDeps, type AutoScalingOperationTable } from './common.ts';

const tagsIn = (tags: readonly Tag[]): asg.TagInput[] =>
  tags.map((t) => ({ resourceId: t.ResourceId, resourceType: t.ResourceType, key: t.Key ?? '', value: t.Value, propagateAtLaunch: t.PropagateAtLaunch }));

/** The tag operations. */
export function tagOperations(deps: AutoScalingDeps): AutoScalingOperationTable {
  const env = envOf(deps);
  const groupsOf = (i: { Tags?: Tag[] }, ctx: RequestContext) => Promise.all([...new Set((i.Tags ?? []).map((t) => t.ResourceId))].map((id) => groupArnOf(deps, ctx, id)));
  return {
    CreateOrUpdateTags: {
      authorization: { resources: groupsOf, conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        await asg.createOrUpdateTags(env, scopeOf(ctx), tagsIn(need(i.Tags, 'tags')));
        return {};
      },
    },
    DeleteTags: {
      authorization: { resources: groupsOf, conditions: (i) => tagKeyConditions(i.Tags?.map((t) => t.Key ?? '')) },
      handler: async (i, ctx) => {
        await asg.deleteTags(env, scopeOf(ctx), tagsIn(need(i.Tags, 'tags')));
        return {};
      },
    },
    DescribeTags: {
      handler: async (i, ctx) => {
        const all = await asg.describeTags(env, scopeOf(ctx), (i.Filters ?? []).map((f) => ({ name: f.Name ?? '', values: f.Values ?? [] })));
        const { items, nextToken } = page(all, (t) => `${t.groupName}\u0000${t.key}`, i.NextToken, i.MaxRecords, 100);
        return { Tags: items.map((t) => tagOut(t.groupName, t)), ...(nextToken ? { NextToken: nextToken } : {}) };
      },
    },
  };
}
