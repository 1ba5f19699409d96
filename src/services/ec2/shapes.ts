/**
 * The network domain's records in the SDK's shapes, as EC2 answers them: the members a real
 * response carries for a VPC, a subnet, a security group and its rules, a task's interface and
 * an availability zone (the ones Wharf has no use for at their AWS defaults).
 */
import type {
  AvailabilityZone, IpPermission, NetworkInterface, RevokedSecurityGroupRule, SecurityGroup, SecurityGroupRule, Subnet, Vpc,
} from '@aws-sdk/client-ec2';
import {
  AWS_MANAGED_OWNER, availabilityZones, cidrAssociationId, dhcpOptionsId, privateDnsName, securityGroupArn, securityGroupRuleArn, subnetArn, toPermissions,
  type InterfaceView, type Permission, type Scope, type SecurityGroupRecord, type SecurityGroupRuleRecord, type SubnetView, type VpcRecord, type ZoneView,
} from '../../network/index.ts';
import { tagsOut } from './common.ts';

const BLOCK_PUBLIC_ACCESS = { InternetGatewayBlockMode: 'off' as const };

/** A VPC; `state` is `pending` in CreateVpc's answer, as EC2 reports a VPC it just made. */
export function toVpc(scope: Scope, v: VpcRecord, state: 'pending' | 'available' = v.state): Vpc {
  return {
    CidrBlock: v.cidrBlock,
    DhcpOptionsId: dhcpOptionsId(scope),
    State: state,
    VpcId: v.vpcId,
    OwnerId: v.ownerId,
    InstanceTenancy: v.instanceTenancy,
    Ipv6CidrBlockAssociationSet: [],
    CidrBlockAssociationSet: [{ AssociationId: cidrAssociationId(v.vpcId), CidrBlock: v.cidrBlock, CidrBlockState: { State: 'associated' } }],
    IsDefault: v.isDefault,
    Tags: tagsOut(v.tags),
    BlockPublicAccessStates: BLOCK_PUBLIC_ACCESS,
  };
}

/** A subnet with its free addresses. */
export function toSubnet(scope: Scope, { subnet: s, availableIpAddressCount }: SubnetView): Subnet {
  return {
    AvailabilityZone: s.availabilityZone,
    AvailabilityZoneId: s.availabilityZoneId,
    AvailableIpAddressCount: availableIpAddressCount,
    CidrBlock: s.cidrBlock,
    DefaultForAz: s.defaultForAz,
    MapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
    MapCustomerOwnedIpOnLaunch: false,
    State: s.state,
    SubnetId: s.subnetId,
    VpcId: s.vpcId,
    OwnerId: s.ownerId,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    Tags: tagsOut(s.tags),
    SubnetArn: subnetArn(scope, s.subnetId),
    EnableDns64: false,
    Ipv6Native: false,
    PrivateDnsNameOptionsOnLaunch: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
    BlockPublicAccessStates: BLOCK_PUBLIC_ACCESS,
  };
}

/** A permission: a protocol, its ports (none for all protocols) and its peers; group peers carry the owner's account. */
export function toIpPermission(p: Permission, ownerId: string): IpPermission {
  const d = (description: string | undefined) => (description !== undefined ? { Description: description } : {});
  return {
    IpProtocol: p.ipProtocol,
    ...(p.fromPort !== undefined ? { FromPort: p.fromPort, ToPort: p.toPort } : {}),
    UserIdGroupPairs: p.groups.map((g) => ({ UserId: ownerId, GroupId: g.groupId, ...d(g.description) })),
    IpRanges: p.ipRanges.map((r) => ({ CidrIp: r.cidrIp, ...d(r.description) })),
    Ipv6Ranges: p.ipv6Ranges.map((r) => ({ CidrIpv6: r.cidrIpv6, ...d(r.description) })),
    PrefixListIds: p.prefixListIds.map((r) => ({ PrefixListId: r.prefixListId, ...d(r.description) })),
  };
}

/** A security group, its rules grouped into permissions as DescribeSecurityGroups shows them. */
export function toSecurityGroup(scope: Scope, g: SecurityGroupRecord): SecurityGroup {
  return {
    GroupId: g.groupId,
    IpPermissionsEgress: toPermissions(g.rules.filter((r) => r.isEgress)).map((p) => toIpPermission(p, g.ownerId)),
    Tags: tagsOut(g.tags),
    VpcId: g.vpcId,
    SecurityGroupArn: securityGroupArn(scope, g.groupId),
    OwnerId: g.ownerId,
    GroupName: g.groupName,
    Description: g.description,
    IpPermissions: toPermissions(g.rules.filter((r) => !r.isEgress)).map((p) => toIpPermission(p, g.ownerId)),
  };
}

