/**
 * The Store contract as a test suite, run against every backend (SQLite now, etcd later), so
 * each backend proves the same promises. `open` must return a fresh, empty store used by this
 * suite alone; revisions are asserted relative to the store's revision when it was opened.
 *
 * The watch semantics it states, which an asynchronous backend (etcd) can meet:
 * - Events arrive in revision order, each exactly once (a txn's events share its revision).
 * - `fromRevision: R` delivers every change >= R, however late the watch is established.
 * - Without fromRevision: nothing committed before `watch()` was called, then every change
 *   from some revision on. Code that must not miss anything passes fromRevision.
 * - Delivery may happen before or after `watch()` returns and after `txn()` resolved: no case
 *   here assumes either; each waits for what it expects.
 * - Watches under different prefixes are independent; unwatch stops delivery, even before the
 *   watch is established.
 * - `compact(R)`: a watch from before R gets onCompacted (once, and no events); from R it replays.
 * - onProgress(R) never runs ahead of the events, never goes down, and follows every txn() of
 *   this store, whatever prefix it touched.
 * - Watches (and Informers) started at any point of heavy writes miss nothing (property test).
 * The suite also runs against SQLite behind DelayedStore (from informer.test.ts), which delays
 * registration and delivery at random: proof that no case relies on synchronous delivery.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Informer } from './informer.ts';
import type { KeyValue, Op, Store, WatchEvent } from './store.ts';
import { transact } from './transact.ts';

/** Guards each case against hanging forever on an event that never comes; not a speed check. */
const HANG_GUARD_MS = 60_000;

/** Collects a watch's events, progress and compaction notices, and lets a test wait for what it expects. */
class Recorder {
  readonly events: WatchEvent[] = [];
  readonly compacted: number[] = [];
  /** Events (as revisions) and progress notices (as `progress R`) in arrival order. */
  readonly log: (number | `progress ${number}`)[] = [];
  progressed = 0;
  private readonly waiters: { done: () => boolean; resolve: () => void }[] = [];
  readonly stop: () => void;

