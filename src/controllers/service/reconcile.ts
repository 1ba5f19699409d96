/**
 * The service reconciler: a pure function of one service, its tasks, the cluster's instances
 * and the time, returning what to do (DESIGN.md rule 2; CONVENTIONS.md "pure cores"). It
 * never remembers anything between calls: every decision is read again from the tasks, so
 * running it twice does nothing the second time, and a control plane that restarts mid-way
 * picks up exactly where the store says it is.
 *
 * In order, for each call:
 *  1. tasks on lost instances (agent disconnected longer than `instanceLostAfterMs`) and tasks
 *     failing their container or load balancer health checks (past healthCheckGracePeriodSeconds)
 *     are stopped;
 *  2. the circuit breaker counts the PRIMARY deployment's failed tasks, and its deployment alarms
 *     are looked at; either may fail it (and ask for a rollback to the last completed deployment);
 *  3. the service throttle holds launches back after repeated failures to start;
 *  4. the REPLICA or DAEMON scheduler decides what to start and which retiring tasks to stop
 *     (a service running task sets: each task set is kept at its own count, task-sets.ts);
 *  5. deployments (or task sets, with their stability) are brought up to date (completed,
 *     drained ones retired), events written, and a steady state reported once it is reached.
 */
import { advanceShift, circuitBreakerThreshold, pauseHookId, usesTaskSets, watchedAlarms, withEvent, type DeploymentAlarm, type DeploymentRecord, type ServiceRecord, type ShiftStep } from '../../ecs/index.ts';
import { daemonDecisions } from './daemon.ts';
import { messages, rolloutReasons, stopReasons } from './messages.ts';
import { World, type ObservedTask, type ReconcileInput, type StartAction, type StopAction } from './observe.ts';
import { replicaDecisions } from './replica.ts';
import { greenReady, shiftDecisions, trafficOf, type TrafficWrite } from './shift.ts';
import { settleTaskSets, taskSetDecisions } from './task-sets.ts';

export { circuitBreakerThreshold };
export type { ObservedInstance, ObservedTask, ReconcileInput, ReconcileSettings, StartAction, StopAction } from './observe.ts';

/** What the shell applies, in one transaction. */
export interface ServicePlan {
  /** The service as it should be stored next (`changed` says whether it differs). */
  service: ServiceRecord;
  changed: boolean;
  /** Deployments no longer live, to be written to the history one last time. */
  retired: DeploymentRecord[];
  stop: StopAction[];
  start: StartAction[];
  /** The circuit breaker or a deployment alarm failed the PRIMARY deployment: start a rollback to `service.lastCompleted`. */
  rollback?: { reason: string };
  /** Listener rules to point at weighted target groups (deployments shifting traffic). */
  traffic: TrafficWrite[];
  /** Reconcile again by then even if nothing changes (grace periods, throttle, instance loss). */
  wakeAt?: number;
}

/** A task of a deployment must run healthy this long before the circuit breaker calls the deployment good. */
export const CIRCUIT_BREAKER_STABLE_MS = 10_000;
/** The service throttle starts after this many consecutive tasks failed to start... */
export const THROTTLE_AFTER_FAILURES = 3;
/** ...waiting 10 s, doubling per further failure, up to 15 minutes between launches. */
export const THROTTLE_BASE_MS = 10_000;
export const THROTTLE_MAX_MS = 15 * 60_000;
/**
 * Failures in a row from which the throttle waits its longest: the newest failures of a
 * PRIMARY deployment up to this many are all the throttle needs, so task retention keeps them.
 */
export const THROTTLE_SATURATION = THROTTLE_AFTER_FAILURES + Math.ceil(Math.log2(THROTTLE_MAX_MS / THROTTLE_BASE_MS));

