/**
 * Target group operations: CreateTargetGroup, ModifyTargetGroup, DescribeTargetGroups,
 * DeleteTargetGroup, their attributes, RegisterTargets, DeregisterTargets and DescribeTargetHealth.
 */
import { formatArn, requestTagConditions, type RequestContext } from '../../aws/index.ts';
import * as lb from '../../lb/index.ts';
import { attributesIn, attributesOut, envOf, need, page, scopeOf, tagsIn, targetGroupOut, targetsIn, type Elbv2Deps, type Elbv2OperationTable } from './common.ts';

const onTargetGroup = (i: { TargetGroupArn?: string }) => [i.TargetGroupArn ?? '*'];
const newTargetGroup = (i: { Name?: string }, ctx: RequestContext) => [formatArn('elasticloadbalancing', ctx.region, ctx.account, `targetgroup/${i.Name ?? '*'}/*`)];

interface HealthCheckMembers {
  HealthCheckEnabled?: boolean; HealthCheckProtocol?: string; HealthCheckPort?: string; HealthCheckPath?: string; HealthCheckIntervalSeconds?: number;
  HealthCheckTimeoutSeconds?: number; HealthyThresholdCount?: number; UnhealthyThresholdCount?: number; Matcher?: { HttpCode?: string; GrpcCode?: string };
}

const healthCheckIn = (i: HealthCheckMembers): lb.HealthCheckInput => ({
  enabled: i.HealthCheckEnabled, protocol: i.HealthCheckProtocol, port: i.HealthCheckPort, path: i.HealthCheckPath, intervalSeconds: i.HealthCheckIntervalSeconds,
  timeoutSeconds: i.HealthCheckTimeoutSeconds, healthyThresholdCount: i.HealthyThresholdCount, unhealthyThresholdCount: i.UnhealthyThresholdCount,
  ...(i.Matcher ? { matcher: { ...(i.Matcher.HttpCode !== undefined ? { httpCode: i.Matcher.HttpCode } : {}), ...(i.Matcher.GrpcCode !== undefined ? { grpcCode: i.Matcher.GrpcCode } : {}) } } : {}),
});

/** The target group operations. */
export function targetGroupOperations(deps: Elbv2Deps): Elbv2OperationTable {
  const env = envOf(deps);
  return {
    CreateTargetGroup: {
      authorization: { resources: newTargetGroup, conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        const record = await lb.createTargetGroup(env, scopeOf(ctx), {
          name: need(i.Name, 'name'), targetType: i.TargetType, protocol: i.Protocol, protocolVersion: i.ProtocolVersion, port: i.Port, vpcId: i.VpcId,
          ipAddressType: i.IpAddressType, healthCheck: healthCheckIn(i), tags: tagsIn(i.Tags),
        });
        return { TargetGroups: [targetGroupOut(record)] };
      },
    },
    ModifyTargetGroup: {
      authorization: { resources: onTargetGroup },
      handler: async (i, ctx) => ({ TargetGroups: [targetGroupOut(await lb.modifyTargetGroup(deps.store, scopeOf(ctx), need(i.TargetGroupArn, 'targetGroupArn'), healthCheckIn(i)))] }),
    },
    DescribeTargetGroups: {
      handler: async (i, ctx) => {
        const all = await lb.describeTargetGroups(deps.store, scopeOf(ctx), { loadBalancerArn: i.LoadBalancerArn, arns: i.TargetGroupArns, names: i.Names });
        const { items, NextMarker } = page(all, (r) => `${String(r.createdAt).padStart(15, '0')}/${r.id}`, i.Marker, i.PageSize);
        return { TargetGroups: items.map(targetGroupOut), ...(NextMarker ? { NextMarker } : {}) };
      },
    },
    DeleteTargetGroup: {
      authorization: { resources: onTargetGroup },
      handler: async (i, ctx) => {
        await lb.deleteTargetGroup(deps.store, scopeOf(ctx), need(i.TargetGroupArn, 'targetGroupArn'));
        return {};
      },
    },
    DescribeTargetGroupAttributes: {
      authorization: { resources: onTargetGroup },
      handler: async (i, ctx) => ({ Attributes: attributesOut(await lb.targetGroupAttributes(deps.store, scopeOf(ctx), need(i.TargetGroupArn, 'targetGroupArn'))) }),
    },
    ModifyTargetGroupAttributes: {
      authorization: { resources: onTargetGroup },
      handler: async (i, ctx) => {
        const all = await lb.modifyTargetGroupAttributes(deps.store, scopeOf(ctx), need(i.TargetGroupArn, 'targetGroupArn'), attributesIn(need(i.Attributes, 'attributes')));
        return { Attributes: attributesOut(all) };
      },
    },
    RegisterTargets: {
      authorization: { resources: onTargetGroup },
      handler: async (i, ctx) => {
        await lb.registerTargets(deps.store, deps.clock, scopeOf(ctx), need(i.TargetGroupArn, 'targetGroupArn'), targetsIn(need(i.Targets, 'targets')), deps.instances);
        return {};
      },
    },
    DeregisterTargets: {
      authorization: { resources: onTargetGroup },
      handler: async (i, ctx) => {
        await lb.deregisterTargets(deps.store, deps.clock, scopeOf(ctx), need(i.TargetGroupArn, 'targetGroupArn'), targetsIn(need(i.Targets, 'targets')));
        return {};
      },
    },
    DescribeTargetHealth: {
      authorization: { resources: onTargetGroup },
      handler: async (i, ctx) => {
        const views = await lb.describeTargetHealth(deps.store, deps.clock, scopeOf(ctx), need(i.TargetGroupArn, 'targetGroupArn'), i.Targets ? targetsIn(i.Targets) : undefined);
        return {
          TargetHealthDescriptions: views.map((v) => ({
            Target: { Id: v.id, Port: v.port, ...(v.availabilityZone !== undefined ? { AvailabilityZone: v.availabilityZone } : {}) },
            HealthCheckPort: v.healthCheckPort,
            TargetHealth: { State: v.state, ...(v.reason ? { Reason: v.reason } : {}), ...(v.description ? { Description: v.description } : {}) },
          })),
        };
      },
    },
  };
}
