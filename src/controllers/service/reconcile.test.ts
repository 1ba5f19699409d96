/**
 * The service reconciler's REPLICA behaviour, driven through the simulator (simulator.testing.ts) with
 * a virtual clock: rolling updates of every deployment shape, scaling, self-healing, health
 * checks, draining instances, lost instances, deleted services, idempotence. The circuit
 * breaker and throttle are in circuit-breaker.test.ts, DAEMON services in daemon.test.ts,
 * random schedules in rollout.property.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { messages, stopReasons } from './messages.ts';
import { reconcileService } from './reconcile.ts';
import { SERVICE_NAME, ServiceSim, type SimOptions } from './simulator.testing.ts';

const maxLive = (desired: number, max: number) => Math.floor((desired * max) / 100);
const minHealthy = (desired: number, min: number) => Math.ceil((desired * min) / 100);

/** A service already steady on revision 1 with `desiredCount` tasks. */
function steadyService(options: SimOptions & { healthCheck?: boolean }): ServiceSim {
  const sim = new ServiceSim(options);
  sim.deploy(sim.revision(1, { healthCheck: options.healthCheck ?? true }));
  sim.runUntilSteady();
  assert.equal(sim.active().length, options.desiredCount ?? 0);
  return sim;
}

/** Checks after every applied plan that live tasks stay within maximumPercent and healthy ones within minimumHealthyPercent. */
function guardBounds(sim: ServiceSim): { violations: string[] } {
  const out = { violations: [] as string[] };
  sim.onApplied = () => {
    const { desiredCount: d, deploymentConfiguration: c } = sim.service;
    if (sim.live().length > maxLive(d, c.maximumPercent)) out.violations.push(`live ${sim.live().length} > max at ${sim.describe()}`);
    if (sim.healthy().length < minHealthy(d, c.minimumHealthyPercent)) out.violations.push(`healthy ${sim.healthy().length} < min at ${sim.describe()}`);
  };
  return out;
}

const count = (list: string[], message: string) => list.filter((m) => m === message).length;

describe('reconcileService: rolling updates of every deployment shape', () => {
  for (const min of [0, 50, 100]) {
    for (const max of [100, 150, 200]) {
      if (min === 100 && max === 100) continue;
      for (const desired of [1, 3, 4, 10]) {
        const healthCheck = desired % 2 === 0;
        // ECS rounds the bounds inward (max down, min up): with one task, 50/100, 50/150 and
        // 100/150 leave no room to start a task nor to stop one, as 100/100 does for any count.
        const canProgress = maxLive(desired, max) > desired || minHealthy(desired, min) < desired;
        const name = `min ${min}% max ${max}% desired ${desired}${healthCheck ? ' with health checks' : ''}`;
        if (!canProgress) {
          test(`${name}: cannot progress (no room above, none below), so changes nothing and breaks no bound`, () => {
            const sim = steadyService({ desiredCount: desired, minimumHealthyPercent: min, maximumPercent: max, healthCheck });
            const v1 = sim.active().map((t) => t.id).sort();
            sim.deploy(sim.revision(2, { healthCheck }));
            const guard = guardBounds(sim);
            sim.run(30, (plan) => {
              assert.deepEqual(plan.start, []);
              assert.deepEqual(plan.stop, []);
            });
            assert.deepEqual(guard.violations, []);
            assert.equal(sim.primary().rolloutState, 'IN_PROGRESS');
            assert.deepEqual(sim.active().map((t) => t.id).sort(), v1);
            assert.equal(sim.healthy().length, desired);
          });
          continue;
        }
        test(`${name}: completes with exactly ${desired} new tasks, within the bounds at every step`, () => {
          const sim = steadyService({ desiredCount: desired, minimumHealthyPercent: min, maximumPercent: max, healthCheck });
          const mark = sim.messages().length;
          const v2 = sim.revision(2, { healthCheck });
          const deployment = sim.deploy(v2);
          const guard = guardBounds(sim);
          sim.runUntilSteady(200);
          assert.deepEqual(guard.violations, []);

          assert.equal(sim.service.deployments.length, 1);
          const done = sim.primary();
          assert.equal(done.id, deployment.id);
          assert.equal(done.status, 'PRIMARY');
          assert.equal(done.taskDefinition, v2);
          assert.equal(done.rolloutState, 'COMPLETED');
          assert.equal(done.rolloutStateReason, `ECS deployment ${deployment.id} completed.`);
          assert.equal(done.deploymentStatus, 'SUCCESSFUL');
          assert.equal(done.desiredCount, desired);
          assert.equal(sim.service.lastCompleted?.deploymentId, deployment.id);
          assert.equal(sim.active().length, desired);
          assert.equal(sim.healthy().length, desired);
          assert.ok(sim.live().every((t) => sim.taskDefinitionOf(t) === v2));
          assert.ok(sim.tasks.filter((t) => sim.taskDefinitionOf(t) !== v2).every((t) => t.lastStatus === 'STOPPED'), 'old tasks all stopped');
          const old = [...sim.history.values()].find((d) => d.id !== deployment.id && d.taskDefinition !== v2);
          assert.equal(old?.status, 'INACTIVE', 'the old deployment was retired');

          const events = sim.messages().slice(mark);
          const completed = messages.deploymentCompleted(SERVICE_NAME, deployment.id);
          const steady = messages.steadyState(SERVICE_NAME);
          assert.equal(count(events, completed), 1);
          assert.equal(count(events, steady), 1);
          assert.deepEqual(events.slice(-2), [completed, steady], 'completed, then steady, are the last events');

          // And then nothing more happens.
          const version = sim.service.version;
          sim.run(5, (plan) => {
            assert.equal(plan.changed, false);
            assert.deepEqual([plan.start, plan.stop], [[], []]);
          });
          assert.equal(sim.service.version, version);
        });
      }
    }
  }
});

