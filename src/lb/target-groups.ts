/**
 * What ELBv2 does with target groups, over the store: CreateTargetGroup (idempotent for the same
 * settings, as in ELBv2), ModifyTargetGroup (health checks), DescribeTargetGroups,
 * DeleteTargetGroup (refused while a listener or rule forwards to it; its registrations and
 * health go with it) and their attributes.
 */
import { keys as networkKeys, stageDefaultVpc, type VpcRecord } from '../network/index.ts';
import { getDoc, listDocs, transact, type Store, type Tx } from '../state/index.ts';
import { applyTargetGroupAttributes, isHttp, targetGroupDefaults } from './attributes.ts';
import { LIMITS } from './catalog.ts';
import { LbErrors } from './errors.ts';
import { healthCheckFor, type HealthCheckInput } from './health-checks.ts';
import type { LbEnv } from './load-balancers.ts';
import { checkName } from './load-balancers.ts';
import { keys, lbId, parseLbArn, targetGroupArn, targetKey, type LbTag, type LoadBalancerRecord, type Protocol, type Scope, type TargetGroupRecord } from './records.ts';
import { checkTags } from './tags.ts';

/** What CreateTargetGroup asks for. */
export interface CreateTargetGroupRequest {
  name: string;
  targetType?: string;
  protocol?: string;
  protocolVersion?: string;
  port?: number;
  vpcId?: string;
  ipAddressType?: string;
  healthCheck: HealthCheckInput;
  tags: LbTag[];
}

const PROTOCOLS: Protocol[] = ['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP'];

/** The target group an ARN names, read through `tx`. */
export async function findTargetGroup(tx: Tx, scope: Scope, arn: string): Promise<TargetGroupRecord> {
  const p = parseLbArn(arn);
  const group = p?.kind === 'targetgroup' ? await tx.get<TargetGroupRecord>(keys.targetGroup(scope, p.id)) : undefined;
  if (!group || group.arn !== arn) throw LbErrors.targetGroupNotFound();
  return group;
}

/** The request's own rules: the target types and protocols Wharf serves, what each protocol allows. */
function checkCreate(req: CreateTargetGroupRequest): { targetType: 'instance' | 'ip'; protocol: Protocol; port: number; vpcId: string; protocolVersion?: string } {
  checkName('Target group', req.name);
  checkTags(req.tags);
  const targetType = req.targetType ?? 'instance';
  if (targetType !== 'instance' && targetType !== 'ip') throw LbErrors.validation(`Target type '${targetType}' is not supported; use 'instance' or 'ip'`);
  if (req.protocol === undefined) throw LbErrors.validation('A protocol must be specified');
  if (!PROTOCOLS.includes(req.protocol as Protocol)) throw LbErrors.validation(`Protocol '${req.protocol}' must be one of '${PROTOCOLS.join(', ')}'`);
  if (req.port === undefined) throw LbErrors.validation('A port must be specified');
  if (req.vpcId === undefined) throw LbErrors.validation('A VPC ID must be specified');
  const protocol = req.protocol as Protocol;
  if (req.protocolVersion !== undefined) {
    if (!isHttp(protocol)) throw LbErrors.validation(`Protocol version is only supported for target groups with the 'HTTP' or 'HTTPS' protocol`);
    if (!['HTTP1', 'HTTP2', 'GRPC'].includes(req.protocolVersion.toUpperCase())) throw LbErrors.validation(`Protocol version '${req.protocolVersion}' must be one of 'HTTP1, HTTP2, GRPC'`);
  }
  if (req.ipAddressType === 'ipv6' && targetType !== 'ip') throw LbErrors.validation("IPv6 target groups must have target type 'ip'");
  const protocolVersion = isHttp(protocol) ? (req.protocolVersion?.toUpperCase() ?? 'HTTP1') : undefined;
  return { targetType, protocol, port: req.port, vpcId: req.vpcId, ...(protocolVersion ? { protocolVersion } : {}) };
}

const sameSettings = (a: TargetGroupRecord, b: TargetGroupRecord) =>
  JSON.stringify([a.targetType, a.protocol, a.protocolVersion, a.port, a.vpcId, a.healthCheck]) === JSON.stringify([b.targetType, b.protocol, b.protocolVersion, b.port, b.vpcId, b.healthCheck]);

/** CreateTargetGroup. */
export async function createTargetGroup(env: LbEnv, scope: Scope, req: CreateTargetGroupRequest): Promise<TargetGroupRecord> {
  const { targetType, protocol, port, vpcId, protocolVersion } = checkCreate(req);
  const healthCheck = healthCheckFor(protocol, protocolVersion, req.healthCheck);
  const now = env.clock.now();
  const id = lbId(env.ids.hex32());
  return transact(env.store, async (tx) => {
    await stageDefaultVpc(tx, scope, now);
    if (!(await tx.get<VpcRecord>(networkKeys.vpc(scope, vpcId)))) throw LbErrors.validation(`The VPC ID '${vpcId}' is not found`);
    const record: TargetGroupRecord = {
      id, arn: targetGroupArn(scope, req.name, id), name: req.name, targetType, protocol, ...(protocolVersion ? { protocolVersion } : {}), port, vpcId,
      ipAddressType: req.ipAddressType === 'ipv6' ? 'ipv6' : 'ipv4', healthCheck, attributes: targetGroupDefaults(targetType, protocol),
      usedBy: [], tags: req.tags, createdAt: now,
    };
    const nameKey = keys.name(scope, 'targetgroup', req.name);
    const taken = await tx.get<{ id: string }>(nameKey);
    if (taken) {
      const existing = await tx.get<TargetGroupRecord>(keys.targetGroup(scope, taken.id));
      if (existing && sameSettings(existing, record)) return existing;
      throw LbErrors.duplicateTargetGroupName();
    }
    if ((await tx.list(keys.targetGroups(scope))).length >= LIMITS['target-groups']) throw LbErrors.tooManyTargetGroups();
    tx.put(nameKey, { id });
    tx.put(keys.targetGroup(scope, id), record);
    return record;
  });
}

