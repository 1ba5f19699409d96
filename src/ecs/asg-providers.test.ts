import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { transact, type Store } from '../state/index.ts';
import {
  providerKeys, providerOfInstance, stageClusterProviders, stageCreateProvider, stageDeleteProvider, stageUpdateProvider,
  type AsgProviderRecord, type AutoScalingGroupsPort,
} from './asg-providers.ts';
import { launchTasks } from './task-launch.ts';
import { ecsWorld, instanceRecord, scope, seedCluster, seedInstance, seedTaskDefinition, taskDefinitionRecord, type EcsWorld } from './testing.ts';

const groupArn = (name: string) => `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0000:autoScalingGroupName/${name}`;

/** Two groups, `web` protecting its new instances from scale-in; i-web1 and i-web2 are web's, i-jobs1 is jobs'. */
const port: AutoScalingGroupsPort = {
  async group(_tx, _scope, ref) {
    const name = ref.startsWith('arn:') ? ref.split('/').pop()! : ref;
    if (name !== 'web' && name !== 'jobs') return undefined;
    return { arn: groupArn(name), name, newInstancesProtectedFromScaleIn: name === 'web' };
  },
  async groupOfInstance(_tx, _scope, id) {
    return id.startsWith('i-web') ? groupArn('web') : id.startsWith('i-jobs') ? groupArn('jobs') : undefined;
  },
};

const refused = async (p: Promise<unknown>, name: string, message: RegExp) => assert.rejects(p, (e: Error) => {
  assert.equal(e.name, name);
  assert.match(e.message, message);
  return true;
});

