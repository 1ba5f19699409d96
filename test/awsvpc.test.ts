/**
 * awsvpc on real containers, through @aws-sdk/client-ecs and client-ec2 against a real
 * `wharf dev`: each task in its own network namespace with an address of its subnet, its
 * containers on one localhost (seed 003's app and its sidecar on 4318), two tasks on one host
 * both on 8080, security groups enforced as packet filters and changed while tasks run, and
 * nothing left on the host once the tasks stop — also after `kill -9` of Wharf mid-run.
 * Addresses are the test's own VPC (10.231.0.0/16); traffic goes only to the tasks it starts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  AuthorizeSecurityGroupEgressCommand, AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateSubnetCommand,
  CreateVpcCommand, DescribeNetworkInterfacesCommand, EC2Client, RevokeSecurityGroupEgressCommand, RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, waitUntilTasksRunning,
  waitUntilTasksStopped, type ContainerDefinition, type ECSClient, type Task,
} from '@aws-sdk/client-ecs';
import { credentials, ecsClient, region, startDev, type WharfProcess } from './support/wharf.ts';
import { TEST_IMAGE, docker, removeClusterContainers } from './support/docker.ts';
import { awsvpcFootprint, removeAwsvpcLeftovers } from './support/awsvpc.ts';

let wharf: WharfProcess;
let ecs: ECSClient;
let ec2: EC2Client;
let cluster: string;
let clusterArn: string;
let subnetId: string;
let vpcId: string;
const wait = () => ({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 2 });

before(async () => {
  wharf = await startDev();
  ecs = ecsClient(wharf.url);
  ec2 = new EC2Client({ endpoint: wharf.url, region, credentials });
  const created = await ecs.send(new CreateClusterCommand({ clusterName: `awsvpc-${Date.now()}` }));
  cluster = created.cluster!.clusterName!;
  clusterArn = created.cluster!.clusterArn!;
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.231.0.0/16' }))).Vpc!.VpcId!;
  subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.231.1.0/24', AvailabilityZone: `${region}a` }))).Subnet!.SubnetId!;
});

after(async () => {
  if (wharf?.child.exitCode !== null) console.log(`wharf exited:\n${wharf?.output().slice(-3000)}`);
  removeClusterContainers(clusterArn);
  await wharf?.stop();
  removeAwsvpcLeftovers([subnetId]);
});

async function group(name: string): Promise<string> {
  return (await ec2.send(new CreateSecurityGroupCommand({ GroupName: `${name}-${Date.now()}`, Description: name, VpcId: vpcId }))).GroupId!;
}

/** Lets `from` (a CIDR or a group id) reach `groupId` on TCP `port`. */
const tcpFrom = (from: string, port: number) => ({
  IpProtocol: 'tcp', FromPort: port, ToPort: port,
  ...(from.startsWith('sg-') ? { UserIdGroupPairs: [{ GroupId: from }] } : { IpRanges: [{ CidrIp: from }] }),
});

async function run(family: string, containerDefinitions: ContainerDefinition[], groups: string[], count = 1): Promise<Task[]> {
  await ecs.send(new RegisterTaskDefinitionCommand({ family, networkMode: 'awsvpc', containerDefinitions }));
  const { tasks, failures } = await ecs.send(new RunTaskCommand({
    cluster, taskDefinition: family, count,
    networkConfiguration: { awsvpcConfiguration: { subnets: [subnetId], securityGroups: groups } },
  }));
  assert.deepEqual(failures, []);
  await waitUntilTasksRunning(wait(), { cluster, tasks: tasks!.map((t) => t.taskArn!) });
  return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: tasks!.map((t) => t.taskArn!) }))).tasks!;
}

const detail = (t: Task, name: string) => t.attachments?.[0]?.details?.find((d) => d.name === name)?.value;
const ipOf = (t: Task) => detail(t, 'privateIPv4Address')!;
const runtimeIdOf = (t: Task, container: string) => t.containers!.find((c) => c.name === container)!.runtimeId!;

