/**
 * A group's instances as users act on them: SetInstanceProtection and
 * TerminateInstanceInAutoScalingGroup (which marks the instance Terminating with its activity;
 * the controller terminates it through the instances port).
 */
import { transact } from '../state/index.ts';
import { newActivity, stageActivity, stageActivityTrim, userTerminateCause } from './activities.ts';
import type { AutoScalingEnv } from './env.ts';
import { AutoScalingErrors } from './errors.ts';
import { findInstance } from './groups.ts';
import { autoscalingKeys, countedInstances, type ActivityRecord, type GroupRecord, type Scope } from './records.ts';

/** SetInstanceProtection: every instance must be the group's. */
export async function setInstanceProtection(env: AutoScalingEnv, scope: Scope, groupName: string, instanceIds: readonly string[], protectedFromScaleIn: boolean): Promise<void> {
  await transact(env.store, async (tx) => {
    const key = autoscalingKeys.group(scope, groupName);
    const g = await tx.get<GroupRecord>(key);
    if (!g) throw AutoScalingErrors.groupNotFound(groupName);
    for (const id of instanceIds) if (!g.instances.some((i) => i.instanceId === id)) throw AutoScalingErrors.notInGroup(id, groupName);
    tx.put(key, { ...g, instances: g.instances.map((i) => (instanceIds.includes(i.instanceId) ? { ...i, protectedFromScaleIn } : i)) } satisfies GroupRecord);
  });
}

/**
 * TerminateInstanceInAutoScalingGroup: the instance leaves service at once; with
 * `shouldDecrement` the group's desired capacity goes down by one (never below its minimum),
 * else the controller launches a replacement.
 */
export async function terminateInstanceInGroup(env: AutoScalingEnv, scope: Scope, instanceId: string, shouldDecrement: boolean): Promise<ActivityRecord> {
  const found = await findInstance(env, scope, instanceId);
  if (!found) throw AutoScalingErrors.instanceNotFound(instanceId);
  const now = env.clock.now();
  return transact(env.store, async (tx) => {
    const key = autoscalingKeys.group(scope, found.group.name);
    const g = await tx.get<GroupRecord>(key);
    const instance = g?.instances.find((i) => i.instanceId === instanceId);
    if (!g || !instance || !countedInstances(g).includes(instance)) throw AutoScalingErrors.instanceNotFound(instanceId);
    if (shouldDecrement && g.desiredCapacity <= g.minSize) {
      throw AutoScalingErrors.validation(`Currently, desiredSize equals minSize (${g.minSize}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`);
    }
    const cause = userTerminateCause(now, instanceId, shouldDecrement ? { from: g.desiredCapacity, to: g.desiredCapacity - 1 } : undefined);
    const activity = newActivity(g, env.ids.uuid(), now, `Terminating EC2 instance: ${instanceId}`, cause, { 'Subnet ID': instance.subnetId, 'Availability Zone': instance.availabilityZone });
    await stageActivityTrim(tx, scope, g.name, 1);
    stageActivity(tx, scope, activity);
    tx.put(key, {
      ...g,
      ...(shouldDecrement ? { desiredCapacity: g.desiredCapacity - 1, lastScaledAt: now } : {}),
      instances: g.instances.map((i) => (i.instanceId === instanceId ? { ...i, lifecycleState: 'Terminating' as const, activityId: activity.id, decrement: shouldDecrement } : i)),
    } satisfies GroupRecord);
    return activity;
  });
}
