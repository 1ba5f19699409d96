import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Cluster, DescribeClustersResponse, ListClustersResponse } from '@aws-sdk/client-ecs';
import type { ManualClock } from '../../common/index.ts';
import { getDoc, type Store } from '../../state/index.ts';
import { clusterOperations } from './clusters.ts';
import { arns, keys, type ClusterRecord, type ContainerInstanceRecord, type TaskRecord } from '../../ecs/index.ts';
import {
  breaks, ctx, ecsTestbed, expectRejected, instanceRecord, mustNotBeNull, notInEnum, scope, seedInstance, seedTask, taskRecord, type Actions,
} from './testing.ts';

let store: Store;
let clock: ManualClock;
let api: Actions;

beforeEach(() => {
  const bed = ecsTestbed();
  ({ store, clock } = bed);
  api = bed.api(clusterOperations);
});
afterEach(() => store.close());

const call = async <T>(action: string, input: Record<string, unknown>) => (await api[action](input, ctx)) as T;
const create = (input: Record<string, unknown>) => call<{ cluster: Cluster }>('CreateCluster', input).then((r) => r.cluster);
const describeClusters = (input: Record<string, unknown>) => call<DescribeClustersResponse>('DescribeClusters', input);

/** Asserts the action fails with `code` and a message matching `message`, and that the store did not change. */
const rejects = (action: string, input: Record<string, unknown>, code: string, message: RegExp) =>
  expectRejected(store, () => api[action](input, ctx), code, message);

function instance(cluster: string, id: string, over: Partial<ContainerInstanceRecord> = {}): ContainerInstanceRecord {
  const res = { cpu: 1024, memory: 2048, ports: [22], portsUdp: [] };
  return instanceRecord(cluster, id, { registeredAt: clock.now(), registeredResources: res, remainingResources: res, ...over });
}
const task = (cluster: string, id: string, over: Partial<TaskRecord> = {}) => taskRecord(cluster, id, { createdAt: clock.now(), ...over });

