/**
 * EC2 Auto Scaling end to end through @aws-sdk/client-auto-scaling and the AWS CLI against a
 * control plane in this process, its instances the store-backed testing port: a group over two
 * subnets launched to its desired capacity by the Auto Scaling controller (run by the test on a
 * virtual clock over the control plane's store), Pending → InService, activities with AWS's
 * wording, scale-in sparing protected instances, TerminateInstanceInAutoScalingGroup, tags and
 * tag filters, paging, IAM, and errors with AWS's codes and messages that change nothing; and a
 * second control plane running its own Auto Scaling controller, as `wharf` does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  AutoScalingClient, CreateAutoScalingGroupCommand, CreateOrUpdateTagsCommand, DeleteAutoScalingGroupCommand, DeleteTagsCommand, DescribeAccountLimitsCommand,
  DescribeAutoScalingGroupsCommand, DescribeAutoScalingInstancesCommand, DescribeLifecycleHooksCommand, DescribeScalingActivitiesCommand, DescribeTagsCommand,
  SetDesiredCapacityCommand, SetInstanceProtectionCommand, TerminateInstanceInAutoScalingGroupCommand, UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { FakeInstances, portOver } from '../src/autoscaling/ports.testing.ts';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { AutoScalingController } from '../src/controllers/index.ts';
import { VirtualTime } from '../src/controllers/virtual-time.testing.ts';
import { credentials, region } from './support/wharf.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused, userWithKey } from './support/in-process.ts';

// The control plane's instances port is the store-backed fake, bound once the store exists.
let fake: FakeInstances;
const port = portOver(() => fake);
// The test runs the Auto Scaling controller itself, on a virtual clock (the API's requests are dated by the wall clock).
const controlPlane = inProcessControlPlane({ autoScalingInstances: port, leaderLoops: { autoscaling: false } });
let plane: ControlPlane;
let as: AutoScalingClient;
let subnets: { id: string; zone: string }[];
let time: VirtualTime;
let controller: AutoScalingController;
before(async () => {
  plane = await controlPlane();
  fake = new FakeInstances(plane.store, [{ launchTemplateId: 'lt-0abcdef1234567890', launchTemplateName: 'web', instanceType: 'c5.large', versions: 3 }]);
  const c = { endpoint: plane.url, region, credentials, maxAttempts: 1 };
  as = new AutoScalingClient(c);
  const ec2 = new EC2Client(c);
  const found = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets!;
  ec2.destroy();
  subnets = found.map((s) => ({ id: s.SubnetId!, zone: s.AvailabilityZone! })).sort((a, b) => (a.zone < b.zone ? -1 : 1)).slice(0, 2);
  time = new VirtualTime(Date.UTC(2026, 5, 1, 12, 0, 0));
  controller = new AutoScalingController({ store: plane.store, clock: time, ids: { hex32: () => randomUUID().replace(/-/g, ''), uuid: randomUUID }, instances: port, timers: time });
  await controller.start();
});
after(async () => {
  await controller?.close();
  as?.destroy();
});
const { cli, cliFails } = awsCli(() => plane.url, 'autoscaling');

// A second control plane that runs the Auto Scaling controller itself, as `wharf` does.
let wiredFake: FakeInstances;
const wiredPort = portOver(() => wiredFake);
const wiredPlane = inProcessControlPlane({ autoScalingInstances: wiredPort });

/** Lets the controller act on what changed, and moves the clock on by `ms` (its resyncs). */
async function settle(ms = 10_000): Promise<void> {
  const quiet = async () => {
    for (let k = 0; k < 4; k++) {
      await controller.idle();
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await quiet();
  await time.advance(ms, quiet);
}
const groupOf = async (name: string) => (await as.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0]!;

describe('EC2 Auto Scaling API (SDK)', () => {
  it('a group over two subnets: launched to desired, balanced, Pending then InService, with AWS\'s activities', async () => {
    await as.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'web', LaunchTemplate: { LaunchTemplateName: 'web', Version: '$Latest' }, MinSize: 1, MaxSize: 4, DesiredCapacity: 2,
      VPCZoneIdentifier: subnets.map((s) => s.id).join(','), HealthCheckGracePeriod: 60, CapacityRebalance: true, TerminationPolicies: ['OldestLaunchTemplate', 'Default'],
      Tags: [{ Key: 'team', Value: 'blue', PropagateAtLaunch: true }],
    }));
    let g = await groupOf('web');
    assert.match(g.AutoScalingGroupARN!, new RegExp(`^arn:aws:autoscaling:${region}:${ACCOUNT}:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName/web$`));
    assert.deepEqual(
      [g.MinSize, g.MaxSize, g.DesiredCapacity, g.DefaultCooldown, g.HealthCheckType, g.HealthCheckGracePeriod, g.CapacityRebalance, g.NewInstancesProtectedFromScaleIn],
      [1, 4, 2, 300, 'EC2', 60, true, false],
    );
    assert.deepEqual(g.LaunchTemplate, { LaunchTemplateId: 'lt-0abcdef1234567890', LaunchTemplateName: 'web', Version: '$Latest' });
    assert.equal(g.VPCZoneIdentifier, subnets.map((s) => s.id).join(','));
    assert.deepEqual(g.AvailabilityZones, subnets.map((s) => s.zone));
    assert.deepEqual(g.TerminationPolicies, ['OldestLaunchTemplate', 'Default']);
    assert.deepEqual(g.Tags, [{ ResourceId: 'web', ResourceType: 'auto-scaling-group', Key: 'team', Value: 'blue', PropagateAtLaunch: true }]);
    await settle();
    g = await groupOf('web');
    assert.equal(g.Instances!.length, 2);
    assert.deepEqual(new Set(g.Instances!.map((i) => i.AvailabilityZone)), new Set(subnets.map((s) => s.zone)));
    assert.deepEqual(g.Instances!.map((i) => [i.LifecycleState, i.HealthStatus, i.InstanceType]), [['Pending', 'Healthy', 'c5.large'], ['Pending', 'Healthy', 'c5.large']]);
    const ids = g.Instances!.map((i) => i.InstanceId!);
    const details = (await as.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: ids }))).AutoScalingInstances!;
    assert.deepEqual(details.map((d) => [d.AutoScalingGroupName, d.HealthStatus, d.LifecycleState]), [['web', 'HEALTHY', 'Pending'], ['web', 'HEALTHY', 'Pending']]);
    await fake.runAll();
    await settle();
    g = await groupOf('web');
    assert.deepEqual(g.Instances!.map((i) => i.LifecycleState), ['InService', 'InService']);
    const activities = (await as.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web' }))).Activities!;
    assert.equal(activities.length, 2);
    for (const a of activities) {
      assert.match(a.Description!, /^Launching a new EC2 instance: i-[0-9a-f]{17}$/);
      assert.match(a.Cause!, /^At \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ a user request created an AutoScalingGroup changing the desired capacity from 0 to 2\.  At \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ an instance was started in response to a difference between desired and actual capacity, increasing the capacity from [01] to [12]\.$/);
      assert.deepEqual([a.StatusCode, a.Progress, a.AutoScalingGroupARN], ['Successful', 100, g.AutoScalingGroupARN]);
      assert.ok(a.StartTime instanceof Date && a.EndTime instanceof Date);
      const detail = JSON.parse(a.Details!) as Record<string, string>;
      assert.ok(subnets.some((s) => s.id === detail['Subnet ID'] && s.zone === detail['Availability Zone']));
    }
    // The instances carry the group's propagated tags.
    for (const id of ids) assert.deepEqual((await fake.get(id))!.tags, [{ key: 'team', value: 'blue' }, { key: 'aws:autoscaling:groupName', value: 'web' }]);
  });

  it('scale-out and scale-in through SetDesiredCapacity; protected instances stay', async () => {
    await as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 4 }));
    await settle();
    await fake.runAll();
    await settle();
    let g = await groupOf('web');
    assert.equal(g.Instances!.filter((i) => i.LifecycleState === 'InService').length, 4);
    const kept = g.Instances!.slice(0, 2).map((i) => i.InstanceId!);
    await as.send(new SetInstanceProtectionCommand({ AutoScalingGroupName: 'web', InstanceIds: kept, ProtectedFromScaleIn: true }));
    await as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 1 }));
    await settle();
    await fake.runAll();
    await settle();
    g = await groupOf('web');
    // Only two could go: the protected two stay, above the desired capacity.
    assert.deepEqual(g.Instances!.map((i) => i.InstanceId).sort(), [...kept].sort());
    assert.ok(g.Instances!.every((i) => i.ProtectedFromScaleIn));
    const [latest] = (await as.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web', MaxRecords: 1 }))).Activities!;
    assert.match(latest!.Description!, /^Terminating EC2 instance: i-/);
    assert.match(latest!.Cause!, /a user request explicitly set group desired capacity changing the desired capacity from 4 to 1\.  At .* an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from [43] to [32]\.$/);
  });

  it('TerminateInstanceInAutoScalingGroup answers the activity; with decrement the group shrinks', async () => {
    await as.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', MinSize: 0 }));
    let g = await groupOf('web');
    assert.equal(g.DesiredCapacity, 1);
    const [victim] = g.Instances!.map((i) => i.InstanceId!);
    const { Activity } = await as.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: victim, ShouldDecrementDesiredCapacity: true }));
    assert.equal(Activity!.Description, `Terminating EC2 instance: ${victim}`);
    assert.match(Activity!.Cause!, new RegExp(`^At \\S+Z instance ${victim} was taken out of service in response to a user request, shrinking the capacity from 1 to 0\\.$`));
    assert.equal(Activity!.StatusCode, 'InProgress');
    await settle();
    await fake.runAll();
    await settle();
    g = await groupOf('web');
    assert.equal(g.DesiredCapacity, 0);
    assert.equal(g.Instances!.length, 1);
    await refused(as.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: 'i-0000000000000dead', ShouldDecrementDesiredCapacity: false })),
      'ValidationError', 'Instance Id not found - No managed instance found for instance ID: i-0000000000000dead');
  });

  it('tags: CreateOrUpdateTags, DescribeTags with filters, DeleteTags, and tag filters on DescribeAutoScalingGroups; paging', async () => {
    await as.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'api', LaunchTemplate: { LaunchTemplateId: 'lt-0abcdef1234567890' }, MinSize: 0, MaxSize: 2, AvailabilityZones: [subnets[0]!.zone],
    }));
    await as.send(new CreateOrUpdateTagsCommand({
      Tags: [
        { ResourceId: 'api', ResourceType: 'auto-scaling-group', Key: 'team', Value: 'red', PropagateAtLaunch: false },
        { ResourceId: 'web', ResourceType: 'auto-scaling-group', Key: 'tier', Value: 'front', PropagateAtLaunch: true },
      ],
    }));
    const teams = (await as.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['team'] }] }))).Tags!;
    assert.deepEqual(teams.map((t) => [t.ResourceId, t.Value]), [['api', 'red'], ['web', 'blue']]);
    const blue = (await as.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'tag:team', Values: ['blue'] }] }))).AutoScalingGroups!;
    assert.deepEqual(blue.map((g) => g.AutoScalingGroupName), ['web']);
    await as.send(new DeleteTagsCommand({ Tags: [{ ResourceId: 'web', ResourceType: 'auto-scaling-group', Key: 'tier' }] }));
    assert.deepEqual((await groupOf('web')).Tags!.map((t) => t.Key), ['team']);
    const first = await as.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 1 }));
    assert.deepEqual(first.AutoScalingGroups!.map((g) => g.AutoScalingGroupName), ['api']);
    const second = await as.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 1, NextToken: first.NextToken }));
    assert.deepEqual(second.AutoScalingGroups!.map((g) => g.AutoScalingGroupName), ['web']);
    assert.equal(second.NextToken, undefined);
    await refused(as.send(new DescribeAutoScalingGroupsCommand({ NextToken: 'bogus' })), 'InvalidNextToken');
    const limits = await as.send(new DescribeAccountLimitsCommand({}));
    assert.deepEqual([limits.MaxNumberOfAutoScalingGroups, limits.NumberOfAutoScalingGroups], [500, 2]);
    assert.deepEqual((await as.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: 'web' }))).LifecycleHooks, []);
  });

  it('errors with AWS\'s codes and messages, changing nothing', async () => {
    const before = await groupOf('web');
    await refused(as.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', LaunchTemplate: { LaunchTemplateName: 'web' }, MinSize: 0, MaxSize: 1, AvailabilityZones: [subnets[0]!.zone] })),
      'AlreadyExistsFault', 'AutoScalingGroup by this name already exists - A group with the name web already exists');
    await refused(as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 9 })),
      'ValidationError', 'New SetDesiredCapacity value 9 is above max value 4 for the AutoScalingGroup.');
    await refused(as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'nope', DesiredCapacity: 1 })),
      'ValidationError', 'AutoScalingGroup name not found - AutoScalingGroup nope not found');
    await refused(as.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', MinSize: 5 })),
      'ValidationError', 'Max bound, 4, must be greater than or equal to min bound, 5');
    await refused(as.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'x', LaunchTemplate: { LaunchTemplateName: 'web' }, MinSize: 0, MaxSize: 1, DesiredCapacity: 3, AvailabilityZones: [subnets[0]!.zone] })),
      'ValidationError', 'Desired capacity:3 must be between the specified min size:0 and max size:1');
    await refused(as.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'x', MinSize: 0, MaxSize: 1, AvailabilityZones: [subnets[0]!.zone] })),
      'ValidationError', 'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.');
    await refused(as.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'x', LaunchTemplate: { LaunchTemplateName: 'nope' }, MinSize: 0, MaxSize: 1, AvailabilityZones: [subnets[0]!.zone] })),
      'ValidationError', 'You must use a valid fully-formed launch template. The specified launch template, with template name nope, does not exist.');
    await refused(as.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'x', LaunchTemplate: { LaunchTemplateName: 'web' }, MinSize: 0, MaxSize: 1, VPCZoneIdentifier: 'subnet-0000000000000dead' })),
      'ValidationError', "The subnet ID 'subnet-0000000000000dead' does not exist");
    await refused(as.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'x'.repeat(256), LaunchTemplate: { LaunchTemplateName: 'web' }, MinSize: 0, MaxSize: 1 })),
      'ValidationError', /^1 validation error detected: Value '.*' at 'autoScalingGroupName' failed to satisfy constraint: Member must have length less than or equal to 255$/);
    await refused(as.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'web' })),
      'ResourceInUseFault', 'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.');
    const after = await groupOf('web');
    assert.deepEqual(after, before);
    assert.equal((await as.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['x'] }))).AutoScalingGroups!.length, 0);
  });

  it('IAM: autoscaling:<Action> on the group\'s ARN', async () => {
    const keys = await userWithKey(plane.url, 'asg-reader', [
      { Effect: 'Allow', Action: ['autoscaling:Describe*'], Resource: '*' },
      { Effect: 'Allow', Action: 'autoscaling:SetDesiredCapacity', Resource: `arn:aws:autoscaling:${region}:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/api` },
    ]);
    const reader = new AutoScalingClient({ endpoint: plane.url, region, credentials: keys, maxAttempts: 1 });
    assert.equal((await reader.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups!.length, 2);
    await reader.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'api', DesiredCapacity: 0 }));
    await refused(reader.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 2 })), 'AccessDenied', /autoscaling:SetDesiredCapacity/, 403);
    reader.destroy();
    // A policy may name a group by its full ARN, uuid and all.
    const webArn = (await groupOf('web')).AutoScalingGroupARN!;
    const exact = new AutoScalingClient({
      endpoint: plane.url, region, maxAttempts: 1,
      credentials: await userWithKey(plane.url, 'asg-web', [{ Effect: 'Allow', Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:CreateOrUpdateTags'], Resource: webArn }]),
    });
    await exact.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 0 }));
    await exact.send(new CreateOrUpdateTagsCommand({ Tags: [{ ResourceId: 'web', ResourceType: 'auto-scaling-group', Key: 'owner', Value: 'ops' }] }));
    await refused(exact.send(new CreateOrUpdateTagsCommand({ Tags: [{ ResourceId: 'api', ResourceType: 'auto-scaling-group', Key: 'owner', Value: 'ops' }] })), 'AccessDenied', undefined, 403);
    exact.destroy();
    // aws:ResourceTag reads the group's tags.
    const redOnly = new AutoScalingClient({
      endpoint: plane.url, region, maxAttempts: 1,
      credentials: await userWithKey(plane.url, 'asg-red', [{ Effect: 'Allow', Action: 'autoscaling:SetDesiredCapacity', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'red' } } }]),
    });
    await redOnly.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'api', DesiredCapacity: 0 }));
    await refused(redOnly.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 0 })), 'AccessDenied', undefined, 403);
    redOnly.destroy();
  });

  it('a forced delete terminates the instances, then the group is gone', async () => {
    await as.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'web', ForceDelete: true }));
    assert.equal((await groupOf('web')).Status, 'Delete in progress');
    await settle();
    await fake.runAll();
    await settle();
    assert.deepEqual((await as.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }))).AutoScalingGroups, []);
    await as.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'api' }));
  });
});

