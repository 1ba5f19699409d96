/** Cloud Map's service operations: CreateService, GetService, ListServices, UpdateService, DeleteService, and the service attributes. */
import { requestTagConditions, type RequestContext } from '../../aws/index.ts';
import * as discovery from '../../discovery/index.ts';
import {
  dnsConfigIn, envOf, filtersIn, healthCheckIn, namespaceArnOf, need, page, scopeOf, serviceArnOf, serviceShape, tagsIn, timeKey,
  type ServiceDiscoveryDeps, type ServiceDiscoveryOperationTable,
} from './common.ts';

const onService = (i: { Id?: string }, ctx: RequestContext) => [serviceArnOf(i.Id, ctx)];
const onServiceId = (i: { ServiceId?: string }, ctx: RequestContext) => [serviceArnOf(i.ServiceId, ctx)];

/** The service operations. */
export function serviceOperations(deps: ServiceDiscoveryDeps): ServiceDiscoveryOperationTable {
  const env = envOf(deps);
  return {
    CreateService: {
      authorization: {
        resources: (i, ctx) => [namespaceArnOf(i.NamespaceId ?? i.DnsConfig?.NamespaceId, ctx)],
        conditions: (i) => requestTagConditions(i.Tags),
      },
      handler: async (i, ctx) => {
        const namespaceId = i.NamespaceId ?? i.DnsConfig?.NamespaceId;
        if (namespaceId === undefined) throw discovery.DiscoveryErrors.invalidInput('NamespaceId: the namespace to create the service in is required.');
        const service = await discovery.createService(env, scopeOf(ctx), {
          name: need(i.Name, 'name'), namespaceId, description: i.Description, creatorRequestId: i.CreatorRequestId,
          ...(i.DnsConfig ? { dnsConfig: dnsConfigIn(i.DnsConfig) } : {}),
          healthCheckConfig: healthCheckIn(i.HealthCheckConfig),
          ...(i.HealthCheckCustomConfig ? { healthCheckCustomConfig: { failureThreshold: i.HealthCheckCustomConfig.FailureThreshold ?? 1 } } : {}),
          ...(i.Type ? { type: i.Type } : {}),
          tags: tagsIn(i.Tags),
        });
        return { Service: serviceShape(service, ctx.account) };
      },
    },
    GetService: {
      authorization: { resources: onService },
      handler: async (i, ctx) => ({ Service: serviceShape(await discovery.getService(env, scopeOf(ctx), need(i.Id, 'id')), ctx.account) }),
    },
    ListServices: {
      handler: async (i, ctx) => {
        const all = await discovery.listServices(env, scopeOf(ctx), filtersIn(i.Filters));
        const p = page(all, (s) => timeKey(s.createdAt, s.id), i.NextToken, i.MaxResults);
        return {
          Services: p.items.map((s) => {
            const { NamespaceId: _ns, CreatorRequestId: _c, ...summary } = serviceShape(s, ctx.account);
            return summary;
          }),
          ...(p.nextToken ? { NextToken: p.nextToken } : {}),
        };
      },
    },
    UpdateService: {
      authorization: { resources: onService },
      handler: async (i, ctx) => {
        const change = need(i.Service, 'service');
        return {
          OperationId: await discovery.updateService(env, scopeOf(ctx), need(i.Id, 'id'), {
            description: change.Description,
            ...(change.DnsConfig ? { dnsRecords: (change.DnsConfig.DnsRecords ?? []).map((r) => ({ type: r.Type!, ttl: r.TTL! })) } : {}),
            healthCheckConfig: healthCheckIn(change.HealthCheckConfig),
          }),
        };
      },
    },
    GetServiceAttributes: {
      authorization: { resources: onServiceId },
      handler: async (i, ctx) => {
        const service = await discovery.getService(env, scopeOf(ctx), need(i.ServiceId, 'serviceId'));
        return { ServiceAttributes: { ServiceArn: service.arn, ResourceOwner: ctx.account, Attributes: service.attributes ?? {} } };
      },
    },
    UpdateServiceAttributes: {
      authorization: { resources: onServiceId },
      handler: async (i, ctx) => {
        await discovery.updateServiceAttributes(env, scopeOf(ctx), need(i.ServiceId, 'serviceId'), need(i.Attributes, 'attributes'));
        return {};
      },
    },
    DeleteServiceAttributes: {
      authorization: { resources: onServiceId },
      handler: async (i, ctx) => {
        await discovery.deleteServiceAttributes(env, scopeOf(ctx), need(i.ServiceId, 'serviceId'), need(i.Attributes, 'attributes'));
        return {};
      },
    },
    DeleteService: {
      authorization: { resources: onService },
      handler: async (i, ctx) => {
        await discovery.deleteService(env, scopeOf(ctx), need(i.Id, 'id'));
        return {};
      },
    },
  };
}