/** ModifyTargetGroup: the health check settings. */
export async function modifyTargetGroup(store: Store, scope: Scope, arn: string, input: HealthCheckInput): Promise<TargetGroupRecord> {
  return transact(store, async (tx) => {
    const group = await findTargetGroup(tx, scope, arn);
    const record = { ...group, healthCheck: healthCheckFor(group.protocol, group.protocolVersion, input, group.healthCheck) };
    tx.put(keys.targetGroup(scope, group.id), record);
    return record;
  });
}

/** What DescribeTargetGroups filters on: at most one of them. */
export interface DescribeTargetGroupsRequest {
  loadBalancerArn?: string;
  arns?: string[];
  names?: string[];
}

/** DescribeTargetGroups, in creation order. */
export async function describeTargetGroups(store: Store, scope: Scope, req: DescribeTargetGroupsRequest): Promise<TargetGroupRecord[]> {
  if ([req.loadBalancerArn, req.arns?.length ? 1 : undefined, req.names?.length ? 1 : undefined].filter((v) => v !== undefined).length > 1) {
    throw LbErrors.validation('Only one of load balancer ARN, target group ARNs and names can be specified');
  }
  const all = (await listDocs<TargetGroupRecord>(store, keys.targetGroups(scope))).map((d) => d.value)
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  if (req.loadBalancerArn !== undefined) {
    const p = parseLbArn(req.loadBalancerArn);
    const lb = p?.kind === 'loadbalancer' ? await getDoc<LoadBalancerRecord>(store, keys.loadBalancer(scope, p.id)) : undefined;
    if (!lb || lb.value.arn !== req.loadBalancerArn) throw LbErrors.loadBalancerNotFound();
    return all.filter((g) => g.usedBy.some((u) => u.loadBalancerArn === req.loadBalancerArn));
  }
  if (req.arns?.length) {
    const found = all.filter((g) => req.arns!.includes(g.arn));
    if (found.length !== new Set(req.arns).size) throw LbErrors.targetGroupNotFound();
    return found;
  }
  if (req.names?.length) {
    const missing = req.names.filter((n) => !all.some((g) => g.name === n));
    if (missing.length) throw LbErrors.targetGroupNotFound(missing);
    return all.filter((g) => req.names!.includes(g.name));
  }
  return all;
}

/** The load balancers a target group serves (what DescribeTargetGroups shows as LoadBalancerArns). */
export const loadBalancerArnsOf = (group: TargetGroupRecord): string[] => [...new Set(group.usedBy.map((u) => u.loadBalancerArn))];

/** DeleteTargetGroup: gone already is success (ELBv2's model has no not-found error for it). */
export async function deleteTargetGroup(store: Store, scope: Scope, arn: string): Promise<void> {
  await transact(store, async (tx) => {
    const p = parseLbArn(arn);
    const group = p?.kind === 'targetgroup' ? await tx.get<TargetGroupRecord>(keys.targetGroup(scope, p.id)) : undefined;
    if (!group || group.arn !== arn) return;
    if (group.usedBy.length > 0) throw LbErrors.resourceInUse(`Target group '${arn}' is currently in use by a listener or a rule`);
    for (const key of [keys.targets(scope, group.id), keys.targetHealths(scope, group.id)]) {
      for (const t of await tx.list<{ id: string; port: number }>(key)) tx.delete(`${key}${targetKey(t.id, t.port)}`);
    }
    tx.delete(keys.name(scope, 'targetgroup', group.name));
    tx.delete(keys.targetGroup(scope, group.id));
  });
}

/** DescribeTargetGroupAttributes. */
export async function targetGroupAttributes(store: Store, scope: Scope, arn: string): Promise<Record<string, string>> {
  return transact(store, async (tx) => (await findTargetGroup(tx, scope, arn)).attributes);
}

/** ModifyTargetGroupAttributes: every attribute, after the change. */
export async function modifyTargetGroupAttributes(store: Store, scope: Scope, arn: string, changes: { key: string; value: string }[]): Promise<Record<string, string>> {
  return transact(store, async (tx) => {
    const group = await findTargetGroup(tx, scope, arn);
    const attributes = applyTargetGroupAttributes(group.targetType, group.protocol, group.attributes, changes);
    tx.put(keys.targetGroup(scope, group.id), { ...group, attributes });
    return attributes;
  });
}
