import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { storeContract } from './contract.testing.ts';
import { DelayedStore, seededRandom } from './delayed-store.testing.ts';
import { prefixEnd, SqliteStore, StoreClosedError, StoreLockedError } from './sqlite.ts';
import type { WatchEvent } from './store.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'wharf-sqlite-'));
let counter = 0;
const tempPath = (): string => join(root, `store-${++counter}`, 'state.db');
after(() => rmSync(root, { recursive: true, force: true }));

storeContract('SqliteStore (file)', async () => SqliteStore.open(tempPath()));
storeContract('SqliteStore (:memory:)', async () => SqliteStore.open(':memory:'));
// The contract through an asynchronous-delivery harness: proves the suite never relies on
// synchronous watch delivery (an etcd backend's watch is asynchronous), and that the harness
// the informer tests use keeps the contract.
let delayedSeed = 1;
storeContract('SqliteStore (:memory:) behind DelayedStore', async () =>
  new DelayedStore(SqliteStore.open(':memory:'), { random: seededRandom(delayedSeed++) }));

const put = (store: SqliteStore, key: string, value: string) => store.txn([], [{ type: 'put', key, value }]);

describe('SqliteStore', () => {
  it('starts empty at revision 0, creating parent directories', async () => {
    const path = join(root, 'deep', 'er', 'state.db');
    const store = SqliteStore.open(path);
    assert.equal(await store.revision(), 0);
    assert.deepEqual(await store.range(''), { kvs: [], revision: 0, more: false });
    await store.close();
  });

  it('keeps data, revisions and watch history across a reopen', async () => {
    const path = tempPath();
    const first = SqliteStore.open(path);
    await put(first, 'a', '1');
    await put(first, 'a', '2');
    await put(first, 'b', '1');
    await first.txn([], [{ type: 'delete', key: 'b' }]);
    await first.close();

    const second = SqliteStore.open(path);
    assert.equal(await second.revision(), 4);
    assert.deepEqual(await second.get('a'), { key: 'a', value: '2', createRevision: 1, modRevision: 2, version: 2 });
    assert.equal(await second.get('b'), undefined);
    const seen: string[] = [];
    const stop = second.watch('', (e) => seen.push(`${e.type} ${e.kv.key}@${e.kv.modRevision}`), { fromRevision: 1 });
    assert.deepEqual(seen, ['put a@1', 'put a@2', 'put b@3', 'delete b@4']);
    assert.equal((await put(second, 'c', '1')).revision, 5);
    assert.equal(seen.at(-1), 'put c@5');
    stop();
    await second.close();

    const raw = new Database(path, { readonly: true });
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    raw.close();
  });

  it('lets only one connection own a file at a time', async () => {
    const path = tempPath();
    const owner = SqliteStore.open(path);
    assert.throws(() => SqliteStore.open(path), StoreLockedError);
    await put(owner, 'k', 'v');
    await owner.close();
    const next = SqliteStore.open(path);
    assert.equal((await next.get('k'))?.value, 'v');
    await next.close();
  });

  it('rejects with StoreClosedError after close, and watch throws', async () => {
    const store = SqliteStore.open(':memory:');
    await store.close();
    await store.close(); // closing twice is harmless
    await assert.rejects(store.get('k'), StoreClosedError);
    await assert.rejects(store.txn([], []), StoreClosedError);
    assert.throws(() => store.watch('', () => {}), StoreClosedError);
  });

  it('rejects malformed input without writing', async () => {
    const store = SqliteStore.open(':memory:');
    await assert.rejects(store.range('', { limit: 0 }), RangeError);
    await assert.rejects(store.range('', { limit: 1.5 }), RangeError);
    await assert.rejects(put(store, '', 'v'), RangeError);
    await assert.rejects(store.txn([{ key: 'k', modRevision: -1 }], []), RangeError);
    await assert.rejects(store.txn([], [{ type: 'put', key: 'k', value: 1 as unknown as string }]), TypeError);
    assert.equal(await store.revision(), 0);
    await store.close();
  });

  it('reports deletes with createRevision 0 and version 0, as etcd does', async () => {
    const store = SqliteStore.open(':memory:');
    const events: WatchEvent[] = [];
    store.watch('', (e) => events.push(e));
    await put(store, 'k', 'v');
    await store.txn([], [{ type: 'delete', key: 'k' }]);
    assert.deepEqual(events[1].kv, { key: 'k', value: '', createRevision: 0, modRevision: 2, version: 0 });
    assert.ok(Object.isFrozen(events[1]) && Object.isFrozen(events[1].kv), 'shared events are frozen');
    await store.close();
  });

  describe('watch delivery', () => {
    it('delivers before txn() resolves, and keeps going when a callback throws', async () => {
      const errors: unknown[] = [];
      const store = SqliteStore.open(':memory:', { onWatcherError: (e) => errors.push(e) });
      let thrown = 0;
      store.watch('', () => {
        thrown++;
        throw new Error('callback bug');
      });
      const seen: string[] = [];
      store.watch('', (e) => seen.push(e.kv.key));
      await put(store, 'a', '1');
      assert.deepEqual(seen, ['a']);
      await store.txn([], [{ type: 'put', key: 'b', value: '1' }, { type: 'put', key: 'c', value: '1' }]);
      assert.deepEqual(seen, ['a', 'b', 'c']);
      assert.equal(thrown, 3);
      assert.equal(errors.length, 3);
      assert.equal((errors[0] as Error).message, 'callback bug');
      assert.equal((await store.get('c'))?.value, '1');
      await store.close();
    });

    it('queues commits made inside a callback behind the current one', async () => {
      const store = SqliteStore.open(':memory:');
      const first: string[] = [];
      const second: string[] = [];
      store.watch('r/', (e) => {
        first.push(`${e.kv.key}@${e.kv.modRevision}`);
        if (e.kv.key === 'r/1') void put(store, 'r/nested', 'x');
      });
      store.watch('r/', (e) => second.push(`${e.kv.key}@${e.kv.modRevision}`));
      await store.txn([], [{ type: 'put', key: 'r/1', value: 'x' }, { type: 'put', key: 'r/2', value: 'x' }]);
      assert.deepEqual(first, ['r/1@1', 'r/2@1', 'r/nested@2']);
      assert.deepEqual(second, ['r/1@1', 'r/2@1', 'r/nested@2']);
      await store.close();
    });

    it('delivers, after the replay, what a callback commits during the replay', async () => {
      const store = SqliteStore.open(':memory:');
      for (const key of ['h/1', 'h/2', 'h/3']) await put(store, key, 'x');
      const seen: string[] = [];
      store.watch(
        'h/',
        (e) => {
          seen.push(`${e.kv.key}@${e.kv.modRevision}`);
          if (e.kv.key === 'h/1') void put(store, 'h/echo', 'x');
        },
        { fromRevision: 1 },
      );
      assert.deepEqual(seen, ['h/1@1', 'h/2@2', 'h/3@3', 'h/echo@4']);
      await put(store, 'h/4', 'x');
      assert.deepEqual(seen.slice(4), ['h/4@5']);
      await store.close();
    });

    it('gives a watch started inside a callback each queued commit exactly once', async () => {
      const store = SqliteStore.open(':memory:');
      const fromHistory: string[] = [];
      const liveOnly: string[] = [];
      const stop = store.watch('', (e) => {
        if (e.kv.key !== 'q/1') return;
        stop();
        void put(store, 'q/2', 'x'); // committed now, queued behind the commit being delivered
        store.watch('q/', (ev) => fromHistory.push(`${ev.kv.key}@${ev.kv.modRevision}`), { fromRevision: 1 });
        store.watch('q/', (ev) => liveOnly.push(`${ev.kv.key}@${ev.kv.modRevision}`));
      });
      await put(store, 'q/1', 'x');
      await put(store, 'q/3', 'x');
      assert.deepEqual(fromHistory, ['q/1@1', 'q/2@2', 'q/3@3']);
      assert.deepEqual(liveOnly, ['q/3@3']);
      await store.close();
    });

    it('stops at once when unwatched inside its own callback', async () => {
      const store = SqliteStore.open(':memory:');
      const seen: string[] = [];
      const stop = store.watch('', (e) => {
        seen.push(e.kv.key);
        stop();
      });
      await store.txn([], ['a', 'b', 'c'].map((key) => ({ type: 'put' as const, key, value: '1' })));
      await put(store, 'd', '1');
      assert.deepEqual(seen, ['a']);
      await store.close();
    });
  });

  describe('history retention', () => {
    it('compacts history beyond historyRevisions and reports onCompacted', async () => {
      const path = tempPath();
      const store = SqliteStore.open(path, { historyRevisions: 10 });
      for (let i = 1; i <= 50; i++) await put(store, `k/${i}`, String(i));

      const revisions: number[] = [];
      const keep = { fromRevision: 41, onCompacted: () => assert.fail('revision 41 is retained') };
      store.watch('k/', (e) => revisions.push(e.kv.modRevision), keep);
      assert.deepEqual(revisions, Array.from({ length: 10 }, (_, i) => 41 + i));

      const compacted: number[] = [];
      const lost: WatchEvent[] = [];
      store.watch('k/', (e) => lost.push(e), { fromRevision: 40, onCompacted: (rev) => compacted.push(rev) });
      assert.deepEqual(compacted, [41]);
      await put(store, 'k/51', '51');
      assert.deepEqual(lost, [], 'a compacted watch delivers nothing, live changes included');
      assert.deepEqual(revisions, Array.from({ length: 11 }, (_, i) => 41 + i));
      await store.close();

      const raw = new Database(path, { readonly: true });
      const rows = raw.prepare('SELECT COUNT(*) AS n, MIN(revision) AS low FROM changes').get() as { n: number; low: number };
      raw.close();
      assert.deepEqual(rows, { n: 10, low: 42 });

      const reopened = SqliteStore.open(path, { historyRevisions: 10 });
      const afterReopen: number[] = [];
      reopened.watch('', () => assert.fail('no events'), { fromRevision: 41, onCompacted: (rev) => afterReopen.push(rev) });
      assert.deepEqual(afterReopen, [42]);
      await reopened.close();
    });

    it('never compacts history out from under a replay that spans pages', async () => {
      // 1,210 revisions of history (more than one replay page); each replayed event makes the
      // callback commit elsewhere, which would compact revisions still to be replayed.
      const store = SqliteStore.open(':memory:', { historyRevisions: 1200 });
      const history = 1210;
      const ops = Array.from({ length: history }, (_, i) => ({ type: 'put' as const, key: `h/${i}`, value: 'x' }));
      for (const op of ops) await store.txn([], [op]);
      const revisions: number[] = [];
      const writes: Promise<unknown>[] = [];
      store.watch(
        'h/',
        (e) => {
          revisions.push(e.kv.modRevision);
          if (e.kv.modRevision <= history) writes.push(put(store, `elsewhere/${e.kv.modRevision}`, 'x'));
        },
        { fromRevision: 1, onCompacted: () => assert.fail('history was there when the watch started') },
      );
      await Promise.all(writes);
      assert.deepEqual(revisions, Array.from({ length: history }, (_, i) => i + 1));
      assert.equal(await store.revision(), 2 * history);
      // Compaction resumes with the next commit once the replay is over.
      await put(store, 'h/last', 'x');
      const compacted: number[] = [];
      store.watch('', () => {}, { fromRevision: 1, onCompacted: (rev) => compacted.push(rev) });
      assert.deepEqual(compacted, [2 * history + 1 - 1200 + 1]);
      await store.close();
    });
  });

  it('computes prefix ends in code-point order', () => {
    assert.equal(prefixEnd(''), undefined);
    assert.equal(prefixEnd('a/'), 'a0');
    assert.equal(prefixEnd('a\u{D7FF}'), 'a\u{E000}');
    assert.equal(prefixEnd('a\u{10FFFF}'), 'b');
    assert.equal(prefixEnd('\u{10FFFF}\u{10FFFF}'), undefined);
  });

  it('keeps every acknowledged txn when the process is killed with SIGKILL', { timeout: 120_000 }, async () => {
    const path = tempPath();
    const ackTarget = 200;
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'sqlite-crash-child.testing.ts'), path, '1000000'], {
      cwd: join(here, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const acks: { i: number; revision: number }[] = [];
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      for await (const line of createInterface({ input: child.stdout })) {
        const [word, i, revision] = line.split(' ');
        assert.equal(word, 'ack', `unexpected child output: ${line}`);
        acks.push({ i: Number(i), revision: Number(revision) });
        if (acks.length === ackTarget) child.kill('SIGKILL');
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    const exit = await exited;
    assert.deepEqual(exit, { code: null, signal: 'SIGKILL' }, `child did not die by SIGKILL; stderr:\n${stderr}`);
    assert.ok(acks.length >= ackTarget);

    const store = SqliteStore.open(path);
    const last = acks[acks.length - 1];
    for (const { i, revision } of acks) {
      const kv = await store.get(`crash/${String(i).padStart(8, '0')}`);
      assert.deepEqual(kv && [kv.value, kv.modRevision], [`value-${i}`, revision], `ack ${i} lost`);
    }
    // Writes after the last ack may or may not have landed, but each txn landed whole.
    const lastWritten = Number((await store.get('crash-last'))?.value);
    assert.ok(lastWritten >= last.i);
    const written = await store.range('crash/');
    assert.equal(written.kvs.length, lastWritten + 1);
    assert.equal(await store.revision(), lastWritten + 1);
    assert.equal((await put(store, 'after-crash', 'ok')).revision, lastWritten + 2);
    await store.close();
  });
});
