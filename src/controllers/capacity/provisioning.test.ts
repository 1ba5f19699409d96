import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keys, launchTasks, stageStopTask, type TaskRecord } from '../../ecs/index.ts';
import { ecsWorld, instanceRecord, scope, seed, seedCluster, seedInstance, seedTaskDefinition, taskDefinitionRecord, type EcsWorld } from '../../ecs/testing.ts';
import { transact } from '../../state/index.ts';
import { PROVISIONING_TIMEOUT_MS, ProvisioningController } from './provisioning.ts';

const noTimers = { after: () => () => undefined };

describe('tasks waiting in PROVISIONING for their capacity provider', () => {
  let w: EcsWorld;
  let controller: ProvisioningController;
  beforeEach(async () => {
    w = ecsWorld();
    await seedCluster(w.store, 'c');
    const cluster = (await transact(w.store, (tx) => tx.get<Record<string, unknown>>(keys.cluster(scope, 'c'))))!;
    await seed(w.store, keys.cluster(scope, 'c'), { ...cluster, capacityProviders: ['asg-cp'] });
    await seedTaskDefinition(w.store, taskDefinitionRecord('app', 1, [{ name: 'app', image: 'busybox', memory: 512 }]));
    controller = new ProvisioningController({ deps: w.deps, timers: noTimers });
  });
  afterEach(async () => {
    await controller.close();
    w.deps.informers.close();
    w.store.close();
  });

  const run = (count: number) => launchTasks(w.deps, scope, {
    clusterRef: 'c', taskDefinitionRef: 'app:1', enableExecuteCommand: false, constraints: [], strategy: [{ type: 'binpack', field: 'memory' }], overrides: {},
    launchType: 'EC2', capacityProviderStrategy: [{ capacityProvider: 'asg-cp', weight: 1, base: 0 }],
  }, count);
  const task = async (id: string) => (await transact(w.store, (tx) => tx.get<TaskRecord>(keys.task(scope, 'c', id))))!;

  it('waits with no instance, then is placed on the provider\'s instance as it comes, keeping its id; what does not fit waits on', async () => {
    const { tasks, failures } = await run(3);
    assert.deepEqual(failures, []);
    assert.deepEqual(tasks.map((t) => [t.lastStatus, t.containerInstanceId, t.capacityProviderName]), Array(3).fill(['PROVISIONING', undefined, 'asg-cp']));
    await controller.runOnce();
    assert.equal((await task(tasks[0]!.id)).containerInstanceId, undefined, 'no instance yet');

    // An instance of another provider, and one of this provider with room for two.
    await seedInstance(w.store, instanceRecord('c', 'b'.repeat(32), { ec2InstanceId: 'i-other', capacityProviderName: 'other' }));
    const room = { cpu: 1024, memory: 1024, ports: [], portsUdp: [] };
    await seedInstance(w.store, instanceRecord('c', 'a'.repeat(32), { ec2InstanceId: 'i-1', capacityProviderName: 'asg-cp', registeredResources: room, remainingResources: room }));
    await w.deps.informers.catchUp();
    await controller.runOnce();
    const after = await Promise.all(tasks.map((t) => task(t.id)));
    const placed = after.filter((t) => t.containerInstanceId === 'a'.repeat(32));
    assert.equal(placed.length, 2, 'two fit');
    for (const t of placed) {
      assert.equal(t.lastStatus, 'PENDING');
      assert.equal(t.placement, undefined);
      assert.equal(t.arn, tasks.find((x) => x.id === t.id)!.arn);
      assert.equal(t.reserved.memory, 512);
    }
    const left = after.find((t) => t.containerInstanceId === undefined)!;
    assert.equal(left.lastStatus, 'PROVISIONING');

    // Stopped while it waits: STOPPED at once. One that waits too long is stopped by the controller.
    const stopped = await transact(w.store, (tx) => stageStopTask(tx, left, { stopCode: 'UserInitiated', reason: 'no longer' }, 5));
    assert.deepEqual([stopped.lastStatus, stopped.desiredStatus, stopped.stoppedAt], ['STOPPED', 'STOPPED', 5]);
    const [late] = (await run(1)).tasks;
    w.clock.advance(PROVISIONING_TIMEOUT_MS);
    await w.deps.informers.catchUp();
    await controller.runOnce();
    const expired = await task(late!.id);
    assert.deepEqual([expired.lastStatus, expired.stopCode], ['STOPPED', 'TaskFailedToStart']);
  });
});
