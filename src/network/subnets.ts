/**
 * Subnets: a /16 to /28 part of their VPC's range that overlaps no other subnet of the VPC, in
 * one of the region's availability zones; listed with the addresses they have left; deleted only
 * when no interface is in them.
 */
import { listDocs, transact, type Store } from '../state/index.ts';
import { assignableCount, containsCidr, overlaps, parseCidr } from '../common/index.ts';
import { availabilityZones, type AvailabilityZone } from './default-vpc.ts';
import type { NetworkEnv } from './env.ts';
import { Ec2Errors } from './errors.ts';
import { applyFilters, type Ec2Filter } from './filters.ts';
import { ec2Id, keys, type Ec2Tag, type NetworkInterfaceRecord, type Scope, type SubnetRecord, type VpcRecord } from './records.ts';
import { selectByIds } from './select.ts';
import { MAX_PREFIX, MIN_PREFIX } from './vpcs.ts';

/** What CreateSubnet asks for. */
export interface CreateSubnetRequest {
  vpcId: string;
  cidrBlock?: string;
  availabilityZone?: string;
  availabilityZoneId?: string;
  tags: Ec2Tag[];
}

/**
 * The zone a request names by name or id (both must agree), the region's first when it names
 * none; an unknown one is refused with the zones there are, as EC2 words it.
 */
export function zoneFor(region: string, name: string | undefined, id: string | undefined): AvailabilityZone {
  const zones = availabilityZones(region);
  const unknown = (parameter: string, value: string) => Ec2Errors.invalidParameterValue(
    `Value (${value}) for parameter ${parameter} is invalid. Subnets can currently only be created in the following availability zones: `
      + `${zones.map((z) => (parameter === 'availabilityZone' ? z.zoneName : z.zoneId)).join(', ')}.`,
  );
  const byName = name === undefined ? undefined : zones.find((z) => z.zoneName === name);
  if (name !== undefined && !byName) throw unknown('availabilityZone', name);
  const byId = id === undefined ? undefined : zones.find((z) => z.zoneId === id);
  if (id !== undefined && !byId) throw unknown('availabilityZoneId', id);
  if (byName && byId && byName !== byId) {
    throw Ec2Errors.invalidParameterCombination('The parameters availabilityZone and availabilityZoneId name different availability zones.');
  }
  return byName ?? byId ?? zones[0]!;
}

/**
 * CreateSubnet. The VPC is rewritten as it was read, so two creates racing for overlapping
 * ranges in one VPC cannot both commit (and a DeleteVpc racing with it starts over).
 */
export async function createSubnet(env: NetworkEnv, scope: Scope, request: CreateSubnetRequest): Promise<SubnetRecord> {
  if (request.cidrBlock === undefined) throw Ec2Errors.missingParameter('The request must contain the parameter cidrBlock');
  const text = request.cidrBlock;
  const cidr = parseCidr(text);
  if (!cidr) throw Ec2Errors.invalidCidr('cidrBlock', text);
  const zone = zoneFor(scope.region, request.availabilityZone, request.availabilityZoneId);
  const subnetId = ec2Id('subnet', env.ids.hex32());
  return transact(env.store, async (tx) => {
    const vpc = await tx.get<VpcRecord>(keys.vpc(scope, request.vpcId));
    if (!vpc) throw Ec2Errors.invalidVpcNotFound(request.vpcId);
    if (cidr.prefix < MIN_PREFIX || cidr.prefix > MAX_PREFIX || !containsCidr(parseCidr(vpc.cidrBlock)!, cidr)) throw Ec2Errors.subnetRange(text);
    const siblings = (await tx.list<SubnetRecord>(keys.subnets(scope))).filter((s) => s.vpcId === vpc.vpcId);
    if (siblings.some((s) => overlaps(parseCidr(s.cidrBlock)!, cidr))) throw Ec2Errors.subnetConflict(text);
    const subnet: SubnetRecord = {
      subnetId,
      ownerId: scope.account,
      vpcId: vpc.vpcId,
      cidrBlock: text,
      availabilityZone: zone.zoneName,
      availabilityZoneId: zone.zoneId,
      defaultForAz: false,
      mapPublicIpOnLaunch: false,
      state: 'available',
      tags: request.tags,
      createdAt: env.clock.now(),
    };
    tx.put(keys.vpc(scope, vpc.vpcId), vpc);
    tx.put(keys.subnet(scope, subnetId), subnet);
    return subnet;
  });
}

/** A subnet with the number of addresses it has left (AvailableIpAddressCount). */
export interface SubnetView {
  subnet: SubnetRecord;
  availableIpAddressCount: number;
}

/** What DescribeSubnets asks for. */
export interface DescribeSubnetsRequest {
  subnetIds?: string[];
  filters?: Ec2Filter[];
}

/** DescribeSubnets: the scope's subnets that the request names and its filters pass, by id. */
export async function describeSubnets(store: Store, scope: Scope, request: DescribeSubnetsRequest): Promise<SubnetView[]> {
  const [subnets, interfaces] = await Promise.all([
    listDocs<SubnetRecord>(store, keys.subnets(scope)),
    listDocs<NetworkInterfaceRecord>(store, keys.interfaces(scope)),
  ]);
  const used = new Map<string, number>();
  for (const { value: n } of interfaces) used.set(n.subnetId, (used.get(n.subnetId) ?? 0) + 1);
  const all = subnets.map(({ value: subnet }) => ({
    subnet, availableIpAddressCount: Math.max(0, assignableCount(parseCidr(subnet.cidrBlock)!) - (used.get(subnet.subnetId) ?? 0)),
  }));
  const named = selectByIds(all, request.subnetIds, (v) => v.subnet.subnetId, 'subnet', Ec2Errors.invalidSubnetNotFound);
  return applyFilters(named, request.filters, {
    'subnet-id': (v) => [v.subnet.subnetId],
    'vpc-id': (v) => [v.subnet.vpcId],
    'availability-zone': (v) => [v.subnet.availabilityZone],
    'availability-zone-id': (v) => [v.subnet.availabilityZoneId],
    'available-ip-address-count': (v) => [v.availableIpAddressCount],
    'cidr-block': (v) => [v.subnet.cidrBlock],
    cidr: (v) => [v.subnet.cidrBlock],
    cidrBlock: (v) => [v.subnet.cidrBlock],
    'default-for-az': (v) => [v.subnet.defaultForAz],
    defaultForAz: (v) => [v.subnet.defaultForAz],
    'map-public-ip-on-launch': (v) => [v.subnet.mapPublicIpOnLaunch],
    state: (v) => [v.subnet.state],
    'owner-id': (v) => [v.subnet.ownerId],
    'subnet-arn': (v) => [subnetArn(scope, v.subnet.subnetId)],
  }, (v) => v.subnet.tags);
}

/** A subnet's ARN. */
export const subnetArn = (scope: Scope, subnetId: string): string => `arn:aws:ec2:${scope.region}:${scope.account}:subnet/${subnetId}`;

/** DeleteSubnet: refused while an interface is in it. */
export async function deleteSubnet(store: Store, scope: Scope, subnetId: string): Promise<void> {
  await transact(store, async (tx) => {
    const subnet = await tx.get<SubnetRecord>(keys.subnet(scope, subnetId));
    if (!subnet) throw Ec2Errors.invalidSubnetNotFound(subnetId);
    const interfaces = (await tx.list<NetworkInterfaceRecord>(keys.interfaces(scope))).filter((n) => n.subnetId === subnetId);
    if (interfaces.length > 0) throw Ec2Errors.subnetDependencies(subnetId);
    tx.delete(keys.subnet(scope, subnetId));
  });
}
