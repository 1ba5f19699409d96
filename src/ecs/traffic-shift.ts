/**
 * Pure: the stages of a BLUE_GREEN, LINEAR or CANARY deployment, as ECS runs them. Green (the
 * new deployment) scales up beside blue, takes the test listener rule's traffic, then production
 * traffic — all at once (BLUE_GREEN), `stepPercent` more every `stepBakeTimeInMinutes` (LINEAR), or
 * `canaryPercent` then the rest after `canaryBakeTimeInMinutes` (CANARY) — and once blue has baked
 * for `bakeTimeInMinutes` with no traffic, blue's tasks go. Hooks hold a stage until they are
 * answered (PAUSE: ContinueServiceDeployment) or time out.
 *
 *   PRE_SCALE_UP ▶ SCALE_UP (green healthy) ▶ POST_SCALE_UP ▶ TEST_TRAFFIC_SHIFT ▶ POST_TEST_TRAFFIC_SHIFT
 *     ▶ PRODUCTION_TRAFFIC_SHIFT (0 → 100 %) ▶ POST_PRODUCTION_TRAFFIC_SHIFT ▶ BAKE_TIME ▶ CLEAN_UP (blue gone)
 *
 * The shell writes the traffic the state says (the listener rules' weights) on every pass, so a
 * crash between a stage and its rule write is mended by the next pass.
 */
import type { LoadBalancer } from '@aws-sdk/client-ecs';
import {
  LIFECYCLE_STAGES, type DeploymentConfigurationRecord, type HookRunRecord, type HookStage, type LifecycleStage, type TrafficShiftRecord,
} from './service-records.ts';

const MINUTE = 60_000;

/** What a step of the stage machine sees. */
export interface ShiftInput {
  config: DeploymentConfigurationRecord;
  state: TrafficShiftRecord;
  now: number;
  /** Every green task wanted is running and healthy in its target groups. */
  greenReady: boolean;
  /** Blue still has live tasks. */
  blueLive: boolean;
  /** A new hook id (the shell's id source). */
  newHookId(): string;
}

/** What the deployment does next. */
export interface ShiftStep {
  state: TrafficShiftRecord;
  /** Green runs the service's desired count (from SCALE_UP on). */
  scaleGreen: boolean;
  /** Blue's tasks are to stop (CLEAN_UP). */
  retireBlue: boolean;
  /** The deployment is done, or must roll back (a hook said so or timed out so). */
  outcome?: { complete: true } | { rollback: string };
  /** When to look again (a bake time, a linear step, a hook's timeout). */
  wakeAt?: number;
  /** Stages entered in this step, in order, for events. */
  entered: LifecycleStage[];
}

/** A PAUSE hook's id as ECS gives it (`ecs-pause-` and 35 characters), from the id source's hex. */
export const pauseHookId = (hex32: () => string) => (): string => `ecs-pause-${hex32()}${hex32().slice(0, 3)}`;

/** Whether deployments of this configuration shift traffic (BLUE_GREEN, LINEAR, CANARY) rather than roll. */
export const shiftsTraffic = (config: DeploymentConfigurationRecord): boolean => config.strategy !== undefined && config.strategy !== 'ROLLING';

/**
 * Green's load balancers: of each target group pair (targetGroupArn and advancedConfiguration's
 * alternateTargetGroupArn) the one blue does not use, with the other as its alternate — so
 * deployments alternate between the two groups, as ECS's do.
 */
export function greenLoadBalancers(configured: readonly LoadBalancer[], blue: readonly LoadBalancer[]): LoadBalancer[] {
  return configured.map((lb) => {
    const alternate = lb.advancedConfiguration?.alternateTargetGroupArn;
    const blueUses = blue.find((b) => b.containerName === lb.containerName && b.containerPort === lb.containerPort)?.targetGroupArn;
    if (!alternate || blueUses !== lb.targetGroupArn) return lb;
    return { ...lb, targetGroupArn: alternate, advancedConfiguration: { ...lb.advancedConfiguration!, alternateTargetGroupArn: lb.targetGroupArn! } };
  });
}

