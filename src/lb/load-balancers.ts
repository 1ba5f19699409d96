/**
 * What ELBv2 does with load balancers, over the store: CreateLoadBalancer (in subnets of one VPC
 * of the network domain, an interface in each and a loopback address of its own),
 * DescribeLoadBalancers, DeleteLoadBalancer (its listeners and rules with it; refused under
 * deletion protection), attributes, security groups, subnets and IP address type. Every write is
 * one transaction guarded on what it read.
 */
import type { Clock, Ids } from '../common/index.ts';
import {
  keys as networkKeys, stageDefaultVpc, stageInterfaceGroups, stageReleaseInterface, stageServiceInterface,
  type SecurityGroupRecord, type SubnetRecord,
} from '../network/index.ts';
import { getDoc, listDocs, transact, type Store, type Tx } from '../state/index.ts';
import { stageRelease, forwardedGroups } from './actions.ts';
import { stageAddress, stageFreeAddress } from './addresses.ts';
import { applyLoadBalancerAttributes, loadBalancerDefaults } from './attributes.ts';
import { canonicalHostedZoneId, LIMITS } from './catalog.ts';
import { certificatesOfLoadBalancer, stageCertificateUses, type CertificateUse } from './certificate-uses.ts';
import { LbErrors } from './errors.ts';
import {
  keys, lbId, loadBalancerArn, parseLbArn, type LbTag, type ListenerRecord, type LoadBalancerRecord, type LoadBalancerType,
  type LoadBalancerZone, type RuleRecord, type Scope,
} from './records.ts';
import { checkTags } from './tags.ts';

/** What the load balancing domain runs on. */
export interface LbEnv {
  store: Store;
  clock: Clock;
  ids: Ids;
}

/** A subnet a request names, with the address asked for in it (SubnetMappings' PrivateIPv4Address). */
export interface SubnetChoice {
  subnetId: string;
  privateIpv4Address?: string;
}

/** What CreateLoadBalancer asks for. */
export interface CreateLoadBalancerRequest {
  name: string;
  type?: LoadBalancerType;
  scheme?: LoadBalancerRecord['scheme'];
  ipAddressType?: LoadBalancerRecord['ipAddressType'];
  subnets: SubnetChoice[];
  securityGroups?: string[];
  tags: LbTag[];
}

