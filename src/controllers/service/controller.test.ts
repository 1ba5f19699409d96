import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManualClock, randomIds } from '../../common/index.ts';
import { place, seededRandom as placementRandom } from '../../scheduler/index.ts';
import { DelayedStore, seededRandom } from '../../state/delayed-store.testing.ts';
import { SqliteStore, getDoc, listDocs, transact } from '../../state/index.ts';
import {
  EcsInformers, keys, putService, resolveTaskDefinition, serviceArns, serviceKeys, startDeployment, type ServiceRecord, type TaskRecord,
} from '../../ecs/index.ts';
import {
  ecsWorld, instanceRecord, scope, seed, seedCluster, seedInstance, seedTaskDefinition, taskDefinitionRecord, type EcsWorld,
} from '../../ecs/testing.ts';
import { ServiceController } from './controller.ts';

const CLUSTER = 'prod';
const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const serviceKey = serviceKeys.service(scope, CLUSTER, 'web');

/** An ACTIVE REPLICA service `web` of web:1 with `desiredCount`, stored as CreateService stores it. */
async function createService(bed: EcsWorld, desiredCount: number, over: Partial<ServiceRecord> = {}): Promise<void> {
  await transact(bed.store, async (tx) => {
    const td = await resolveTaskDefinition(tx, scope, 'web');
    const base: ServiceRecord = {
      name: 'web', arn: serviceArns.service(scope, CLUSTER, 'web'), clusterName: CLUSTER, clusterArn: `arn:aws:ecs:${scope.region}:${scope.account}:cluster/${CLUSTER}`,
      status: 'ACTIVE', schedulingStrategy: 'REPLICA', launchType: 'EC2', desiredCount, taskDefinition: td.taskDefinitionArn,
      placementConstraints: [], placementStrategy: [],
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: false, rollback: false } },
      deploymentController: { type: 'ECS' }, loadBalancers: [], serviceRegistries: [], enableECSManagedTags: false, enableExecuteCommand: false,
      tags: [], createdAt: bed.clock.now(), deployments: [], events: [], version: 1, ...over,
    };
    putService(tx, startDeployment(tx, base, { taskDefinition: td.taskDefinitionArn, placementConstraints: [], placementStrategy: [], deploymentConfiguration: base.deploymentConfiguration }, td, bed.deps.ids, bed.clock.now()));
  });
}

const serviceTasks = async (bed: EcsWorld) => (await listDocs<TaskRecord>(bed.store, keys.tasks(scope, CLUSTER))).map((d) => d.value);
const storedService = async (bed: EcsWorld) => (await getDoc<ServiceRecord>(bed.store, serviceKey))!.value;

/** Moves tasks on as an agent would report them. */
async function report(bed: EcsWorld, change: (t: TaskRecord) => Partial<TaskRecord> | undefined): Promise<void> {
  for (const t of await serviceTasks(bed)) {
    const c = change(t);
    if (c) await seed(bed.store, keys.task(scope, CLUSTER, t.id), { ...t, ...c, version: t.version + 1 });
  }
}

