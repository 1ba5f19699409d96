/**
 * Helpers the ECS domain's tests (and the ECS API adapter's and the controllers' tests) share:
 * a world over a real in-memory store, seeding records as the domain stores them, and fixtures
 * for those records. Not used by the domain itself.
 */
import assert from 'node:assert/strict';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { ManualClock, randomIds, systemClock, type Clock } from '../common/index.ts';
import { place, seededRandom } from '../scheduler/index.ts';
import { SqliteStore, getDoc, type Store } from '../state/index.ts';
import { newCluster } from './cluster-record.ts';
import type { EcsDeps } from './deps.ts';
import { EcsInformers } from './informers.ts';
import { arns, keys, type ContainerInstanceRecord, type Scope, type TaskDefinitionRecord, type TaskRecord } from './records.ts';

/** The account and region every test works in. */
export const scope: Scope = { account: '123456789012', region: 'us-east-1' };

/** A fresh world for one test: a real in-memory store, a manual clock and the deps built on them. */
export interface EcsWorld {
  store: Store;
  clock: ManualClock;
  deps: EcsDeps;
}

/** A new world; close `deps.informers` and the store in `afterEach` (the informers start on first use). */
export function ecsWorld(): EcsWorld {
  const store = SqliteStore.open(':memory:');
  const clock = new ManualClock();
  const deps: EcsDeps = { store, clock, ids: randomIds, place, rng: seededRandom(1), informers: new EcsInformers(store) };
  return { store, clock, deps };
}

/** ECS's deps over an existing store and informers (the real scheduler, seeded), for tests of parts that launch tasks. */
export function ecsDepsOver(store: Store, informers: EcsInformers, clock: Clock = systemClock): EcsDeps {
  return { store, clock, ids: randomIds, place, rng: seededRandom(1), informers };
}

/** Writes `value` as JSON under `key`, as the domain would, for state a test sets up directly. */
export async function seed(store: Store, key: string, value: unknown): Promise<void> {
  await store.txn([], [{ type: 'put', key, value: JSON.stringify(value) }]);
}

/** Stores a new ACTIVE cluster `name`, as CreateCluster would. */
export const seedCluster = (store: Store, name: string, now = 0): Promise<void> => seed(store, keys.cluster(scope, name), newCluster(scope, name, now));

/** Stores a container instance record under its key. */
export const seedInstance = (store: Store, r: ContainerInstanceRecord): Promise<void> => seed(store, keys.instance(scope, r.clusterName, r.id), r);

/** Stores a task record under its key. */
export const seedTask = (store: Store, r: TaskRecord): Promise<void> => seed(store, keys.task(scope, r.clusterName, r.id), r);

/** Stores a task definition revision under its key (its family record is not written). */
export const seedTaskDefinition = (store: Store, r: TaskDefinitionRecord): Promise<void> =>
  seed(store, keys.taskDefinition(scope, r.family, r.revision), r);

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

/**
 * An ACTIVE task definition `family:revision` with these containers (each essential unless it
 * says otherwise), EC2-compatible, requiring no attributes, registered at epoch 0, with `over`
 * applied: what RegisterTaskDefinition stores for a plain definition.
 */
export function taskDefinitionRecord(
  family: string, revision: number, containers: ContainerDefinition[], over: Partial<TaskDefinitionRecord> = {},
): TaskDefinitionRecord {
  return {
    family, revision, taskDefinitionArn: arns.taskDefinition(scope, family, revision), status: 'ACTIVE',
    containerDefinitions: containers.map((c) => ({ essential: true, ...c })), volumes: [], placementConstraints: [],
    requiresAttributes: [], compatibilities: ['EXTERNAL', 'EC2'], registeredAt: 0, tags: [], ...over,
  };
}
