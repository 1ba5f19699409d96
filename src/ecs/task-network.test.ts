/** The names ECS gives an awsvpc task's address, and releasing the interface of a task that has none. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteStore, transact } from '../state/index.ts';
import { privateDnsName, stageReleaseTaskEni } from './task-network.ts';
import { scope, taskRecord } from './testing.ts';

describe('task network', () => {
  it('the private DNS name: ec2.internal in us-east-1, <region>.compute.internal elsewhere', () => {
    assert.equal(privateDnsName('10.0.1.4', 'us-east-1'), 'ip-10-0-1-4.ec2.internal');
    assert.equal(privateDnsName('172.31.16.250', 'eu-west-1'), 'ip-172-31-16-250.eu-west-1.compute.internal');
  });

  it('releasing the interface of a task without one writes nothing', async () => {
    const store = SqliteStore.open(':memory:');
    const revision = await store.revision();
    await transact(store, (tx) => stageReleaseTaskEni(tx, scope, taskRecord('c', 'a'.repeat(32))));
    assert.equal(await store.revision(), revision);
    await store.close();
  });
});
