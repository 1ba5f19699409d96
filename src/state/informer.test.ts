import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DelayedStore, seededRandom } from './delayed-store.testing.ts';
import { compareKeys, Informer, InformerClosedError, InformerDecodeError, type InformerChange } from './informer.ts';
import { SqliteStore } from './sqlite.ts';
import type { Compare, KeyValue, Op, RangeOptions, RangeResult, Store, TxnResult, Unwatch, WatchEvent, WatchOptions } from './store.ts';

/** A task document, as small as the indexes need. */
interface Task {
  cluster: string;
  containerInstance?: string;
  group?: string;
  lastStatus: string;
}

const decodeTask = (kv: KeyValue): Task | undefined => {
  const value: unknown = JSON.parse(kv.value); // throws on bad JSON: the informer reports it
  return typeof value === 'object' && value !== null && typeof (value as Task).cluster === 'string' ? (value as Task) : undefined;
};

const taskIndexes = {
  containerInstance: (t: Task) => (t.containerInstance && t.lastStatus !== 'STOPPED' ? [t.containerInstance] : []),
  group: (t: Task) => (t.group ? [t.group] : []),
  cluster: (t: Task) => [t.cluster],
};

const task = (containerInstance?: string, lastStatus = 'RUNNING', group = 'service:web', cluster = 'c1'): string =>
  JSON.stringify({ cluster, containerInstance, group, lastStatus });

/**
 * Passes every call through to the store under test, and lets a test run code before a given
 * range page is read and count the watches still open.
 */
class ProbeStore implements Store {
  watching = 0;
  private ranges = 0;
  beforeRange: ((call: number) => Promise<void>) | undefined;

  constructor(readonly inner: Store) {}