describe('CreateCluster', () => {
  test('creates the default cluster with ECS defaults', async () => {
    const c = await create({});
    assert.deepEqual(c, {
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/default',
      clusterName: 'default',
      status: 'ACTIVE',
      registeredContainerInstancesCount: 0,
      runningTasksCount: 0,
      pendingTasksCount: 0,
      activeServicesCount: 0,
      statistics: [],
      capacityProviders: [],
      defaultCapacityProviderStrategy: [],
      tags: [],
      settings: [{ name: 'containerInsights', value: 'disabled' }],
    });
  });

  test('accepts and returns settings, configuration, capacity providers, strategy, Service Connect defaults and tags', async () => {
    const input = {
      clusterName: 'prod_Cluster-1',
      settings: [{ name: 'containerInsights', value: 'enhanced' }],
      configuration: {
        executeCommandConfiguration: { kmsKeyId: 'key-1', logging: 'OVERRIDE', logConfiguration: { cloudWatchLogGroupName: '/ecs/exec', cloudWatchEncryptionEnabled: true } },
        managedStorageConfiguration: { kmsKeyId: 'key-2', fargateEphemeralStorageKmsKeyId: 'key-3' },
      },
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 2 }, { capacityProvider: 'FARGATE_SPOT', weight: 4 }],
      serviceConnectDefaults: { namespace: 'internal' },
      tags: [{ key: 'team', value: 'platform' }, { key: 'empty' }],
    };
    const c = await create(input);
    assert.equal(c.clusterName, 'prod_Cluster-1');
    assert.deepEqual(c.settings, input.settings);
    assert.deepEqual(c.configuration, input.configuration);
    assert.deepEqual(c.capacityProviders, ['FARGATE', 'FARGATE_SPOT']);
    assert.deepEqual(c.defaultCapacityProviderStrategy, [
      { capacityProvider: 'FARGATE', weight: 1, base: 2 },
      { capacityProvider: 'FARGATE_SPOT', weight: 4, base: 0 },
    ]);
    assert.deepEqual(c.serviceConnectDefaults, { namespace: 'internal' });
    assert.deepEqual(c.tags, [{ key: 'team', value: 'platform' }, { key: 'empty', value: '' }]);
    const { clusters } = await describeClusters({ clusters: ['prod_Cluster-1'], include: ['CONFIGURATIONS', 'SETTINGS', 'TAGS'] });
    assert.deepEqual(clusters![0].configuration, input.configuration);
    assert.deepEqual(clusters![0].tags, c.tags);
  });

  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ['a name with a space', { clusterName: 'my cluster' }, /^clusterName is invalid: up to 255 letters/],
    ['a name with a period', { clusterName: 'my.cluster' }, /^clusterName is invalid/],
    ['a 256-character name', { clusterName: 'a'.repeat(256) }, /^clusterName is invalid/],
    ['an empty name', { clusterName: '' }, /^clusterName is invalid/],
    ['an unknown setting', { settings: [{ name: 'insights', value: 'enabled' }] }, notInEnum('settings[0].name', 'insights')],
    ['an unknown setting value', { settings: [{ name: 'containerInsights', value: 'on' }] }, /^settings\[0\]\.value must be one of: enabled, disabled, enhanced/],
    ['a setting without a value', { settings: [{ name: 'containerInsights' }] }, /^settings\[0\]\.value can not be null or empty/],
    ['an unknown logging mode', { configuration: { executeCommandConfiguration: { logging: 'ALL' } } }, notInEnum('configuration.executeCommandConfiguration.logging', 'ALL')],
    ['OVERRIDE logging without a log configuration', { configuration: { executeCommandConfiguration: { logging: 'OVERRIDE' } } }, /^configuration\.executeCommandConfiguration\.logConfiguration must be provided/],
    ['an unknown capacity provider', { capacityProviders: ['MY_ASG'] }, /^capacityProviders\[0\]: the specified capacity provider MY_ASG does not exist/],
    ['a repeated capacity provider', { capacityProviders: ['FARGATE', 'FARGATE'] }, /^capacityProviders: duplicate capacity provider FARGATE/],
    ['a strategy naming an unassociated provider', { capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }, /^defaultCapacityProviderStrategy\[0\]\.capacityProvider: capacity provider FARGATE_SPOT is not associated/],
    ['a strategy weight over 1000', { capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1001 }] }, breaks('defaultCapacityProviderStrategy[0].weight', 'Member must have value less than or equal to 1000')],
    ['a negative base', { capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: -1 }] }, breaks('defaultCapacityProviderStrategy[0].base', 'Member must have value greater than or equal to 0')],
    ['two providers with a base', { capacityProviders: ['FARGATE', 'FARGATE_SPOT'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 1 }] }, /only one capacity provider in a strategy can have a base/],
    ['a strategy without a provider', { capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [{ weight: 1 }] }, mustNotBeNull('defaultCapacityProviderStrategy[0].capacityProvider')],
    ['a namespace with a slash', { serviceConnectDefaults: { namespace: 'a/b' } }, /^serviceConnectDefaults\.namespace is invalid/],
    ['a reserved tag key', { tags: [{ key: 'aws:owner', value: 'x' }] }, /^tags\[0\]\.key: tag keys beginning with aws: are reserved/],
    ['51 tags', { tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }, breaks('tags', 'Member must have length less than or equal to 50')],
    ['a repeated tag key', { tags: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }, /^Duplicate tag key: a/],
    ['a tag key over 128 characters', { tags: [{ key: 'k'.repeat(129), value: 'v' }] }, breaks('tags[0].key', 'Member must have length less than or equal to 128')],
  ];
  for (const [what, input, message] of invalid) {
    test(`rejects ${what}`, () => rejects('CreateCluster', input, 'InvalidParameterException', message));
  }

  test('rejects members of the wrong JSON type as SerializationException', async () => {
    await rejects('CreateCluster', { clusterName: 5 }, 'SerializationException', /^clusterName must be a string, not number\.$/);
    await rejects('CreateCluster', { settings: { name: 'containerInsights' } }, 'SerializationException', /^settings must be a list, not object\.$/);
  });

  test('is idempotent for an ACTIVE cluster: the same arguments return it unchanged', async () => {
    const first = await create({ clusterName: 'web', tags: [{ key: 'a', value: '1' }], settings: [{ name: 'containerInsights', value: 'enabled' }] });
    const revision = await store.revision();
    clock.advance(60_000);
    const again = await create({ clusterName: 'web', settings: [{ name: 'containerInsights', value: 'enabled' }], tags: [{ key: 'a', value: '1' }] });
    assert.deepEqual(again, first);
    const bare = await create({ clusterName: 'web' });
    assert.deepEqual(bare, first, 'members left out do not conflict');
    assert.equal(await store.revision(), revision);
  });

  test('refuses different arguments for an existing ACTIVE cluster, as ECS does', async () => {
    await create({ clusterName: 'web', settings: [{ name: 'containerInsights', value: 'enabled' }] });
    const message = /^Arguments on this idempotent request are inconsistent with arguments used in previous request\(s\)\.$/;
    await rejects('CreateCluster', { clusterName: 'web', settings: [{ name: 'containerInsights', value: 'disabled' }] }, 'InvalidParameterException', message);
    await rejects('CreateCluster', { clusterName: 'web', tags: [{ key: 'x', value: 'y' }] }, 'InvalidParameterException', message);
    await rejects('CreateCluster', { clusterName: 'web', capacityProviders: ['FARGATE'] }, 'InvalidParameterException', message);
    await rejects('CreateCluster', { clusterName: 'web', configuration: { executeCommandConfiguration: { logging: 'NONE' } } }, 'InvalidParameterException', message);
  });
});

