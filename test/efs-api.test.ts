/**
 * EFS end to end, through @aws-sdk/client-efs and the AWS CLI v2 against a real control plane in
 * this process: file systems and their creation tokens, paging, access points with a POSIX user
 * and creation info, mount targets in the default VPC's subnets (checked against EC2's view of
 * them), deletion order, tags old and new, policies, a bad input's BadRequest naming the member,
 * and IAM refusing a user without permission.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAccessPointCommand, CreateFileSystemCommand, CreateMountTargetCommand, CreateTagsCommand, DeleteAccessPointCommand, DeleteFileSystemCommand,
  DeleteMountTargetCommand, DescribeAccessPointsCommand, DescribeFileSystemPolicyCommand, DescribeFileSystemsCommand, DescribeMountTargetSecurityGroupsCommand,
  DescribeMountTargetsCommand, DescribeTagsCommand, EFSClient, ListTagsForResourceCommand, ModifyMountTargetSecurityGroupsCommand, PutFileSystemPolicyCommand,
  TagResourceCommand, UntagResourceCommand, paginateDescribeFileSystems,
} from '@aws-sdk/client-efs';
import { CreateSecurityGroupCommand, DescribeNetworkInterfacesCommand, DescribeSubnetsCommand, EC2Client, type Subnet } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { credentials, region } from './support/wharf.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused, type Keys, userWithKey as userWithKeyOn } from './support/in-process.ts';


const controlPlane = inProcessControlPlane();
let plane: ControlPlane;
let efs: EFSClient;
let ec2: EC2Client;
let subnets: Subnet[];

before(async () => {
  plane = await controlPlane();
  efs = client();
  ec2 = new EC2Client({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
  subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!
    .sort((a, b) => a.AvailabilityZone!.localeCompare(b.AvailabilityZone!));
});
after(() => {
  efs?.destroy();
  ec2?.destroy();
});

function client(keys: Keys = credentials): EFSClient {
  return new EFSClient({ endpoint: plane.url, region, credentials: keys, maxAttempts: 1 });
}

const { cli, cliFails } = awsCli(() => plane.url, 'efs');

const newFileSystem = async (token: string) => efs.send(new CreateFileSystemCommand({ CreationToken: token }));

describe('EFS through the SDK and the AWS CLI', () => {
  it('CreateFileSystem: creating, then available; its id, ARN and settings; a creation token makes one file system', async () => {
    const created = await efs.send(new CreateFileSystemCommand({
      CreationToken: 'data-1', PerformanceMode: 'generalPurpose', ThroughputMode: 'elastic', Encrypted: true, Backup: true,
      Tags: [{ Key: 'Name', Value: 'data' }, { Key: 'team', Value: 'payments' }],
    }));
    assert.equal(created.$metadata.httpStatusCode, 201);
    assert.match(created.FileSystemId!, /^fs-[0-9a-f]{17}$/);
    assert.equal(created.FileSystemArn, `arn:aws:elasticfilesystem:${region}:${ACCOUNT}:file-system/${created.FileSystemId}`);
    assert.deepEqual([created.LifeCycleState, created.OwnerId, created.Name, created.NumberOfMountTargets, created.ThroughputMode, created.Encrypted],
      ['creating', ACCOUNT, 'data', 0, 'elastic', true]);
    assert.ok(created.KmsKeyId, 'an encrypted file system has a key');
    assert.ok(created.CreationTime instanceof Date && created.SizeInBytes!.Value! > 0);

    const [described] = (await efs.send(new DescribeFileSystemsCommand({ FileSystemId: created.FileSystemId }))).FileSystems!;
    assert.equal(described!.LifeCycleState, 'available');
    assert.deepEqual(described!.Tags, [{ Key: 'Name', Value: 'data' }, { Key: 'team', Value: 'payments' }]);
    const byToken = await efs.send(new DescribeFileSystemsCommand({ CreationToken: 'data-1' }));
    assert.deepEqual(byToken.FileSystems!.map((f) => f.FileSystemId), [created.FileSystemId]);
    assert.deepEqual((await efs.send(new DescribeFileSystemsCommand({ CreationToken: 'never-used' }))).FileSystems, []);

    const again = await efs.send(new CreateFileSystemCommand({ CreationToken: 'data-1' })).then(() => assert.fail('created twice'), (e: unknown) => e);
    assert.equal((again as Error).name, 'FileSystemAlreadyExists');
    assert.equal((again as { FileSystemId?: string }).FileSystemId, created.FileSystemId, 'the error names the file system the token made');
    assert.equal((again as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 409);
    await refused(efs.send(new DescribeFileSystemsCommand({ FileSystemId: 'fs-0123456789abcdef0' })), 'FileSystemNotFound', /fs-0123456789abcdef0/, 404);
  });

  it('DescribeFileSystems pages with Marker and MaxItems; the SDK paginator walks every page', async () => {
    const made = [];
    for (let n = 0; n < 5; n++) made.push((await newFileSystem(`paged-${n}`)).FileSystemId!);
    const seen: string[] = [];
    let pages = 0;
    for await (const p of paginateDescribeFileSystems({ client: efs, pageSize: 2 }, {})) {
      pages++;
      assert.ok(p.FileSystems!.length <= 2);
      seen.push(...p.FileSystems!.map((f) => f.FileSystemId!));
    }
    assert.ok(pages >= 3);
    assert.equal(new Set(seen).size, seen.length, 'no file system twice');
    for (const id of made) assert.ok(seen.includes(id));
    await refused(efs.send(new DescribeFileSystemsCommand({ Marker: 'not-a-marker' })), 'BadRequest');
  });

  it('access points: a POSIX user and creation info, described by id and by file system, deleted', async () => {
    const fs = await newFileSystem('ap-1');
    const ap = await efs.send(new CreateAccessPointCommand({
      ClientToken: 'ap-token-1', FileSystemId: fs.FileSystemId, Tags: [{ Key: 'Name', Value: 'app' }],
      PosixUser: { Uid: 1000, Gid: 1000, SecondaryGids: [27] },
      RootDirectory: { Path: '/app/data', CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: '0750' } },
    }));
    assert.match(ap.AccessPointId!, /^fsap-[0-9a-f]{17}$/);
    assert.equal(ap.AccessPointArn, `arn:aws:elasticfilesystem:${region}:${ACCOUNT}:access-point/${ap.AccessPointId}`);
    assert.deepEqual([ap.LifeCycleState, ap.Name, ap.FileSystemId], ['creating', 'app', fs.FileSystemId]);
    const [described] = (await efs.send(new DescribeAccessPointsCommand({ AccessPointId: ap.AccessPointId }))).AccessPoints!;
    assert.equal(described!.LifeCycleState, 'available');
    assert.deepEqual(described!.PosixUser, { Uid: 1000, Gid: 1000, SecondaryGids: [27] });
    assert.deepEqual(described!.RootDirectory, { Path: '/app/data', CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: '0750' } });
    const plain = await efs.send(new CreateAccessPointCommand({ ClientToken: 'ap-token-2', FileSystemId: fs.FileSystemId }));
    assert.deepEqual(plain.RootDirectory, { Path: '/' });
    const byFs = await efs.send(new DescribeAccessPointsCommand({ FileSystemId: fs.FileSystemId, MaxResults: 1 }));
    assert.deepEqual(byFs.AccessPoints!.map((a) => a.AccessPointId), [ap.AccessPointId]);
    const rest = await efs.send(new DescribeAccessPointsCommand({ FileSystemId: fs.FileSystemId, NextToken: byFs.NextToken }));
    assert.deepEqual(rest.AccessPoints!.map((a) => a.AccessPointId), [plain.AccessPointId]);

    await refused(efs.send(new CreateAccessPointCommand({ ClientToken: 'ap-token-1', FileSystemId: fs.FileSystemId })), 'AccessPointAlreadyExists', undefined, 409);
    await refused(efs.send(new CreateAccessPointCommand({ ClientToken: 'ap-token-3', FileSystemId: 'fs-0000000000000000a' })), 'FileSystemNotFound', undefined, 404);
    await refused(efs.send(new CreateAccessPointCommand({ ClientToken: 'ap-token-4', FileSystemId: fs.FileSystemId, RootDirectory: { Path: '/a/../b' } })), 'BadRequest');
    await efs.send(new DeleteAccessPointCommand({ AccessPointId: plain.AccessPointId }));
    await refused(efs.send(new DescribeAccessPointsCommand({ AccessPointId: plain.AccessPointId })), 'AccessPointNotFound', undefined, 404);
  });

  it('mount targets in the default VPC\'s subnets: an address of the subnet, one per zone, an interface EC2 shows; deletion order', async () => {
    const fs = await newFileSystem('mt-1');
    const [a, b] = subnets;
    const mt = await efs.send(new CreateMountTargetCommand({ FileSystemId: fs.FileSystemId, SubnetId: a!.SubnetId }));
    assert.match(mt.MountTargetId!, /^fsmt-[0-9a-f]{17}$/);
    assert.deepEqual([mt.SubnetId, mt.VpcId, mt.AvailabilityZoneName, mt.AvailabilityZoneId, mt.LifeCycleState],
      [a!.SubnetId, a!.VpcId, a!.AvailabilityZone, a!.AvailabilityZoneId, 'creating']);
    assert.ok(mt.IpAddress!.startsWith(a!.CidrBlock!.split('.').slice(0, 2).join('.')));
    const { NetworkInterfaces: [eni] = [] } = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [mt.NetworkInterfaceId!] }));
    assert.equal(eni?.PrivateIpAddress, mt.IpAddress);
    assert.equal(eni?.RequesterManaged, true);

    const fixed = await efs.send(new CreateMountTargetCommand({ FileSystemId: fs.FileSystemId, SubnetId: b!.SubnetId, IpAddress: '172.31.16.100' }));
    assert.equal(fixed.IpAddress, '172.31.16.100');
    await refused(efs.send(new CreateMountTargetCommand({ FileSystemId: fs.FileSystemId, SubnetId: a!.SubnetId })), 'MountTargetConflict', /already has a mount target/, 409);
    const other = await newFileSystem('mt-2');
    await refused(efs.send(new CreateMountTargetCommand({ FileSystemId: other.FileSystemId, SubnetId: b!.SubnetId, IpAddress: '172.31.16.100' })), 'IpAddressInUse', undefined, 409);
    await refused(efs.send(new CreateMountTargetCommand({ FileSystemId: other.FileSystemId, SubnetId: a!.SubnetId, IpAddress: '10.0.0.5' })), 'BadRequest');
    await refused(efs.send(new CreateMountTargetCommand({ FileSystemId: other.FileSystemId, SubnetId: 'subnet-0123456789abcdef0' })), 'SubnetNotFound');
    await refused(efs.send(new CreateMountTargetCommand({ FileSystemId: other.FileSystemId, SubnetId: a!.SubnetId, SecurityGroups: ['sg-0123456789abcdef0'] })), 'SecurityGroupNotFound');

    const listed = await efs.send(new DescribeMountTargetsCommand({ FileSystemId: fs.FileSystemId }));
    assert.deepEqual(listed.MountTargets!.map((m) => [m.MountTargetId, m.LifeCycleState]), [[mt.MountTargetId, 'available'], [fixed.MountTargetId, 'available']]);
    assert.equal((await efs.send(new DescribeFileSystemsCommand({ FileSystemId: fs.FileSystemId }))).FileSystems![0]!.NumberOfMountTargets, 2);
    const ap = await efs.send(new CreateAccessPointCommand({ ClientToken: 'mt-ap', FileSystemId: fs.FileSystemId }));
    assert.equal((await efs.send(new DescribeMountTargetsCommand({ AccessPointId: ap.AccessPointId }))).MountTargets!.length, 2);
    await refused(efs.send(new DescribeMountTargetsCommand({})), 'BadRequest', /Exactly one/);

    const { GroupId: groupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'efs', Description: 'nfs', VpcId: a!.VpcId }));
    await efs.send(new ModifyMountTargetSecurityGroupsCommand({ MountTargetId: mt.MountTargetId, SecurityGroups: [groupId!] }));
    assert.deepEqual((await efs.send(new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: mt.MountTargetId }))).SecurityGroups, [groupId]);

    await refused(efs.send(new DeleteFileSystemCommand({ FileSystemId: fs.FileSystemId })), 'FileSystemInUse', undefined, 409);
    for (const id of [mt.MountTargetId, fixed.MountTargetId]) await efs.send(new DeleteMountTargetCommand({ MountTargetId: id }));
    await refused(efs.send(new DeleteMountTargetCommand({ MountTargetId: mt.MountTargetId })), 'MountTargetNotFound', undefined, 404);
    const deleted = await efs.send(new DeleteFileSystemCommand({ FileSystemId: fs.FileSystemId }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    await refused(efs.send(new DescribeFileSystemsCommand({ FileSystemId: fs.FileSystemId })), 'FileSystemNotFound', undefined, 404);
    await refused(efs.send(new DescribeAccessPointsCommand({ AccessPointId: ap.AccessPointId })), 'AccessPointNotFound', undefined, 404);
  });

  it('tags through TagResource and the older CreateTags; a file system policy', async () => {
    const fs = await newFileSystem('tags-1');
    await efs.send(new TagResourceCommand({ ResourceId: fs.FileSystemId, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await efs.send(new CreateTagsCommand({ FileSystemId: fs.FileSystemId, Tags: [{ Key: 'c', Value: '3' }, { Key: 'a', Value: 'one' }] }));
    await efs.send(new UntagResourceCommand({ ResourceId: fs.FileSystemId, TagKeys: ['b'] }));
    assert.deepEqual((await efs.send(new ListTagsForResourceCommand({ ResourceId: fs.FileSystemId }))).Tags, [{ Key: 'a', Value: 'one' }, { Key: 'c', Value: '3' }]);
    assert.deepEqual((await efs.send(new DescribeTagsCommand({ FileSystemId: fs.FileSystemId }))).Tags, [{ Key: 'a', Value: 'one' }, { Key: 'c', Value: '3' }]);
    await refused(efs.send(new TagResourceCommand({ ResourceId: fs.FileSystemId, Tags: [{ Key: 'aws:x', Value: '1' }] })), 'BadRequest', /aws:/);

    await refused(efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: fs.FileSystemId })), 'PolicyNotFound', undefined, 404);
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'elasticfilesystem:ClientMount', Resource: fs.FileSystemArn }] });
    await efs.send(new PutFileSystemPolicyCommand({ FileSystemId: fs.FileSystemId, Policy: policy }));
    assert.equal((await efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: fs.FileSystemId }))).Policy, policy);
    await refused(efs.send(new PutFileSystemPolicyCommand({ FileSystemId: fs.FileSystemId, Policy: '{' })), 'InvalidPolicyException');
  });

  it('a value the model refuses is BadRequest naming the member', async () => {
    await refused(efs.send(new CreateFileSystemCommand({ CreationToken: 'bad-1', PerformanceMode: 'fastest' as 'maxIO' })), 'BadRequest', /performanceMode|PerformanceMode/);
    await refused(efs.send(new CreateAccessPointCommand({
      FileSystemId: 'fs-0123456789abcdef0', ClientToken: 'bad-2', RootDirectory: { Path: '/x', CreationInfo: { OwnerUid: 0, OwnerGid: 0, Permissions: 'rwx' } },
    })), 'BadRequest', /Permissions|permissions/);
    await refused(efs.send(new CreateFileSystemCommand({ CreationToken: 'bad-3', ThroughputMode: 'provisioned' })), 'BadRequest', /ProvisionedThroughputInMibps/);
  });

  it('IAM: a user without permission is refused; one allowed a file system works on that one only', async () => {
    const iam = new IAMClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
    const userWithKey = (name: string, statements?: object[]) => userWithKeyOn(plane.url, name, statements);
    const mine = await newFileSystem('iam-1');
    const theirs = await newFileSystem('iam-2');
    const nobody = client(await userWithKey('no-efs'));
    const one = client(await userWithKey('one-efs', [
      { Effect: 'Allow', Action: ['elasticfilesystem:DescribeFileSystems', 'elasticfilesystem:CreateAccessPoint'], Resource: mine.FileSystemArn },
    ]));
    try {
      await refused(nobody.send(new CreateFileSystemCommand({ CreationToken: 'iam-3' })), 'AccessDeniedException', /elasticfilesystem:CreateFileSystem/, 403);
      await refused(nobody.send(new DescribeFileSystemsCommand({})), 'AccessDeniedException', /elasticfilesystem:DescribeFileSystems on resource: \*/, 403);
      assert.equal((await one.send(new DescribeFileSystemsCommand({ FileSystemId: mine.FileSystemId }))).FileSystems![0]!.FileSystemId, mine.FileSystemId);
      await one.send(new CreateAccessPointCommand({ ClientToken: 'iam-ap', FileSystemId: mine.FileSystemId }));
      await refused(one.send(new DescribeFileSystemsCommand({ FileSystemId: theirs.FileSystemId })), 'AccessDeniedException', new RegExp(theirs.FileSystemArn!), 403);
      await refused(one.send(new DeleteFileSystemCommand({ FileSystemId: mine.FileSystemId })), 'AccessDeniedException', /elasticfilesystem:DeleteFileSystem/, 403);
    } finally {
      nobody.destroy();
      one.destroy();
      iam.destroy();
    }
  });

  // Last: the CLI's calls take seconds, and a client idle that long may find its kept-alive connection closed.
  it('the AWS CLI: create, describe, tag, a mount target, and errors as the CLI names them', async () => {
    const fs = await cli('create-file-system', '--creation-token', 'cli-1', '--tags', 'Key=Name,Value=cli');
    assert.equal(fs.LifeCycleState, 'creating');
    const described = await cli('describe-file-systems', '--file-system-id', fs.FileSystemId);
    assert.equal(described.FileSystems[0].Name, 'cli');
    await cli('create-tags', '--file-system-id', fs.FileSystemId, '--tags', 'Key=env,Value=test');
    assert.deepEqual((await cli('describe-tags', '--file-system-id', fs.FileSystemId)).Tags, [{ Key: 'Name', Value: 'cli' }, { Key: 'env', Value: 'test' }]);
    const ap = await cli('create-access-point', '--file-system-id', fs.FileSystemId, '--posix-user', 'Uid=1,Gid=2', '--root-directory', 'Path=/cli');
    assert.deepEqual(ap.PosixUser, { Uid: 1, Gid: 2 });
    const mt = await cli('create-mount-target', '--file-system-id', fs.FileSystemId, '--subnet-id', subnets[2]!.SubnetId!);
    assert.equal((await cli('describe-mount-targets', '--mount-target-id', mt.MountTargetId)).MountTargets[0].AvailabilityZoneName, subnets[2]!.AvailabilityZone);
    assert.match(await cliFails('delete-file-system', '--file-system-id', fs.FileSystemId), /FileSystemInUse/);
    assert.match(await cliFails('create-file-system', '--creation-token', 'cli-1'), /FileSystemAlreadyExists/);
    assert.match(await cliFails('describe-file-systems', '--file-system-id', 'fs-0000000000000000b'), /FileSystemNotFound/);
    await cli('delete-mount-target', '--mount-target-id', mt.MountTargetId);
    await cli('delete-file-system', '--file-system-id', fs.FileSystemId);
  });
});
