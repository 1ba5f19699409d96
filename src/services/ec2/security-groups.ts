/** Security groups: CreateSecurityGroup, DescribeSecurityGroups, DeleteSecurityGroup. */
import * as network from '../../network/index.ts';
import {
  arn, authorizeTagOnCreate, envOf, filtersIn, need, page, scopeOf, specConditions, specsIn, tagsOut, type Ec2Deps, type Ec2OperationTable,
} from './common.ts';
import { toSecurityGroup } from './shapes.ts';

/** Security groups. */
export function securityGroupOperations(deps: Ec2Deps): Ec2OperationTable {
  return {
    CreateSecurityGroup: {
      authorization: {
        resources: (i, ctx) => [arn(ctx, 'security-group'), ...(i.VpcId ? [arn(ctx, 'vpc', i.VpcId)] : [])],
        conditions: specConditions,
      },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const tags = network.tagsFromSpecifications(specsIn(i.TagSpecifications), 'security-group');
        await authorizeTagOnCreate(ctx, 'CreateSecurityGroup', arn(ctx, 'security-group'), tags);
        const group = await network.createSecurityGroup(envOf(deps), scope, {
          groupName: need(i.GroupName, 'GroupName'), description: need(i.Description, 'GroupDescription'), vpcId: i.VpcId, tags,
        });
        return { GroupId: group.groupId, Tags: tagsOut(group.tags), SecurityGroupArn: network.securityGroupArn(scope, group.groupId) };
      },
    },
    DescribeSecurityGroups: {
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const groups = await network.describeSecurityGroups(deps.store, scope, { groupIds: i.GroupIds, groupNames: i.GroupNames, filters: filtersIn(i.Filters) });
        const { items, NextToken } = page(groups, (g) => g.groupId, i);
        return { SecurityGroups: items.map((g) => toSecurityGroup(scope, g)), ...(NextToken ? { NextToken } : {}) };
      },
    },
    DeleteSecurityGroup: {
      authorization: { resources: (i, ctx) => [arn(ctx, 'security-group', i.GroupId)] },
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const groupId = await network.deleteSecurityGroup(deps.store, scope, { groupId: i.GroupId, groupName: i.GroupName });
        return { Return: true, GroupId: groupId };
      },
    },
  };
}
