import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type {
  DeregisterContainerInstanceResponse, DescribeContainerInstancesResponse, ListContainerInstancesResponse,
  UpdateContainerInstancesStateResponse,
} from '@aws-sdk/client-ecs';
import type { ManualClock } from '../../common/index.ts';
import { getDoc, type Store } from '../../state/index.ts';
import { clusterOperations } from './clusters.ts';
import { containerInstanceOperations, resourcesToApi } from './container-instances.ts';
import { arns, keys, type ContainerInstanceRecord, type TaskRecord } from '../../ecs/index.ts';
import {
  ctx, ecsTestbed, expectRejected, instanceRecord, mustNotBeNull, notInEnum, scope, seedInstance, seedTask, storedInstance, taskRecord, type Actions,
} from './testing.ts';

let store: Store;
let clock: ManualClock;
let api: Actions;

beforeEach(async () => {
  const bed = ecsTestbed();
  ({ store, clock } = bed);
  api = bed.api(containerInstanceOperations);
  const clusters = bed.api(clusterOperations);
  await clusters.CreateCluster({ clusterName: 'web' }, ctx);
  await clusters.CreateCluster({}, ctx);
});
afterEach(() => store.close());

const call = async <T>(action: string, input: Record<string, unknown>) => (await api[action](input, ctx)) as T;
const describeInstances = (input: Record<string, unknown>) => call<DescribeContainerInstancesResponse>('DescribeContainerInstances', input);
const list = (input: Record<string, unknown>) => call<ListContainerInstancesResponse>('ListContainerInstances', input);

/** Asserts the action fails with `code` and a message matching `message`, and that the store did not change. */
const rejects = (action: string, input: Record<string, unknown>, code: string, message: RegExp) =>
  expectRejected(store, () => api[action](input, ctx), code, message);

const REGISTERED = { cpu: 2048, memory: 3955, ports: [22, 2375, 2376, 51678], portsUdp: [] };

function instance(cluster: string, id: string, over: Partial<ContainerInstanceRecord> = {}): ContainerInstanceRecord {
  return instanceRecord(cluster, id, {
    lastHeartbeatAt: clock.now() + 5000, registeredAt: clock.now(), registeredResources: REGISTERED,
    remainingResources: { cpu: 1536, memory: 3443, ports: [22, 2375, 2376, 51678, 8080], portsUdp: [53] },
    attributes: [{ name: 'ecs.os-type', value: 'linux' }, { name: 'ecs.capability.task-eni' }, { name: 'stack', value: 'prod' }],
    tags: [{ key: 'team', value: 'platform' }],
    versionInfo: { agentVersion: '1.80.0', agentHash: 'abc123', dockerVersion: 'DockerVersion: 24.0.7' }, version: 2, ...over,
  });
}

function task(cluster: string, id: string, instanceId: string | undefined, over: Partial<TaskRecord> = {}): TaskRecord {
  return taskRecord(cluster, id, {
    containerInstanceId: instanceId, containerInstanceArn: instanceId && arns.containerInstance(scope, cluster, instanceId),
    createdAt: clock.now(), reserved: { cpu: 512, memory: 512, ports: [8080], portsUdp: [] }, ...over,
  });
}

const stored = (cluster: string, id: string) => storedInstance(store, cluster, id);

describe('resourcesToApi', () => {
  test('writes CPU and MEMORY as INTEGER and ports as STRINGSET, in ECS form', () => {
    assert.deepEqual(resourcesToApi({ cpu: 1024, memory: 985, ports: [22, 2376, 22], portsUdp: [] }), [
      { name: 'CPU', type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: 1024 },
      { name: 'MEMORY', type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: 985 },
      { name: 'PORTS', type: 'STRINGSET', doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: ['22', '2376'] },
      { name: 'PORTS_UDP', type: 'STRINGSET', doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: [] },
    ]);
  });
});

