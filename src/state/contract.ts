/**
 * The Store contract as a test suite, run against every backend (SQLite now, etcd later), so
 * each backend proves the same promises. `open` must return a fresh, empty store used by this
 * suite alone; revisions are asserted relative to the store's revision when it was opened.
 * Nothing here depends on whether a backend delivers watch events synchronously.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyValue, Op, Store, WatchEvent, WatchOptions } from './store.ts';
import { transact } from './transact.ts';

/** Guards each case against hanging forever on an event that never comes; not a speed check. */
const HANG_GUARD_MS = 60_000;

/** Collects a watch's events and lets a test wait for the ones it expects. */
class Recorder {
  readonly events: WatchEvent[] = [];
  private readonly waiters: { done: () => boolean; resolve: () => void }[] = [];
  readonly stop: () => void;

  constructor(store: Store, prefix: string, options?: WatchOptions) {
    this.stop = store.watch(prefix, (event) => this.push(event), options);
  }

  private push(event: WatchEvent): void {
    this.events.push(event);
    for (const waiter of [...this.waiters]) {
      if (waiter.done()) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  /** Resolves once an event for `key` has been seen. */
  seen(key: string): Promise<void> {
    const done = (): boolean => this.events.some((e) => e.kv.key === key);
    if (done()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ done, resolve }));
  }

