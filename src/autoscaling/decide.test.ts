import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { instancesToTerminate, placementsFor, planCapacity } from './decide.ts';
import { countedInstances, type AsgInstance, type GroupRecord } from './records.ts';

const LT = { launchTemplateId: 'lt-1', launchTemplateName: 'web', version: '$Default' };
const ZONES = [
  { availabilityZone: 'eu-west-1a', subnetId: 'subnet-a' },
  { availabilityZone: 'eu-west-1b', subnetId: 'subnet-b' },
  { availabilityZone: 'eu-west-1c', subnetId: 'subnet-c' },
];
const T0 = Date.UTC(2026, 0, 1);

function group(instances: Partial<AsgInstance>[], extra: Partial<GroupRecord> = {}): GroupRecord {
  return {
    name: 'web', arn: 'arn', createdAt: T0, minSize: 0, maxSize: 20, desiredCapacity: instances.length, launchTemplate: LT,
    subnets: ZONES.map((z) => z.subnetId), placements: ZONES, availabilityZones: ZONES.map((z) => z.availabilityZone),
    defaultCooldown: 300, healthCheckType: 'EC2', healthCheckGracePeriod: 0, newInstancesProtectedFromScaleIn: false, terminationPolicies: ['Default'],
    capacityRebalance: false, serviceLinkedRoleArn: '', loadBalancerNames: [], targetGroupArns: [], tags: [], launching: [],
    instances: instances.map((i, n) => ({
      instanceId: `i-${String(n).padStart(3, '0')}`, availabilityZone: 'eu-west-1a', subnetId: 'subnet-a', instanceType: 't3.micro',
      lifecycleState: 'InService', healthStatus: 'Healthy', protectedFromScaleIn: false, launchTemplate: LT, launchedAt: T0, ...i,
    })),
    ...extra,
  };
}

describe('placementsFor', () => {
  it('fills the emptiest zones first, in the order the subnets were given', () => {
    const g = group([{ availabilityZone: 'eu-west-1a' }, { availabilityZone: 'eu-west-1a' }, { availabilityZone: 'eu-west-1b', subnetId: 'subnet-b' }]);
    assert.deepEqual(placementsFor(g, 4).map((p) => p.subnetId), ['subnet-c', 'subnet-b', 'subnet-c', 'subnet-a']);
  });

  it('counts launches under way', () => {
    const g = group([], { launching: [{ clientToken: 't', availabilityZone: 'eu-west-1a', subnetId: 'subnet-a', from: 0, to: 1, decidedAt: T0 }] });
    assert.deepEqual(placementsFor(g, 2).map((p) => p.subnetId), ['subnet-b', 'subnet-c']);
  });
});

describe('instancesToTerminate (the default termination policy)', () => {
  it('takes from the zone with the most instances first', () => {
    const g = group([
      { availabilityZone: 'eu-west-1a' }, { availabilityZone: 'eu-west-1b' }, { availabilityZone: 'eu-west-1b' }, { availabilityZone: 'eu-west-1c' },
    ]);
    assert.equal(g.instances.find((i) => i.instanceId === instancesToTerminate(g, 1, T0)[0])!.availabilityZone, 'eu-west-1b');
  });

  it('in a zone, an instance of an older launch template version first, then the one closest to its next billing hour', () => {
    const g = group([
      { launchedAt: T0 - 10 * 60_000 },
      { launchedAt: T0 - 50 * 60_000 },
      { launchedAt: T0 - 5 * 60_000, launchTemplate: { ...LT, version: '1' } },
    ]);
    assert.deepEqual(instancesToTerminate(g, 3, T0), ['i-002', 'i-001', 'i-000']);
  });

  it('never protected instances, even if fewer can go than asked', () => {
    const g = group([{ protectedFromScaleIn: true }, {}, { protectedFromScaleIn: true }]);
    assert.deepEqual(instancesToTerminate(g, 3, T0), ['i-001']);
  });

  it('OldestInstance and NewestInstance policies order by launch time', () => {
    const g = group([{ launchedAt: T0 - 1000 }, { launchedAt: T0 - 3000 }, { launchedAt: T0 - 2000 }]);
    assert.deepEqual(instancesToTerminate({ ...g, terminationPolicies: ['OldestInstance'] }, 1, T0), ['i-001']);
    assert.deepEqual(instancesToTerminate({ ...g, terminationPolicies: ['NewestInstance'] }, 1, T0), ['i-000']);
  });

  it('property: never a protected instance, never more than asked, and the zones stay balanced among what is left', () => {
    const zone = fc.constantFrom('eu-west-1a', 'eu-west-1b', 'eu-west-1c');
    fc.assert(fc.property(
      fc.array(fc.record({ availabilityZone: zone, protectedFromScaleIn: fc.boolean(), launchedAt: fc.integer({ min: T0 - 86_400_000, max: T0 }) }), { maxLength: 15 }),
      fc.integer({ min: 0, max: 15 }),
      (specs, n) => {
        const g = group(specs);
        const out = instancesToTerminate(g, n, T0);
        assert.ok(out.length <= n);
        assert.equal(new Set(out).size, out.length);
        for (const id of out) assert.equal(g.instances.find((i) => i.instanceId === id)!.protectedFromScaleIn, false);
        const unprotected = g.instances.filter((i) => !i.protectedFromScaleIn).length;
        assert.equal(out.length, Math.min(n, unprotected));
        if (specs.every((s) => !s.protectedFromScaleIn)) {
          // Without protection, what is left differs by at most one between zones (when it did to start with, or better).
          const left = g.instances.filter((i) => !out.includes(i.instanceId));
          const counts = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'].map((z) => left.filter((i) => i.availabilityZone === z).length);
          const before = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'].map((z) => g.instances.filter((i) => i.availabilityZone === z).length);
          assert.ok(Math.max(...counts) - Math.min(...counts) <= Math.max(1, Math.max(...before) - Math.min(...before)));
        }
      },
    ));
  });
});

describe('planCapacity', () => {
  it('launches to reach desired, terminates down to it, and a group being deleted loses every instance', () => {
    assert.equal(planCapacity({ ...group([{}]), desiredCapacity: 3 }, T0).launch.length, 2);
    assert.deepEqual(planCapacity({ ...group([{}, {}, {}]), desiredCapacity: 1 }, T0).terminate.length, 2);
    const deleting = { ...group([{}, { protectedFromScaleIn: true }]), desiredCapacity: 0, status: 'Delete in progress' as const };
    assert.deepEqual(planCapacity(deleting, T0).terminate, ['i-000', 'i-001']);
    assert.equal(countedInstances(group([{ lifecycleState: 'Terminating' }, {}])).length, 1);
  });

  it('waits for launches under way before scaling in', () => {
    const g = { ...group([{}, {}]), desiredCapacity: 1, launching: [{ clientToken: 't', availabilityZone: 'eu-west-1a', subnetId: 'subnet-a', from: 1, to: 2, decidedAt: T0 }] };
    assert.deepEqual(planCapacity(g, T0), { launch: [], terminate: [] });
  });
});
