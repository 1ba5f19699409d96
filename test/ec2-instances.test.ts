/**
 * EC2 instances and launch templates end to end, through @aws-sdk/client-ec2 (and its waiters)
 * and the AWS CLI v2 against a control plane in this process whose instance hosts are a fake
 * that records what it is asked: RunInstances (addresses in the subnet, groups, user data, tags,
 * instance profiles, ClientToken, counts), the state machine through the hosts (start, stop,
 * terminate, EC2's reasons and errors), DescribeInstances' filters and paging, terminated
 * instances hidden an hour on, DescribeInstanceStatus, DescribeInstanceTypes, tags on instances,
 * and launch templates with their versions and a RunInstances over one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLaunchTemplateCommand, CreateLaunchTemplateVersionCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateTagsCommand, CreateVpcCommand,
  DeleteLaunchTemplateCommand, DeleteLaunchTemplateVersionsCommand, DeleteSubnetCommand, DescribeInstanceAttributeCommand, DescribeInstanceStatusCommand,
  DescribeInstanceTypesCommand, DescribeInstancesCommand, DescribeLaunchTemplateVersionsCommand, DescribeLaunchTemplatesCommand,
  DescribeNetworkInterfacesCommand, DescribeTagsCommand, EC2Client, ModifyLaunchTemplateCommand, RunInstancesCommand, StartInstancesCommand,
  StopInstancesCommand, TerminateInstancesCommand, paginateDescribeInstances, waitUntilInstanceRunning, waitUntilInstanceStopped,
  waitUntilInstanceTerminated, type Filter, type Instance,
} from '@aws-sdk/client-ec2';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { AutoScalingClient, CreateAutoScalingGroupCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import type { InstanceHostSpec, InstanceHostsPort } from '../src/instances/index.ts';
import { credentials, region } from './support/wharf.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused, userWithKey, type Keys } from './support/in-process.ts';

/** Hosts that only record: every start and stop, and which hosts are up. */
class RecordingHosts implements InstanceHostsPort {
  readonly starts: InstanceHostSpec[] = [];
  readonly stops: { instanceId: string; how: 'stop' | 'terminate' }[] = [];
  private readonly up = new Set<string>();

  async start(spec: InstanceHostSpec): Promise<void> {
    this.starts.push(spec);
    this.up.add(spec.instanceId);
  }

  async stop(instanceId: string, how: 'stop' | 'terminate'): Promise<void> {
    this.stops.push({ instanceId, how });
    this.up.delete(instanceId);
  }

  running(): string[] {
    return [...this.up];
  }

  startsOf(id: string): InstanceHostSpec[] {
    return this.starts.filter((s) => s.instanceId === id);
  }
}

const hosts = new RecordingHosts();
let offset = 0;
const controlPlane = inProcessControlPlane({ instanceHosts: hosts, clock: { now: () => Date.now() + offset } });
let plane: ControlPlane;
let ec2: EC2Client;

before(async () => {
  plane = await controlPlane();
  ec2 = client();
});
after(() => ec2?.destroy());

function client(keys: Keys = credentials): EC2Client {
  return new EC2Client({ endpoint: plane.url, region, credentials: keys, maxAttempts: 1, systemClockOffset: offset });
}

const { cli, cliFails } = awsCli(() => plane.url, 'ec2');
const filter = (name: string, ...values: string[]): Filter => ({ Name: name, Values: values });
const AMI = 'ami-0123456789abcdef0';
const base64 = (text: string) => Buffer.from(text).toString('base64');
const waiter = () => ({ client: ec2, maxWaitTime: 20, minDelay: 1, maxDelay: 1 });

async function describe1(id: string): Promise<Instance> {
  const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return Reservations![0]!.Instances![0]!;
}

