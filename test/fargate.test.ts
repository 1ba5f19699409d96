/**
 * The Fargate launch type on a real `wharf dev`, through @aws-sdk/client-ecs and client-ec2:
 * Fargate's task sizes as a table against ECS's messages, what a Fargate launch refuses, a
 * FARGATE service of 3 spread over three zones' subnets on the pool (never shown as the
 * cluster's instances), and a task killed for using more than its task memory though its
 * container sets no limit. Addresses are the test's own VPC (10.232.0.0/16).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand, DescribeClustersCommand, DescribeTasksCommand, ListClustersCommand, ListContainerInstancesCommand,
  ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, UpdateServiceCommand, waitUntilServicesStable, waitUntilTasksStopped,
  type ContainerDefinition, type ECSClient, type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { credentials, ecsClient, region, startDev, type WharfProcess } from './support/wharf.ts';
import { TEST_IMAGE, removeClusterContainers } from './support/docker.ts';
import { removeAwsvpcLeftovers } from './support/awsvpc.ts';

let wharf: WharfProcess;
let ecs: ECSClient;
let cluster: string;
let clusterArn: string;
const subnets: string[] = [];

before(async () => {
  wharf = await startDev();
  ecs = ecsClient(wharf.url);
  const ec2 = new EC2Client({ endpoint: wharf.url, region, credentials });
  const created = await ecs.send(new CreateClusterCommand({ clusterName: `fargate-${Date.now()}`, capacityProviders: ['FARGATE', 'FARGATE_SPOT'] }));
  cluster = created.cluster!.clusterName!;
  clusterArn = created.cluster!.clusterArn!;
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.232.0.0/16' }))).Vpc!.VpcId!;
  for (const [i, zone] of ['a', 'b', 'c'].entries()) {
    const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.232.${i + 1}.0/24`, AvailabilityZone: `${region}${zone}` }));
    subnets.push(Subnet!.SubnetId!);
  }
});

after(async () => {
  removeClusterContainers(clusterArn);
  await wharf?.stop();
  removeAwsvpcLeftovers(subnets);
});

const sleeper: ContainerDefinition = { name: 'app', image: TEST_IMAGE, command: ['sleep', '3600'], stopTimeout: 2 };

async function register(family: string, cpu: string, memory: string, containerDefinitions = [sleeper]) {
  return ecs.send(new RegisterTaskDefinitionCommand({
    family, cpu, memory, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], containerDefinitions,
  }));
}

async function refused(call: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(call, (error: Error) => {
    assert.equal(error.name, code, error.message);
    assert.match(error.message, message);
    return true;
  });
}

/** Whether the task's own cgroup (cgroup v2, or v1's memory hierarchy) is still there. */
const taskCgroupExists = (taskArn: string): boolean => {
  const id = taskArn.slice(taskArn.lastIndexOf('/') + 1);
  return existsSync(`/sys/fs/cgroup/wharf/${id}`) || existsSync(`/sys/fs/cgroup/memory/wharf/${id}`);
};

const network = () => ({ awsvpcConfiguration: { subnets: [...subnets] } });

