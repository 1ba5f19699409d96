/**
 * Security groups: made in a VPC (the default one when none is named) with a name unique in it
 * and AWS's allow-all egress rule; found by id, or by name in the default VPC; listed with EC2's
 * filters; deleted unless they are a VPC's `default` group, another group's rules name them, or
 * an interface is in them.
 */
import { listDocs, transact, type Store, type Tx } from '../state/index.ts';
import type { NetworkEnv } from './env.ts';
import { Ec2Errors } from './errors.ts';
import { applyFilters, type Ec2Filter } from './filters.ts';
import {
  ec2Id, isEc2Id, keys, type Ec2Tag, type NetworkInterfaceRecord, type Scope, type SecurityGroupRecord, type SecurityGroupRuleRecord, type VpcRecord,
} from './records.ts';
import { allowAllEgress } from './security-groups.ts';

/** A security group's ARN. */
export const securityGroupArn = (scope: Scope, groupId: string): string => `arn:aws:ec2:${scope.region}:${scope.account}:security-group/${groupId}`;

/** A security group rule's ARN. */
export const securityGroupRuleArn = (scope: Scope, ruleId: string): string => `arn:aws:ec2:${scope.region}:${scope.account}:security-group-rule/${ruleId}`;

/** How a request names a group: by id, or by name in the default VPC. */
export interface GroupTarget {
  groupId?: string;
  groupName?: string;
}

/** The scope's default VPC as `tx` reads it; VPCIdNotSpecified when it was deleted. */
export async function defaultVpcIn(tx: Tx, scope: Scope): Promise<VpcRecord> {
  const vpc = (await tx.list<VpcRecord>(keys.vpcs(scope))).find((v) => v.isDefault);
  if (!vpc) throw Ec2Errors.vpcIdNotSpecified();
  return vpc;
}

/** The group a request names, read through `tx`: by id, else by name in the default VPC. */
export async function resolveGroup(tx: Tx, scope: Scope, target: GroupTarget): Promise<SecurityGroupRecord> {
  if (target.groupId !== undefined) {
    if (!isEc2Id('sg', target.groupId)) throw Ec2Errors.malformedId('sg', target.groupId);
    const group = await tx.get<SecurityGroupRecord>(keys.securityGroup(scope, target.groupId));
    if (!group) throw Ec2Errors.invalidGroupNotFound(target.groupId);
    return group;
  }
  if (target.groupName === undefined) throw Ec2Errors.missingParameter('The request must contain the parameter groupName or groupId');
  const vpc = await defaultVpcIn(tx, scope);
  const group = (await tx.list<SecurityGroupRecord>(keys.securityGroups(scope))).find((g) => g.vpcId === vpc.vpcId && g.groupName === target.groupName);
  if (!group) throw Ec2Errors.invalidGroupNotFoundInDefaultVpc(target.groupName, vpc.vpcId);
  return group;
}

/** What CreateSecurityGroup asks for. */
export interface CreateSecurityGroupRequest {
  groupName: string;
  description: string;
  vpcId?: string;
  tags: Ec2Tag[];
}

const ASCII = /^[\x20-\x7e]*$/;

/** Checks a group's name and description as EC2 does. */
function checkGroup(name: string, description: string): void {
  const invalid = (parameter: string, value: string, why: string) =>
    Ec2Errors.invalidParameterValue(`Value (${value}) for parameter ${parameter} is invalid. ${why}`);
  if (name.length === 0 || name.length > 255) throw invalid('GroupName', name, 'Length must be between 1 and 255 characters.');
  if (name.toLowerCase().startsWith('sg-')) throw invalid('GroupName', name, 'Group names may not be in the format sg-*.');
  if (!ASCII.test(name)) throw invalid('GroupName', name, 'Character sets beyond ASCII are not supported.');
  if (description.length > 255) throw invalid('GroupDescription', description, 'Length must be at most 255 characters.');
  if (!ASCII.test(description)) throw invalid('GroupDescription', description, 'Character sets beyond ASCII are not supported.');
}

/**
 * CreateSecurityGroup. The VPC is rewritten as it was read, so two creates of one name in a VPC
 * cannot both commit (and a DeleteVpc racing with it starts over).
 */
export async function createSecurityGroup(env: NetworkEnv, scope: Scope, request: CreateSecurityGroupRequest): Promise<SecurityGroupRecord> {
  checkGroup(request.groupName, request.description);
  const groupId = ec2Id('sg', env.ids.hex32());
  const egressRuleId = ec2Id('sgr', env.ids.hex32());
  return transact(env.store, async (tx) => {
    let vpc: VpcRecord | undefined;
    if (request.vpcId === undefined) vpc = await defaultVpcIn(tx, scope);
    else {
      if (!isEc2Id('vpc', request.vpcId)) throw Ec2Errors.malformedId('vpc', request.vpcId);
      vpc = await tx.get<VpcRecord>(keys.vpc(scope, request.vpcId));
      if (!vpc) throw Ec2Errors.invalidVpcNotFound(request.vpcId);
    }
    const vpcId = vpc.vpcId;
    const taken = (await tx.list<SecurityGroupRecord>(keys.securityGroups(scope))).some((g) => g.vpcId === vpcId && g.groupName === request.groupName);
    if (taken) throw Ec2Errors.groupDuplicate(request.groupName, vpcId);
    const group: SecurityGroupRecord = {
      groupId,
      groupName: request.groupName,
      description: request.description,
      ownerId: scope.account,
      vpcId,
      rules: [allowAllEgress(egressRuleId)],
      tags: request.tags,
      createdAt: env.clock.now(),
    };
    tx.put(keys.vpc(scope, vpcId), vpc);
    tx.put(keys.securityGroup(scope, groupId), group);
    return group;
  });
}