describe('RunInstances and the hosts', () => {
  it('launches instances pending in the default subnet, starts a host for each with the type\'s resources and the user data, and they run', async () => {
    const userData = '#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n';
    const run = await ec2.send(new RunInstancesCommand({
      ImageId: AMI, InstanceType: 't3.small', MinCount: 2, MaxCount: 2, UserData: base64(userData), KeyName: 'ops',
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web' }] }],
    }));
    assert.match(run.ReservationId!, /^r-[0-9a-f]{17}$/);
    assert.equal(run.OwnerId, ACCOUNT);
    assert.equal(run.Instances!.length, 2);
    const ids = run.Instances!.map((i) => i.InstanceId!);
    for (const [n, i] of run.Instances!.entries()) {
      assert.match(i.InstanceId!, /^i-[0-9a-f]{17}$/);
      assert.deepEqual(i.State, { Code: 0, Name: 'pending' });
      assert.deepEqual(i.StateReason, { Code: 'pending', Message: 'pending' });
      assert.equal(i.AmiLaunchIndex, n);
      assert.equal(i.InstanceType, 't3.small');
      assert.equal(i.KeyName, 'ops');
      assert.equal(i.Placement?.AvailabilityZone, `${region}a`);
      assert.match(i.PrivateIpAddress!, /^172\.31\.\d+\.\d+$/);
      assert.equal(i.PrivateDnsName, `ip-${i.PrivateIpAddress!.replaceAll('.', '-')}.ec2.internal`);
      assert.equal(i.SecurityGroups?.[0]?.GroupName, 'default');
      assert.deepEqual(i.Tags, [{ Key: 'Name', Value: 'web' }]);
      assert.deepEqual(i.CpuOptions, { CoreCount: 1, ThreadsPerCore: 2 });
    }
    assert.notEqual(run.Instances![0]!.PrivateIpAddress, run.Instances![1]!.PrivateIpAddress);
    await waitUntilInstanceRunning(waiter(), { InstanceIds: ids });
    const running = await describe1(ids[0]!);
    assert.deepEqual(running.State, { Code: 16, Name: 'running' });
    assert.equal(running.StateReason, undefined);
    const [spec] = hosts.startsOf(ids[0]!);
    assert.deepEqual(spec, {
      instanceId: ids[0], account: ACCOUNT, region, availabilityZone: `${region}a`, instanceType: 't3.small', cpu: 2048, memoryMiB: 2048,
      maxNetworkInterfaces: 3, imageId: AMI, subnetId: running.SubnetId, vpcId: running.VpcId, privateIpAddress: running.PrivateIpAddress, userData,
    });
    // The address is held by the instance's interface in its subnet.
    const { NetworkInterfaces } = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [filter('private-ip-address', running.PrivateIpAddress!)] }));
    assert.equal(NetworkInterfaces?.[0]?.NetworkInterfaceId, running.NetworkInterfaces?.[0]?.NetworkInterfaceId);
    const attribute = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: ids[0], Attribute: 'userData' }));
    assert.equal(attribute.UserData?.Value, base64(userData));
    const statuses = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ids }));
    assert.deepEqual(statuses.InstanceStatuses?.map((s) => [s.InstanceState?.Name, s.InstanceStatus?.Status, s.SystemStatus?.Status]), [
      ['running', 'ok', 'ok'], ['running', 'ok', 'ok'],
    ]);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
    await waitUntilInstanceTerminated(waiter(), { InstanceIds: ids });
  });

  it('stop, start and terminate move through EC2\'s states with its reasons, each through the host', async () => {
    const { Instances } = await ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1 }));
    const id = Instances![0]!.InstanceId!;
    await waitUntilInstanceRunning(waiter(), { InstanceIds: [id] });
    const stopping = await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(stopping.StoppingInstances, [{ InstanceId: id, CurrentState: { Code: 64, Name: 'stopping' }, PreviousState: { Code: 16, Name: 'running' } }]);
    await waitUntilInstanceStopped(waiter(), { InstanceIds: [id] });
    const stopped = await describe1(id);
    assert.match(stopped.StateTransitionReason!, /^User initiated \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\)$/);
    assert.deepEqual(stopped.StateReason, { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' });
    assert.deepEqual(hosts.stops.filter((s) => s.instanceId === id), [{ instanceId: id, how: 'stop' }]);
    // Stopping a stopped instance changes nothing.
    const again = await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(again.StoppingInstances?.[0]?.CurrentState, { Code: 80, Name: 'stopped' });

    const starting = await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(starting.StartingInstances?.[0]?.CurrentState, { Code: 0, Name: 'pending' });
    await waitUntilInstanceRunning(waiter(), { InstanceIds: [id] });
    assert.equal(hosts.startsOf(id).length, 2);
    assert.equal((await describe1(id)).PrivateIpAddress, stopped.PrivateIpAddress, 'a stopped instance keeps its address');

    const terminating = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(terminating.TerminatingInstances?.[0]?.CurrentState, { Code: 32, Name: 'shutting-down' });
    await waitUntilInstanceTerminated(waiter(), { InstanceIds: [id] });
    assert.deepEqual(hosts.stops.filter((s) => s.instanceId === id).map((s) => s.how), ['stop', 'terminate']);
    const gone = await describe1(id);
    assert.equal(gone.PrivateIpAddress, undefined);
    // Its address is free again: its interface is gone.
    const { NetworkInterfaces } = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [filter('private-ip-address', stopped.PrivateIpAddress!)] }));
    assert.deepEqual(NetworkInterfaces, []);
    await refused(ec2.send(new StartInstancesCommand({ InstanceIds: [id] })), 'IncorrectInstanceState', `The instance '${id}' is not in a state from which it can be started.`);
    await refused(ec2.send(new StopInstancesCommand({ InstanceIds: [id] })), 'IncorrectInstanceState', `This instance '${id}' is not in a state from which it can be stopped.`);
    const twice = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(twice.TerminatingInstances?.[0]?.CurrentState, { Code: 48, Name: 'terminated' });

    // An hour on, a terminated instance is no longer shown.
    // (A client per call: the SDK sets its clock by the Date of a response, which is the wall clock's.)
    offset = 61 * 60_000;
    const later = [client(), client()];
    try {
      await refused(later[0]!.send(new DescribeInstancesCommand({ InstanceIds: [id] })), 'InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
      const { Reservations } = await later[1]!.send(new DescribeInstancesCommand({ Filters: [filter('instance-state-name', 'terminated')] }));
      assert.ok(!Reservations?.some((r) => r.Instances?.some((i) => i.InstanceId === id)));
    } finally {
      offset = 0;
      for (const c of later) c.destroy();
    }
  });

  it('in a subnet of its own, with groups by id, a private address, an instance profile, and the same reservation again for its ClientToken', async () => {
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }));
    const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId, CidrBlock: '10.40.1.0/24', AvailabilityZone: `${region}b` }));
    const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ VpcId: Vpc!.VpcId, GroupName: 'hosts', Description: 'hosts' }));
    const iam = new IAMClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
    const { Role } = await iam.send(new CreateRoleCommand({
      RoleName: 'ecsInstanceRole',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    }));
    const { InstanceProfile } = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'ecsInstanceProfile' }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'ecsInstanceProfile', RoleName: 'ecsInstanceRole' }));
    iam.destroy();

    const request = {
      ImageId: AMI, InstanceType: 'c5.xlarge' as const, MinCount: 1, MaxCount: 1, SubnetId: Subnet!.SubnetId, SecurityGroupIds: [GroupId!],
      PrivateIpAddress: '10.40.1.50', IamInstanceProfile: { Name: 'ecsInstanceProfile' }, ClientToken: 'launch-once',
    };
    const first = await ec2.send(new RunInstancesCommand(request));
    const i = first.Instances![0]!;
    assert.equal(i.PrivateIpAddress, '10.40.1.50');
    assert.equal(i.SubnetId, Subnet!.SubnetId);
    assert.equal(i.VpcId, Vpc!.VpcId);
    assert.equal(i.Placement?.AvailabilityZone, `${region}b`);
    assert.deepEqual(i.SecurityGroups, [{ GroupId, GroupName: 'hosts' }]);
    assert.deepEqual(i.IamInstanceProfile, { Arn: InstanceProfile!.Arn, Id: InstanceProfile!.InstanceProfileId });
    const second = await ec2.send(new RunInstancesCommand(request));
    assert.equal(second.ReservationId, first.ReservationId);
    assert.deepEqual(second.Instances!.map((x) => x.InstanceId), [i.InstanceId]);
    await waitUntilInstanceRunning(waiter(), { InstanceIds: [i.InstanceId!] });
    const [spec] = hosts.startsOf(i.InstanceId!);
    assert.equal(spec?.instanceProfileRoleArn, Role!.Arn);
    assert.equal(spec?.cpu, 4096);
    assert.equal(spec?.memoryMiB, 8192);
    // The address is taken; the subnet cannot go while the instance is in it.
    await refused(ec2.send(new RunInstancesCommand({ ...request, ClientToken: undefined, IamInstanceProfile: undefined })), 'InvalidIPAddress.InUse', 'Address 10.40.1.50 is in use.');
    await refused(ec2.send(new DeleteSubnetCommand({ SubnetId: Subnet!.SubnetId })), 'DependencyViolation');
    await refused(ec2.send(new RunInstancesCommand({ ...request, ClientToken: undefined, PrivateIpAddress: undefined, IamInstanceProfile: { Name: 'nope' } })),
      'InvalidParameterValue', 'Value (nope) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name');
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [i.InstanceId!] }));
    await waitUntilInstanceTerminated(waiter(), { InstanceIds: [i.InstanceId!] });
    await ec2.send(new DeleteSubnetCommand({ SubnetId: Subnet!.SubnetId }));
  });

  it('refuses bad launches naming the field, and bad ids as EC2 does', async () => {
    const ok = { ImageId: AMI, InstanceType: 't3.micro' as const, MinCount: 1, MaxCount: 1 };
    await refused(ec2.send(new RunInstancesCommand({ ...ok, MinCount: undefined })), 'MissingParameter', 'The request must contain the parameter minCount');
    await refused(ec2.send(new RunInstancesCommand({ ...ok, ImageId: undefined })), 'MissingParameter', 'The request must contain the parameter ImageId');
    await refused(ec2.send(new RunInstancesCommand({ ...ok, ImageId: 'image-1' })), 'InvalidAMIID.Malformed', 'Invalid id: "image-1" (expecting "ami-...")');
    await refused(ec2.send(new RunInstancesCommand({ ...ok, InstanceType: 'x9.huge' as never })), 'InvalidParameterValue', "Invalid value 'x9.huge' for InstanceType.");
    await refused(ec2.send(new RunInstancesCommand({ ...ok, MinCount: 3, MaxCount: 2 })), 'InvalidParameterValue', /parameter minCount/);
    await refused(ec2.send(new RunInstancesCommand({ ...ok, UserData: '***' })), 'InvalidUserData.Malformed');
    await refused(ec2.send(new RunInstancesCommand({ ...ok, SubnetId: 'subnet-0000000000000000f' })), 'InvalidSubnetID.NotFound');
    await refused(ec2.send(new RunInstancesCommand({ ...ok, SecurityGroupIds: ['sg-0000000000000000f'] })), 'InvalidGroup.NotFound');
    await refused(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-123'] })), 'InvalidInstanceID.Malformed', 'Invalid id: "i-123"');
    await refused(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-00000000000000001', 'i-00000000000000002'] })),
      'InvalidInstanceID.NotFound', "The instance IDs 'i-00000000000000001, i-00000000000000002' do not exist");
    await refused(ec2.send(new StopInstancesCommand({ InstanceIds: ['i-00000000000000001'] })), 'InvalidInstanceID.NotFound', "The instance ID 'i-00000000000000001' does not exist");
    await refused(ec2.send(new DescribeInstancesCommand({ Filters: [filter('no-such-filter', 'x')] })), 'InvalidParameterValue', "The filter 'no-such-filter' is invalid");
  });
});

