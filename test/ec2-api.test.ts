/**
 * EC2's VPC networking end to end, through @aws-sdk/client-ec2 and the AWS CLI v2 against a
 * real control plane (in this process, so the test can put task interfaces in the store as ECS
 * would): the default VPC of each account and region, VPCs, subnets, security groups and their
 * rules, the interfaces ECS makes, availability zones and tags, EC2's errors with its messages,
 * DependencyViolation, paging and filters, and IAM refusing a user without ec2 permissions.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthorizeSecurityGroupEgressCommand, AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateTagsCommand,
  CreateVpcCommand, DeleteSecurityGroupCommand, DeleteSubnetCommand, DeleteTagsCommand, DeleteVpcCommand, DescribeAccountAttributesCommand,
  DescribeAvailabilityZonesCommand, DescribeNetworkInterfacesCommand, DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand, DescribeTagsCommand, DescribeVpcsCommand, EC2Client, RevokeSecurityGroupEgressCommand, RevokeSecurityGroupIngressCommand,
  paginateDescribeSecurityGroupRules, paginateDescribeTags, waitUntilVpcAvailable, type Filter, type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { keys, type NetworkInterfaceRecord } from '../src/network/index.ts';
import { credentials, region } from './support/wharf.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused, type Keys, userWithKey as userWithKeyOn } from './support/in-process.ts';


const controlPlane = inProcessControlPlane();
let plane: ControlPlane;
let ec2: EC2Client;

before(async () => {
  plane = await controlPlane();
  ec2 = client();
});
after(() => ec2?.destroy());

function client(keys: Keys = credentials, inRegion = region): EC2Client {
  return new EC2Client({ endpoint: plane.url, region: inRegion, credentials: keys, maxAttempts: 1 });
}

const { cli, cliFails } = awsCli(() => plane.url, 'ec2');

const filter = (name: string, ...values: string[]): Filter => ({ Name: name, Values: values });

async function defaultVpcId(c = ec2): Promise<string> {
  const { Vpcs } = await c.send(new DescribeVpcsCommand({ Filters: [filter('is-default', 'true')] }));
  assert.equal(Vpcs?.length, 1);
  return Vpcs![0]!.VpcId!;
}

async function group(groupId: string): Promise<SecurityGroup> {
  const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  return SecurityGroups![0]!;
}

/** A VPC of its own for one test: `10.<n>.0.0/16`. */
async function newVpc(n: number, name = `vpc-${n}`): Promise<string> {
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${n}.0.0/16`, TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: name }] }] }));
  return Vpc!.VpcId!;
}

/** Puts a task interface in the store, as ECS's awsvpc launch writes one. */
async function putInterface(eni: Partial<NetworkInterfaceRecord> & Pick<NetworkInterfaceRecord, 'networkInterfaceId' | 'subnetId' | 'vpcId' | 'privateIpAddress' | 'groupIds'>): Promise<NetworkInterfaceRecord> {
  const record: NetworkInterfaceRecord = {
    ownerId: ACCOUNT, availabilityZone: `${region}a`, prefixLength: 24, macAddress: '0a:1b:2c:3d:4e:5f',
    description: `arn:aws:ecs:${region}:${ACCOUNT}:attachment/1b8e2c4d-0f3a-4c5e-9d7b-2a6f8e1c3b5d`, interfaceType: 'interface',
    status: 'in-use', requesterManaged: true, assignPublicIp: false, tags: [], createdAt: Date.UTC(2026, 11, 3, 6, 50, 1),
    attachment: { attachmentId: 'eni-attach-0123456789abcdef0', taskArn: `arn:aws:ecs:${region}:${ACCOUNT}:task/c/0123`, attachedAt: Date.UTC(2026, 11, 3, 6, 50, 2) },
    ...eni,
  };
  await plane.store.txn([], [{ type: 'put', key: keys.networkInterface({ account: ACCOUNT, region }, record.networkInterfaceId), value: JSON.stringify(record) }]);
  return record;
}

async function removeInterface(id: string): Promise<void> {
  await plane.store.txn([], [{ type: 'delete', key: keys.networkInterface({ account: ACCOUNT, region }, id) }]);
}

describe('EC2 networking through the SDK and the AWS CLI', () => {
  it('every account has one default VPC per region: 172.31.0.0/16, a /20 default subnet per zone, its default group', async () => {
    const [vpcs, again] = await Promise.all([ec2.send(new DescribeVpcsCommand({})), ec2.send(new DescribeVpcsCommand({}))]);
    assert.deepEqual(again.Vpcs, vpcs.Vpcs, 'racing first requests make one default VPC');
    const vpc = vpcs.Vpcs!.find((v) => v.IsDefault)!;
    assert.equal(vpc.CidrBlock, '172.31.0.0/16');
    assert.equal(vpc.State, 'available');
    assert.equal(vpc.OwnerId, ACCOUNT);
    assert.match(vpc.VpcId!, /^vpc-[0-9a-f]{17}$/);
    assert.deepEqual(vpc.CidrBlockAssociationSet?.map((a) => [a.CidrBlock, a.CidrBlockState?.State]), [['172.31.0.0/16', 'associated']]);

    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [filter('vpc-id', vpc.VpcId!), filter('default-for-az', 'true')] }));
    assert.deepEqual(Subnets!.map((s) => [s.AvailabilityZone, s.AvailabilityZoneId, s.CidrBlock, s.AvailableIpAddressCount, s.MapPublicIpOnLaunch]).sort(), [
      ['us-east-1a', 'use1-az1', '172.31.0.0/20', 4091, true], ['us-east-1b', 'use1-az2', '172.31.16.0/20', 4091, true], ['us-east-1c', 'use1-az3', '172.31.32.0/20', 4091, true],
    ]);
    assert.equal(Subnets![0]!.SubnetArn, `arn:aws:ec2:us-east-1:${ACCOUNT}:subnet/${Subnets![0]!.SubnetId}`);

    const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['default'] }));
    const sg = SecurityGroups![0]!;
    assert.deepEqual([sg.GroupName, sg.Description, sg.VpcId], ['default', 'default VPC security group', vpc.VpcId]);
    assert.deepEqual(sg.IpPermissions, [{ IpProtocol: '-1', UserIdGroupPairs: [{ UserId: ACCOUNT, GroupId: sg.GroupId }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] }]);
    assert.deepEqual(sg.IpPermissionsEgress, [{ IpProtocol: '-1', UserIdGroupPairs: [], IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [] }]);

    const other = client(credentials, 'eu-west-1');
    try {
      const elsewhere = await defaultVpcId(other);
      assert.notEqual(elsewhere, vpc.VpcId, 'each region has its own');
      const zones = (await other.send(new DescribeSubnetsCommand({ Filters: [filter('vpc-id', elsewhere)] }))).Subnets!.map((s) => s.AvailabilityZone).sort();
      assert.deepEqual(zones, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    } finally {
      other.destroy();
    }
    const { AccountAttributes } = await ec2.send(new DescribeAccountAttributesCommand({ AttributeNames: ['default-vpc', 'supported-platforms'] }));
    assert.deepEqual(AccountAttributes!.map((a) => [a.AttributeName, a.AttributeValues?.map((v) => v.AttributeValue)]).sort(), [
      ['default-vpc', [vpc.VpcId]], ['supported-platforms', ['VPC']],
    ]);
  });

  it('availability zones: three, available, by name, id and filter', async () => {
    const { AvailabilityZones } = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    assert.deepEqual(AvailabilityZones!.map((z) => [z.ZoneName, z.ZoneId, z.State, z.RegionName, z.ZoneType, z.OptInStatus, z.GroupName]), [
      ['us-east-1a', 'use1-az1', 'available', 'us-east-1', 'availability-zone', 'opt-in-not-required', 'us-east-1'],
      ['us-east-1b', 'use1-az2', 'available', 'us-east-1', 'availability-zone', 'opt-in-not-required', 'us-east-1'],
      ['us-east-1c', 'use1-az3', 'available', 'us-east-1', 'availability-zone', 'opt-in-not-required', 'us-east-1'],
    ]);
    const picked = await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneIds: ['use1-az2'], Filters: [filter('state', 'available')] }));
    assert.deepEqual(picked.AvailabilityZones!.map((z) => z.ZoneName), ['us-east-1b']);
    const none = await ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [filter('zone-name', 'us-east-1?'), filter('region-name', 'eu-west-1')] }));
    assert.deepEqual(none.AvailabilityZones, []);
    await refused(ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1z'] })), 'InvalidParameterValue', 'Invalid availability zone: [us-east-1z]');
  });

  it('the AWS CLI makes a VPC, a subnet and a group, authorizes ingress and describes it', async () => {
    const { Vpc } = await cli('create-vpc', '--cidr-block', '10.20.0.0/16', '--tag-specifications', 'ResourceType=vpc,Tags=[{Key=Name,Value=cli}]');
    assert.match(Vpc.VpcId, /^vpc-[0-9a-f]{17}$/);
    assert.deepEqual([Vpc.CidrBlock, Vpc.IsDefault, Vpc.Tags], ['10.20.0.0/16', false, [{ Key: 'Name', Value: 'cli' }]]);
    await waitUntilVpcAvailable({ client: ec2, maxWaitTime: 20 }, { VpcIds: [Vpc.VpcId] });

    const { Subnet } = await cli('create-subnet', '--vpc-id', Vpc.VpcId, '--cidr-block', '10.20.1.0/24', '--availability-zone', 'us-east-1b');
    assert.deepEqual([Subnet.CidrBlock, Subnet.AvailabilityZone, Subnet.AvailabilityZoneId, Subnet.AvailableIpAddressCount, Subnet.DefaultForAz, Subnet.State],
      ['10.20.1.0/24', 'us-east-1b', 'use1-az2', 251, false, 'available']);

    const { GroupId } = await cli('create-security-group', '--group-name', 'web', '--description', 'web tier', '--vpc-id', Vpc.VpcId);
    assert.match(GroupId, /^sg-[0-9a-f]{17}$/);
    const ssh = await cli('authorize-security-group-ingress', '--group-id', GroupId, '--protocol', 'tcp', '--port', '22', '--cidr', '203.0.113.0/24');
    assert.equal(ssh.Return, true);
    assert.deepEqual(ssh.SecurityGroupRules.map((r: any) => [r.IsEgress, r.IpProtocol, r.FromPort, r.ToPort, r.CidrIpv4, r.GroupId]),
      [[false, 'tcp', 22, 22, '203.0.113.0/24', GroupId]]);
    assert.match(ssh.SecurityGroupRules[0].SecurityGroupRuleId, /^sgr-[0-9a-f]{17}$/);
    await cli('authorize-security-group-ingress', '--group-id', GroupId, '--ip-permissions',
      'IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0,Description=https}],Ipv6Ranges=[{CidrIpv6=::/0}]');
    const stderr = await cliFails('authorize-security-group-ingress', '--group-id', GroupId, '--protocol', 'tcp', '--port', '22', '--cidr', '203.0.113.0/24');
    assert.match(stderr, /InvalidPermission\.Duplicate/);
    assert.match(stderr, /the specified rule "peer: 203\.0\.113\.0\/24, TCP, from port: 22, to port: 22, ALLOW" already exists/);

    const { SecurityGroups } = await cli('describe-security-groups', '--group-ids', GroupId);
    assert.equal(SecurityGroups.length, 1);
    const [web] = SecurityGroups;
    assert.deepEqual([web.GroupName, web.Description, web.VpcId, web.OwnerId], ['web', 'web tier', Vpc.VpcId, ACCOUNT]);
    assert.deepEqual(web.IpPermissions, [
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [], IpRanges: [{ CidrIp: '203.0.113.0/24' }], Ipv6Ranges: [], PrefixListIds: [] },
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [], IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'https' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }], PrefixListIds: [] },
    ]);
    assert.deepEqual(web.IpPermissionsEgress, [{ IpProtocol: '-1', UserIdGroupPairs: [], IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [] }]);
    const byFilter = await cli('describe-security-groups', '--filters', `Name=vpc-id,Values=${Vpc.VpcId}`, 'Name=ip-permission.from-port,Values=443');
    assert.deepEqual(byFilter.SecurityGroups.map((g: any) => g.GroupId), [GroupId]);
  });

  it('VPCs: /16 to /28, their own default group, filters; DeleteVpc waits for what is in it and takes the default group', async () => {
    await refused(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })), 'InvalidVpc.Range', "The CIDR '10.0.0.0/8' is invalid.");
    await refused(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/29' })), 'InvalidVpc.Range', "The CIDR '10.0.0.0/29' is invalid.");
    await refused(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.300/16' })), 'InvalidParameterValue', 'Value (10.0.0.300/16) for parameter cidrBlock is invalid. This is not a valid CIDR block.');
    await refused(ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16', TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'a', Value: 'b' }] }] })),
      'InvalidParameterValue', "'subnet' is not a valid taggable resource type for this operation.");

    const vpcId = await newVpc(30, 'lifecycle');
    const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ Filters: [filter('tag:Name', 'lifecycle')] }));
    assert.deepEqual(Vpcs!.map((v) => [v.VpcId, v.CidrBlock, v.IsDefault, v.InstanceTenancy]), [[vpcId, '10.30.0.0/16', false, 'default']]);
    assert.deepEqual((await ec2.send(new DescribeVpcsCommand({ Filters: [filter('cidr', '10.30.*'), filter('is-default', 'false')] }))).Vpcs!.map((v) => v.VpcId), [vpcId]);
    assert.deepEqual((await ec2.send(new DescribeVpcsCommand({ Filters: [filter('cidr-block-association.cidr-block', '10.30.0.0/16'), filter('owner-id', ACCOUNT)] }))).Vpcs!.map((v) => v.VpcId), [vpcId]);
    assert.deepEqual((await ec2.send(new DescribeVpcsCommand({ Filters: [filter('tag-key', 'Name'), filter('state', 'available'), filter('vpc-id', vpcId)] }))).Vpcs!.length, 1);
    await refused(ec2.send(new DescribeVpcsCommand({ Filters: [filter('colour', 'red')] })), 'InvalidParameterValue', "The filter 'colour' is invalid");
    await refused(ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-00000000000000000'] })), 'InvalidVpcID.NotFound', "The vpc ID 'vpc-00000000000000000' does not exist");
    await refused(ec2.send(new DescribeVpcsCommand({ VpcIds: ['nope'] })), 'InvalidVpcID.Malformed', 'Invalid id: "nope" (expecting "vpc-...")');

    const { SecurityGroups: own } = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [filter('vpc-id', vpcId)] }));
    assert.deepEqual(own!.map((g) => g.GroupName), ['default'], 'a new VPC gets its own default group');
    const defaultGroupId = own![0]!.GroupId!;
    assert.notEqual(defaultGroupId, (await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['default'] }))).SecurityGroups![0]!.GroupId);
    await refused(ec2.send(new DeleteSecurityGroupCommand({ GroupId: defaultGroupId })), 'CannotDelete', `the specified group: "${defaultGroupId}" name: "default" cannot be deleted by a user`);

    const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.30.0.0/24' }));
    await refused(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation', `The vpc '${vpcId}' has dependencies and cannot be deleted.`);
    await ec2.send(new DeleteSubnetCommand({ SubnetId: Subnet!.SubnetId }));
    const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'left', Description: 'left behind', VpcId: vpcId }));
    await refused(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation', `The vpc '${vpcId}' has dependencies and cannot be deleted.`);
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId }));
    await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
    await refused(ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })), 'InvalidVpcID.NotFound');
    await refused(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [defaultGroupId] })), 'InvalidGroup.NotFound', `The security group '${defaultGroupId}' does not exist`);
    await refused(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })), 'InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
  });

  it('subnets: inside the VPC, apart from each other, in a zone of the region; filters', async () => {
    const vpcId = await newVpc(40);
    const subnet = (CidrBlock: string, more: { AvailabilityZone?: string; AvailabilityZoneId?: string } = {}) =>
      ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock, ...more, TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'Name', Value: CidrBlock }] }] }));
    const a = (await subnet('10.40.0.0/24')).Subnet!;
    assert.equal(a.AvailabilityZone, 'us-east-1a', 'the first zone when none is named');
    const c = (await subnet('10.40.16.0/20', { AvailabilityZoneId: 'use1-az3' })).Subnet!;
    assert.equal(c.AvailabilityZone, 'us-east-1c');
    assert.equal(c.AvailableIpAddressCount, 4091);
    await refused(subnet('10.41.0.0/24'), 'InvalidSubnet.Range', "The CIDR '10.41.0.0/24' is invalid.");
    await refused(subnet('10.40.0.0/29'), 'InvalidSubnet.Range', "The CIDR '10.40.0.0/29' is invalid.");
    await refused(subnet('10.40.0.0/16'), 'InvalidSubnet.Conflict', "The CIDR '10.40.0.0/16' conflicts with another subnet");
    await refused(subnet('10.40.0.128/25'), 'InvalidSubnet.Conflict', "The CIDR '10.40.0.128/25' conflicts with another subnet");
    await refused(subnet('10.40.1.0/24', { AvailabilityZone: 'us-east-1z' }), 'InvalidParameterValue',
      'Value (us-east-1z) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: us-east-1a, us-east-1b, us-east-1c.');
    await refused(subnet('10.40.1.0/24', { AvailabilityZone: 'us-east-1a', AvailabilityZoneId: 'use1-az2' }), 'InvalidParameterCombination');
    await refused(ec2.send(new CreateSubnetCommand({ VpcId: 'vpc-00000000000000000', CidrBlock: '10.0.0.0/24' })), 'InvalidVpcID.NotFound', "The vpc ID 'vpc-00000000000000000' does not exist");
    await refused(ec2.send(new CreateSubnetCommand({ VpcId: undefined as unknown as string, CidrBlock: '10.0.0.0/24' })), 'MissingParameter', 'The request must contain the parameter vpcId');

    const ids = async (...filters: Filter[]) => (await ec2.send(new DescribeSubnetsCommand({ Filters: filters }))).Subnets!.map((s) => s.SubnetId).sort();
    assert.deepEqual(await ids(filter('vpc-id', vpcId)), [a.SubnetId, c.SubnetId].sort());
    assert.deepEqual(await ids(filter('vpc-id', vpcId), filter('availability-zone', 'us-east-1c')), [c.SubnetId]);
    assert.deepEqual(await ids(filter('vpc-id', vpcId), filter('availability-zone-id', 'use1-az1')), [a.SubnetId]);
    assert.deepEqual(await ids(filter('cidr-block', '10.40.16.0/20')), [c.SubnetId]);
    assert.deepEqual(await ids(filter('cidr', '10.40.0.0/24')), [a.SubnetId]);
    assert.deepEqual(await ids(filter('tag:Name', '10.40.*')), [a.SubnetId, c.SubnetId].sort());
    assert.deepEqual(await ids(filter('vpc-id', vpcId), filter('default-for-az', 'true')), []);
    assert.deepEqual(await ids(filter('subnet-id', a.SubnetId!), filter('state', 'available'), filter('tag-key', 'Name')), [a.SubnetId]);
    await refused(ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-00000000000000000'] })), 'InvalidSubnetID.NotFound', "The subnet ID 'subnet-00000000000000000' does not exist");
  });

  it('security groups: unique names per VPC, the default VPC when none is named, EC2\'s refusals', async () => {
    const defaultVpc = await defaultVpcId();
    const { GroupId, SecurityGroupArn, Tags } = await ec2.send(new CreateSecurityGroupCommand({
      GroupName: 'api', Description: 'api tier', TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'team', Value: 'blue' }] }],
    }));
    assert.equal(SecurityGroupArn, `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/${GroupId}`);
    assert.deepEqual(Tags, [{ Key: 'team', Value: 'blue' }]);
    const api = await group(GroupId!);
    assert.equal(api.VpcId, defaultVpc);
    assert.deepEqual(api.IpPermissions, []);
    assert.deepEqual(api.IpPermissionsEgress, [{ IpProtocol: '-1', UserIdGroupPairs: [], IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [] }]);
    await refused(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'api', Description: 'again' })), 'InvalidGroup.Duplicate',
      `The security group 'api' already exists for VPC '${defaultVpc}'`);
    await refused(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'sg-api', Description: 'x' })), 'InvalidParameterValue',
      'Value (sg-api) for parameter GroupName is invalid. Group names may not be in the format sg-*.');
    await refused(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'nodesc', Description: undefined as unknown as string })), 'MissingParameter',
      'The request must contain the parameter groupDescription');
    const vpcId = await newVpc(50);
    const elsewhere = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'api', Description: 'api tier', VpcId: vpcId }));
    assert.notEqual(elsewhere.GroupId, GroupId, 'the same name in another VPC is another group');

    const byName = await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['api'] }));
    assert.deepEqual(byName.SecurityGroups!.map((g) => g.GroupId), [GroupId], 'GroupNames look in the default VPC');
    await refused(ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['nope'] })), 'InvalidGroup.NotFound', `The security group 'nope' does not exist in default VPC '${defaultVpc}'`);
    await refused(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-00000000000000000'] })), 'InvalidGroup.NotFound', "The security group 'sg-00000000000000000' does not exist");
    await refused(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['web'] })), 'InvalidGroupId.Malformed', 'Invalid id: "web" (expecting "sg-...")');
    const filtered = async (...filters: Filter[]) => (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: filters }))).SecurityGroups!.map((g) => g.GroupId).sort();
    assert.deepEqual(await filtered(filter('group-name', 'api')), [GroupId, elsewhere.GroupId].sort());
    assert.deepEqual(await filtered(filter('group-name', 'api'), filter('vpc-id', vpcId)), [elsewhere.GroupId]);
    assert.deepEqual(await filtered(filter('description', 'api *'), filter('tag:team', 'blue')), [GroupId]);
    assert.deepEqual(await filtered(filter('group-id', GroupId!), filter('owner-id', ACCOUNT), filter('egress.ip-permission.cidr', '0.0.0.0/0')), [GroupId]);

    // A group another group's rule names, or an interface is in, stays.
    const { GroupId: dbId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'db', Description: 'db' }));
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: dbId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId, Description: 'from api' }] }] }));
    assert.deepEqual(await filtered(filter('ip-permission.group-id', GroupId!)), [dbId]);
    assert.deepEqual(await filtered(filter('ip-permission.group-name', 'api'), filter('ip-permission.protocol', 'tcp'), filter('ip-permission.to-port', '5432')), [dbId]);
    await refused(ec2.send(new DeleteSecurityGroupCommand({ GroupId })), 'DependencyViolation', `resource ${GroupId} has a dependent object`);
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId }] }] }));
    await refused(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: elsewhere.GroupId }] }] })),
      'InvalidGroup.NotFound', 'You have specified two resources that belong to different networks.');
    const deleted = await ec2.send(new DeleteSecurityGroupCommand({ GroupName: 'db' }));
    assert.deepEqual([deleted.Return, deleted.GroupId], [true, dbId]);
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [filter('vpc-id', defaultVpc), filter('availability-zone', 'us-east-1a')] }));
    await putInterface({ networkInterfaceId: 'eni-0aaaaaaaaaaaaaaa1', subnetId: Subnets![0]!.SubnetId!, vpcId: defaultVpc, privateIpAddress: '172.31.0.9', groupIds: [GroupId!] });
    await refused(ec2.send(new DeleteSecurityGroupCommand({ GroupId })), 'DependencyViolation', `resource ${GroupId} has a dependent object`);
    await removeInterface('eni-0aaaaaaaaaaaaaaa1');
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId }));
    await refused(ec2.send(new DeleteSecurityGroupCommand({ GroupId })), 'InvalidGroup.NotFound', `The security group '${GroupId}' does not exist`);
  });

  it('rules: EC2\'s checks and duplicates, the legacy flat members, rule ids, revoke in and out of the default VPC', async () => {
    const vpcId = await newVpc(60);
    const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'rules', Description: 'rules', VpcId: vpcId }));
    const ingress = (IpPermissions: any[]) => ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions }));
    await refused(ingress([{ IpProtocol: 'tcp', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]), 'InvalidParameterValue', 'Invalid value for portRange. Must specify both from and to ports with TCP/UDP.');
    await refused(ingress([{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '10.0.0.0/33' }] }]), 'InvalidParameterValue', 'CIDR block 10.0.0.0/33 is malformed');
    await refused(ingress([{ IpProtocol: 'http', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]), 'InvalidParameterValue', "Invalid value 'http' for IP protocol. Unknown protocol.");
    await refused(ingress([{ IpProtocol: 'udp', FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: '10.0.0.0/8' }, { CidrIp: '10.0.0.0/8' }] }]), 'InvalidPermission.Duplicate',
      'the specified rule "peer: 10.0.0.0/8, UDP, from port: 53, to port: 53, ALLOW" already exists');
    assert.deepEqual((await group(GroupId!)).IpPermissions, [], 'refused requests added nothing');

    const { SecurityGroupRules } = await ingress([
      { IpProtocol: 'tcp', FromPort: 8000, ToPort: 8999, IpRanges: [{ CidrIp: '10.0.0.0/8', Description: 'internal' }], UserIdGroupPairs: [{ GroupId }] },
      { IpProtocol: 'icmp', FromPort: 8, ToPort: 0, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      { IpProtocol: '50', IpRanges: [{ CidrIp: '192.0.2.0/24' }] },
    ]);
    assert.deepEqual(SecurityGroupRules!.map((r) => [r.IpProtocol, r.FromPort, r.ToPort, r.CidrIpv4 ?? r.ReferencedGroupInfo?.GroupId, r.Description]), [
      ['tcp', 8000, 8999, '10.0.0.0/8', 'internal'], ['tcp', 8000, 8999, GroupId, undefined], ['icmp', 8, 0, '0.0.0.0/0', undefined], ['50', -1, -1, '192.0.2.0/24', undefined],
    ]);
    await refused(ingress([{ IpProtocol: 'icmp', FromPort: 8, ToPort: 0, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ping again' }] }]), 'InvalidPermission.Duplicate',
      'the specified rule "peer: 0.0.0.0/0, ICMP, type: 8, code: 0, ALLOW" already exists');
    await refused(ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] })),
      'InvalidPermission.Duplicate', 'the specified rule "peer: 0.0.0.0/0, ALL, ALLOW" already exists');
    const egress = await ec2.send(new AuthorizeSecurityGroupEgressCommand({
      GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, PrefixListIds: [{ PrefixListId: 'pl-63a5400a', Description: 's3' }] }],
      TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: [{ Key: 'why', Value: 's3' }] }],
    }));
    assert.deepEqual(egress.SecurityGroupRules!.map((r) => [r.IsEgress, r.PrefixListId, r.Tags]), [[true, 'pl-63a5400a', [{ Key: 'why', Value: 's3' }]]]);

    // Not in the default VPC: a rule that is not there is InvalidPermission.NotFound and nothing is revoked.
    await refused(ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId, IpPermissions: [
      { IpProtocol: 'icmp', FromPort: 8, ToPort: 0, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      { IpProtocol: 'tcp', FromPort: 1, ToPort: 1, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ] })), 'InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
    assert.equal((await group(GroupId!)).IpPermissions!.length, 3);
    const revoked = await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId, IpPermissions: [{ IpProtocol: 'icmp', FromPort: 8, ToPort: 0, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    assert.equal(revoked.Return, true);
    assert.equal(revoked.UnknownIpPermissions, undefined);
    assert.deepEqual(revoked.RevokedSecurityGroupRules!.map((r) => [r.SecurityGroupRuleId, r.IpProtocol, r.CidrIpv4]), [[SecurityGroupRules![2]!.SecurityGroupRuleId, 'icmp', '0.0.0.0/0']]);
    const byId = await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId, SecurityGroupRuleIds: [SecurityGroupRules![0]!.SecurityGroupRuleId!] }));
    assert.deepEqual(byId.RevokedSecurityGroupRules!.map((r) => r.Description), ['internal']);
    await refused(ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId, SecurityGroupRuleIds: [egress.SecurityGroupRules![0]!.SecurityGroupRuleId!] })),
      'InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${egress.SecurityGroupRules![0]!.SecurityGroupRuleId}' does not exist`);
    await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    assert.deepEqual((await group(GroupId!)).IpPermissionsEgress!.map((p) => p.PrefixListIds?.[0]?.PrefixListId), ['pl-63a5400a']);

    // The default VPC: the legacy flat members, by group name; what is not there comes back as unknown.
    await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'legacy', Description: 'legacy' }));
    await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'legacy-peer', Description: 'legacy peer' }));
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupName: 'legacy', IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '198.51.100.7/32' }));
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupName: 'legacy', SourceSecurityGroupName: 'legacy-peer' }));
    await refused(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupName: 'legacy', CidrIp: '1.1.1.1/32', IpProtocol: 'udp', FromPort: 1, ToPort: 1,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 1, ToPort: 1, IpRanges: [{ CidrIp: '1.1.1.1/32' }] }] })), 'InvalidParameterCombination');
    const legacy = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['legacy'] }))).SecurityGroups![0]!;
    const peer = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['legacy-peer'] }))).SecurityGroups![0]!;
    assert.deepEqual(legacy.IpPermissions!.map((p) => [p.IpProtocol, p.FromPort, p.ToPort, p.IpRanges?.[0]?.CidrIp ?? p.UserIdGroupPairs?.[0]?.GroupId]), [
      ['tcp', 22, 22, '198.51.100.7/32'], ['icmp', -1, -1, peer.GroupId], ['tcp', 0, 65535, peer.GroupId], ['udp', 0, 65535, peer.GroupId],
    ]);
    const partly = await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupName: 'legacy', IpPermissions: [
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '198.51.100.7/32' }] },
      { IpProtocol: 'tcp', FromPort: 23, ToPort: 23, IpRanges: [{ CidrIp: '198.51.100.7/32' }] },
    ] }));
    assert.equal(partly.Return, true);
    assert.deepEqual(partly.UnknownIpPermissions, [{ IpProtocol: 'tcp', FromPort: 23, ToPort: 23, UserIdGroupPairs: [], IpRanges: [{ CidrIp: '198.51.100.7/32' }], Ipv6Ranges: [], PrefixListIds: [] }]);
    assert.equal(partly.RevokedSecurityGroupRules!.length, 1);
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupName: 'legacy', SourceSecurityGroupName: 'legacy-peer' }));
    assert.deepEqual((await group(legacy.GroupId!)).IpPermissions, []);
  });

  it('DescribeSecurityGroupRules: by id, by filter, page by page', async () => {
    const vpcId = await newVpc(70);
    const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'many', Description: 'many rules', VpcId: vpcId }));
    const { SecurityGroupRules: added } = await ec2.send(new AuthorizeSecurityGroupIngressCommand({
      GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 1000, ToPort: 1000, IpRanges: Array.from({ length: 12 }, (_, n) => ({ CidrIp: `10.0.${n}.0/24` })) }],
    }));
    const mine = [filter('group-id', GroupId!)];
    const all = (await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: mine }))).SecurityGroupRules!;
    assert.equal(all.length, 13, '12 ingress rules and the default egress rule');
    assert.ok(all.every((r) => r.GroupId === GroupId && r.GroupOwnerId === ACCOUNT && r.SecurityGroupRuleArn === `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group-rule/${r.SecurityGroupRuleId}`));
    const pages: number[] = [];
    const paged: string[] = [];
    for await (const p of paginateDescribeSecurityGroupRules({ client: ec2, pageSize: 5 }, { Filters: mine })) {
      pages.push(p.SecurityGroupRules!.length);
      paged.push(...p.SecurityGroupRules!.map((r) => r.SecurityGroupRuleId!));
    }
    assert.deepEqual(pages, [5, 5, 3]);
    assert.deepEqual(paged, all.map((r) => r.SecurityGroupRuleId));
    const one = await ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [added![3]!.SecurityGroupRuleId!] }));
    assert.deepEqual(one.SecurityGroupRules!.map((r) => [r.CidrIpv4, r.FromPort, r.IsEgress]), [['10.0.3.0/24', 1000, false]]);
    await refused(ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: ['sgr-00000000000000000'] })), 'InvalidSecurityGroupRuleId.NotFound');
    await refused(ec2.send(new DescribeSecurityGroupRulesCommand({ MaxResults: 2 })), 'InvalidParameterValue', /parameter maxResults is invalid/);
    await refused(ec2.send(new DescribeSecurityGroupRulesCommand({ NextToken: 'garbage' })), 'InvalidNextToken');
    const groupsPaged = await ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 5 }));
    assert.equal(groupsPaged.SecurityGroups!.length, 5);
    assert.ok(groupsPaged.NextToken);
    const rest = await ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 1000, NextToken: groupsPaged.NextToken }));
    const everything = await ec2.send(new DescribeSecurityGroupsCommand({}));
    assert.equal(everything.NextToken, undefined);
    assert.deepEqual([...groupsPaged.SecurityGroups!, ...rest.SecurityGroups!].map((g) => g.GroupId), everything.SecurityGroups!.map((g) => g.GroupId));
  });

  it('network interfaces: ECS task interfaces as EC2 shows them; they hold their subnet and groups', async () => {
    const vpcId = await newVpc(80);
    const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.80.1.0/24', AvailabilityZone: 'us-east-1b' }));
    const subnetId = Subnet!.SubnetId!;
    const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'task', Description: 'task', VpcId: vpcId }));
    const one = await putInterface({ networkInterfaceId: 'eni-0bbbbbbbbbbbbbbb1', subnetId, vpcId, privateIpAddress: '10.80.1.4', groupIds: [GroupId!], availabilityZone: 'us-east-1b' });
    await putInterface({ networkInterfaceId: 'eni-0bbbbbbbbbbbbbbb2', subnetId, vpcId, privateIpAddress: '10.80.1.5', groupIds: [GroupId!], availabilityZone: 'us-east-1b', status: 'available', attachment: undefined });

    const { NetworkInterfaces } = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [one.networkInterfaceId] }));
    assert.deepEqual(NetworkInterfaces, [{
      Attachment: {
        AttachTime: new Date(Date.UTC(2026, 11, 3, 6, 50, 2)), AttachmentId: 'eni-attach-0123456789abcdef0', DeleteOnTermination: false, DeviceIndex: 1,
        NetworkCardIndex: 0, InstanceOwnerId: 'amazon-aws', Status: 'attached',
      },
      AvailabilityZone: 'us-east-1b',
      Description: one.description,
      Groups: [{ GroupName: 'task', GroupId }],
      InterfaceType: 'interface',
      Ipv6Addresses: [],
      MacAddress: '0a:1b:2c:3d:4e:5f',
      NetworkInterfaceId: 'eni-0bbbbbbbbbbbbbbb1',
      OwnerId: ACCOUNT,
      PrivateDnsName: 'ip-10-80-1-4.ec2.internal',
      PrivateIpAddress: '10.80.1.4',
      PrivateIpAddresses: [{ Primary: true, PrivateDnsName: 'ip-10-80-1-4.ec2.internal', PrivateIpAddress: '10.80.1.4' }],
      Ipv4Prefixes: [],
      Ipv6Prefixes: [],
      RequesterId: 'amazon-aws',
      RequesterManaged: true,
      SourceDestCheck: true,
      Status: 'in-use',
      SubnetId: subnetId,
      TagSet: [],
      VpcId: vpcId,
      AvailabilityZoneId: 'use1-az2',
    }]);
    const ids = async (...filters: Filter[]) => (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: filters }))).NetworkInterfaces!.map((n) => n.NetworkInterfaceId).sort();
    assert.deepEqual(await ids(filter('subnet-id', subnetId)), ['eni-0bbbbbbbbbbbbbbb1', 'eni-0bbbbbbbbbbbbbbb2']);
    assert.deepEqual(await ids(filter('vpc-id', vpcId), filter('status', 'in-use')), ['eni-0bbbbbbbbbbbbbbb1']);
    assert.deepEqual(await ids(filter('group-id', GroupId!), filter('private-ip-address', '10.80.1.5')), ['eni-0bbbbbbbbbbbbbbb2']);
    assert.deepEqual(await ids(filter('attachment.status', 'attached'), filter('availability-zone', 'us-east-1b'), filter('requester-managed', 'true')), ['eni-0bbbbbbbbbbbbbbb1']);
    assert.deepEqual(await ids(filter('description', 'arn:aws:ecs:*:attachment/*'), filter('vpc-id', vpcId)), ['eni-0bbbbbbbbbbbbbbb1', 'eni-0bbbbbbbbbbbbbbb2']);
    const firstPage = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [filter('vpc-id', vpcId)], MaxResults: 5 }));
    assert.equal(firstPage.NetworkInterfaces!.length, 2);
    assert.equal(firstPage.NextToken, undefined);
    await refused(ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-00000000000000000'] })), 'InvalidNetworkInterfaceID.NotFound',
      "The networkInterface ID 'eni-00000000000000000' does not exist");

    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
    assert.equal(Subnets![0]!.AvailableIpAddressCount, 251 - 2);
    await refused(ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId })), 'DependencyViolation', `The subnet '${subnetId}' has dependencies and cannot be deleted.`);
    await refused(ec2.send(new DeleteSecurityGroupCommand({ GroupId })), 'DependencyViolation', `resource ${GroupId} has a dependent object`);
    await ec2.send(new CreateTagsCommand({ Resources: [one.networkInterfaceId], Tags: [{ Key: 'task', Value: 'web' }] }));
    assert.deepEqual(await ids(filter('tag:task', 'web')), ['eni-0bbbbbbbbbbbbbbb1']);
    await removeInterface('eni-0bbbbbbbbbbbbbbb1');
    await removeInterface('eni-0bbbbbbbbbbbbbbb2');
    await ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId }));
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId }));
    await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
  });

  it('tags: on VPCs, subnets, groups and rules; DescribeTags filters and pages; DeleteTags with and without a value', async () => {
    const vpcId = await newVpc(90, 'tagged');
    const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.90.0.0/24' }));
    const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'tagged', Description: 'tagged', VpcId: vpcId }));
    const ruleId = (await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [filter('group-id', GroupId!)] }))).SecurityGroupRules![0]!.SecurityGroupRuleId!;
    const resources = [vpcId, Subnet!.SubnetId!, GroupId!, ruleId];
    await ec2.send(new CreateTagsCommand({ Resources: resources, Tags: [{ Key: 'env', Value: 'test' }, { Key: 'owner', Value: 'wharf' }, { Key: 'empty' }] }));
    const mine = filter('resource-id', ...resources);
    const { Tags } = await ec2.send(new DescribeTagsCommand({ Filters: [mine, filter('key', 'env')] }));
    assert.deepEqual(Tags!.map((t) => [t.ResourceType, t.Value]).sort(), [['security-group', 'test'], ['security-group-rule', 'test'], ['subnet', 'test'], ['vpc', 'test']]);
    assert.deepEqual((await ec2.send(new DescribeTagsCommand({ Filters: [mine, filter('resource-type', 'vpc')] }))).Tags!.map((t) => [t.Key, t.Value]),
      [['Name', 'tagged'], ['empty', ''], ['env', 'test'], ['owner', 'wharf']]);
    const pages: number[] = [];
    for await (const p of paginateDescribeTags({ client: ec2, pageSize: 5 }, { Filters: [mine] })) pages.push(p.Tags!.length);
    assert.deepEqual(pages, [5, 5, 3]);
    assert.deepEqual((await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [filter('tag:owner', 'wharf')] }))).SecurityGroupRules!.map((r) => r.SecurityGroupRuleId), [ruleId]);

    await ec2.send(new DeleteTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'owner' }, { Key: 'empty', Value: '' }] }));
    const left = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs![0]!.Tags!.map((t) => t.Key).sort();
    assert.deepEqual(left, ['Name', 'env'], 'a value that differs keeps the tag; no value, or the same one, removes it');
    await ec2.send(new DeleteTagsCommand({ Resources: [Subnet!.SubnetId!] }));
    assert.equal((await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [Subnet!.SubnetId!] }))).Subnets![0]!.Tags, undefined);

    await refused(ec2.send(new CreateTagsCommand({ Resources: [vpcId, 'subnet-00000000000000000'], Tags: [{ Key: 'x', Value: '1' }] })), 'InvalidSubnetID.NotFound');
    await refused(ec2.send(new CreateTagsCommand({ Resources: ['sgr-00000000000000000'], Tags: [{ Key: 'x', Value: '1' }] })), 'InvalidSecurityGroupRuleId.NotFound');
    await refused(ec2.send(new CreateTagsCommand({ Resources: ['bucket'], Tags: [{ Key: 'x', Value: '1' }] })), 'InvalidID', "The ID 'bucket' is not valid");
    await refused(ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'aws:owner', Value: '1' }] })), 'InvalidParameterValue', "Tag keys starting with 'aws:' are reserved for internal use");
    assert.equal((await ec2.send(new DescribeTagsCommand({ Filters: [filter('key', 'x')] }))).Tags!.length, 0, 'a refused CreateTags tagged nothing');
  });

  it('IAM: a user without ec2 permissions is refused with UnauthorizedOperation; DryRun answers whether it would be allowed', async () => {
    const iam = new IAMClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
    const userWithKey = (name: string, statements?: object[]) => userWithKeyOn(plane.url, name, statements);
    const nobody = client(await userWithKey('no-ec2'));
    const reader = client(await userWithKey('ec2-reader', [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }]));
    const builder = client(await userWithKey('vpc-builder', [{ Effect: 'Allow', Action: ['ec2:CreateVpc', 'ec2:DescribeVpcs'], Resource: '*' }]));
    try {
      await refused(nobody.send(new DescribeVpcsCommand({})), 'UnauthorizedOperation',
        `You are not authorized to perform this operation. User: arn:aws:iam::${ACCOUNT}:user/no-ec2 is not authorized to perform: ec2:DescribeVpcs on resource: * because no identity-based policy allows the ec2:DescribeVpcs action`, 403);
      await refused(nobody.send(new CreateSecurityGroupCommand({ GroupName: 'x', Description: 'x' })), 'UnauthorizedOperation', /ec2:CreateSecurityGroup on resource: arn:aws:ec2:us-east-1:123456789012:security-group\/\*/, 403);
      assert.equal((await reader.send(new DescribeVpcsCommand({}))).Vpcs!.length > 0, true);
      await reader.send(new DescribeSecurityGroupsCommand({}));
      const vpcId = await defaultVpcId();
      await refused(reader.send(new DeleteVpcCommand({ VpcId: vpcId })), 'UnauthorizedOperation', new RegExp(`ec2:DeleteVpc on resource: arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/${vpcId}`), 403);
      await refused(reader.send(new CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'a', Value: 'b' }] })), 'UnauthorizedOperation', new RegExp(`ec2:CreateTags on resource: arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/${vpcId}`), 403);
      await refused(reader.send(new CreateVpcCommand({ CidrBlock: '10.99.0.0/16', DryRun: true })), 'UnauthorizedOperation', /ec2:CreateVpc/, 403);
      await refused(builder.send(new CreateVpcCommand({ CidrBlock: '10.99.0.0/16', DryRun: true })), 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
      await refused(builder.send(new CreateVpcCommand({ CidrBlock: '10.99.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'a', Value: 'b' }] }] })),
        'UnauthorizedOperation', /ec2:CreateTags on resource: arn:aws:ec2:us-east-1:123456789012:vpc\/\*/, 403);
      assert.deepEqual((await builder.send(new DescribeVpcsCommand({ Filters: [filter('cidr', '10.99.0.0/16')] }))).Vpcs, [], 'refused and dry runs made nothing');
      const { Vpc } = await builder.send(new CreateVpcCommand({ CidrBlock: '10.99.0.0/16' }));
      assert.equal(Vpc!.State, 'pending');
      await ec2.send(new DeleteVpcCommand({ VpcId: Vpc!.VpcId }));

      // A group's tags are its aws:ResourceTag and ec2:ResourceTag keys.
      const tagged = async (GroupName: string, team: string) => (await ec2.send(new CreateSecurityGroupCommand({
        GroupName, Description: GroupName, TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'team', Value: team }] }],
      }))).GroupId!;
      const blue = await tagged('team-blue', 'blue');
      const red = await tagged('team-red', 'red');
      const blueTeam = client(await userWithKey('blue-team', [
        { Effect: 'Allow', Action: 'ec2:DeleteSecurityGroup', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' } } },
        { Effect: 'Deny', Action: 'ec2:DeleteSecurityGroup', Resource: '*', Condition: { StringEquals: { 'ec2:ResourceTag/team': 'red' } } },
      ]));
      try {
        await refused(blueTeam.send(new DeleteSecurityGroupCommand({ GroupId: red })), 'UnauthorizedOperation', /with an explicit deny in an identity-based policy/, 403);
        await blueTeam.send(new DeleteSecurityGroupCommand({ GroupId: blue }));
        await refused(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [blue] })), 'InvalidGroup.NotFound');
        await ec2.send(new DeleteSecurityGroupCommand({ GroupId: red }));
      } finally {
        blueTeam.destroy();
      }
    } finally {
      for (const c of [iam, nobody, reader, builder]) c.destroy();
    }
  });
});
