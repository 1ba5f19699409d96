import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { InstanceState, InstanceView } from './ports.ts';
import { countedInstances, type AsgInstance, type GroupRecord, type LifecycleState } from './records.ts';
import { launched, launchFailed, LAUNCH_RETRY_MS, reconcileGroup } from './reconcile.ts';

const LT = { launchTemplateId: 'lt-1', launchTemplateName: 'web', version: '1' };
const ZONES = [{ availabilityZone: 'eu-west-1a', subnetId: 'subnet-a' }, { availabilityZone: 'eu-west-1b', subnetId: 'subnet-b' }];
const T0 = Date.UTC(2026, 0, 1);

function group(instances: AsgInstance[], desired: number): GroupRecord {
  return {
    name: 'web', arn: 'arn:web', createdAt: T0, minSize: 0, maxSize: 20, desiredCapacity: desired, launchTemplate: LT, subnets: ['subnet-a', 'subnet-b'],
    placements: ZONES, availabilityZones: ZONES.map((z) => z.availabilityZone), defaultCooldown: 300, healthCheckType: 'EC2', healthCheckGracePeriod: 0,
    newInstancesProtectedFromScaleIn: false, terminationPolicies: ['Default'], capacityRebalance: false, serviceLinkedRoleArn: '', loadBalancerNames: [],
    targetGroupArns: [], tags: [], instances, launching: [],
  };
}

const instance = (n: number, lifecycleState: LifecycleState, protectedFromScaleIn = false): AsgInstance => ({
  instanceId: `i-${n}`, availabilityZone: ZONES[n % 2]!.availabilityZone, subnetId: ZONES[n % 2]!.subnetId, instanceType: 't3.micro',
  lifecycleState, healthStatus: 'Healthy', protectedFromScaleIn, launchTemplate: LT, launchedAt: T0 - n * 1000,
});
const view = (i: AsgInstance, state: InstanceState): InstanceView => ({ instanceId: i.instanceId, state, availabilityZone: i.availabilityZone, subnetId: i.subnetId, instanceType: i.instanceType });

let seq = 0;
const newId = () => `id-${++seq}`;

describe('reconcileGroup', () => {
  it('Pending → InService when running; a Terminating instance leaves once terminated; an instance gone outside the group is replaced', () => {
    const a = instance(1, 'Pending');
    const b = instance(2, 'Terminating');
    const c = instance(3, 'InService');
    const g = { ...group([{ ...a, activityId: 'act-a' }, { ...b, activityId: 'act-b' }, c], 2) };
    const step = reconcileGroup(g, new Set(['i-1', 'i-2', 'i-3']), [view(a, 'running'), view(b, 'terminated'), view(c, 'stopped')], T0, newId);
    assert.deepEqual(step.next!.instances.map((i) => [i.instanceId, i.lifecycleState, i.healthStatus]), [['i-1', 'InService', 'Healthy'], ['i-3', 'Terminating', 'Unhealthy']]);
    assert.deepEqual(step.ended.map((e) => [e.id, e.statusCode]), [['act-a', 'Successful'], ['act-b', 'Successful']]);
    assert.equal(step.begun.length, 1);
    assert.match(step.begun[0]!.cause, /EC2 health check indicating it has been terminated or stopped\.$/);
    assert.deepEqual(step.terminate, ['i-3']);
    // One left counting: one launch to reach two.
    assert.equal(step.next!.launching.length, 1);
    assert.deepEqual([step.next!.launching[0]!.from, step.next!.launching[0]!.to], [1, 2]);
  });

  it('instances not asked about (recorded since the describe) are left alone', () => {
    const g = group([instance(1, 'Pending')], 1);
    const step = reconcileGroup(g, new Set(), [], T0, newId);
    assert.deepEqual(step.next!.instances, g.instances);
    assert.deepEqual(step.next!.launching, []);
  });

  it('launched records the instance once, Pending with its activity; a failure holds launches back a while', () => {
    let g = reconcileGroup(group([], 2), new Set(), [], T0, newId).next!;
    const [first, second] = g.launching;
    const done = launched(g, first!.clientToken, { instanceId: 'i-9', instanceType: 'c5.large' }, T0 + 1, 'act-9')!;
    assert.equal(done.activity.description, 'Launching a new EC2 instance: i-9');
    assert.deepEqual(done.next.instances.map((i) => [i.instanceId, i.lifecycleState, i.activityId]), [['i-9', 'Pending', 'act-9']]);
    assert.equal(launched(done.next, first!.clientToken, { instanceId: 'i-9', instanceType: 'c5.large' }, T0 + 2, 'act-x'), undefined);
    const failed = launchFailed(done.next, second!.clientToken, 'no capacity', T0 + 2, 'act-f')!;
    assert.equal(failed.activity.statusCode, 'Failed');
    g = failed.next;
    assert.equal(reconcileGroup(g, new Set(), [], T0 + 3, newId).next!.launching.length, 0);
    assert.equal(reconcileGroup(g, new Set(), [], T0 + 2 + LAUNCH_RETRY_MS, newId).next!.launching.length, 1);
  });

  it('property: on fixed observations, reconciles settle within three passes and then change nothing; the settled capacity is the desired one unless protection holds it above', () => {
    const states: InstanceState[] = ['pending', 'running', 'stopped', 'terminated', 'shutting-down'];
    const lifecycles: LifecycleState[] = ['Pending', 'InService', 'Terminating'];
    fc.assert(fc.property(
      fc.array(fc.record({ lifecycle: fc.constantFrom(...lifecycles), state: fc.option(fc.constantFrom(...states)), protect: fc.boolean() }), { maxLength: 10 }),
      fc.integer({ min: 0, max: 10 }),
      (specs, desired) => {
        const instances = specs.map((s, n) => instance(n, s.lifecycle, s.protect));
        const views = specs.flatMap((s, n) => (s.state ? [view(instances[n]!, s.state)] : []));
        const asked = new Set(instances.map((i) => i.instanceId));
        const first = reconcileGroup(group(instances, desired), asked, views, T0, newId);
        let next = first.next!;
        // Instances gone from EC2 leave as they are marked (pass 1) and found gone (pass 2).
        for (let pass = 2; pass <= 3; pass++) next = reconcileGroup(next, asked, views, T0, newId).next!;
        const settled = reconcileGroup(next, asked, views, T0, newId);
        assert.deepEqual(settled.next, next);
        assert.deepEqual(settled.begun, []);
        const counted = countedInstances(next);
        const protectedCount = counted.filter((i) => i.protectedFromScaleIn).length;
        assert.equal(counted.length + next.launching.length, Math.max(desired, protectedCount));
        for (const id of first.terminate) {
          const was = instances.find((i) => i.instanceId === id)!;
          // A protected instance is terminated only when EC2 already stopped it (or it was already on its way out).
          if (was.protectedFromScaleIn && was.lifecycleState !== 'Terminating') assert.ok(['stopped', 'terminated', 'shutting-down', undefined].includes(views.find((v) => v.instanceId === id)?.state));
        }
      },
    ));
  });
});
