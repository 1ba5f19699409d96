/**
 * Capacity providers of EC2 Auto Scaling groups through the ECS SDK and the AWS CLI, over real
 * Auto Scaling groups (created with the Auto Scaling SDK; their instances from the store-backed
 * instances port): created and checked as ECS does, associated with one cluster; tasks of their
 * strategy wait in PROVISIONING until an instance of the group registers, then are placed on it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateCapacityProviderCommand, CreateClusterCommand, DeleteCapacityProviderCommand, DescribeCapacityProvidersCommand, DescribeContainerInstancesCommand,
  DescribeTasksCommand, ECSClient, PutClusterCapacityProvidersCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { FakeInstances, portOver } from '../src/autoscaling/ports.testing.ts';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { connectFakeAgent, type FakeAgent } from './support/fake-agent.ts';
import { awsCli, inProcessControlPlane, refused } from './support/in-process.ts';
import { until } from './support/lb-fixture.ts';
import { credentials, region } from './support/wharf.ts';

let fake: FakeInstances;
const port = portOver(() => fake);
const controlPlane = inProcessControlPlane({ autoScalingInstances: port });
let plane: ControlPlane;
let ecs: ECSClient;
let as: AutoScalingClient;
const agents: FakeAgent[] = [];
const ecsCli = awsCli(() => plane.url, 'ecs');

before(async () => {
  plane = await controlPlane();
  fake = new FakeInstances(plane.store, [{ launchTemplateId: 'lt-0abcdef1234567890', launchTemplateName: 'ecs-hosts', instanceType: 'm5.large' }]);
  const c = { endpoint: plane.url, region, credentials, maxAttempts: 1 };
  ecs = new ECSClient(c);
  as = new AutoScalingClient(c);
  for (const name of ['hosts', 'spare']) {
    await as.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name, LaunchTemplate: { LaunchTemplateName: 'ecs-hosts' }, MinSize: 0, MaxSize: 3, DesiredCapacity: 0,
      AvailabilityZones: [`${region}a`], NewInstancesProtectedFromScaleIn: name === 'hosts',
    }));
  }
});
after(async () => {
  for (const a of agents) await a.close();
  ecs?.destroy();
  as?.destroy();
});

const groupArn = async (name: string) => (await as.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0]!.AutoScalingGroupARN!;

describe('capacity providers of Auto Scaling groups', () => {
  it('create, describe, associate with one cluster; ECS\'s refusals; tasks wait in PROVISIONING, then run on the group\'s instance', async () => {
    const hosts = await groupArn('hosts');
    const created = (await ecs.send(new CreateCapacityProviderCommand({
      name: 'hosts-cp',
      autoScalingGroupProvider: { autoScalingGroupArn: hosts, managedScaling: { status: 'ENABLED', targetCapacity: 100 }, managedTerminationProtection: 'ENABLED' },
      tags: [{ key: 'team', value: 'platform' }],
    }))).capacityProvider!;
    assert.equal(created.capacityProviderArn, `arn:aws:ecs:${region}:123456789012:capacity-provider/hosts-cp`);
    assert.equal(created.status, 'ACTIVE');
    assert.deepEqual(created.autoScalingGroupProvider, {
      autoScalingGroupArn: hosts, managedScaling: { status: 'ENABLED', targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10000, instanceWarmupPeriod: 300 },
      managedTerminationProtection: 'ENABLED', managedDraining: 'ENABLED',
    });
    await refused(ecs.send(new CreateCapacityProviderCommand({ name: 'again', autoScalingGroupProvider: { autoScalingGroupArn: hosts } })),
      'ClientException', 'The specified Auto Scaling group ARN is already being used by another capacity provider. Specify a unique Auto Scaling group ARN and try again.');
    await refused(ecs.send(new CreateCapacityProviderCommand({
      name: 'spare-cp', autoScalingGroupProvider: { autoScalingGroupArn: await groupArn('spare'), managedScaling: { status: 'ENABLED' }, managedTerminationProtection: 'ENABLED' },
    })), 'ClientException', /the Auto Scaling group must have instance protection from scale in enabled/);
    await refused(ecs.send(new CreateCapacityProviderCommand({ name: 'FARGATE_X', autoScalingGroupProvider: { autoScalingGroupArn: 'spare' } })), 'InvalidParameterException', /prefixed/);
    await refused(ecs.send(new CreateCapacityProviderCommand({ name: 'ghost-cp', autoScalingGroupProvider: { autoScalingGroupArn: 'no-such-group' } })), 'ClientException', /could not be found/);

    // Listed beside Fargate's two; described with tags when asked.
    const listed = (await ecsCli.cli('describe-capacity-providers')).capacityProviders.map((p: { name: string }) => p.name);
    assert.deepEqual(listed, ['FARGATE', 'FARGATE_SPOT', 'hosts-cp']);
    const described = (await ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: ['hosts-cp', 'nope'], include: ['TAGS'] })));
    assert.deepEqual(described.capacityProviders![0]!.tags, [{ key: 'team', value: 'platform' }]);
    assert.equal(described.failures![0]!.reason, 'MISSING');

    // One cluster at a time; in use, it cannot be deleted.
    await ecs.send(new CreateClusterCommand({ clusterName: 'workers', capacityProviders: ['hosts-cp'], defaultCapacityProviderStrategy: [{ capacityProvider: 'hosts-cp', weight: 1 }] }));
    await refused(ecs.send(new CreateClusterCommand({ clusterName: 'others', capacityProviders: ['hosts-cp'] })), 'InvalidParameterException', /already associated with cluster workers/);
    await refused(ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: 'hosts-cp' })), 'ResourceInUseException', /in use/);
    await refused(ecs.send(new PutClusterCapacityProvidersCommand({
      cluster: 'workers', capacityProviders: ['hosts-cp', 'FARGATE'], defaultCapacityProviderStrategy: [{ capacityProvider: 'hosts-cp', weight: 1 }, { capacityProvider: 'FARGATE', weight: 1 }],
    })), 'InvalidParameterException', /cannot contain a mix/);
    const updated = await ecsCli.cli('update-capacity-provider', '--name', 'hosts-cp', '--auto-scaling-group-provider', 'managedScaling={targetCapacity=90}');
    assert.equal(updated.capacityProvider.autoScalingGroupProvider.managedScaling.targetCapacity, 90);

    // The cluster's default strategy: no instance yet, so the tasks wait.
    const td = (await ecs.send(new RegisterTaskDefinitionCommand({ family: 'worker', containerDefinitions: [{ name: 'w', image: 'busybox', memory: 256 }] }))).taskDefinition!.taskDefinitionArn!;
    const run = await ecs.send(new RunTaskCommand({ cluster: 'workers', taskDefinition: td, count: 2 }));
    assert.deepEqual(run.failures, []);
    assert.deepEqual(run.tasks!.map((t) => [t.lastStatus, t.capacityProviderName, t.launchType, t.containerInstanceArn]), Array(2).fill(['PROVISIONING', 'hosts-cp', 'EC2', undefined]));
    const [first, second] = run.tasks!.map((t) => t.taskArn!);

    // One is stopped while it waits: STOPPED at once.
    await ecs.send(new StopTaskCommand({ cluster: 'workers', task: second, reason: 'not needed' }));
    const stopped = (await ecs.send(new DescribeTasksCommand({ cluster: 'workers', tasks: [second!] }))).tasks![0]!;
    assert.deepEqual([stopped.lastStatus, stopped.stoppedReason], ['STOPPED', 'not needed']);

    // The group launches an instance; its host registers in the cluster with the provider; the waiting task runs there.
    await as.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'hosts', DesiredCapacity: 1 }));
    const instanceId = await until('the group\'s instance', async () => (await as.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['hosts'] }))).AutoScalingGroups![0]!.Instances?.[0]?.InstanceId, 30_000);
    agents.push(await connectFakeAgent(plane.url, { cluster: 'workers', ec2InstanceId: instanceId }));
    agents.push(await connectFakeAgent(plane.url, { cluster: 'workers' }));
    const instances = (await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'workers', containerInstances: agents.map((a) => a.containerInstanceArns[0]!) }))).containerInstances!;
    assert.deepEqual(instances.map((i) => [i.ec2InstanceId === instanceId, i.capacityProviderName]), [[true, 'hosts-cp'], [false, undefined]]);
    const placed = await until('the waiting task placed', async () => {
      const t = (await ecs.send(new DescribeTasksCommand({ cluster: 'workers', tasks: [first!] }))).tasks![0]!;
      return t.containerInstanceArn ? t : undefined;
    }, 30_000);
    assert.equal(placed.containerInstanceArn, agents[0]!.containerInstanceArns[0]);
    assert.equal(placed.capacityProviderName, 'hosts-cp');
  });
});
