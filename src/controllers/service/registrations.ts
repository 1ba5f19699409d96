/**
 * The service controller's load balancer step, inside its transaction: read what ECS registered
 * for the service's tasks (the task-targets records) and what the data plane says of those
 * targets' health, then apply `planTargets` — registrations, deregistrations, the end of
 * drains — through the ECS domain's `TargetsPort`, with ECS's events.
 */
import type { LoadBalancer } from '@aws-sdk/client-ecs';
import type { Tx } from '../../state/index.ts';
import {
  launchSpecOf, scopeOfService, stageDrained, usesTaskSets, targetsOfTask, taskTargetsKeys, type ContainerInstanceRecord, type ServiceRecord, type TargetsPort,
  type TaskRecord, type TaskTargetsRecord,
} from '../../ecs/index.ts';
import { messages } from './messages.ts';
import { countByGroup, planTargets, taskTargetHealth, type TaskTargetHealth } from './targets.ts';

/**
 * The load balancers a task of the service is registered with: its deployment's or task set's
 * (the service's for older records; none for a task of no task set of a service running task sets).
 */
export function loadBalancersOf(service: ServiceRecord, task: Pick<TaskRecord, 'startedBy'>): LoadBalancer[] {
  return launchSpecOf(service, task.startedBy)?.loadBalancers ?? (usesTaskSets(service) ? [] : service.loadBalancers);
}

/** What the reconciler needs of the service's registrations: the records, and each registered task's target health. */
export interface ObservedTargets {
  records: TaskTargetsRecord[];
  health: Map<string, TaskTargetHealth>;
}

/** Reads the service's task-targets records (through `tx`) and their targets' health (from the port, outside the transaction). */
export async function observeTargets(tx: Tx, port: TargetsPort, service: ServiceRecord): Promise<ObservedTargets> {
  const scope = scopeOfService(service);
  const records = await tx.list<TaskTargetsRecord>(taskTargetsKeys.ofService(scope, service.clusterName, service.name));
  const health = new Map<string, TaskTargetHealth>();
  for (const r of records) {
    if (r.drainingUntil !== undefined) continue;
    const found = await port.health(scope, r.targets.map((t) => ({ ...t, registeredAt: r.registeredAt })));
    health.set(r.taskId, taskTargetHealth(r.targets, found));
  }
  return { records, health };
}

/** What applying the step left to say and when to look again. */
export interface TargetsOutcome {
  events: string[];
  /** Failures to say once (not again while they are the service's last event). */
  notes: string[];
  wakeAt?: number;
}

/**
 * Applies the registration plan for the service's tasks as they are after this pass's stops
 * (`tasks`, by id, updated in place as tasks move on): registers RUNNING tasks, deregisters
 * those asked to stop (DEACTIVATING until their group's deregistration delay passes), moves
 * drained tasks to STOPPING, and forgets records whose task is gone.
 */
export async function applyTargets(
  tx: Tx, port: TargetsPort, service: ServiceRecord, tasks: Map<string, TaskRecord>, observed: ObservedTargets,
  instances: ReadonlyMap<string, ContainerInstanceRecord>, now: number,
): Promise<TargetsOutcome> {
  const scope = scopeOfService(service);
  const out: TargetsOutcome = { events: [], notes: [] };
  const wake: number[] = [];
  const plan = planTargets({
    now,
    records: observed.records,
    tasks: [...tasks.values()].map((t) => ({
      id: t.id, arn: t.arn, lastStatus: t.lastStatus, desiredStatus: t.desiredStatus,
      wanted: targetsOfTask(t, t.containerInstanceId ? instances.get(t.containerInstanceId) : undefined, loadBalancersOf(service, t)),
    })),
  });
  if (plan.wakeAt !== undefined) wake.push(plan.wakeAt);
  const recordKey = (taskId: string) => taskTargetsKeys.ofTask(scope, service.clusterName, service.name, taskId);
  const finish = (taskId: string) => {
    const t = tasks.get(taskId);
    if (t) tasks.set(taskId, stageDrained(tx, t, now));
  };

  // Registrations, one call per target group.
  const registered = [];
  for (const { task, targets } of plan.register) {
    let ok = true;
    for (const [arn] of countByGroup(targets)) {
      const refused = await port.register(tx, now, scope, arn, targets.filter((t) => t.targetGroupArn === arn).map(({ id, port: p }) => ({ id, port: p })));
      if (refused !== undefined) {
        out.notes.push(messages.registerFailed(service.name, arn, refused));
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    tx.put<TaskTargetsRecord>(recordKey(task.id), { taskArn: task.arn, taskId: task.id, serviceName: service.name, targets, registeredAt: now });
    registered.push(...targets);
  }
  for (const [arn, n] of countByGroup(registered)) out.events.push(messages.registeredTargets(service.name, n, arn));

  // Deregistrations: draining starts now; held tasks wait for it.
  const deregistered = [];
  let draining = 0;
  for (const { record, hold } of plan.deregister) {
    let until = now;
    for (const [arn] of countByGroup(record.targets)) {
      const targets = record.targets.filter((t) => t.targetGroupArn === arn).map(({ id, port: p }) => ({ id, port: p }));
      until = Math.max(until, await port.deregister(tx, now, scope, arn, targets));
    }
    deregistered.push(...record.targets);
    draining++;
    if (hold && until > now) {
      tx.put<TaskTargetsRecord>(recordKey(record.taskId), { ...record, drainingUntil: until });
      wake.push(until);
    } else {
      tx.delete(recordKey(record.taskId));
      if (hold) finish(record.taskId);
    }
  }
  if (draining) out.events.push(messages.drainingTasks(service.name, draining));
  for (const [arn, n] of countByGroup(deregistered)) out.events.push(messages.deregisteredTargets(service.name, n, arn));

  for (const r of plan.forget) tx.delete(recordKey(r.taskId));
  for (const id of plan.finish) finish(id);
  if (wake.length) out.wakeAt = Math.min(...wake);
  return out;
}
