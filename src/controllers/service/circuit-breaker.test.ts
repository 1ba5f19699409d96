/**
 * The deployment circuit breaker (with and without rollback) and the service throttle, driven
 * through the simulator with a virtual clock.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { messages, rolloutReasons, stopReasons } from './messages.ts';
import { circuitBreakerThreshold, THROTTLE_BASE_MS, THROTTLE_MAX_MS } from './reconcile.ts';
import { SERVICE_NAME, ServiceSim, type SimOptions } from './simulator.testing.ts';

const count = (list: string[], message: string) => list.filter((m) => m === message).length;

function steadyService(options: SimOptions): ServiceSim {
  const sim = new ServiceSim(options);
  sim.deploy(sim.revision(1));
  sim.runUntilSteady();
  return sim;
}

/** The deployment's tasks that stopped on their own account: exited, failed to start, or failed health checks. */
const failedCount = (sim: ServiceSim, deploymentId: string) =>
  sim.tasks.filter((t) => t.deploymentId === deploymentId && t.lastStatus === 'STOPPED'
    && (t.stopCode !== 'ServiceSchedulerInitiated' || t.stoppedReason === stopReasons.healthCheck)).length;

describe('circuit breaker', () => {
  test('threshold: 0.5 × desired count, at least 3, at most 200', () => {
    assert.deepEqual([1, 2, 6, 7, 10, 11, 400, 401, 10_000].map(circuitBreakerThreshold), [3, 3, 3, 4, 5, 6, 200, 200, 200]);
  });

  // oneAtATime: the bounds let one new task run at a time, so failures arrive one by one.
  for (const { desired, min, max, behaviour, oneAtATime } of [
    { desired: 4, min: 100, max: 200, behaviour: 'exits' as const, oneAtATime: false },
    { desired: 10, min: 100, max: 110, behaviour: 'exits' as const, oneAtATime: true },
    { desired: 1, min: 0, max: 100, behaviour: 'failsToStart' as const, oneAtATime: true },
    { desired: 3, min: 50, max: 200, behaviour: 'unhealthy' as const, oneAtATime: false },
  ]) {
    test(`a bad revision (${behaviour}, desired ${desired}, ${min}/${max}) trips at the threshold and rolls back to the last completed deployment`, () => {
      const sim = steadyService({
        desiredCount: desired, minimumHealthyPercent: min, maximumPercent: max, circuitBreaker: { enable: true, rollback: true },
      });
      const good = sim.primary();
      const mark = sim.messages().length;
      const v2 = sim.revision(2, { behaviour });
      const bad = sim.deploy(v2);
      const threshold = circuitBreakerThreshold(desired);

      let tripped;
      for (let i = 0; i < 100 && !tripped; i++) {
        const failuresSeen = failedCount(sim, bad.id);
        const plan = sim.step();
        if (plan.rollback) tripped = { plan, failuresSeen };
        else {
          assert.ok(failuresSeen < threshold, `${failuresSeen} failures seen and not tripped`);
          assert.equal(plan.service.deployments[0].rolloutState, 'IN_PROGRESS');
        }
      }
      assert.ok(tripped, 'the circuit breaker tripped');
      const { plan, failuresSeen } = tripped;
      assert.ok(failuresSeen >= threshold);
      if (oneAtATime) assert.equal(failuresSeen, threshold, 'one task at a time: trips exactly at the threshold');
      const failed = plan.service.deployments.find((d) => d.id === bad.id)!;
      assert.equal(failed.rolloutState, 'FAILED');
      assert.equal(failed.rolloutStateReason, 'ECS deployment circuit breaker: tasks failed to start.');
      assert.equal(failed.failedTasks, failuresSeen);
      assert.equal(failed.deploymentStatus, 'ROLLBACK_IN_PROGRESS');
      assert.deepEqual(plan.rollback, { reason: `ECS deployment circuit breaker: rolling back to deploymentId ${good.id}.` });
      assert.deepEqual(plan.start, [], 'nothing started for a failed deployment');
      const events = sim.messages().slice(mark);
      assert.equal(count(events, messages.deploymentFailed(SERVICE_NAME, bad.id)), 1);
      assert.equal(count(events, messages.rollingBack(SERVICE_NAME, good.id)), 1);

      const rollback = sim.primary();
      assert.notEqual(rollback.id, bad.id);
      assert.equal(rollback.taskDefinition, good.taskDefinition);
      assert.equal(rollback.rollback?.reason, rolloutReasons.rollingBack(good.id));
      assert.equal(rollback.deploymentStatus, 'ROLLBACK_IN_PROGRESS');

      sim.runUntilSteady();
      assert.equal(sim.service.deployments.length, 1);
      assert.equal(sim.primary().id, rollback.id);
      assert.equal(sim.primary().rolloutState, 'COMPLETED');
      assert.equal(sim.primary().deploymentStatus, 'ROLLBACK_SUCCESSFUL');
      assert.equal(sim.service.taskDefinition, good.taskDefinition);
      assert.equal(sim.active().length, desired);
      assert.equal(sim.healthy().length, desired);
      assert.ok(sim.live().every((t) => sim.taskDefinitionOf(t) === good.taskDefinition));
      assert.ok(sim.tasks.filter((t) => t.deploymentId === bad.id).every((t) => t.lastStatus === 'STOPPED'));
      assert.equal(sim.service.lastCompleted?.deploymentId, rollback.id);
      assert.deepEqual(sim.messages().slice(-2), [messages.deploymentCompleted(SERVICE_NAME, rollback.id), messages.steadyState(SERVICE_NAME)]);
      assert.equal(sim.history.get(bad.id)?.rolloutState, 'FAILED');
    });
  }

  test('a tripped deployment keeps its failedTasks when task retention deletes its STOPPED tasks', () => {
    const desired = 4;
    const sim = steadyService({ desiredCount: desired, minimumHealthyPercent: 50, maximumPercent: 200, circuitBreaker: { enable: true, rollback: false } });
    const bad = sim.deploy(sim.revision(2, { behaviour: 'exits' }));
    for (let i = 0; i < 50 && sim.primary().rolloutState !== 'FAILED'; i++) sim.step();
    assert.equal(sim.primary().rolloutState, 'FAILED');
    const counted = sim.primary().failedTasks;
    assert.ok(counted >= circuitBreakerThreshold(desired));
    // The breaker no longer counts, so retention may delete the failed tasks once their hour is up.
    sim.tasks = sim.tasks.filter((t) => !(t.deploymentId === bad.id && t.lastStatus === 'STOPPED'));
    sim.run(5);
    assert.equal(sim.primary().id, bad.id);
    assert.equal(sim.primary().failedTasks, counted, 'what was counted stays counted');
  });

  // Fails: the failed deployment's tasks all stopped, so the reconcile after the trip retires it
  // (drained) while it is still ROLLBACK_IN_PROGRESS; the code that marks it ROLLBACK_SUCCESSFUL
  // when the rollback completes (reconcile.ts, step 5) only looks at live deployments, so its
  // history record stays ROLLBACK_IN_PROGRESS forever (ListServiceDeployments shows a rollback
  // that never ends). Left failing on purpose: see the report.
  test('after a successful rollback the failed deployment\'s history record ends ROLLBACK_SUCCESSFUL', () => {
    const sim = steadyService({ desiredCount: 4, minimumHealthyPercent: 100, maximumPercent: 200, circuitBreaker: { enable: true, rollback: true } });
    const bad = sim.deploy(sim.revision(2, { behaviour: 'exits' }));
    sim.runUntilSteady();
    assert.equal(sim.primary().deploymentStatus, 'ROLLBACK_SUCCESSFUL');
    assert.equal(sim.history.get(bad.id)?.status, 'INACTIVE');
    assert.equal(sim.history.get(bad.id)?.deploymentStatus, 'ROLLBACK_SUCCESSFUL');
  });

  test('a rollback that fails too is not rolled back again: it ends ROLLBACK_FAILED and the old tasks keep running', () => {
    const sim = steadyService({ desiredCount: 4, minimumHealthyPercent: 100, maximumPercent: 200, circuitBreaker: { enable: true, rollback: true } });
    const v1 = sim.primary().taskDefinition;
    const mark = sim.messages().length;
    const bad = sim.deploy(sim.revision(2, { behaviour: 'exits' }));
    sim.setBehaviour(v1, 'exits'); // e.g. its image was deleted meanwhile
    let rollbacks = 0;
    sim.run(60, (plan) => { if (plan.rollback) rollbacks++; });
    assert.equal(rollbacks, 1);
    const rollback = sim.primary();
    assert.notEqual(rollback.id, bad.id);
    assert.ok(rollback.rollback);
    assert.equal(rollback.rolloutState, 'FAILED');
    assert.equal(rollback.deploymentStatus, 'ROLLBACK_FAILED');
    assert.equal(sim.history.size, 3, 'no further deployments');
    assert.equal(count(sim.messages().slice(mark), messages.rollingBack(SERVICE_NAME, sim.service.lastCompleted!.deploymentId)), 1);
    assert.equal(sim.healthy().length, 4, 'minimumHealthyPercent 100 kept the old tasks');
    const version = sim.service.version;
    sim.run(10, (plan) => assert.deepEqual([plan.start, plan.stop, plan.changed], [[], [], false]));
    assert.equal(sim.service.version, version);
  });

  test('with rollback off a tripped deployment stays FAILED and launches nothing more', () => {
    const sim = steadyService({ desiredCount: 4, minimumHealthyPercent: 50, maximumPercent: 200, circuitBreaker: { enable: true, rollback: false } });
    const bad = sim.deploy(sim.revision(2, { behaviour: 'exits' }));
    let trippedAt = -1;
    for (let i = 0; i < 50 && trippedAt < 0; i++) {
      const plan = sim.step();
      assert.equal(plan.rollback, undefined);
      if (plan.service.deployments[0].rolloutState === 'FAILED') trippedAt = i;
    }
    assert.ok(trippedAt >= 0);
    const failed = sim.primary();
    assert.equal(failed.id, bad.id);
    assert.equal(failed.rolloutStateReason, rolloutReasons.circuitBreakerFailed);
    assert.equal(failed.deploymentStatus, 'STOPPED');
    const launched = sim.tasks.length;
    sim.run(40, (plan) => {
      assert.deepEqual(plan.start, []);
      assert.equal(plan.rollback, undefined);
      assert.ok(sim.healthy().length >= 2, 'old tasks kept to minimumHealthyPercent');
    });
    assert.equal(sim.tasks.length, launched);
    assert.equal(sim.primary().id, bad.id);
    assert.equal(sim.primary().rolloutState, 'FAILED');
    assert.equal(sim.service.steadySince, undefined);
  });

  test('a first deployment that trips has nothing to roll back to: FAILED, STOPPED', () => {
    const sim = new ServiceSim({ desiredCount: 2, circuitBreaker: { enable: true, rollback: true } });
    sim.deploy(sim.revision(1, { behaviour: 'exits' }));
    sim.run(20, (plan) => assert.equal(plan.rollback, undefined));
    assert.equal(sim.primary().rolloutState, 'FAILED');
    assert.equal(sim.primary().deploymentStatus, 'STOPPED');
    assert.equal(sim.live().length, 0);
  });

  test('a good revision: the breaker completes monitoring, counts no failure, and the rollout completes', () => {
    const sim = steadyService({ desiredCount: 4, minimumHealthyPercent: 100, maximumPercent: 200, circuitBreaker: { enable: true, rollback: true } });
    const mark = sim.messages().length;
    const d = sim.deploy(sim.revision(2));
    sim.runUntilSteady(300, (plan) => assert.equal(plan.rollback, undefined));
    assert.equal(sim.primary().id, d.id);
    assert.equal(sim.primary().circuitBreakerComplete, true);
    assert.equal(sim.primary().failedTasks, 0);
    assert.equal(sim.primary().deploymentStatus, 'SUCCESSFUL');
    assert.ok(!sim.messages().slice(mark).some((m) => m.includes('deployment failed')));
  });

  test('once a task has run healthy long enough, later failures no longer trip the breaker', () => {
    const sim = steadyService({ desiredCount: 6, minimumHealthyPercent: 100, maximumPercent: 150, circuitBreaker: { enable: true, rollback: true } });
    const d = sim.deploy(sim.revision(2));
    let plan = sim.step();
    while (!plan.service.deployments[0].circuitBreakerComplete) plan = sim.step();
    assert.equal(sim.primary().rolloutState, 'IN_PROGRESS');
    sim.setBehaviour(sim.primary().taskDefinition, 'exits');
    sim.run(40, (p) => assert.equal(p.rollback, undefined));
    assert.equal(sim.primary().id, d.id);
    assert.notEqual(sim.primary().rolloutState, 'FAILED');
  });
});

