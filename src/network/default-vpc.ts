/**
 * The network a new account finds in every region, as AWS gives it: a default VPC
 * (172.31.0.0/16) with a default /20 subnet in each availability zone and its `default`
 * security group. Made on first use, once per account and region; its ids are derived from the
 * account and region, so replicas racing to make it write the same records and one wins.
 */
import { transact, type Store, type Tx } from '../state/index.ts';
import { formatCidr, parseCidr } from '../common/index.ts';
import { keys, stableEc2Id, type Scope, type SecurityGroupRecord, type SubnetRecord, type VpcRecord } from './records.ts';
import { defaultSecurityGroup } from './security-groups.ts';

/** One availability zone of a region: its name and its zone id. */
export interface AvailabilityZone {
  zoneName: string;
  zoneId: string;
}

const DIRECTION: Record<string, string> = { southeast: 'se', northeast: 'ne', northwest: 'nw', southwest: 'sw', central: 'c' };

/** The region's short code in zone ids (`us-east-1` → `use1`, `ap-southeast-2` → `apse2`). */
function regionCode(region: string): string {
  const [area, direction = '', number = ''] = region.replace(/^us-gov-/, 'usgov-').split('-');
  return `${area}${DIRECTION[direction] ?? direction.slice(0, 1)}${number}`;
}

/** The availability zones Wharf offers in a region: three, `<region>a` to `<region>c`. */
export function availabilityZones(region: string): AvailabilityZone[] {
  return ['a', 'b', 'c'].map((letter, i) => ({ zoneName: `${region}${letter}`, zoneId: `${regionCode(region)}-az${i + 1}` }));
}

/** The default VPC's range, as AWS's. */
export const DEFAULT_VPC_CIDR = '172.31.0.0/16';

/** The default VPC, its subnets and its default security group, for a scope. */
export function defaultNetwork(scope: Scope, now: number): { vpc: VpcRecord; subnets: SubnetRecord[]; securityGroup: SecurityGroupRecord } {
  const id = (prefix: 'vpc' | 'subnet', ...parts: string[]) => stableEc2Id(prefix, scope.account, scope.region, 'default', ...parts);
  const vpc: VpcRecord = {
    vpcId: id('vpc'),
    ownerId: scope.account,
    cidrBlock: DEFAULT_VPC_CIDR,
    isDefault: true,
    state: 'available',
    instanceTenancy: 'default',
    enableDnsSupport: true,
    enableDnsHostnames: true,
    tags: [],
    createdAt: now,
  };
  const base = parseCidr(DEFAULT_VPC_CIDR)!.base;
  const subnets = availabilityZones(scope.region).map((az, i): SubnetRecord => ({
    subnetId: id('subnet', az.zoneName),
    ownerId: scope.account,
    vpcId: vpc.vpcId,
    cidrBlock: formatCidr({ base: base + i * 4096, prefix: 20 }),
    availabilityZone: az.zoneName,
    availabilityZoneId: az.zoneId,
    defaultForAz: true,
    mapPublicIpOnLaunch: true,
    state: 'available',
    tags: [],
    createdAt: now,
  }));
  return { vpc, subnets, securityGroup: defaultSecurityGroup(scope, vpc.vpcId, now, stableEc2Id) };
}

/** Stages the default network in `tx` unless it was made before (even if deleted since). */
export async function stageDefaultVpc(tx: Tx, scope: Scope, now: number): Promise<void> {
  if (await tx.get(keys.defaultVpcMade(scope))) return;
  const { vpc, subnets, securityGroup } = defaultNetwork(scope, now);
  tx.put(keys.defaultVpcMade(scope), { vpcId: vpc.vpcId, madeAt: now });
  tx.put(keys.vpc(scope, vpc.vpcId), vpc);
  for (const s of subnets) tx.put(keys.subnet(scope, s.subnetId), s);
  tx.put(keys.securityGroup(scope, securityGroup.groupId), securityGroup);
}

/** Makes the default network of a scope if it was never made: called before anything reads a scope's VPCs. */
export async function ensureDefaultVpc(store: Store, scope: Scope, now: number): Promise<void> {
  if (await store.get(keys.defaultVpcMade(scope))) return;
  await transact(store, (tx) => stageDefaultVpc(tx, scope, now));
}
