/**
 * Changing and listing a group's rules: AuthorizeSecurityGroupIngress/Egress add rules (none
 * that the group has already, peers of the group's own VPC), RevokeSecurityGroupIngress/Egress
 * remove them by id or by what they allow, and DescribeSecurityGroupRules lists them. Each change
 * is one transaction over the group and the groups its rules name.
 */
import { listDocs, transact, type Store, type Tx } from '../state/index.ts';
import type { NetworkEnv } from './env.ts';
import { Ec2Errors } from './errors.ts';
import { applyFilters, type Ec2Filter } from './filters.ts';
import { resolveGroup, type GroupTarget } from './groups.ts';
import { ec2Id, isEc2Id, keys, type Ec2Tag, type Scope, type SecurityGroupRecord, type SecurityGroupRuleRecord, type VpcRecord } from './records.ts';
import {
  describeRule, expandPermission, findRule, ruleKey, toPermissions, type GroupPeerInput, type Permission, type PermissionInput, type RuleSpec,
} from './rules.ts';

/** A group may have this many rules in each direction, as in EC2. */
export const MAX_RULES_PER_DIRECTION = 60;

/**
 * The rules `permissions` stand for, with each group peer resolved in `tx` to a group of the
 * target's VPC (by id, or by name among the VPC's groups).
 */
async function rulesOf(tx: Tx, scope: Scope, group: SecurityGroupRecord, permissions: readonly PermissionInput[], isEgress: boolean): Promise<RuleSpec[]> {
  const resolved = new Map<GroupPeerInput, string>();
  let vpcGroups: SecurityGroupRecord[] | undefined;
  for (const peer of permissions.flatMap((p) => p.groups ?? [])) {
    if (peer.groupId !== undefined) {
      if (!isEc2Id('sg', peer.groupId)) throw Ec2Errors.malformedId('sg', peer.groupId);
      const other = peer.groupId === group.groupId ? group : await tx.get<SecurityGroupRecord>(keys.securityGroup(scope, peer.groupId));
      if (!other) throw Ec2Errors.invalidGroupNotFound(peer.groupId);
      if (other.vpcId !== group.vpcId) throw Ec2Errors.differentNetworks();
      resolved.set(peer, other.groupId);
    } else if (peer.groupName !== undefined) {
      vpcGroups ??= (await tx.list<SecurityGroupRecord>(keys.securityGroups(scope))).filter((g) => g.vpcId === group.vpcId);
      const other = vpcGroups.find((g) => g.groupName === peer.groupName);
      if (!other) throw Ec2Errors.invalidGroupNotFound(peer.groupName);
      resolved.set(peer, other.groupId);
    } else {
      throw Ec2Errors.missingParameter('The request must contain the parameter groupId or groupName');
    }
  }
  return permissions.flatMap((p) => expandPermission(p, isEgress, (peer) => resolved.get(peer)!));
}

/** What AuthorizeSecurityGroupIngress/Egress asks for. */
export interface AuthorizeRequest {
  target: GroupTarget;
  isEgress: boolean;
  permissions: PermissionInput[];
  /** Tags for each new rule (TagSpecifications of type security-group-rule). */
  tags: Ec2Tag[];
}

/** Authorize: the new rules, each with its `sgr-` id. A rule the group has (or the request repeats) is InvalidPermission.Duplicate. */
export async function authorize(env: NetworkEnv, scope: Scope, request: AuthorizeRequest): Promise<{ group: SecurityGroupRecord; added: SecurityGroupRuleRecord[] }> {
  if (request.permissions.length === 0) throw Ec2Errors.missingParameter('The request must contain the parameter ipPermissions');
  return transact(env.store, async (tx) => {
    const group = await resolveGroup(tx, scope, request.target);
    const specs = await rulesOf(tx, scope, group, request.permissions, request.isEgress);
    const seen = new Set<string>();
    for (const spec of specs) {
      if (findRule(group.rules, spec) || seen.has(ruleKey(spec))) throw Ec2Errors.permissionDuplicate(describeRule(spec));
      seen.add(ruleKey(spec));
    }
    const count = group.rules.filter((r) => r.isEgress === request.isEgress).length + specs.length;
    if (count > MAX_RULES_PER_DIRECTION) {
      throw Ec2Errors.rulesLimitExceeded();
    }
    const added = specs.map((spec): SecurityGroupRuleRecord => ({ ruleId: ec2Id('sgr', env.ids.hex32()), ...spec, tags: [...request.tags] }));
    const updated = { ...group, rules: [...group.rules, ...added] };
    tx.put(keys.securityGroup(scope, group.groupId), updated);
    return { group: updated, added };
  });
}