  get(key: string): Promise<KeyValue | undefined> {
    return this.inner.get(key);
  }
  async range(prefix: string, options?: RangeOptions): Promise<RangeResult> {
    await this.beforeRange?.(++this.ranges);
    return this.inner.range(prefix, options);
  }
  txn(compares: Compare[], ops: Op[]): Promise<TxnResult> {
    return this.inner.txn(compares, ops);
  }
  watch(prefix: string, onEvent: (event: WatchEvent) => void, options?: WatchOptions): Unwatch {
    const stop = this.inner.watch(prefix, onEvent, options);
    this.watching++;
    let open = true;
    return () => {
      if (open) this.watching--;
      open = false;
      stop();
    };
  }
  revision(): Promise<number> {
    return this.inner.revision();
  }
  compact(revision: number): Promise<void> {
    return this.inner.compact?.(revision) ?? Promise.reject(new Error('cannot compact'));
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A subscriber that records every change and lets a test wait for the ones it expects. */
class Changes<T> {
  readonly all: InformerChange<T>[] = [];
  private readonly waiters: { done: () => boolean; resolve: () => void }[] = [];
  readonly stop: () => void;

  constructor(informer: Informer<T>) {
    this.stop = informer.subscribe((change) => {
      this.all.push(change);
      for (const waiter of [...this.waiters]) {
        if (waiter.done()) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
  }

  until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ done, resolve }));
  }

  /** `type key@modRevision` for each change of `key`. */
  of(key: string): string[] {
    return this.all.filter((c) => c.key === key).map((c) => `${c.type} ${c.key}@${c.modRevision}`);
  }
}

interface Backend {
  name: string;
  /** The store the informer reads (a ProbeStore), and the DelayedStore in it when there is one. */
  open(seed: number): { store: ProbeStore; delayed?: DelayedStore };
}

const backends: Backend[] = [
  { name: 'SQLite', open: () => ({ store: new ProbeStore(SqliteStore.open(':memory:')) }) },
  {
    name: 'SQLite behind DelayedStore',
    open: (seed) => {
      const delayed = new DelayedStore(SqliteStore.open(':memory:'), { random: seededRandom(seed) });
      return { store: new ProbeStore(delayed), delayed };
    },
  },
];

const put = (store: Store, key: string, value: string) => store.txn([], [{ type: 'put', key, value }]);
const del = (store: Store, key: string) => store.txn([], [{ type: 'delete', key }]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The informer's contents as sorted `key value@modRevision` lines, to compare with a fresh range. */
const contents = <T>(informer: Informer<T>) =>
  informer.list().map((d) => `${d.key} ${JSON.stringify(d.value)}@${d.modRevision}`).sort();
const rangeContents = (kvs: KeyValue[], decode: (kv: KeyValue) => unknown) =>
  kvs.flatMap((kv) => {
    let value: unknown;
    try {
      value = decode(kv);
    } catch {
      return [];
    }
    return value === undefined ? [] : [`${kv.key} ${JSON.stringify(value)}@${kv.modRevision}`];
  }).sort();
const indexKeys = <T>(informer: Informer<T>, name: string, value: string) => informer.byIndex(name, value).map((d) => d.key).sort();

const cleanup: (() => unknown)[] = [];
/** Errors an informer reported where the test expected none (a throw inside onError would be swallowed). */
const unexpected: unknown[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  assert.deepEqual(unexpected.splice(0), [], 'no informer errors');
});

function tasksInformer(store: Store, options: { pageSize?: number; errors?: unknown[] } = {}): Informer<Task> {
  const informer = new Informer<Task>({
    store,
    prefix: 't/',
    decode: decodeTask,
    indexes: taskIndexes,
    pageSize: options.pageSize ?? 2,
    retryDelayMs: 1,
    onError: (error) => (options.errors ?? unexpected).push(error),
  });
  cleanup.push(() => informer.close());
  return informer;
}

let seed = 1;
for (const backend of backends) {
  const open = () => {
    const opened = backend.open(seed++);
    cleanup.push(() => opened.store.close());
    return opened;
  };

  describe(`Informer over ${backend.name}`, () => {
    it('lists what is stored, then follows puts, updates and deletes', async () => {
      const { store } = open();
      for (const id of ['1', '2', '3', '4', '5']) await put(store, `t/${id}`, task('i1'));
      await put(store, 'u/outside', task('i1'));
      const informer = tasksInformer(store);
      const changes = new Changes(informer);
      assert.equal(informer.hasSynced, false);
      await informer.start();
      assert.equal(informer.hasSynced, true);
      assert.ok(informer.revision >= 6);
      assert.equal(informer.size, 5);
      assert.equal(informer.get('u/outside'), undefined);

      const updated = await put(store, 't/2', task('i2'));
      const deleted = await del(store, 't/3');
      const added = await put(store, 't/6', task('i1'));
      await informer.waitForRevision(added.revision);
      assert.deepEqual(informer.get('t/2'), { key: 't/2', value: JSON.parse(task('i2')), modRevision: updated.revision });
      assert.equal(informer.get('t/3'), undefined);
      assert.deepEqual(contents(informer), rangeContents((await store.range('t/')).kvs, decodeTask));
      await changes.until(() => changes.all.length === 8);
      assert.deepEqual(changes.all.slice(5).map((c) => `${c.type} ${c.key}@${c.modRevision}`), [
        `update t/2@${updated.revision}`, `delete t/3@${deleted.revision}`, `add t/6@${added.revision}`,
      ]);
      const update = changes.all[5];
      assert.ok(update.type === 'update' && update.previous.containerInstance === 'i1' && update.value.containerInstance === 'i2');
    });

    it('misses no write made during the listing and shows none twice', async () => {
      const { store } = open();
      for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'h']) await put(store, `t/${id}`, task('i1'));
      const revisions: Record<string, number> = {};
      // Before the second page (pageSize 2: a,b listed): writes behind and ahead of the listing.
      store.beforeRange = async (call) => {
        if (call !== 2) return;
        revisions.a = (await put(store, 't/a', task('i2'))).revision; // already listed: an update
        revisions.b2 = (await put(store, 't/b2', task('i1'))).revision; // a page yet to come lists it
        revisions.e = (await put(store, 't/e', task('i2'))).revision; // listed with its new value
        await put(store, 't/c', task('i3'));
        await del(store, 't/c'); // gone before its page: never shown
        await put(store, 't/g', task('i1'));
        await del(store, 't/g'); // created and deleted before its page: never shown
        await del(store, 't/h');
        revisions.h = (await put(store, 't/h', task('i4'))).revision; // recreated: shown once, new life
      };
      const informer = tasksInformer(store);
      const changes = new Changes(informer);
      await informer.start();
      const end = await put(store, 't/zz', task('i1'));
      await informer.waitForRevision(end.revision);
      await changes.until(() => changes.of('t/zz').length > 0);
      assert.deepEqual(contents(informer), rangeContents((await store.range('t/')).kvs, decodeTask));
      assert.deepEqual(changes.of('t/a'), ['add t/a@1', `update t/a@${revisions.a}`]);
      assert.deepEqual(changes.of('t/b2'), [`add t/b2@${revisions.b2}`]);
      assert.deepEqual(changes.of('t/e'), [`add t/e@${revisions.e}`]);
      assert.deepEqual(changes.of('t/h'), [`add t/h@${revisions.h}`]);
      assert.deepEqual([changes.of('t/c'), changes.of('t/g')], [[], []]);
      assert.deepEqual(indexKeys(informer, 'containerInstance', 'i4'), ['t/h']);
      assert.deepEqual(indexKeys(informer, 'containerInstance', 'i3'), []);
    });

    it('moves a document between index values when an indexed field changes', async () => {
      const { store } = open();
      const informer = tasksInformer(store);
      await informer.start();
      await put(store, 't/1', task('i1', 'RUNNING', 'service:web'));
      await put(store, 't/2', task('i1', 'RUNNING', 'service:api', 'c2'));
      await informer.waitForRevision(await store.revision());
      assert.deepEqual(indexKeys(informer, 'containerInstance', 'i1'), ['t/1', 't/2']);
      assert.deepEqual([indexKeys(informer, 'cluster', 'c1'), indexKeys(informer, 'cluster', 'c2')], [['t/1'], ['t/2']]);

      await informer.waitForRevision((await put(store, 't/1', task('i2', 'RUNNING', 'service:api'))).revision);
      assert.deepEqual(indexKeys(informer, 'containerInstance', 'i1'), ['t/2']);
      assert.deepEqual(indexKeys(informer, 'containerInstance', 'i2'), ['t/1']);
      assert.deepEqual(indexKeys(informer, 'group', 'service:web'), []);
      assert.deepEqual(indexKeys(informer, 'group', 'service:api'), ['t/1', 't/2']);

      await informer.waitForRevision((await put(store, 't/1', task('i2', 'STOPPED', 'service:api'))).revision);
      assert.deepEqual(indexKeys(informer, 'containerInstance', 'i2'), [], 'a STOPPED task occupies no instance');
      assert.deepEqual(indexKeys(informer, 'group', 'service:api'), ['t/1', 't/2']);

      await informer.waitForRevision((await store.txn([], [{ type: 'deletePrefix', prefix: 't/' }])).revision);
      assert.deepEqual([indexKeys(informer, 'group', 'service:api'), indexKeys(informer, 'cluster', 'c1'), informer.size], [[], [], 0]);
      assert.throws(() => informer.byIndex('nope', 'x'), RangeError);
    });

    it('re-lists when the watch start is already compacted, converging without duplicates', async () => {
      const { store } = open();
      for (const id of ['a', 'b', 'c', 'd', 'e']) await put(store, `t/${id}`, task('i1'));
      let lastPage = 0;
      store.beforeRange = async (call) => {
        if (call !== 3) return; // the third range call is the listing's last page
        lastPage = call;
        await put(store, 't/a', task('i2'));
        await del(store, 't/b');
        await put(store, 't/new', task('i1'));
        await store.compact(await store.revision()); // the watch from the first page's revision + 1 is gone
      };
      const informer = tasksInformer(store);
      const changes = new Changes(informer);
      await informer.start();
      const end = await put(store, 't/zz', task('i1'));
      await informer.waitForRevision(end.revision);
      await changes.until(() => changes.of('t/zz').length > 0);
      assert.equal(lastPage, 3);
      assert.deepEqual(contents(informer), rangeContents((await store.range('t/')).kvs, decodeTask));
      // Whatever was seen before the re-list, each key's changes replay to its final state.
      const replayed = new Map<string, Task>();
      for (const c of changes.all) c.type === 'delete' ? replayed.delete(c.key) : replayed.set(c.key, c.value);
      assert.deepEqual([...replayed.keys()].sort(), informer.list().map((d) => d.key).sort());
      assert.equal(store.watching, 1, 'the compacted watch was stopped');
    });

    it('skips records it cannot decode, reports them, and carries on', async () => {
      const { store } = open();
      const errors: unknown[] = [];
      await put(store, 't/bad-json', '{');
      await put(store, 't/bad-shape', '{"lastStatus":"RUNNING"}');
      await put(store, 't/good', task('i1'));
      const informer = tasksInformer(store, { errors });
      const changes = new Changes(informer);
      await informer.start();
      assert.deepEqual(informer.list().map((d) => d.key), ['t/good']);
      assert.deepEqual(errors.map((e) => e instanceof InformerDecodeError && e.key).sort(), ['t/bad-json', 't/bad-shape']);
      assert.ok((errors.find((e) => (e as InformerDecodeError).key === 't/bad-json') as Error).cause instanceof SyntaxError);

      // A good document turning bad is no longer held (its old value would misstate the store).
      await put(store, 't/good', 'not json');
      const fixed = await put(store, 't/bad-json', task('i2'));
      await informer.waitForRevision(fixed.revision);
      await changes.until(() => changes.of('t/bad-json').length > 0);
      assert.deepEqual(informer.list().map((d) => d.key), ['t/bad-json']);
      assert.deepEqual(changes.all.map((c) => `${c.type} ${c.key}`), ['add t/good', 'delete t/good', 'add t/bad-json']);
      assert.deepEqual(indexKeys(informer, 'containerInstance', 'i1'), []);
      assert.equal(errors.length, 3);
    });

    it('keeps going when a handler throws or rejects, and other subscribers still hear everything', async () => {
      const { store } = open();
      const errors: unknown[] = [];
      const informer = tasksInformer(store, { errors });
      informer.subscribe(() => {
        throw new Error('handler bug');
      });
      informer.subscribe(async () => {
        throw new Error('async handler bug');
      });
      const changes = new Changes(informer);
      await informer.start();
      await put(store, 't/1', task('i1'));
      await put(store, 't/2', task('i1'));
      await changes.until(() => changes.all.length === 2);
      await sleep(5);
      assert.deepEqual(errors.map((e) => (e as Error).message).sort(), ['async handler bug', 'async handler bug', 'handler bug', 'handler bug']);
      assert.equal(informer.size, 2);
    });

    it('gives a late subscriber an add for each document it already holds', async () => {
      const { store } = open();
      await put(store, 't/1', task('i1'));
      await put(store, 't/2', task('i1'));
      const informer = tasksInformer(store);
      await informer.start();
      const late = new Changes(informer);
      const next = await put(store, 't/3', task('i1'));
      await late.until(() => late.all.length === 3);
      assert.deepEqual(late.all.map((c) => `${c.type} ${c.key}`).sort(), ['add t/1', 'add t/2', 'add t/3']);
      assert.equal(late.all[2].modRevision, next.revision);
    });

    it('waitForRevision: reads one’s own write, including a txn under another prefix', async () => {
      const { store } = open();
      const informer = tasksInformer(store);
      await informer.start();
      await informer.waitForRevision(0);
      const txn = await store.txn([], [
        { type: 'put', key: 't/1', value: task('i1') },
        { type: 'put', key: 't/2', value: task('i1') },
        { type: 'put', key: 't/3', value: task('i1') },
      ]);
      await informer.waitForRevision(txn.revision);
      assert.equal(informer.size, 3, 'the whole txn, not part of it');
      const elsewhere = await put(store, 'u/1', '{}');
      await informer.waitForRevision(elsewhere.revision);
      assert.ok(informer.revision >= elsewhere.revision);
    });

    it('close stops the watch, the handlers and every wait', async () => {
      const { store } = open();
      const informer = tasksInformer(store);
      const changes = new Changes(informer);
      await informer.start();
      await informer.waitForRevision((await put(store, 't/1', task('i1'))).revision);
      await changes.until(() => changes.all.length === 1);
      const pending = informer.waitForRevision(1_000_000);
      informer.close();
      await assert.rejects(pending, InformerClosedError);
      await assert.rejects(informer.waitForRevision(1), InformerClosedError);
      assert.equal(store.watching, 0);
      await put(store, 't/2', task('i1'));
      await sleep(20);
      assert.deepEqual([informer.size, changes.all.length], [1, 1]);

      const never = tasksInformer(store);
      const starting = never.start();
      never.close();
      await assert.rejects(starting, InformerClosedError);
      await sleep(20);
      assert.equal(store.watching, 0, 'closing during the listing starts no watch');
    });

    it('retries a listing that fails, reporting the failure', async () => {
      const { store } = open();
      await put(store, 't/1', task('i1'));
      store.beforeRange = async (call) => {
        if (call === 1) throw new Error('store unavailable');
      };
      const errors: unknown[] = [];
      const informer = tasksInformer(store, { errors });
      await informer.start();
      assert.deepEqual([errors.map((e) => (e as Error).message), informer.size], [['store unavailable'], 1]);
    });
  });
}

