/**
 * The ECS capacity provider operations: Fargate's two built-in providers (every account's) and
 * providers of EC2 Auto Scaling groups (Create/Update/DeleteCapacityProvider), described
 * together, and PutClusterCapacityProviders (a cluster's providers and its default strategy,
 * used by launches that name neither a launch type nor a strategy).
 */
import type {
  CapacityProvider, CreateCapacityProviderResponse, DeleteCapacityProviderResponse, DescribeCapacityProvidersResponse, PutClusterCapacityProvidersResponse,
  UpdateCapacityProviderResponse,
} from '@aws-sdk/client-ecs';
import { describeByReferences, paginate } from '../../aws/index.ts';
import { listDocs, transact } from '../../state/index.ts';
import {
  EcsErrors, FARGATE_PROVIDERS, activeCluster, fargateProvider, keys, parseArn, providerArn, providerKeys, providerNameOf, serviceKeys, stageClusterProviders,
  stageCreateProvider, stageDeleteProvider, stageUpdateProvider, toApiProvider, type AsgProviderRecord, type ClusterRecord, type EcsDeps, type Scope, type ServiceRecord,
} from '../../ecs/index.ts';
import { clusterArnOf } from './authorization.ts';
import { readCapacityProviders, readClusterCounts, readStrategy, toApiCluster } from './clusters.ts';
import { checkInt, checkItems, checkTags, need, present, scopeOf, type EcsOperationTable } from './common.ts';

/** The provider name a DescribeCapacityProviders entry names (a short name or a capacity-provider ARN in the caller's scope). */
function providerName(ref: string, scope: Scope): string | undefined {
  if (!ref.startsWith('arn:')) return ref;
  const arn = parseArn(ref);
  if (!arn || arn.resourceType !== 'capacity-provider' || arn.resource.length !== 1) return undefined;
  return arn.account === scope.account && arn.region === scope.region ? arn.resource[0] : undefined;
}

