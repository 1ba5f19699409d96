/** Tags on any of the network's resources: CreateTags, DeleteTags, DescribeTags. */
import { requestTagConditions, tagKeyConditions, type RequestContext } from '../../aws/index.ts';
import * as instances from '../../instances/index.ts';
import * as network from '../../network/index.ts';
import { arn, filtersIn, need, page, scopeOf, tagsIn, type Ec2Deps, type Ec2OperationTable } from './common.ts';

/** The ARN of each resource a tag request names, by the type its id says (unknown ids as `*`, refused by the handler). */
const resourceArns = (i: { Resources?: string[] }, ctx: RequestContext): string[] =>
  (i.Resources ?? []).map((id) => {
    const type = network.resourceTypeOf(id) ?? (instances.isInstanceId(id) ? 'instance' : undefined);
    return type ? arn(ctx, type, id) : '*';
  });

/** Instances' tags, kept in their records, beside the network's. */
function instanceTags(deps: Ec2Deps, scope: network.Scope): network.TaggedElsewhere {
  return {
    retag: (tx, id, change) => instances.retagInstance(tx, scope, id, change, deps.clock.now()),
    rows: async () => (await instances.instanceTagRows(deps.store, scope, deps.clock.now())).map((r) => ({ ...r, resourceType: 'instance' as const })),
  };
}

/** Tags. */
export function tagOperations(deps: Ec2Deps): Ec2OperationTable {
  return {
    CreateTags: {
      authorization: { resources: resourceArns, conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        await network.createTags(deps.store, scope, need(i.Resources, 'ResourceId'), tagsIn(need(i.Tags, 'Tag')), instanceTags(deps, scope));
        return {};
      },
    },
    DeleteTags: {
      authorization: { resources: resourceArns, conditions: (i) => tagKeyConditions(i.Tags?.flatMap((t) => (t.Key !== undefined ? [t.Key] : []))) },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const removals = i.Tags?.map((t) => ({ key: t.Key ?? '', value: t.Value }));
        await network.deleteTags(deps.store, scope, need(i.Resources, 'ResourceId'), removals, instanceTags(deps, scope));
        return {};
      },
    },
    DescribeTags: {
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        if (i.MaxResults !== undefined && (i.MaxResults < 5 || i.MaxResults > 1000)) {
          throw network.Ec2Errors.invalidParameterValue(`Value ( ${i.MaxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
        }
        const tags = await network.describeTags(deps.store, scope, filtersIn(i.Filters), instanceTags(deps, scope));
        const { items, NextToken } = page(tags, (t) => `${t.resourceId}\u0000${t.key}`, i);
        return {
          Tags: items.map((t) => ({ Key: t.key, ResourceId: t.resourceId, ResourceType: t.resourceType, Value: t.value })),
          ...(NextToken ? { NextToken } : {}),
        };
      },
    },
  };
}