describe('service throttle', () => {
  const delay = (failures: number) => Math.min(THROTTLE_MAX_MS, THROTTLE_BASE_MS * 2 ** (failures - 3));

  test('tasks that never start: after 3 in a row, launches wait 10 s, doubling, at most 15 minutes, with one event', () => {
    const sim = new ServiceSim({ desiredCount: 1 });
    const mark = sim.messages().length;
    sim.deploy(sim.revision(1, { behaviour: 'failsToStart' }));
    const failures = () => sim.tasks.filter((t) => t.lastStatus === 'STOPPED');
    const throttledAfter: number[] = [];
    while (failures().length < 12) {
      const plan = sim.reconcile();
      const n = failures().length;
      if (sim.live().length > 1) assert.fail('more than one task at once');
      if (plan.start.length > 0 || sim.live().length > 0) {
        sim.advance(sim.stepMs);
        continue;
      }
      // No live task and nothing started: throttled.
      assert.ok(n >= 3, `throttled after only ${n} failures`);
      assert.ok(!throttledAfter.includes(n), `throttled twice after ${n} failures`);
      throttledAfter.push(n);
      const last = Math.max(...failures().map((t) => t.stoppedAt!));
      assert.equal(plan.wakeAt, last + delay(n), `wake after ${n} failures`);
      sim.wait(plan.wakeAt - sim.now - 1);
      assert.deepEqual(sim.peek().start, [], 'not a millisecond early');
      sim.wait(1);
    }
    assert.deepEqual(throttledAfter, [3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.equal(delay(10), THROTTLE_MAX_MS);
    assert.equal(count(sim.messages().slice(mark), messages.throttled(SERVICE_NAME)), 1);
    assert.ok(failures().every((t) => t.stopCode === 'TaskFailedToStart' && t.startedAt === undefined));
  });

  test('a task that reached RUNNING ends the run of failures, even while it still runs', () => {
    const sim = new ServiceSim({ desiredCount: 1 });
    const v1 = sim.revision(1, { behaviour: 'failsToStart' });
    sim.deploy(v1);
    let plan = sim.step();
    while (plan.wakeAt === undefined) plan = sim.step();
    assert.equal(sim.tasks.length, 3, 'throttled after 3 failures');
    sim.setBehaviour(v1, 'good');
    sim.wait(plan.wakeAt - sim.now);
    sim.runUntilSteady();
    // The image breaks again; a second task is wanted.
    sim.setBehaviour(v1, 'failsToStart');
    sim.setDesiredCount(2);
    const launchedAt: number[] = [];
    const failuresAfter = () => sim.tasks.filter((t) => t.lastStatus === 'STOPPED').length - 3;
    while (failuresAfter() < 3) {
      plan = sim.step();
      if (plan.start.length) launchedAt.push(sim.now);
      else assert.ok(failuresAfter() >= 3 || plan.wakeAt === undefined, `throttled after ${failuresAfter()} new failures`);
    }
    plan = sim.step();
    assert.deepEqual(plan.start, [], 'the third new failure in a row throttles');
    const last = Math.max(...sim.tasks.map((t) => t.stoppedAt ?? 0));
    assert.equal(plan.wakeAt, last + THROTTLE_BASE_MS, 'a new run: 10 s, not the 40 s of six failures');
    assert.equal(sim.active().filter((t) => t.lastStatus === 'RUNNING').length, 1);
  });

  test('a new deployment resets the throttle', () => {
    const sim = new ServiceSim({ desiredCount: 2 });
    sim.deploy(sim.revision(1, { behaviour: 'failsToStart' }));
    let plan = sim.step();
    for (let i = 0; i < 20 && plan.wakeAt === undefined; i++) plan = sim.step();
    assert.deepEqual(plan.start, []);
    assert.ok(plan.wakeAt !== undefined && plan.wakeAt > sim.now, 'throttled');
    assert.deepEqual(sim.peek().start, [], 'still throttled');
    const d = sim.deploy(sim.revision(2));
    assert.deepEqual(sim.step().start, [{ deploymentId: d.id, count: 2 }]);
    sim.runUntilSteady();
    assert.equal(sim.healthy().length, 2);
  });

  test('tasks that start and then exit are not throttled (the throttle counts only failures to start)', () => {
    const sim = new ServiceSim({ desiredCount: 1 });
    sim.deploy(sim.revision(1, { behaviour: 'exits' }));
    sim.onApplied = () => assert.equal(sim.live().length, 1, `nothing running nor started at ${sim.now}`);
    sim.run(40);
    assert.ok(!sim.messages().includes(messages.throttled(SERVICE_NAME)));
    assert.ok(sim.tasks.length >= 15);
  });
});