describe('DescribeInstances', () => {
  let ids: string[] = [];
  before(async () => {
    const run = await ec2.send(new RunInstancesCommand({
      ImageId: AMI, InstanceType: 't3a.medium', MinCount: 6, MaxCount: 6, Placement: { AvailabilityZone: `${region}c` },
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'team', Value: 'blue' }] }],
    }));
    ids = run.Instances!.map((i) => i.InstanceId!);
    await waitUntilInstanceRunning(waiter(), { InstanceIds: ids });
  });

  it('filters by state, type, zone, subnet, tag and address; pages with MaxResults', async () => {
    const found = async (...filters: Filter[]) => {
      const { Reservations } = await ec2.send(new DescribeInstancesCommand({ Filters: filters }));
      return (Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId!).filter((id) => ids.includes(id));
    };
    assert.deepEqual(await found(filter('instance-type', 't3a.medium')), ids);
    assert.deepEqual(await found(filter('instance-state-name', 'running'), filter('tag:team', 'blue')), ids);
    assert.deepEqual(await found(filter('tag-key', 'team'), filter('availability-zone', `${region}c`)), ids);
    assert.deepEqual(await found(filter('instance-state-name', 'stopped')), []);
    const first = await describe1(ids[2]!);
    assert.deepEqual(await found(filter('private-ip-address', first.PrivateIpAddress!)), [ids[2]]);
    assert.deepEqual(await found(filter('subnet-id', first.SubnetId!), filter('vpc-id', first.VpcId!), filter('instance-id', ids[0]!, ids[5]!)), [ids[0], ids[5]]);
    const pages: string[][] = [];
    for await (const p of paginateDescribeInstances({ client: ec2, pageSize: 5 }, { Filters: [filter('tag:team', 'blue')] })) {
      pages.push((p.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId!));
    }
    assert.deepEqual(pages.map((p) => p.length), [5, 1]);
    assert.deepEqual(pages.flat(), ids);
    await refused(ec2.send(new DescribeInstancesCommand({ MaxResults: 2 })), 'InvalidParameterValue', /maxResults/);
  });

  it('tags on an instance through CreateTags and DescribeTags', async () => {
    await ec2.send(new CreateTagsCommand({ Resources: [ids[0]!], Tags: [{ Key: 'role', Value: 'db' }] }));
    const { Tags } = await ec2.send(new DescribeTagsCommand({ Filters: [filter('resource-id', ids[0]!)] }));
    assert.deepEqual(Tags, [
      { Key: 'role', ResourceId: ids[0], ResourceType: 'instance', Value: 'db' },
      { Key: 'team', ResourceId: ids[0], ResourceType: 'instance', Value: 'blue' },
    ]);
    await refused(ec2.send(new CreateTagsCommand({ Resources: ['i-00000000000000009'], Tags: [{ Key: 'a', Value: 'b' }] })), 'InvalidInstanceID.NotFound');
  });

  it('DescribeInstanceStatus: running instances, all of them with IncludeAllInstances', async () => {
    await ec2.send(new StopInstancesCommand({ InstanceIds: [ids[1]!] }));
    await waitUntilInstanceStopped(waiter(), { InstanceIds: [ids[1]!] });
    const running = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ids }));
    assert.equal(running.InstanceStatuses?.length, 5);
    const all = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true }));
    const stopped = all.InstanceStatuses?.find((s) => s.InstanceId === ids[1]);
    assert.deepEqual([stopped?.InstanceState?.Name, stopped?.InstanceStatus?.Status], ['stopped', 'not-applicable']);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
    await waitUntilInstanceTerminated(waiter(), { InstanceIds: ids });
  });
});

