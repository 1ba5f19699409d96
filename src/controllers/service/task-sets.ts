/**
 * The scheduler of a service running task sets (EXTERNAL and CODE_DEPLOY controllers): no
 * rollout, no minimumHealthyPercent or maximumPercent between task sets — each task set keeps
 * its computedDesiredCount tasks (the service's desiredCount × its scale, rounded up) and a
 * DRAINING one (deleted) keeps none. Whoever manages the service moves traffic and scale from
 * one task set to another; this only keeps each at its count, reports each one's stability and
 * lets a deleted one go once its tasks are gone.
 */
import { computedDesiredCount, type ServiceRecord, type TaskSetRecord } from '../../ecs/index.ts';
import type { ObservedTask, StartAction, World } from './observe.ts';
import { stopWithin, usefulness, type Decisions } from './replica.ts';

/** The replica scheduler's decisions, and for each task set whether it is steady. */
export interface TaskSetDecisions extends Decisions {
  steady: Map<string, boolean>;
}

/** Most useful first, older first among equals: the tasks a task set keeps when it has too many. */
const byUsefulness = (world: World) => (a: ObservedTask, b: ObservedTask) => usefulness(world, b) - usefulness(world, a) || a.createdAt - b.createdAt;

/**
 * Decides starts and stops for each task set of the service, whose unhealthy and lost tasks
 * were already dealt with (`stopping`). Tasks beyond a task set's count go at once (the least
 * useful first); tasks on DRAINING instances once the task set has its count healthy elsewhere;
 * tasks of no task set at once.
 */
export function taskSetDecisions(world: World, stopping: ReadonlySet<string>, canStart: boolean): TaskSetDecisions {
  const { service, tasks } = world.input;
  const sets = service.taskSets ?? [];
  const active = tasks.filter((t) => world.active(t) && !stopping.has(t.id));
  const onDraining = (t: ObservedTask) => world.instanceOf(t)?.status === 'DRAINING';
  const out: TaskSetDecisions = { start: [], stop: [], keep: [], desired: 0, steady: new Map() };
  const ids = new Set(sets.map((s) => s.id));
  out.stop.push(...active.filter((t) => !ids.has(t.deploymentId)));
  for (const ts of sets) {
    const desired = service.status === 'ACTIVE' && ts.status !== 'DRAINING' ? computedDesiredCount(service, ts) : 0;
    const mine = active.filter((t) => t.deploymentId === ts.id);
    const ranked = mine.filter((t) => !onDraining(t)).sort(byUsefulness(world));
    const keep = ranked.slice(0, desired);
    const surplus = ranked.slice(desired);
    const stops = [...surplus];
    // Tasks on draining instances stay until enough healthy ones run elsewhere (the unhealthy go at once).
    const healthyKept = keep.filter((t) => world.healthy(t)).length;
    stops.push(...stopWithin(world, mine.filter(onDraining), healthyKept - desired + mine.filter((t) => onDraining(t) && world.healthy(t)).length));
    const need = desired - keep.length;
    const start: StartAction[] = canStart && need > 0 ? [{ deploymentId: ts.id, count: need }] : [];
    out.start.push(...start);
    out.stop.push(...stops);
    out.keep.push(...keep);
    out.desired += desired;
    const live = tasks.filter((t) => t.deploymentId === ts.id && world.live(t));
    out.steady.set(ts.id, need === 0 && keep.every((t) => world.healthy(t)) && live.length === keep.length);
  }
  return out;
}

/**
 * The service's task sets after a pass: each one's stabilityStatus as decided (its
 * stabilityStatusAt moved when it changes), and DRAINING ones whose tasks are all gone removed.
 * `steady` is whether every remaining task set is steady and no task of none lives.
 */
export function settleTaskSets(
  service: ServiceRecord, decisions: TaskSetDecisions, liveTasks: readonly ObservedTask[], now: number,
): { taskSets: TaskSetRecord[]; steady: boolean } {
  const taskSets: TaskSetRecord[] = [];
  for (const ts of service.taskSets ?? []) {
    const live = liveTasks.some((t) => t.deploymentId === ts.id);
    if (ts.status === 'DRAINING' && !live) continue;
    const stability = decisions.steady.get(ts.id) ? 'STEADY_STATE' : 'STABILIZING';
    taskSets.push(stability === ts.stabilityStatus ? ts : { ...ts, stabilityStatus: stability, stabilityStatusAt: now });
  }
  const ids = new Set(taskSets.map((t) => t.id));
  const steady = taskSets.every((t) => t.stabilityStatus === 'STEADY_STATE') && liveTasks.every((t) => ids.has(t.deploymentId));
  return { taskSets, steady };
}
