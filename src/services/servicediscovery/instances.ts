/**
 * Cloud Map's instance operations: RegisterInstance, DeregisterInstance, GetInstance,
 * ListInstances, DiscoverInstances, DiscoverInstancesRevision, GetInstancesHealthStatus,
 * UpdateInstanceCustomHealthStatus.
 */
import type { RequestContext } from '../../aws/index.ts';
import * as discovery from '../../discovery/index.ts';
import { envOf, need, page, scopeOf, serviceArnOf, type ServiceDiscoveryDeps, type ServiceDiscoveryOperationTable } from './common.ts';

const onService = (i: { ServiceId?: string }, ctx: RequestContext) => [serviceArnOf(i.ServiceId, ctx)];

/** DiscoverInstances' condition keys. */
const discoverConditions = (i: { NamespaceName?: string; ServiceName?: string }) => ({
  'servicediscovery:NamespaceName': i.NamespaceName, 'servicediscovery:ServiceName': i.ServiceName,
});

/** The instance operations. */
export function instanceOperations(deps: ServiceDiscoveryDeps): ServiceDiscoveryOperationTable {
  const env = envOf(deps);
  return {
    RegisterInstance: {
      authorization: { resources: onService },
      handler: async (i, ctx) => ({
        OperationId: await discovery.registerInstance(env, scopeOf(ctx), {
          serviceId: need(i.ServiceId, 'serviceId'), instanceId: need(i.InstanceId, 'instanceId'), creatorRequestId: i.CreatorRequestId,
          attributes: need(i.Attributes, 'attributes'),
        }),
      }),
    },
    DeregisterInstance: {
      authorization: { resources: onService },
      handler: async (i, ctx) => ({
        OperationId: await discovery.deregisterInstance(env, scopeOf(ctx), need(i.ServiceId, 'serviceId'), need(i.InstanceId, 'instanceId')),
      }),
    },
    GetInstance: {
      authorization: { resources: onService },
      handler: async (i, ctx) => {
        const { instance } = await discovery.getInstance(env, scopeOf(ctx), need(i.ServiceId, 'serviceId'), need(i.InstanceId, 'instanceId'));
        return {
          ResourceOwner: ctx.account,
          Instance: {
            Id: instance.id, ...(instance.creatorRequestId !== undefined ? { CreatorRequestId: instance.creatorRequestId } : {}),
            Attributes: instance.attributes, CreatedByAccount: ctx.account,
          },
        };
      },
    },
    ListInstances: {
      authorization: { resources: onService },
      handler: async (i, ctx) => {
        const { instances } = await discovery.serviceInstances(env, scopeOf(ctx), need(i.ServiceId, 'serviceId'));
        const p = page(instances, (x) => x.id, i.NextToken, i.MaxResults);
        return {
          ResourceOwner: ctx.account,
          Instances: p.items.map((x) => ({ Id: x.id, Attributes: x.attributes, CreatedByAccount: ctx.account })),
          ...(p.nextToken ? { NextToken: p.nextToken } : {}),
        };
      },
    },
    DiscoverInstances: {
      authorization: { conditions: discoverConditions },
      handler: async (i, ctx) => {
        const { service, found } = await discovery.discoverInstances(env, scopeOf(ctx), {
          namespaceName: need(i.NamespaceName, 'namespaceName'), serviceName: need(i.ServiceName, 'serviceName'), maxResults: i.MaxResults,
          queryParameters: i.QueryParameters, optionalParameters: i.OptionalParameters, healthStatus: i.HealthStatus,
        });
        return {
          Instances: found.map((f) => ({
            InstanceId: f.instance.id, NamespaceName: service.namespaceName, ServiceName: service.name, HealthStatus: f.health, Attributes: f.instance.attributes,
          })),
          InstancesRevision: service.instancesRevision,
        };
      },
    },
    DiscoverInstancesRevision: {
      authorization: { conditions: discoverConditions },
      handler: async (i, ctx) => ({
        InstancesRevision: await discovery.instancesRevision(env, scopeOf(ctx), need(i.NamespaceName, 'namespaceName'), need(i.ServiceName, 'serviceName')),
      }),
    },
    GetInstancesHealthStatus: {
      authorization: { resources: onService },
      handler: async (i, ctx) => {
        const { service, instances } = await discovery.serviceInstances(env, scopeOf(ctx), need(i.ServiceId, 'serviceId'));
        let asked = instances;
        if (i.Instances) {
          const missing = i.Instances.find((id) => !instances.some((x) => x.id === id));
          if (missing !== undefined) throw discovery.DiscoveryErrors.instanceNotFound(missing);
          asked = instances.filter((x) => i.Instances!.includes(x.id));
        }
        const p = page(asked, (x) => x.id, i.NextToken, i.MaxResults);
        return {
          Status: Object.fromEntries(p.items.map((x) => [x.id, discovery.healthOf(service, x)])),
          ...(p.nextToken ? { NextToken: p.nextToken } : {}),
        };
      },
    },
    UpdateInstanceCustomHealthStatus: {
      authorization: { resources: onService },
      handler: async (i, ctx) => {
        await discovery.updateCustomHealth(env, scopeOf(ctx), need(i.ServiceId, 'serviceId'), need(i.InstanceId, 'instanceId'), need(i.Status, 'status'));
        return {};
      },
    },
  };
}