/** What DescribeSecurityGroups asks for. */
export interface DescribeSecurityGroupsRequest {
  groupIds?: string[];
  groupNames?: string[];
  filters?: Ec2Filter[];
}

/** The values of the `ip-permission.*` (or `egress.ip-permission.*`) filters of a group's rules of one direction. */
function permissionFilters(prefix: string, egress: boolean, nameOf: (id: string) => string | undefined) {
  const rules = (g: SecurityGroupRecord) => g.rules.filter((r) => r.isEgress === egress);
  const each = (pick: (r: SecurityGroupRuleRecord) => string | number | undefined) => (g: SecurityGroupRecord) => rules(g).map(pick);
  return {
    [`${prefix}.cidr`]: each((r) => r.cidrIpv4),
    [`${prefix}.ipv6-cidr`]: each((r) => r.cidrIpv6),
    [`${prefix}.from-port`]: each((r) => r.fromPort),
    [`${prefix}.to-port`]: each((r) => r.toPort),
    [`${prefix}.protocol`]: each((r) => r.ipProtocol),
    [`${prefix}.group-id`]: each((r) => r.referencedGroupId),
    [`${prefix}.group-name`]: each((r) => (r.referencedGroupId !== undefined ? nameOf(r.referencedGroupId) : undefined)),
    [`${prefix}.prefix-list-id`]: each((r) => r.prefixListId),
    [`${prefix}.user-id`]: (g: SecurityGroupRecord) => rules(g).map((r) => (r.referencedGroupId !== undefined ? g.ownerId : undefined)),
  };
}

/**
 * DescribeSecurityGroups: the groups the request names (by id, or by name in the default VPC;
 * all when it names none) that pass its filters, by id.
 */
export async function describeSecurityGroups(store: Store, scope: Scope, request: DescribeSecurityGroupsRequest): Promise<SecurityGroupRecord[]> {
  const all = (await listDocs<SecurityGroupRecord>(store, keys.securityGroups(scope))).map((d) => d.value);
  let named = all;
  if (request.groupIds?.length || request.groupNames?.length) {
    const wanted = new Set<string>();
    for (const id of request.groupIds ?? []) {
      if (!isEc2Id('sg', id)) throw Ec2Errors.malformedId('sg', id);
      if (!all.some((g) => g.groupId === id)) throw Ec2Errors.invalidGroupNotFound(id);
      wanted.add(id);
    }
    if (request.groupNames?.length) {
      const vpc = (await listDocs<VpcRecord>(store, keys.vpcs(scope))).map((d) => d.value).find((v) => v.isDefault);
      if (!vpc) throw Ec2Errors.vpcIdNotSpecified();
      for (const name of request.groupNames) {
        const group = all.find((g) => g.vpcId === vpc.vpcId && g.groupName === name);
        if (!group) throw Ec2Errors.invalidGroupNotFoundInDefaultVpc(name, vpc.vpcId);
        wanted.add(group.groupId);
      }
    }
    named = all.filter((g) => wanted.has(g.groupId));
  }
  const names = new Map(all.map((g) => [g.groupId, g.groupName]));
  return applyFilters(named, request.filters, {
    'group-id': (g) => [g.groupId],
    'group-name': (g) => [g.groupName],
    description: (g) => [g.description],
    'vpc-id': (g) => [g.vpcId],
    'owner-id': (g) => [g.ownerId],
    ...permissionFilters('ip-permission', false, (id) => names.get(id)),
    ...permissionFilters('egress.ip-permission', true, (id) => names.get(id)),
  }, (g) => g.tags);
}

/**
 * DeleteSecurityGroup: the group's id. Refused for a VPC's `default` group, and while another
 * group's rule or an interface names it; reading those guards the delete against a rule or an
 * interface added meanwhile to a group or interface that existed.
 */
export async function deleteSecurityGroup(store: Store, scope: Scope, target: GroupTarget): Promise<string> {
  return transact(store, async (tx) => {
    const group = await resolveGroup(tx, scope, target);
    if (group.groupName === 'default') throw Ec2Errors.cannotDeleteDefaultGroup(group.groupId);
    const others = (await tx.list<SecurityGroupRecord>(keys.securityGroups(scope))).filter((g) => g.groupId !== group.groupId);
    const referenced = others.some((g) => g.rules.some((r) => r.referencedGroupId === group.groupId));
    const inUse = (await tx.list<NetworkInterfaceRecord>(keys.interfaces(scope))).some((n) => n.groupIds.includes(group.groupId));
    if (referenced || inUse) throw Ec2Errors.groupDependencies(group.groupId);
    tx.delete(keys.securityGroup(scope, group.groupId));
    return group.groupId;
  });
}
