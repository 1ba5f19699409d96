/**
 * The service's load balancer registrations, decided purely from its tasks and the
 * task-targets records (what ECS registered for each task): a function of what is stored, so a
 * control plane that crashed between two steps re-derives the rest.
 *
 *   task RUNNING, wanted RUNNING, no record       → register its targets (and write the record)
 *   record, task asked to stop (DEACTIVATING)     → deregister; the task stays DEACTIVATING
 *   record draining, delay passed                 → the task goes STOPPING (the agent stops it); record gone
 *   DEACTIVATING task without a record            → STOPPING at once (nothing to drain)
 *   record, task STOPPED or gone                  → deregister if not yet, and forget the record
 *
 * It also sums up each task's target health (all targets healthy → healthy; any unhealthy →
 * unhealthy, with the first such target group; else initial), what the reconciler reads.
 */
import type { ServiceTarget, TargetHealth, TaskTargetsRecord } from '../../ecs/index.ts';
import type { TaskStatus } from '../../common/index.ts';

/** A service task as registration sees it. */
export interface TargetTask {
  id: string;
  arn: string;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  /** The targets it belongs in while it runs; undefined while not known yet (no host port bound yet). */
  wanted?: ServiceTarget[];
}

/** What registration is given: the service's tasks and the task-targets records of its prefix. */
export interface TargetsInput {
  tasks: TargetTask[];
  records: TaskTargetsRecord[];
  now: number;
}

/** What the shell does, all in the reconcile's transaction. */
export interface TargetsPlan {
  /** Register these tasks' targets and write their records. */
  register: { task: TargetTask; targets: ServiceTarget[] }[];
  /** Deregister these records' targets; `hold`: the task waits DEACTIVATING (the record is kept with `drainingUntil`), else the record goes. */
  deregister: { record: TaskTargetsRecord; hold: boolean }[];
  /** DEACTIVATING tasks that may now stop: they go STOPPING. */
  finish: string[];
  /** Records to delete (drained, or their task is gone). */
  forget: TaskTargetsRecord[];
  /** When a drain ends. */
  wakeAt?: number;
}

/** Decides registrations, deregistrations and the end of drains. */
export function planTargets(input: TargetsInput): TargetsPlan {
  const { now } = input;
  const tasks = new Map(input.tasks.map((t) => [t.id, t]));
  const recorded = new Set(input.records.map((r) => r.taskId));
  const plan: TargetsPlan = { register: [], deregister: [], finish: [], forget: [] };
  const wake: number[] = [];
  for (const r of input.records) {
    const t = tasks.get(r.taskId);
    const gone = !t || t.lastStatus === 'STOPPED';
    if (gone) {
      if (r.drainingUntil === undefined) plan.deregister.push({ record: r, hold: false });
      else plan.forget.push(r);
      continue;
    }
    if (t.desiredStatus === 'RUNNING') continue; // registered and wanted
    if (r.drainingUntil === undefined) plan.deregister.push({ record: r, hold: t.lastStatus === 'DEACTIVATING' });
    else if (r.drainingUntil <= now) {
      if (t.lastStatus === 'DEACTIVATING') plan.finish.push(t.id);
      plan.forget.push(r);
    } else wake.push(r.drainingUntil);
  }
  for (const t of input.tasks) {
    if (recorded.has(t.id)) continue;
    if (t.lastStatus === 'DEACTIVATING') plan.finish.push(t.id);
    else if (t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING' && t.wanted?.length) plan.register.push({ task: t, targets: t.wanted });
  }
  if (wake.length) plan.wakeAt = Math.min(...wake);
  return plan;
}

/** A task's load balancer health, summed over its targets. */
export interface TaskTargetHealth {
  state: 'initial' | 'healthy' | 'unhealthy';
  /** The first target found unhealthy: its group, port and why (for ECS's event). */
  unhealthy?: { targetGroupArn: string; id: string; port: number; description?: string };
}

/** All targets healthy: healthy; any unhealthy: unhealthy; otherwise (none yet, or some initial): initial. */
export function taskTargetHealth(targets: readonly ServiceTarget[], health: readonly TargetHealth[]): TaskTargetHealth {
  const i = health.findIndex((h) => h.state === 'unhealthy');
  if (i >= 0) return { state: 'unhealthy', unhealthy: { ...targets[i]!, ...(health[i]!.description !== undefined && { description: health[i]!.description }) } };
  if (targets.length > 0 && health.length === targets.length && health.every((h) => h.state === 'healthy')) return { state: 'healthy' };
  return { state: 'initial' };
}

/** How many targets of each group, in first-seen order (for ECS's "registered N targets in (target-group …)"). */
export function countByGroup(targets: readonly ServiceTarget[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const t of targets) counts.set(t.targetGroupArn, (counts.get(t.targetGroupArn) ?? 0) + 1);
  return [...counts];
}
