/**
 * A subnet that spans hosts: agents, each in its own network namespace (a simulated host on an
 * underlay bridge the test makes), offer their VPC addresses; a task on one reaches a task of
 * the same subnet on another by address, over the subnets' VXLAN — also a Fargate task, on a
 * host started with `wharf agent --fargate`, which the cluster never shows. Driven through
 * @aws-sdk/client-ecs and client-ec2 against `wharf server` on etcd, which listens on the underlay
 * (the awsvpc tests of `wharf dev` run on SQLite).
 * Addresses: the underlay 10.248.<n>.0/24 and the VPC 10.234.0.0/16, both the test's own.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand, DescribeTasksCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StartTaskCommand,
  StopTaskCommand, waitUntilTasksRunning, waitUntilTasksStopped, type ContainerDefinition, type ECSClient, type Task,
} from '@aws-sdk/client-ecs';
import { credentials, ecsClient, region, rootKeyEnv, spawnWharf, tempDir, type WharfProcess } from './support/wharf.ts';
import { TEST_IMAGE, removeClusterContainers } from './support/docker.ts';
import { simulatedHosts, type SimulatedHosts } from './support/awsvpc.ts';
import { EtcdCluster } from '../src/state/index.ts';

const underlay = `10.248.${1 + Math.floor(Math.random() * 250)}`;
let hosts: SimulatedHosts;
let etcd: EtcdCluster;
let server: WharfProcess;
const agents: WharfProcess[] = [];
let ecs: ECSClient;
let ec2: EC2Client;
let clusterArn = '';
const cluster = 'spanning';

before(async () => {
  hosts = simulatedHosts(underlay, 3);
  etcd = await EtcdCluster.start({ members: 1, dir: tempDir('wharf-etcd-') });
  server = await spawnWharf([
    'server', '--host', hosts.gateway, '--port', '0', '--data-dir', tempDir(), '--store', etcd.storeUrl,
  ], /Wharf server ready at http:\/\//);
  ecs = ecsClient(server.url);
  ec2 = new EC2Client({ endpoint: server.url, region, credentials });
  clusterArn = (await ecs.send(new CreateClusterCommand({ clusterName: cluster }))).cluster!.clusterArn!;
  const env = { AWS_ACCESS_KEY_ID: rootKeyEnv.WHARF_ROOT_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: rootKeyEnv.WHARF_ROOT_SECRET_ACCESS_KEY, AWS_REGION: region };
  // Two hosts of the cluster, and a third that is Fargate capacity.
  for (const [i, h] of hosts.hosts.entries()) {
    agents.push(await spawnWharf([
      'agent', '--server', server.url, ...(i < 2 ? ['--cluster', cluster] : ['--fargate']), '--data-dir', tempDir(), '--vpc-address', h.address,
    ], /Wharf agent .* started/, env, h.netns));
  }
});

after(async () => {
  if (clusterArn) removeClusterContainers(clusterArn);
  for (const a of agents) await a.stop();
  await server?.stop();
  await etcd?.stop();
  hosts?.remove();
});

const detail = (t: Task, name: string) => t.attachments?.[0]?.details?.find((d) => d.name === name)?.value;

/** What a client container of `task` gets from `url` (busybox wget, bounded by `timeout`), tried for a few seconds. */
async function fetchFrom(task: Task, url: string): Promise<string> {
  let said = '';
  for (let i = 0; i < 20 && said !== 'hello from wharf'; i++) {
    const r = spawnSync('docker', ['exec', task.containers![0].runtimeId!, 'timeout', '2', 'wget', '-q', '-O-', url], { encoding: 'utf8' });
    said = r.stdout.trim();
    if (said !== 'hello from wharf') await new Promise((r2) => setTimeout(r2, 250));
  }
  return said;
}

let subnetId = '';
let group = '';
let serverTask: Task;

describe('a subnet across hosts', () => {
  it('a task on one host reaches a task of its subnet on the other by address', async () => {
    let instances: string[] = [];
    for (let i = 0; i < 100 && instances.length < 2; i++) {
      instances = (await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? [];
      if (instances.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(instances.length, 2, 'both hosts registered');
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.234.0.0/16' }))).Vpc!.VpcId!;
    subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.234.1.0/24' }))).Subnet!.SubnetId!;
    group = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'spanning', Description: 'spanning', VpcId: vpcId }))).GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: group, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: group }] }] }));
    const server: ContainerDefinition = { name: 'web', image: TEST_IMAGE, memory: 32, stopTimeout: 2, command: ['httpd', '-f', '-p', '8080', '-h', '/www'] };
    const client: ContainerDefinition = { name: 'client', image: TEST_IMAGE, memory: 32, stopTimeout: 2, command: ['sleep', '3600'] };
    const start = async (family: string, def: ContainerDefinition, instance: string) => {
      await ecs.send(new RegisterTaskDefinitionCommand({ family, networkMode: 'awsvpc', containerDefinitions: [def] }));
      const { tasks } = await ecs.send(new StartTaskCommand({
        cluster, taskDefinition: family, containerInstances: [instance],
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnetId], securityGroups: [group] } },
      }));
      return tasks![0];
    };
    const a = await start('span-server', server, instances[0]);
    const b = await start('span-client', client, instances[1]);
    await waitUntilTasksRunning({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { cluster, tasks: [a.taskArn!, b.taskArn!] });
    const [ta, tb] = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [a.taskArn!, b.taskArn!] }))).tasks!;
    assert.notEqual(ta.containerInstanceArn, tb.containerInstanceArn, 'one task on each host');
    const url = `http://${detail(ta, 'privateIPv4Address')}:8080/`;
    assert.equal(await fetchFrom(tb, url), 'hello from wharf', `the client on host 2 reaches the server on host 1 at ${url}`);
    serverTask = ta;
    await ecs.send(new StopTaskCommand({ cluster, task: b.taskArn! }));
    await waitUntilTasksStopped({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { cluster, tasks: [b.taskArn!] });
  });

  it('a Fargate task runs on a host started with --fargate, never shown in the cluster, and reaches the server on host 1', async () => {
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'span-fargate', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'client', image: TEST_IMAGE, stopTimeout: 2, command: ['sleep', '3600'] }],
    }));
    const { tasks } = await ecs.send(new RunTaskCommand({
      cluster, taskDefinition: 'span-fargate', launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnetId], securityGroups: [group] } },
    }));
    const arn = tasks![0].taskArn!;
    await waitUntilTasksRunning({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { cluster, tasks: [arn] });
    const [task] = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks!;
    assert.equal(task.launchType, 'FARGATE');
    assert.equal(task.containerInstanceArn, undefined);
    const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster }));
    assert.equal(containerInstanceArns!.length, 2, 'the Fargate host is not an instance of the cluster');
    const url = `http://${detail(serverTask, 'privateIPv4Address')}:8080/`;
    assert.equal(await fetchFrom(task, url), 'hello from wharf', `the Fargate task on host 3 reaches the server on host 1 at ${url}`);
    for (const t of [arn, serverTask.taskArn!]) await ecs.send(new StopTaskCommand({ cluster, task: t }));
    await waitUntilTasksStopped({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { cluster, tasks: [arn, serverTask.taskArn!] });
  });
});