/** What RevokeSecurityGroupIngress/Egress asks for: rules by id, by what they allow, or both. */
export interface RevokeRequest {
  target: GroupTarget;
  isEgress: boolean;
  permissions: PermissionInput[];
  ruleIds: string[];
}

/** What a revoke did: the rules it removed, and the asked-for rules the group did not have (default VPC only). */
export interface RevokeResult {
  group: SecurityGroupRecord;
  revoked: SecurityGroupRuleRecord[];
  unknown: Permission[];
}

/**
 * Revoke. A rule id the group does not have (in this direction) is
 * InvalidSecurityGroupRuleId.NotFound. A rule given by what it allows that the group does not
 * have is, in the default VPC, reported back as unknown while the others are revoked; in any
 * other VPC it is InvalidPermission.NotFound and nothing is revoked, as EC2 documents.
 */
export async function revoke(store: Store, scope: Scope, request: RevokeRequest): Promise<RevokeResult> {
  if (request.permissions.length === 0 && request.ruleIds.length === 0) {
    throw Ec2Errors.missingParameter('The request must contain the parameter ipPermissions or securityGroupRuleIds');
  }
  return transact(store, async (tx) => {
    const group = await resolveGroup(tx, scope, request.target);
    const mine = group.rules.filter((r) => r.isEgress === request.isEgress);
    const revoked = new Set<SecurityGroupRuleRecord>();
    for (const id of request.ruleIds) {
      if (!isEc2Id('sgr', id)) throw Ec2Errors.malformedId('sgr', id);
      const rule = mine.find((r) => r.ruleId === id);
      if (!rule) throw Ec2Errors.invalidRuleNotFound(id);
      revoked.add(rule);
    }
    const unknown: RuleSpec[] = [];
    for (const spec of await rulesOf(tx, scope, group, request.permissions, request.isEgress)) {
      const rule = findRule(mine, spec);
      if (rule) revoked.add(rule);
      else unknown.push(spec);
    }
    if (unknown.length > 0) {
      const vpc = await tx.get<VpcRecord>(keys.vpc(scope, group.vpcId));
      if (!vpc?.isDefault) throw Ec2Errors.permissionNotFound();
    }
    const updated = { ...group, rules: group.rules.filter((r) => !revoked.has(r)) };
    if (revoked.size > 0) tx.put(keys.securityGroup(scope, group.groupId), updated);
    return { group: updated, revoked: [...revoked], unknown: toPermissions(unknown) };
  });
}

/** A rule with the group it belongs to. */
export interface RuleView {
  group: SecurityGroupRecord;
  rule: SecurityGroupRuleRecord;
}

/** What DescribeSecurityGroupRules asks for. */
export interface DescribeRulesRequest {
  ruleIds?: string[];
  filters?: Ec2Filter[];
}

/** DescribeSecurityGroupRules: the scope's rules, by rule id, that the request names and its filters pass. */
export async function describeSecurityGroupRules(store: Store, scope: Scope, request: DescribeRulesRequest): Promise<RuleView[]> {
  const groups = (await listDocs<SecurityGroupRecord>(store, keys.securityGroups(scope))).map((d) => d.value);
  let all = groups.flatMap((group) => group.rules.map((rule) => ({ group, rule })));
  all.sort((a, b) => (a.rule.ruleId < b.rule.ruleId ? -1 : a.rule.ruleId > b.rule.ruleId ? 1 : 0));
  if (request.ruleIds?.length) {
    for (const id of request.ruleIds) {
      if (!isEc2Id('sgr', id)) throw Ec2Errors.malformedId('sgr', id);
      if (!all.some((v) => v.rule.ruleId === id)) throw Ec2Errors.invalidRuleNotFound(id);
    }
    const wanted = new Set(request.ruleIds);
    all = all.filter((v) => wanted.has(v.rule.ruleId));
  }
  return applyFilters(all, request.filters, {
    'group-id': (v) => [v.group.groupId],
    'security-group-rule-id': (v) => [v.rule.ruleId],
  }, (v) => v.rule.tags);
}