describe('DescribeInstanceTypes', () => {
  it('AWS\'s figures, filters and paging', async () => {
    const { InstanceTypes } = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['t3.nano', 'm5.4xlarge', 'm7g.medium'] }));
    const figures = InstanceTypes!.map((t) => [t.InstanceType, t.VCpuInfo?.DefaultVCpus, t.MemoryInfo?.SizeInMiB, t.NetworkInfo?.MaximumNetworkInterfaces, t.ProcessorInfo?.SupportedArchitectures]);
    assert.deepEqual(figures, [['m5.4xlarge', 16, 65536, 8, ['x86_64']], ['m7g.medium', 1, 4096, 2, ['arm64']], ['t3.nano', 2, 512, 2, ['x86_64']]]);
    const eight = await ec2.send(new DescribeInstanceTypesCommand({ Filters: [filter('vcpu-info.default-vcpus', '8'), filter('instance-type', 'c*')] }));
    assert.deepEqual(eight.InstanceTypes?.map((t) => t.InstanceType), ['c5.2xlarge', 'c6i.2xlarge']);
    const page = await ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 5 }));
    assert.equal(page.InstanceTypes?.length, 5);
    assert.ok(page.NextToken);
    await refused(ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['z1.tiny' as never] })), 'InvalidInstanceType', 'The following supplied instance types do not exist: [z1.tiny]');
  });
});

