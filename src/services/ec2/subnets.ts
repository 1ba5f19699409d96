/** Subnets: CreateSubnet, DescribeSubnets, DeleteSubnet. */
import * as network from '../../network/index.ts';
import { arn, authorizeTagOnCreate, envOf, filtersIn, need, page, scopeOf, specConditions, specsIn, type Ec2Deps, type Ec2OperationTable } from './common.ts';
import { toSubnet } from './shapes.ts';

/** Subnets. */
export function subnetOperations(deps: Ec2Deps): Ec2OperationTable {
  return {
    CreateSubnet: {
      authorization: {
        resources: (i, ctx) => [arn(ctx, 'subnet'), ...(i.VpcId ? [arn(ctx, 'vpc', i.VpcId)] : [])],
        conditions: specConditions,
      },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const tags = network.tagsFromSpecifications(specsIn(i.TagSpecifications), 'subnet');
        await authorizeTagOnCreate(ctx, 'CreateSubnet', arn(ctx, 'subnet'), tags);
        const subnet = await network.createSubnet(envOf(deps), scope, {
          vpcId: need(i.VpcId, 'VpcId'), cidrBlock: i.CidrBlock, availabilityZone: i.AvailabilityZone, availabilityZoneId: i.AvailabilityZoneId, tags,
        });
        const cidr = network.parseCidr(subnet.cidrBlock)!;
        return { Subnet: toSubnet(scope, { subnet, availableIpAddressCount: network.assignableCount(cidr) }) };
      },
    },
    DescribeSubnets: {
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const subnets = await network.describeSubnets(deps.store, scope, { subnetIds: i.SubnetIds, filters: filtersIn(i.Filters) });
        const { items, NextToken } = page(subnets, (s) => s.subnet.subnetId, i);
        return { Subnets: items.map((s) => toSubnet(scope, s)), ...(NextToken ? { NextToken } : {}) };
      },
    },
    DeleteSubnet: {
      authorization: { resources: (i, ctx) => [arn(ctx, 'subnet', i.SubnetId)] },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        await network.deleteSubnet(deps.store, scope, need(i.SubnetId, 'SubnetId'));
        return {};
      },
    },
  };
}
