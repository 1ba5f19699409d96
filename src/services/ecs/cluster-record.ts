import { arns, type ClusterRecord, type Scope } from './records.ts';

/** A new ACTIVE cluster with ECS's defaults (containerInsights disabled, no capacity providers). */
export function newCluster(scope: Scope, name: string, now: number): ClusterRecord {
  return {
    name,
    arn: arns.cluster(scope, name),
    status: 'ACTIVE',
    settings: [{ name: 'containerInsights', value: 'disabled' }],
    capacityProviders: [],
    defaultCapacityProviderStrategy: [],
    tags: [],
    createdAt: now,
  };
}
