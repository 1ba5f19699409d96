/**
 * Cloud Map's namespace operations (create of the three kinds, get, list, update, delete), the
 * operations they return (GetOperation, ListOperations) and the tag operations.
 */
import { requestTagConditions, tagKeyConditions, type RequestContext } from '../../aws/index.ts';
import * as discovery from '../../discovery/index.ts';
import {
  envOf, filtersIn, namespaceArnOf, namespaceShape, need, operationShape, page, scopeOf, tagsIn, tagsOut, timeKey,
  type ServiceDiscoveryDeps, type ServiceDiscoveryOperationTable,
} from './common.ts';

const onNamespace = (i: { Id?: string }, ctx: RequestContext) => [namespaceArnOf(i.Id, ctx)];

/** The namespace, operation and tag operations. */
export function namespaceOperations(deps: ServiceDiscoveryDeps): ServiceDiscoveryOperationTable {
  const env = envOf(deps);
  const create = async (ctx: RequestContext, req: discovery.CreateNamespaceRequest) => ({ OperationId: await discovery.createNamespace(env, scopeOf(ctx), req) });
  /** UpdatePrivateDnsNamespace and UpdatePublicDnsNamespace: the description and the SOA's TTL. */
  const updateDns = (type: 'DNS_PRIVATE' | 'DNS_PUBLIC') =>
    async (i: { Id?: string; Namespace?: { Description?: string; Properties?: { DnsProperties?: { SOA?: { TTL?: number } } } } }, ctx: RequestContext) => {
      const change = need(i.Namespace, 'namespace');
      return {
        OperationId: await discovery.updateNamespace(env, scopeOf(ctx), need(i.Id, 'id'), { type, description: change.Description, soaTtl: change.Properties?.DnsProperties?.SOA?.TTL }),
      };
    };
  return {
    CreateHttpNamespace: {
      authorization: { conditions: (i) => requestTagConditions(i.Tags) },
      handler: (i, ctx) => create(ctx, { type: 'HTTP', name: need(i.Name, 'name'), description: i.Description, creatorRequestId: i.CreatorRequestId, tags: tagsIn(i.Tags) }),
    },
    CreatePrivateDnsNamespace: {
      authorization: { conditions: (i) => requestTagConditions(i.Tags) },
      handler: (i, ctx) => create(ctx, {
        type: 'DNS_PRIVATE', name: need(i.Name, 'name'), vpcId: need(i.Vpc, 'vpc'), description: i.Description, creatorRequestId: i.CreatorRequestId,
        soaTtl: i.Properties?.DnsProperties?.SOA?.TTL, tags: tagsIn(i.Tags),
      }),
    },
    CreatePublicDnsNamespace: {
      authorization: { conditions: (i) => requestTagConditions(i.Tags) },
      handler: (i, ctx) => create(ctx, {
        type: 'DNS_PUBLIC', name: need(i.Name, 'name'), description: i.Description, creatorRequestId: i.CreatorRequestId,
        soaTtl: i.Properties?.DnsProperties?.SOA?.TTL, tags: tagsIn(i.Tags),
      }),
    },
    GetNamespace: {
      authorization: { resources: onNamespace },
      handler: async (i, ctx) => ({ Namespace: namespaceShape(await discovery.getNamespace(env, scopeOf(ctx), need(i.Id, 'id')), ctx.account) }),
    },
    ListNamespaces: {
      handler: async (i, ctx) => {
        const all = await discovery.listNamespaces(env, scopeOf(ctx), filtersIn(i.Filters));
        const p = page(all, (n) => timeKey(n.createdAt, n.id), i.NextToken, i.MaxResults);
        return { Namespaces: p.items.map((n) => namespaceShape(n, ctx.account)), ...(p.nextToken ? { NextToken: p.nextToken } : {}) };
      },
    },
    UpdateHttpNamespace: {
      authorization: { resources: onNamespace },
      handler: async (i, ctx) => ({
        OperationId: await discovery.updateNamespace(env, scopeOf(ctx), need(i.Id, 'id'), { type: 'HTTP', description: need(i.Namespace, 'namespace').Description }),
      }),
    },
    UpdatePrivateDnsNamespace: { authorization: { resources: onNamespace }, handler: updateDns('DNS_PRIVATE') },
    UpdatePublicDnsNamespace: { authorization: { resources: onNamespace }, handler: updateDns('DNS_PUBLIC') },
    DeleteNamespace: {
      authorization: { resources: onNamespace },
      handler: async (i, ctx) => ({ OperationId: await discovery.deleteNamespace(env, scopeOf(ctx), need(i.Id, 'id')) }),
    },
    GetOperation: {
      handler: async (i, ctx) => ({ Operation: operationShape(await discovery.getOperation(env, scopeOf(ctx), need(i.OperationId, 'operationId')), ctx.account) }),
    },
    ListOperations: {
      handler: async (i, ctx) => {
        const all = await discovery.listOperations(env, scopeOf(ctx), filtersIn(i.Filters));
        // Newest first: the key counts down in time.
        const p = page(all, (o) => timeKey(Number.MAX_SAFE_INTEGER - o.createdAt, o.id), i.NextToken, i.MaxResults);
        return { Operations: p.items.map((o) => ({ Id: o.id, Status: o.status })), ...(p.nextToken ? { NextToken: p.nextToken } : {}) };
      },
    },
    TagResource: {
      authorization: { resources: (i) => [i.ResourceARN ?? '*'], conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        await discovery.tagResource(env, scopeOf(ctx), need(i.ResourceARN, 'resourceARN'), tagsIn(need(i.Tags, 'tags')));
        return {};
      },
    },
    UntagResource: {
      authorization: { resources: (i) => [i.ResourceARN ?? '*'], conditions: (i) => tagKeyConditions(i.TagKeys) },
      handler: async (i, ctx) => {
        await discovery.untagResource(env, scopeOf(ctx), need(i.ResourceARN, 'resourceARN'), need(i.TagKeys, 'tagKeys'));
        return {};
      },
    },
    ListTagsForResource: {
      authorization: { resources: (i) => [i.ResourceARN ?? '*'] },
      handler: async (i, ctx) => ({ Tags: tagsOut(await discovery.listTags(env, scopeOf(ctx), need(i.ResourceARN, 'resourceARN'))) }),
    },
  };
}