describe('reconcileService: scaling and self-healing', () => {
  test('scale up starts the difference at once (within maximumPercent) and no new deployment', () => {
    const sim = steadyService({ desiredCount: 3, minimumHealthyPercent: 100, maximumPercent: 200 });
    const deploymentId = sim.primary().id;
    sim.setDesiredCount(5);
    const plan = sim.step();
    assert.deepEqual(plan.start, [{ deploymentId, count: 2 }]);
    assert.equal(plan.service.deployments[0].desiredCount, 5);
    const mark = sim.messages().length;
    sim.runUntilSteady();
    assert.equal(sim.healthy().length, 5);
    assert.deepEqual(sim.service.deployments.map((d) => d.id), [deploymentId]);
    assert.deepEqual(sim.messages().slice(mark), [messages.steadyState(SERVICE_NAME)]);
  });

  test('scale up with maximumPercent 100 starts only up to the new desired count', () => {
    const sim = steadyService({ desiredCount: 2, minimumHealthyPercent: 50, maximumPercent: 100 });
    sim.setDesiredCount(6);
    assert.deepEqual(sim.step().start.map((s) => s.count), [4]);
    sim.runUntilSteady();
    assert.equal(sim.healthy().length, 6);
  });

  test('scale in stops the extra tasks at once (minimumHealthyPercent is of the new count)', () => {
    const sim = steadyService({ desiredCount: 5, minimumHealthyPercent: 100, maximumPercent: 200 });
    sim.setDesiredCount(2);
    const plan = sim.step();
    assert.equal(plan.stop.length, 3);
    assert.deepEqual(plan.start, []);
    assert.ok(plan.stop.every((s) => s.stopCode === 'ServiceSchedulerInitiated' && s.reason === stopReasons.scaling(sim.primary().id)));
    sim.runUntilSteady();
    assert.equal(sim.active().length, 2);
    assert.equal(sim.live().length, 2);
  });

  test('scale in prefers stopping tasks that are not yet healthy', () => {
    const sim = steadyService({ desiredCount: 3, minimumHealthyPercent: 100, maximumPercent: 200 });
    sim.setDesiredCount(4);
    sim.step(); // starts one: PENDING at the next reconcile
    sim.setDesiredCount(3);
    const pending = sim.active().filter((t) => t.lastStatus === 'PENDING');
    assert.equal(pending.length, 1);
    const plan = sim.step();
    assert.deepEqual(plan.stop.map((s) => s.taskArn), [pending[0].arn]);
  });

  test('scale to 0 stops every task, keeps the deployment, and reports a steady state again', () => {
    const sim = steadyService({ desiredCount: 3, minimumHealthyPercent: 100, maximumPercent: 200 });
    const mark = sim.messages().length;
    sim.setDesiredCount(0);
    assert.equal(sim.step().stop.length, 3);
    sim.runUntilSteady();
    assert.equal(sim.live().length, 0);
    assert.equal(sim.service.deployments.length, 1);
    assert.equal(sim.primary().desiredCount, 0);
    assert.equal(sim.primary().rolloutState, 'COMPLETED');
    assert.equal(count(sim.messages().slice(mark), messages.steadyState(SERVICE_NAME)), 1);
  });

  test('self-healing: a task whose essential container exits is replaced', () => {
    const sim = steadyService({ desiredCount: 3, minimumHealthyPercent: 100, maximumPercent: 200 });
    const victim = sim.active()[1];
    sim.crash(victim.id);
    const plan = sim.step();
    assert.deepEqual(plan.start, [{ deploymentId: sim.primary().id, count: 1 }]);
    assert.deepEqual(plan.stop, []);
    assert.equal(sim.service.steadySince, undefined, 'a crash leaves the steady state');
    sim.runUntilSteady();
    assert.equal(sim.healthy().length, 3);
    assert.ok(!sim.active().some((t) => t.id === victim.id));
    assert.equal(sim.primary().rolloutState, 'COMPLETED');
  });
});

