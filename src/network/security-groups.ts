/**
 * Security groups: a VPC's default group as AWS makes it (every protocol from members of the
 * group itself; everything out), and new groups with AWS's default egress rule.
 */
import type { IdPrefix, Scope, SecurityGroupRecord, SecurityGroupRuleRecord } from './records.ts';

/** Makes an id for a resource; the default VPC's parts get stable ones, everything else random ones. */
export type IdMaker = (prefix: IdPrefix, ...parts: string[]) => string;

/** AWS's default egress rule: all traffic to anywhere. */
export function allowAllEgress(ruleId: string): SecurityGroupRuleRecord {
  return { ruleId, isEgress: true, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0', tags: [] };
}

/** A VPC's `default` security group: ingress from itself, egress to anywhere. */
export function defaultSecurityGroup(scope: Scope, vpcId: string, now: number, id: IdMaker): SecurityGroupRecord {
  const groupId = id('sg', scope.account, scope.region, vpcId, 'default');
  return {
    groupId,
    groupName: 'default',
    description: 'default VPC security group',
    ownerId: scope.account,
    vpcId,
    rules: [
      { ruleId: id('sgr', groupId, 'ingress'), isEgress: false, ipProtocol: '-1', referencedGroupId: groupId, tags: [] },
      allowAllEgress(id('sgr', groupId, 'egress')),
    ],
    tags: [],
    createdAt: now,
  };
}