  /** Compact `type key@modRevision` lines, easy to compare whole. */
  lines(): string[] {
    return this.events.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`);
  }
}

async function withStore(open: () => Promise<Store>, body: (store: Store) => Promise<void>): Promise<void> {
  const store = await open();
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

function put(store: Store, key: string, value: string) {
  return store.txn([], [{ type: 'put', key, value }]);
}

function del(store: Store, key: string) {
  return store.txn([], [{ type: 'delete', key }]);
}

async function keys(store: Store, prefix: string): Promise<string[]> {
  return (await store.range(prefix)).kvs.map((kv) => kv.key);
}

function kvFields(kv: KeyValue | undefined) {
  return kv && { value: kv.value, createRevision: kv.createRevision, modRevision: kv.modRevision, version: kv.version };
}

/** Defines the contract cases for one backend under `describe(name)`. */
export function storeContract(name: string, open: () => Promise<Store>): void {
  const test = (title: string, body: (store: Store) => Promise<void>): void => {
    it(title, { timeout: HANG_GUARD_MS }, () => withStore(open, body));
  };

  describe(`Store contract: ${name}`, () => {
    describe('get, put, delete', () => {
      test('a put is read back and a delete removes it', async (store) => {
        assert.equal(await store.get('k'), undefined);
        assert.equal((await put(store, 'k', 'v1')).succeeded, true);
        assert.equal((await store.get('k'))?.value, 'v1');
        await put(store, 'k', 'v2');
        assert.equal((await store.get('k'))?.value, 'v2');
        assert.equal((await del(store, 'k')).succeeded, true);
        assert.equal(await store.get('k'), undefined);
      });

      test('values are stored exactly, including empty and non-ASCII text', async (store) => {
        const values = ['', ' spaced ', 'line\nbreak', 'ünïcødé ✓ 🚢', JSON.stringify({ a: [1, 2], b: null })];
        for (const [i, value] of values.entries()) await put(store, `v/${i}`, value);
        for (const [i, value] of values.entries()) assert.equal((await store.get(`v/${i}`))?.value, value);
      });

      test('keys are exact: a prefix of a key or a longer key is a different key', async (store) => {
        await put(store, 'ab', '1');
        assert.equal(await store.get('a'), undefined);
        assert.equal(await store.get('abc'), undefined);
        assert.equal(await store.get('AB'), undefined);
      });
    });

    describe('revisions', () => {
      test('each write advances the store revision by one and stamps create/mod/version', async (store) => {
        const r0 = await store.revision();
        const first = await put(store, 'k', 'a');
        assert.deepEqual(first, { succeeded: true, revision: r0 + 1 });
        assert.deepEqual(kvFields(await store.get('k')), { value: 'a', createRevision: r0 + 1, modRevision: r0 + 1, version: 1 });

        await put(store, 'other', 'x');
        const third = await put(store, 'k', 'b');
        assert.equal(third.revision, r0 + 3);
        assert.deepEqual(kvFields(await store.get('k')), { value: 'b', createRevision: r0 + 1, modRevision: r0 + 3, version: 2 });
        assert.equal(await store.revision(), r0 + 3);
      });

      test('a deleted and re-created key starts a new life', async (store) => {
        const r0 = await store.revision();
        await put(store, 'k', 'a');
        await put(store, 'k', 'b');
        assert.equal((await del(store, 'k')).revision, r0 + 3);
        await put(store, 'k', 'c');
        assert.deepEqual(kvFields(await store.get('k')), { value: 'c', createRevision: r0 + 4, modRevision: r0 + 4, version: 1 });
      });

      test('a txn that changes nothing does not advance the revision', async (store) => {
        await put(store, 'a/1', 'x');
        const r = await store.revision();
        assert.deepEqual(await store.txn([], []), { succeeded: true, revision: r });
        assert.deepEqual(await del(store, 'absent'), { succeeded: true, revision: r });
        assert.deepEqual(await store.txn([], [{ type: 'deletePrefix', prefix: 'b/' }]), { succeeded: true, revision: r });
        assert.deepEqual(await store.txn([{ key: 'a/1', modRevision: r }], []), { succeeded: true, revision: r });
        assert.equal(await store.revision(), r);
        assert.equal((await put(store, 'a/2', 'y')).revision, r + 1);
      });

      test('range reports the revision it was read at', async (store) => {
        await put(store, 'a', '1');
        await put(store, 'b', '2');
        const r = await store.revision();
        assert.equal((await store.range('')).revision, r);
        assert.equal((await store.range('nothing/')).revision, r);
      });
    });

    describe('range', () => {
      test('returns keys in byte order with their revisions', async (store) => {
        const inserted = ['b', 'a0', 'a/b', 'A', 'a', 'a/a', 'a.', 'é', 'z'];
        for (const key of inserted) await put(store, key, `value of ${key}`);
        assert.deepEqual(await keys(store, ''), ['A', 'a', 'a.', 'a/a', 'a/b', 'a0', 'b', 'z', 'é']);
        const { kvs } = await store.range('a/');
        assert.deepEqual(kvs.map((kv) => kv.value), ['value of a/a', 'value of a/b']);
        for (const kv of kvs) assert.deepEqual(kv, await store.get(kv.key));
      });

      test('a prefix matches exactly the keys that start with it', async (store) => {
        for (const key of ['a', 'a.', 'a/', 'a/x', 'a/y/z', 'a0', 'a00', 'b/1', 'é/1', 'é0', 'éa', 'x\u{10FFFF}', 'x\u{10FFFF}a', 'y']) {
          await put(store, key, '1');
        }
        assert.deepEqual(await keys(store, 'a/'), ['a/', 'a/x', 'a/y/z']);
        assert.deepEqual(await keys(store, 'a0'), ['a0', 'a00']);
        assert.deepEqual(await keys(store, 'a'), ['a', 'a.', 'a/', 'a/x', 'a/y/z', 'a0', 'a00']);
        assert.deepEqual(await keys(store, 'é/'), ['é/1']);
        assert.deepEqual(await keys(store, 'x\u{10FFFF}'), ['x\u{10FFFF}', 'x\u{10FFFF}a']);
        assert.deepEqual(await keys(store, 'c'), []);
        assert.equal((await store.range('')).kvs.length, 14);
      });

      test('pages with limit and startAfter, saying when there is more', async (store) => {
        const all: string[] = [];
        for (let i = 0; i < 25; i++) all.push(`p/${String(i).padStart(2, '0')}`);
        for (const key of [...all].reverse()) await put(store, key, 'x');
        await put(store, 'p0', 'outside');
        await put(store, 'o', 'outside');

        const seen: string[] = [];
        const mores: boolean[] = [];
        let startAfter: string | undefined;
        for (;;) {
          const page = await store.range('p/', { limit: 10, startAfter });
          seen.push(...page.kvs.map((kv) => kv.key));
          mores.push(page.more);
          if (!page.more) break;
          startAfter = page.kvs[page.kvs.length - 1].key;
        }
        assert.deepEqual(seen, all);
        assert.deepEqual(mores, [true, true, false]);

        assert.deepEqual(await store.range('p/', { limit: 25 }).then((r) => [r.kvs.length, r.more]), [25, false]);
        assert.deepEqual(await store.range('p/', { limit: 24 }).then((r) => [r.kvs.length, r.more]), [24, true]);
        // startAfter before the prefix starts at the prefix; after its last key finds nothing.
        assert.deepEqual((await store.range('p/', { startAfter: 'a', limit: 2 })).kvs.map((kv) => kv.key), ['p/00', 'p/01']);
        assert.deepEqual(await store.range('p/', { startAfter: 'p/24' }).then((r) => [r.kvs.length, r.more]), [0, false]);
        assert.deepEqual((await store.range('p/', { startAfter: 'p/1' })).kvs[0].key, 'p/10');
      });
    });

    describe('txn', () => {
      test('applies its ops when every compare holds', async (store) => {
        const { revision } = await put(store, 'k', 'a');
        const result = await store.txn([{ key: 'k', modRevision: revision }], [{ type: 'put', key: 'k', value: 'b' }]);
        assert.deepEqual(result, { succeeded: true, revision: revision + 1 });
        assert.equal((await store.get('k'))?.value, 'b');
      });

      test('writes nothing when any compare fails', async (store) => {
        const a = await put(store, 'a', '1');
        await put(store, 'b', '1');
        await put(store, 'c', '1');
        const before = await store.revision();
        const ops: Op[] = [
          { type: 'put', key: 'a', value: '2' },
          { type: 'put', key: 'new', value: '2' },
          { type: 'delete', key: 'b' },
          { type: 'deletePrefix', prefix: 'c' },
        ];
        const stale = await store.txn([{ key: 'a', modRevision: a.revision }, { key: 'b', modRevision: a.revision }], ops);
        assert.deepEqual(stale, { succeeded: false, revision: before });
        assert.equal(await store.revision(), before);
        assert.deepEqual(await keys(store, ''), ['a', 'b', 'c']);
        assert.equal((await store.get('a'))?.value, '1');
      });

      test('modRevision 0 means the key must not exist', async (store) => {
        const create = (value: string) => store.txn([{ key: 'k', modRevision: 0 }], [{ type: 'put', key: 'k', value }]);
        assert.equal((await create('first')).succeeded, true);
        assert.equal((await create('second')).succeeded, false);
        assert.equal((await store.get('k'))?.value, 'first');
        await del(store, 'k');
        assert.equal((await create('third')).succeeded, true);
        assert.equal((await store.get('k'))?.value, 'third');
      });

      test('a compare on an absent key with a non-zero revision fails', async (store) => {
        const { revision } = await put(store, 'k', 'a');
        await del(store, 'k');
        const result = await store.txn([{ key: 'k', modRevision: revision }], [{ type: 'put', key: 'x', value: '1' }]);
        assert.equal(result.succeeded, false);
        assert.equal(await store.get('x'), undefined);
      });

      test('applies all ops atomically at one revision', async (store) => {
        await put(store, 'gone', 'x');
        await put(store, 'dir/1', 'x');
        await put(store, 'dir/2', 'x');
        const r0 = await store.revision();
        const recorder = new Recorder(store, '');
        const result = await store.txn([], [
          { type: 'put', key: 'one', value: '1' },
          { type: 'put', key: 'two', value: '2' },
          { type: 'delete', key: 'gone' },
          { type: 'deletePrefix', prefix: 'dir/' },
        ]);
        assert.deepEqual(result, { succeeded: true, revision: r0 + 1 });
        assert.deepEqual(await keys(store, ''), ['one', 'two']);
        for (const kv of (await store.range('')).kvs) assert.equal(kv.modRevision, r0 + 1);
        await put(store, 'zz-barrier', '');
        await recorder.seen('zz-barrier');
        recorder.stop();
        assert.deepEqual(recorder.lines().sort(), [
          `delete dir/1@${r0 + 1}`, `delete dir/2@${r0 + 1}`, `delete gone@${r0 + 1}`,
          `put one@${r0 + 1}`, `put two@${r0 + 1}`, `put zz-barrier@${r0 + 2}`,
        ]);
      });

      test('deletePrefix deletes exactly the keys under the prefix', async (store) => {
        for (const key of ['a', 'a/', 'a/1', 'a/2/3', 'a0', 'b/1']) await put(store, key, 'x');
        const r = await store.txn([], [{ type: 'deletePrefix', prefix: 'a/' }]);
        assert.equal(r.succeeded, true);
        assert.deepEqual(await keys(store, ''), ['a', 'a0', 'b/1']);
        await store.txn([], [{ type: 'deletePrefix', prefix: '' }]);
        assert.deepEqual(await keys(store, ''), []);
        assert.equal(await store.revision(), r.revision + 1);
      });
    });

    describe('watch', () => {
      test('delivers live puts and deletes with their kv and prevKv', async (store) => {
        const recorder = new Recorder(store, 'w/');
        const created = await put(store, 'w/k', 'a');
        const updated = await put(store, 'w/k', 'b');
        const deleted = await del(store, 'w/k');
        await put(store, 'w/zz', 'end');
        await recorder.seen('w/zz');
        recorder.stop();

        const [c, u, d] = recorder.events;
        assert.equal(recorder.events.length, 4);
        assert.deepEqual([c.type, kvFields(c.kv), c.prevKv], ['put', { value: 'a', createRevision: created.revision, modRevision: created.revision, version: 1 }, undefined]);
        assert.deepEqual([u.type, kvFields(u.kv), kvFields(u.prevKv)], [
          'put',
          { value: 'b', createRevision: created.revision, modRevision: updated.revision, version: 2 },
          { value: 'a', createRevision: created.revision, modRevision: created.revision, version: 1 },
        ]);
        assert.equal(d.type, 'delete');
        assert.equal(d.kv.key, 'w/k');
        assert.equal(d.kv.value, '');
        assert.equal(d.kv.modRevision, deleted.revision);
        assert.deepEqual(kvFields(d.prevKv), { value: 'b', createRevision: created.revision, modRevision: updated.revision, version: 2 });
      });

      test('without fromRevision, sees only changes after it starts', async (store) => {
        await put(store, 'w/before', 'x');
        const recorder = new Recorder(store, 'w/');
        const { revision } = await put(store, 'w/after', 'x');
        await recorder.seen('w/after');
        recorder.stop();
        assert.deepEqual(recorder.lines(), [`put w/after@${revision}`]);
      });

      test('on a prefix, sees only keys under that prefix', async (store) => {
        const recorder = new Recorder(store, 'a/');
        for (const key of ['a', 'a0', 'a/1', 'b/1', 'a.', 'a/2']) await put(store, key, 'x');
        await store.txn([], [{ type: 'deletePrefix', prefix: 'a' }]);
        const end = await put(store, 'a/zz', 'end');
        await recorder.seen('a/zz');
        recorder.stop();
        const r = end.revision;
        assert.deepEqual(recorder.lines(), [`put a/1@${r - 5}`, `put a/2@${r - 2}`, `delete a/1@${r - 1}`, `delete a/2@${r - 1}`, `put a/zz@${r}`]);
      });

      test('from a revision: history first, then live, each change exactly once, in order', async (store) => {
        const r1 = (await put(store, 'h/1', 'a')).revision;
        await put(store, 'h/2', 'b');
        await put(store, 'other', 'x');
        await put(store, 'h/1', 'c');
        await del(store, 'h/2');
        const recorder = new Recorder(store, 'h/', { fromRevision: r1 + 1 });
        await put(store, 'h/3', 'd');
        await put(store, 'h/zz', 'end');
        await recorder.seen('h/zz');
        recorder.stop();
        assert.deepEqual(recorder.lines(), [
          `put h/2@${r1 + 1}`, `put h/1@${r1 + 3}`, `delete h/2@${r1 + 4}`, `put h/3@${r1 + 5}`, `put h/zz@${r1 + 6}`,
        ]);
        const [, replayedUpdate, replayedDelete] = recorder.events;
        assert.deepEqual(kvFields(replayedUpdate.kv), { value: 'c', createRevision: r1, modRevision: r1 + 3, version: 2 });
        assert.deepEqual(kvFields(replayedUpdate.prevKv), { value: 'a', createRevision: r1, modRevision: r1, version: 1 });
        assert.equal(replayedDelete.kv.value, '');
        assert.equal(replayedDelete.prevKv?.value, 'b');
      });

      test('from a revision while writes are in flight: no gap, no duplicate', async (store) => {
        const start = (await store.revision()) + 1;
        const total = 60;
        const writer = (async () => {
          for (let i = 0; i < total; i++) await put(store, `c/${String(i).padStart(2, '0')}`, String(i));
        })();
        await store.get('c/00'); // let some writes land before the watch starts
        await store.get('c/01');
        const recorder = new Recorder(store, 'c/', { fromRevision: start });
        await writer;
        await put(store, 'c/zz', 'end');
        await recorder.seen('c/zz');
        recorder.stop();
        const expected = Array.from({ length: total }, (_, i) => `put c/${String(i).padStart(2, '0')}@${start + i}`);
        assert.deepEqual(recorder.lines(), [...expected, `put c/zz@${start + total}`]);
      });

      test('each watcher gets its own stream; unwatch stops delivery', async (store) => {
        const stopped = new Recorder(store, 'u/');
        const sentinel = new Recorder(store, 'u/');
        await put(store, 'u/1', 'x');
        await stopped.seen('u/1');
        stopped.stop();
        await put(store, 'u/2', 'x');
        await store.txn([], [{ type: 'deletePrefix', prefix: 'u/' }]);
        await put(store, 'u/3', 'x');
        await sentinel.seen('u/3');
        sentinel.stop();
        assert.equal(stopped.events.length, 1);
        assert.equal(stopped.events[0].kv.key, 'u/1');
        assert.equal(sentinel.events.length, 5);
      });
    });

    describe('optimistic transactions', () => {
      test('N parallel transact() increments of one counter end at exactly N', async (store) => {
        const n = 20;
        const observed = await Promise.all(
          Array.from({ length: n }, () =>
            transact(store, async (tx) => {
              const count = (await tx.get<number>('counter')) ?? 0;
              tx.put('counter', count + 1);
              return count;
            }),
          ),
        );
        const counter = await store.get('counter');
        assert.equal(counter?.value, String(n));
        assert.equal(counter?.version, n);
        // Serializable: every increment saw a different count, 0..n-1.
        assert.deepEqual([...observed].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
      });
    });

    describe('close', () => {
      it('rejects calls after close', { timeout: HANG_GUARD_MS }, async () => {
        const store = await open();
        await put(store, 'k', 'v');
        await store.close();
        await assert.rejects(store.get('k'));
        await assert.rejects(store.range(''));
        await assert.rejects(put(store, 'k', 'v2'));
        await assert.rejects(store.revision());
      });
    });
  });
}