/** Decides the next step for one service. */
export function reconcileService(input: ReconcileInput): ServicePlan {
  const { service, now } = input;
  if (service.status === 'INACTIVE') return { service, changed: false, retired: [], stop: [], start: [], traffic: [] };
  const world = new World(input);
  const wake: number[] = [];
  if (world.lostAt !== undefined) wake.push(world.lostAt);
  const stops = new Map<string, StopAction>();
  const events: string[] = [];
  const stop = (t: ObservedTask, reason: string) => {
    if (!stops.has(t.id)) stops.set(t.id, { taskArn: t.arn, stopCode: 'ServiceSchedulerInitiated', reason });
  };

  // 1. Lost instances and failed health checks.
  const lostByInstance = new Map<string, ObservedTask[]>();
  for (const t of input.tasks) {
    if (!world.lost.has(t.id) || t.desiredStatus !== 'RUNNING') continue;
    lostByInstance.set(t.instanceId!, [...(lostByInstance.get(t.instanceId!) ?? []), t]);
  }
  for (const [instanceId, tasks] of lostByInstance) {
    const ec2 = world.instances.get(instanceId)?.ec2InstanceId ?? instanceId;
    for (const t of tasks) stop(t, stopReasons.instanceLost(ec2));
    events.push(messages.instanceLost(service.name, ec2, tasks.map((t) => t.id)));
  }
  const graceMs = (service.healthCheckGracePeriodSeconds ?? 0) * 1000;
  for (const t of input.tasks) {
    if (!world.active(t) || !t.hasHealthCheck || t.healthStatus !== 'UNHEALTHY') continue;
    const graceEnd = (t.startedAt ?? t.createdAt) + graceMs;
    if (now < graceEnd) {
      wake.push(graceEnd);
      continue;
    }
    stop(t, stopReasons.healthCheck);
    events.push(messages.failedHealthChecks(service.name, t.id));
  }
  for (const t of input.tasks) {
    const bad = t.targetHealth?.unhealthy;
    if (!world.active(t) || !t.loadBalanced || t.targetHealth?.state !== 'unhealthy' || !bad || stops.has(t.id)) continue;
    const graceEnd = (t.startedAt ?? t.createdAt) + graceMs;
    if (now < graceEnd) {
      wake.push(graceEnd);
      continue;
    }
    stop(t, stopReasons.elbHealthCheck(bad.targetGroupArn));
    const where = bad.id.startsWith('i-') ? `(instance ${bad.id})` : `(task ${t.id})`;
    events.push(messages.unhealthyTarget(service.name, where, bad.port, bad.targetGroupArn, bad.description));
  }

  // 2. The circuit breaker, on the PRIMARY deployment; a deployment shifting traffic moves through its stages.
  let deployments = service.deployments.map((d) => ({ ...d }));
  let primary = deployments[0] as DeploymentRecord | undefined;
  let rollback: ServicePlan['rollback'];
  let shift: ShiftStep | undefined;
  /** Green (the PRIMARY shifting traffic) gives production back to blue, which is PRIMARY again; green's tasks then go. */
  const shiftBack = (green: DeploymentRecord, reason: string) => {
    const blue = deployments[1]!;
    Object.assign(green, {
      rolloutState: 'FAILED', rolloutStateReason: reason, deploymentStatus: 'ROLLBACK_IN_PROGRESS', statusReason: reason,
      shift: { ...green.shift!, greenPercent: 0, testOnGreen: false },
    });
    events.push(messages.rollingBack(service.name, blue.id));
    deployments = [blue, ...deployments.filter((d) => d !== blue)];
    primary = blue;
    shift = undefined;
  };
  /**
   * The PRIMARY failed (its circuit breaker tripped, or a deployment alarm went into ALARM): green
   * gives traffic back to blue, a rolling deployment rolls back to the last completed one, or,
   * without rollback (or with nothing to roll back to), it stops where it is.
   */
  const fail = (failed: DeploymentRecord, why: { reason: string; event: string; rollback: boolean; rollingBack: (id: string) => string }) => {
    failed.rolloutState = 'FAILED';
    failed.rolloutStateReason = why.reason;
    events.push(why.event);
    const target = service.lastCompleted;
    if (failed.shift && deployments.length > 1 && why.rollback) {
      shiftBack(failed, why.reason);
    } else if (why.rollback && target && target.deploymentId !== failed.id && !failed.rollback) {
      // A rollback that fails is not rolled back again (to the same target, forever): it ends ROLLBACK_FAILED.
      rollback = { reason: why.rollingBack(target.deploymentId) };
      failed.deploymentStatus = 'ROLLBACK_IN_PROGRESS';
      failed.statusReason = why.rollingBack(target.deploymentId);
      events.push(messages.rollingBack(service.name, target.deploymentId));
    } else {
      failed.deploymentStatus = failed.rollback ? 'ROLLBACK_FAILED' : 'STOPPED';
      if (failed.rollback) settleRolledBack(deployments, 'ROLLBACK_FAILED', now);
      failed.statusReason = why.reason;
      failed.stoppedAt = now;
    }
  };
  if (primary) {
    const breaker = circuitBreaker(world, primary);
    primary.failedTasks = breaker.failedTasks;
    if (breaker.complete) primary.circuitBreakerComplete = true;
    if (breaker.checkAt !== undefined) wake.push(breaker.checkAt);
    const triggered = breaker.tripped ? [] : alarmsInAlarm(world, primary);
    if (breaker.tripped) {
      fail(primary, {
        reason: rolloutReasons.circuitBreakerFailed, event: messages.deploymentFailed(service.name, primary.id),
        rollback: primary.deploymentConfiguration.deploymentCircuitBreaker.rollback, rollingBack: rolloutReasons.rollingBack,
      });
    } else if (triggered.length) {
      primary.alarmsTriggered = triggered;
      fail(primary, {
        reason: rolloutReasons.alarmsFailed(triggered), event: messages.deploymentFailedAlarm(service.name, primary.id),
        rollback: primary.deploymentConfiguration.alarms?.rollback ?? false, rollingBack: rolloutReasons.alarmsRollingBack,
      });
    } else if (primary.shift && primary.rolloutState === 'IN_PROGRESS' && service.schedulingStrategy === 'REPLICA' && service.status === 'ACTIVE') {
      const green = primary;
      shift = advanceShift({
        config: green.deploymentConfiguration, state: green.shift!, now, newHookId: pauseHookId(() => input.ids.hex32()),
        greenReady: greenReady(world, green, service.desiredCount),
        blueLive: input.tasks.some((t) => t.deploymentId !== green.id && world.live(t)),
      });
      green.shift = shift.state;
      if (shift.wakeAt !== undefined) wake.push(shift.wakeAt);
      if (shift.outcome && 'rollback' in shift.outcome) {
        if (deployments.length > 1) shiftBack(green, shift.outcome.rollback);
        else shift = undefined;
      }
    }
  }

  // 3. The service throttle.
  const primaryId = primary?.id;
  const throttle = primaryId ? throttleOf(input.tasks.filter((t) => t.deploymentId === primaryId)) : undefined;
  const throttled = throttle !== undefined && now < throttle.nextLaunchAt;
  if (throttle && throttled) {
    wake.push(throttle.nextLaunchAt);
    const said = service.events.some((e) => e.message === messages.throttled(service.name) && e.createdAt >= throttle.since);
    if (!said) events.push(messages.throttled(service.name));
  }
  const canStart = !throttled && !rollback && primary?.rolloutState !== 'FAILED';

  // 4. What to start and stop (the deployments as they now stand: a rollback may have made blue PRIMARY again).
  const stopping = new Set(stops.keys());
  const decideIn = deployments[0]?.id === service.deployments[0]?.id ? world : new World({ ...input, service: { ...service, deployments } });
  const sets = usesTaskSets(service) ? taskSetDecisions(decideIn, stopping, canStart) : undefined;
  const d = sets ?? (shift ? shiftDecisions(decideIn, stopping, canStart, shift)
    : service.schedulingStrategy === 'DAEMON' ? daemonDecisions(decideIn, stopping, canStart) : replicaDecisions(decideIn, stopping, canStart));
  for (const t of d.stop) stop(t, stopReasons.scaling(primary?.id ?? t.deploymentId));
  if (stops.size) events.push(messages.stopped(service.name, input.tasks.filter((t) => stops.has(t.id)).map((t) => t.id)));

  // 5. Deployments, events, steady state.
  let next: ServiceRecord = { ...service, desiredCount: service.schedulingStrategy === 'DAEMON' && service.status === 'ACTIVE' ? d.desired : service.desiredCount };
  const liveTasks = input.tasks.filter((t) => world.live(t));
  // Stopping a task on a lost instance (not live) leaves the live tasks as they are, so it does
  // not unsettle the service: otherwise the next reconcile, which no longer stops it, would find
  // the service settled and report a steady state again (a second call that is not a no-op).
  const stoppingLive = liveTasks.some((t) => stops.has(t.id));
  const settled = d.start.length === 0 && !stoppingLive && d.keep.length === d.desired
    && d.keep.every((t) => world.healthy(t)) && liveTasks.length === d.keep.length;
  if (primary) {
    primary.desiredCount = d.desired;
    const shifted = !primary.shift || (shift?.outcome !== undefined && 'complete' in shift.outcome);
    // A rolling deployment watched by alarms bakes once its tasks are all up: it completes only after watching them that long.
    const bakeMs = primary.rolloutState === 'IN_PROGRESS' && !primary.shift && !primary.rollback ? alarmsBakeMs(primary, input.alarms) : 0;
    let baked = true;
    if (bakeMs > 0 && settled && shifted && service.status === 'ACTIVE') {
      primary.alarmsBakeSince ??= now;
      baked = now >= primary.alarmsBakeSince + bakeMs;
      if (!baked) wake.push(primary.alarmsBakeSince + bakeMs);
    } else if (primary.rolloutState === 'IN_PROGRESS' && primary.alarmsBakeSince !== undefined) {
      delete primary.alarmsBakeSince; // unsettled again (a task replaced): the bake starts over once it settles
    }
    if (primary.rolloutState === 'IN_PROGRESS' && settled && shifted && baked && service.status === 'ACTIVE') {
      primary.rolloutState = 'COMPLETED';
      primary.rolloutStateReason = rolloutReasons.completed(primary.id);
      primary.deploymentStatus = primary.rollback ? 'ROLLBACK_SUCCESSFUL' : 'SUCCESSFUL';
      primary.finishedAt = now;
      primary.circuitBreakerComplete = true;
      primary.failedTasks = 0; // as circuitBreaker() reports once monitoring is complete (ECS resets the count)
      events.push(messages.deploymentCompleted(service.name, primary.id));
      next.lastCompleted = {
        deploymentId: primary.id,
        revisionArn: primary.revisionArn,
        spec: {
          taskDefinition: primary.taskDefinition,
          placementConstraints: primary.placementConstraints,
          placementStrategy: primary.placementStrategy,
          deploymentConfiguration: primary.deploymentConfiguration,
        },
      };
      settleRolledBack(deployments, 'ROLLBACK_SUCCESSFUL', now);
    }
  }
  const retired: DeploymentRecord[] = [];
  const kept: DeploymentRecord[] = [];
  deployments.forEach((dep, i) => {
    if (i > 0) dep.desiredCount = 0;
    // Green given back: once its tasks are gone, its rollback is done.
    if (i > 0 && dep.shift && dep.deploymentStatus === 'ROLLBACK_IN_PROGRESS' && !liveTasks.some((t) => t.deploymentId === dep.id)) {
      Object.assign(dep, { deploymentStatus: 'ROLLBACK_SUCCESSFUL', finishedAt: now });
    }
    // A deployment being rolled back stays until its rollback ends, so its outcome is recorded on it.
    const drained = !liveTasks.some((t) => t.deploymentId === dep.id) && dep.deploymentStatus !== 'ROLLBACK_IN_PROGRESS';
    if ((i > 0 || service.status === 'DRAINING') && drained) retired.push({ ...dep, status: 'INACTIVE', updatedAt: now });
    else kept.push(dep);
  });
  next.deployments = kept.map((dep, i) => stamp(dep, service.deployments.find((x) => x.id === dep.id), now, i));
  if (service.status === 'DRAINING' && liveTasks.length === 0) next.status = 'INACTIVE';

  // Task sets: each keeps its own count and says whether it is steady; drained deleted ones go.
  const settledSets = sets && settleTaskSets(service, sets, liveTasks, now);
  if (settledSets) next.taskSets = settledSets.taskSets;
  const steady = next.status === 'ACTIVE' && (settledSets ? settledSets.steady && !stoppingLive
    : next.deployments.length === 1 && next.deployments[0].rolloutState === 'COMPLETED' && settled);
  if (steady && next.steadySince === undefined) {
    events.push(messages.steadyState(service.name));
    next.steadySince = now;
  } else if (!steady) next.steadySince = undefined;
  for (const message of events) next = withEvent(next, message, input.ids, now);

  const changed = JSON.stringify(next) !== JSON.stringify(service);
  if (changed) next = { ...next, version: service.version + 1 };
  return {
    service: next,
    changed,
    retired,
    stop: [...stops.values()],
    start: d.start,
    rollback,
    traffic: trafficOf(next),
    wakeAt: wake.length ? Math.min(...wake) : undefined,
  };
}