describe('reconcileService: container health checks', () => {
  test('an UNHEALTHY task is replaced only after healthCheckGracePeriodSeconds, waking at the grace end', () => {
    const sim = new ServiceSim({ desiredCount: 1, minimumHealthyPercent: 100, maximumPercent: 200, healthCheckGracePeriodSeconds: 60 });
    sim.deploy(sim.revision(1, { behaviour: 'unhealthy' }));
    sim.run(3); // start, PENDING → RUNNING, RUNNING → UNHEALTHY
    const [task] = sim.active();
    assert.equal(task.healthStatus, 'UNHEALTHY');
    const graceEnd = task.startedAt! + 60_000;
    while (sim.now < graceEnd) {
      const plan = sim.reconcile();
      assert.deepEqual(plan.stop, [], `stopped before the grace period ended (at ${sim.now})`);
      assert.equal(plan.wakeAt, graceEnd);
      sim.wait(Math.min(sim.stepMs, graceEnd - 1 - sim.now) || 1);
    }
    assert.equal(sim.now, graceEnd);
    const plan = sim.step();
    assert.deepEqual(plan.stop, [{ taskArn: task.arn, stopCode: 'ServiceSchedulerInitiated', reason: stopReasons.healthCheck }]);
    assert.ok(sim.messages().includes(messages.failedHealthChecks(SERVICE_NAME, task.id)));
    sim.run(2);
    assert.equal(sim.task(task.id).lastStatus, 'STOPPED');
    assert.equal(sim.active().length, 1, 'a replacement was started');
    assert.notEqual(sim.active()[0].id, task.id);
  });

  test('with no grace period an UNHEALTHY task is stopped at once, and a task without a health check is healthy when RUNNING', () => {
    const sim = steadyService({ desiredCount: 2, minimumHealthyPercent: 100, maximumPercent: 200 });
    const [a] = sim.active();
    sim.setHealth(a.id, 'UNHEALTHY');
    const plan = sim.step();
    assert.deepEqual(plan.stop.map((s) => [s.taskArn, s.reason]), [[a.arn, stopReasons.healthCheck]]);
    sim.runUntilSteady();
    assert.equal(sim.healthy().length, 2);

    const plain = steadyService({ desiredCount: 2, healthCheck: false });
    assert.ok(plain.active().every((t) => t.healthStatus === 'UNKNOWN' && !t.hasHealthCheck));
    assert.equal(plain.healthy().length, 2);
  });
});

