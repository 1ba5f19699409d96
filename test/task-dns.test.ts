/**
 * Tasks resolve Cloud Map's names, on real containers through a real `wharf dev`: its agent
 * serves the tasks' resolver at 169.254.169.253:53 (relaying to the control plane's DNS server),
 * awsvpc tasks find it in their namespace's resolv.conf and bridge containers in theirs; busybox
 * `nslookup` inside a task gets an awsvpc service's task addresses (2, then 3 after scaling out,
 * within the TTL), a bridge service's SRV records with its tasks' dynamic host ports, and a name
 * outside the namespaces from the upstream resolver — a fake one on loopback that this test
 * starts; and an internal load balancer's DNS name, which a task resolves to the load balancer's
 * addresses in its subnets. The test's VPC is 10.237.0.0/16; traffic goes only to loopback and
 * the tasks it starts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand,
  type ECSClient, type Task,
} from '@aws-sdk/client-ecs';
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreatePrivateDnsNamespaceCommand, CreateServiceCommand as CreateRegistryCommand, DiscoverInstancesCommand, GetOperationCommand, ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { FakeUpstream } from '../src/dataplane/dns/wire.testing.ts';
import { credentials, ecsClient, region, startDev, tempDir, type WharfProcess } from './support/wharf.ts';
import { TEST_IMAGE, removeClusterContainers } from './support/docker.ts';
import { removeAwsvpcLeftovers } from './support/awsvpc.ts';

const RESOLVER = '169.254.169.253';
const TTL = 5;
let wharf: WharfProcess;
let ecs: ECSClient;
let sd: ServiceDiscoveryClient;
let cluster = '';
let clusterArn = '';
let subnetId = '';
let otherSubnetId = '';
/** The load balancer's subnet addresses, which its Wharf gives this host (removed after, if that Wharf did not). */
let lbAddresses: string[] = [];
let namespaceId = '';
let resolverWasHere = false;
const upstream = new FakeUpstream((q) => (q.name.toLowerCase() === 'outside.example.test' && q.type === 'A'
  ? { answers: [{ name: q.name, type: 'A', class: 'IN', ttl: 30, data: '192.0.2.7' }] }
  : { rcode: 3 }));

const loAddresses = () => execFileSync('ip', ['-j', 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' });
/** Another Wharf's agent on this host holds the resolver's address (and port): this test's agent cannot serve it. */
const heldElsewhere = () => (resolverWasHere ? `another agent on this host serves ${RESOLVER}` : false);

before(async () => {
  resolverWasHere = loAddresses().includes(`"${RESOLVER}"`);
  const upstreamPort = await upstream.start();
  wharf = await startDev(tempDir(), ['--dns-upstream', `127.0.0.1:${upstreamPort}`]);
  ecs = ecsClient(wharf.url);
  const options = { endpoint: wharf.url, region, credentials };
  sd = new ServiceDiscoveryClient({ ...options, disableHostPrefix: true });
  const ec2 = new EC2Client(options);
  const created = await ecs.send(new CreateClusterCommand({ clusterName: `task-dns-${Date.now()}` }));
  cluster = created.cluster!.clusterName!;
  clusterArn = created.cluster!.clusterArn!;
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.237.0.0/16' }))).Vpc!.VpcId!;
  subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.237.1.0/24', AvailabilityZone: `${region}a` }))).Subnet!.SubnetId!;
  otherSubnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.237.2.0/24', AvailabilityZone: `${region}b` }))).Subnet!.SubnetId!;
  ec2.destroy();
  const op = (await sd.send(new CreatePrivateDnsNamespaceCommand({ Name: 'klp.local', Vpc: vpcId }))).OperationId!;
  namespaceId = (await sd.send(new GetOperationCommand({ OperationId: op }))).Operation!.Targets!.NAMESPACE!;
});

after(async () => {
  if (wharf && wharf.child.exitCode !== null) console.log(`wharf exited:\n${wharf.output().slice(-3000)}`);
  // Stopped first, so its agent makes no container after the test's are removed.
  await wharf?.stop();
  if (clusterArn) removeClusterContainers(clusterArn);
  await upstream.stop();
  if (subnetId) removeAwsvpcLeftovers([subnetId, otherSubnetId].filter((id) => id));
  for (const address of lbAddresses) if (loAddresses().includes(`"${address}"`)) execFileSync('ip', ['addr', 'del', `${address}/32`, 'dev', 'lo']);
  // The resolver's address, if this test's Wharf added it and did not get to remove it.
  if (!resolverWasHere && loAddresses().includes(`"${RESOLVER}"`)) execFileSync('ip', ['addr', 'del', `${RESOLVER}/32`, 'dev', 'lo']);
});

async function registry(name: string, type: 'A' | 'SRV'): Promise<string> {
  return (await sd.send(new CreateRegistryCommand({
    Name: name, NamespaceId: namespaceId, DnsConfig: { DnsRecords: [{ Type: type, TTL }], RoutingPolicy: 'MULTIVALUE' },
  }))).Service!.Arn!;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await probe();
    if (last !== undefined) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function runningTasks(service: string): Promise<Task[]> {
  const arns = (await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'RUNNING' }))).taskArns ?? [];
  const tasks = arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks! : [];
  return tasks.filter((t) => t.lastStatus === 'RUNNING');
}

