/**
 * Pure: the stages of an ECS blue/green deployment as CodeDeploy runs them. The replacement
 * (green) task set scales up on the target group production does not use; the test listeners
 * forward to it; the deployment waits in Ready when its group says STOP_DEPLOYMENT (until
 * ContinueDeployment READY_WAIT, or the wait times out and it stops); production traffic moves
 * all at once, linearly or canary; green becomes PRIMARY; after the termination wait (or
 * ContinueDeployment TERMINATION_WAIT) blue is deleted. A stop or failure that rolls back puts
 * the listeners back on blue, makes blue PRIMARY again and deletes green.
 *
 *   Start ▶ Install (green steady) ▶ TestTraffic ▶ [ReadyWait] ▶ Shift (0 → 100 %) ▶ TerminationWait ▶ Terminate ▶ Done
 *                        any of them ──(ending)──▶ RollBack (green gone) ▶ Done
 *
 * The shell converges the world to what the state says on every pass (listener weights, which
 * task set is PRIMARY, which are deleted), so a crash between a step and its writes is mended next pass.
 */
import { ECS_LIFECYCLE_EVENTS, type DeploymentRecord, type DeploymentStatus, type EngineState, type LifecycleEventName, type LifecycleEventRecord } from './records.ts';

const MINUTE = 60_000;

/** How long green may take to become steady before the deployment fails (CodeDeploy's ECS default: an hour). */
export const INSTALL_TIMEOUT_MS = 60 * MINUTE;

/** What the shell saw this pass. */
export interface Observed {
  /** Green's task set exists and its tasks all run healthy. */
  greenSteady: boolean;
  /** Green's and blue's task sets are gone (or were never there). */
  greenGone: boolean;
  blueGone: boolean;
  /** A port call failed this pass: the deployment fails. */
  failure?: { code: string; message: string };
  /** The group's alarms stop the deployment (ALARM_ACTIVE): it stops, rolling back on DEPLOYMENT_STOP_ON_ALARM. */
  alarm?: { code: string; message: string };
}

/** What a pass decided. */
export interface StageStep {
  state: EngineState;
  status: DeploymentStatus;
  /** The deployment is over, with this error if it did not succeed. */
  completed?: { error?: { code: string; message: string }; rollbackMessage?: string };
  /** When to look again (a linear step, a wait's end, a timeout). */
  wakeAt?: number;
}

/** The state a new deployment starts in: every lifecycle event pending. */
export function initialEngine(now: number): EngineState {
  return {
    phase: 'Start', phaseSince: now, greenPercent: 0, steps: 0, testOnGreen: false, greenPrimary: false,
    blueDeleted: false, greenDeleted: false, readyContinued: false, terminationContinued: false,
    events: ECS_LIFECYCLE_EVENTS.map((name) => ({ name, status: 'Pending' })),
  };
}

/**
 * The production step after `steps` steps at `percent`: where green goes and how long the
 * deployment waits after it — all at once; linear `percentage` more every `intervalMinutes`;
 * canary `percentage` first, the rest `intervalMinutes` later.
 */
export function nextShift(routing: DeploymentRecord['trafficRouting'], steps: number, percent: number): { percent: number; waitMs: number } {
  const p = routing.percentage ?? 100;
  const wait = (routing.intervalMinutes ?? 0) * MINUTE;
  if (routing.type === 'TimeBasedLinear') {
    const next = Math.min(100, Math.round((percent + p) * 10) / 10);
    return { percent: next, waitMs: next >= 100 ? 0 : wait };
  }
  if (routing.type === 'TimeBasedCanary' && steps === 0) return { percent: p, waitMs: wait };
  return { percent: 100, waitMs: 0 };
}

