/**
 * EC2's "EC2 Instance State-change Notification" on EventBridge's default bus: staged in the
 * transaction that records an instance's new state, as ECS's events are.
 */
import type { Ids } from '../common/index.ts';
import type { InstanceRecord } from '../instances/index.ts';
import type { Tx } from '../state/index.ts';
import { stageServiceEvent } from './ecs-events.ts';

/** Stages the state-change notification of `instance` (in its account, and the region of its zone: `<region><letter>`) through `tx`. */
export function instanceStateEvents(ids: Ids): (tx: Tx, instance: InstanceRecord, now: number) => Promise<void> {
  return (tx, instance, now) => stageServiceEvent(tx, ids, {
    source: 'aws.ec2',
    detailType: 'EC2 Instance State-change Notification',
    resources: [`arn:aws:ec2:${instance.availabilityZone.slice(0, -1)}:${instance.ownerId}:instance/${instance.instanceId}`],
    detail: { 'instance-id': instance.instanceId, state: instance.state },
  }, now);
}