describe('Informer over a watch that falls behind a compaction (DelayedStore)', () => {
  it('re-lists and emits exactly the differences', async () => {
    const delayed = new DelayedStore(SqliteStore.open(':memory:'), { random: seededRandom(7) });
    cleanup.push(() => delayed.close());
    for (const id of ['keep', 'upd', 'del']) await put(delayed, `t/${id}`, task('i1'));
    const informer = tasksInformer(delayed);
    await informer.start();
    await informer.waitForRevision(3);
    const changes = new Changes(informer);
    await changes.until(() => changes.all.length === 3);

    delayed.pauseDelivery(); // the watch falls behind...
    const upd = await put(delayed, 't/upd', task('i2'));
    const gone = await del(delayed, 't/del');
    const created = await put(delayed, 't/new', task('i3'));
    await put(delayed, 't/ghost', task('i1'));
    await del(delayed, 't/ghost');
    await delayed.compact(await delayed.revision()); // ...and is cut off by the compaction
    delayed.resumeDelivery();
    const after = await put(delayed, 't/after', task('i1'));
    await informer.waitForRevision(after.revision);
    // The re-list may run before or after t/after was written (then it lists t/after too).
    await changes.until(() => changes.all.length >= 7);
    await sleep(20); // anything more (a ghost of t/ghost, a repeat) would have arrived by now
    const lines = changes.all.slice(3).map((c) => `${c.type} ${c.key}`);
    assert.deepEqual(lines.sort(), ['add t/after', 'add t/new', 'delete t/del', 'update t/upd']);
    const of = (key: string) => changes.all.slice(3).find((c) => c.key === key)?.modRevision ?? 0;
    assert.deepEqual([of('t/upd'), of('t/new'), of('t/after')], [upd.revision, created.revision, after.revision]);
    assert.ok(of('t/del') >= gone.revision);
    assert.deepEqual(contents(informer), rangeContents((await delayed.range('t/')).kvs, decodeTask));
    assert.deepEqual(indexKeys(informer, 'containerInstance', 'i3'), ['t/new']);
  });
});

