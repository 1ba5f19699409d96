/**
 * ECS's events on EventBridge's default bus: a change to a task, a container instance or a
 * service is matched against the bus's rules and its deliveries queued in the transaction that
 * records the change, so an event is never lost and never sent for a change that was not
 * committed. Deliveries queued for one resource are delivered in the order they were queued.
 */
import type { Ids } from '../common/index.ts';
import {
  TASK_INDEX, containerInstanceStateChangeEvent, serviceChangeEvents, taskStateChangeEvent,
  type ContainerInstanceRecord, type EcsChangeHooks, type EcsEvent, type EcsInformers, type TaskRecord,
} from '../ecs/index.ts';
import { DEFAULT_BUS, enqueueMatches } from '../events/index.ts';
import type { Tx } from '../state/index.ts';

/** An event from an AWS service, on its way to the default bus of the account and region its first resource names. */
export interface ServiceEvent {
  source: string;
  detailType: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** Stages `e` on the default bus of `scope` (default: the account and region of its first resource) through `tx`. */
export async function stageServiceEvent(tx: Tx, ids: Ids, e: ServiceEvent, now: number, scope?: { account: string; region: string }): Promise<void> {
  const [, , , region = '', account = ''] = (e.resources[0] ?? '').split(':');
  const where = scope ?? { account, region };
  const envelope = {
    version: '0', id: ids.uuid(), 'detail-type': e.detailType, source: e.source, account: where.account,
    time: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'), region: where.region, resources: e.resources, detail: e.detail,
  };
  await enqueueMatches(tx, ids, where, DEFAULT_BUS, envelope, now);
}

/** Stages the "ECS Task State Change" event of `task` in `tx`. */
export function taskChangeEvents(ids: Ids): (tx: Tx, task: TaskRecord, now: number) => Promise<void> {
  return (tx, task, now) => stageServiceEvent(tx, ids, taskStateChangeEvent(task, now), now);
}

const PENDING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

/**
 * Stages the "ECS Container Instance State Change" event of `instance` in `tx`, its task counts
 * read from the informers' index of tasks by instance (as committed before this change).
 */
export function instanceChangeEvents(ids: Ids, informers: EcsInformers): (tx: Tx, instance: ContainerInstanceRecord, now: number) => Promise<void> {
  return (tx, instance, now) => {
    const tasks = informers.tasks.byIndex(TASK_INDEX.containerInstance, instance.id).map((d) => d.value);
    const counts = { running: tasks.filter((t) => t.lastStatus === 'RUNNING').length, pending: tasks.filter((t) => PENDING.has(t.lastStatus)).length };
    return stageServiceEvent(tx, ids, containerInstanceStateChangeEvent(instance, counts, now), now);
  };
}

/** ECS's change hooks: each instance's and each service's events staged in the transaction that changes it. */
export function ecsChangeEvents(ids: Ids, informers: EcsInformers): EcsChangeHooks {
  return {
    instanceChanged: instanceChangeEvents(ids, informers),
    serviceChanged: async (tx, change, now) => {
      for (const e of serviceChangeEvents(change, now) satisfies EcsEvent[]) await stageServiceEvent(tx, ids, e, now);
    },
  };
}
