/** Releasing the interface of a task that has none. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteStore, transact } from '../state/index.ts';
import { stageReleaseTaskEni } from './task-network.ts';
import { scope, taskRecord } from './testing.ts';

describe('task network', () => {
  it('releasing the interface of a task without one writes nothing', async () => {
    const store = SqliteStore.open(':memory:');
    const revision = await store.revision();
    await transact(store, (tx) => stageReleaseTaskEni(tx, scope, taskRecord('c', 'a'.repeat(32))));
    assert.equal(await store.revision(), revision);
    await store.close();
  });
});