describe('reconcileService: instances', () => {
  test('tasks on a DRAINING instance are replaced elsewhere before they are stopped (min 100, max 200)', () => {
    const sim = steadyService({ desiredCount: 4, minimumHealthyPercent: 100, maximumPercent: 200, instances: 2 });
    const onI1 = sim.active().filter((t) => t.instanceId === 'i1');
    assert.equal(onI1.length, 2);
    sim.instance('i1').status = 'DRAINING';
    const guard = guardBounds(sim);
    const first = sim.step();
    assert.deepEqual(first.start, [{ deploymentId: sim.primary().id, count: 2 }]);
    assert.deepEqual(first.stop, [], 'nothing stopped before the replacements are healthy');
    sim.runUntilSteady();
    assert.deepEqual(guard.violations, []);
    assert.equal(sim.live().length, 4);
    assert.ok(sim.live().every((t) => t.instanceId === 'i2'));
    assert.ok(onI1.every((t) => sim.task(t.id).lastStatus === 'STOPPED'));
  });

  test('a disconnected instance: nothing before instanceLostAfterMs, then its tasks are stopped and replaced; back, it never makes more than desiredCount', () => {
    const sim = steadyService({ desiredCount: 4, minimumHealthyPercent: 100, maximumPercent: 200, instances: 2, instanceLostAfterMs: 60_000 });
    const i1 = sim.instance('i1');
    const onI1 = sim.active().filter((t) => t.instanceId === 'i1');
    assert.equal(onI1.length, 2);
    Object.assign(i1, { agentConnected: false, disconnectedAt: sim.now });
    const deadline = sim.now + 60_000;
    while (sim.now < deadline) {
      const plan = sim.step();
      assert.deepEqual([plan.start, plan.stop], [[], []], `acted at ${sim.now} before the instance was lost`);
      assert.equal(plan.wakeAt, deadline);
      assert.equal(plan.changed, false);
    }
    const plan = sim.reconcile();
    const reason = stopReasons.instanceLost(i1.ec2InstanceId);
    assert.deepEqual(plan.stop.map((s) => s.taskArn).sort(), onI1.map((t) => t.arn).sort());
    assert.ok(plan.stop.every((s) => s.reason === reason));
    assert.deepEqual(plan.start, [{ deploymentId: sim.primary().id, count: 2 }]);
    assert.ok(sim.messages().includes(messages.instanceLost(SERVICE_NAME, i1.ec2InstanceId, onI1.map((t) => t.id))));
    sim.advance(sim.stepMs);
    sim.runUntilSteady();
    assert.equal(sim.active().length, 4);
    assert.ok(sim.active().every((t) => t.instanceId === 'i2'));

    // The agent comes back: its old tasks still run there until it stops them.
    Object.assign(i1, { agentConnected: true, disconnectedAt: undefined });
    assert.ok(onI1.every((t) => sim.task(t.id).lastStatus === 'RUNNING' && sim.task(t.id).desiredStatus === 'STOPPED'));
    sim.onApplied = () => assert.ok(sim.active().length <= 4, `more than desiredCount active: ${sim.describe()}`);
    sim.run(5, (p) => assert.deepEqual([p.start, p.stop], [[], []]));
    assert.ok(onI1.every((t) => sim.task(t.id).lastStatus === 'STOPPED'));
    sim.runUntilSteady();
    assert.equal(sim.live().length, 4);
  });

  test('tasks on a deregistered (INACTIVE) instance count as lost at once', () => {
    const sim = steadyService({ desiredCount: 2, minimumHealthyPercent: 100, maximumPercent: 200, instances: 2 });
    sim.instance('i1').status = 'INACTIVE';
    const plan = sim.step();
    assert.equal(plan.stop.length, 1);
    assert.deepEqual(plan.start.map((s) => s.count), [1]);
    sim.runUntilSteady();
    assert.ok(sim.active().every((t) => t.instanceId === 'i2'));
  });
});