const discovered = async (service: string) =>
  (await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'klp.local', ServiceName: service, HealthStatus: 'ALL' }))).Instances ?? [];

/**
 * Runs `args` in a container (bounded: a resolver that never answers does not hang the test);
 * asynchronously, so the fake upstream in this process answers meanwhile.
 */
function exec(containerId: string, ...args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile('docker', ['exec', containerId, 'timeout', '10', ...args], { encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: stdout + stderr });
    });
  });
}

/** The addresses busybox nslookup printed for the name it asked (not the server's own). */
function answered(out: string): string[] {
  const after = out.slice(out.indexOf('Name:'));
  return out.includes('Name:') ? [...after.matchAll(/^Address:\s*(\S+)$/gm)].map((m) => m[1]!).sort() : [];
}

const containerOf = (t: Task) => t.containers![0]!.runtimeId!;
const ipOf = (t: Task) => t.attachments![0]!.details!.find((d) => d.name === 'privateIPv4Address')!.value!;
const sleeper = { name: 'app', image: TEST_IMAGE, memory: 32, stopTimeout: 2, command: ['sleep', '3600'] };

describe("tasks resolve names with their host's resolver", () => {
  it('an awsvpc service: `nslookup auth.klp.local` inside a task gives its tasks\' addresses; scaled to 3, three within the TTL', async (t) => {
    if (heldElsewhere()) return t.skip(heldElsewhere() as string);
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'auth', networkMode: 'awsvpc', containerDefinitions: [sleeper] }));
    await ecs.send(new CreateServiceCommand({
      cluster, serviceName: 'auth', taskDefinition: 'auth', desiredCount: 2,
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnetId] } },
      serviceRegistries: [{ registryArn: await registry('auth', 'A') }],
    }));
    await until('2 instances', async () => ((await discovered('auth')).length === 2 ? true : undefined), 120_000);
    const tasks = await runningTasks('auth');
    assert.equal(tasks.length, 2);
    const inside = containerOf(tasks[0]!);
    assert.match((await exec(inside, 'cat', '/etc/resolv.conf')).out, new RegExp(`^nameserver ${RESOLVER.replaceAll('.', '\\.')}$`, 'm'));
    const lookup = await exec(inside, 'nslookup', '-type=a', 'auth.klp.local');
    assert.equal(lookup.status, 0, lookup.out);
    assert.deepEqual(answered(lookup.out), tasks.map(ipOf).sort());

    await ecs.send(new UpdateServiceCommand({ cluster, service: 'auth', desiredCount: 3 }));
    await until('3 instances', async () => ((await discovered('auth')).length === 3 ? true : undefined), 120_000);
    const registeredAt = Date.now();
    const three = await until('3 addresses from nslookup', async () => {
      const found = answered((await exec(inside, 'nslookup', '-type=a', 'auth.klp.local')).out);
      return found.length === 3 ? found : undefined;
    }, (TTL + 5) * 1000);
    assert.ok(Date.now() - registeredAt <= TTL * 1000 + 2000, 'answered within the TTL');
    assert.deepEqual(three, (await runningTasks('auth')).map(ipOf).sort());
  });

  it("a bridge service: SRV records carry its tasks' dynamic host ports", async (t) => {
    if (heldElsewhere()) return t.skip(heldElsewhere() as string);
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'config', networkMode: 'bridge', containerDefinitions: [{ ...sleeper, portMappings: [{ containerPort: 80, hostPort: 0 }] }],
    }));
    await ecs.send(new CreateServiceCommand({
      cluster, serviceName: 'config', taskDefinition: 'config', desiredCount: 2,
      serviceRegistries: [{ registryArn: await registry('config', 'SRV'), containerName: 'app', containerPort: 80 }],
    }));
    await until('2 instances', async () => ((await discovered('config')).length === 2 ? true : undefined), 120_000);
    const tasks = await runningTasks('config');
    const hostPorts = tasks.map((t) => String(t.containers![0]!.networkBindings![0]!.hostPort)).sort();
    const inside = containerOf(tasks[0]!);
    assert.match((await exec(inside, 'cat', '/etc/resolv.conf')).out, new RegExp(`^nameserver ${RESOLVER.replaceAll('.', '\\.')}$`, 'm'));
    const lookup = await exec(inside, 'nslookup', '-type=srv', 'config.klp.local');
    assert.equal(lookup.status, 0, lookup.out);
    const srv = [...lookup.out.matchAll(/service = 1 1 (\d+) (\S+)/g)];
    assert.deepEqual(srv.map((m) => m[1]).sort(), hostPorts, lookup.out);
    const ids = tasks.map((t) => t.taskArn!.slice(t.taskArn!.lastIndexOf('/') + 1)).sort();
    assert.deepEqual(srv.map((m) => m[2]!.split('.')[0]).sort(), ids);
  });

  it('a name outside the namespaces is forwarded upstream (the fake resolver this test started)', async (t) => {
    if (heldElsewhere()) return t.skip(heldElsewhere() as string);
    const [task] = await runningTasks('auth');
    const lookup = await exec(containerOf(task!), 'nslookup', '-type=a', 'outside.example.test');
    assert.equal(lookup.status, 0, lookup.out);
    assert.deepEqual(answered(lookup.out), ['192.0.2.7']);
    assert.ok(upstream.received.some((q) => q.name.toLowerCase() === 'outside.example.test'));
    const missing = await exec(containerOf(task!), 'nslookup', '-type=a', 'nothing.klp.local');
    assert.notEqual(missing.status, 0, 'a name in the namespace without records is NXDOMAIN, not forwarded');
    assert.ok(!upstream.received.some((q) => q.name.toLowerCase().endsWith('klp.local')));
  });

  it("an internal load balancer's DNS name resolves, inside a task, to its addresses in its subnets", async (t) => {
    if (heldElsewhere()) return t.skip(heldElsewhere() as string);
    const elb = new ElasticLoadBalancingV2Client({ endpoint: wharf.url, region, credentials });
    try {
      const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'klp-internal', Scheme: 'internal', Subnets: [subnetId, otherSubnetId] }))).LoadBalancers![0]!;
      lbAddresses = lb.AvailabilityZones!.map((z) => z.LoadBalancerAddresses![0]!.PrivateIPv4Address!).sort();
      assert.equal(lbAddresses.length, 2);
      assert.ok(lbAddresses.every((a) => a.startsWith('10.237.')), lbAddresses.join());
      assert.match(lb.DNSName!, /^internal-klp-internal-/);
      const [task] = await runningTasks('auth');
      const inside = containerOf(task!);
      const found = await until('the load balancer\'s addresses', async () => {
        const lookup = await exec(inside, 'nslookup', '-type=a', lb.DNSName!);
        const got = answered(lookup.out);
        return got.length === 2 ? got : undefined;
      }, 30_000);
      assert.deepEqual(found, lbAddresses);
    } finally {
      elb.destroy();
    }
  });
});
