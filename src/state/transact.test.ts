import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';
import { ConflictError, getDoc, listDocs, transact, Tx } from './transact.ts';

async function withStore(body: (store: Store) => Promise<void>): Promise<void> {
  const store = SqliteStore.open(':memory:');
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

const putJson = (store: Store, key: string, value: unknown) =>
  store.txn([], [{ type: 'put', key, value: JSON.stringify(value) }]);

interface Item {
  n: number;
}

describe('getDoc and listDocs', () => {
  it('decode JSON documents with their modRevision', () =>
    withStore(async (store) => {
      const { revision } = await putJson(store, 'd/1', { n: 1 });
      assert.deepEqual(await getDoc<Item>(store, 'd/1'), { key: 'd/1', value: { n: 1 }, modRevision: revision });
      assert.equal(await getDoc(store, 'd/2'), undefined);
    }));

  it('lists every document under a prefix in key order, across pages', () =>
    withStore(async (store) => {
      const count = 2345; // more than two pages of 1,000
      const ops = Array.from({ length: count }, (_, i) => ({
        type: 'put' as const,
        key: `d/${String(count - 1 - i).padStart(5, '0')}`,
        value: JSON.stringify({ n: count - 1 - i }),
      }));
      await store.txn([], ops);
      await putJson(store, 'd0', { n: -1 });
      const docs = await listDocs<Item>(store, 'd/');
      assert.equal(docs.length, count);
      assert.deepEqual(docs.map((d) => d.value.n), Array.from({ length: count }, (_, i) => i));
    }));
});

describe('Tx', () => {
  it('lists in key order with its own puts and deletes applied', () =>
    withStore(async (store) => {
      await putJson(store, 'p/a', { n: 1 });
      await putJson(store, 'p/c', { n: 3 });
      await putJson(store, 'p/d', { n: 4 });
      const tx = new Tx(store);
      tx.put('p/b', { n: 2 });
      tx.delete('p/d');
      tx.put('q/x', { n: 9 });
      assert.deepEqual(await tx.list<Item>('p/'), [{ n: 1 }, { n: 2 }, { n: 3 }]);
    }));

  it('reads its own buffered writes and writes nothing before commit', () =>
    withStore(async (store) => {
      await putJson(store, 'a', { n: 1 });
      const tx = new Tx(store);
      tx.put<Item>('a', { n: 2 });
      tx.put<Item>('b', { n: 3 });
      tx.delete('a');
      assert.equal(await tx.get('a'), undefined);
      assert.deepEqual(await tx.get<Item>('b'), { n: 3 });
      assert.deepEqual((await getDoc<Item>(store, 'a'))?.value, { n: 1 });
      assert.equal(await store.get('b'), undefined);
      assert.equal(await tx.commit(), true);
      assert.equal(await store.get('a'), undefined);
      assert.deepEqual((await getDoc<Item>(store, 'b'))?.value, { n: 3 });
    }));

  it('guards a key it read: a concurrent change fails the commit and writes nothing', () =>
    withStore(async (store) => {
      await putJson(store, 'a', { n: 1 });
      const tx = new Tx(store);
      assert.deepEqual(await tx.get<Item>('a'), { n: 1 });
      await putJson(store, 'a', { n: 10 });
      tx.put('b', { n: 2 });
      const before = await store.revision();
      assert.equal(await tx.commit(), false);
      assert.equal(await store.get('b'), undefined);
      assert.equal(await store.revision(), before);
    }));

  it('guards a key it read as absent: a concurrent create fails the commit', () =>
    withStore(async (store) => {
      const tx = new Tx(store);
      assert.equal(await tx.get('lock'), undefined);
      tx.put('lock', { owner: 'me' });
      await putJson(store, 'lock', { owner: 'someone else' });
      assert.equal(await tx.commit(), false);
      assert.deepEqual((await getDoc(store, 'lock'))?.value, { owner: 'someone else' });
    }));

  it('keeps the first revision it read, so a change between two reads fails the commit', () =>
    withStore(async (store) => {
      await putJson(store, 'a', { n: 1 });
      const tx = new Tx(store);
      await tx.get('a');
      await putJson(store, 'a', { n: 2 });
      assert.deepEqual(await tx.get<Item>('a'), { n: 2 });
      tx.put('a', { n: 3 });
      assert.equal(await tx.commit(), false);
    }));

  it('guards every key a list returned', () =>
    withStore(async (store) => {
      for (const change of ['update', 'delete'] as const) {
        await store.txn([], [{ type: 'deletePrefix', prefix: '' }]);
        await putJson(store, 'l/1', { n: 1 });
        await putJson(store, 'l/2', { n: 2 });
        const tx = new Tx(store);
        assert.deepEqual(await tx.list<Item>('l/'), [{ n: 1 }, { n: 2 }]);
        if (change === 'update') await putJson(store, 'l/2', { n: 20 });
        else await store.txn([], [{ type: 'delete', key: 'l/2' }]);
        tx.put('summary', { n: 3 });
        assert.equal(await tx.commit(), false, `a concurrent ${change} must fail the commit`);
        assert.equal(await store.get('summary'), undefined);
      }
    }));

  it('does not guard keys created under a listed prefix after the list (as documented)', () =>
    withStore(async (store) => {
      await putJson(store, 'l/1', { n: 1 });
      const tx = new Tx(store);
      await tx.list('l/');
      await putJson(store, 'l/9', { n: 9 });
      tx.put('summary', { n: 1 });
      assert.equal(await tx.commit(), true);
    }));

  it('lists with its own buffered puts and deletes applied', () =>
    withStore(async (store) => {
      await putJson(store, 'l/1', { n: 1 });
      await putJson(store, 'l/2', { n: 2 });
      const tx = new Tx(store);
      tx.put<Item>('l/1', { n: 10 });
      tx.delete('l/2');
      tx.put<Item>('l/3', { n: 3 });
      tx.put<Item>('m/1', { n: 99 });
      assert.deepEqual(await tx.list<Item>('l/'), [{ n: 10 }, { n: 3 }]);
    }));

  it('commits a read-only transaction without writing', () =>
    withStore(async (store) => {
      await putJson(store, 'a', { n: 1 });
      const tx = new Tx(store);
      await tx.get('a');
      const before = await store.revision();
      assert.equal(await tx.commit(), true);
      assert.equal(await store.revision(), before);
    }));
});

describe('transact', () => {
  it('retries from scratch after losing a race, then commits', () =>
    withStore(async (store) => {
      await putJson(store, 'counter', { n: 0 });
      let attempts = 0;
      const result = await transact(store, async (tx) => {
        attempts++;
        const current = (await tx.get<Item>('counter'))?.n ?? 0;
        if (attempts === 1) await putJson(store, 'counter', { n: 100 }); // another writer wins
        tx.put<Item>('counter', { n: current + 1 });
        return current;
      });
      assert.equal(attempts, 2);
      assert.equal(result, 100);
      assert.deepEqual((await getDoc<Item>(store, 'counter'))?.value, { n: 101 });
    }));

  it('aborts with nothing written when the body throws', () =>
    withStore(async (store) => {
      await putJson(store, 'a', { n: 1 });
      const before = await store.revision();
      let attempts = 0;
      await assert.rejects(
        transact(store, async (tx) => {
          attempts++;
          await tx.get('a');
          tx.put('a', { n: 2 });
          tx.put('b', { n: 2 });
          throw new Error('validation failed');
        }),
        { message: 'validation failed' },
      );
      assert.equal(attempts, 1);
      assert.equal(await store.revision(), before);
      assert.deepEqual((await getDoc<Item>(store, 'a'))?.value, { n: 1 });
      assert.equal(await store.get('b'), undefined);
    }));

  it('gives up with ConflictError after maxAttempts lost races', () =>
    withStore(async (store) => {
      let attempts = 0;
      await assert.rejects(
        transact(
          store,
          async (tx) => {
            attempts++;
            await tx.get('hot');
            await putJson(store, 'hot', { n: attempts }); // always loses
            tx.put('mine', { n: attempts });
          },
          5,
        ),
        ConflictError,
      );
      assert.equal(attempts, 5);
      assert.equal(await store.get('mine'), undefined);
    }));

  it('serializes parallel increments, retrying the losers', () =>
    withStore(async (store) => {
      const n = 30;
      let attempts = 0;
      await Promise.all(
        Array.from({ length: n }, () =>
          transact(store, async (tx) => {
            attempts++;
            tx.put<Item>('counter', { n: ((await tx.get<Item>('counter'))?.n ?? 0) + 1 });
          }),
        ),
      );
      assert.deepEqual((await getDoc<Item>(store, 'counter'))?.value, { n });
      assert.ok(attempts > n, `parallel transactions should have conflicted (attempts: ${attempts})`);
    }));
});