/**
 * The deployment alarms in ALARM while a deployment is watched: from when one of its tasks is
 * running until it completes (through a blue/green deployment's bake time). An alarm already in
 * ALARM when the deployment is first looked at does not count against it until it has left ALARM
 * (`alarmsAtStart` keeps those; the deployment is updated in place). A rollback is not watched:
 * the alarm that failed the deployment it replaces may still be in ALARM.
 */
function alarmsInAlarm(world: World, d: DeploymentRecord): string[] {
  const names = watchedAlarms(d);
  if (!names.length || d.rolloutState !== 'IN_PROGRESS' || d.rollback) return [];
  const inAlarm = names.filter((name) => world.input.alarms?.some((a) => a.name === name && a.state === 'ALARM'));
  const atStart = d.alarmsAtStart ?? inAlarm;
  const still = atStart.filter((name) => inAlarm.includes(name));
  if (JSON.stringify(still) !== JSON.stringify(d.alarmsAtStart)) d.alarmsAtStart = still;
  if (!world.input.tasks.some((t) => t.deploymentId === d.id && t.startedAt !== undefined)) return [];
  return inAlarm.filter((name) => !still.includes(name));
}

/** A rolling deployment's alarm bake time: the longest evaluation window of its alarms (ECS computes it from them). */
function alarmsBakeMs(d: DeploymentRecord, alarms: readonly DeploymentAlarm[] | undefined): number {
  const names = watchedAlarms(d);
  return Math.max(0, ...(alarms ?? []).filter((a) => names.includes(a.name)).map((a) => a.windowMs));
}