describe('DescribeContainerInstances', () => {
  beforeEach(async () => {
    await seedInstance(store, instance('web', 'aaa'));
    await seedTask(store, task('web', 't1', 'aaa', { lastStatus: 'RUNNING' }));
    await seedTask(store, task('web', 't2', 'aaa', { lastStatus: 'PENDING' }));
    await seedTask(store, task('web', 't3', 'aaa', { lastStatus: 'PROVISIONING' }));
    await seedTask(store, task('web', 't4', 'aaa', { lastStatus: 'STOPPED' }));
    await seedTask(store, task('web', 't5', 'bbb', { lastStatus: 'RUNNING' }));
  });

  test('describes an instance by id, as ECS shows it', async () => {
    const r = await describeInstances({ cluster: 'web', containerInstances: ['aaa'] });
    assert.deepEqual(r.failures, []);
    assert.deepEqual(r.containerInstances, [
      {
        containerInstanceArn: arns.containerInstance(scope, 'web', 'aaa'),
        ec2InstanceId: 'i-aaa',
        version: 2,
        versionInfo: { agentVersion: '1.80.0', agentHash: 'abc123', dockerVersion: 'DockerVersion: 24.0.7' },
        remainingResources: resourcesToApi({ cpu: 1536, memory: 3443, ports: [22, 2375, 2376, 51678, 8080], portsUdp: [53] }),
        registeredResources: resourcesToApi(REGISTERED),
        status: 'ACTIVE',
        agentConnected: true,
        runningTasksCount: 1,
        pendingTasksCount: 2,
        attributes: [{ name: 'ecs.os-type', value: 'linux' }, { name: 'ecs.capability.task-eni' }, { name: 'stack', value: 'prod' }],
        registeredAt: new Date(clock.now()),
        attachments: [],
      },
    ]);
    const [ci] = r.containerInstances!;
    assert.equal('agentUpdateStatus' in ci, false);
    assert.deepEqual(ci.remainingResources![2].stringSetValue, ['22', '2375', '2376', '51678', '8080'], 'remaining PORTS lists ports in use');
  });

  test('describes by ARN, in the default cluster too, and includes tags and health when asked', async () => {
    await seedInstance(store, instance('default', 'ddd', { agentConnected: false, statusReason: 'Agent disconnected' }));
    const r = await describeInstances({ containerInstances: [arns.containerInstance(scope, 'default', 'ddd')], include: ['TAGS', 'CONTAINER_INSTANCE_HEALTH'] });
    const [ci] = r.containerInstances!;
    assert.equal(ci.containerInstanceArn, arns.containerInstance(scope, 'default', 'ddd'));
    assert.equal(ci.statusReason, 'Agent disconnected');
    assert.deepEqual(ci.tags, [{ key: 'team', value: 'platform' }]);
    assert.equal(ci.healthStatus!.overallStatus, 'INSUFFICIENT_DATA');
    const ok = (await describeInstances({ cluster: 'web', containerInstances: ['aaa'], include: ['CONTAINER_INSTANCE_HEALTH'] })).containerInstances![0];
    assert.deepEqual(ok.healthStatus, {
      overallStatus: 'OK',
      details: [{ type: 'CONTAINER_RUNTIME', status: 'OK', lastUpdated: new Date(clock.now() + 5000), lastStatusChange: new Date(clock.now()) }],
    });
    assert.equal(ok.tags, undefined);
  });

  test('reports unknown instances, and instances of another cluster, as MISSING failures with their ARN', async () => {
    const otherCluster = arns.containerInstance(scope, 'default', 'aaa');
    const r = await describeInstances({ cluster: 'web', containerInstances: ['aaa', 'zzz', otherCluster, 'arn:aws:ecs:eu-west-1:123456789012:container-instance/web/aaa'] });
    assert.equal(r.containerInstances!.length, 1);
    assert.deepEqual(r.failures, [
      { arn: arns.containerInstance(scope, 'web', 'zzz'), reason: 'MISSING' },
      { arn: otherCluster, reason: 'MISSING' },
      { arn: 'arn:aws:ecs:eu-west-1:123456789012:container-instance/web/aaa', reason: 'MISSING' },
    ]);
  });

  test('accepts up to 100 instances, long ARNs included', async () => {
    const longCluster = 'x'.repeat(200);
    await call('DescribeContainerInstances', { cluster: 'web', containerInstances: Array.from({ length: 100 }, (_, i) => `id${i}`) });
    await rejects('DescribeContainerInstances', { cluster: 'web', containerInstances: Array.from({ length: 101 }, (_, i) => `id${i}`) }, 'InvalidParameterException', /^containerInstances can have at most 100 members/);
    const r = await describeInstances({ cluster: 'web', containerInstances: [arns.containerInstance(scope, longCluster, 'aaa')] });
    assert.equal(r.failures![0].reason, 'MISSING');
  });

  test('validates its input and the cluster', async () => {
    await rejects('DescribeContainerInstances', { cluster: 'web' }, 'InvalidParameterException', mustNotBeNull('containerInstances'));
    await rejects('DescribeContainerInstances', { cluster: 'web', containerInstances: [] }, 'InvalidParameterException', /^containerInstances can not be empty/);
    await rejects('DescribeContainerInstances', { cluster: 'web', containerInstances: ['aaa'], include: ['STATS'] }, 'InvalidParameterException', notInEnum('include', '[STATS]'));
    await rejects('DescribeContainerInstances', { cluster: 'nope', containerInstances: ['aaa'] }, 'ClusterNotFoundException', /Cluster not found/);
    await rejects('DescribeContainerInstances', { cluster: 'web', containerInstances: 'aaa' }, 'SerializationException', /^containerInstances must be a list, not string\.$/);
  });
});

