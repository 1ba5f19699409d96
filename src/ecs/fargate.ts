/**
 * Fargate: tasks on managed capacity the user never sees. Each account and region has a pool,
 * a cluster named `~fargate` (a name no user can give a cluster, so no API shows or takes it):
 * `wharf dev`'s agent joins it as it joins every cluster, and operators start agents with
 * `wharf agent --fargate` to add hosts to it. Fargate tasks stay in the user's cluster; only
 * their container instance (a pool host) is the pool's, and it is never shown.
 */
import { transact, type Store } from '../state/index.ts';
import { newCluster } from './cluster-record.ts';
export { isInternalCluster } from './cluster-record.ts';
import { EcsErrors } from './errors.ts';
import { keys, type ClusterRecord, type Scope, type TaskDefinitionRecord } from './records.ts';
import { isFargateSize } from './task-definition-resources.ts';

/** The pool cluster's name. */
export const FARGATE_POOL = '~fargate';

/** The platform version Fargate tasks run on (LATEST resolves to it). */
export const FARGATE_PLATFORM_VERSION = '1.4.0';

/** Makes the scope's Fargate pool unless it is ACTIVE. */
export async function ensureFargatePool(store: Store, scope: Scope, now: number): Promise<void> {
  const key = keys.cluster(scope, FARGATE_POOL);
  const existing = await store.get(key);
  if (existing && (JSON.parse(existing.value) as ClusterRecord).status === 'ACTIVE') return;
  await transact(store, async (tx) => {
    if ((await tx.get<ClusterRecord>(key))?.status === 'ACTIVE') return;
    tx.put(key, newCluster(scope, FARGATE_POOL, now));
  });
}

/** A request's platformVersion for Fargate: LATEST or 1.4.0 (absent is LATEST). */
export function fargatePlatformVersion(requested: string | undefined): string {
  if (requested === undefined || requested === 'LATEST' || requested === FARGATE_PLATFORM_VERSION) return FARGATE_PLATFORM_VERSION;
  throw EcsErrors.invalidParameter(`Platform version ${requested} is not supported. Use LATEST or ${FARGATE_PLATFORM_VERSION}.`);
}

/**
 * What a Fargate launch of `td` may not do, in ECS's words: a task definition not compatible
 * with FARGATE, placement (Fargate places tasks itself), and task sizes Fargate does not have
 * (after the overrides).
 */
export function checkFargateLaunch(
  td: TaskDefinitionRecord, cpu: string | undefined, memory: string | undefined, placement: { constraints: number; strategies: number },
): void {
  if (!(td.compatibilities ?? []).includes('FARGATE')) throw EcsErrors.invalidParameter('Task definition does not support launch_type FARGATE.');
  if (placement.constraints > 0 || placement.strategies > 0) {
    throw EcsErrors.invalidParameter('Task placement constraints and strategies are not supported with the FARGATE launch type.');
  }
  const c = Number(cpu);
  const m = Number(memory);
  if (!isFargateSize(c, m)) throw EcsErrors.invalidParameter(`No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`);
}