/** The state a deployment starts in: PRE_SCALE_UP, with that stage's hooks waiting. */
export function initialShift(config: DeploymentConfigurationRecord, now: number, newHookId: () => string): TrafficShiftRecord {
  return { stage: 'PRE_SCALE_UP', stageSince: now, greenPercent: 0, steps: 0, testOnGreen: false, hooks: hooksAt(config, 'PRE_SCALE_UP', now, newHookId) };
}

/**
 * The production traffic step after `steps` steps at `percent`: the percentage green goes to, and
 * how long the deployment waits after it — BLUE_GREEN all at once; LINEAR `stepPercent` more each
 * step, `stepBakeTimeInMinutes` apart; CANARY `canaryPercent`, then the rest `canaryBakeTimeInMinutes` later.
 */
export function nextStep(config: DeploymentConfigurationRecord, steps: number, percent: number): { percent: number; waitMs: number } {
  const tenths = (x: number) => Math.round(x * 10) / 10;
  if (config.strategy === 'LINEAR' && config.linearConfiguration) {
    const { stepPercent, stepBakeTimeInMinutes } = config.linearConfiguration;
    const next = Math.min(100, tenths(percent + stepPercent));
    return { percent: next, waitMs: next >= 100 ? 0 : stepBakeTimeInMinutes * MINUTE };
  }
  if (config.strategy === 'CANARY' && config.canaryConfiguration && steps === 0) {
    const next = Math.min(100, tenths(config.canaryConfiguration.canaryPercent));
    return { percent: next, waitMs: next >= 100 ? 0 : config.canaryConfiguration.canaryBakeTimeInMinutes * MINUTE };
  }
  return { percent: 100, waitMs: 0 };
}

/** Advances through every stage whose work and hooks are done, as far as it can now. */
export function advanceShift(input: ShiftInput): ShiftStep {
  const { config, now } = input;
  let state: TrafficShiftRecord = { ...input.state, hooks: input.state.hooks.map(settleHook(now)) };
  const entered: LifecycleStage[] = [];
  const wake: number[] = [];
  if (state.rollbackRequested) return done(state, { rollback: state.rollbackRequested });
  for (;;) {
    // A rollback answer or timeout of any hook (a production step's too) ends the deployment; this stage's waiting hooks hold it.
    const failed = state.hooks.find((h) => h.status === 'FAILED' || (h.status === 'TIMED_OUT' && h.timeoutAction === 'ROLLBACK'));
    if (failed) return done(state, { rollback: rollbackReason(failed) });
    const waiting = state.hooks.filter((h) => h.stage === state.stage && h.status === 'AWAITING_ACTION');
    const work = stageWork(state, input);
    state = work.state;
    if (work.wakeAt !== undefined) wake.push(work.wakeAt);
    if (waiting.length > 0) {
      wake.push(Math.min(...waiting.map((h) => h.expiresAt)));
      break;
    }
    if (!work.done) break;
    const next = LIFECYCLE_STAGES[LIFECYCLE_STAGES.indexOf(state.stage) + 1];
    if (!next) return done(state, { complete: true });
    state = { ...state, stage: next, stageSince: now, hooks: [...state.hooks, ...hooksAt(config, next, now, input.newHookId)] };
    entered.push(next);
  }
  return done(state);

  function done(s: TrafficShiftRecord, outcome?: ShiftStep['outcome']): ShiftStep {
    const at = LIFECYCLE_STAGES.indexOf(s.stage);
    return {
      state: s,
      scaleGreen: at >= LIFECYCLE_STAGES.indexOf('SCALE_UP'),
      retireBlue: s.stage === 'CLEAN_UP',
      outcome,
      wakeAt: outcome || wake.length === 0 ? undefined : Math.min(...wake),
      entered,
    };
  }
}

