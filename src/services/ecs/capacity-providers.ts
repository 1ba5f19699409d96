/**
 * The ECS capacity provider operations Wharf has: DescribeCapacityProviders (Fargate's two
 * built-in providers, which every account has) and PutClusterCapacityProviders (a cluster's
 * providers and its default strategy, used by launches that name neither a launch type nor a
 * strategy). Providers backed by Auto Scaling groups are not there yet.
 */
import type { DescribeCapacityProvidersResponse, PutClusterCapacityProvidersResponse } from '@aws-sdk/client-ecs';
import { describeByReferences, paginate } from '../../aws/index.ts';
import { listDocs, transact } from '../../state/index.ts';
import {
  EcsErrors, FARGATE_PROVIDERS, activeCluster, fargateProvider, keys, parseArn, serviceKeys, type ClusterRecord, type EcsDeps, type Scope, type ServiceRecord,
} from '../../ecs/index.ts';
import { clusterArnOf } from './authorization.ts';
import { readCapacityProviders, readClusterCounts, readStrategy, toApiCluster } from './clusters.ts';
import { checkInt, checkItems, need, present, scopeOf, type EcsOperationTable } from './common.ts';

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
    DescribeCapacityProviders: {
      async handler(input, ctx): Promise<DescribeCapacityProvidersResponse> {
        const scope = scopeOf(ctx);
        const refs = checkItems(input.capacityProviders, 'capacityProviders', { max: 100 });
        const maxResults = checkInt(input.maxResults, 'maxResults', { min: 1, max: 10 });
        const withTags = (input.include ?? []).includes('TAGS');
        const shown = (name: string) => {
          const p = fargateProvider(scope, name);
          if (!withTags) delete p.tags;
          return p;
        };
        if (refs?.length) {
          const { found, failures } = await describeByReferences(refs, async (ref) => {
            const name = providerName(ref, scope);
            const known = name !== undefined && (FARGATE_PROVIDERS as readonly string[]).includes(name);
            return { arn: known ? fargateProvider(scope, name).capacityProviderArn! : ref, value: known ? shown(name) : undefined };
          });
          return { capacityProviders: found, failures };
        }
        const page = paginate([...FARGATE_PROVIDERS], (n) => n, input.nextToken, maxResults, EcsErrors.invalidParameter, 10);
        return { capacityProviders: page.items.map(shown), failures: [], nextToken: page.nextToken };
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
          const updated: ClusterRecord = { ...cluster, capacityProviders: providers, defaultCapacityProviderStrategy: strategy };
          tx.put(keys.cluster(scope, cluster.name), updated);
          return updated;
        });
        return { cluster: toApiCluster(record, await readClusterCounts(deps.store, scope, record.name), ['CONFIGURATIONS', 'SETTINGS', 'TAGS']) };
      },
    },
  };
}