describe('ListContainerInstances', () => {
  beforeEach(async () => {
    await seedInstance(store, instance('web', 'i1', { attributes: [{ name: 'ecs.instance-type', value: 'm5.large' }, { name: 'stack', value: 'prod' }] }));
    await seedInstance(store, instance('web', 'i2', { status: 'DRAINING', attributes: [{ name: 'ecs.instance-type', value: 't3.micro' }] }));
    await seedInstance(store, instance('web', 'i3', { status: 'INACTIVE', attributes: [{ name: 'ecs.instance-type', value: 'm5.large' }] }));
    await seedInstance(store, instance('web', 'i4', { status: 'REGISTERING', attributes: [] }));
    await seedInstance(store, instance('web', 'i5', { attributes: [{ name: 'ecs.instance-type', value: 'c5.xlarge' }, { name: 'stack', value: 'dev' }], agentConnected: false }));
    await seedInstance(store, instance('default', 'j1'));
  });
  const ids = (r: ListContainerInstancesResponse) => r.containerInstanceArns!.map((a) => a.split('/').pop());

  test('lists every instance but INACTIVE ones by default', async () => {
    assert.deepEqual(ids(await list({ cluster: 'web' })), ['i1', 'i2', 'i4', 'i5']);
    assert.deepEqual(ids(await list({})), ['j1']);
  });

  test('filters by status', async () => {
    assert.deepEqual(ids(await list({ cluster: 'web', status: 'DRAINING' })), ['i2']);
    assert.deepEqual(ids(await list({ cluster: 'web', status: 'REGISTERING' })), ['i4']);
    assert.deepEqual(ids(await list({ cluster: 'web', status: 'ACTIVE' })), ['i1', 'i5']);
    assert.deepEqual(ids(await list({ cluster: 'web', status: 'REGISTRATION_FAILED' })), []);
    await rejects('ListContainerInstances', { cluster: 'web', status: 'STOPPED' }, 'InvalidParameterException', notInEnum('status', 'STOPPED'));
    // ECS lists no INACTIVE container instances: its model has no such status to filter on.
    await rejects('ListContainerInstances', { cluster: 'web', status: 'INACTIVE' }, 'InvalidParameterException', notInEnum('status', 'INACTIVE'));
  });

  test('filters with the cluster query language', async () => {
    assert.deepEqual(ids(await list({ cluster: 'web', filter: 'attribute:ecs.instance-type == m5.large' })), ['i1']);
    assert.deepEqual(ids(await list({ cluster: 'web', filter: 'attribute:stack exists' })), ['i1', 'i5']);
    assert.deepEqual(ids(await list({ cluster: 'web', filter: 'attribute:stack !exists' })), ['i2', 'i4']);
    assert.deepEqual(ids(await list({ cluster: 'web', filter: 'attribute:ecs.instance-type in [t3.micro, c5.xlarge]' })), ['i2', 'i5']);
    assert.deepEqual(ids(await list({ cluster: 'web', filter: '(attribute:stack == prod or attribute:stack == dev) and agentConnected == true' })), ['i1']);
    assert.deepEqual(ids(await list({ cluster: 'web', filter: 'attribute:ecs.instance-type in [t3.micro, c5.xlarge]', status: 'DRAINING' })), ['i2']);
    assert.deepEqual(ids(await list({ cluster: 'web', filter: '' })), ['i1', 'i2', 'i4', 'i5']);
  });

  test('rejects a filter with a syntax error, saying where', () =>
    rejects('ListContainerInstances', { cluster: 'web', filter: 'attribute:stack == ' }, 'InvalidParameterException', /^filter: invalid expression at position 20: expected a value/));

  test('pages with maxResults and nextToken', async () => {
    const first = await list({ cluster: 'web', maxResults: 3 });
    assert.deepEqual(ids(first), ['i1', 'i2', 'i4']);
    assert.ok(first.nextToken);
    const second = await list({ cluster: 'web', maxResults: 3, nextToken: first.nextToken });
    assert.deepEqual(ids(second), ['i5']);
    assert.equal(second.nextToken, undefined);
    await rejects('ListContainerInstances', { cluster: 'web', maxResults: 101 }, 'InvalidParameterException', /^maxResults must be less than or equal to 100/);
    await rejects('ListContainerInstances', { cluster: 'web', nextToken: '%%%' }, 'InvalidParameterException', /^Invalid nextToken/);
    await rejects('ListContainerInstances', { cluster: 'gone' }, 'ClusterNotFoundException', /Cluster not found/);
  });
});

