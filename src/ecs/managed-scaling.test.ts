import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SCALE_IN_AFTER_MS, capacityProviderReservation, managedDesiredCapacity, scalingDecision } from './managed-scaling.ts';
import type { ManagedScalingRecord } from './asg-providers.ts';

const scaling = (over: Partial<ManagedScalingRecord> = {}): ManagedScalingRecord => ({
  status: 'ENABLED', targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10_000, instanceWarmupPeriod: 300, ...over,
});
const task = { cpu: 256, memory: 600 };

describe('ECS managed scaling', () => {
  it('CapacityProviderReservation as ECS computes it: M / N × 100, 100 for an empty idle group, 200 for an empty group with tasks waiting', () => {
    assert.deepEqual(capacityProviderReservation({ groupInstances: 0, busyInstances: 0, waiting: [] }, scaling()), { m: 0, n: 0, value: 100 });
    assert.deepEqual(capacityProviderReservation({ groupInstances: 0, busyInstances: 0, waiting: [task] }, scaling()), { m: 1, n: 0, value: 200 });
    assert.deepEqual(capacityProviderReservation({ groupInstances: 4, busyInstances: 3, waiting: [] }, scaling()), { m: 3, n: 4, value: 75 });
    // Waiting tasks: N plus the instances they fill (by their larger need), within the step sizes.
    const size = { cpu: 2048, memory: 1024 };
    assert.equal(capacityProviderReservation({ groupInstances: 2, busyInstances: 2, waiting: [task, task, task], instanceSize: size }, scaling()).m, 2 + 2);
    assert.equal(capacityProviderReservation({ groupInstances: 2, busyInstances: 2, waiting: [task, task, task], instanceSize: size }, scaling({ maximumScalingStepSize: 1 })).m, 3);
    assert.equal(capacityProviderReservation({ groupInstances: 2, busyInstances: 2, waiting: [task], instanceSize: size }, scaling({ minimumScalingStepSize: 3 })).m, 5);
    assert.equal(capacityProviderReservation({ groupInstances: 1, busyInstances: 1, waiting: [task] }, scaling({ minimumScalingStepSize: 2 })).m, 3, 'no instance to size by: one step');
  });

  it('the desired capacity keeps the metric at the target, within the group\'s bounds', () => {
    assert.equal(managedDesiredCapacity(3, scaling(), { minSize: 0, maxSize: 10 }), 3);
    assert.equal(managedDesiredCapacity(3, scaling({ targetCapacity: 75 }), { minSize: 0, maxSize: 10 }), 4);
    assert.equal(managedDesiredCapacity(9, scaling(), { minSize: 0, maxSize: 5 }), 5);
    assert.equal(managedDesiredCapacity(0, scaling(), { minSize: 1, maxSize: 5 }), 1);
  });

  it('scales out at once, in only after 15 minutes of low readings', () => {
    assert.deepEqual(scalingDecision(2, 4, undefined, 0), { set: 4 });
    assert.deepEqual(scalingDecision(2, 2, 100, 0), {});
    assert.deepEqual(scalingDecision(4, 1, undefined, 1000), { lowSince: 1000 });
    assert.deepEqual(scalingDecision(4, 1, 1000, 1000 + SCALE_IN_AFTER_MS - 1), { lowSince: 1000 });
    assert.deepEqual(scalingDecision(4, 1, 1000, 1000 + SCALE_IN_AFTER_MS), { set: 1 });
  });
});