/** Checks a load balancer or target group name as ELBv2 does. */
export function checkName(kind: 'Load balancer' | 'Target group', name: string): void {
  if (name.length < 1 || name.length > 32) throw LbErrors.validation(`${kind} name '${name}' cannot be longer than '32' characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) throw LbErrors.validation(`${kind} name '${name}' can have a maximum of 32 characters, must contain only alphanumeric characters or hyphens`);
  if (name.startsWith('-') || name.endsWith('-')) throw LbErrors.validation(`${kind} name '${name}' cannot begin or end with '-'`);
  if (kind === 'Load balancer' && name.toLowerCase().startsWith('internal-')) throw LbErrors.validation(`Load balancer name '${name}' cannot begin with 'internal-'`);
}

/** The load balancer an ARN names, read through `tx`. */
export async function findLoadBalancer(tx: Tx, scope: Scope, arn: string): Promise<LoadBalancerRecord> {
  const p = parseLbArn(arn);
  const lb = p?.kind === 'loadbalancer' ? await tx.get<LoadBalancerRecord>(keys.loadBalancer(scope, p.id)) : undefined;
  if (!lb || lb.arn !== arn) throw LbErrors.loadBalancerNotFound();
  return lb;
}

/** `<name>-<n>.<region>.elb.amazonaws.com` (ALB) or `<name>-<hex>.elb.<region>.amazonaws.com` (NLB), `internal-` first for internal ones. */
function dnsNameOf(scope: Scope, name: string, id: string, type: LoadBalancerType, scheme: LoadBalancerRecord['scheme']): string {
  const prefix = scheme === 'internal' ? 'internal-' : '';
  return type === 'application'
    ? `${prefix}${name}-${parseInt(id.slice(0, 8), 16) % 2000000000}.${scope.region}.elb.amazonaws.com`.toLowerCase()
    : `${prefix}${name}-${id}.elb.${scope.region}.amazonaws.com`.toLowerCase();
}

/** The subnets chosen, each found, of one VPC, one per zone, as many zones as the type needs. */
async function resolveSubnets(tx: Tx, scope: Scope, type: LoadBalancerType, choices: SubnetChoice[]): Promise<SubnetRecord[]> {
  const subnets: SubnetRecord[] = [];
  for (const c of choices) {
    const subnet = await tx.get<SubnetRecord>(networkKeys.subnet(scope, c.subnetId));
    if (!subnet) throw LbErrors.subnetNotFound(c.subnetId);
    subnets.push(subnet);
  }
  if (new Set(subnets.map((s) => s.vpcId)).size > 1) throw LbErrors.invalidConfiguration('The subnets must all be in the same VPC');
  if (new Set(subnets.map((s) => s.availabilityZone)).size !== subnets.length) {
    throw LbErrors.invalidConfiguration('You cannot specify multiple subnets in the same Availability Zone');
  }
  if (type === 'application' && subnets.length < 2) throw LbErrors.invalidConfiguration('At least two subnets in two different Availability Zones must be specified');
  if (subnets.length < 1) throw LbErrors.validation('At least one subnet must be specified');
  return subnets;
}

/** The groups named, each a group of the VPC; an ALB without any gets the VPC's default group. */
async function resolveGroups(tx: Tx, scope: Scope, type: LoadBalancerType, vpcId: string, named: string[] | undefined): Promise<string[]> {
  if (named && named.length > 5) throw LbErrors.validation('A load balancer can have at most 5 security groups');
  if (named?.length) {
    const ids = [...new Set(named)];
    for (const id of ids) {
      const group = await tx.get<SecurityGroupRecord>(networkKeys.securityGroup(scope, id));
      if (!group || group.vpcId !== vpcId) throw LbErrors.invalidSecurityGroup(id);
    }
    return ids;
  }
  if (type === 'network') return [];
  const groups = await tx.list<SecurityGroupRecord>(networkKeys.securityGroups(scope));
  const fallback = groups.find((g) => g.vpcId === vpcId && g.groupName === 'default');
  return fallback ? [fallback.groupId] : [];
}

/** One zone of a load balancer: its subnet and a requester-managed interface of ELB's in it. */
async function stageZone(
  tx: Tx, scope: Scope, lb: Pick<LoadBalancerRecord, 'type' | 'name' | 'id'>, subnet: SubnetRecord, choice: SubnetChoice, groupIds: string[], random: string, now: number,
): Promise<LoadBalancerZone> {
  const eni = await stageServiceInterface(tx, scope, {
    subnet, groupIds, ipAddress: choice.privateIpv4Address, random, now, description: `ELB ${lb.type === 'application' ? 'app' : 'net'}/${lb.name}/${lb.id}`,
  });
  if (eni === 'outside-subnet') throw LbErrors.invalidConfiguration(`The address '${choice.privateIpv4Address}' is not an available address of subnet '${subnet.subnetId}'`);
  if (eni === 'in-use') throw LbErrors.invalidConfiguration(`The address '${choice.privateIpv4Address}' is already in use in subnet '${subnet.subnetId}'`);
  if (eni === 'subnet-full') throw LbErrors.invalidSubnet(`Not enough IP space available in '${subnet.subnetId}'. ELB requires at least 8 free IP addresses in each subnet.`);
  return {
    zoneName: subnet.availabilityZone, zoneId: subnet.availabilityZoneId, subnetId: subnet.subnetId,
    networkInterfaceId: eni.networkInterfaceId, privateIpv4Address: eni.privateIpAddress,
  };
}

/** A random 32-hex string for each interface a write may make. */
const randoms = (ids: Ids, n: number) => Array.from({ length: n }, () => ids.hex32());

/** CreateLoadBalancer. */
export async function createLoadBalancer(env: LbEnv, scope: Scope, req: CreateLoadBalancerRequest): Promise<LoadBalancerRecord> {
  const type = req.type ?? 'application';
  const scheme = req.scheme ?? 'internet-facing';
  checkName('Load balancer', req.name);
  checkTags(req.tags);
  if (req.subnets.length === 0) throw LbErrors.validation('At least one subnet must be specified');
  if (new Set(req.subnets.map((s) => s.subnetId)).size !== req.subnets.length) throw LbErrors.validation('A subnet can be specified only once');
  const now = env.clock.now();
  const id = lbId(env.ids.hex32());
  const eniRandoms = randoms(env.ids, req.subnets.length);
  const arn = loadBalancerArn(scope, type, req.name, id);
  return transact(env.store, async (tx) => {
    await stageDefaultVpc(tx, scope, now);
    const nameKey = keys.name(scope, 'loadbalancer', req.name);
    if (await tx.get(nameKey)) throw LbErrors.duplicateLoadBalancerName();
    const existing = await tx.list<LoadBalancerRecord>(keys.loadBalancers(scope));
    const limit = type === 'application' ? LIMITS['application-load-balancers'] : LIMITS['network-load-balancers'];
    if (existing.filter((l) => l.type === type).length >= limit) throw LbErrors.tooManyLoadBalancers();
    const subnets = await resolveSubnets(tx, scope, type, req.subnets);
    const vpcId = subnets[0]!.vpcId;
    const securityGroups = await resolveGroups(tx, scope, type, vpcId, req.securityGroups);
    const zones: LoadBalancerZone[] = [];
    for (const [i, subnet] of subnets.entries()) zones.push(await stageZone(tx, scope, { type, name: req.name, id }, subnet, req.subnets[i]!, securityGroups, eniRandoms[i]!, now));
    const record: LoadBalancerRecord = {
      id, arn, name: req.name, type, scheme, ipAddressType: req.ipAddressType ?? 'ipv4', vpcId, zones, securityGroups,
      dnsName: dnsNameOf(scope, req.name, id, type, scheme), canonicalHostedZoneId: canonicalHostedZoneId(scope.region, type),
      state: 'active', address: await stageAddress(tx, arn, parseInt(id.slice(0, 4), 16)), attributes: loadBalancerDefaults(type), tags: req.tags, createdAt: now,
    };
    tx.put(nameKey, { id });
    tx.put(keys.loadBalancer(scope, id), record);
    return record;
  });
}

/** What DescribeLoadBalancers filters on (none: all of the scope's). */
export interface DescribeLoadBalancersRequest {
  arns?: string[];
  names?: string[];
}

/** DescribeLoadBalancers: by ARNs or names (each must exist), else all, in creation order. */
export async function describeLoadBalancers(store: Store, scope: Scope, req: DescribeLoadBalancersRequest): Promise<LoadBalancerRecord[]> {
  if (req.arns?.length && req.names?.length) throw LbErrors.validation('Load balancer names and load balancer ARNs cannot be specified at the same time');
  const all = (await listDocs<LoadBalancerRecord>(store, keys.loadBalancers(scope))).map((d) => d.value)
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  if (req.arns?.length) {
    const found = all.filter((l) => req.arns!.includes(l.arn));
    if (found.length !== new Set(req.arns).size) throw LbErrors.loadBalancerNotFound();
    return found;
  }
  if (req.names?.length) {
    const missing = req.names.filter((n) => !all.some((l) => l.name === n));
    if (missing.length) throw LbErrors.loadBalancerNotFound(missing);
    return all.filter((l) => req.names!.includes(l.name));
  }
  return all;
}

/** Deletes a listener and its rules, staged: ports, priorities and target group uses let go. */
export async function stageDeleteListener(tx: Tx, scope: Scope, listener: ListenerRecord): Promise<void> {
  const rules = await tx.list<RuleRecord>(keys.rules(scope, listener.id));
  for (const rule of rules) {
    for (const arn of forwardedGroups(rule.actions)) await stageRelease(tx, scope, rule.arn, arn);
    if (rule.priority !== 'default') tx.delete(keys.priority(scope, listener.id, rule.priority));
    tx.delete(keys.rule(scope, listener.id, rule.id));
  }
  for (const arn of forwardedGroups(listener.defaultActions)) await stageRelease(tx, scope, listener.arn, arn);
  tx.delete(keys.listenerPort(scope, listener.loadBalancerId, listener.port));
  tx.delete(keys.listener(scope, listener.loadBalancerId, listener.id));
}

/** DeleteLoadBalancer: its listeners (and their certificates' InUseBy marks), rules, interfaces and address go with it; gone already is success, as in ELBv2. */
export async function deleteLoadBalancer(store: Store, scope: Scope, arn: string, uses?: CertificateUse): Promise<void> {
  await transact(store, async (tx) => {
    const p = parseLbArn(arn);
    const lb = p?.kind === 'loadbalancer' ? await tx.get<LoadBalancerRecord>(keys.loadBalancer(scope, p.id)) : undefined;
    if (!lb || lb.arn !== arn) return;
    if (lb.attributes['deletion_protection.enabled'] === 'true') {
      throw LbErrors.operationNotPermitted(`Load balancer '${arn}' cannot be deleted because deletion protection is enabled`);
    }
    const before = await certificatesOfLoadBalancer(tx, scope, lb.id);
    for (const listener of await tx.list<ListenerRecord>(keys.listeners(scope, lb.id))) await stageDeleteListener(tx, scope, listener);
    await stageCertificateUses(tx, scope, lb, before, uses);
    for (const zone of lb.zones) await stageReleaseInterface(tx, scope, zone.networkInterfaceId);
    stageFreeAddress(tx, lb.address);
    tx.delete(keys.name(scope, 'loadbalancer', lb.name));
    tx.delete(keys.loadBalancer(scope, lb.id));
  });
}

/** DescribeLoadBalancerAttributes. */
export async function loadBalancerAttributes(store: Store, scope: Scope, arn: string): Promise<Record<string, string>> {
  const p = parseLbArn(arn);
  const doc = p?.kind === 'loadbalancer' ? await getDoc<LoadBalancerRecord>(store, keys.loadBalancer(scope, p.id)) : undefined;
  if (!doc || doc.value.arn !== arn) throw LbErrors.loadBalancerNotFound();
  return doc.value.attributes;
}

/** ModifyLoadBalancerAttributes: every attribute, after the change. */
export async function modifyLoadBalancerAttributes(store: Store, scope: Scope, arn: string, changes: { key: string; value: string }[]): Promise<Record<string, string>> {
  return transact(store, async (tx) => {
    const lb = await findLoadBalancer(tx, scope, arn);
    const attributes = applyLoadBalancerAttributes(lb.type, lb.attributes, changes);
    tx.put(keys.loadBalancer(scope, lb.id), { ...lb, attributes });
    return attributes;
  });
}

/** SetSecurityGroups: on the load balancer and its interfaces. */
export async function setSecurityGroups(store: Store, scope: Scope, arn: string, groups: string[]): Promise<string[]> {
  return transact(store, async (tx) => {
    const lb = await findLoadBalancer(tx, scope, arn);
    if (lb.type === 'application' && groups.length === 0) throw LbErrors.validation('An Application Load Balancer must have at least one security group');
    if (lb.type === 'network' && lb.securityGroups.length === 0 && groups.length > 0) {
      throw LbErrors.invalidConfiguration('You cannot set security groups on a Network Load Balancer which was created without any security groups');
    }
    const ids = groups.length ? await resolveGroups(tx, scope, lb.type, lb.vpcId, groups) : [];
    for (const zone of lb.zones) await stageInterfaceGroups(tx, scope, zone.networkInterfaceId, ids);
    tx.put(keys.loadBalancer(scope, lb.id), { ...lb, securityGroups: ids });
    return ids;
  });
}

/** SetSubnets: zones kept, added (with an interface) and dropped (its interface released); the VPC stays. */
export async function setSubnets(env: LbEnv, scope: Scope, arn: string, choices: SubnetChoice[]): Promise<LoadBalancerRecord> {
  const now = env.clock.now();
  const eniRandoms = randoms(env.ids, choices.length);
  return transact(env.store, async (tx) => {
    const lb = await findLoadBalancer(tx, scope, arn);
    if (new Set(choices.map((s) => s.subnetId)).size !== choices.length) throw LbErrors.validation('A subnet can be specified only once');
    const subnets = await resolveSubnets(tx, scope, lb.type, choices);
    if (subnets[0]!.vpcId !== lb.vpcId) throw LbErrors.invalidSubnet(`The subnets must be in the load balancer's VPC '${lb.vpcId}'`);
    const zones: LoadBalancerZone[] = [];
    for (const [i, subnet] of subnets.entries()) {
      const kept = lb.zones.find((z) => z.subnetId === subnet.subnetId);
      zones.push(kept ?? await stageZone(tx, scope, lb, subnet, choices[i]!, lb.securityGroups, eniRandoms[i]!, now));
    }
    for (const zone of lb.zones.filter((z) => !zones.includes(z))) await stageReleaseInterface(tx, scope, zone.networkInterfaceId);
    const record = { ...lb, zones };
    tx.put(keys.loadBalancer(scope, lb.id), record);
    return record;
  });
}

/** SetIpAddressType. */
export async function setIpAddressType(store: Store, scope: Scope, arn: string, ipAddressType: LoadBalancerRecord['ipAddressType']): Promise<LoadBalancerRecord> {
  return transact(store, async (tx) => {
    const lb = await findLoadBalancer(tx, scope, arn);
    if (lb.scheme === 'internal' && lb.type === 'network' && ipAddressType === 'dualstack') {
      throw LbErrors.invalidConfiguration('Internal Network Load Balancers cannot be dualstack');
    }
    const record = { ...lb, ipAddressType };
    tx.put(keys.loadBalancer(scope, lb.id), record);
    return record;
  });
}
