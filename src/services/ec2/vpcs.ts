/**
 * VPCs, the region's availability zones and the account's attributes: CreateVpc, DescribeVpcs,
 * DeleteVpc, DescribeAvailabilityZones, DescribeAccountAttributes.
 */
import type { AccountAttribute } from '@aws-sdk/client-ec2';
import * as network from '../../network/index.ts';
import { arn, authorizeTagOnCreate, envOf, filtersIn, need, page, scopeOf, specConditions, specsIn, type Ec2Deps, type Ec2OperationTable } from './common.ts';
import { toAvailabilityZone, toVpc } from './shapes.ts';

/** The account attributes EC2 reports, with Wharf's values (quotas as AWS's defaults). */
function accountAttributes(defaultVpcId: string | undefined): AccountAttribute[] {
  const attribute = (name: string, ...values: string[]): AccountAttribute => ({
    AttributeName: name, AttributeValues: values.map((v) => ({ AttributeValue: v })),
  });
  return [
    attribute('supported-platforms', 'VPC'),
    attribute('vpc-max-security-groups-per-interface', '5'),
    attribute('max-elastic-ips', '5'),
    attribute('max-instances', '20'),
    attribute('vpc-max-elastic-ips', '5'),
    attribute('default-vpc', defaultVpcId ?? 'none'),
  ];
}

/** VPCs, zones and account attributes. */
export function vpcOperations(deps: Ec2Deps): Ec2OperationTable {
  return {
    CreateVpc: {
      authorization: { resources: (_i, ctx) => [arn(ctx, 'vpc')], conditions: specConditions },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const tags = network.tagsFromSpecifications(specsIn(i.TagSpecifications), 'vpc');
        await authorizeTagOnCreate(ctx, 'CreateVpc', arn(ctx, 'vpc'), tags);
        const vpc = await network.createVpc(envOf(deps), scope, { cidrBlock: i.CidrBlock, instanceTenancy: i.InstanceTenancy, tags });
        return { Vpc: toVpc(scope, vpc, 'pending') };
      },
    },
    DescribeVpcs: {
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const vpcs = await network.describeVpcs(deps.store, scope, { vpcIds: i.VpcIds, filters: filtersIn(i.Filters) });
        const { items, NextToken } = page(vpcs, (v) => v.vpcId, i);
        return { Vpcs: items.map((v) => toVpc(scope, v)), ...(NextToken ? { NextToken } : {}) };
      },
    },
    DeleteVpc: {
      authorization: { resources: (i, ctx) => [arn(ctx, 'vpc', i.VpcId)] },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        await network.deleteVpc(deps.store, scope, need(i.VpcId, 'VpcId'));
        return {};
      },
    },
    DescribeAvailabilityZones: {
      handler: async (i, ctx) => {
        await scopeOf(deps, ctx, i);
        const zones = network.describeAvailabilityZones(ctx.region, { zoneNames: i.ZoneNames, zoneIds: i.ZoneIds, filters: filtersIn(i.Filters) });
        return { AvailabilityZones: zones.map(toAvailabilityZone) };
      },
    },
    DescribeAccountAttributes: {
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const all = accountAttributes((await network.defaultVpcOf(deps.store, scope))?.vpcId);
        const wanted = i.AttributeNames;
        return { AccountAttributes: wanted?.length ? all.filter((a) => wanted.includes(a.AttributeName as never)) : all };
      },
    },
  };
}
