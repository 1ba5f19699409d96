/**
 * Instance and activity operations: DescribeAutoScalingInstances, SetInstanceProtection,
 * TerminateInstanceInAutoScalingGroup and DescribeScalingActivities.
 */
import * as asg from '../../autoscaling/index.ts';
import { activityOut, envOf, groupArnOf, groupResource, instanceDetailsOut, need, page, scopeOf, type AutoScalingDeps, type AutoScalingOperationTable } from './common.ts';

/** The instance and activity operations. */
export function instanceOperations(deps: AutoScalingDeps): AutoScalingOperationTable {
  const env = envOf(deps);
  return {
    DescribeAutoScalingInstances: {
      handler: async (i, ctx) => {
        const wanted = i.InstanceIds?.length ? new Set(i.InstanceIds) : undefined;
        const all = (await asg.describeGroups(env, scopeOf(ctx)))
          .flatMap((g) => g.instances.filter((x) => x.lifecycleState !== 'Terminated' && (!wanted || wanted.has(x.instanceId))).map((x) => ({ g, x })))
          .sort((a, b) => (a.x.instanceId < b.x.instanceId ? -1 : 1));
        const { items, nextToken } = page(all, (e) => e.x.instanceId, i.NextToken, i.MaxRecords, 50);
        return { AutoScalingInstances: items.map((e) => instanceDetailsOut(e.g, e.x)), ...(nextToken ? { NextToken: nextToken } : {}) };
      },
    },
    SetInstanceProtection: {
      authorization: { resources: async (i, ctx) => [await groupArnOf(deps, ctx, i.AutoScalingGroupName)] },
      handler: async (i, ctx) => {
        await asg.setInstanceProtection(env, scopeOf(ctx), need(i.AutoScalingGroupName, 'autoScalingGroupName'), need(i.InstanceIds, 'instanceIds'), need(i.ProtectedFromScaleIn, 'protectedFromScaleIn'));
        return {};
      },
    },
    TerminateInstanceInAutoScalingGroup: {
      authorization: {
        // The group is not named: it is the instance's, found when the request runs.
        resources: async (i, ctx) => {
          const found = i.InstanceId ? await asg.findInstance(env, scopeOf(ctx), i.InstanceId) : undefined;
          return [found ? found.group.arn : groupResource(ctx, undefined)];
        },
      },
      handler: async (i, ctx) => {
        const activity = await asg.terminateInstanceInGroup(env, scopeOf(ctx), need(i.InstanceId, 'instanceId'), need(i.ShouldDecrementDesiredCapacity, 'shouldDecrementDesiredCapacity'));
        return { Activity: activityOut(activity) };
      },
    },
    DescribeScalingActivities: {
      handler: async (i, ctx) => {
        let all = await asg.describeActivities(env, scopeOf(ctx), i.AutoScalingGroupName);
        if (i.ActivityIds?.length) all = all.filter((a) => i.ActivityIds!.includes(a.id));
        if (i.Filters?.length) throw asg.AutoScalingErrors.validation('Filters: DescribeScalingActivities filters are not supported by Wharf.');
        // The page key follows the listing's order: in progress first, then newest first.
        const key = (a: asg.ActivityRecord) => `${a.endTime === undefined ? 0 : 1}/${String(Number.MAX_SAFE_INTEGER - a.startTime).padStart(16, '0')}/${a.id}`;
        const { items, nextToken } = page(all, key, i.NextToken, i.MaxRecords, 100);
        return { Activities: items.map(activityOut), ...(nextToken ? { NextToken: nextToken } : {}) };
      },
    },
  };
}
