/**
 * ECS's events on EventBridge's default bus: a task's change, as its agent reported it, is
 * matched against the bus's rules and its deliveries queued in the transaction that records the
 * change, so an event is never lost and never sent for a change that was not committed.
 */
import type { Ids } from '../common/index.ts';
import { taskStateChangeEvent, type TaskRecord } from '../ecs/index.ts';
import { DEFAULT_BUS, enqueueMatches } from '../events/index.ts';
import type { Tx } from '../state/index.ts';

/** Stages the "ECS Task State Change" event of `task` in `tx`. */
export function taskChangeEvents(ids: Ids): (tx: Tx, task: TaskRecord, now: number) => Promise<void> {
  return async (tx, task, now) => {
    const [, , , region = '', account = ''] = task.arn.split(':');
    const e = taskStateChangeEvent(task, now);
    const envelope = {
      version: '0', id: ids.uuid(), 'detail-type': e.detailType, source: e.source, account, time: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region, resources: e.resources, detail: e.detail,
    };
    await enqueueMatches(tx, ids, { account, region }, DEFAULT_BUS, envelope, now);
  };
}