describe('launch templates', () => {
  it('versions, the default, and RunInstances over a template with the request\'s members winning', async () => {
    const userData = base64('#!/bin/bash\necho ECS_CLUSTER=batch >> /etc/ecs/ecs.config\n');
    const { LaunchTemplate } = await ec2.send(new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'ecs-hosts', VersionDescription: 'first',
      LaunchTemplateData: { ImageId: AMI, InstanceType: 't3.micro', UserData: userData, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'from', Value: 'template' }] }] },
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: [{ Key: 'owner', Value: 'ops' }] }],
    }));
    const id = LaunchTemplate!.LaunchTemplateId!;
    assert.match(id, /^lt-[0-9a-f]{17}$/);
    assert.deepEqual([LaunchTemplate!.DefaultVersionNumber, LaunchTemplate!.LatestVersionNumber, LaunchTemplate!.CreatedBy], [1, 1, `arn:aws:iam::${ACCOUNT}:root`]);
    await refused(ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'ecs-hosts', LaunchTemplateData: { ImageId: AMI } })),
      'InvalidLaunchTemplateName.AlreadyExistsException', 'Launch template name already in use.');

    const { LaunchTemplateVersion } = await ec2.send(new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: id, SourceVersion: '1', VersionDescription: 'bigger', LaunchTemplateData: { InstanceType: 'm5.xlarge' },
    }));
    assert.equal(LaunchTemplateVersion?.VersionNumber, 2);
    assert.equal(LaunchTemplateVersion?.DefaultVersion, false);
    assert.deepEqual([LaunchTemplateVersion?.LaunchTemplateData?.ImageId, LaunchTemplateVersion?.LaunchTemplateData?.InstanceType, LaunchTemplateVersion?.LaunchTemplateData?.UserData],
      [AMI, 'm5.xlarge', userData]);
    const latest = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'ecs-hosts', Versions: ['$Latest', '$Default'] }));
    assert.deepEqual(latest.LaunchTemplateVersions?.map((v) => [v.VersionNumber, v.DefaultVersion]), [[2, false], [1, true]]);
    await refused(ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['7'] })), 'InvalidLaunchTemplateId.VersionNotFound');

    const modified = await ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: id, DefaultVersion: '2' }));
    assert.equal(modified.LaunchTemplate?.DefaultVersionNumber, 2);
    const listed = await ec2.send(new DescribeLaunchTemplatesCommand({ Filters: [filter('tag:owner', 'ops')] }));
    assert.deepEqual(listed.LaunchTemplates?.map((t) => [t.LaunchTemplateName, t.DefaultVersionNumber, t.LatestVersionNumber]), [['ecs-hosts', 2, 2]]);

    // The default version (2: m5.xlarge), the request's type over it; the template's user data and tags.
    const run = await ec2.send(new RunInstancesCommand({
      LaunchTemplate: { LaunchTemplateName: 'ecs-hosts' }, MinCount: 1, MaxCount: 1, InstanceType: 'r5.large',
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'batch-1' }] }],
    }));
    const instance = run.Instances![0]!;
    assert.equal(instance.InstanceType, 'r5.large');
    assert.equal(instance.ImageId, AMI);
    assert.deepEqual(Object.fromEntries(instance.Tags!.map((t) => [t.Key, t.Value])), {
      from: 'template', Name: 'batch-1', 'aws:ec2launchtemplate:id': id, 'aws:ec2launchtemplate:version': '2',
    });
    await waitUntilInstanceRunning(waiter(), { InstanceIds: [instance.InstanceId!] });
    assert.match(hosts.startsOf(instance.InstanceId!)[0]!.userData!, /ECS_CLUSTER=batch/);
    const v1 = await ec2.send(new RunInstancesCommand({ LaunchTemplate: { LaunchTemplateId: id, Version: '1' }, MinCount: 1, MaxCount: 1 }));
    assert.equal(v1.Instances![0]!.InstanceType, 't3.micro');
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance.InstanceId!, v1.Instances![0]!.InstanceId!] }));

    const deleted = await ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['1', '2', '9'] }));
    assert.deepEqual(deleted.SuccessfullyDeletedLaunchTemplateVersions?.map((v) => v.VersionNumber), [1]);
    assert.deepEqual(deleted.UnsuccessfullyDeletedLaunchTemplateVersions?.map((v) => [v.VersionNumber, v.ResponseError?.Code]), [
      [2, 'unexpectedError'], [9, 'launchTemplateVersionDoesNotExist'],
    ]);
    await refused(ec2.send(new RunInstancesCommand({ LaunchTemplate: { LaunchTemplateId: id, Version: '1' }, MinCount: 1, MaxCount: 1 })), 'InvalidLaunchTemplateId.VersionNotFound');
    await ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: 'ecs-hosts' }));
    await refused(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['ecs-hosts'] })),
      'InvalidLaunchTemplateName.NotFoundException', 'At least one of the launch templates specified in the request does not exist.');
    await refused(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [id] })), 'InvalidLaunchTemplateId.NotFound');
  });
});

