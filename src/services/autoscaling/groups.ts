/**
 * Group operations: CreateAutoScalingGroup, UpdateAutoScalingGroup, DeleteAutoScalingGroup,
 * SetDesiredCapacity, DescribeAutoScalingGroups (names, tag filters, paging),
 * DescribeAccountLimits and DescribeLifecycleHooks (Wharf runs no lifecycle hooks: always none).
 */
import type { CreateAutoScalingGroupType, UpdateAutoScalingGroupType } from '@aws-sdk/client-auto-scaling';
import { requestTagConditions, type RequestContext } from '../../aws/index.ts';
import * as asg from '../../autoscaling/index.ts';
import { envOf, groupArnOf, groupOut, groupResource, need, page, scopeOf, type AutoScalingDeps, type AutoScalingOperationTable } from './common.ts';


/** The launch source a request gives besides a launch template (refused by the domain). */
const otherSource = (i: CreateAutoScalingGroupType | UpdateAutoScalingGroupType) =>
  i.LaunchConfigurationName !== undefined ? 'LaunchConfigurationName' as const
    : 'InstanceId' in i && i.InstanceId !== undefined ? 'InstanceId' as const
      : i.MixedInstancesPolicy !== undefined ? 'MixedInstancesPolicy' as const : undefined;

const common = (i: CreateAutoScalingGroupType | UpdateAutoScalingGroupType) => ({
  ...(i.LaunchTemplate ? {
    launchTemplate: { launchTemplateId: i.LaunchTemplate.LaunchTemplateId, launchTemplateName: i.LaunchTemplate.LaunchTemplateName, version: i.LaunchTemplate.Version },
  } : {}),
  ...(otherSource(i) ? { otherLaunchSource: otherSource(i) } : {}),
  vpcZoneIdentifier: i.VPCZoneIdentifier, availabilityZones: i.AvailabilityZones, defaultCooldown: i.DefaultCooldown,
  healthCheckType: i.HealthCheckType, healthCheckGracePeriod: i.HealthCheckGracePeriod, newInstancesProtectedFromScaleIn: i.NewInstancesProtectedFromScaleIn,
  terminationPolicies: i.TerminationPolicies, capacityRebalance: i.CapacityRebalance, defaultInstanceWarmup: i.DefaultInstanceWarmup,
  maxInstanceLifetime: i.MaxInstanceLifetime, serviceLinkedRoleArn: i.ServiceLinkedRoleARN, context: i.Context,
});

/** Drops the members a request left out, so `undefined` never overwrites a kept value. */
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The group operations. */
export function groupOperations(deps: AutoScalingDeps): AutoScalingOperationTable {
  const env = envOf(deps);
  const onGroup = async (i: { AutoScalingGroupName?: string }, ctx: RequestContext) => [await groupArnOf(deps, ctx, i.AutoScalingGroupName)];
  return {
    CreateAutoScalingGroup: {
      authorization: { resources: (i, ctx) => [groupResource(ctx, i.AutoScalingGroupName)], conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        const name = need(i.AutoScalingGroupName, 'autoScalingGroupName');
        await asg.createGroup(env, scopeOf(ctx), defined({
          name, minSize: need(i.MinSize, 'minSize'), maxSize: need(i.MaxSize, 'maxSize'), desiredCapacity: i.DesiredCapacity, ...common(i),
          loadBalancerNames: i.LoadBalancerNames, targetGroupArns: i.TargetGroupARNs,
          tags: i.Tags?.map((t) => ({ resourceId: t.ResourceId, resourceType: t.ResourceType, key: t.Key ?? '', value: t.Value, propagateAtLaunch: t.PropagateAtLaunch })),
        }));
        return {};
      },
    },
    UpdateAutoScalingGroup: {
      authorization: { resources: onGroup },
      handler: async (i, ctx) => {
        await asg.updateGroup(env, scopeOf(ctx), defined({
          name: need(i.AutoScalingGroupName, 'autoScalingGroupName'), minSize: i.MinSize, maxSize: i.MaxSize, desiredCapacity: i.DesiredCapacity, ...common(i),
        }));
        return {};
      },
    },
    DeleteAutoScalingGroup: {
      authorization: { resources: onGroup },
      handler: async (i, ctx) => {
        await asg.deleteGroup(env, scopeOf(ctx), need(i.AutoScalingGroupName, 'autoScalingGroupName'), i.ForceDelete ?? false);
        return {};
      },
    },
    SetDesiredCapacity: {
      authorization: { resources: onGroup },
      handler: async (i, ctx) => {
        await asg.setDesiredCapacity(env, scopeOf(ctx), need(i.AutoScalingGroupName, 'autoScalingGroupName'), need(i.DesiredCapacity, 'desiredCapacity'), i.HonorCooldown ?? false);
        return {};
      },
    },
    DescribeAutoScalingGroups: {
      handler: async (i, ctx) => {
        const filters = (i.Filters ?? []).map((f) => ({ name: f.Name ?? '', values: f.Values ?? [] }));
        const all = (await asg.describeGroups(env, scopeOf(ctx), i.AutoScalingGroupNames)).filter((g) => asg.groupMatches(g, filters));
        const { items, nextToken } = page(all, (g) => g.name, i.NextToken, i.MaxRecords, 50);
        return { AutoScalingGroups: items.map(groupOut), ...(nextToken ? { NextToken: nextToken } : {}) };
      },
    },
    DescribeAccountLimits: {
      handler: async (_i, ctx) => ({
        MaxNumberOfAutoScalingGroups: asg.MAX_GROUPS, MaxNumberOfLaunchConfigurations: 200,
        NumberOfAutoScalingGroups: (await asg.describeGroups(env, scopeOf(ctx))).length, NumberOfLaunchConfigurations: 0,
      }),
    },
    DescribeLifecycleHooks: {
      authorization: { resources: onGroup },
      handler: async (i, ctx) => {
        await asg.getGroup(env, scopeOf(ctx), need(i.AutoScalingGroupName, 'autoScalingGroupName'));
        return { LifecycleHooks: [] };
      },
    },
  };
}
