/**
 * VPCs: made with a range of /16 to /28 and their own `default` security group, listed by id and
 * EC2's filters, deleted only when nothing is left in them (their default group goes with them).
 */
import { listDocs, transact, type Store } from '../state/index.ts';
import { parseCidr } from '../common/index.ts';
import type { NetworkEnv } from './env.ts';
import { Ec2Errors } from './errors.ts';
import { applyFilters, type Ec2Filter } from './filters.ts';
import {
  ec2Id, keys, stableEc2Id, type Ec2Tag, type NetworkInterfaceRecord, type Scope, type SecurityGroupRecord, type SubnetRecord, type VpcRecord,
} from './records.ts';
import { defaultSecurityGroup } from './security-groups.ts';
import { selectByIds } from './select.ts';

/** What CreateVpc asks for. */
export interface CreateVpcRequest {
  cidrBlock?: string;
  instanceTenancy?: string;
  tags: Ec2Tag[];
}

/** The prefix lengths a VPC's or a subnet's IPv4 range may have. */
export const MIN_PREFIX = 16;
export const MAX_PREFIX = 28;

/** The id of a VPC's (one) IPv4 CIDR block association. */
export const cidrAssociationId = (vpcId: string): string => stableEc2Id('vpc-cidr-assoc', vpcId);

/** The id of the DHCP options every VPC of a scope uses (AWS's default set). */
export const dhcpOptionsId = (scope: Scope): string => stableEc2Id('dopt', scope.account, scope.region, 'dhcp-options');

/** CreateVpc: the VPC and its default security group. */
export async function createVpc(env: NetworkEnv, scope: Scope, request: CreateVpcRequest): Promise<VpcRecord> {
  if (request.cidrBlock === undefined) throw Ec2Errors.missingParameter("Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.");
  const cidr = parseCidr(request.cidrBlock);
  if (!cidr) throw Ec2Errors.invalidCidr('cidrBlock', request.cidrBlock);
  if (cidr.prefix < MIN_PREFIX || cidr.prefix > MAX_PREFIX) throw Ec2Errors.vpcRange(request.cidrBlock);
  const tenancy = request.instanceTenancy ?? 'default';
  if (tenancy !== 'default' && tenancy !== 'dedicated') throw Ec2Errors.invalidParameterValue(`The tenancy value ${tenancy} is not supported.`);
  const now = env.clock.now();
  const vpc: VpcRecord = {
    vpcId: ec2Id('vpc', env.ids.hex32()),
    ownerId: scope.account,
    cidrBlock: request.cidrBlock,
    isDefault: false,
    state: 'available',
    instanceTenancy: tenancy,
    enableDnsSupport: true,
    enableDnsHostnames: false,
    tags: request.tags,
    createdAt: now,
  };
  const group = defaultSecurityGroup(scope, vpc.vpcId, now, (prefix) => ec2Id(prefix, env.ids.hex32()));
  await transact(env.store, async (tx) => {
    if (await tx.get(keys.vpc(scope, vpc.vpcId))) throw new Error(`VPC id ${vpc.vpcId} drawn twice`);
    tx.put(keys.vpc(scope, vpc.vpcId), vpc);
    tx.put(keys.securityGroup(scope, group.groupId), group);
  });
  return vpc;
}

/** What DescribeVpcs asks for. */
export interface DescribeVpcsRequest {
  vpcIds?: string[];
  filters?: Ec2Filter[];
}

/** DescribeVpcs: the scope's VPCs that the request names and its filters pass, by id. */
export async function describeVpcs(store: Store, scope: Scope, request: DescribeVpcsRequest): Promise<VpcRecord[]> {
  const all = (await listDocs<VpcRecord>(store, keys.vpcs(scope))).map((d) => d.value);
  const named = selectByIds(all, request.vpcIds, (v) => v.vpcId, 'vpc', Ec2Errors.invalidVpcNotFound);
  return applyFilters(named, request.filters, {
    'vpc-id': (v) => [v.vpcId],
    cidr: (v) => [v.cidrBlock],
    'cidr-block-association.cidr-block': (v) => [v.cidrBlock],
    'cidr-block-association.association-id': (v) => [cidrAssociationId(v.vpcId)],
    'cidr-block-association.state': () => ['associated'],
    'dhcp-options-id': () => [dhcpOptionsId(scope)],
    'is-default': (v) => [v.isDefault],
    state: (v) => [v.state],
    'owner-id': (v) => [v.ownerId],
  }, (v) => v.tags);
}

/** The scope's default VPC, or undefined when it was deleted. */
export async function defaultVpcOf(store: Store, scope: Scope): Promise<VpcRecord | undefined> {
  return (await listDocs<VpcRecord>(store, keys.vpcs(scope))).map((d) => d.value).find((v) => v.isDefault);
}

/**
 * DeleteVpc: refused while subnets, interfaces or security groups other than its default one
 * are in it; its default group is deleted with it. Subnet and group creation rewrite their VPC,
 * so one that commits first makes this delete start over and see it.
 */
export async function deleteVpc(store: Store, scope: Scope, vpcId: string): Promise<void> {
  await transact(store, async (tx) => {
    const vpc = await tx.get<VpcRecord>(keys.vpc(scope, vpcId));
    if (!vpc) throw Ec2Errors.invalidVpcNotFound(vpcId);
    const subnets = (await tx.list<SubnetRecord>(keys.subnets(scope))).filter((s) => s.vpcId === vpcId);
    const groups = (await tx.list<SecurityGroupRecord>(keys.securityGroups(scope))).filter((g) => g.vpcId === vpcId);
    const interfaces = (await tx.list<NetworkInterfaceRecord>(keys.interfaces(scope))).filter((n) => n.vpcId === vpcId);
    if (subnets.length > 0 || interfaces.length > 0 || groups.some((g) => g.groupName !== 'default')) throw Ec2Errors.vpcDependencies(vpcId);
    tx.delete(keys.vpc(scope, vpcId));
    for (const g of groups) tx.delete(keys.securityGroup(scope, g.groupId));
  });
}
