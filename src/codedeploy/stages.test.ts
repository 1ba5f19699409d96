import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeploymentRecord, TrafficRoutingRecord } from './records.ts';
import { INSTALL_TIMEOUT_MS, advanceDeployment, initialEngine, nextShift, type Observed } from './stages.ts';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

function deployment(over: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    id: 'd-AAAAAAAAA', applicationName: 'app', groupName: 'dg', configName: 'c', trafficRouting: { type: 'AllAtOnce' },
    blueGreen: { terminationAction: 'TERMINATE', terminationWaitMinutes: 0, actionOnTimeout: 'CONTINUE_DEPLOYMENT', readyWaitMinutes: 0 },
    autoRollback: { enabled: false, events: [] },
    targetGroupPair: { targetGroups: ['a', 'b'], prodListenerArns: ['prod'], testListenerArns: ['test'] },
    target: { clusterName: 'c', serviceName: 's' }, appSpec: { taskDefinition: 'web:2', containerName: 'web', containerPort: 80 },
    revision: { type: 'AppSpecContent', content: '', sha256: '' }, creator: 'user', status: 'InProgress', createdAt: T0, updatedAt: T0,
    engine: initialEngine(T0), ...over,
  };
}

/** A shell over the stage machine: green becomes steady once asked for, task sets go once deleted. */
class Run {
  d: DeploymentRecord;
  wakeAt?: number;
  constructor(over: Partial<DeploymentRecord> = {}, private steadyAfterPasses = 1) {
    this.d = deployment(over);
  }
  pass(now: number, extra: Partial<Observed> = {}) {
    const s = this.d.engine;
    const seen: Observed = {
      greenSteady: this.steadyAfterPasses-- <= 0,
      greenGone: s.greenDeleted, blueGone: s.blueDeleted, ...extra,
    };
    const step = advanceDeployment(this.d, seen, now);
    this.d = { ...this.d, engine: step.state, status: step.status, ...(step.completed?.error ? { error: step.completed.error } : {}) };
    this.wakeAt = step.wakeAt;
    return step;
  }
  event(name: string) {
    return this.d.engine.events.find((e) => e.name === name)?.status;
  }
}

