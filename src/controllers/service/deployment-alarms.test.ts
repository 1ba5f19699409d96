/**
 * Deployment alarms (deploymentConfiguration.alarms), driven through the simulator with a
 * virtual clock: an alarm in ALARM fails the deployment (rolling back when asked), a rolling
 * deployment bakes for its alarms' evaluation window once its tasks are up, and a blue/green
 * deployment gives production back to blue when an alarm goes off during its bake time.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeploymentAlarm } from '../../ecs/index.ts';
import { messages, rolloutReasons } from './messages.ts';
import { SERVICE_NAME, ServiceSim } from './simulator.testing.ts';

const MINUTE = 60_000;
const alarm = (state: DeploymentAlarm['state'], windowMs = MINUTE): DeploymentAlarm => ({ name: 'errors', state, windowMs });
const watch = (rollback: boolean) => ({ alarms: { alarmNames: ['errors'], enable: true, rollback } });

function steadyService(desiredCount = 3): ServiceSim {
  const sim = new ServiceSim({ desiredCount, minimumHealthyPercent: 100, maximumPercent: 200 });
  sim.deploy(sim.revision(1));
  sim.runUntilSteady();
  return sim;
}

/** Steps until a task of `deploymentId` has started. */
function untilRunning(sim: ServiceSim, deploymentId: string): void {
  for (let i = 0; i < 50; i++) {
    if (sim.tasks.some((t) => t.deploymentId === deploymentId && t.startedAt !== undefined)) return;
    sim.step();
  }
  throw new Error(`no task of ${deploymentId} started: ${sim.describe()}`);
}