/** Advances the deployment as far as it can go now. */
export function advanceDeployment(d: DeploymentRecord, seen: Observed, now: number): StageStep {
  let s: EngineState = { ...d.engine, events: d.engine.events.map((e) => ({ ...e })) };
  if (seen.failure && !s.ending && s.phase !== 'Done') {
    const rollback = d.autoRollback.enabled && d.autoRollback.events.includes('DEPLOYMENT_FAILURE');
    s = { ...s, ending: { status: 'Failed', ...seen.failure, rollback } };
  }
  // Alarms watch the deployment until blue is being deleted (then there is nothing to go back to).
  if (seen.alarm && !s.ending && !['Terminate', 'RollBack', 'Done'].includes(s.phase)) {
    const rollback = d.autoRollback.enabled && d.autoRollback.events.includes('DEPLOYMENT_STOP_ON_ALARM');
    s = { ...s, ending: { status: 'Stopped', ...seen.alarm, rollback } };
  }
  const wake: number[] = [];
  const enter = (phase: EngineState['phase']) => { s = { ...s, phase, phaseSince: now }; };
  const event = (name: LifecycleEventName, status: LifecycleEventRecord['status']) => {
    const e = s.events.find((x) => x.name === name)!;
    if (status === 'InProgress' && e.status !== 'Pending') return;
    e.status = status;
    if (status === 'InProgress' || e.startedAt === undefined) e.startedAt = now;
    if (status !== 'InProgress') e.endedAt = now;
  };
  const pass = (...names: LifecycleEventName[]) => names.forEach((n) => { event(n, 'InProgress'); event(n, 'Succeeded'); });

  for (let guard = 0; guard < 20; guard++) {
    if (s.ending && s.phase !== 'RollBack' && s.phase !== 'Done') {
      const failed = s.ending.status === 'Failed';
      for (const e of s.events) {
        if (e.status === 'InProgress') Object.assign(e, { status: failed ? 'Failed' : 'Skipped', endedAt: now, ...(failed ? { message: s.ending.message } : {}) });
        else if (e.status === 'Pending') e.status = 'Skipped';
      }
      if (!s.ending.rollback) return finish();
      s = { ...s, greenPercent: 0, testOnGreen: false, greenPrimary: false, nextShiftAt: undefined };
      enter('RollBack');
      continue;
    }
    const before = s.phase;
    switch (s.phase) {
      case 'Start':
        pass('BeforeInstall');
        event('Install', 'InProgress');
        enter('Install');
        break;
      case 'Install':
        if (seen.greenSteady) {
          event('Install', 'Succeeded');
          pass('AfterInstall');
          enter('TestTraffic');
        } else if (now - s.phaseSince >= INSTALL_TIMEOUT_MS) {
          s = { ...s, ending: failure('TIMEOUT', 'The replacement task set did not reach a steady state in time.') };
        } else wake.push(s.phaseSince + INSTALL_TIMEOUT_MS);
        break;
      case 'TestTraffic':
        s = { ...s, testOnGreen: true };
        pass('AllowTestTraffic', 'AfterAllowTestTraffic');
        enter(d.blueGreen.actionOnTimeout === 'STOP_DEPLOYMENT' ? 'ReadyWait' : 'Shift');
        break;
      case 'ReadyWait': {
        const until = s.phaseSince + d.blueGreen.readyWaitMinutes * MINUTE;
        if (s.readyContinued) enter('Shift');
        else if (now >= until) {
          s = { ...s, ending: { status: 'Stopped', code: 'TIMEOUT', message: 'The deployment timed out while waiting for traffic rerouting to be started.', rollback: true } };
        } else wake.push(until);
        break;
      }
      case 'Shift': {
        if (s.steps === 0 && s.greenPercent === 0) {
          pass('BeforeAllowTraffic');
          event('AllowTraffic', 'InProgress');
        }
        if (s.nextShiftAt !== undefined && now < s.nextShiftAt) {
          wake.push(s.nextShiftAt);
          break;
        }
        const step = nextShift(d.trafficRouting, s.steps, s.greenPercent);
        s = { ...s, greenPercent: step.percent, steps: s.steps + 1, nextShiftAt: now + step.waitMs };
        if (step.percent >= 100) {
          event('AllowTraffic', 'Succeeded');
          pass('AfterAllowTraffic');
          s = { ...s, greenPrimary: true, nextShiftAt: undefined, terminationWaitStartedAt: now };
          enter('TerminationWait');
        } else {
          wake.push(now + step.waitMs);
        }
        break;
      }
      case 'TerminationWait': {
        const until = s.phaseSince + d.blueGreen.terminationWaitMinutes * MINUTE;
        if (d.blueGreen.terminationAction === 'KEEP_ALIVE') return finish();
        if (s.terminationContinued || now >= until) enter('Terminate');
        else wake.push(until);
        break;
      }
      case 'Terminate':
        s = { ...s, blueDeleted: true };
        if (seen.blueGone) return finish();
        break;
      case 'RollBack':
        s = { ...s, greenDeleted: true };
        if (seen.greenGone) return finish();
        break;
      case 'Done':
        return { state: s, status: d.status };
    }
    if (s.phase === before && !(s.ending && s.phase !== 'RollBack')) break;
  }
  return { state: s, status: s.phase === 'ReadyWait' ? 'Ready' : 'InProgress', ...(wake.length ? { wakeAt: Math.min(...wake) } : {}) };

  function failure(code: string, message: string): NonNullable<EngineState['ending']> {
    return { status: 'Failed', code, message, rollback: d.autoRollback.enabled && d.autoRollback.events.includes('DEPLOYMENT_FAILURE') };
  }

  function finish(): StageStep {
    const ending = s.ending;
    s = { ...s, phase: 'Done', phaseSince: now };
    if (!ending) return { state: s, status: 'Succeeded', completed: {} };
    return {
      state: s, status: ending.status,
      completed: { error: { code: ending.code, message: ending.message }, ...(ending.rollback ? { rollbackMessage: 'Traffic was returned to the original task set and the replacement task set was deleted.' } : {}) },
    };
  }
}
