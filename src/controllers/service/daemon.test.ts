/**
 * The DAEMON scheduler through the simulator: one task of the PRIMARY deployment on every
 * ACTIVE eligible instance, following instances as they join, drain and leave, and new
 * revisions rolled out instance by instance within minimumHealthyPercent.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { messages, stopReasons } from './messages.ts';
import { SERVICE_NAME, ServiceSim, type SimOptions } from './simulator.testing.ts';

function steadyDaemon(options: SimOptions = {}): ServiceSim {
  const sim = new ServiceSim({ schedulingStrategy: 'DAEMON', minimumHealthyPercent: 0, maximumPercent: 100, instances: 3, ...options });
  sim.deploy(sim.revision(1));
  sim.runUntilSteady();
  return sim;
}

const instancesOf = (sim: ServiceSim) => sim.active().map((t) => t.instanceId).sort();

/** After every applied plan: never two live tasks on one instance (a daemon's maximumPercent is 100). */
function guardOnePerInstance(sim: ServiceSim): void {
  const previous = sim.onApplied;
  sim.onApplied = (plan) => {
    previous?.(plan);
    const seen = new Set<string>();
    for (const t of sim.live()) {
      assert.ok(!seen.has(t.instanceId!), `two live tasks on ${t.instanceId}: ${sim.describe()}`);
      seen.add(t.instanceId!);
    }
  };
}

describe('DAEMON services', () => {
  test('one task on each ACTIVE eligible instance, each start naming its instance; desiredCount follows', () => {
    const sim = new ServiceSim({ schedulingStrategy: 'DAEMON', minimumHealthyPercent: 0, maximumPercent: 100, instances: 3 });
    sim.addInstance('i4', { status: 'DRAINING' });
    sim.addInstance('i5', { eligible: false });
    const d = sim.deploy(sim.revision(1));
    const plan = sim.step();
    assert.deepEqual(plan.start, ['i1', 'i2', 'i3'].map((instanceId) => ({ deploymentId: d.id, count: 1, instanceId })));
    assert.equal(plan.service.desiredCount, 3);
    sim.runUntilSteady();
    assert.deepEqual(instancesOf(sim), ['i1', 'i2', 'i3']);
    assert.equal(sim.primary().desiredCount, 3);
    assert.equal(sim.primary().rolloutState, 'COMPLETED');
  });

  test('an instance joining gets one task', () => {
    const sim = steadyDaemon();
    sim.addInstance('i4');
    const plan = sim.step();
    assert.deepEqual(plan.start, [{ deploymentId: sim.primary().id, count: 1, instanceId: 'i4' }]);
    assert.deepEqual(plan.stop, []);
    assert.equal(plan.service.desiredCount, 4);
    sim.runUntilSteady();
    assert.deepEqual(instancesOf(sim), ['i1', 'i2', 'i3', 'i4']);
  });

  test('an instance set DRAINING has its task stopped, and desiredCount drops', () => {
    const sim = steadyDaemon();
    const onI2 = sim.active().find((t) => t.instanceId === 'i2')!;
    sim.instance('i2').status = 'DRAINING';
    const plan = sim.step();
    assert.deepEqual(plan.stop, [{ taskArn: onI2.arn, stopCode: 'ServiceSchedulerInitiated', reason: stopReasons.scaling(sim.primary().id) }]);
    assert.deepEqual(plan.start, []);
    assert.equal(plan.service.desiredCount, 2);
    sim.runUntilSteady();
    assert.deepEqual(instancesOf(sim), ['i1', 'i3']);
    assert.equal(sim.live().length, 2);
  });

  test('an instance the constraints no longer admit has its task stopped', () => {
    const sim = steadyDaemon();
    sim.instance('i3').eligible = false;
    const plan = sim.step();
    assert.equal(plan.stop.length, 1);
    sim.runUntilSteady();
    assert.deepEqual(instancesOf(sim), ['i1', 'i2']);
  });

  test('duplicates on one instance: the newer is stopped', () => {
    const sim = steadyDaemon();
    const original = sim.active().find((t) => t.instanceId === 'i1')!;
    const dup = { ...original, id: 'dup', arn: `${original.arn}-dup`, createdAt: sim.now };
    sim.tasks.push(dup);
    const plan = sim.step();
    assert.deepEqual(plan.stop.map((s) => s.taskArn), [dup.arn]);
    sim.runUntilSteady();
    assert.deepEqual(instancesOf(sim), ['i1', 'i2', 'i3']);
    assert.ok(sim.active().some((t) => t.id === original.id));
  });

  for (const min of [0, 50, 75]) {
    test(`a new revision replaces tasks instance by instance within minimumHealthyPercent ${min}`, () => {
      const sim = steadyDaemon({ instances: 4, minimumHealthyPercent: min });
      const floor = Math.ceil((4 * min) / 100);
      guardOnePerInstance(sim);
      const previous = sim.onApplied;
      sim.onApplied = (plan) => {
        previous?.(plan);
        assert.ok(sim.healthy().length >= floor, `healthy below ${floor}: ${sim.describe()}`);
      };
      const mark = sim.messages().length;
      const d = sim.deploy(sim.revision(2));
      let mostStoppedAtOnce = 0;
      sim.runUntilSteady(200, (plan) => { mostStoppedAtOnce = Math.max(mostStoppedAtOnce, plan.stop.length); });
      assert.equal(mostStoppedAtOnce, 4 - floor, 'as many at a time as the floor allows');
      assert.deepEqual(instancesOf(sim), ['i1', 'i2', 'i3', 'i4']);
      assert.ok(sim.live().every((t) => t.deploymentId === d.id));
      assert.equal(sim.service.deployments.length, 1);
      assert.equal(sim.primary().rolloutState, 'COMPLETED');
      assert.deepEqual(sim.messages().slice(-2), [messages.deploymentCompleted(SERVICE_NAME, d.id), messages.steadyState(SERVICE_NAME)]);
      assert.equal(sim.messages().slice(mark).filter((m) => m === messages.steadyState(SERVICE_NAME)).length, 1);
    });
  }

  test('an instance that loses its agent: its task is stopped once it counts as lost, and desiredCount drops', () => {
    const sim = steadyDaemon({ instanceLostAfterMs: 30_000 });
    const i3 = sim.instance('i3');
    Object.assign(i3, { agentConnected: false, disconnectedAt: sim.now });
    const deadline = sim.now + 30_000;
    while (sim.now < deadline) {
      const plan = sim.step();
      assert.deepEqual([plan.start, plan.stop], [[], []]);
      assert.equal(plan.wakeAt, deadline);
    }
    const plan = sim.step();
    assert.equal(plan.stop.length, 1);
    assert.equal(plan.stop[0].reason, stopReasons.instanceLost(i3.ec2InstanceId));
    assert.equal(plan.service.desiredCount, 2);
    assert.deepEqual(plan.start, []);
    assert.notEqual(plan.service.steadySince, undefined, 'the two remaining daemons are steady: the lost task is not live');
    sim.runUntilSteady();
    assert.deepEqual(instancesOf(sim), ['i1', 'i2']);
  });

  test('a DRAINING (deleted) daemon service stops every task and becomes INACTIVE', () => {
    const sim = steadyDaemon();
    sim.service = { ...sim.service, status: 'DRAINING' };
    assert.equal(sim.step().stop.length, 3);
    sim.run(3);
    assert.equal(sim.service.status, 'INACTIVE');
    assert.deepEqual(sim.service.deployments, []);
    assert.equal(sim.live().length, 0);
  });
});

