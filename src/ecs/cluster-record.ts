/** Clusters: a new cluster's record, and finding the ACTIVE cluster a `cluster` member names. */
import type { Tx } from '../state/index.ts';
import { EcsErrors } from './errors.ts';
import { arns, keys, parseArn, type ClusterRecord, type Scope } from './records.ts';

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

/** Whether a cluster name is Wharf's own (the Fargate pool, `~fargate`), never one a request may name. */
export const isInternalCluster = (name: string): boolean => name.startsWith('~');

/** The cluster name a `cluster` member names: a short name or a cluster ARN; `default` when absent. */
export function clusterNameOf(ref: string | undefined, scope: Scope): string {
  if (ref === undefined || ref === '') return 'default';
  // Wharf's own clusters (the Fargate pool) are not the user's to name.
  if (isInternalCluster(ref)) throw EcsErrors.clusterNotFound();
  if (!ref.startsWith('arn:')) return ref;
  const arn = parseArn(ref);
  if (!arn || arn.resourceType !== 'cluster' || arn.resource.length !== 1) throw EcsErrors.invalidParameter(`Invalid cluster ARN: ${ref}.`);
  if (arn.account !== scope.account || arn.region !== scope.region || isInternalCluster(arn.resource[0])) throw EcsErrors.clusterNotFound();
  return arn.resource[0];
}

/** The ACTIVE cluster a request names (read through the transaction), or ClusterNotFoundException. */
export async function activeCluster(tx: Tx, scope: Scope, ref: string | undefined): Promise<ClusterRecord> {
  return requireActive(await tx.get<ClusterRecord>(keys.cluster(scope, clusterNameOf(ref, scope))));
}

/** The cluster if it exists and is ACTIVE, else ClusterNotFoundException (as ECS answers for an INACTIVE one). */
export function requireActive(cluster: ClusterRecord | undefined): ClusterRecord {
  if (!cluster || cluster.status !== 'ACTIVE') throw EcsErrors.clusterNotFound();
  return cluster;
}