describe('DescribeClusters', () => {
  test('describes the default cluster when none is named, by name or ARN otherwise', async () => {
    await create({});
    await create({ clusterName: 'web' });
    assert.deepEqual((await describeClusters({})).clusters!.map((c) => c.clusterName), ['default']);
    const r = await describeClusters({ clusters: ['web', arns.cluster(scope, 'default')] });
    assert.deepEqual(r.clusters!.map((c) => c.clusterName), ['web', 'default']);
    assert.deepEqual(r.failures, []);
  });

  test('reports unknown clusters as MISSING failures with their ARN', async () => {
    await create({ clusterName: 'web' });
    const other = 'arn:aws:ecs:eu-west-1:123456789012:cluster/web';
    const r = await describeClusters({ clusters: ['web', 'nope', other, 'arn:aws:ecs:us-east-1:123456789012:task/web/abc'] });
    assert.deepEqual(r.clusters!.map((c) => c.clusterName), ['web']);
    assert.deepEqual(r.failures, [
      { arn: arns.cluster(scope, 'nope'), reason: 'MISSING' },
      { arn: other, reason: 'MISSING' },
      { arn: 'arn:aws:ecs:us-east-1:123456789012:task/web/abc', reason: 'MISSING' },
    ]);
    const none = await describeClusters({});
    assert.deepEqual(none, { clusters: [], failures: [{ arn: arns.cluster(scope, 'default'), reason: 'MISSING' }] });
  });

  test('accepts 100 clusters, not 101, and long cluster ARNs', async () => {
    const long = 'c'.repeat(255);
    await create({ clusterName: long });
    const r = await describeClusters({ clusters: [arns.cluster(scope, long), ...Array.from({ length: 99 }, (_, i) => `c${i}`)] });
    assert.equal(r.clusters!.length, 1);
    assert.equal(r.failures!.length, 99);
    await rejects('DescribeClusters', { clusters: Array.from({ length: 101 }, (_, i) => `c${i}`) }, 'InvalidParameterException', /^clusters can have at most 100 members/);
  });

  test('rejects an unknown include value', () =>
    rejects('DescribeClusters', { include: ['SETTINGS', 'SERVICES'] }, 'InvalidParameterException', notInEnum('include', '[SETTINGS, SERVICES]')));

  test('returns settings, configurations, tags, statistics and attachments only when included', async () => {
    await create({ clusterName: 'web', tags: [{ key: 'a', value: '1' }], configuration: { managedStorageConfiguration: { kmsKeyId: 'k' } } });
    const [plain] = (await describeClusters({ clusters: ['web'] })).clusters!;
    for (const member of ['settings', 'tags', 'configuration', 'attachments'] as const) assert.equal(plain[member], undefined, member);
    assert.deepEqual(plain.statistics, []);
    const [full] = (await describeClusters({ clusters: ['web'], include: ['ATTACHMENTS', 'CONFIGURATIONS', 'SETTINGS', 'STATISTICS', 'TAGS'] })).clusters!;
    assert.deepEqual(full.settings, [{ name: 'containerInsights', value: 'disabled' }]);
    assert.deepEqual(full.tags, [{ key: 'a', value: '1' }]);
    assert.deepEqual(full.configuration, { managedStorageConfiguration: { kmsKeyId: 'k' } });
    assert.deepEqual(full.attachments, []);
    assert.equal(full.statistics!.length, 16);
  });

  test('derives counts and statistics from stored instances and tasks', async () => {
    await create({ clusterName: 'web' });
    await seedInstance(store, instance('web', 'a1'));
    await seedInstance(store, instance('web', 'a2', { status: 'DRAINING' }));
    await seedInstance(store, instance('web', 'a3', { status: 'INACTIVE' }));
    await seedInstance(store, instance('web', 'a4', { status: 'REGISTERING' }));
    await seedInstance(store, instance('other', 'b1'));
    await seedTask(store, task('web', 't1', { lastStatus: 'RUNNING' }));
    await seedTask(store, task('web', 't2', { lastStatus: 'RUNNING', launchType: 'FARGATE' }));
    await seedTask(store, task('web', 't3', { lastStatus: 'PENDING' }));
    await seedTask(store, task('web', 't4', { lastStatus: 'PROVISIONING', launchType: 'FARGATE' }));
    await seedTask(store, task('web', 't5', { lastStatus: 'ACTIVATING', launchType: 'EXTERNAL' }));
    await seedTask(store, task('web', 't6', { lastStatus: 'STOPPED' }));
    await seedTask(store, task('web', 't7', { lastStatus: 'DEACTIVATING' }));
    await seedTask(store, task('other', 't8', { lastStatus: 'RUNNING' }));
    const [c] = (await describeClusters({ clusters: ['web'], include: ['STATISTICS'] })).clusters!;
    assert.equal(c.registeredContainerInstancesCount, 2);
    assert.equal(c.runningTasksCount, 2);
    assert.equal(c.pendingTasksCount, 3);
    assert.equal(c.activeServicesCount, 0);
    const stats = Object.fromEntries(c.statistics!.map((s) => [s.name, s.value]));
    assert.deepEqual(c.statistics!.slice(0, 6).map((s) => s.name), [
      'runningEC2TasksCount', 'runningFargateTasksCount', 'pendingEC2TasksCount', 'pendingFargateTasksCount',
      'runningExternalTasksCount', 'pendingExternalTasksCount',
    ]);
    assert.equal(stats.runningEC2TasksCount, '1');
    assert.equal(stats.runningFargateTasksCount, '1');
    assert.equal(stats.pendingEC2TasksCount, '1');
    assert.equal(stats.pendingFargateTasksCount, '1');
    assert.equal(stats.pendingExternalTasksCount, '1');
    assert.equal(stats.activeEC2ServiceCount, '0');
  });
});

