import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore, type Store } from '../state/index.ts';
import { InstanceTaskIndex } from './instance-tasks.ts';
import type { TaskRecord } from './records.ts';

const PREFIX = 'ecs/tasks/';
const key = (id: string) => `${PREFIX}123456789012/us-east-1/c/${id}`;
const task = (instance: string | undefined, lastStatus: TaskRecord['lastStatus'] = 'PENDING') =>
  JSON.stringify({ containerInstanceId: instance, lastStatus });

/** An index over `store`, fed by a watch registered first, as the agent link does. */
function indexOver(store: Store) {
  let index: InstanceTaskIndex | undefined;
  const unwatch = store.watch(PREFIX, (e) => index?.onEvent(e, e.type === 'put' ? (JSON.parse(e.kv.value) as TaskRecord) : undefined));
  index = new InstanceTaskIndex(store, PREFIX);
  return { index, unwatch };
}

let store: SqliteStore;
afterEach(async () => store?.close());

describe('InstanceTaskIndex', () => {
  it('lists the tasks that were stored before it started, leaving out STOPPED and unplaced ones', async () => {
    store = SqliteStore.open(':memory:');
    await store.txn([], [
      { type: 'put', key: key('t1'), value: task('i1') },
      { type: 'put', key: key('t2'), value: task('i1', 'RUNNING') },
      { type: 'put', key: key('t3'), value: task('i1', 'STOPPED') },
      { type: 'put', key: key('t4'), value: task('i2') },
      { type: 'put', key: key('t5'), value: task(undefined) },
      { type: 'put', key: 'ecs/instances/x', value: '{}' },
    ]);
    const { index } = indexOver(store);
    await index.ready;
    assert.deepEqual(index.tasksOn('i1').sort(), [key('t1'), key('t2')]);
    assert.deepEqual(index.tasksOn('i2'), [key('t4')]);
    assert.deepEqual(index.tasksOn('i3'), []);
    assert.equal(index.revision, await store.revision());
  });

  it('follows the watch: new tasks, STOPPED tasks and deletes', async () => {
    store = SqliteStore.open(':memory:');
    const { index } = indexOver(store);
    await index.ready;
    await store.txn([], [{ type: 'put', key: key('t1'), value: task('i1') }, { type: 'put', key: key('t2'), value: task('i1') }]);
    assert.deepEqual(index.tasksOn('i1').sort(), [key('t1'), key('t2')]);
    await store.txn([], [{ type: 'put', key: key('t1'), value: task('i1', 'STOPPED') }]);
    assert.deepEqual(index.tasksOn('i1'), [key('t2')]);
    const { revision } = await store.txn([], [{ type: 'delete', key: key('t2') }]);
    assert.deepEqual(index.tasksOn('i1'), []);
    assert.equal(index.size, 0);
    assert.equal(index.revision, revision);
  });

  it('never lets a page of its initial listing undo a change the watch delivered after that page was read', async () => {
    store = SqliteStore.open(':memory:');
    await store.txn([], [{ type: 'put', key: key('t1'), value: task('i1') }]);
    // A store whose first range is overtaken: the task stops after the page was read, before it is used.
    let overtaken = false;
    const racing: Store = Object.create(store, {
      range: {
        value: async (prefix: string, options?: { startAfter?: string; limit?: number }) => {
          const page = await store.range(prefix, options);
          if (!overtaken) {
            overtaken = true;
            await store.txn([], [{ type: 'put', key: key('t1'), value: task('i1', 'STOPPED') }]);
          }
          return page;
        },
      },
    }) as Store;
    const { index } = indexOver(racing);
    await index.ready;
    assert.ok(overtaken);
    assert.deepEqual(index.tasksOn('i1'), []);
  });
});