describe('capacity providers of Auto Scaling groups', () => {
  let w: EcsWorld;
  let store: Store;
  beforeEach(() => {
    w = ecsWorld();
    store = w.store;
  });
  afterEach(() => {
    w.deps.informers.close();
    store.close();
  });
  const create = (name: string, group: string, more: object = {}) =>
    transact(store, (tx) => stageCreateProvider(tx, port, scope, name, { autoScalingGroupArn: group, ...more }, [], 0));

  it('creates with ECS\'s defaults, and refuses a taken name, a taken group, a reserved prefix and a missing group', async () => {
    const p = await create('web-cp', groupArn('web'));
    assert.equal(p.arn, 'arn:aws:ecs:us-east-1:123456789012:capacity-provider/web-cp');
    assert.deepEqual(p.managedScaling, { status: 'DISABLED', targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10_000, instanceWarmupPeriod: 300 });
    assert.equal(p.managedTerminationProtection, 'DISABLED');
    assert.equal(p.managedDraining, 'ENABLED');
    await refused(create('web-cp', groupArn('jobs')), 'ClientException', /^The specified capacity provider already exists/);
    await refused(create('other', 'web'), 'ClientException', /already being used by another capacity provider/);
    await refused(create('ecs-mine', groupArn('jobs')), 'InvalidParameterException', /can't be prefixed with "aws", "ecs" or "fargate"/);
    await refused(create('x', groupArn('nope')), 'ClientException', /could not be found/);
    await refused(create('y', groupArn('jobs'), { managedScaling: { targetCapacity: 0 } }), 'InvalidParameterException', /managedScaling\.targetCapacity must be between 1 and 100/);
  });

  it('managed termination protection needs managed scaling and a group that protects new instances', async () => {
    await refused(create('a', groupArn('web'), { managedTerminationProtection: 'ENABLED' }), 'ClientException', /managed scaling must be enabled/);
    await refused(create('b', groupArn('jobs'), { managedTerminationProtection: 'ENABLED', managedScaling: { status: 'ENABLED' } }),
      'ClientException', /the Auto Scaling group must have instance protection from scale in enabled/);
    const ok = await create('c', groupArn('web'), { managedTerminationProtection: 'ENABLED', managedScaling: { status: 'ENABLED', targetCapacity: 80 } });
    assert.equal(ok.managedScaling.targetCapacity, 80);
    const updated = await transact(store, (tx) => stageUpdateProvider(tx, port, scope, 'c', { managedScaling: { targetCapacity: 50 } }));
    assert.equal(updated.managedScaling.targetCapacity, 50);
    assert.equal(updated.managedScaling.status, 'ENABLED', 'an update keeps what it does not name');
    assert.equal(updated.updateStatus, 'UPDATE_COMPLETE');
  });

  it('a provider serves one cluster; one in use is not deleted; a deleted one is INACTIVE and its group free again', async () => {
    await seedCluster(store, 'a');
    await seedCluster(store, 'b');
    await create('web-cp', groupArn('web'));
    await transact(store, (tx) => stageClusterProviders(tx, scope, 'a', ['web-cp', 'FARGATE']));
    await refused(transact(store, (tx) => stageClusterProviders(tx, scope, 'b', ['web-cp'])), 'InvalidParameterException', /already associated with cluster a/);
    await refused(transact(store, (tx) => stageClusterProviders(tx, scope, 'b', ['nope'])), 'InvalidParameterException', /capacity provider nope does not exist/);
    await refused(transact(store, (tx) => stageDeleteProvider(tx, scope, 'web-cp')), 'ResourceInUseException', /in use/);
    await transact(store, (tx) => stageClusterProviders(tx, scope, 'a', []));
    const deleted = await transact(store, (tx) => stageDeleteProvider(tx, scope, 'arn:aws:ecs:us-east-1:123456789012:capacity-provider/web-cp'));
    assert.deepEqual([deleted.status, deleted.updateStatus], ['INACTIVE', 'DELETE_COMPLETE']);
    await create('web-again', groupArn('web'));
    assert.equal((await transact(store, (tx) => tx.get<AsgProviderRecord>(providerKeys.provider(scope, 'web-cp'))))?.status, 'INACTIVE');
  });

  it('an instance a group launched registers with its cluster\'s provider of that group; tasks of a strategy go on their provider\'s instances', async () => {
    await seedCluster(store, 'c');
    await create('web-cp', groupArn('web'));
    await create('jobs-cp', groupArn('jobs'));
    await transact(store, (tx) => stageClusterProviders(tx, scope, 'c', ['web-cp', 'jobs-cp']));
    const providerOf = (id: string) => transact(store, (tx) => providerOfInstance(tx, port, scope, 'c', id));
    assert.equal(await providerOf('i-web1'), 'web-cp');
    assert.equal(await providerOf('i-jobs1'), 'jobs-cp');
    assert.equal(await providerOf('i-other'), undefined);

    const cluster = (await transact(store, (tx) => tx.get<{ capacityProviders: string[] }>(`ecs/clusters/${scope.account}/${scope.region}/c`)))!;
    await transact(store, async (tx) => tx.put(`ecs/clusters/${scope.account}/${scope.region}/c`, { ...cluster, capacityProviders: ['web-cp', 'jobs-cp'] }));
    await seedInstance(store, instanceRecord('c', 'a'.repeat(32), { ec2InstanceId: 'i-web1', capacityProviderName: 'web-cp' }));
    await seedInstance(store, instanceRecord('c', 'b'.repeat(32), { ec2InstanceId: 'i-jobs1', capacityProviderName: 'jobs-cp' }));
    await seedInstance(store, instanceRecord('c', 'c'.repeat(32), { ec2InstanceId: 'i-plain' }));
    const td = taskDefinitionRecord('app', 1, [{ name: 'app', image: 'busybox', memory: 64 }]);
    await seedTaskDefinition(store, td);
    const launched = await launchTasks(w.deps, scope, {
      clusterRef: 'c', taskDefinitionRef: 'app:1', enableExecuteCommand: false, constraints: [], strategy: [], overrides: {},
      launchType: 'EC2', capacityProviderStrategy: [{ capacityProvider: 'web-cp', weight: 1, base: 0 }, { capacityProvider: 'jobs-cp', weight: 1, base: 1 }],
    }, 4);
    const placed = launched.tasks.map((t) => [t.capacityProviderName, t.containerInstanceId]).sort();
    assert.deepEqual(placed, [['jobs-cp', 'b'.repeat(32)], ['jobs-cp', 'b'.repeat(32)], ['web-cp', 'a'.repeat(32)], ['web-cp', 'a'.repeat(32)]],
      'the base on jobs-cp, the rest by weight; none on the instance of no provider');
  });
});
