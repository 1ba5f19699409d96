import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomIds, type TaskStateChange } from '../../common/index.ts';
import {
  EcsInformers, keys, launchTasks, putService, resolveTaskDefinition, serviceArns, serviceKeys, stageTaskReport, startDeployment,
  type ContainerInstanceRecord, type DeploymentRecord, type EcsDeps, type LaunchRequest, type ServiceRecord, type TaskRecord,
} from '../../ecs/index.ts';
import {
  instanceRecord, scope, seedCluster, seedInstance, seedTask, seedTaskDefinition, storedInstance, taskDefinitionRecord, taskRecord,
} from '../../ecs/testing.ts';
import { place, seededRandom as placementRandom } from '../../scheduler/index.ts';
import { DelayedStore, seededRandom } from '../../state/delayed-store.testing.ts';
import { SqliteStore, getDoc, listDocs, transact, type Store } from '../../state/index.ts';
import { ServiceController } from '../service/controller.ts';
import { VirtualTime } from '../virtual-time.testing.ts';
import { TaskRetentionController, type TaskRetentionControllerOptions } from './controller.ts';

const MIN = 60_000;
const CLUSTER = 'prod';
const A = 'a'.repeat(32);
const run: LaunchRequest = { clusterRef: CLUSTER, taskDefinitionRef: 'web', enableExecuteCommand: false, constraints: [], strategy: [], overrides: {} };

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface Bed {
  store: Store;
  time: VirtualTime;
  deps: EcsDeps;
  retention: TaskRetentionController;
  /** Moves virtual time, letting each retention pass due on the way finish. */
  advance(ms: number): Promise<void>;
}

/** A cluster with one instance (1024 CPU) and task definition web:1 (256 CPU), over `store`, with retention on virtual time. */
async function bed(store: Store = SqliteStore.open(':memory:'), options: Partial<TaskRetentionControllerOptions> = {}): Promise<Bed> {
  const time = new VirtualTime();
  await seedCluster(store, CLUSTER, time.now());
  await seedTaskDefinition(store, taskDefinitionRecord('web', 1, [{ name: 'app', image: 'busybox', cpu: 256, memory: 256 }]));
  await seedInstance(store, instanceRecord(CLUSTER, A));
  const informers = new EcsInformers(store);
  await informers.start();
  const deps: EcsDeps = { store, clock: time, ids: randomIds, place, rng: placementRandom(1), informers };
  const retention = new TaskRetentionController({ store, informers, clock: time, timers: time, ...options });
  cleanup.push(() => store.close(), () => informers.close(), () => retention.close());
  const advance = (ms: number) => time.advance(ms, async () => {
    await retention.idle();
    await new Promise((resolve) => setImmediate(resolve));
  });
  return { store, time, deps, retention, advance };
}

/** Reports a task's progress as its agent would. */
async function report(b: Bed, task: TaskRecord, change: Omit<TaskStateChange, 'taskArn' | 'containers'>): Promise<void> {
  await transact(b.store, (tx) => stageTaskReport(tx, b.time.now(), { taskArn: task.arn, containers: [], ...change }, new Set([task.containerInstanceId!])));
}

async function launch(b: Bed, over: Partial<LaunchRequest> = {}): Promise<TaskRecord> {
  const { tasks } = await launchTasks(b.deps, scope, { ...run, ...over }, 1);
  assert.equal(tasks.length, 1);
  return tasks[0];
}

const stored = async (b: Bed, task: TaskRecord) => (await getDoc<TaskRecord>(b.store, keys.task(scope, CLUSTER, task.id)))?.value;

