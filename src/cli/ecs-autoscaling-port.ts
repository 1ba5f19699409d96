/**
 * How ECS reads EC2 Auto Scaling groups (for capacity providers): a group by name or ARN, and
 * the group an EC2 instance belongs to, over the autoscaling part's records, read through ECS's
 * own transaction.
 */
import { autoscalingKeys, type GroupRecord } from '../autoscaling/index.ts';
import type { AutoScalingGroupView, AutoScalingGroupsPort } from '../ecs/index.ts';

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
      const groups = await tx.list<GroupRecord>(autoscalingKeys.groups(scope));
      return groups.find((g) => g.instances.some((i) => i.instanceId === ec2InstanceId))?.arn;
    },
  };
}