/** The capacity provider operations, bound to their dependencies. */
export function capacityProviderOperations(deps: EcsDeps): EcsOperationTable {
  return {
    CreateCapacityProvider: {
      authorization: { resources: (i, ctx) => [providerArn(scopeOf(ctx), i.name ?? '')] },
      async handler(input, ctx): Promise<CreateCapacityProviderResponse> {
        const scope = scopeOf(ctx);
        const name = present(input.name, 'name');
        if (input.managedInstancesProvider !== undefined || input.cluster !== undefined) {
          throw EcsErrors.invalidParameter('Amazon ECS Managed Instances capacity providers are not supported by Wharf: give autoScalingGroupProvider.');
        }
        const asg = need(input.autoScalingGroupProvider, 'autoScalingGroupProvider');
        const tags = checkTags(input.tags) ?? [];
        const record = await transact(deps.store, (tx) => stageCreateProvider(tx, deps.autoScalingGroups, scope, name, asg, tags, deps.clock.now()));
        return { capacityProvider: toApiProvider(record, true) };
      },
    },

    UpdateCapacityProvider: {
      authorization: { resources: (i, ctx) => [providerArn(scopeOf(ctx), providerNameOf(i.name ?? '', scopeOf(ctx)))] },
      async handler(input, ctx): Promise<UpdateCapacityProviderResponse> {
        const scope = scopeOf(ctx);
        const name = providerNameOf(present(input.name, 'name'), scope);
        if (input.managedInstancesProvider !== undefined) throw EcsErrors.invalidParameter('Amazon ECS Managed Instances capacity providers are not supported by Wharf.');
        const update = need(input.autoScalingGroupProvider, 'autoScalingGroupProvider');
        const record = await transact(deps.store, (tx) => stageUpdateProvider(tx, deps.autoScalingGroups, scope, name, update));
        return { capacityProvider: toApiProvider(record, true) };
      },
    },

    DeleteCapacityProvider: {
      authorization: { resources: (i, ctx) => [providerArn(scopeOf(ctx), providerNameOf(i.capacityProvider ?? '', scopeOf(ctx)))] },
      async handler(input, ctx): Promise<DeleteCapacityProviderResponse> {
        const scope = scopeOf(ctx);
        const ref = present(input.capacityProvider, 'capacityProvider');
        if (FARGATE_PROVIDERS.includes(ref as 'FARGATE')) throw EcsErrors.client(`The ${ref} capacity provider is reserved and cannot be deleted.`);
        const record = await transact(deps.store, (tx) => stageDeleteProvider(tx, scope, ref));
        return { capacityProvider: toApiProvider(record, true) };
      },
    },

    DescribeCapacityProviders: {
      async handler(input, ctx): Promise<DescribeCapacityProvidersResponse> {
        const scope = scopeOf(ctx);
        const refs = checkItems(input.capacityProviders, 'capacityProviders', { max: 100 });
        const maxResults = checkInt(input.maxResults, 'maxResults', { min: 1, max: 10 });
        const withTags = (input.include ?? []).includes('TAGS');
        const own = new Map((await listDocs<AsgProviderRecord>(deps.store, providerKeys.providers(scope))).map((d) => [d.value.name, d.value]));
        const shown = (name: string): CapacityProvider | undefined => {
          const asg = own.get(name);
          if (asg) return toApiProvider(asg, withTags);
          if (!(FARGATE_PROVIDERS as readonly string[]).includes(name)) return undefined;
          const p = fargateProvider(scope, name);
          if (!withTags) delete p.tags;
          return p;
        };
        if (refs?.length) {
          const { found, failures } = await describeByReferences(refs, async (ref) => {
            const name = providerName(ref, scope);
            const value = name === undefined ? undefined : shown(name);
            return { arn: value?.capacityProviderArn ?? ref, value };
          });
          return { capacityProviders: found, failures };
        }
        // A listing shows Fargate's two and the ACTIVE providers of Auto Scaling groups.
        const names = [...FARGATE_PROVIDERS, ...[...own.values()].filter((p) => p.status === 'ACTIVE').map((p) => p.name).sort()];
        const page = paginate(names, (n) => n, input.nextToken, maxResults, EcsErrors.invalidParameter, 10);
        return { capacityProviders: page.items.map((n) => shown(n)!), failures: [], nextToken: page.nextToken };
      },
    },

    PutClusterCapacityProviders: {
      authorization: { resources: (i, ctx) => [clusterArnOf(ctx, i.cluster)] },
      async handler(input, ctx): Promise<PutClusterCapacityProvidersResponse> {
        const scope = scopeOf(ctx);
        const ref = present(input.cluster, 'cluster');
        const providers = readCapacityProviders(need(input.capacityProviders, 'capacityProviders')) ?? [];
        const strategy = readStrategy(need(input.defaultCapacityProviderStrategy, 'defaultCapacityProviderStrategy'), providers) ?? [];
        if (strategy.length > 1 && !strategy.some((s) => (s.weight ?? 0) > 0)) {
          throw EcsErrors.invalidParameter('defaultCapacityProviderStrategy: at least one capacity provider must have a weight greater than 0.');
        }
        const record = await transact(deps.store, async (tx) => {
          const cluster = await activeCluster(tx, scope, ref);
          // A provider a service's strategy uses stays with the cluster, as ECS refuses to remove it.
          const removed = cluster.capacityProviders.filter((p) => !providers.includes(p));
          if (removed.length) {
            const services = (await listDocs<ServiceRecord>(deps.store, serviceKeys.services(scope, cluster.name))).map((d) => d.value);
            const user = services.find((s) => s.status !== 'INACTIVE' && s.capacityProviderStrategy?.some((i) => removed.includes(i.capacityProvider)));
            if (user) {
              const name = user.capacityProviderStrategy!.find((i) => removed.includes(i.capacityProvider))!.capacityProvider;
              throw EcsErrors.resourceInUse(`The specified capacity provider is in use and cannot be removed: service ${user.name} uses ${name}.`);
            }
          }
          await stageClusterProviders(tx, scope, cluster.name, providers);
          const updated: ClusterRecord = { ...cluster, capacityProviders: providers, defaultCapacityProviderStrategy: strategy };
          tx.put(keys.cluster(scope, cluster.name), updated);
          return updated;
        });
        return { cluster: toApiCluster(record, await readClusterCounts(deps.store, scope, record.name), ['CONFIGURATIONS', 'SETTINGS', 'TAGS']) };
      },
    },
  };
}
