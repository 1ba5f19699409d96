/**
 * Pure: the "ECS Container Instance State Change" event ECS sends to EventBridge's default bus
 * whenever a container instance changes — registered, deregistered, its agent connected or not,
 * its status (ACTIVE, DRAINING, INACTIVE), its remaining resources as tasks come and go. The
 * detail is the instance as DescribeContainerInstances shows it (timestamps as ISO strings), with
 * `clusterArn` and `updatedAt`; the instance's ARN is the one resource.
 */
import { toApiInstance, type InstanceTaskCounts } from './instance-view.ts';
import type { ContainerInstanceRecord } from './records.ts';
import type { EcsEvent } from './task-events.ts';

/** The "ECS Container Instance State Change" for `instance` as it is now. */
export function containerInstanceStateChangeEvent(instance: ContainerInstanceRecord, counts: InstanceTaskCounts, now: number): EcsEvent {
  // JSON turns the view's Dates into ISO strings, as ECS writes them.
  const view = JSON.parse(JSON.stringify(toApiInstance(instance, counts))) as Record<string, unknown>;
  return {
    source: 'aws.ecs', detailType: 'ECS Container Instance State Change', resources: [instance.arn],
    detail: { ...view, clusterArn: instance.clusterArn, updatedAt: new Date(now).toISOString() },
  };
}