/** One rule, as DescribeSecurityGroupRules and Authorize show it: ports -1 for a rule without any. */
/** What a rule shows wherever EC2 shows one: its id, group, direction, protocol, ports (-1 for none) and peer. */
function ruleFields(g: SecurityGroupRecord, r: SecurityGroupRuleRecord) {
  return {
    SecurityGroupRuleId: r.ruleId,
    GroupId: g.groupId,
    IsEgress: r.isEgress,
    IpProtocol: r.ipProtocol,
    FromPort: r.fromPort ?? -1,
    ToPort: r.toPort ?? -1,
    ...(r.cidrIpv4 !== undefined ? { CidrIpv4: r.cidrIpv4 } : {}),
    ...(r.cidrIpv6 !== undefined ? { CidrIpv6: r.cidrIpv6 } : {}),
    ...(r.prefixListId !== undefined ? { PrefixListId: r.prefixListId } : {}),
    ...(r.description !== undefined ? { Description: r.description } : {}),
  };
}

export function toSecurityGroupRule(scope: Scope, g: SecurityGroupRecord, r: SecurityGroupRuleRecord): SecurityGroupRule {
  return {
    ...ruleFields(g, r),
    GroupOwnerId: g.ownerId,
    ...(r.referencedGroupId !== undefined ? { ReferencedGroupInfo: { GroupId: r.referencedGroupId, UserId: g.ownerId } } : {}),
    Tags: (tagsOut(r.tags) ?? []),
    SecurityGroupRuleArn: securityGroupRuleArn(scope, r.ruleId),
  };
}

/** A rule a revoke removed. */
export function toRevokedRule(g: SecurityGroupRecord, r: SecurityGroupRuleRecord): RevokedSecurityGroupRule {
  return { ...ruleFields(g, r), ...(r.referencedGroupId !== undefined ? { ReferencedGroupId: r.referencedGroupId } : {}) };
}

/**
 * A task's interface as EC2 shows an interface ECS made for a task: requester-managed, attached
 * by AWS (device index 1, not deleted on termination), the ECS attachment's ARN as description.
 */
export function toNetworkInterface(scope: Scope, { networkInterface: n, groups }: InterfaceView): NetworkInterface {
  const dns = privateDnsName(scope.region, n.privateIpAddress);
  const zoneId = availabilityZones(scope.region).find((z) => z.zoneName === n.availabilityZone)?.zoneId;
  return {
    ...(n.attachment ? {
      Attachment: {
        AttachTime: new Date(n.attachment.attachedAt),
        AttachmentId: n.attachment.attachmentId,
        DeleteOnTermination: false,
        DeviceIndex: 1,
        NetworkCardIndex: 0,
        InstanceOwnerId: AWS_MANAGED_OWNER,
        Status: 'attached',
      },
    } : {}),
    AvailabilityZone: n.availabilityZone,
    Description: n.description,
    Groups: groups.map((g) => ({ GroupName: g.groupName, GroupId: g.groupId })),
    InterfaceType: n.interfaceType,
    Ipv6Addresses: [],
    MacAddress: n.macAddress,
    NetworkInterfaceId: n.networkInterfaceId,
    OwnerId: n.ownerId,
    PrivateDnsName: dns,
    PrivateIpAddress: n.privateIpAddress,
    PrivateIpAddresses: [{ Primary: true, PrivateDnsName: dns, PrivateIpAddress: n.privateIpAddress }],
    Ipv4Prefixes: [],
    Ipv6Prefixes: [],
    ...(n.requesterManaged ? { RequesterId: AWS_MANAGED_OWNER } : {}),
    RequesterManaged: n.requesterManaged,
    SourceDestCheck: true,
    Status: n.status,
    SubnetId: n.subnetId,
    TagSet: n.tags.map((t) => ({ Key: t.key, Value: t.value })),
    VpcId: n.vpcId,
    ...(zoneId !== undefined ? { AvailabilityZoneId: zoneId } : {}),
  };
}

/** An availability zone. */
export function toAvailabilityZone(z: ZoneView): AvailabilityZone {
  return {
    State: z.state,
    OptInStatus: z.optInStatus,
    Messages: [],
    RegionName: z.regionName,
    ZoneName: z.zoneName,
    ZoneId: z.zoneId,
    GroupName: z.groupName,
    NetworkBorderGroup: z.groupName,
    ZoneType: z.zoneType,
  };
}