describe('TaskRetentionController', () => {
  it('deletes a STOPPED task once it has been visible for an hour, and never a RUNNING one', async () => {
    const b = await bed();
    const stays = await launch(b);
    const goes = await launch(b);
    await report(b, stays, { lastStatus: 'RUNNING', startedAt: b.time.now() });
    await report(b, goes, { lastStatus: 'RUNNING', startedAt: b.time.now() });
    await report(b, goes, { lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedAt: b.time.now() });
    b.retention.start();

    await b.advance(59 * MIN);
    assert.equal((await stored(b, goes))?.lastStatus, 'STOPPED', 'STOPPED 59 minutes ago: still visible');
    await b.advance(2 * MIN);
    assert.equal(await stored(b, goes), undefined, 'STOPPED 61 minutes ago: gone');
    await b.advance(24 * 60 * MIN);
    assert.equal((await stored(b, stays))?.lastStatus, 'RUNNING', 'a RUNNING task is never deleted');
  });

  it('takes its retention period as an option', async () => {
    const b = await bed(undefined, { retentionMs: 5 * MIN });
    const task = await launch(b);
    await report(b, task, { lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedAt: b.time.now() });
    b.retention.start();
    await b.advance(4 * MIN);
    assert.ok(await stored(b, task));
    await b.advance(2 * MIN);
    assert.equal(await stored(b, task), undefined);
  });

  it('counts a task without stoppedAt from when it was first seen at its revision', async () => {
    const b = await bed();
    await seedTask(b.store, taskRecord(CLUSTER, 'old', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', createdAt: 0 }));
    b.retention.start();
    await b.advance(59 * MIN);
    assert.ok(await getDoc(b.store, keys.task(scope, CLUSTER, 'old')));
    await b.advance(2 * MIN);
    assert.equal(await getDoc(b.store, keys.task(scope, CLUSTER, 'old')), undefined);
  });

  it('deletes in batches of at most batchSize, one transaction each', async () => {
    const inner = SqliteStore.open(':memory:');
    const deleteBatches: number[] = [];
    const counting = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'txn') {
          return (compares: Parameters<Store['txn']>[0], ops: Parameters<Store['txn']>[1]) => {
            if (ops.some((o) => o.type === 'delete')) deleteBatches.push(ops.length);
            return target.txn(compares, ops);
          };
        }
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const b = await bed(counting, { batchSize: 100 });
    const stoppedAt = b.time.now();
    for (let i = 0; i < 250; i++) {
      await seedTask(b.store, taskRecord(CLUSTER, `t${String(i).padStart(3, '0')}`, { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt }));
    }
    await b.time.advance(61 * MIN);
    await b.deps.informers.catchUp();
    const result = await b.retention.runOnce();
    assert.deepEqual(result, { deleted: 250, conflicts: 0 });
    assert.deepEqual(deleteBatches, [100, 100, 50]);
    assert.equal((await listDocs(b.store, keys.allTasks)).length, 0);
  });

  it('a task that changed since it was read is not deleted at the revision it was read at', async () => {
    const delayed = new DelayedStore(SqliteStore.open(':memory:'), { random: seededRandom(9) });
    const b = await bed(delayed);
    const old = b.time.now() - 2 * 60 * MIN;
    const stays = taskRecord(CLUSTER, 'stays', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: old });
    const goes = taskRecord(CLUSTER, 'goes', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: old });
    await seedTask(delayed, stays);
    await seedTask(delayed, goes);
    await b.deps.informers.catchUp();

    // The informer falls behind while both change: one now stopped recently, one still long ago.
    delayed.pauseDelivery();
    await seedTask(delayed, { ...stays, stoppedAt: b.time.now(), version: 2 });
    await seedTask(delayed, { ...goes, version: 2 });
    const pass = b.retention.runOnce();
    setTimeout(() => delayed.resumeDelivery(), 20);
    const result = await pass;
    assert.equal(result.conflicts, 1, 'the first batch, read from the stale informer, lost its race');
    assert.equal(result.deleted, 1);
    assert.equal((await getDoc<TaskRecord>(delayed, keys.task(scope, CLUSTER, 'stays')))?.value.version, 2);
    assert.equal(await getDoc(delayed, keys.task(scope, CLUSTER, 'goes')), undefined, 'deleted once re-read, at its new revision');
  });

  it('keeps the store bounded over 1,000 task starts and stops across simulated hours, leaving nothing dangling', async () => {
    const b = await bed();
    const before = (await b.store.range('')).kvs.length;
    b.retention.start();
    let most = 0;
    for (let i = 0; i < 1000; i++) {
      const task = await launch(b);
      await report(b, task, { lastStatus: 'RUNNING', startedAt: b.time.now() });
      await b.advance(30_000);
      await report(b, task, { lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedAt: b.time.now() });
      await b.advance(30_000);
      most = Math.max(most, (await b.store.range('')).kvs.length - before);
    }
    // One task stops a minute; each stays its hour (and up to one pass interval more).
    assert.ok(most <= 62, `at most 62 task keys at any time, saw ${most}`);
    assert.ok(most >= 60, `STOPPED tasks stayed their hour (saw ${most})`);
    const instance = await storedInstance(b.store, CLUSTER, A);
    assert.deepEqual(instance.remainingResources, instance.registeredResources, 'every stop gave its resources back');
    assert.deepEqual(instance.taskGroups ?? {}, {}, 'no task-group count refers to a deleted task');
  });

  it("leaves a service's deployment history as it was, and the service controller has nothing to redo", async () => {
    const b = await bed();
    const services = new ServiceController({ deps: b.deps, settings: { instanceLostAfterMs: 30_000 } });
    cleanup.push(() => services.close());
    const key = serviceKeys.service(scope, CLUSTER, 'api');
    const deploy = () => transact(b.store, async (tx) => {
      const td = await resolveTaskDefinition(tx, scope, 'web');
      const existing = await tx.get<ServiceRecord>(key);
      const service: ServiceRecord = existing ?? {
        name: 'api', arn: serviceArns.service(scope, CLUSTER, 'api'), clusterName: CLUSTER, clusterArn: `arn:aws:ecs:${scope.region}:${scope.account}:cluster/${CLUSTER}`,
        status: 'ACTIVE', schedulingStrategy: 'REPLICA', launchType: 'EC2', desiredCount: 2, taskDefinition: td.taskDefinitionArn,
        placementConstraints: [], placementStrategy: [],
        deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: false } },
        deploymentController: { type: 'ECS' }, loadBalancers: [], serviceRegistries: [], enableECSManagedTags: false, enableExecuteCommand: false,
        tags: [], createdAt: b.time.now(), deployments: [], events: [], version: 1,
      };
      const spec = { taskDefinition: td.taskDefinitionArn, placementConstraints: [], placementStrategy: [], deploymentConfiguration: service.deploymentConfiguration };
      putService(tx, startDeployment(tx, service, spec, td, b.deps.ids, b.time.now()));
    });
    /** Reconciles, then moves every task of the service on as its agent would. */
    const step = async (move: (t: TaskRecord) => Omit<TaskStateChange, 'taskArn' | 'containers'> | undefined) => {
      await services.reconcile(key);
      for (const t of b.deps.informers.tasksOfService(scope, CLUSTER, 'api')) {
        const change = move(t.value);
        if (change) await report(b, t.value, change);
      }
      await b.deps.informers.catchUp();
    };
    const settle = async () => {
      for (let i = 0; i < 10; i++) {
        await step((t) => (t.desiredStatus === 'STOPPED' && t.lastStatus !== 'STOPPED' ? { lastStatus: 'STOPPED', stoppedAt: b.time.now() }
          : t.lastStatus === 'PENDING' ? { lastStatus: 'RUNNING', startedAt: b.time.now() } : undefined));
        await b.advance(15_000);
      }
    };
    await deploy();
    await settle();
    await deploy(); // a new deployment replaces both tasks
    await settle();
    const history = async () => (await listDocs<DeploymentRecord>(b.store, serviceKeys.deployments(scope, CLUSTER, 'api'))).map((d) => d.value);
    const [first, second] = (await history()).sort((x, y) => x.createdAt - y.createdAt);
    assert.equal(first.status, 'INACTIVE');
    assert.equal(second.rolloutState, 'COMPLETED');
    const tasks = b.deps.informers.tasksOfService(scope, CLUSTER, 'api').map((d) => d.value);
    assert.deepEqual(tasks.map((t) => `${t.startedBy === first.id ? 'first' : 'second'} ${t.lastStatus}`).sort(), ['first STOPPED', 'first STOPPED', 'second RUNNING', 'second RUNNING']);
    const recordsBefore = await history();
    const serviceBefore = (await getDoc<ServiceRecord>(b.store, key))!;

    b.retention.start();
    await b.advance(61 * MIN);
    const left = b.deps.informers.tasksOfService(scope, CLUSTER, 'api').map((d) => d.value);
    assert.deepEqual(left.map((t) => t.lastStatus), ['RUNNING', 'RUNNING'], "the first deployment's STOPPED tasks are gone");
    assert.deepEqual(await history(), recordsBefore, 'deployment records are untouched');
    await services.reconcile(key);
    assert.equal((await getDoc<ServiceRecord>(b.store, key))!.modRevision, serviceBefore.modRevision, 'the service controller had nothing to redo');
    const instance = (await getDoc<ContainerInstanceRecord>(b.store, keys.instance(scope, CLUSTER, A)))!.value;
    assert.equal(instance.remainingResources.cpu, 1024 - 2 * 256);
    assert.deepEqual(instance.taskGroups, { 'service:api': 2 });
  });
});
