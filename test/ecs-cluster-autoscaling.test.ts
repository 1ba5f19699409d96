/**
 * ECS cluster auto scaling end to end, as an infrastructure script sets it up, through the IAM,
 * EC2, Auto Scaling, ECS and CloudWatch SDKs with real containers: an instance role and profile,
 * a launch template whose user data names the cluster (the ECS-optimized AMI's form), an empty
 * Auto Scaling group that protects new instances from scale-in, and a capacity provider with
 * managed scaling and managed termination protection as the cluster's default strategy. A
 * service of 4 tasks too big to share a t3.micro waits in PROVISIONING; managed scaling grows the
 * group; its instances' hosts (Wharf agents with the instance type's resources) join the cluster
 * with the provider and run the tasks as real containers, each instance protected while busy.
 * Once the service is scaled to 0 and the readings have been low for 15 minutes (the clock moved
 * on), the group scales in to zero and its instances terminate.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateCapacityProviderCommand, CreateClusterCommand, DescribeContainerInstancesCommand, DescribeTasksCommand, ECSClient, ListContainerInstancesCommand, PutClusterCapacityProvidersCommand,
  CreateServiceCommand, ListTasksCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, type Task,
} from '@aws-sdk/client-ecs';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { TEST_IMAGE, removeClusterContainers } from './support/docker.ts';
import { awsCli, inProcessControlPlane } from './support/in-process.ts';
import { until } from './support/lb-fixture.ts';
import { credentials, region, tempDir } from './support/wharf.ts';

const cluster = `cas-${randomBytes(3).toString('hex')}`;
const skew = { ms: 0 };
const start = inProcessControlPlane({
  clock: { now: () => Date.now() + skew.ms }, managedScalingIntervalMs: 1000, instanceLostAfterMs: 600_000,
  // Tests in other files may hold 169.254.170.2: these hosts serve no task endpoints.
  instanceHostSettings: { taskServices: false, agent: { telemetryMs: 0, heartbeatMs: 2000, reconnect: { initialMs: 200, maxMs: 1000 } } },
});
let plane: ControlPlane;
let clusterArn = '';
const c = () => ({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
let ecs: ECSClient;
let as: AutoScalingClient;
let ec2: EC2Client;
const ec2Cli = awsCli(() => plane.url, 'ec2');

before(async () => {
  plane = await start();
  ecs = new ECSClient(c());
  as = new AutoScalingClient(c());
  ec2 = new EC2Client(c());
  clusterArn = (await ecs.send(new CreateClusterCommand({ clusterName: cluster }))).cluster!.clusterArn!;
  const iam = new IAMClient(c());
  await iam.send(new CreateRoleCommand({
    RoleName: `ecsInstanceRole-${cluster}`,
    AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
  }));
  await iam.send(new PutRolePolicyCommand({
    RoleName: `ecsInstanceRole-${cluster}`, PolicyName: 'ecs-agent',
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecs:*', 'ecr:*', 'logs:*'], Resource: '*' }] }),
  }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: `ecsInstanceProfile-${cluster}` }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: `ecsInstanceProfile-${cluster}`, RoleName: `ecsInstanceRole-${cluster}` }));
  iam.destroy();
});

after(async () => {
  for (const id of plane?.instanceHosts.running() ?? []) await plane.instanceHosts.stop(id, 'terminate').catch(() => undefined);
  if (clusterArn) removeClusterContainers(clusterArn);
  for (const client of [ecs, as, ec2]) client?.destroy();
});

const group = async () => (await as.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [cluster] }))).AutoScalingGroups![0]!;
/** The service's tasks not yet stopped. */
async function serviceTasks(): Promise<Task[]> {
  const arns = (await ecs.send(new ListTasksCommand({ cluster, serviceName: 'work' }))).taskArns ?? [];
  return arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks! : [];
}

