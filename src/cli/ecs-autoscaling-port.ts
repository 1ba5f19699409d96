/**
 * How ECS reads EC2 Auto Scaling groups (for capacity providers): a group by name or ARN, and
 * the group an EC2 instance belongs to (by the `aws:autoscaling:groupName` tag the group launched
 * it with), over the autoscaling and instances parts' records, read through ECS's own transaction.
 */
import { autoscalingKeys, type GroupRecord } from '../autoscaling/index.ts';
import type { AutoScalingGroupView, AutoScalingGroupsPort } from '../ecs/index.ts';
import { instanceKeys, type InstanceRecord } from '../instances/index.ts';

const view = (g: GroupRecord): AutoScalingGroupView => ({ arn: g.arn, name: g.name, newInstancesProtectedFromScaleIn: g.newInstancesProtectedFromScaleIn });

/** The Auto Scaling groups port over the store. */
export function ecsAutoScalingGroupsPort(): AutoScalingGroupsPort {
  return {
    async group(tx, scope, ref) {
      // An ARN ends `autoScalingGroupName/<name>`; the group must be that very one (its uuid too).
      const name = ref.startsWith('arn:') ? ref.slice(ref.indexOf('autoScalingGroupName/') + 'autoScalingGroupName/'.length) : ref;
      const g = await tx.get<GroupRecord>(autoscalingKeys.group(scope, name));
      if (!g || g.status !== undefined) return undefined;
      return ref.startsWith('arn:') && g.arn !== ref ? undefined : view(g);
    },
    async groupOfInstance(tx, scope, ec2InstanceId) {
      // The tag the group put on the instance at launch: there from the launch on, before the group records the instance's id.
      const instance = await tx.get<InstanceRecord>(instanceKeys.instance(scope, ec2InstanceId));
      const name = instance?.tags.find((t) => t.key === 'aws:autoscaling:groupName')?.value;
      if (name !== undefined) return (await tx.get<GroupRecord>(autoscalingKeys.group(scope, name)))?.arn;
      // No such tag (instances from another instances port): the group that lists it.
      const groups = await tx.list<GroupRecord>(autoscalingKeys.groups(scope));
      return groups.find((g) => g.instances.some((i) => i.instanceId === ec2InstanceId))?.arn;
    },
  };
}