/** GET from the host, or the error's name when the connection does not go through within `ms`. */
async function hostGet(url: string, ms = 1500): Promise<string> {
  try {
    return (await (await fetch(url, { signal: AbortSignal.timeout(ms) })).text()).trim();
  } catch (error) {
    return `unreachable (${(error as Error).name})`;
  }
}

/** GET from inside a task's container (busybox wget, bounded by `timeout`: its own -T crashes), or 'unreachable'. */
function taskGet(containerId: string, url: string): string {
  const r = spawnSync('docker', ['exec', containerId, 'timeout', '2', 'wget', '-q', '-O-', url], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : 'unreachable';
}

/** Polls `probe` until it returns `want` (a security-group change takes effect within seconds), or gives the last answer. */
async function eventually(probe: () => string | Promise<string>, want: (s: string) => boolean, tries = 20): Promise<string> {
  let last = '';
  for (let i = 0; i < tries; i++) {
    last = await probe();
    if (want(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  return last;
}

const server: ContainerDefinition = { name: 'web', image: TEST_IMAGE, memory: 32, stopTimeout: 2, command: ['httpd', '-f', '-p', '8080', '-h', '/www'] };
const client: ContainerDefinition = { name: 'client', image: TEST_IMAGE, memory: 32, stopTimeout: 2, command: ['sleep', '3600'] };

describe('awsvpc tasks', () => {
  it("seed 003's shape: the app reaches its sidecar on localhost; two such tasks on one host, each at its own address", async () => {
    const before = awsvpcFootprint([subnetId], clusterArn);
    const open = await group('seed');
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: open, IpPermissions: [tcpFrom('10.231.0.0/16', 8080), tcpFrom('10.231.0.0/16', 4318)] }));
    const tasks = await run('seed', [
      {
        name: 'app', image: TEST_IMAGE, memory: 32, stopTimeout: 2, dependsOn: [{ containerName: 'sidecar', condition: 'START' }],
        // Reaches the sidecar over localhost, then serves what it said on 8080.
        command: ['sh', '-c', 'until wget -q -O /tmp/said http://localhost:4318/; do sleep 0.2; done; cp /tmp/said /www/sidecar.txt; exec httpd -f -p 8080 -h /www'],
      },
      { name: 'sidecar', image: TEST_IMAGE, memory: 32, essential: false, stopTimeout: 2, command: ['httpd', '-f', '-p', '4318', '-h', '/www'] },
    ], [open], 2);
    const [a, b] = tasks.map(ipOf);
    assert.notEqual(a, b);
    for (const t of tasks) {
      assert.match(ipOf(t), /^10\.231\.1\.\d+$/);
      assert.equal(t.attachments![0].type, 'ElasticNetworkInterface');
      assert.equal(t.attachments![0].status, 'ATTACHED');
      assert.equal(detail(t, 'subnetId'), subnetId);
      assert.match(detail(t, 'networkInterfaceId')!, /^eni-[0-9a-f]{17}$/);
      assert.match(detail(t, 'macAddress')!, /^0a(:[0-9a-f]{2}){5}$/);
      assert.equal(detail(t, 'privateDnsName'), `ip-${ipOf(t).replaceAll('.', '-')}.ec2.internal`);
      for (const c of t.containers!) assert.deepEqual(c.networkInterfaces, [{ attachmentId: t.attachments![0].id, privateIpv4Address: ipOf(t) }]);
      assert.equal(await eventually(() => hostGet(`http://${ipOf(t)}:8080/sidecar.txt`), (s) => s === 'hello from wharf'), 'hello from wharf');
      assert.equal(await hostGet(`http://${ipOf(t)}:4318/`), 'hello from wharf');
    }
    const { NetworkInterfaces } = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [subnetId] }] }));
    assert.deepEqual(NetworkInterfaces!.map((n) => n.PrivateIpAddress).sort(), [a, b].sort());
    assert.ok(NetworkInterfaces!.every((n) => n.Groups?.[0]?.GroupId === open && n.Status === 'in-use'));

    await Promise.all(tasks.map((t) => ecs.send(new StopTaskCommand({ cluster, task: t.taskArn! }))));
    await waitUntilTasksStopped(wait(), { cluster, tasks: tasks.map((t) => t.taskArn!) });
    const stopped = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: tasks.map((t) => t.taskArn!) }))).tasks!;
    assert.deepEqual(stopped.map((t) => t.attachments![0].status), ['DELETED', 'DELETED']);
    const left = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [subnetId] }] }));
    assert.deepEqual(left.NetworkInterfaces, []);
    // The stopped tasks' containers wait for cleanup, but their namespaces, interfaces and rules are gone.
    assert.deepEqual({ ...awsvpcFootprint([subnetId], clusterArn), pauses: 0 }, { ...before, pauses: 0 });
  });

  it('security groups: B reaches A only while A allows B; a revoke cuts it within seconds; CIDR rules; egress rules', async () => {
    const serverGroup = await group('server');
    const clientGroup = await group('client');
    const [a] = await run('sg-server', [server], [serverGroup]);
    const [b] = await run('sg-client', [client], [clientGroup]);
    const fromB = () => taskGet(runtimeIdOf(b, 'client'), `http://${ipOf(a)}:8080/`);
    const served = (s: string) => s.trim() === 'hello from wharf';

    assert.equal(fromB(), 'unreachable', 'no rule admits B');
    const byGroup = await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: serverGroup, IpPermissions: [tcpFrom(clientGroup, 8080)] }));
    assert.ok(served(await eventually(fromB, served)), 'the group rule admits B');
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: serverGroup, SecurityGroupRuleIds: [byGroup.SecurityGroupRules![0].SecurityGroupRuleId!] }));
    assert.equal(await eventually(fromB, (s) => s === 'unreachable'), 'unreachable', 'the revoke cuts B off');

    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: serverGroup, IpPermissions: [tcpFrom(`${ipOf(b)}/32`, 8080)] }));
    assert.ok(served(await eventually(fromB, served)), "a CIDR rule for B's address admits B");
    assert.match(await hostGet(`http://${ipOf(a)}:8080/`), /^unreachable/, 'the host is not in that CIDR');

    // B's group loses its default allow-all egress: B cannot open connections even where A would admit it.
    await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: clientGroup, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    assert.equal(await eventually(fromB, (s) => s === 'unreachable'), 'unreachable', 'no egress rule lets B out');
    await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: clientGroup, IpPermissions: [tcpFrom(serverGroup, 8080)] }));
    assert.ok(served(await eventually(fromB, served)), "an egress rule to A's group lets B out again");

    await Promise.all([a, b].map((t) => ecs.send(new StopTaskCommand({ cluster, task: t.taskArn! }))));
    await waitUntilTasksStopped(wait(), { cluster, tasks: [a.taskArn!, b.taskArn!] });
  });

  it('kill -9 of Wharf with awsvpc tasks running: they keep their namespaces and addresses, and leave nothing once stopped', async () => {
    const before = awsvpcFootprint([subnetId], clusterArn);
    const open = await group('crash');
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: open, IpPermissions: [tcpFrom('10.231.0.0/16', 8080)] }));
    const [t] = await run('crash', [server], [open]);
    const pauses = awsvpcFootprint([subnetId], clusterArn).pauses;
    await wharf.kill9();
    wharf = await startDev(wharf.dataDir);
    ecs = ecsClient(wharf.url);
    ec2 = new EC2Client({ endpoint: wharf.url, region, credentials });
    assert.equal(await hostGet(`http://${ipOf(t)}:8080/`), 'hello from wharf', 'still served at its address');
    const again = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [t.taskArn!] }))).tasks![0];
    assert.equal(again.lastStatus, 'RUNNING');
    assert.equal(ipOf(again), ipOf(t));
    assert.equal(runtimeIdOf(again, 'web'), runtimeIdOf(t, 'web'), 'the same container, re-adopted');
    assert.equal(awsvpcFootprint([subnetId], clusterArn).pauses, pauses, 'no second pause container');

    await ecs.send(new StopTaskCommand({ cluster, task: t.taskArn! }));
    await waitUntilTasksStopped(wait(), { cluster, tasks: [t.taskArn!] });
    assert.deepEqual({ ...awsvpcFootprint([subnetId], clusterArn), pauses: 0 }, { ...before, pauses: 0 });
  });
});