  constructor(store: Store, prefix: string, fromRevision?: number) {
    this.stop = store.watch(
      prefix,
      (event) => {
        this.events.push(event);
        this.log.push(event.kv.modRevision);
        this.wake();
      },
      {
        fromRevision,
        onCompacted: (revision) => {
          this.compacted.push(revision);
          this.wake();
        },
        onProgress: (revision) => {
          this.progressed = revision;
          this.log.push(`progress ${revision}`);
          this.wake();
        },
      },
    );
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.done()) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  /** Resolves once `done()` holds. */
  until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ done, resolve }));
  }

  /** Resolves once an event for `key` has been seen. */
  seen(key: string): Promise<void> {
    return this.until(() => this.events.some((e) => e.kv.key === key));
  }

  /** Compact `type key@modRevision` lines, easy to compare whole. */
  lines(): string[] {
    return this.events.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`);
  }

  /** Fails if progress ever went down or came before an event it claimed was delivered. */
  assertProgressNeverAhead(): void {
    let progress = 0;
    for (const entry of this.log) {
      if (typeof entry === 'number') {
        assert.ok(entry > progress, `event @${entry} arrived after progress ${progress}`);
      } else {
        const next = Number(entry.slice('progress '.length));
        assert.ok(next >= progress, `progress went down from ${progress} to ${next}`);
        progress = next;
      }
    }
  }
}

/** A watch on `prefix` that will see everything committed after this call resolves. */
async function watchFromNow(store: Store, prefix: string): Promise<Recorder> {
  return new Recorder(store, prefix, (await store.revision()) + 1);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


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


/** One step of a random program: a txn, or starting a watch or an informer while writes go on. */
type Step = { kind: 'txn'; ops: Op[] } | { kind: 'watch' } | { kind: 'informer'; pageSize: number } | { kind: 'pause' };

const KEYS = ['s/a', 's/b', 's/c', 's/d/1', 's/d/2', 't/x'];
const keyOpArb = fc.record({ key: fc.constantFrom(...KEYS), value: fc.string({ maxLength: 2 }), del: fc.boolean() });
// Ops of one txn never touch the same key twice (etcd refuses that).
const opsArb: fc.Arbitrary<Op[]> = fc.oneof(
  { weight: 5, arbitrary: fc.uniqueArray(keyOpArb, { selector: (o) => o.key, minLength: 1, maxLength: 3 }).map((list) =>
    list.map((o): Op => (o.del ? { type: 'delete', key: o.key } : { type: 'put', key: o.key, value: o.value }))) },
  { weight: 1, arbitrary: fc.constantFrom('s/d/', 's/').map((prefix): Op[] => [{ type: 'deletePrefix', prefix }]) },
);
const programArb: fc.Arbitrary<Step[]> = fc.array(
  fc.oneof(
    { weight: 8, arbitrary: opsArb.map((ops): Step => ({ kind: 'txn', ops })) },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'watch' }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((pageSize): Step => ({ kind: 'informer', pageSize })) },
    { weight: 1, arbitrary: fc.constant<Step>({ kind: 'pause' }) },
  ),
  { minLength: 1, maxLength: 40 },
);

/** Applies a committed txn to the model, recording the `revision type key` of each change under s/. */
function recordTxn(model: Set<string>, expected: string[], ops: Op[], revision: number): void {
  const change = (type: 'put' | 'delete', key: string): void => {
    if (key.startsWith('s/')) expected.push(`${revision} ${type} ${key}`);
    if (type === 'put') model.add(key);
    else model.delete(key);
  };
  for (const op of ops) {
    if (op.type === 'put') change('put', op.key);
    else if (op.type === 'delete') model.has(op.key) && change('delete', op.key);
    else for (const key of [...model].filter((k) => k.startsWith(op.prefix)).sort()) change('delete', key);
  }
}

const fields = (kvs: Iterable<KeyValue>) => [...kvs].map((kv) => [kv.key, kv.value, kv.createRevision, kv.modRevision, kv.version]).sort();

/**
 * Runs the writes in order while watches (each from a one-shot snapshot) and informers start
 * between them without being awaited; then checks each against the writes and a fresh range.
 */
async function runProgram(store: Store, program: Step[]): Promise<void> {
  const model = new Set<string>();
  const expected: string[] = [];
  const watchers: Promise<{ recorder: Recorder; snapshot: KeyValue[]; from: number }>[] = [];
  const informers: Informer<string>[] = [];
  const errors: unknown[] = [];
  try {
    for (const step of program) {
      if (step.kind === 'txn') recordTxn(model, expected, step.ops, (await store.txn([], step.ops)).revision);
      else if (step.kind === 'pause') await sleep(1);
      else if (step.kind === 'watch') {
        watchers.push(store.range('s/').then(({ kvs, revision }) => ({ recorder: new Recorder(store, 's/', revision + 1), snapshot: kvs, from: revision + 1 })));
      } else {
        const informer = new Informer<string>({ store, prefix: 's/', decode: (kv) => kv.value, pageSize: step.pageSize, onError: (e) => errors.push(e) });
        informers.push(informer);
        void informer.start();
      }
    }
    // Every snapshot is in before the barrier, or a late one would already hold it.
    const started = await Promise.all(watchers);
    const end = await put(store, 's/~end', '');
    recordTxn(model, expected, [{ type: 'put', key: 's/~end', value: '' }], end.revision);
    const fresh = await store.range('s/');
    for (const { recorder, snapshot, from } of started) {
      await recorder.seen('s/~end');
      const revisions = recorder.events.map((e) => e.kv.modRevision);
      assert.deepEqual(revisions, [...revisions].sort((a, b) => a - b), 'delivered in revision order');
      const lines = recorder.events.map((e) => `${e.kv.modRevision} ${e.type} ${e.kv.key}`);
      assert.deepEqual(lines.sort(), expected.filter((line) => Number(line.split(' ')[0]) >= from).sort(), 'every change once');
      const view = new Map(snapshot.map((kv) => [kv.key, kv]));
      for (const e of recorder.events) {
        if (e.type === 'put') view.set(e.kv.key, e.kv);
        else view.delete(e.kv.key);
      }
      assert.deepEqual(fields(view.values()), fields(fresh.kvs), 'snapshot + events = a fresh range');
      recorder.assertProgressNeverAhead();
    }
    for (const informer of informers) {
      await informer.waitForRevision(end.revision);
      const held = informer.list().map((doc) => [doc.key, doc.value, doc.modRevision]).sort();
      assert.deepEqual(held, fresh.kvs.map((kv) => [kv.key, kv.value, kv.modRevision]).sort(), 'informer = a fresh range');
    }
    assert.deepEqual(errors, []);
  } finally {
    for (const informer of informers) informer.close();
    for (const watcher of watchers) (await watcher).recorder.stop();
  }
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

      test('reads at its current revision as without one; a revision above it is refused', async (store) => {
        await put(store, 'r/1', 'a');
        await put(store, 'r/2', 'b');
        const now = await store.range('r/');
        assert.deepEqual(await store.range('r/', { revision: now.revision }), now);
        await assert.rejects(store.range('r/', { revision: now.revision + 1000 }));
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
        const recorder = new Recorder(store, '', r0 + 1);
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
      test('delivers puts and deletes with their kv and prevKv', async (store) => {
        const recorder = await watchFromNow(store, 'w/');
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

      test('without fromRevision: nothing from before the call, then every change from some revision on', async (store) => {
        await put(store, 'w/before', 'x');
        const recorder = new Recorder(store, 'w/');
        // The watch may be established later: write until it shows it is live, then once more.
        const written: string[] = [];
        for (let i = 0; recorder.events.length === 0; i++) {
          assert.ok(i < 5000, 'the watch never started delivering');
          const key = `w/after/${String(i).padStart(4, '0')}`;
          written.push(`put ${key}@${(await put(store, key, 'x')).revision}`);
          await sleep(1);
        }
        written.push(`put w/zz@${(await put(store, 'w/zz', 'x')).revision}`);
        await recorder.seen('w/zz');
        recorder.stop();
        const lines = recorder.lines();
        assert.deepEqual(lines, written.slice(written.indexOf(lines[0])), 'a gap-free run of the later writes');
      });

      test('on a prefix, sees only keys under that prefix', async (store) => {
        const recorder = await watchFromNow(store, 'a/');
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
        const recorder = new Recorder(store, 'h/', r1 + 1);
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

      test('from a revision: commits made before the watch is established are delivered', async (store) => {
        const from = (await store.revision()) + 1;
        const recorder = new Recorder(store, 'e/', from);
        // No waiting between watch() and the writes: an asynchronous backend is still registering.
        const revisions = [(await put(store, 'e/1', 'x')).revision, (await put(store, 'e/2', 'x')).revision, (await del(store, 'e/1')).revision];
        await recorder.until(() => recorder.events.length >= 3);
        await put(store, 'e/zz', 'end');
        await recorder.seen('e/zz');
        recorder.stop();
        assert.deepEqual(recorder.lines().slice(0, 3), [`put e/1@${revisions[0]}`, `put e/2@${revisions[1]}`, `delete e/1@${revisions[2]}`]);
        assert.equal(recorder.events.length, 4);
      });

      test('from a revision while writes are in flight: no gap, no duplicate', async (store) => {
        const start = (await store.revision()) + 1;
        const total = 60;
        const writer = (async () => {
          for (let i = 0; i < total; i++) await put(store, `c/${String(i).padStart(2, '0')}`, String(i));
        })();
        await store.get('c/00'); // let some writes land before the watch starts
        await store.get('c/01');
        const recorder = new Recorder(store, 'c/', start);
        await writer;
        await put(store, 'c/zz', 'end');
        await recorder.seen('c/zz');
        recorder.stop();
        const expected = Array.from({ length: total }, (_, i) => `put c/${String(i).padStart(2, '0')}@${start + i}`);
        assert.deepEqual(recorder.lines(), [...expected, `put c/zz@${start + total}`]);
      });

      test('each watcher gets its own stream; unwatch stops delivery', async (store) => {
        const stopped = await watchFromNow(store, 'u/');
        const sentinel = await watchFromNow(store, 'u/');
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

      test('unwatch before the watch is established: nothing is ever delivered', async (store) => {
        const early = await watchFromNow(store, 'x/');
        early.stop();
        const live = new Recorder(store, 'x/');
        live.stop();
        const sentinel = await watchFromNow(store, 'x/');
        await put(store, 'x/1', 'x');
        await sentinel.seen('x/1');
        await sleep(20); // whatever a late registration would deliver, it would have by now
        sentinel.stop();
        assert.deepEqual([early.log, live.log], [[], []]);
      });

      test('watches under different prefixes are independent', async (store) => {
        const a = await watchFromNow(store, 'a/');
        const b = await watchFromNow(store, 'b/');
        const aAgain = await watchFromNow(store, 'a/');
        await store.txn([], [{ type: 'put', key: 'a/1', value: 'x' }, { type: 'put', key: 'b/1', value: 'x' }]);
        await a.seen('a/1');
        a.stop(); // stopping one watch leaves the others running
        await put(store, 'a/2', 'x');
        await put(store, 'b/2', 'x');
        await Promise.all([b.seen('b/2'), aAgain.seen('a/2')]);
        b.stop();
        aAgain.stop();
        assert.deepEqual([a.events.length, b.events.length, aAgain.events.length], [1, 2, 2]);
        assert.ok(b.events.every((e) => e.kv.key.startsWith('b/')) && aAgain.events.every((e) => e.kv.key.startsWith('a/')));
      });

      test('onProgress follows every txn, under the prefix or not, and never runs ahead of events', async (store) => {
        const recorder = await watchFromNow(store, 'p/');
        const first = await put(store, 'p/0', 'x');
        await recorder.until(() => recorder.progressed >= first.revision);
        const inside = await put(store, 'p/1', 'x'); // right after a notice: it must not have claimed this one
        await recorder.until(() => recorder.progressed >= inside.revision);
        const outside = await put(store, 'elsewhere', 'x');
        await recorder.until(() => recorder.progressed >= outside.revision);
        const both = await store.txn([], [{ type: 'put', key: 'p/2', value: 'x' }, { type: 'put', key: 'p/3', value: 'x' }]);
        await recorder.until(() => recorder.progressed >= both.revision);
        recorder.stop();
        assert.deepEqual(recorder.lines(), [`put p/0@${first.revision}`, `put p/1@${inside.revision}`, `put p/2@${both.revision}`, `put p/3@${both.revision}`]);
        recorder.assertProgressNeverAhead();
      });
    });

    describe('compaction', () => {
      test('a watch from before the compact revision gets onCompacted once and no events; from it, history', async (store) => {
        assert.ok(store.compact, 'the contract needs compact() to prove onCompacted');
        const r = await store.revision();
        for (let i = 1; i <= 5; i++) await put(store, `k/${i}`, String(i));
        await store.compact(r + 3);
        const lost = new Recorder(store, 'k/', r + 2);
        const kept = new Recorder(store, 'k/', r + 3);
        await lost.until(() => lost.compacted.length > 0);
        await put(store, 'k/6', '6');
        await kept.seen('k/6');
        await sleep(20); // a late (wrong) event for `lost` would have arrived by now
        lost.stop();
        kept.stop();
        assert.equal(lost.compacted.length, 1);
        assert.ok(lost.compacted[0] >= r + 3);
        assert.deepEqual(lost.events, []);
        assert.deepEqual(kept.lines(), [3, 4, 5, 6].map((i) => `put k/${i}@${r + i}`));
        assert.equal((await store.range('k/')).kvs.length, 6, 'compaction keeps keys and values');
        assert.equal((await store.get('k/1'))?.value, '1');
      });

      test('compacting above the current revision rejects; below the last compaction is a no-op', async (store) => {
        assert.ok(store.compact, 'the contract needs compact() to prove onCompacted');
        for (let i = 1; i <= 4; i++) await put(store, `k/${i}`, String(i));
        const r = await store.revision();
        await assert.rejects(store.compact(r + 1));
        await store.compact(r - 1);
        await store.compact(r - 3);
        const recorder = new Recorder(store, 'k/', r - 1);
        await recorder.until(() => recorder.events.length === 2);
        recorder.stop();
        assert.deepEqual(recorder.compacted, []);
      });
    });

    describe('watches and informers racing writes', () => {
      it('started at any point of heavy writes, they miss nothing and repeat nothing', { timeout: HANG_GUARD_MS * 3 }, async () => {
        await fc.assert(fc.asyncProperty(programArb, (program) => withStore(open, (store) => runProgram(store, program))), {
          numRuns: 15,
        });
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