/** The deployments the PRIMARY rolled back from take the rollback's outcome. */
function settleRolledBack(deployments: DeploymentRecord[], outcome: 'ROLLBACK_SUCCESSFUL' | 'ROLLBACK_FAILED', now: number): void {
  for (const d of deployments.slice(1)) {
    if (d.deploymentStatus === 'ROLLBACK_IN_PROGRESS') Object.assign(d, { deploymentStatus: outcome, finishedAt: now });
  }
}

/** The deployment with `updatedAt` moved when anything else about it changed, and its status by position. */
function stamp(dep: DeploymentRecord, before: DeploymentRecord | undefined, now: number, index: number): DeploymentRecord {
  const status = index === 0 ? 'PRIMARY' : 'ACTIVE';
  const next = { ...dep, status } as DeploymentRecord;
  return before && JSON.stringify(next) === JSON.stringify(before) ? next : { ...next, updatedAt: now };
}

/** A task that stopped on its own account: its essential container exited, it failed to start, or it failed its health checks. */
function failed(t: ObservedTask): boolean {
  return t.stopCode === 'EssentialContainerExited' || t.stopCode === 'TaskFailedToStart' || t.stoppedReason === stopReasons.healthCheck ||
    (t.stoppedReason?.startsWith('Task failed ELB health checks') ?? false);
}