/** A stage's own work: whether it is done, with the traffic it set. */
function stageWork(state: TrafficShiftRecord, input: ShiftInput): { state: TrafficShiftRecord; done: boolean; wakeAt?: number } {
  const elapsed = input.now - state.stageSince;
  switch (state.stage) {
    case 'SCALE_UP':
      return { state, done: input.greenReady };
    case 'TEST_TRAFFIC_SHIFT':
      return { state: { ...state, testOnGreen: true }, done: true };
    case 'PRODUCTION_TRAFFIC_SHIFT':
      return productionStep(state, input);
    case 'BAKE_TIME': {
      const bakeMs = (input.config.bakeTimeInMinutes ?? 0) * MINUTE;
      return { state, done: elapsed >= bakeMs, wakeAt: elapsed >= bakeMs ? undefined : state.stageSince + bakeMs };
    }
    case 'CLEAN_UP':
      return { state, done: !input.blueLive };
    default:
      return { state, done: true };
  }
}

/**
 * One production traffic step when it is due (the last one's wait is over): first the
 * PRE_PRODUCTION_TRAFFIC_SHIFT hooks of that step, then the shift. Done at 100 %.
 */
function productionStep(state: TrafficShiftRecord, input: ShiftInput): { state: TrafficShiftRecord; done: boolean; wakeAt?: number } {
  if (state.greenPercent >= 100) return { state, done: true };
  const { now, config } = input;
  if (state.nextShiftAt !== undefined && now < state.nextShiftAt) return { state, done: false, wakeAt: state.nextShiftAt };
  let hooks = state.hooks.filter((h) => h.stage === 'PRE_PRODUCTION_TRAFFIC_SHIFT' && h.step === state.steps);
  if (hooks.length === 0 && configured(config, 'PRE_PRODUCTION_TRAFFIC_SHIFT')) {
    hooks = hooksAt(config, 'PRE_PRODUCTION_TRAFFIC_SHIFT', now, input.newHookId).map((h) => ({ ...h, step: state.steps }));
    return { state: { ...state, hooks: [...state.hooks, ...hooks] }, done: false, wakeAt: Math.min(...hooks.map((h) => h.expiresAt)) };
  }
  if (hooks.some((h) => h.status === 'AWAITING_ACTION')) return { state, done: false, wakeAt: Math.min(...hooks.map((h) => h.expiresAt)) };
  const step = nextStep(config, state.steps, state.greenPercent);
  const next = { ...state, greenPercent: step.percent, steps: state.steps + 1, nextShiftAt: now + step.waitMs };
  return { state: next, done: step.percent >= 100, wakeAt: step.percent >= 100 ? undefined : now + step.waitMs };
}

const configured = (config: DeploymentConfigurationRecord, stage: HookStage) => (config.lifecycleHooks ?? []).some((h) => h.lifecycleStages.includes(stage));

/** The hooks configured for `stage`, waiting from `now`. */
function hooksAt(config: DeploymentConfigurationRecord, at: LifecycleStage | HookStage, now: number, newHookId: () => string): HookRunRecord[] {
  const stage = at as HookStage; // stages no hook may wait at (SCALE_UP, BAKE_TIME, CLEAN_UP) are in no hook's list
  return (config.lifecycleHooks ?? []).filter((h) => h.lifecycleStages.includes(stage)).map((h) => ({
    hookId: newHookId(), stage, targetType: h.targetType, ...(h.hookTargetArn && { targetArn: h.hookTargetArn }),
    status: 'AWAITING_ACTION', expiresAt: now + h.timeoutInMinutes * MINUTE, timeoutAction: h.timeoutAction,
  }));
}

/** A waiting hook answered (ContinueServiceDeployment) or past its timeout, settled. */
const settleHook = (now: number) => (h: HookRunRecord): HookRunRecord => {
  if (h.status !== 'AWAITING_ACTION') return h;
  if (h.action === 'CONTINUE') return { ...h, status: 'SUCCEEDED' };
  if (h.action === 'ROLLBACK') return { ...h, status: 'FAILED' };
  if (now >= h.expiresAt) return { ...h, status: 'TIMED_OUT' };
  return h;
};

function rollbackReason(h: HookRunRecord): string {
  return h.status === 'TIMED_OUT'
    ? `Lifecycle hook ${h.hookId} timed out at stage ${h.stage}.`
    : `Lifecycle hook ${h.hookId} requested a rollback at stage ${h.stage}.`;
}
