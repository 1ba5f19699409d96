/**
 * Pure: the events ECS sends to EventBridge's default bus, shaped exactly as AWS sends them. An
 * "ECS Task State Change" carries the task as DescribeTasks shows it (timestamps as ISO strings)
 * with `updatedAt`, the task's ARN in `resources`.
 */
import type { TaskRecord } from './records.ts';
import { toApiTask } from './task-view.ts';

/** An event for EventBridge: its envelope fields, and `detail` as an object. */
export interface EcsEvent {
  source: 'aws.ecs';
  detailType: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** The "ECS Task State Change" for `task` as it is now. */
export function taskStateChangeEvent(task: TaskRecord, now: number): EcsEvent {
  // JSON turns the view's Dates into ISO strings, as ECS writes them.
  const detail = JSON.parse(JSON.stringify(toApiTask(task))) as Record<string, unknown>;
  delete detail.tags;
  return { source: 'aws.ecs', detailType: 'ECS Task State Change', resources: [task.arn], detail: { ...detail, updatedAt: new Date(now).toISOString() } };
}
