import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManualClock, randomIds } from '../common/index.ts';
import { place, seededRandom as placementRandom } from '../scheduler/index.ts';
import { SqliteStore, Tx, getDoc, listDocs, type Store } from '../state/index.ts';
import { DelayedStore, seededRandom } from '../state/delayed-store.testing.ts';
import type { EcsDeps } from './deps.ts';
import { EcsInformers, TASK_INDEX, clusterPath } from './informers.ts';
import { keys, type ContainerInstanceRecord, type TaskRecord } from './records.ts';
import { serviceKeys, type ServiceRecord } from './service-records.ts';
import { launchTasks, type LaunchRequest } from './task-launch.ts';
import { instanceRecord, scope, seed, seedCluster, seedInstance, seedTask, seedTaskDefinition, taskDefinitionRecord, taskRecord } from './testing.ts';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const C = 'c'.repeat(32);
const other = { account: '210987654321', region: 'us-east-1' };

interface Backend {
  name: string;
  open(seed: number): { store: Store; delayed?: DelayedStore };
}

const backends: Backend[] = [
  { name: 'SQLite', open: () => ({ store: SqliteStore.open(':memory:') }) },
  {
    name: 'SQLite behind DelayedStore',
    open: (s) => {
      const delayed = new DelayedStore(SqliteStore.open(':memory:'), { random: seededRandom(s) });
      return { store: delayed, delayed };
    },
  },
];

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function informersOver(store: Store, errors: unknown[] = []): EcsInformers {
  const informers = new EcsInformers(store, { pageSize: 2, onError: (e) => errors.push(e) });
  cleanup.push(() => informers.close());
  return informers;
}

/** Waits until the informers reflect everything written so far. */
const settle = async (store: Store, informers: EcsInformers) => informers.waitForRevision(await store.revision());

const keysOf = (docs: { key: string }[]) => docs.map((d) => d.key).sort();
const taskKey = (cluster: string, id: string, s = scope) => keys.task(s, cluster, id);

/** A service record, only as much as the informers read. */
const serviceRecord = (cluster: string, name: string, status: ServiceRecord['status'] = 'ACTIVE') =>
  ({ name, clusterName: cluster, status, deployments: [] }) as unknown as ServiceRecord;