describe('Fargate', () => {
  it("takes Fargate's task sizes and refuses the others with ECS's messages", async () => {
    const valid: [string, string][] = [
      ['256', '512'], ['256', '2048'], ['512', '4096'], ['1024', '2048'], ['1024', '8192'], ['2048', '16384'],
      ['4096', '30720'], ['8192', '16384'], ['8192', '61440'], ['16384', '32768'], ['16384', '122880'], ['1 vCPU', '3 GB'],
    ];
    for (const [cpu, memory] of valid) await register('sizes', cpu, memory);
    const invalid: [string, string][] = [
      ['256', '4096'], ['512', '512'], ['1024', '9216'], ['2048', '3072'], ['4096', '31744'], ['8192', '18432'], ['16384', '36864'], ['300', '1024'],
    ];
    for (const [cpu, memory] of invalid) {
      await refused(register('sizes', cpu, memory), 'ClientException', new RegExp(`^No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory\\.`));
    }
    await refused(register('sizes', 'lots', '512'), 'ClientException', /^Invalid 'cpu' setting for task\.$/);
    await refused(ecs.send(new RegisterTaskDefinitionCommand({
      family: 'sizes', cpu: '256', memory: '512', networkMode: 'bridge', requiresCompatibilities: ['FARGATE'], containerDefinitions: [sleeper],
    })), 'ClientException', /^Fargate only supports network mode ‘awsvpc’\.$/);
  });

  it('refuses what a Fargate launch cannot do', async () => {
    await register('small', '256', '512');
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'ec2-only', networkMode: 'awsvpc', containerDefinitions: [{ ...sleeper, memory: 32 }] }));
    const run = (input: Partial<RunTaskCommandInput>) => ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'small', launchType: 'FARGATE', networkConfiguration: network(), ...input }));
    await refused(run({ taskDefinition: 'ec2-only' }), 'InvalidParameterException', /^Task definition does not support launch_type FARGATE\.$/);
    await refused(run({ networkConfiguration: undefined }), 'InvalidParameterException', /^Network Configuration must be provided when networkMode 'awsvpc' is specified\.$/);
    await refused(run({ placementStrategy: [{ type: 'random' }] }), 'InvalidParameterException', /not supported with the FARGATE launch type/);
    await refused(run({ platformVersion: '1.3.0' }), 'InvalidParameterException', /^Platform version 1\.3\.0 is not supported/);
    await refused(run({ overrides: { cpu: '256', memory: '4096' } }), 'InvalidParameterException', /^No Fargate configuration exists for given values: 256 CPU, 4096 memory/);
    await refused(run({ launchType: undefined, capacityProviderStrategy: [{ capacityProvider: 'spot-fleet' }] }), 'InvalidParameterException', /capacity provider spot-fleet is not associated with cluster/);
  });

  it('a FARGATE service of 3 spreads over the zones of its subnets on the pool, which the cluster never shows', async () => {
    await register('web', '256', '512');
    await ecs.send(new CreateServiceCommand({
      cluster, serviceName: 'web', taskDefinition: 'web', desiredCount: 3, launchType: 'FARGATE', networkConfiguration: network(),
    }));
    await waitUntilServicesStable({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { cluster, services: ['web'] });
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster, serviceName: 'web' }));
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
    assert.equal(tasks!.length, 3);
    assert.deepEqual(tasks!.map((t) => t.availabilityZone).sort(), [`${region}a`, `${region}b`, `${region}c`]);
    for (const t of tasks!) {
      assert.equal(t.launchType, 'FARGATE');
      assert.equal(t.platformVersion, '1.4.0');
      assert.deepEqual(t.ephemeralStorage, { sizeInGiB: 20 });
      assert.equal(t.containerInstanceArn, undefined);
      assert.equal(t.lastStatus, 'RUNNING');
      const subnet = t.attachments![0].details!.find((d) => d.name === 'subnetId')!.value;
      assert.equal(subnets.indexOf(subnet!), ['a', 'b', 'c'].indexOf(t.availabilityZone!.slice(-1)), "each task is in its subnet's zone");
    }
    const [stats] = (await ecs.send(new DescribeClustersCommand({ clusters: [cluster], include: ['STATISTICS'] }))).clusters!;
    const stat = (name: string) => stats.statistics!.find((kv) => kv.name === name)?.value;
    assert.deepEqual([stat('runningFargateTasksCount'), stat('activeFargateServiceCount'), stat('activeEC2ServiceCount')], ['3', '1', '0']);
    const instances = await ecs.send(new ListContainerInstancesCommand({ cluster }));
    assert.equal(instances.containerInstanceArns!.length, 1, "only the dev host's EC2 instance: the pool is not the cluster's");
    const { clusterArns } = await ecs.send(new ListClustersCommand({}));
    assert.ok(clusterArns!.every((arn) => !arn.includes('~')));
    await refused(ecs.send(new ListContainerInstancesCommand({ cluster: '~fargate' })), 'ClusterNotFoundException', /Cluster not found/);

    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', desiredCount: 0 }));
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'web' }));
    await waitUntilTasksStopped({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { cluster, tasks: taskArns });
    for (const arn of taskArns!) assert.equal(taskCgroupExists(arn), false, 'the task cgroup goes with the task');
  });

  it('a task that uses more than its task memory is killed, though its container sets no limit', async () => {
    // 600 MiB read into one buffer, in a task of 512 MiB.
    await register('hungry', '256', '512', [{ name: 'eater', image: TEST_IMAGE, command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=600M', 'count=1'] }]);
    const { tasks } = await ecs.send(new RunTaskCommand({
      cluster, taskDefinition: 'hungry', capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }], networkConfiguration: network(),
    }));
    assert.equal(tasks![0].capacityProviderName, 'FARGATE');
    await waitUntilTasksStopped({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { cluster, tasks: [tasks![0].taskArn!] });
    const [task] = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [tasks![0].taskArn!] }))).tasks!;
    assert.equal(task.containers![0].exitCode, 137);
    assert.equal(task.containers![0].reason, 'OutOfMemoryError: Container killed due to memory usage');
    assert.equal(task.stopCode, 'EssentialContainerExited');
    assert.equal(taskCgroupExists(task.taskArn!), false);
  });
});