describe('DeregisterContainerInstance', () => {
  beforeEach(() => seedInstance(store, instance('web', 'aaa')));

  test('refuses while the instance has tasks that are not STOPPED', async () => {
    await seedTask(store, task('web', 't1', 'aaa', { lastStatus: 'STOPPED' }));
    await seedTask(store, task('web', 't2', 'aaa', { lastStatus: 'STOPPING', desiredStatus: 'STOPPED' }));
    await rejects('DeregisterContainerInstance', { cluster: 'web', containerInstance: 'aaa' }, 'InvalidParameterException', /^Found running tasks on the instance\.$/);
    assert.equal((await stored('web', 'aaa')).status, 'ACTIVE');
  });

  test('deregisters an idle instance: INACTIVE, version bumped, returned with tags', async () => {
    await seedTask(store, task('web', 't1', 'aaa', { lastStatus: 'STOPPED' }));
    await seedTask(store, task('web', 't2', 'other', { lastStatus: 'RUNNING' }));
    const { containerInstance } = await call<DeregisterContainerInstanceResponse>('DeregisterContainerInstance', {
      cluster: arns.cluster(scope, 'web'),
      containerInstance: arns.containerInstance(scope, 'web', 'aaa'),
    });
    assert.equal(containerInstance!.status, 'INACTIVE');
    assert.equal(containerInstance!.version, 3);
    assert.equal(containerInstance!.runningTasksCount, 0);
    assert.deepEqual(containerInstance!.tags, [{ key: 'team', value: 'platform' }]);
    assert.equal((await stored('web', 'aaa')).status, 'INACTIVE');
    assert.deepEqual((await list({ cluster: 'web' })).containerInstanceArns, []);
  });

  test('force deregisters an instance with running tasks, leaving the tasks alone', async () => {
    await seedTask(store, task('web', 't1', 'aaa', { lastStatus: 'RUNNING' }));
    const { containerInstance } = await call<DeregisterContainerInstanceResponse>('DeregisterContainerInstance', { cluster: 'web', containerInstance: 'aaa', force: true });
    assert.equal(containerInstance!.status, 'INACTIVE');
    assert.equal(containerInstance!.runningTasksCount, 1);
    const t = (await getDoc<TaskRecord>(store, keys.task(scope, 'web', 't1')))!.value;
    assert.equal(t.lastStatus, 'RUNNING');
  });

  test('validates its input, the cluster and the instance', async () => {
    await rejects('DeregisterContainerInstance', { cluster: 'web' }, 'InvalidParameterException', mustNotBeNull('containerInstance'));
    await rejects('DeregisterContainerInstance', { cluster: 'web', containerInstance: 'aaa', force: 'yes' }, 'SerializationException', /^force must be a boolean, not string\.$/);
    await rejects('DeregisterContainerInstance', { cluster: 'nope', containerInstance: 'aaa' }, 'ClusterNotFoundException', /Cluster not found/);
    await rejects('DeregisterContainerInstance', { cluster: 'web', containerInstance: 'zzz' }, 'InvalidParameterException', /^containerInstance: the referenced container instance zzz was not found/);
    await rejects('DeregisterContainerInstance', { containerInstance: 'aaa' }, 'InvalidParameterException', /not found in cluster default/);
  });
});