let seedNo = 11;
for (const backend of backends) {
  const open = () => {
    const opened = backend.open(seedNo++);
    cleanup.push(() => opened.store.close());
    return opened;
  };

  describe(`EcsInformers over ${backend.name}`, () => {
    it('indexes tasks by instance (not STOPPED), service, group, cluster and lastStatus, following every change', async () => {
      const { store } = open();
      const svc = (over: Partial<TaskRecord>) => ({ group: 'service:web', startedBy: 'ecs-svc/1234567890123456789', ...over });
      await seedTask(store, taskRecord('prod', 't1', svc({ containerInstanceId: A })));
      await seedTask(store, taskRecord('prod', 't2', svc({ containerInstanceId: B, lastStatus: 'STOPPED' })));
      await seedTask(store, taskRecord('prod', 't3', { containerInstanceId: A, group: 'family:web' }));
      // Same group name, not started by a deployment: a task of the group, not of the service.
      await seedTask(store, taskRecord('prod', 't4', { containerInstanceId: B, group: 'service:web', startedBy: 'me' }));
      await seed(store, keys.task(other, 'prod', 't5'), taskRecord('prod', 't5', svc({ containerInstanceId: C })));
      const informers = informersOver(store);
      await informers.start();

      assert.deepEqual(keysOf(informers.tasksOn(A)), [taskKey('prod', 't1'), taskKey('prod', 't3')]);
      assert.deepEqual(keysOf(informers.tasksOn(B)), [taskKey('prod', 't4')], 'a STOPPED task occupies no instance');
      assert.deepEqual(keysOf(informers.tasksOfService(scope, 'prod', 'web')), [taskKey('prod', 't1'), taskKey('prod', 't2')]);
      assert.deepEqual(keysOf(informers.tasksOfService(other, 'prod', 'web')), [keys.task(other, 'prod', 't5')], 'accounts never mix');
      assert.deepEqual(keysOf(informers.tasksInGroup(scope, 'prod', 'service:web')), ['t1', 't2', 't4'].map((t) => taskKey('prod', t)));
      assert.deepEqual(keysOf(informers.tasksOfCluster(scope, 'prod')), ['t1', 't2', 't3', 't4'].map((t) => taskKey('prod', t)));
      assert.deepEqual(keysOf(informers.tasks.byIndex(TASK_INDEX.lastStatus, 'STOPPED')), [taskKey('prod', 't2')]);

      // t1 stops, t3 moves to another cluster's key (a new task there), t4 is deleted.
      await seedTask(store, taskRecord('prod', 't1', svc({ containerInstanceId: A, lastStatus: 'STOPPED' })));
      await seedTask(store, taskRecord('test', 't6', { containerInstanceId: A }));
      await store.txn([], [{ type: 'delete', key: taskKey('prod', 't4') }]);
      await settle(store, informers);
      assert.deepEqual(keysOf(informers.tasksOn(A)), [taskKey('prod', 't3'), taskKey('test', 't6')]);
      assert.deepEqual(keysOf(informers.tasksOn(B)), []);
      assert.deepEqual(keysOf(informers.tasks.byIndex(TASK_INDEX.lastStatus, 'STOPPED')), [taskKey('prod', 't1'), taskKey('prod', 't2')]);
      assert.deepEqual(keysOf(informers.tasksInGroup(scope, 'prod', 'service:web')), [taskKey('prod', 't1'), taskKey('prod', 't2')]);
      assert.deepEqual(keysOf(informers.tasksOfCluster(scope, 'test')), [taskKey('test', 't6')]);
      // What the indexes hold is what a fresh read of the store says.
      const fresh = await listDocs<TaskRecord>(store, keys.allTasks);
      assert.deepEqual(informers.tasks.list().map((d) => `${d.key}@${d.modRevision}`).sort(), fresh.map((d) => `${d.key}@${d.modRevision}`).sort());
    });

    it('indexes instances and services by cluster', async () => {
      const { store } = open();
      await seedInstance(store, instanceRecord('web', A));
      await seed(store, serviceKeys.service(scope, 'web', 'api'), serviceRecord('web', 'api'));
      const informers = informersOver(store);
      await informers.start();
      await seedInstance(store, instanceRecord('web', B));
      await seedInstance(store, instanceRecord('other', C));
      await seed(store, serviceKeys.service(scope, 'other', 'api'), serviceRecord('other', 'api'));
      await seed(store, serviceKeys.service(other, 'web', 'api'), serviceRecord('web', 'api'));
      await settle(store, informers);
      assert.deepEqual(informers.instancesOf(scope, 'web').map((d) => d.value.id), [A, B], 'in key order');
      assert.deepEqual(informers.instancesOf(scope, 'other').map((d) => d.value.id), [C]);
      assert.deepEqual(keysOf(informers.servicesOf(scope, 'web')), [serviceKeys.service(scope, 'web', 'api')]);
      assert.deepEqual(keysOf(informers.servicesOf(other, 'web')), [serviceKeys.service(other, 'web', 'api')]);

      // Updates keep the key order placement sees.
      await seedInstance(store, instanceRecord('web', A, { status: 'DRAINING' }));
      await store.txn([], [{ type: 'delete', key: keys.instance(scope, 'web', B) }]);
      await settle(store, informers);
      const docs = informers.instancesOf(scope, 'web');
      assert.deepEqual(docs.map((d) => [d.value.id, d.value.status]), [[A, 'DRAINING']]);
      assert.equal(docs[0].modRevision, (await store.get(docs[0].key))!.modRevision);
    });

    it('a commit guarded on a revision the informer gave fails once the instance changed', async () => {
      const { store } = open();
      const key = keys.instance(scope, 'web', A);
      await seedInstance(store, instanceRecord('web', A));
      const informers = informersOver(store);
      await informers.start();
      const [doc] = informers.instancesOf(scope, 'web');
      await seedInstance(store, instanceRecord('web', A, { status: 'DRAINING' }));
      const stale = new Tx(store);
      stale.guard(doc.key, doc.modRevision);
      stale.put('ecs/other', 1);
      assert.equal(await stale.commit(), false);
      await informers.catchUp();
      const [fresh] = informers.instancesOf(scope, 'web');
      assert.equal(fresh.key, key);
      const current = new Tx(store);
      current.guard(fresh.key, fresh.modRevision);
      current.put('ecs/other', 1);
      assert.equal(await current.commit(), true);
    });

    it('skips and reports a record it cannot decode, keeping the rest', async () => {
      const { store } = open();
      await seed(store, taskKey('prod', 'good'), taskRecord('prod', 'good', { containerInstanceId: A }));
      await store.txn([], [{ type: 'put', key: taskKey('prod', 'bad'), value: '{"lastStatus":"RUNNING"}' }]);
      const errors: unknown[] = [];
      const informers = informersOver(store, errors);
      await informers.start();
      assert.deepEqual(keysOf(informers.tasksOn(A)), [taskKey('prod', 'good')]);
      assert.equal(errors.length, 1);
    });
  });
}

/** One random write to the tasks: a put of a task with random placement and identity, or a delete. */
const taskWrite = fc.record({
  account: fc.constantFrom(scope, other),
  cluster: fc.constantFrom('prod', 'test'),
  id: fc.constantFrom('t1', 't2', 't3', 't4', 't5', 't6'),
  delete: fc.boolean(),
  instance: fc.constantFrom(undefined, A, B),
  lastStatus: fc.constantFrom('PENDING', 'RUNNING', 'STOPPED') as fc.Arbitrary<TaskRecord['lastStatus']>,
  group: fc.constantFrom('service:web', 'service:api', 'family:web'),
  startedBy: fc.constantFrom(undefined, 'ecs-svc/1234567890123456789', 'someone'),
});

