/**
 * EC2 instances that Wharf provides, and ECS cluster auto scaling, on a control plane in this
 * process with real Docker. Two figures, each beside its reference measured in the same run:
 *
 * - RunInstances → ACTIVE container instance (the EC2 API, the instances controller, the host's
 *   agent registering), beside the same host started directly through the hosts port;
 * - cluster auto scaling's scale-out reaction: RunTask of a task its capacity provider's empty
 *   group cannot hold → PROVISIONING → managed scaling grows the group → the instance's host
 *   registers → the task RUNNING; beside RunTask on an instance already there → RUNNING.
 *
 *   npm run bench:instances      (ROUNDS=3; needs Docker Engine and the test image)
 */
import { performance } from 'node:perf_hooks';
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateCapacityProviderCommand, CreateClusterCommand, DescribeContainerInstancesCommand, DescribeTasksCommand, ECSClient, ListContainerInstancesCommand,
  PutClusterCapacityProvidersCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startControlPlane, type ControlPlane } from '../src/cli/control-plane.ts';
import { credentials, region, rootKeyEnv } from '../test/support/wharf.ts';
import { removeClusterContainers } from '../test/support/docker.ts';
import { env, median, poll, runBench, sec, tempDir, TEST_IMAGE } from './support/wharf.ts';

const ROUNDS = env('ROUNDS', 3);
const ACCOUNT = '123456789012';
const CLUSTER = 'bench-instances';
let plane: ControlPlane | undefined;