describe('ECS cluster auto scaling', () => {
  it('RunInstances (the AWS CLI) with ECS user data: the instance joins the cluster as an ACTIVE container instance; terminated, its agent is gone', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const userData = join(dir, 'user-data.sh');
    writeFileSync(userData, `#!/bin/bash\necho ECS_CLUSTER=${cluster} >> /etc/ecs/ecs.config\n`);
    const reservation = await ec2Cli.cli('run-instances', '--image-id', 'ami-0123456789abcdef0', '--instance-type', 't3.small', '--count', '1',
      '--iam-instance-profile', `Name=ecsInstanceProfile-${cluster}`, '--user-data', `file://${userData}`);
    const instanceId = reservation.Instances[0].InstanceId as string;
    await ec2Cli.cli('wait', 'instance-running', '--instance-ids', instanceId);
    const joined = await until('the instance ACTIVE in the cluster', async () => {
      const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster, filter: `ec2InstanceId == ${instanceId}` }))).containerInstanceArns ?? [];
      const [i] = arns.length ? (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances! : [];
      return i?.status === 'ACTIVE' && i.agentConnected ? i : undefined;
    }, 60_000);
    assert.equal(joined.attributes!.find((a) => a.name === 'ecs.instance-type')?.value, 't3.small');
    assert.equal(joined.registeredResources!.find((r) => r.name === 'MEMORY')?.integerValue, 2048);
    assert.equal(joined.capacityProviderName, undefined, 'not launched by the provider\'s group');
    await ec2Cli.cli('terminate-instances', '--instance-ids', instanceId);
    await ec2Cli.cli('wait', 'instance-terminated', '--instance-ids', instanceId);
    await until('its agent gone', async () => {
      const i = (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [joined.containerInstanceArn!] }))).containerInstances![0]!;
      return i.agentConnected ? undefined : true;
    }, 60_000);
  });

  it('a service of 4 waits in PROVISIONING and grows the group; its instances run the tasks; scaled to 0, the group scales in to zero', { timeout: 400_000 }, async () => {
    const userData = Buffer.from(`#!/bin/bash\necho ECS_CLUSTER=${cluster} >> /etc/ecs/ecs.config\n`).toString('base64');
    await ec2.send(new CreateLaunchTemplateCommand({
      LaunchTemplateName: cluster,
      LaunchTemplateData: { ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro', UserData: userData, IamInstanceProfile: { Name: `ecsInstanceProfile-${cluster}` } },
    }));
    await as.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: cluster, LaunchTemplate: { LaunchTemplateName: cluster, Version: '$Latest' }, MinSize: 0, MaxSize: 5, DesiredCapacity: 0,
      AvailabilityZones: [`${region}a`], NewInstancesProtectedFromScaleIn: true,
    }));
    await ecs.send(new CreateCapacityProviderCommand({
      name: `${cluster}-cp`,
      autoScalingGroupProvider: {
        autoScalingGroupArn: (await group()).AutoScalingGroupARN, managedTerminationProtection: 'ENABLED',
        managedScaling: { status: 'ENABLED', targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 2 },
      },
    }));
    await ecs.send(new PutClusterCapacityProvidersCommand({
      cluster, capacityProviders: [`${cluster}-cp`], defaultCapacityProviderStrategy: [{ capacityProvider: `${cluster}-cp`, weight: 1 }],
    }));
    // 600 MiB each: a t3.micro (1 GiB) takes one.
    const td = (await ecs.send(new RegisterTaskDefinitionCommand({
      family: cluster, containerDefinitions: [{ name: 'work', image: TEST_IMAGE, memory: 600, command: ['sleep', '3600'] }],
    }))).taskDefinition!.taskDefinitionArn!;

    await ecs.send(new CreateServiceCommand({ cluster, serviceName: 'work', taskDefinition: td, desiredCount: 4 }));
    const first = await until('the service\'s tasks', async () => {
      const ts = await serviceTasks();
      return ts.length === 4 ? ts : undefined;
    }, 30_000);
    assert.ok(first.some((t) => t.lastStatus === 'PROVISIONING' && t.containerInstanceArn === undefined), 'tasks wait for instances');
    assert.ok(first.every((t) => t.capacityProviderName === `${cluster}-cp`));

    // The group grows, its instances' hosts join the cluster with the provider, and the tasks run on them.
    const running = await until('four tasks RUNNING', async () => {
      const ts = await serviceTasks();
      return ts.length === 4 && ts.every((t) => t.lastStatus === 'RUNNING') ? ts : undefined;
    }, 240_000);
    const hosts = new Set(running.map((t) => t.containerInstanceArn));
    assert.equal(hosts.size, 4, 'one task per t3.micro');
    const containerInstances = (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [...hosts] as string[] }))).containerInstances!;
    assert.ok(containerInstances.every((i) => i.capacityProviderName === `${cluster}-cp` && i.attributes?.some((a) => a.name === 'ecs.instance-type' && a.value === 't3.micro')));
    const g = await group();
    assert.equal(g.DesiredCapacity, 4, 'managed scaling asked for what the tasks need, no more');
    const instanceIds = containerInstances.map((i) => i.ec2InstanceId!).sort();
    assert.deepEqual(g.Instances!.map((i) => i.InstanceId).sort(), instanceIds);
    await until('busy instances protected', async () => ((await group()).Instances!.every((i) => i.ProtectedFromScaleIn) ? true : undefined), 30_000);
    const described = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }))).Reservations!.flatMap((r) => r.Instances!);
    assert.deepEqual(described.map((i) => [i.State?.Name, i.InstanceType]), Array(4).fill(['running', 't3.micro']));

    // The metric ECS publishes: 100 % once the group holds what the tasks need.
    const cw = new CloudWatchClient(c());
    const stats = await until('CapacityProviderReservation at 100', async () => {
      const s = await cw.send(new GetMetricStatisticsCommand({
        Namespace: 'AWS/ECS/ManagedScaling', MetricName: 'CapacityProviderReservation', Statistics: ['Maximum', 'Minimum'], Period: 60,
        Dimensions: [{ Name: 'CapacityProviderName', Value: `${cluster}-cp` }, { Name: 'ClusterName', Value: cluster }],
        StartTime: new Date(Date.now() + skew.ms - 600_000), EndTime: new Date(Date.now() + skew.ms + 60_000),
      }));
      return s.Datapoints?.some((d) => d.Minimum === 100) ? s : undefined;
    }, 30_000);
    assert.ok(stats.Datapoints!.some((d) => (d.Maximum ?? 0) > 100), 'above 100 while tasks waited');
    cw.destroy();

    // Idle: unprotected at once, scaled in after 15 minutes of low readings, the instances terminated.
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'work', desiredCount: 0 }));
    await until('idle instances unprotected', async () => ((await group()).Instances!.every((i) => !i.ProtectedFromScaleIn) ? true : undefined), 60_000);
    assert.equal((await group()).DesiredCapacity, 4, 'not before 15 minutes of low readings');
    skew.ms += 16 * 60_000;
    // The clients sign with the server's time, as the SDK does once it has seen the skew (the responses' Date).
    for (const client of [ecs, as, ec2]) client.config.systemClockOffset = skew.ms;
    await until('scaled in to zero', async () => ((await group()).DesiredCapacity === 0 ? true : undefined), 30_000);
    await until('the instances terminated', async () => {
      const all = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }))).Reservations!.flatMap((r) => r.Instances!);
      return all.every((i) => i.State?.Name === 'terminated') ? true : undefined;
    }, 120_000);
    await until('the group empty', async () => ((await group()).Instances!.length === 0 ? true : undefined), 60_000);
    const activities = (await as.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: cluster }))).Activities!;
    assert.ok(activities.some((a) => /ECSManagedAutoScalingPolicy/.test(a.Cause ?? '')), activities.map((a) => a.Cause).join('\n'));
    const left = (await ecs.send(new ListContainerInstancesCommand({ cluster, status: 'ACTIVE' }))).containerInstanceArns ?? [];
    const connected = left.length ? (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: left }))).containerInstances!.filter((i) => i.agentConnected) : [];
    assert.equal(connected.length, 0, 'no agent left connected');
  });
});
