/**
 * The REPLICA scheduler's rolling update: which tasks to start and which to stop so the
 * PRIMARY deployment reaches the desired count while
 *
 *   live tasks   ≤ floor(desiredCount × maximumPercent / 100)       (never started beyond)
 *   healthy tasks ≥ ceil(desiredCount × minimumHealthyPercent / 100)  (never stopped below)
 *
 * Live tasks include those still stopping, so the bound holds at every instant, not only
 * between reconciles. Tasks of older deployments, tasks on DRAINING instances and tasks beyond
 * the desired count are "retiring": replaced first where maximumPercent leaves room, stopped as
 * minimumHealthyPercent allows (the unhealthy ones at once, since they count for nothing).
 */
import type { ObservedTask, StartAction, World } from './observe.ts';

/** What a scheduler decided: tasks to start, and retiring tasks to stop with the deployment responsible. */
export interface Decisions {
  start: StartAction[];
  stop: ObservedTask[];
  /** Active tasks that are the deployment's own and wanted: rollout is complete when all are healthy and nothing else lives. */
  keep: ObservedTask[];
  /** How many tasks the PRIMARY deployment wants. */
  desired: number;
}

/**
 * Decides starts and stops for a REPLICA service whose unhealthy and lost tasks were already
 * dealt with (`stopping` are being stopped in this same plan). `canStart` is false while the
 * service is throttled or its deployment has failed.
 */
export function replicaDecisions(world: World, stopping: ReadonlySet<string>, canStart: boolean): Decisions {
  const { service } = world.input;
  const primary = service.deployments[0];
  const desired = service.status === 'ACTIVE' ? service.desiredCount : 0;
  const { maximumPercent, minimumHealthyPercent } = service.deploymentConfiguration;
  const maxLive = Math.floor((desired * maximumPercent) / 100);
  const minHealthy = Math.ceil((desired * minimumHealthyPercent) / 100);

  const tasks = world.input.tasks;
  const active = tasks.filter((t) => world.active(t) && !stopping.has(t.id));
  const draining = (t: ObservedTask) => world.instanceOf(t)?.status === 'DRAINING';
  let keep = active.filter((t) => primary && t.deploymentId === primary.id && !draining(t));
  const retiring = active.filter((t) => !keep.includes(t));
  if (keep.length > desired) {
    // Scale-in (or duplicates back from a lost instance): the least useful go first.
    const ranked = [...keep].sort((a, b) => usefulness(world, b) - usefulness(world, a) || a.createdAt - b.createdAt);
    retiring.push(...ranked.slice(desired));
    keep = ranked.slice(0, desired);
  }

  const live = tasks.filter((t) => world.live(t)).length;
  const room = maxLive - live;
  const need = desired - keep.length;
  const start: StartAction[] = canStart && primary && need > 0 && room > 0 ? [{ deploymentId: primary.id, count: Math.min(need, room) }] : [];

  const budget = active.filter((t) => world.healthy(t)).length - minHealthy;
  const stop = stopWithin(world, retiring.sort((a, b) => usefulness(world, a) - usefulness(world, b) || a.createdAt - b.createdAt), budget);
  return { start, stop, keep, desired };
}

/**
 * Which retiring tasks to stop, in the order given: unhealthy ones at once (they count for
 * nothing toward minimumHealthyPercent), healthy ones while `budget` (healthy tasks above the
 * minimum) lasts.
 */
export function stopWithin(world: World, retiring: ObservedTask[], budget: number): ObservedTask[] {
  const stop: ObservedTask[] = [];
  for (const t of retiring) {
    if (!world.healthy(t)) stop.push(t);
    else if (budget > 0) {
      stop.push(t);
      budget--;
    }
  }
  return stop;
}

/** Healthy tasks are worth more than running ones, which are worth more than pending ones. */
export function usefulness(world: World, t: ObservedTask): number {
  if (world.healthy(t)) return 2;
  return t.lastStatus === 'RUNNING' ? 1 : 0;
}
