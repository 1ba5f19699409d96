import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keys, type TaskRecord } from './records.ts';
import { SPOT_INTERRUPTION_REASON, interruptSpotTask } from './spot-interruption.ts';
import { taskStateChangeEvent } from './task-events.ts';
import { ecsWorld, scope, seedCluster, seedTask, taskRecord, type EcsWorld } from './testing.ts';

let world: EcsWorld;
afterEach(async () => {
  await world.deps.informers.close();
  world.store.close();
});

const spot = (id: string, over: Partial<TaskRecord> = {}) =>
  taskRecord('c', id, { launchType: 'FARGATE', capacityProviderName: 'FARGATE_SPOT', ...over });

describe('interruptSpotTask', () => {
  it('stops a FARGATE_SPOT task with SpotInterruption, and its Task State Change event says so', async () => {
    world = ecsWorld();
    const now = world.clock.now();
    await seedCluster(world.store, 'c');
    await seedTask(world.store, spot('a'.repeat(32)));
    const stopped = await interruptSpotTask(world.deps, scope, 'c', 'a'.repeat(32));
    assert.equal(stopped.desiredStatus, 'STOPPED');
    assert.equal(stopped.stopCode, 'SpotInterruption');
    assert.equal(stopped.stoppedReason, SPOT_INTERRUPTION_REASON);
    assert.equal(stopped.stoppingAt, now);
    const stored = (await world.store.get(keys.task(scope, 'c', 'a'.repeat(32))))!;
    assert.equal((JSON.parse(stored.value) as TaskRecord).stopCode, 'SpotInterruption');
    const event = taskStateChangeEvent(stopped, now);
    assert.equal(event.detail.stopCode, 'SpotInterruption');
    assert.equal(event.detail.stoppedReason, 'Your Spot Task was interrupted.');
    assert.equal(event.detail.capacityProviderName, 'FARGATE_SPOT');
    assert.equal(event.detail.desiredStatus, 'STOPPED');
  });

  it('refuses a task not on FARGATE_SPOT, or not found, and changes nothing', async () => {
    world = ecsWorld();
    await seedCluster(world.store, 'c');
    await seedTask(world.store, spot('b'.repeat(32), { capacityProviderName: 'FARGATE' }));
    await assert.rejects(interruptSpotTask(world.deps, scope, 'c', 'b'.repeat(32)), /does not run on the FARGATE_SPOT capacity provider/);
    await assert.rejects(interruptSpotTask(world.deps, scope, 'c', 'f'.repeat(32)), /was not found in cluster c/);
    const stored = JSON.parse((await world.store.get(keys.task(scope, 'c', 'b'.repeat(32))))!.value) as TaskRecord;
    assert.equal(stored.desiredStatus, 'RUNNING');
  });
});