describe('compareKeys', () => {
  it('orders keys by code point, as the store does', () => {
    const keys = ['b', 'a', '\u{E000}', '\u{1F6A2}', 'a/', 'é', '\u{FFFF}', ''];
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.deepEqual([...keys].sort(compareKeys), byBytes);
  });
});

/** A random write (or a compaction) racing the informer's start. */
type Step = { kind: 'txn'; ops: Op[] } | { kind: 'compact' } | { kind: 'pause' };

const KEYS = ['t/a', 't/b', 't/c', 't/d', 't/e', 't/f', 'u/x'];
const valueArb = fc.oneof(
  { weight: 8, arbitrary: fc.record({ i: fc.constantFrom('i1', 'i2', 'i3'), s: fc.constantFrom('RUNNING', 'STOPPED'), g: fc.constantFrom('a', 'b') }).map((v) => task(v.i, v.s, v.g)) },
  { weight: 1, arbitrary: fc.constant('undecodable') },
);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 10, arbitrary: fc.uniqueArray(fc.record({ key: fc.constantFrom(...KEYS), value: valueArb, del: fc.boolean() }), { selector: (o) => o.key, minLength: 1, maxLength: 3 })
    .map((list): Step => ({ kind: 'txn', ops: list.map((o): Op => (o.del ? { type: 'delete', key: o.key } : { type: 'put', key: o.key, value: o.value })) })) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'txn', ops: [{ type: 'deletePrefix', prefix: 't/' }] }) },
  { weight: 2, arbitrary: fc.constant<Step>({ kind: 'compact' }) },
  { weight: 2, arbitrary: fc.constant<Step>({ kind: 'pause' }) },
);
const runArb = fc.record({
  steps: fc.array(stepArb, { minLength: 8, maxLength: 40, size: 'medium' }),
  /** Where start() comes among the steps: early enough that plenty of writes race it. */
  startAt: fc.nat({ max: 7 }),
  pageSize: fc.integer({ min: 1, max: 3 }),
  /** Behind DelayedStore: hold the watch's deliveries back until the end, so compactions cut it off. */
  behind: fc.boolean(),
  seed: fc.integer(),
});