/**
 * The circuit breaker's view of a deployment: the failed tasks it counts since the deployment
 * started, whether that reaches the threshold (0.5 × desired count, between 3 and 200), and
 * whether a task has run healthy long enough that it stops counting.
 */
function circuitBreaker(world: World, d: DeploymentRecord): { failedTasks: number; tripped: boolean; complete: boolean; checkAt?: number } {
  const { now, tasks, service } = world.input;
  const mine = tasks.filter((t) => t.deploymentId === d.id);
  // Task retention keeps a deployment's STOPPED tasks while this counts them (see retention/expiry.ts), but not
  // after: a deployment that tripped, or one whose circuit breaker is off, keeps the count it reached.
  const counted = mine.filter((t) => t.lastStatus === 'STOPPED' && (t.stoppedAt ?? now) >= d.failuresSince && failed(t)).length;
  const failedTasks = d.circuitBreakerComplete ? 0 : Math.max(d.failedTasks, counted);
  const monitoring = d.deploymentConfiguration.deploymentCircuitBreaker.enable && d.rolloutState === 'IN_PROGRESS' && !d.circuitBreakerComplete;
  if (!monitoring) return { failedTasks, tripped: false, complete: false };
  const healthySince = mine.filter((t) => world.healthy(t)).map((t) => t.startedAt ?? now);
  const stableAt = healthySince.length ? Math.min(...healthySince) + CIRCUIT_BREAKER_STABLE_MS : undefined;
  if (stableAt !== undefined && stableAt <= now) return { failedTasks: 0, tripped: false, complete: true };
  const desired = service.schedulingStrategy === 'DAEMON' ? Math.max(mine.length, 1) : service.desiredCount;
  const threshold = circuitBreakerThreshold(desired);
  return { failedTasks, tripped: failedTasks >= threshold, complete: false, checkAt: stableAt };
}