describe('ListClusters', () => {
  test('lists ACTIVE clusters only, in name order, a page at a time', async () => {
    for (const name of ['e', 'b', 'd', 'a', 'c']) await create({ clusterName: name });
    await call('DeleteCluster', { cluster: 'c' });
    const all = await call<ListClustersResponse>('ListClusters', {});
    assert.deepEqual(all, { clusterArns: ['a', 'b', 'd', 'e'].map((n) => arns.cluster(scope, n)), nextToken: undefined });
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await call<ListClustersResponse>('ListClusters', { maxResults: 3, nextToken });
      assert.ok(page.clusterArns!.length <= 3);
      seen.push(...page.clusterArns!);
      nextToken = page.nextToken;
    } while (nextToken);
    assert.deepEqual(seen, all.clusterArns);
  });

  test('validates maxResults and nextToken', async () => {
    await rejects('ListClusters', { maxResults: 0 }, 'InvalidParameterException', /^maxResults must be greater than or equal to 1/);
    await rejects('ListClusters', { maxResults: 101 }, 'InvalidParameterException', /^maxResults must be less than or equal to 100/);
    await rejects('ListClusters', { nextToken: 'garbage!' }, 'InvalidParameterException', /^Invalid nextToken/);
    await rejects('ListClusters', { maxResults: 1.5 }, 'SerializationException', /^maxResults must be an integer, not 1\.5\.$/);
  });
});

