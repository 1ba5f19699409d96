/**
 * A group's rules: AuthorizeSecurityGroupIngress/Egress, RevokeSecurityGroupIngress/Egress (by
 * what the rules allow, by rule id, or by the legacy flat ingress members), and
 * DescribeSecurityGroupRules.
 */
import type { IpPermission } from '@aws-sdk/client-ec2';
import type { RequestContext } from '../../aws/index.ts';
import * as network from '../../network/index.ts';
import { arn, authorizeTagOnCreate, envOf, filtersIn, page, scopeOf, specConditions, specsIn, type Ec2Deps, type Ec2OperationTable } from './common.ts';
import { toIpPermission, toRevokedRule, toSecurityGroupRule } from './shapes.ts';

/** SDK permissions → domain ones. */
function permissionsIn(permissions: readonly IpPermission[] | undefined): network.PermissionInput[] {
  return (permissions ?? []).map((p) => ({
    ipProtocol: p.IpProtocol,
    fromPort: p.FromPort,
    toPort: p.ToPort,
    ipRanges: (p.IpRanges ?? []).map((r) => ({ cidrIp: r.CidrIp, description: r.Description })),
    ipv6Ranges: (p.Ipv6Ranges ?? []).map((r) => ({ cidrIpv6: r.CidrIpv6, description: r.Description })),
    groups: (p.UserIdGroupPairs ?? []).map((g) => ({ groupId: g.GroupId, groupName: g.GroupName, description: g.Description })),
    prefixListIds: (p.PrefixListIds ?? []).map((l) => ({ prefixListId: l.PrefixListId, description: l.Description })),
  }));
}

/** The legacy flat members of an ingress request, as AWS documents them. */
interface FlatMembers {
  CidrIp?: string;
  IpProtocol?: string;
  FromPort?: number;
  ToPort?: number;
  SourceSecurityGroupName?: string;
  IpPermissions?: IpPermission[];
}

/** An ingress request's permissions: its IpPermissions, or what its flat members stand for (not both). */
function ingressPermissions(i: FlatMembers): network.PermissionInput[] {
  const flat = network.flatPermissions({
    cidrIp: i.CidrIp, ipProtocol: i.IpProtocol, fromPort: i.FromPort, toPort: i.ToPort, sourceSecurityGroupName: i.SourceSecurityGroupName,
  });
  if (flat.length > 0 && i.IpPermissions?.length) {
    throw network.Ec2Errors.invalidParameterCombination('The parameter ipPermissions may not be used in combination with cidrIp, ipProtocol, fromPort, toPort or sourceSecurityGroupName.');
  }
  return flat.length > 0 ? flat : permissionsIn(i.IpPermissions);
}

/** EC2 takes no flat members for egress: "Not supported. Use a set of IP permissions". */
function egressPermissions(i: FlatMembers): network.PermissionInput[] {
  if (i.CidrIp !== undefined || i.IpProtocol !== undefined || i.FromPort !== undefined || i.ToPort !== undefined || i.SourceSecurityGroupName !== undefined) {
    throw network.Ec2Errors.invalidParameterCombination('Egress rules take IpPermissions only: cidrIp, ipProtocol, fromPort, toPort and sourceSecurityGroupName are not supported.');
  }
  return permissionsIn(i.IpPermissions);
}

const groupArn = (i: { GroupId?: string }, ctx: RequestContext) => [arn(ctx, 'security-group', i.GroupId)];

/** Rules. */
export function ruleOperations(deps: Ec2Deps): Ec2OperationTable {
  const authorizeHandler = (isEgress: boolean, action: string) => async (
    i: FlatMembers & { GroupId?: string; GroupName?: string; DryRun?: boolean; TagSpecifications?: Parameters<typeof specsIn>[0] }, ctx: RequestContext,
  ) => {
    const scope = await scopeOf(deps, ctx, i);
    const tags = network.tagsFromSpecifications(specsIn(i.TagSpecifications), 'security-group-rule');
    await authorizeTagOnCreate(ctx, action, arn(ctx, 'security-group-rule'), tags);
    const { group, added } = await network.authorize(envOf(deps), scope, {
      target: { groupId: i.GroupId, groupName: i.GroupName }, isEgress, tags,
      permissions: isEgress ? egressPermissions(i) : ingressPermissions(i),
    });
    return { Return: true, SecurityGroupRules: added.map((r) => toSecurityGroupRule(scope, group, r)) };
  };
  const revokeHandler = (isEgress: boolean) => async (
    i: FlatMembers & { GroupId?: string; GroupName?: string; DryRun?: boolean; SecurityGroupRuleIds?: string[] }, ctx: RequestContext,
  ) => {
    const scope = await scopeOf(deps, ctx, i);
    const result = await network.revoke(deps.store, scope, {
      target: { groupId: i.GroupId, groupName: i.GroupName }, isEgress,
      permissions: isEgress ? egressPermissions(i) : ingressPermissions(i), ruleIds: i.SecurityGroupRuleIds ?? [],
    });
    return {
      Return: true,
      ...(result.unknown.length ? { UnknownIpPermissions: result.unknown.map((p) => toIpPermission(p, result.group.ownerId)) } : {}),
      RevokedSecurityGroupRules: result.revoked.map((r) => toRevokedRule(result.group, r)),
    };
  };
  return {
    AuthorizeSecurityGroupIngress: {
      authorization: { resources: groupArn, conditions: specConditions },
      handler: authorizeHandler(false, 'AuthorizeSecurityGroupIngress'),
    },
    AuthorizeSecurityGroupEgress: {
      authorization: { resources: groupArn, conditions: specConditions },
      handler: authorizeHandler(true, 'AuthorizeSecurityGroupEgress'),
    },
    RevokeSecurityGroupIngress: { authorization: { resources: groupArn }, handler: revokeHandler(false) },
    RevokeSecurityGroupEgress: { authorization: { resources: groupArn }, handler: revokeHandler(true) },
    DescribeSecurityGroupRules: {
      handler: async (i, ctx) => {
        const scope = await scopeOf(deps, ctx, i);
        const rules = await network.describeSecurityGroupRules(deps.store, scope, { ruleIds: i.SecurityGroupRuleIds, filters: filtersIn(i.Filters) });
        const { items, NextToken } = page(rules, (v) => v.rule.ruleId, i);
        return { SecurityGroupRules: items.map((v) => toSecurityGroupRule(scope, v.group, v.rule)), ...(NextToken ? { NextToken } : {}) };
      },
    },
  };
}