/**
 * The service throttle over one deployment's tasks: after THROTTLE_AFTER_FAILURES tasks in a
 * row stopped without ever reaching RUNNING, launches wait (doubling, up to 15 minutes). A
 * task that reached RUNNING ends the run; tasks stopped by a user or the scheduler do not count.
 * Exported for task retention's tests: what retention deletes must leave its answer unchanged.
 */
export function throttleOf(tasks: readonly ObservedTask[]): { nextLaunchAt: number; since: number } | undefined {
  let failures = 0;
  let latest = -Infinity;
  let since = Infinity;
  for (const t of [...tasks].sort((a, b) => b.createdAt - a.createdAt)) {
    if (t.startedAt !== undefined) break; // reached RUNNING, whether still running or since stopped
    if (t.lastStatus !== 'STOPPED') continue;
    if (t.stopCode === 'UserInitiated' || t.stopCode === 'ServiceSchedulerInitiated') continue;
    failures++;
    latest = Math.max(latest, t.stoppedAt ?? t.createdAt);
    since = Math.min(since, t.stoppedAt ?? t.createdAt);
  }
  if (failures < THROTTLE_AFTER_FAILURES) return undefined;
  const delay = Math.min(THROTTLE_MAX_MS, THROTTLE_BASE_MS * 2 ** (failures - THROTTLE_AFTER_FAILURES));
  return { nextLaunchAt: latest + delay, since };
}