describe('reconcileService: a deleted service', () => {
  test('a DRAINING service stops everything, then becomes INACTIVE with no deployments', () => {
    const sim = steadyService({ desiredCount: 3, minimumHealthyPercent: 100, maximumPercent: 200 });
    const deploymentId = sim.primary().id;
    const mark = sim.messages().length;
    sim.service = { ...sim.service, status: 'DRAINING' };
    const first = sim.step();
    assert.equal(first.stop.length, 3);
    assert.deepEqual(first.start, []);
    let retired: string[] = [];
    for (let i = 0; i < 5 && sim.service.status !== 'INACTIVE'; i++) retired.push(...sim.step().retired.map((d) => d.id));
    assert.equal(sim.service.status, 'INACTIVE');
    assert.deepEqual(sim.service.deployments, []);
    assert.deepEqual(retired, [deploymentId]);
    assert.equal(sim.history.get(deploymentId)?.status, 'INACTIVE');
    assert.equal(sim.live().length, 0);
    assert.ok(!sim.messages().slice(mark).includes(messages.steadyState(SERVICE_NAME)));
    assert.ok(!sim.messages().slice(mark).some((m) => m.includes('deployment completed')));
    const after = sim.step();
    assert.deepEqual([after.changed, after.start, after.stop, after.retired], [false, [], [], []]);
  });
});

describe('reconcileService: idempotence', () => {
  test('reconciling again without the world changing changes nothing, at every stage of a rollout', () => {
    const sim = new ServiceSim({ desiredCount: 4, minimumHealthyPercent: 50, maximumPercent: 150, checkIdempotent: false });
    sim.deploy(sim.revision(1));
    const checkAgain = () => {
      const again = sim.peek();
      assert.equal(again.changed, false, sim.describe());
      assert.deepEqual([again.start, again.stop, again.retired, again.rollback], [[], [], [], undefined]);
      assert.deepEqual(JSON.parse(JSON.stringify(again.service)), sim.service);
    };
    sim.onApplied = checkAgain;
    sim.runUntilSteady();
    sim.deploy(sim.revision(2));
    const plans = [];
    for (let i = 0; i < 40 && !sim.isSteady(); i++) plans.push(sim.step());
    assert.ok(sim.isSteady());
    assert.ok(plans.some((p) => p.start.length > 0) && plans.some((p) => p.stop.length > 0), 'the checks ran over starts and stops');
  });

  test('a rollout that saw a task crash completes with failedTasks reset to 0 at once, so the next reconcile changes nothing', () => {
    const sim = steadyService({ desiredCount: 1, minimumHealthyPercent: 0, maximumPercent: 100, healthCheck: false });
    const d = sim.deploy(sim.revision(2, { healthCheck: false }));
    for (let i = 0; i < 10 && !sim.active().some((t) => t.deploymentId === d.id && t.lastStatus === 'RUNNING'); i++) sim.step();
    sim.crash(sim.active().find((t) => t.deploymentId === d.id)!.id);
    let plan = sim.step();
    assert.equal(plan.service.deployments[0].failedTasks, 1);
    while (plan.service.deployments[0].rolloutState !== 'COMPLETED') plan = sim.step(); // the simulator checks each plan is a fixed point
    assert.equal(plan.service.deployments[0].failedTasks, 0);
    assert.equal(plan.service.deployments[0].circuitBreakerComplete, true);
  });

  test('the core does not mutate its input', () => {
    const sim = steadyService({ desiredCount: 2 });
    sim.deploy(sim.revision(2));
    const input = { service: sim.service, tasks: sim.tasks, instances: sim.instances, now: sim.now, ids: sim.ids, settings: sim.settings };
    const before = structuredClone({ ...input, ids: undefined });
    reconcileService(input);
    assert.deepEqual({ ...input, ids: undefined }, before);
  });
});