describe('EventBridge', () => {
  it('each new state of an instance is an "EC2 Instance State-change Notification" on the default bus', async () => {
    const options = { endpoint: plane.url, region, credentials, maxAttempts: 1 };
    const events = new EventBridgeClient(options);
    const logs = new CloudWatchLogsClient(options);
    try {
      await logs.send(new CreateLogGroupCommand({ logGroupName: '/events/ec2' }));
      await events.send(new PutRuleCommand({ Name: 'ec2-states', EventPattern: JSON.stringify({ source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] }) }));
      await events.send(new PutTargetsCommand({ Rule: 'ec2-states', Targets: [{ Id: 'log', Arn: `arn:aws:logs:${region}:${ACCOUNT}:log-group:/events/ec2` }] }));
      const { Instances } = await ec2.send(new RunInstancesCommand({ ImageId: AMI, InstanceType: 't3.nano', MinCount: 1, MaxCount: 1 }));
      const id = Instances![0]!.InstanceId!;
      await waitUntilInstanceRunning(waiter(), { InstanceIds: [id] });
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
      await waitUntilInstanceTerminated(waiter(), { InstanceIds: [id] });
      let seen: Record<string, any>[] = [];
      for (let i = 0; i < 100 && seen.length < 4; i++) {
        const found = (await logs.send(new FilterLogEventsCommand({ logGroupName: '/events/ec2' }))).events ?? [];
        seen = found.map((e) => JSON.parse(e.message!) as Record<string, any>).filter((e) => e.detail['instance-id'] === id);
        if (seen.length < 4) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(seen.map((e) => e.detail.state), ['pending', 'running', 'shutting-down', 'terminated']);
      assert.deepEqual(seen[0]!.resources, [`arn:aws:ec2:${region}:${ACCOUNT}:instance/${id}`]);
      assert.deepEqual([seen[0]!.source, seen[0]!.account, seen[0]!.region], ['aws.ec2', ACCOUNT, region]);
    } finally {
      events.destroy();
      logs.destroy();
    }
  });
});

