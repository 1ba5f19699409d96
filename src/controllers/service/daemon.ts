/**
 * The DAEMON scheduler: exactly one task of the PRIMARY deployment on every ACTIVE instance
 * the service's constraints admit, following instances as they join, drain and leave.
 * maximumPercent is 100 for daemons, so a new revision replaces an instance's old task by
 * stopping it first, as many instances at a time as minimumHealthyPercent allows.
 */
import type { ObservedTask, StartAction, World } from './observe.ts';
import { stopWithin, type Decisions } from './replica.ts';

/** Decides starts and stops for a DAEMON service (`stopping` are being stopped in this plan already). */
export function daemonDecisions(world: World, stopping: ReadonlySet<string>, canStart: boolean): Decisions {
  const { service } = world.input;
  const primary = service.deployments[0];
  const eligible = service.status === 'ACTIVE'
    ? world.input.instances.filter((i) => i.status === 'ACTIVE' && i.eligible && !world.isLost(i.id))
    : [];
  const desired = eligible.length;
  const minHealthy = Math.ceil((desired * service.deploymentConfiguration.minimumHealthyPercent) / 100);

  const active = world.input.tasks.filter((t) => world.active(t) && !stopping.has(t.id));
  const byInstance = new Map<string, ObservedTask[]>();
  for (const t of active) {
    const list = byInstance.get(t.instanceId ?? '') ?? [];
    list.push(t);
    byInstance.set(t.instanceId ?? '', list);
  }

  const start: StartAction[] = [];
  const stop: ObservedTask[] = [];
  const keep: ObservedTask[] = [];
  const replaceable: ObservedTask[] = [];
  const eligibleIds = new Set(eligible.map((i) => i.id));
  for (const [instanceId, tasks] of byInstance) {
    if (!eligibleIds.has(instanceId)) stop.push(...tasks); // drained, left, or no longer admitted
  }
  for (const instance of eligible) {
    const here = byInstance.get(instance.id) ?? [];
    const own = here.filter((t) => primary && t.deploymentId === primary.id).sort((a, b) => a.createdAt - b.createdAt);
    const old = here.filter((t) => !own.includes(t));
    if (own.length) {
      keep.push(own[0]);
      stop.push(...own.slice(1), ...old); // duplicates
    } else if (old.length) {
      replaceable.push(...old);
    } else if (canStart && primary && !world.input.tasks.some((t) => t.instanceId === instance.id && world.live(t))) {
      start.push({ deploymentId: primary.id, count: 1, instanceId: instance.id });
    }
  }
  const budget = active.filter((t) => world.healthy(t) && !stop.includes(t)).length - minHealthy;
  stop.push(...stopWithin(world, replaceable.sort((a, b) => a.createdAt - b.createdAt), budget));
  return { start, stop, keep, desired };
}
