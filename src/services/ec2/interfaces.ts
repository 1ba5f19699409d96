/** The task interfaces ECS made: DescribeNetworkInterfaces. */
import * as network from '../../network/index.ts';
import { filtersIn, page, scopeOf, type Ec2Deps, type Ec2OperationTable } from './common.ts';
import { toNetworkInterface } from './shapes.ts';

/** Network interfaces. */
export function interfaceOperations(deps: Ec2Deps): Ec2OperationTable {
  return {
    DescribeNetworkInterfaces: {
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const views = await network.describeNetworkInterfaces(deps.store, scope, { networkInterfaceIds: i.NetworkInterfaceIds, filters: filtersIn(i.Filters) });
        const { items, NextToken } = page(views, (v) => v.networkInterface.networkInterfaceId, i);
        return { NetworkInterfaces: items.map((v) => toNetworkInterface(scope, v)), ...(NextToken ? { NextToken } : {}) };
      },
    },
  };
}