describe('EC2 Auto Scaling API (AWS CLI)', () => {
  it('create-auto-scaling-group, set-desired-capacity, describe-*, delete-auto-scaling-group --force-delete', async () => {
    await cli('create-auto-scaling-group', '--auto-scaling-group-name', 'cli', '--launch-template', 'LaunchTemplateName=web,Version=$Latest',
      '--min-size', '0', '--max-size', '3', '--desired-capacity', '1', '--vpc-zone-identifier', subnets.map((s) => s.id).join(','),
      '--tags', 'Key=env,Value=ci,PropagateAtLaunch=true');
    await settle();
    await fake.runAll();
    await settle();
    let out = await cli('describe-auto-scaling-groups', '--auto-scaling-group-names', 'cli');
    assert.equal(out.AutoScalingGroups[0].Instances.length, 1);
    assert.equal(out.AutoScalingGroups[0].Instances[0].LifecycleState, 'InService');
    await cli('set-desired-capacity', '--auto-scaling-group-name', 'cli', '--desired-capacity', '2');
    await settle();
    out = await cli('describe-auto-scaling-instances');
    assert.equal(out.AutoScalingInstances.filter((i: { AutoScalingGroupName: string }) => i.AutoScalingGroupName === 'cli').length, 2);
    out = await cli('describe-scaling-activities', '--auto-scaling-group-name', 'cli');
    assert.equal(out.Activities.length, 2);
    assert.match(out.Activities[0].Cause, /a user request explicitly set group desired capacity changing the desired capacity from 1 to 2\./);
    out = await cli('describe-tags', '--filters', 'Name=auto-scaling-group,Values=cli');
    assert.deepEqual(out.Tags.map((t: { Key: string }) => t.Key), ['env']);
    const stderr = await cliFails('set-desired-capacity', '--auto-scaling-group-name', 'cli', '--desired-capacity', '7');
    assert.match(stderr, /\(ValidationError\).*New SetDesiredCapacity value 7 is above max value 3 for the AutoScalingGroup\./);
    assert.match(await cliFails('delete-auto-scaling-group', '--auto-scaling-group-name', 'cli'), /\((ResourceInUse|ScalingActivityInProgress)\)/);
    await cli('delete-auto-scaling-group', '--auto-scaling-group-name', 'cli', '--force-delete');
    await settle();
    await fake.runAll();
    await settle();
    out = await cli('describe-auto-scaling-groups');
    assert.deepEqual(out.AutoScalingGroups, []);
  });
});

describe('EC2 Auto Scaling wired in the control plane', () => {
  it('its own controller launches a new group\'s instances and scales in on SetDesiredCapacity', async () => {
    const wired = await wiredPlane();
    wiredFake = new FakeInstances(wired.store);
    const client = new AutoScalingClient({ endpoint: wired.url, region, credentials, maxAttempts: 1 });
    const states = async () => ((await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['wired'] }))).AutoScalingGroups![0]!.Instances ?? []).map((i) => i.LifecycleState);
    const until = async (want: string[]) => {
      let got: (string | undefined)[] = [];
      for (let k = 0; k < 100; k++) {
        got = await states();
        if (JSON.stringify(got) === JSON.stringify(want)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.fail(`instances ${JSON.stringify(got)}, not ${JSON.stringify(want)}`);
    };
    await client.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'wired', LaunchTemplate: { LaunchTemplateName: 'web' }, MinSize: 0, MaxSize: 2, DesiredCapacity: 2, AvailabilityZones: [`${region}a`, `${region}b`],
    }));
    await until(['Pending', 'Pending']);
    await client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'wired', DesiredCapacity: 1 }));
    await until(['Pending', 'Terminating']);
    client.destroy();
  });
});