describe('UpdateCluster and UpdateClusterSettings', () => {
  test('UpdateCluster changes settings, configuration and Service Connect defaults', async () => {
    await create({ clusterName: 'web', configuration: { managedStorageConfiguration: { kmsKeyId: 'k1' } } });
    const { cluster } = await call<{ cluster: Cluster }>('UpdateCluster', {
      cluster: arns.cluster(scope, 'web'),
      settings: [{ name: 'containerInsights', value: 'enabled' }],
      configuration: { executeCommandConfiguration: { logging: 'DEFAULT' } },
      serviceConnectDefaults: { namespace: 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1' },
    });
    assert.deepEqual(cluster.settings, [{ name: 'containerInsights', value: 'enabled' }]);
    assert.deepEqual(cluster.configuration, { managedStorageConfiguration: { kmsKeyId: 'k1' }, executeCommandConfiguration: { logging: 'DEFAULT' } });
    assert.deepEqual(cluster.serviceConnectDefaults, { namespace: 'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1' });
    const removed = await call<{ cluster: Cluster }>('UpdateCluster', { cluster: 'web', serviceConnectDefaults: { namespace: '' } });
    assert.equal(removed.cluster.serviceConnectDefaults, undefined);
    const stored = await getDoc<ClusterRecord>(store, keys.cluster(scope, 'web'));
    assert.equal(stored!.value.serviceConnectDefaults, undefined);
  });

  test('UpdateClusterSettings replaces a setting by name', async () => {
    await create({ clusterName: 'web' });
    const { cluster } = await call<{ cluster: Cluster }>('UpdateClusterSettings', { cluster: 'web', settings: [{ name: 'containerInsights', value: 'enhanced' }] });
    assert.deepEqual(cluster.settings, [{ name: 'containerInsights', value: 'enhanced' }]);
    assert.equal(cluster.status, 'ACTIVE');
  });

  test('validate their input and the cluster', async () => {
    await create({ clusterName: 'web' });
    await rejects('UpdateCluster', { settings: [] }, 'InvalidParameterException', mustNotBeNull('cluster'));
    await rejects('UpdateCluster', { cluster: 'nope' }, 'ClusterNotFoundException', /^Cluster not found\./);
    await rejects('UpdateCluster', { cluster: 'web', settings: [{ name: 'containerInsights', value: 'yes' }] }, 'InvalidParameterException', /^settings\[0\]\.value must be one of/);
    await rejects('UpdateClusterSettings', { cluster: 'web' }, 'InvalidParameterException', mustNotBeNull('settings'));
    await rejects('UpdateClusterSettings', { cluster: 'web', settings: [] }, 'InvalidParameterException', /^settings can not be empty/);
    await rejects('UpdateClusterSettings', { cluster: 'gone', settings: [{ name: 'containerInsights', value: 'enabled' }] }, 'ClusterNotFoundException', /Cluster not found/);
  });
});

describe('DeleteCluster', () => {
  test('requires the cluster and finds it', async () => {
    await rejects('DeleteCluster', {}, 'InvalidParameterException', mustNotBeNull('cluster'));
    await rejects('DeleteCluster', { cluster: 'nope' }, 'ClusterNotFoundException', /^Cluster not found\./);
  });

  test('refuses while ACTIVE or DRAINING instances are registered', async () => {
    await create({ clusterName: 'web' });
    await seedInstance(store, instance('web', 'a1', { status: 'DRAINING' }));
    await rejects('DeleteCluster', { cluster: 'web' }, 'ClusterContainsContainerInstancesException', /Container Instances are active or draining/);
    await seedInstance(store, instance('web', 'a1', { status: 'ACTIVE' }));
    await rejects('DeleteCluster', { cluster: 'web' }, 'ClusterContainsContainerInstancesException', /Container Instances/);
    await seedInstance(store, instance('web', 'a1', { status: 'INACTIVE' }));
    const { cluster } = await call<{ cluster: Cluster }>('DeleteCluster', { cluster: 'web' });
    assert.equal(cluster.status, 'INACTIVE');
  });

  test('refuses while tasks are not STOPPED', async () => {
    await create({ clusterName: 'web' });
    await seedTask(store, task('web', 't1', { lastStatus: 'STOPPED' }));
    await seedTask(store, task('web', 't2', { lastStatus: 'DEPROVISIONING', launchType: 'FARGATE' }));
    await rejects('DeleteCluster', { cluster: 'web' }, 'ClusterContainsTasksException', /Tasks are active/);
    await seedTask(store, task('web', 't2', { lastStatus: 'STOPPED', launchType: 'FARGATE' }));
    await call('DeleteCluster', { cluster: 'web' });
  });

  test('is not blocked by auto-attached instances, which become INACTIVE with it', async () => {
    await create({ clusterName: 'web' });
    await seedInstance(store, instance('web', 'dev', { autoAttached: true, version: 3 }));
    await seedInstance(store, instance('web', 'old', { status: 'INACTIVE', version: 5 }));
    const { cluster } = await call<{ cluster: Cluster }>('DeleteCluster', { cluster: 'web' });
    assert.equal(cluster.registeredContainerInstancesCount, 0);
    const dev = (await getDoc<ContainerInstanceRecord>(store, keys.instance(scope, 'web', 'dev')))!.value;
    assert.equal(dev.status, 'INACTIVE');
    assert.equal(dev.version, 4);
    const old = (await getDoc<ContainerInstanceRecord>(store, keys.instance(scope, 'web', 'old')))!.value;
    assert.equal(old.version, 5, 'already INACTIVE instances are left alone');
  });

  test('auto-attached instances with running tasks still block on the tasks', async () => {
    await create({ clusterName: 'web' });
    await seedInstance(store, instance('web', 'dev', { autoAttached: true }));
    await seedTask(store, task('web', 't1', { containerInstanceId: 'dev' }));
    await rejects('DeleteCluster', { cluster: 'web' }, 'ClusterContainsTasksException', /Tasks are active/);
  });

  test('a deleted cluster is INACTIVE, still describable, not listed, and comes back when created again', async () => {
    await create({ clusterName: 'web', tags: [{ key: 'a', value: '1' }] });
    const deleted = await call<{ cluster: Cluster }>('DeleteCluster', { cluster: 'web' });
    assert.equal(deleted.cluster.status, 'INACTIVE');
    assert.deepEqual(deleted.cluster.tags, [{ key: 'a', value: '1' }]);
    const [described] = (await describeClusters({ clusters: ['web'] })).clusters!;
    assert.equal(described.status, 'INACTIVE');
    assert.deepEqual((await call<ListClustersResponse>('ListClusters', {})).clusterArns, []);
    await rejects('DeleteCluster', { cluster: 'web' }, 'ClusterNotFoundException', /Cluster not found/);
    await rejects('UpdateClusterSettings', { cluster: 'web', settings: [{ name: 'containerInsights', value: 'enabled' }] }, 'ClusterNotFoundException', /Cluster not found/);
    clock.advance(1000);
    const again = await create({ clusterName: 'web', settings: [{ name: 'containerInsights', value: 'enabled' }] });
    assert.equal(again.status, 'ACTIVE');
    assert.deepEqual(again.settings, [{ name: 'containerInsights', value: 'enabled' }]);
    assert.deepEqual(again.tags, [], 'a re-created cluster starts afresh');
    assert.deepEqual((await call<ListClustersResponse>('ListClusters', {})).clusterArns, [arns.cluster(scope, 'web')]);
  });
});