describe('EC2 Auto Scaling over these instances', () => {
  it('a group launches its instances from its launch template, hosts and all, and terminates them as it scales in', async () => {
    const as = new AutoScalingClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
    const userData = base64('echo ECS_CLUSTER=asg >> /etc/ecs/ecs.config');
    try {
      await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'asg-hosts', LaunchTemplateData: { ImageId: AMI, InstanceType: 'c5.large', UserData: userData } }));
      await as.send(new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'hosts', LaunchTemplate: { LaunchTemplateName: 'asg-hosts' }, MinSize: 0, MaxSize: 2, DesiredCapacity: 2,
        AvailabilityZones: [`${region}a`, `${region}b`], Tags: [{ Key: 'team', Value: 'green', PropagateAtLaunch: true }],
      }));
      const members = async (state: string) => {
        const { Reservations } = await ec2.send(new DescribeInstancesCommand({ Filters: [filter('tag:aws:autoscaling:groupName', 'hosts'), filter('instance-state-name', state)] }));
        return (Reservations ?? []).flatMap((r) => r.Instances ?? []);
      };
      let running: Instance[] = [];
      for (let k = 0; k < 100 && running.length < 2; k++) {
        running = await members('running');
        if (running.length < 2) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(running.length, 2);
      assert.deepEqual(running.map((i) => i.Placement?.AvailabilityZone).sort(), [`${region}a`, `${region}b`]);
      assert.deepEqual(running.map((i) => i.InstanceType), ['c5.large', 'c5.large']);
      assert.ok(running.every((i) => i.Tags?.some((t) => t.Key === 'team' && t.Value === 'green')));
      for (const i of running) assert.match(hosts.startsOf(i.InstanceId!)[0]!.userData!, /ECS_CLUSTER=asg/);
      await as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'hosts', DesiredCapacity: 0 }));
      await waitUntilInstanceTerminated(waiter(), { InstanceIds: running.map((i) => i.InstanceId!) });
    } finally {
      as.destroy();
    }
  });
});