type DaemonEvent =
  | { kind: 'join' } | { kind: 'drain'; pick: number } | { kind: 'activate'; pick: number }
  | { kind: 'toggleEligible'; pick: number } | { kind: 'deploy' } | { kind: 'crash'; pick: number };

const daemonEventArb: fc.Arbitrary<DaemonEvent> = fc.oneof(
  fc.constant({ kind: 'join' as const }),
  fc.record({ kind: fc.constant('drain' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('activate' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('toggleEligible' as const), pick: fc.nat() }),
  fc.constant({ kind: 'deploy' as const }),
  fc.record({ kind: fc.constant('crash' as const), pick: fc.nat() }),
);

describe('DAEMON properties', () => {
  test('whatever instances do, never two live tasks on one instance, never a start on an instance that cannot take it, and it converges', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 100 }), fc.array(fc.tuple(daemonEventArb, fc.integer({ min: 0, max: 4 })), { maxLength: 12 }),
      (instances, min, schedule) => {
        const sim = steadyDaemon({ instances, minimumHealthyPercent: min });
        guardOnePerInstance(sim);
        const previous = sim.onApplied;
        sim.onApplied = (plan) => {
          previous?.(plan);
          for (const s of plan.start) {
            const i = sim.instance(s.instanceId!);
            assert.ok(i.status === 'ACTIVE' && i.eligible, `started on ${i.id} (${i.status}, eligible ${i.eligible})`);
            assert.equal(s.count, 1);
          }
        };
        let revision = 1;
        let joined = instances;
        const pick = (n: number) => sim.instances[n % sim.instances.length];
        for (const [event, steps] of schedule) {
          if (event.kind === 'join') sim.addInstance(`i${++joined}`);
          else if (event.kind === 'drain') pick(event.pick).status = 'DRAINING';
          else if (event.kind === 'activate') pick(event.pick).status = 'ACTIVE';
          else if (event.kind === 'toggleEligible') pick(event.pick).eligible = !pick(event.pick).eligible;
          else if (event.kind === 'deploy') sim.deploy(sim.revision(++revision));
          else {
            const running = sim.active().filter((t) => t.lastStatus === 'RUNNING');
            if (running.length) sim.crash(running[event.pick % running.length].id);
          }
          sim.run(steps);
        }
        const wanted = sim.instances.filter((i) => i.status === 'ACTIVE' && i.eligible).map((i) => i.id).sort();
        // With maximumPercent 100 a daemon replaces a task only by stopping it first, which the
        // rounded-up floor forbids when ceil(n × min / 100) = n (e.g. any min > 0 on one instance).
        const stuck = wanted.length > 0 && Math.ceil((wanted.length * min) / 100) >= wanted.length;
        if (stuck && sim.service.deployments.length > 1) return;
        sim.runUntilSteady();
        assert.deepEqual(instancesOf(sim), wanted);
        assert.equal(sim.service.desiredCount, wanted.length);
        assert.ok(sim.live().every((t) => t.deploymentId === sim.primary().id));
      },
    ), { numRuns: 200 });
  });
});