describe('UpdateContainerInstancesState', () => {
  beforeEach(async () => {
    await seedInstance(store, instance('web', 'a1'));
    await seedInstance(store, instance('web', 'a2'));
    await seedInstance(store, instance('web', 'gone', { status: 'INACTIVE' }));
  });
  const update = (input: Record<string, unknown>) => call<UpdateContainerInstancesStateResponse>('UpdateContainerInstancesState', { cluster: 'web', ...input });

  test('drains instances and makes them ACTIVE again', async () => {
    const r = await update({ containerInstances: ['a1', arns.containerInstance(scope, 'web', 'a2')], status: 'DRAINING' });
    assert.deepEqual(r.failures, []);
    assert.deepEqual(r.containerInstances!.map((c) => [c.status, c.version]), [['DRAINING', 3], ['DRAINING', 3]]);
    assert.equal((await stored('web', 'a1')).status, 'DRAINING');
    assert.deepEqual((await list({ cluster: 'web', status: 'DRAINING' })).containerInstanceArns!.length, 2);
    const back = await update({ containerInstances: ['a1'], status: 'ACTIVE' });
    assert.equal(back.containerInstances![0].status, 'ACTIVE');
    assert.equal(back.containerInstances![0].version, 4);
  });

  test('setting the status an instance already has changes nothing', async () => {
    const before = await store.revision();
    const r = await update({ containerInstances: ['a1'], status: 'ACTIVE' });
    assert.equal(r.containerInstances![0].version, 2);
    assert.equal(await store.revision(), before);
  });

  test('reports unknown and INACTIVE instances as failures and updates the rest', async () => {
    const r = await update({ containerInstances: ['a1', 'zzz', 'gone'], status: 'DRAINING' });
    assert.deepEqual(r.containerInstances!.map((c) => c.containerInstanceArn), [arns.containerInstance(scope, 'web', 'a1')]);
    assert.deepEqual(r.failures!.map((f) => [f.arn, f.reason]), [
      [arns.containerInstance(scope, 'web', 'zzz'), 'MISSING'],
      [arns.containerInstance(scope, 'web', 'gone'), 'INACTIVE'],
    ]);
    assert.equal((await stored('web', 'gone')).status, 'INACTIVE');
  });

  test('validates its input', async () => {
    await rejects('UpdateContainerInstancesState', { cluster: 'web', containerInstances: ['a1'], status: 'INACTIVE' }, 'InvalidParameterException', notInEnum('status', 'INACTIVE'));
    await rejects('UpdateContainerInstancesState', { cluster: 'web', containerInstances: ['a1'], status: 'REGISTERING' }, 'InvalidParameterException', /^status must be one of: ACTIVE, DRAINING\. Received: REGISTERING\./);
    await rejects('UpdateContainerInstancesState', { cluster: 'web', containerInstances: ['a1'] }, 'InvalidParameterException', mustNotBeNull('status'));
    await rejects('UpdateContainerInstancesState', { cluster: 'web', containerInstances: Array.from({ length: 11 }, (_, i) => `x${i}`), status: 'DRAINING' }, 'InvalidParameterException', /^containerInstances can have at most 10 members/);
    await rejects('UpdateContainerInstancesState', { cluster: 'web', status: 'DRAINING' }, 'InvalidParameterException', mustNotBeNull('containerInstances'));
    await rejects('UpdateContainerInstancesState', { cluster: 'nope', containerInstances: ['a1'], status: 'DRAINING' }, 'ClusterNotFoundException', /Cluster not found/);
  });
});