describe('IAM', () => {
  it('ec2:RunInstances on the instance ARNs, iam:PassRole on the instance profile\'s role, ec2:TerminateInstances on the instance', async () => {
    const iam = new IAMClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
    const { Role } = await iam.send(new CreateRoleCommand({
      RoleName: 'hostRole',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'hostProfile' }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'hostProfile', RoleName: 'hostRole' }));
    iam.destroy();
    const reader = client(await userWithKey(plane.url, 'ec2-reader', [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }]));
    const launcher = client(await userWithKey(plane.url, 'launcher', [{ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }]));
    const passer = client(await userWithKey(plane.url, 'passer', [{ Effect: 'Allow', Action: ['ec2:*', 'iam:PassRole'], Resource: '*' }]));
    const request = { ImageId: AMI, InstanceType: 't3.nano' as const, MinCount: 1, MaxCount: 1, IamInstanceProfile: { Name: 'hostProfile' } };
    try {
      await refused(reader.send(new RunInstancesCommand(request)), 'UnauthorizedOperation', new RegExp(`ec2:RunInstances on resource: arn:aws:ec2:${region}:${ACCOUNT}:instance/\\*`), 403);
      await refused(launcher.send(new RunInstancesCommand(request)), 'UnauthorizedOperation', new RegExp(`iam:PassRole on resource: ${Role!.Arn}`), 403);
      const { Instances } = await passer.send(new RunInstancesCommand(request));
      const id = Instances![0]!.InstanceId!;
      await refused(reader.send(new TerminateInstancesCommand({ InstanceIds: [id] })), 'UnauthorizedOperation',
        new RegExp(`ec2:TerminateInstances on resource: arn:aws:ec2:${region}:${ACCOUNT}:instance/${id}`), 403);
      await passer.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    } finally {
      for (const c of [reader, launcher, passer]) c.destroy();
    }
  });
});

describe('the AWS CLI', () => {
  it('run-instances, wait instance-running, describe-instances, terminate-instances, wait instance-terminated', async () => {
    const run = await cli('run-instances', '--image-id', AMI, '--instance-type', 't3.medium', '--count', '1',
      '--user-data', 'echo ECS_CLUSTER=cli >> /etc/ecs/ecs.config', '--tag-specifications', 'ResourceType=instance,Tags=[{Key=Name,Value=cli}]');
    const id = run.Instances[0].InstanceId as string;
    assert.equal(run.Instances[0].State.Name, 'pending');
    await cli('wait', 'instance-running', '--instance-ids', id);
    const described = await cli('describe-instances', '--filters', 'Name=tag:Name,Values=cli', '--query', 'Reservations[].Instances[].[InstanceId,State.Name]');
    assert.deepEqual(described, [[id, 'running']] as never);
    // The CLI base64-encodes user data given as text.
    assert.equal(hosts.startsOf(id)[0]!.userData, 'echo ECS_CLUSTER=cli >> /etc/ecs/ecs.config');
    const terminated = await cli('terminate-instances', '--instance-ids', id);
    assert.equal(terminated.TerminatingInstances[0].CurrentState.Name, 'shutting-down');
    await cli('wait', 'instance-terminated', '--instance-ids', id);
    assert.match(await cliFails('stop-instances', '--instance-ids', id), /IncorrectInstanceState/);
    const types = await cli('describe-instance-types', '--instance-types', 'r5.2xlarge', '--query', 'InstanceTypes[0].[VCpuInfo.DefaultVCpus,MemoryInfo.SizeInMiB]');
    assert.deepEqual(types, [8, 65536] as never);
  });
});