describe('ECS deployment stage machine', () => {
  test('all at once: install, test traffic, production at once, green primary, blue deleted, Succeeded', () => {
    const run = new Run();
    run.pass(T0);
    assert.equal(run.d.engine.phase, 'Install');
    assert.equal(run.event('BeforeInstall'), 'Succeeded');
    assert.equal(run.event('Install'), 'InProgress');
    assert.equal(run.wakeAt, T0 + INSTALL_TIMEOUT_MS);
    run.pass(T0 + 1000);
    assert.equal(run.d.engine.phase, 'Terminate');
    assert.deepEqual([run.d.engine.greenPercent, run.d.engine.testOnGreen, run.d.engine.greenPrimary, run.d.engine.blueDeleted], [100, true, true, true]);
    assert.equal(run.d.status, 'InProgress');
    const done = run.pass(T0 + 2000);
    assert.equal(done.status, 'Succeeded');
    assert.deepEqual(run.d.engine.events.map((e) => e.status), Array(8).fill('Succeeded'));
  });

  test('linear 10 % every minute: 10 % more each minute, 100 % after nine', () => {
    const run = new Run({ trafficRouting: { type: 'TimeBasedLinear', percentage: 10, intervalMinutes: 1 } }, 0);
    run.pass(T0);
    const seen = [run.d.engine.greenPercent];
    for (let m = 1; m <= 9; m++) {
      assert.equal(run.wakeAt, T0 + m * MIN);
      run.pass(T0 + m * MIN - 1); // not yet
      assert.equal(run.d.engine.greenPercent, seen.at(-1));
      run.pass(T0 + m * MIN);
      seen.push(run.d.engine.greenPercent);
    }
    assert.deepEqual(seen, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    assert.equal(run.event('AllowTraffic'), 'Succeeded');
    assert.equal(run.d.engine.greenPrimary, true);
  });

  test('canary 10 % for five minutes, then the rest', () => {
    const run = new Run({ trafficRouting: { type: 'TimeBasedCanary', percentage: 10, intervalMinutes: 5 } }, 0);
    run.pass(T0);
    assert.equal(run.d.engine.greenPercent, 10);
    assert.equal(run.event('AllowTraffic'), 'InProgress');
    assert.equal(run.wakeAt, T0 + 5 * MIN);
    run.pass(T0 + 4 * MIN);
    assert.equal(run.d.engine.greenPercent, 10);
    run.pass(T0 + 5 * MIN);
    assert.equal(run.d.engine.greenPercent, 100);
  });

  test('nextShift: linear steps of a third end at 100, not past it', () => {
    const r: TrafficRoutingRecord = { type: 'TimeBasedLinear', percentage: 33, intervalMinutes: 2 };
    assert.deepEqual(nextShift(r, 0, 0), { percent: 33, waitMs: 2 * MIN });
    assert.deepEqual(nextShift(r, 3, 99), { percent: 100, waitMs: 0 });
  });

  test('ready wait: Ready with test traffic on green until ContinueDeployment READY_WAIT', () => {
    const run = new Run({ blueGreen: { terminationAction: 'TERMINATE', terminationWaitMinutes: 0, actionOnTimeout: 'STOP_DEPLOYMENT', readyWaitMinutes: 30 } }, 0);
    run.pass(T0);
    assert.equal(run.d.status, 'Ready');
    assert.deepEqual([run.d.engine.phase, run.d.engine.testOnGreen, run.d.engine.greenPercent], ['ReadyWait', true, 0]);
    assert.equal(run.wakeAt, T0 + 30 * MIN);
    run.pass(T0 + 10 * MIN);
    assert.equal(run.d.status, 'Ready');
    run.d = { ...run.d, engine: { ...run.d.engine, readyContinued: true } };
    run.pass(T0 + 11 * MIN);
    assert.equal(run.d.engine.greenPercent, 100);
  });

  test('ready wait timing out stops the deployment and puts everything back on blue', () => {
    const run = new Run({ blueGreen: { terminationAction: 'TERMINATE', terminationWaitMinutes: 0, actionOnTimeout: 'STOP_DEPLOYMENT', readyWaitMinutes: 5 } }, 0);
    run.pass(T0);
    run.pass(T0 + 5 * MIN);
    assert.deepEqual([run.d.engine.phase, run.d.engine.testOnGreen, run.d.engine.greenDeleted], ['RollBack', false, true]);
    const end = run.pass(T0 + 5 * MIN + 1);
    assert.equal(end.status, 'Stopped');
    assert.equal(end.completed?.error?.code, 'TIMEOUT');
    assert.equal(run.event('BeforeAllowTraffic'), 'Skipped');
  });

  test('termination wait: blue stays until the wait is over, or ContinueDeployment TERMINATION_WAIT', () => {
    const bg = { terminationAction: 'TERMINATE' as const, terminationWaitMinutes: 60, actionOnTimeout: 'CONTINUE_DEPLOYMENT' as const, readyWaitMinutes: 0 };
    const run = new Run({ blueGreen: bg }, 0);
    run.pass(T0);
    assert.deepEqual([run.d.engine.phase, run.d.engine.greenPrimary, run.d.engine.blueDeleted], ['TerminationWait', true, false]);
    assert.equal(run.wakeAt, T0 + 60 * MIN);
    run.pass(T0 + 59 * MIN);
    assert.equal(run.d.engine.blueDeleted, false);
    run.pass(T0 + 60 * MIN);
    assert.equal(run.d.engine.blueDeleted, true);

    const early = new Run({ blueGreen: bg }, 0);
    early.pass(T0);
    early.d = { ...early.d, engine: { ...early.d.engine, terminationContinued: true } };
    early.pass(T0 + MIN);
    assert.equal(early.d.engine.blueDeleted, true);
    assert.equal(early.pass(T0 + 2 * MIN).status, 'Succeeded');
  });

  test('a stop with rollback mid-shift returns production to blue, blue PRIMARY again, green deleted; Stopped', () => {
    const run = new Run({ trafficRouting: { type: 'TimeBasedLinear', percentage: 10, intervalMinutes: 1 } }, 0);
    run.pass(T0);
    run.pass(T0 + MIN);
    assert.equal(run.d.engine.greenPercent, 20);
    run.d = { ...run.d, engine: { ...run.d.engine, ending: { status: 'Stopped', code: 'MANUAL_STOP', message: 'stopped', rollback: true } } };
    run.pass(T0 + MIN + 5);
    assert.deepEqual([run.d.engine.phase, run.d.engine.greenPercent, run.d.engine.testOnGreen, run.d.engine.greenPrimary, run.d.engine.greenDeleted], ['RollBack', 0, false, false, true]);
    const end = run.pass(T0 + MIN + 10);
    assert.equal(end.status, 'Stopped');
    assert.ok(end.completed?.rollbackMessage);
  });

  test('a failure rolls back when the group rolls back on DEPLOYMENT_FAILURE, and stops where it is otherwise', () => {
    const failure = { code: 'ECS_UPDATE_ERROR', message: 'no capacity' };
    const rolling = new Run({ autoRollback: { enabled: true, events: ['DEPLOYMENT_FAILURE'] } }, 5);
    rolling.pass(T0);
    rolling.pass(T0 + 1, { failure });
    assert.deepEqual([rolling.d.engine.phase, rolling.d.engine.greenDeleted], ['RollBack', true]);
    assert.equal(rolling.event('Install'), 'Failed');
    assert.equal(rolling.pass(T0 + 2).status, 'Failed');

    const staying = new Run({}, 5);
    staying.pass(T0);
    const end = staying.pass(T0 + 1, { failure });
    assert.equal(end.status, 'Failed');
    assert.deepEqual(end.completed?.error, failure);
    assert.equal(staying.d.engine.greenDeleted, false);
  });

  test('green never steady: the deployment fails after the install timeout', () => {
    const run = new Run({}, 1_000);
    run.pass(T0);
    run.pass(T0 + INSTALL_TIMEOUT_MS - 1);
    assert.equal(run.d.status, 'InProgress');
    const end = run.pass(T0 + INSTALL_TIMEOUT_MS);
    assert.equal(end.status, 'Failed');
    assert.equal(end.completed?.error?.code, 'TIMEOUT');
  });

  test('an alarm stops the deployment (Stopped, ALARM_ACTIVE), rolling back on DEPLOYMENT_STOP_ON_ALARM only; once blue is being deleted it no longer counts', () => {
    const alarm = { code: 'ALARM_ACTIVE', message: 'alarms activated' };
    const run = new Run({ autoRollback: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] }, blueGreen: { ...deployment().blueGreen, terminationWaitMinutes: 10 } }, 0);
    run.pass(T0);
    run.pass(T0 + 1);
    assert.equal(run.d.engine.phase, 'TerminationWait');
    run.pass(T0 + 2, { alarm });
    assert.deepEqual([run.d.engine.phase, run.d.engine.ending?.status, run.d.engine.ending?.rollback, run.d.engine.greenPercent], ['RollBack', 'Stopped', true, 0]);
    const step = run.pass(T0 + 3, { greenGone: true });
    assert.deepEqual([step.status, step.completed?.error?.code, Boolean(step.completed?.rollbackMessage)], ['Stopped', 'ALARM_ACTIVE', true]);

    const stays = new Run({ autoRollback: { enabled: true, events: ['DEPLOYMENT_FAILURE'] } });
    const stopped = stays.pass(T0, { alarm });
    assert.deepEqual([stopped.status, stopped.completed?.rollbackMessage, stays.event('Install')], ['Stopped', undefined, 'Skipped']);

    const late = new Run({}, 0);
    late.pass(T0);
    assert.equal(late.d.engine.phase, 'Terminate');
    late.pass(T0 + 1, { alarm, blueGone: false });
    assert.deepEqual([late.d.engine.phase, late.d.engine.ending], ['Terminate', undefined]);
    assert.equal(late.pass(T0 + 2, { alarm }).status, 'Succeeded');
  });
});
