/** The instance types Wharf offers: DescribeInstanceTypes. */
import * as instances from '../../instances/index.ts';
import { filtersIn, page, scopeOf, type Ec2Deps, type Ec2OperationTable } from './common.ts';
import { toInstanceType } from './instance-shapes.ts';

/** Instance types. */
export function instanceTypeOperations(deps: Ec2Deps): Ec2OperationTable {
  return {
    DescribeInstanceTypes: {
      handler: async (i, ctx) => {
        await scopeOf(deps, ctx, i);
        const types = instances.describeInstanceTypes({ instanceTypes: i.InstanceTypes, filters: filtersIn(i.Filters) });
        const { items, NextToken } = page(types, (t) => t.instanceType, i);
        return { InstanceTypes: items.map(toInstanceType), ...(NextToken ? { NextToken } : {}) };
      },
    },
  };
}