describe('Informer property: racing writes and compactions', () => {
  for (const backend of backends) {
    it(`converges to a fresh range, indexes and change stream included (${backend.name})`, { timeout: 180_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(runArb, async ({ steps, startAt, pageSize, behind, seed: runSeed }) => {
          const { store, delayed } = backend.open(runSeed);
          const errors: unknown[] = [];
          const informer = new Informer<Task>({ store, prefix: 't/', decode: decodeTask, indexes: taskIndexes, pageSize, retryDelayMs: 1, onError: (e) => errors.push(e) });
          const replayed = new Map<string, Task>();
          informer.subscribe((c) => (c.type === 'delete' ? replayed.delete(c.key) : replayed.set(c.key, c.value)));
          try {
            for (const [i, step] of steps.entries()) {
              if (i === startAt) {
                void informer.start(); // not awaited: the listing races the writes that follow
                if (behind) delayed?.pauseDelivery();
              }
              if (step.kind === 'txn') await store.txn([], step.ops);
              else if (step.kind === 'compact') await store.compact(await store.revision()).catch(() => undefined);
              else await sleep(1);
            }
            delayed?.resumeDelivery();
            const end = await put(store, 'u/end', '{}');
            await informer.waitForRevision(end.revision);
            const fresh = (await store.range('t/')).kvs;
            assert.deepEqual(contents(informer), rangeContents(fresh, decodeTask));
            const docs = fresh.flatMap((kv) => (decodeOrUndefined(kv) ? [{ key: kv.key, value: decodeOrUndefined(kv) as Task }] : []));
            for (const [name, fn] of Object.entries(taskIndexes)) {
              for (const value of ['i1', 'i2', 'i3', 'a', 'b', 'c1']) {
                const expected = docs.filter((d) => (fn(d.value) as string[]).includes(value)).map((d) => d.key).sort();
                assert.deepEqual(indexKeys(informer, name, value), expected, `index ${name}=${value}`);
                const inOrder = informer.byIndex(name, value).map((d) => d.key);
                assert.deepEqual(inOrder, [...inOrder].sort(compareKeys), `index ${name}=${value} in key order`);
              }
            }
            // The subscriber's queue drains on later turns of the event loop.
            await informer.flushed();
            const replay = [...replayed].map(([key, value]) => `${key} ${JSON.stringify(value)}`).sort();
            const held = informer.list().map((d) => `${d.key} ${JSON.stringify(d.value)}`).sort();
            assert.deepEqual(replay, held, 'the change stream replays to the contents');
            assert.ok(errors.every((e) => e instanceof InformerDecodeError), 'only undecodable records are reported');
          } finally {
            informer.close();
            await store.close();
          }
        }),
        { numRuns: 40 },
      );
    });
  }
});