describe('ServiceController (shell over the real store)', () => {
  let bed: EcsWorld;
  let controller: ServiceController;

  beforeEach(async () => {
    bed = ecsWorld();
    await seedCluster(bed.store, CLUSTER, bed.clock.now());
    await seedTaskDefinition(bed.store, taskDefinitionRecord('web', 1, [{ name: 'app', image: 'busybox', memory: 256, cpu: 256 }]));
    await seedInstance(bed.store, instanceRecord(CLUSTER, A));
    await seedInstance(bed.store, instanceRecord(CLUSTER, B));
    controller = new ServiceController({ deps: bed.deps, settings: { instanceLostAfterMs: 30_000 } });
  });

  afterEach(async () => {
    await controller.close();
    bed.deps.informers.close();
    await bed.store.close();
  });

  it('launches the desired count, completes the deployment and reports a steady state', async () => {
    await createService(bed, 3);
    await controller.reconcile(serviceKey);
    const tasks = await serviceTasks(bed);
    assert.equal(tasks.length, 3);
    const service = await storedService(bed);
    assert.ok(tasks.every((t) => t.group === 'service:web' && t.startedBy === service.deployments[0].id));
    assert.match(service.events[0].message, /^\(service web\) has started 3 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/);

    await controller.reconcile(serviceKey); // nothing observed changed: nothing to do
    assert.equal((await serviceTasks(bed)).length, 3);
    assert.equal((await storedService(bed)).version, service.version);

    await report(bed, () => ({ lastStatus: 'RUNNING', startedAt: bed.clock.now() }));
    await controller.reconcile(serviceKey);
    const steady = await storedService(bed);
    assert.equal(steady.deployments[0].rolloutState, 'COMPLETED');
    assert.deepEqual(steady.events.slice(0, 2).map((e) => e.message), [
      '(service web) has reached a steady state.',
      `(service web) (deployment ${steady.deployments[0].id}) deployment completed.`,
    ]);
    // Instances were charged for what was placed on them.
    const charged = await Promise.all([A, B].map(async (id) => (await getDoc<{ remainingResources: { cpu: number } }>(bed.store, keys.instance(scope, CLUSTER, id)))!.value.remainingResources.cpu));
    assert.equal(charged.reduce((a, b) => a + b, 0), 2 * 1024 - 3 * 256);
  });

  it('replaces a task whose essential container exited', async () => {
    await createService(bed, 2);
    await controller.reconcile(serviceKey);
    await report(bed, () => ({ lastStatus: 'RUNNING', startedAt: bed.clock.now() }));
    await controller.reconcile(serviceKey);
    const [victim] = await serviceTasks(bed);
    await report(bed, (t) => (t.id === victim.id ? { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedAt: bed.clock.now() } : undefined));
    await controller.reconcile(serviceKey);
    const tasks = await serviceTasks(bed);
    assert.equal(tasks.filter((t) => t.desiredStatus === 'RUNNING').length, 2);
    assert.equal(tasks.length, 3);
  });

  it('replaces the tasks of an instance lost for longer than the timeout, and no sooner', async () => {
    await createService(bed, 2, { placementConstraints: [], placementStrategy: [{ type: 'spread', field: 'instanceId' }] });
    await transact(bed.store, async (tx) => {
      const s = await tx.get<ServiceRecord>(serviceKey);
      putService(tx, { ...s!, deployments: s!.deployments.map((d) => ({ ...d, placementStrategy: [{ type: 'spread', field: 'instanceId' }] })) });
    });
    await controller.reconcile(serviceKey);
    await report(bed, () => ({ lastStatus: 'RUNNING', startedAt: bed.clock.now() }));
    await controller.reconcile(serviceKey);
    const onA = (await serviceTasks(bed)).filter((t) => t.containerInstanceId === A);
    assert.equal(onA.length, 1, 'spread put one task on each instance');
    await seedInstance(bed.store, instanceRecord(CLUSTER, A, { agentConnected: false, disconnectedAt: bed.clock.now() }));

    const wait = await controller.reconcile(serviceKey);
    assert.equal(wait, 30_000, 'asks to look again when the instance will count as lost');
    assert.equal((await serviceTasks(bed)).length, 2);

    bed.clock.advance(30_000);
    await controller.reconcile(serviceKey);
    const tasks = await serviceTasks(bed);
    const lost = tasks.find((t) => t.id === onA[0].id)!;
    assert.equal(lost.desiredStatus, 'STOPPED');
    assert.equal(lost.stopCode, 'ServiceSchedulerInitiated');
    assert.match(lost.stoppedReason!, /lost contact/);
    const replacement = tasks.filter((t) => t.desiredStatus === 'RUNNING' && t.id !== onA[0].id && t.lastStatus === 'PENDING');
    assert.equal(replacement.length, 1);
    assert.equal(replacement[0].containerInstanceId, B, 'placed on the instance still connected');
  });

  it('a control plane that just started gives agents time to reconnect before judging an instance lost', async () => {
    const quick = new ServiceController({ deps: bed.deps, settings: { instanceLostAfterMs: 1000 } });
    await createService(bed, 2);
    await quick.reconcile(serviceKey);
    await report(bed, () => ({ lastStatus: 'RUNNING', startedAt: bed.clock.now() }));
    await quick.reconcile(serviceKey);
    await seedInstance(bed.store, instanceRecord(CLUSTER, A, { agentConnected: false, disconnectedAt: bed.clock.now() }));
    await seedInstance(bed.store, instanceRecord(CLUSTER, B, { agentConnected: false, disconnectedAt: bed.clock.now() }));
    assert.equal(await quick.reconcile(serviceKey), 10_000, 'not before two reconnect intervals from its start');
    bed.clock.advance(5_000);
    await quick.reconcile(serviceKey);
    assert.ok((await serviceTasks(bed)).every((t) => t.desiredStatus === 'RUNNING'));
    bed.clock.advance(5_000);
    await quick.reconcile(serviceKey);
    assert.ok((await serviceTasks(bed)).every((t) => t.desiredStatus === 'STOPPED'));
    await quick.close();
  });

  it('says why it cannot place, once, and places when capacity comes', async () => {
    await createService(bed, 9); // 4 fit per instance (1024 CPU / 256)
    await controller.reconcile(serviceKey);
    await controller.reconcile(serviceKey);
    const service = await storedService(bed);
    assert.equal((await serviceTasks(bed)).length, 8);
    const unable = service.events.filter((e) => e.message.includes('was unable to place a task'));
    assert.equal(unable.length, 1);
    assert.match(unable[0].message, /The closest matching \(container-instance [0-9a-f]{32}\) has insufficient CPU units available\./);
    await seedInstance(bed.store, instanceRecord(CLUSTER, 'c'.repeat(32)));
    await controller.reconcile(serviceKey);
    assert.equal((await serviceTasks(bed)).length, 9);
  });

  it('watches: a new service is reconciled without being asked', async () => {
    await controller.start();
    await createService(bed, 1);
    await controller.idle();
    assert.equal((await serviceTasks(bed)).length, 1);
  });
});