describe('RegisterContainerInstance', () => {
  const doc = (over: Record<string, unknown> = {}) => JSON.stringify({
    accountId: scope.account, region: scope.region, instanceId: 'i-0abc1234def567890', instanceType: 't3.medium', availabilityZone: `${scope.region}b`, imageId: 'ami-0123456789abcdef0', ...over,
  });
  const resources = [{ name: 'CPU', type: 'INTEGER', integerValue: 2048 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 3900 },
    { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375'] }];
  type Registered = { containerInstance: { containerInstanceArn: string; version: number; agentConnected: boolean; attributes: { name: string; value?: string }[] } };

  test('registers an ACTIVE, not connected instance with the document\'s attributes, and again without a duplicate', async () => {
    const { containerInstance: first } = await call<Registered>('RegisterContainerInstance', {
      cluster: 'web', instanceIdentityDocument: doc(), totalResources: resources, attributes: [{ name: 'stack', value: 'blue' }], tags: [{ key: 'k', value: 'v' }],
    });
    assert.equal(first.agentConnected, false);
    assert.deepEqual(first.attributes.filter((a) => a.name.startsWith('ecs.')).map((a) => a.value).sort(), [`${scope.region}b`, 'ami-0123456789abcdef0', 't3.medium'].sort());
    const record = (await list({ cluster: 'web' })).containerInstanceArns!;
    assert.deepEqual(record, [first.containerInstanceArn]);
    const id = first.containerInstanceArn.split('/').pop()!;
    const storedOne = await stored('web', id);
    assert.deepEqual(storedOne!.registeredResources, { cpu: 2048, memory: 3900, ports: [22, 2375], portsUdp: [] });
    // The same EC2 instance again, without its ARN: the same container instance.
    const { containerInstance: again } = await call<Registered>('RegisterContainerInstance', { cluster: 'web', instanceIdentityDocument: doc(), totalResources: resources });
    assert.equal(again.containerInstanceArn, first.containerInstanceArn);
    assert.equal(again.version, first.version + 1);
    assert.equal((await list({ cluster: 'web' })).containerInstanceArns!.length, 1);
  });

  test('refuses what it cannot register, changing nothing', async () => {
    await rejects('RegisterContainerInstance', { cluster: 'web', totalResources: resources }, 'InvalidParameterException', /instanceIdentityDocument/);
    await rejects('RegisterContainerInstance', { cluster: 'web', instanceIdentityDocument: '[]', totalResources: resources }, 'InvalidParameterException', /not a JSON instance identity document/);
    await rejects('RegisterContainerInstance', { cluster: 'web', instanceIdentityDocument: doc({ instanceId: 'host-1' }), totalResources: resources }, 'InvalidParameterException', /instanceId/);
    await rejects('RegisterContainerInstance', { cluster: 'web', instanceIdentityDocument: doc({ region: 'eu-west-1' }), totalResources: resources }, 'InvalidParameterException', /region eu-west-1/);
    await rejects('RegisterContainerInstance', { cluster: 'web', instanceIdentityDocument: doc(), totalResources: resources.slice(1) }, 'InvalidParameterException', /CPU/);
    await rejects('RegisterContainerInstance', {
      cluster: 'web', instanceIdentityDocument: doc(), totalResources: [...resources.slice(0, 2), { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['70000'] }],
    }, 'InvalidParameterException', /70000 is not a port/);
    await rejects('RegisterContainerInstance', {
      cluster: 'web', instanceIdentityDocument: doc(), totalResources: resources, containerInstanceArn: arns.containerInstance(scope, 'web', 'nope'),
    }, 'InvalidParameterException', /was not found in cluster web/);
    await rejects('RegisterContainerInstance', { cluster: 'missing', instanceIdentityDocument: doc(), totalResources: resources }, 'ClusterNotFoundException', /Cluster not found/);
  });
});