describe('deployment alarms', () => {
  test('an alarm in ALARM mid-deployment fails it and rolls back to the last completed deployment', () => {
    const sim = steadyService();
    const good = sim.primary();
    sim.alarms = [alarm('OK')];
    const bad = sim.deploy(sim.revision(2), watch(true));
    untilRunning(sim, bad.id);
    sim.step();
    assert.equal(sim.primary().id, bad.id);
    assert.equal(sim.primary().rolloutState, 'IN_PROGRESS', 'an OK alarm lets it go on');
    const mark = sim.messages().length;

    sim.alarms = [alarm('ALARM')];
    const plan = sim.step();
    const failed = plan.service.deployments.find((d) => d.id === bad.id)!;
    assert.equal(failed.rolloutState, 'FAILED');
    assert.equal(failed.rolloutStateReason, rolloutReasons.alarmsFailed(['errors']));
    assert.equal(failed.deploymentStatus, 'ROLLBACK_IN_PROGRESS');
    assert.equal(failed.statusReason, rolloutReasons.alarmsRollingBack(good.id));
    assert.deepEqual(failed.alarmsTriggered, ['errors']);
    assert.deepEqual(plan.rollback, { reason: rolloutReasons.alarmsRollingBack(good.id) });
    assert.deepEqual(plan.start, [], 'nothing started for a failed deployment');
    assert.deepEqual(sim.messages().slice(mark, mark + 2), [
      messages.deploymentFailedAlarm(SERVICE_NAME, bad.id), messages.rollingBack(SERVICE_NAME, good.id),
    ]);

    // The rollback is not failed again by the alarm that is still in ALARM.
    const rollback = sim.primary();
    assert.equal(rollback.taskDefinition, good.taskDefinition);
    assert.equal(rollback.rollback?.reason, rolloutReasons.alarmsRollingBack(good.id));
    sim.runUntilSteady();
    assert.equal(sim.primary().id, rollback.id);
    assert.equal(sim.primary().deploymentStatus, 'ROLLBACK_SUCCESSFUL');
    assert.ok(sim.live().every((t) => sim.taskDefinitionOf(t) === good.taskDefinition));
    assert.equal(sim.history.get(bad.id)?.rolloutState, 'FAILED');
  });

  test('without rollback the deployment stops where it is and launches nothing more', () => {
    const sim = steadyService(4);
    sim.alarms = [alarm('OK')];
    const bad = sim.deploy(sim.revision(2), watch(false));
    untilRunning(sim, bad.id);
    sim.alarms = [alarm('ALARM')];
    sim.step();
    const failed = sim.primary();
    assert.equal(failed.id, bad.id);
    assert.equal(failed.rolloutState, 'FAILED');
    assert.equal(failed.deploymentStatus, 'STOPPED');
    assert.equal(failed.statusReason, rolloutReasons.alarmsFailed(['errors']));
    const started = sim.tasks.filter((t) => t.deploymentId === bad.id).length;
    sim.run(20, (plan) => assert.deepEqual(plan.start, []));
    assert.equal(sim.tasks.filter((t) => t.deploymentId === bad.id).length, started);
    assert.equal(sim.history.size, 2, 'no rollback deployment');
  });

  test('an alarm is not looked at before a task of the deployment runs, nor when the alarms are disabled', () => {
    const sim = steadyService();
    sim.alarms = [alarm('ALARM')];
    const plan = sim.step();
    assert.equal(plan.changed, false, 'a completed deployment is not watched');
    const off = sim.deploy(sim.revision(2), { alarms: { alarmNames: ['errors'], enable: false, rollback: true } });
    sim.runUntilSteady();
    assert.equal(sim.primary().id, off.id);
    assert.equal(sim.primary().rolloutState, 'COMPLETED');

    sim.alarms = [alarm('OK')];
    const watched = sim.deploy(sim.revision(3), watch(true));
    sim.reconcile(); // launches; nothing runs yet
    sim.alarms = [alarm('ALARM')];
    const before = sim.reconcile();
    assert.equal(before.service.deployments[0].rolloutState, 'IN_PROGRESS', 'no task of it runs yet');
    untilRunning(sim, watched.id);
    sim.step();
    assert.equal(sim.history.get(watched.id)?.rolloutState, 'FAILED');
  });

  test('an alarm already in ALARM when the deployment starts counts only once it has left ALARM and gone back', () => {
    const sim = steadyService();
    sim.alarms = [alarm('ALARM')];
    const dep = sim.deploy(sim.revision(2), watch(true));
    untilRunning(sim, dep.id);
    sim.run(3);
    assert.equal(sim.primary().id, dep.id);
    assert.equal(sim.primary().rolloutState, 'IN_PROGRESS', 'in ALARM since before the deployment: not held against it');
    assert.deepEqual(sim.primary().alarmsAtStart, ['errors']);
    sim.alarms = [alarm('OK')];
    sim.step();
    assert.deepEqual(sim.primary().alarmsAtStart, []);
    sim.alarms = [alarm('ALARM')];
    sim.step();
    assert.equal(sim.history.get(dep.id)?.rolloutState, 'FAILED', 'back in ALARM during the deployment: it fails');
    assert.deepEqual(sim.history.get(dep.id)?.alarmsTriggered, ['errors']);
  });

  test('a rolling deployment watched by alarms completes only after baking for their evaluation window', () => {
    const sim = steadyService();
    const window = 3 * MINUTE;
    sim.alarms = [alarm('OK', window), { name: 'other', state: 'ALARM', windowMs: 60 * MINUTE }]; // not one of its alarms
    const dep = sim.deploy(sim.revision(2), watch(true));
    let settledAt: number | undefined;
    for (let i = 0; i < 100 && settledAt === undefined; i++) {
      sim.step();
      if (sim.primary().alarmsBakeSince !== undefined) settledAt = sim.primary().alarmsBakeSince;
    }
    assert.ok(settledAt !== undefined, 'the bake began');
    assert.equal(sim.service.deployments.length, 1, 'it bakes once blue is gone');
    assert.equal(sim.primary().rolloutState, 'IN_PROGRESS');
    const plan = sim.peek();
    assert.equal(plan.wakeAt, settledAt + window, 'the controller wakes when the bake ends');
    while (sim.now < settledAt + window - sim.stepMs) {
      sim.step();
      assert.equal(sim.primary().rolloutState, 'IN_PROGRESS', `still baking at ${sim.now - settledAt} ms`);
      assert.equal(sim.service.steadySince, undefined);
    }
    sim.wait(settledAt + window - sim.now);
    sim.step();
    assert.equal(sim.primary().id, dep.id);
    assert.equal(sim.primary().rolloutState, 'COMPLETED');
    assert.equal(sim.primary().finishedAt, settledAt + window);
    assert.equal(sim.service.lastCompleted?.deploymentId, dep.id);
  });

  test('an alarm going off during the bake fails the deployment and rolls back', () => {
    const sim = steadyService();
    const good = sim.primary();
    sim.alarms = [alarm('OK', 5 * MINUTE)];
    const dep = sim.deploy(sim.revision(2), watch(true));
    for (let i = 0; i < 100 && sim.primary().alarmsBakeSince === undefined; i++) sim.step();
    sim.run(6);
    assert.equal(sim.primary().rolloutState, 'IN_PROGRESS');
    sim.alarms = [alarm('ALARM', 5 * MINUTE)];
    const plan = sim.step();
    assert.equal(plan.service.deployments.find((d) => d.id === dep.id)?.rolloutState, 'FAILED');
    assert.deepEqual(plan.rollback, { reason: rolloutReasons.alarmsRollingBack(good.id) });
    sim.runUntilSteady();
    assert.equal(sim.primary().taskDefinition, good.taskDefinition);
  });

  test('BLUE_GREEN: an alarm during the bake time gives production traffic back to blue', () => {
    const sim = steadyService(2);
    const blue = sim.primary();
    sim.alarms = [alarm('OK')];
    const green = sim.deploy(sim.revision(2), { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 10, ...watch(true) });
    assert.ok(green.shift, 'a traffic-shifting deployment');
    for (let i = 0; i < 100 && sim.primary().shift?.stage !== 'BAKE_TIME'; i++) sim.step();
    assert.equal(sim.primary().shift?.stage, 'BAKE_TIME');
    assert.equal(sim.primary().shift?.greenPercent, 100);
    sim.run(3);
    const mark = sim.messages().length;
    sim.alarms = [alarm('ALARM')];
    const plan = sim.step();
    assert.equal(plan.rollback, undefined, 'no new deployment: blue is still there');
    assert.equal(plan.service.deployments[0].id, blue.id, 'blue is PRIMARY again');
    const failed = plan.service.deployments.find((d) => d.id === green.id)!;
    assert.equal(failed.rolloutState, 'FAILED');
    assert.equal(failed.rolloutStateReason, rolloutReasons.alarmsFailed(['errors']));
    assert.equal(failed.deploymentStatus, 'ROLLBACK_IN_PROGRESS');
    assert.equal(failed.shift?.greenPercent, 0, 'production traffic back on blue');
    assert.deepEqual(failed.alarmsTriggered, ['errors']);
    assert.deepEqual(sim.messages().slice(mark, mark + 2), [
      messages.deploymentFailedAlarm(SERVICE_NAME, green.id), messages.rollingBack(SERVICE_NAME, blue.id),
    ]);
    sim.runUntilSteady();
    assert.equal(sim.primary().id, blue.id);
    assert.ok(sim.live().every((t) => t.deploymentId === blue.id));
    assert.equal(sim.history.get(green.id)?.deploymentStatus, 'ROLLBACK_SUCCESSFUL');
  });
});
