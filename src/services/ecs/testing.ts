/**
 * Helpers the ECS actions' unit tests share: a testbed over a real in-memory store, the
 * assertions for a rejected request, seeding records the actions cannot create themselves
 * (instances, tasks), and fixtures for those records. Not used by the actions.
 */
import assert from 'node:assert/strict';
import type { ActionHandler, RequestContext } from '../../api/types.ts';
import { ManualClock, randomIds } from '../../common/clock.ts';
import { place, seededRandom } from '../../scheduler/index.ts';
import { SqliteStore } from '../../state/sqlite.ts';
import type { Store } from '../../state/store.ts';
import { getDoc } from '../../state/transact.ts';
import type { EcsDeps } from './deps.ts';
import { InstanceCache } from './instance-cache.ts';
import { arns, keys, type ContainerInstanceRecord, type Scope, type TaskRecord } from './records.ts';

/** The request context every unit test calls the actions in. */
export const ctx: RequestContext = { region: 'us-east-1', account: '123456789012', requestId: 'req-1' };

/** The account and region of `ctx`, for the keys and ARNs a test builds. */
export const scope: Scope = { account: ctx.account, region: ctx.region };

/** One service's action table, as `clusterActions(deps)` and its siblings return it. */
export type Actions = Record<string, ActionHandler>;

/** A fresh world for one test: a real in-memory store, a manual clock and the deps built on them. */
export interface EcsTestbed {
  store: Store;
  clock: ManualClock;
  deps: EcsDeps;
  ctx: RequestContext;
  /** One service's actions over this testbed's deps: `bed.api(clusterActions)`. */
  api(actions: (deps: EcsDeps) => Actions): Actions;
}

/** A new testbed; close its store in `afterEach`. */
export function ecsTestbed(): EcsTestbed {
  const store = SqliteStore.open(':memory:');
  const clock = new ManualClock();
  const deps: EcsDeps = { store, clock, ids: randomIds, place, rng: seededRandom(1), instances: new InstanceCache(store) };
  return { store, clock, deps, ctx, api: (actions) => actions(deps) };
}

export { expectAwsError, expectRejected } from '../../api/testing.ts';

/** Writes `value` as JSON under `key`, as the actions would, for state no action can create directly. */
export async function seed(store: Store, key: string, value: unknown): Promise<void> {
  await store.txn([], [{ type: 'put', key, value: JSON.stringify(value) }]);
}

/** Stores a container instance record under its key. */
export const seedInstance = (store: Store, r: ContainerInstanceRecord): Promise<void> => seed(store, keys.instance(scope, r.clusterName, r.id), r);

/** Stores a task record under its key. */
export const seedTask = (store: Store, r: TaskRecord): Promise<void> => seed(store, keys.task(scope, r.clusterName, r.id), r);

/** The stored container instance `id` of `cluster`; fails the test when there is none. */
export async function storedInstance(store: Store, cluster: string, id: string): Promise<ContainerInstanceRecord> {
  const doc = await getDoc<ContainerInstanceRecord>(store, keys.instance(scope, cluster, id));
  assert.ok(doc, `no container instance ${cluster}/${id} in the store`);
  return doc.value;
}

/**
 * A connected ACTIVE container instance `id` in `cluster` (1024 CPU, 2048 MiB, no ports, no
 * attributes or tags, registered at epoch 0), with `over` applied.
 */
export function instanceRecord(cluster: string, id: string, over: Partial<ContainerInstanceRecord> = {}): ContainerInstanceRecord {
  const res = { cpu: 1024, memory: 2048, ports: [], portsUdp: [] };
  return {
    id, arn: arns.containerInstance(scope, cluster, id), clusterName: cluster, clusterArn: arns.cluster(scope, cluster),
    ec2InstanceId: `i-${id}`, status: 'ACTIVE', agentId: `agent-${id}`, autoAttached: false, agentConnected: true,
    registeredAt: 0, registeredResources: res, remainingResources: res, attributes: [], tags: [],
    versionInfo: { agentVersion: '1.0.0', agentHash: 'abc', dockerVersion: 'DockerVersion: 24.0.0' }, version: 1, ...over,
  };
}

/**
 * A RUNNING EC2 task `id` in `cluster` of task definition web:1 (bridge, no containers, nothing
 * reserved, on no instance, created at epoch 0), with `over` applied.
 */
export function taskRecord(cluster: string, id: string, over: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id, arn: arns.task(scope, cluster, id), clusterName: cluster, clusterArn: arns.cluster(scope, cluster),
    taskDefinitionArn: arns.taskDefinition(scope, 'web', 1), launchType: 'EC2', lastStatus: 'RUNNING', desiredStatus: 'RUNNING',
    group: 'family:web', overrides: {}, tags: [], containers: [], enableExecuteCommand: false, version: 1, createdAt: 0,
    spec: { family: 'web', revision: 1, networkMode: 'bridge', containers: [] }, reserved: { cpu: 0, memory: 0, ports: [], portsUdp: [] },
    ...over,
  };
}