describe('ServiceController behind an asynchronous store (DelayedStore)', () => {
  for (const runSeed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`a pass right after another sees the tasks it launched, and launches no more (seed ${runSeed})`, async () => {
      const store = new DelayedStore(SqliteStore.open(':memory:'), { random: seededRandom(runSeed) });
      const clock = new ManualClock();
      const informers = new EcsInformers(store);
      const bed: EcsWorld = { store, clock, deps: { store, clock, ids: randomIds, place, rng: placementRandom(runSeed), informers } };
      const controller = new ServiceController({ deps: bed.deps, settings: { instanceLostAfterMs: 30_000 } });
      try {
        await seedCluster(store, CLUSTER, clock.now());
        await seedTaskDefinition(store, taskDefinitionRecord('web', 1, [{ name: 'app', image: 'busybox', memory: 256, cpu: 256 }]));
        await seedInstance(store, instanceRecord(CLUSTER, A));
        await seedInstance(store, instanceRecord(CLUSTER, B));
        await informers.start();
        await createService(bed, 3);
        await controller.reconcile(serviceKey);
        await controller.reconcile(serviceKey);
        await controller.reconcile(serviceKey);
        assert.equal((await serviceTasks(bed)).length, 3);
        const charged = await Promise.all([A, B].map(async (id) => (await getDoc<{ remainingResources: { cpu: number } }>(store, keys.instance(scope, CLUSTER, id)))!.value.remainingResources.cpu));
        assert.equal(charged.reduce((a, b) => a + b, 0), 2 * 1024 - 3 * 256);
      } finally {
        await controller.close();
        informers.close();
        await store.close();
      }
    });
  }
});