function decodeOrUndefined(kv: KeyValue): Task | undefined {
  try {
    return decodeTask(kv);
  } catch {
    return undefined;
  }
}

describe('index order', () => {
  it('keeps each document in its place among the others of a value while it is updated', async () => {
    const store = SqliteStore.open(':memory:');
    const informer = new Informer<{ group: string; n: number }>({
      store, prefix: 'o/', decode: (kv) => JSON.parse(kv.value) as { group: string; n: number }, indexes: { group: (v) => [v.group] },
    });
    try {
      for (const k of ['c', 'a', 'b']) await store.txn([], [{ type: 'put', key: `o/${k}`, value: JSON.stringify({ group: 'g', n: 0 }) }]);
      await informer.start();
      const order = () => informer.byIndex('group', 'g').map((d) => d.key);
      assert.deepEqual(order(), ['o/a', 'o/b', 'o/c'], 'listed in key order');
      const rev = (await store.txn([], [{ type: 'put', key: 'o/a', value: JSON.stringify({ group: 'g', n: 1 }) }])).revision;
      await informer.waitForRevision(rev);
      assert.deepEqual(order(), ['o/a', 'o/b', 'o/c'], 'an update keeps its place');
      const moved = (await store.txn([], [{ type: 'put', key: 'o/a', value: JSON.stringify({ group: 'h', n: 2 }) }])).revision;
      await informer.waitForRevision(moved);
      assert.deepEqual(order(), ['o/b', 'o/c']);
      assert.deepEqual(informer.byIndex('group', 'h').map((d) => d.key), ['o/a']);
    } finally {
      informer.close();
      await store.close();
    }
  });

  it('gives key order whatever order the documents arrived in, as a fresh listing would', async () => {
    const store = SqliteStore.open(':memory:');
    const informer = new Informer<{ group: string }>({
      store, prefix: 'o/', decode: (kv) => JSON.parse(kv.value) as { group: string }, indexes: { group: (v) => [v.group] },
    });
    const put = (k: string, group: string) => store.txn([], [{ type: 'put', key: `o/${k}`, value: JSON.stringify({ group }) }]);
    try {
      await put('m', 'g');
      await informer.start();
      for (const [k, group] of [['z', 'g'], ['a', 'g'], ['\u{1F600}', 'g'], ['\uFFFD', 'g'], ['b', 'h'], ['b', 'g']]) await put(k, group);
      await informer.waitForRevision(await store.revision());
      const expected = ['o/a', 'o/b', 'o/m', 'o/z', 'o/\uFFFD', 'o/\u{1F600}'];
      assert.deepEqual(informer.byIndex('group', 'g').map((d) => d.key), expected, 'in the store\'s (code point) order');
      assert.deepEqual((await store.range('o/')).kvs.map((kv) => kv.key), expected);
      assert.deepEqual(informer.byIndex('group', 'h'), []);
    } finally {
      informer.close();
      await store.close();
    }
  });
});

describe('flushed', () => {
  it('resolves once every subscriber has been handed every change made so far', async () => {
    const store = SqliteStore.open(':memory:');
    const informer = new Informer<number>({ store, prefix: 'f/', decode: (kv) => Number(kv.value) });
    const seen: string[] = [];
    try {
      await informer.start();
      informer.subscribe((c) => seen.push(c.key));
      const stopped = informer.subscribe(() => assert.fail('an unsubscribed handler is not called'));
      stopped();
      await informer.flushed();
      // More changes than one turn of the event loop hands a subscriber.
      const ops: Op[] = Array.from({ length: 1200 }, (_, i) => ({ type: 'put', key: `f/${String(i).padStart(4, '0')}`, value: String(i) }));
      const { revision } = await store.txn([], ops);
      await informer.waitForRevision(revision);
      assert.ok(seen.length < 1200, 'not handed out yet');
      await informer.flushed();
      assert.equal(seen.length, 1200);
      informer.close();
      await informer.flushed();
    } finally {
      informer.close();
      await store.close();
    }
  });
});
