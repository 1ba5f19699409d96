/**
 * The VPC documents as stored in the key-value store, and where they are stored: VPCs,
 * subnets, security groups (with their rules), network interfaces (a task's ENI) and the
 * addresses handed out in each subnet. Records are not API shapes: timestamps are epoch ms;
 * the EC2 adapter (`services/ec2`) and ECS's task views turn them into the API's.
 */
import { createHash } from 'node:crypto';

/** Every EC2 resource belongs to one account and one region. */
export interface Scope {
  account: string;
  region: string;
}

/** An EC2 tag. */
export interface Ec2Tag {
  key: string;
  value: string;
}

/** A VPC: an address range that subnets divide. */
export interface VpcRecord {
  vpcId: string;
  ownerId: string;
  cidrBlock: string;
  isDefault: boolean;
  state: 'available';
  instanceTenancy: 'default' | 'dedicated' | 'host';
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
  tags: Ec2Tag[];
  createdAt: number;
}

/** A subnet: part of its VPC's range, in one availability zone. It spans every host of a cluster. */
export interface SubnetRecord {
  subnetId: string;
  ownerId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  availabilityZoneId: string;
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
  state: 'available';
  tags: Ec2Tag[];
  createdAt: number;
}

/**
 * One rule of a security group. `ipProtocol` is `-1` (all), `tcp`, `udp`, `icmp`, `icmpv6` or
 * a protocol number; ports are absent for all protocols (for ICMP they are type and code).
 * Exactly one peer: a CIDR, or another group (`referencedGroupId`).
 */
export interface SecurityGroupRuleRecord {
  ruleId: string;
  isEgress: boolean;
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  referencedGroupId?: string;
  prefixListId?: string;
  description?: string;
  tags: Ec2Tag[];
}

/** A security group: what may reach the interfaces in it (ingress) and where they may go (egress). */
export interface SecurityGroupRecord {
  groupId: string;
  groupName: string;
  description: string;
  ownerId: string;
  vpcId: string;
  rules: SecurityGroupRuleRecord[];
  tags: Ec2Tag[];
  createdAt: number;
}

/** What an interface is attached to: for a task's ENI, the task. */
export interface InterfaceAttachment {
  attachmentId: string;
  /** The ECS task whose namespace holds the interface. */
  taskArn: string;
  /** The container instance (host) the task runs on. */
  containerInstanceArn?: string;
  attachedAt: number;
}

/** A network interface (ENI): an address in a subnet, with security groups, attached to a task. */
export interface NetworkInterfaceRecord {
  networkInterfaceId: string;
  ownerId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIpAddress: string;
  /** Its subnet's prefix length: the address as the task's interface carries it. */
  prefixLength: number;
  macAddress: string;
  groupIds: string[];
  description: string;
  interfaceType: 'interface';
  status: 'in-use' | 'available';
  /** Created and managed by ECS for a task (`amazon-aws` requester). */
  requesterManaged: boolean;
  /** Whether the task asked for a public address (`assignPublicIp`); Wharf's tasks reach out through NAT either way. */
  assignPublicIp: boolean;
  attachment?: InterfaceAttachment;
  tags: Ec2Tag[];
  createdAt: number;
}

/** Where each record lives. Kind first, so one prefix ranges a kind across accounts and regions. */
export const keys = {
  allVpcs: 'network/vpcs/',
  vpcs: (s: Scope) => `network/vpcs/${s.account}/${s.region}/`,
  vpc: (s: Scope, id: string) => `network/vpcs/${s.account}/${s.region}/${id}`,
  allSubnets: 'network/subnets/',
  subnets: (s: Scope) => `network/subnets/${s.account}/${s.region}/`,
  subnet: (s: Scope, id: string) => `network/subnets/${s.account}/${s.region}/${id}`,
  allSecurityGroups: 'network/security-groups/',
  securityGroups: (s: Scope) => `network/security-groups/${s.account}/${s.region}/`,
  securityGroup: (s: Scope, id: string) => `network/security-groups/${s.account}/${s.region}/${id}`,
  allInterfaces: 'network/interfaces/',
  interfaces: (s: Scope) => `network/interfaces/${s.account}/${s.region}/`,
  networkInterface: (s: Scope, id: string) => `network/interfaces/${s.account}/${s.region}/${id}`,
  /** One key per address handed out in a subnet, holding the interface id: the guard that no two interfaces share one. */
  addresses: (s: Scope, subnetId: string) => `network/addresses/${s.account}/${s.region}/${subnetId}/`,
  address: (s: Scope, subnetId: string, ip: string) => `network/addresses/${s.account}/${s.region}/${subnetId}/${ip}`,
  /** Set once the account's default VPC has been made in a region (it may be deleted later, and is not made again). */
  defaultVpcMade: (s: Scope) => `network/default-vpc/${s.account}/${s.region}`,
};

/** EC2's resource id forms: a prefix and 17 lowercase hex characters. */
export type IdPrefix = 'vpc' | 'subnet' | 'sg' | 'sgr' | 'eni' | 'eni-attach' | 'acl' | 'rtb' | 'igw' | 'dopt' | 'vpc-cidr-assoc';

/** A random EC2 id (`vpc-0a1b2c3d4e5f60718`) from 32 random hex characters. */
export const ec2Id = (prefix: IdPrefix, hex32: string): string => `${prefix}-${hex32.slice(0, 17)}`;

/** A deterministic EC2 id for a resource every replica must agree on (the default VPC's parts). */
export const stableEc2Id = (prefix: IdPrefix, ...parts: string[]): string =>
  `${prefix}-${createHash('sha256').update(parts.join('/')).digest('hex').slice(0, 17)}`;

/** True for an id of the form `prefix` makes. */
export const isEc2Id = (prefix: IdPrefix, id: string): boolean => new RegExp(`^${prefix}-[0-9a-f]{8}([0-9a-f]{9})?$`).test(id);

/** EC2's private DNS name of an address: `ip-10-0-1-5.ec2.internal` in us-east-1, `ip-….<region>.compute.internal` elsewhere. */
export function privateDnsName(region: string, ip: string): string {
  const host = `ip-${ip.replaceAll('.', '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}
