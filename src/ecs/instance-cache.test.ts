import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore, Tx } from '../state/index.ts';
import { InstanceCache } from './instance-cache.ts';
import { keys } from './records.ts';
import { instanceRecord, scope, seed } from './testing.ts';

describe('InstanceCache', () => {
  it('holds what the store holds, listed at start and followed after', async () => {
    const store = SqliteStore.open(':memory:');
    await seed(store, keys.instance(scope, 'web', 'a'.repeat(32)), instanceRecord('web', 'a'.repeat(32)));
    const cache = new InstanceCache(store);
    await seed(store, keys.instance(scope, 'web', 'b'.repeat(32)), instanceRecord('web', 'b'.repeat(32)));
    await seed(store, keys.instance(scope, 'other', 'c'.repeat(32)), instanceRecord('other', 'c'.repeat(32)));
    const ids = async (cluster: string) => (await cache.list(scope, cluster)).map((d) => d.value.id).sort();
    assert.deepEqual(await ids('web'), ['a'.repeat(32), 'b'.repeat(32)]);
    assert.deepEqual(await ids('other'), ['c'.repeat(32)]);

    await seed(store, keys.instance(scope, 'web', 'a'.repeat(32)), instanceRecord('web', 'a'.repeat(32), { status: 'DRAINING' }));
    await store.txn([], [{ type: 'delete', key: keys.instance(scope, 'web', 'b'.repeat(32)) }]);
    const docs = await cache.list(scope, 'web');
    assert.deepEqual(docs.map((d) => [d.value.id, d.value.status]), [['a'.repeat(32), 'DRAINING']]);
    assert.equal(docs[0].modRevision, (await store.get(docs[0].key))!.modRevision);
    cache.close();
    await store.close();
  });

  it('a commit guarded on a cached revision fails once the instance changed', async () => {
    const store = SqliteStore.open(':memory:');
    const key = keys.instance(scope, 'web', 'a'.repeat(32));
    await seed(store, key, instanceRecord('web', 'a'.repeat(32)));
    const cache = new InstanceCache(store);
    const [doc] = await cache.list(scope, 'web');
    await seed(store, key, instanceRecord('web', 'a'.repeat(32), { status: 'DRAINING' }));
    const stale = new Tx(store);
    stale.guard(doc.key, doc.modRevision);
    stale.put('ecs/other', 1);
    assert.equal(await stale.commit(), false);
    const [fresh] = await cache.list(scope, 'web');
    const current = new Tx(store);
    current.guard(fresh.key, fresh.modRevision);
    current.put('ecs/other', 1);
    assert.equal(await current.commit(), true);
    cache.close();
    await store.close();
  });
});