describe('EcsInformers property: indexes equal what a fresh read of the store says', () => {
  for (const backend of backends) {
    it(`for random task writes racing the listing (${backend.name})`, { timeout: 120_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(taskWrite, { minLength: 1, maxLength: 30 }), fc.nat({ max: 10 }), fc.integer(), async (writes, startAt, runSeed) => {
          const { store } = backend.open(runSeed);
          const informers = new EcsInformers(store, { pageSize: 2, onError: (e) => assert.fail(String(e)) });
          try {
            for (const [i, w] of writes.entries()) {
              if (i === startAt) void informers.start();
              const key = keys.task(w.account, w.cluster, w.id);
              if (w.delete) await store.txn([], [{ type: 'delete', key }]);
              else await seed(store, key, taskRecord(w.cluster, w.id, { containerInstanceId: w.instance, lastStatus: w.lastStatus, group: w.group, startedBy: w.startedBy }));
            }
            await informers.start();
            await settle(store, informers);
            const fresh = (await listDocs<TaskRecord>(store, keys.allTasks));
            const expect = (pick: (d: (typeof fresh)[number]) => boolean) => fresh.filter(pick).map((d) => d.key).sort();
            for (const s of [scope, other]) {
              for (const cluster of ['prod', 'test']) {
                const at = `ecs/tasks/${clusterPath(s, cluster)}/`;
                const inCluster = (d: (typeof fresh)[number]) => d.key.startsWith(at);
                assert.deepEqual(keysOf(informers.tasksOfCluster(s, cluster)), expect(inCluster));
                for (const name of ['web', 'api']) {
                  assert.deepEqual(keysOf(informers.tasksOfService(s, cluster, name)),
                    expect((d) => inCluster(d) && d.value.group === `service:${name}` && d.value.startedBy?.startsWith('ecs-svc/') === true));
                }
                for (const group of ['service:web', 'family:web']) {
                  assert.deepEqual(keysOf(informers.tasksInGroup(s, cluster, group)), expect((d) => inCluster(d) && d.value.group === group));
                }
              }
            }
            for (const id of [A, B]) {
              assert.deepEqual(keysOf(informers.tasksOn(id)), expect((d) => d.value.containerInstanceId === id && d.value.lastStatus !== 'STOPPED'));
            }
            for (const status of ['PENDING', 'RUNNING', 'STOPPED']) {
              assert.deepEqual(keysOf(informers.tasks.byIndex(TASK_INDEX.lastStatus, status)), expect((d) => d.value.lastStatus === status));
            }
          } finally {
            informers.close();
            await store.close();
          }
        }),
        { numRuns: 30 },
      );
    });
  }
});

describe('RunTask over the instances informer', () => {
  const request: LaunchRequest = {
    clusterRef: 'web', taskDefinitionRef: 'app', enableExecuteCommand: false, constraints: [], strategy: [], overrides: {},
  };

  async function world(store: Store): Promise<EcsDeps> {
    await seedCluster(store, 'web');
    await seedTaskDefinition(store, taskDefinitionRecord('app', 1, [{ name: 'app', image: 'busybox', cpu: 512, memory: 256 }]));
    const informers = informersOver(store);
    return { store, clock: new ManualClock(), ids: randomIds, place, rng: placementRandom(1), informers };
  }

  it('a lost race re-places on the informer once it has caught up: the instance is never oversubscribed', async () => {
    const delayed = new DelayedStore(SqliteStore.open(':memory:'), { random: seededRandom(3) });
    cleanup.push(() => delayed.close());
    const deps = await world(delayed);
    await seedInstance(delayed, instanceRecord('web', A)); // 1024 CPU: two tasks of 512 fit
    await deps.informers.start();
    await settle(delayed, deps.informers);

    // The informer falls behind while another launch takes half the instance.
    delayed.pauseDelivery();
    const taken = await launchTasks({ ...deps, informers: informersOver(delayed.inner) }, scope, request, 1);
    assert.equal(taken.tasks.length, 1);
    const launching = launchTasks(deps, scope, request, 2);
    setTimeout(() => delayed.resumeDelivery(), 20);
    const result = await launching;
    assert.equal(result.tasks.length, 1, 'placed against what is left, not against the stale copy');
    assert.deepEqual(result.failures.map((f) => f.reason), ['RESOURCE:CPU']);
    const instance = (await getDoc<ContainerInstanceRecord>(delayed, keys.instance(scope, 'web', A)))!.value;
    assert.equal(instance.remainingResources.cpu, 0);
    assert.equal((await listDocs<TaskRecord>(delayed, keys.tasks(scope, 'web'))).length, 2);
  });

  it('an instance registered a moment ago is found even before the informer has it', async () => {
    const delayed = new DelayedStore(SqliteStore.open(':memory:'), { random: seededRandom(5) });
    cleanup.push(() => delayed.close());
    const deps = await world(delayed);
    await deps.informers.start();
    delayed.pauseDelivery();
    await seedInstance(delayed, instanceRecord('web', A));
    const launching = launchTasks(deps, scope, request, 1);
    setTimeout(() => delayed.resumeDelivery(), 20);
    assert.equal((await launching).tasks.length, 1);
  });
});