async function main(): Promise<void> {
  plane = await startControlPlane({
    host: '127.0.0.1', port: 0, dataDir: tempDir(), account: ACCOUNT, region, allowReset: false, unknownKeysAsRoot: false, env: rootKeyEnv,
    log: () => undefined, managedScalingIntervalMs: 1000, instanceLostAfterMs: 600_000,
    instanceHostSettings: { taskServices: false, agent: { telemetryMs: 0, heartbeatMs: 2000, reconnect: { initialMs: 100, maxMs: 500 } } },
  });
  const p = plane;
  const c = { endpoint: p.url, region, credentials, maxAttempts: 1 };
  const [ecs, ec2, as, iam] = [new ECSClient(c), new EC2Client(c), new AutoScalingClient(c), new IAMClient(c)];
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await iam.send(new CreateRoleCommand({
    RoleName: 'ecsInstanceRole',
    AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
  }));
  await iam.send(new PutRolePolicyCommand({
    RoleName: 'ecsInstanceRole', PolicyName: 'agent',
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecs:*'], Resource: '*' }] }),
  }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'ecsInstanceProfile' }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'ecsInstanceProfile', RoleName: 'ecsInstanceRole' }));
  const userData = Buffer.from(`#!/bin/bash\necho ECS_CLUSTER=${CLUSTER} >> /etc/ecs/ecs.config\n`).toString('base64');

  const activeInstance = (instanceId: string) => poll('the container instance ACTIVE', async () => {
    const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER, filter: `ec2InstanceId == ${instanceId}` }))).containerInstanceArns ?? [];
    if (!arns.length) return undefined;
    const [i] = (await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: arns }))).containerInstances!;
    return i?.status === 'ACTIVE' && i.agentConnected ? i : undefined;
  }, { timeoutMs: 60_000, everyMs: 10 });

  // RunInstances → ACTIVE, and the reference: the same host started through the port.
  const viaApi: number[] = [];
  const viaPort: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let t0 = performance.now();
    const { Instances } = await ec2.send(new RunInstancesCommand({
      ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.small', MinCount: 1, MaxCount: 1, UserData: userData, IamInstanceProfile: { Name: 'ecsInstanceProfile' },
    }));
    const id = Instances![0]!.InstanceId!;
    await activeInstance(id);
    viaApi.push(performance.now() - t0);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));

    const direct = `i-${(0xbe00 + i).toString(16)}${'0'.repeat(13)}`;
    t0 = performance.now();
    await p.instanceHosts.start({
      instanceId: direct, account: ACCOUNT, region, availabilityZone: `${region}a`, instanceType: 't3.small', cpu: 2048, memoryMiB: 2048, maxNetworkInterfaces: 3,
      imageId: 'ami-0123456789abcdef0', subnetId: 'subnet-0', vpcId: 'vpc-0', privateIpAddress: '10.0.0.9',
      userData: Buffer.from(userData, 'base64').toString(), instanceProfileRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsInstanceRole`,
    });
    await activeInstance(direct);
    viaPort.push(performance.now() - t0);
    await p.instanceHosts.stop(direct, 'terminate');
  }

  // Cluster auto scaling: an empty group behind a capacity provider with managed scaling.
  await ec2.send(new CreateLaunchTemplateCommand({
    LaunchTemplateName: 'hosts', LaunchTemplateData: { ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro', UserData: userData, IamInstanceProfile: { Name: 'ecsInstanceProfile' } },
  }));
  await as.send(new CreateAutoScalingGroupCommand({
    AutoScalingGroupName: 'hosts', LaunchTemplate: { LaunchTemplateName: 'hosts' }, MinSize: 0, MaxSize: 2, DesiredCapacity: 0, AvailabilityZones: [`${region}a`],
  }));
  const groupArn = (await as.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['hosts'] }))).AutoScalingGroups![0]!.AutoScalingGroupARN!;
  await ecs.send(new CreateCapacityProviderCommand({ name: 'hosts-cp', autoScalingGroupProvider: { autoScalingGroupArn: groupArn, managedScaling: { status: 'ENABLED' } } }));
  await ecs.send(new PutClusterCapacityProvidersCommand({ cluster: CLUSTER, capacityProviders: ['hosts-cp'], defaultCapacityProviderStrategy: [{ capacityProvider: 'hosts-cp', weight: 1 }] }));
  const td = (await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'bench-work', containerDefinitions: [{ name: 'w', image: TEST_IMAGE, memory: 600, command: ['sleep', '3600'], stopTimeout: 2 }],
  }))).taskDefinition!.taskDefinitionArn!;
  const runToRunning = async () => {
    const t0 = performance.now();
    const arn = (await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: td }))).tasks![0]!.taskArn!;
    await poll('the task RUNNING', async () => {
      const t = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!;
      if (t.lastStatus === 'STOPPED') throw new Error(`task stopped: ${t.stoppedReason}`);
      return t.lastStatus === 'RUNNING' ? true : undefined;
    }, { timeoutMs: 120_000, everyMs: 10 });
    return { ms: performance.now() - t0, arn };
  };
  const scaleOut: number[] = [];
  const onInstance: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // The group at 0: the task waits until managed scaling has grown it and its instance registered.
    const grown = await runToRunning();
    scaleOut.push(grown.ms);
    // The reference: a task on the instance now there, once the first has made room.
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: grown.arn }));
    await poll('the first task STOPPED', async () => ((await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [grown.arn] }))).tasks![0]!.lastStatus === 'STOPPED' ? true : undefined),
      { timeoutMs: 60_000, everyMs: 20 });
    const placed = await runToRunning();
    onInstance.push(placed.ms);
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: placed.arn }));
    // Back to an empty group for the next round.
    await as.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'hosts', MinSize: 0, MaxSize: 0, DesiredCapacity: 0 }));
    await poll('the group empty', async () => ((await as.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['hosts'] }))).AutoScalingGroups![0]!.Instances!.length === 0 ? true : undefined),
      { timeoutMs: 120_000, everyMs: 50 });
    await as.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'hosts', MaxSize: 2 }));
  }

  const row = (name: string, xs: number[]) => console.log(`${name.padEnd(62)} median ${sec(median(xs))}   (${xs.map((x) => sec(x)).join(', ')})`);
  console.log(`\nEC2 instances and cluster auto scaling, ${ROUNDS} rounds (in-process control plane, real Docker):`);
  row('RunInstances → ACTIVE container instance', viaApi);
  row('  reference: the same host started through the hosts port', viaPort);
  row('scale-out: RunTask → PROVISIONING → group grown → RUNNING', scaleOut);
  row('  reference: RunTask on an instance already there → RUNNING', onInstance);
  for (const client of [ecs, ec2, as, iam]) client.destroy();
}

runBench(main, async () => {
  if (!plane) return;
  for (const id of plane.instanceHosts.running()) await plane.instanceHosts.stop(id, 'terminate').catch(() => undefined);
  removeClusterContainers(`arn:aws:ecs:${region}:${ACCOUNT}:cluster/${CLUSTER}`);
  await plane.stop();
});
