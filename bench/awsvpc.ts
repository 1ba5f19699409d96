/**
 * `npm run bench:awsvpc` — awsvpc task networks on real containers (`wharf dev`, Docker,
 * @aws-sdk/client-ecs and client-ec2), each figure beside a reference measured in the same run:
 *
 *  1. RunTask → RUNNING (seen by DescribeTasks) of an awsvpc task — its subnet already in use
 *     on the host, and the first of its subnet (bridge and NAT made) — beside a bridge task,
 *     `docker run -d` of the same image and command, and Docker's own shape of a task network
 *     (a namespace holder, the container joining it); ROUNDS rounds, alternating, bounded.
 *  2. Throughput, busybox `dd | nc` into an `nc` sink: between two containers of one awsvpc task
 *     over its localhost, from one awsvpc task to another's address on this host, and from a task
 *     on one simulated host to a task of its subnet on another (over the subnet's VXLAN); beside
 *     the host's loopback and two containers on Docker's bridge. TRANSFER_MIB per transfer or at
 *     most TRANSFER_MAX_S seconds, TRANSFERS each.
 *  3. Security-group change → enforced: a client task opens a connection to a server task's
 *     httpd every PROBE_MS; from AuthorizeSecurityGroupIngress returning to the first connection
 *     served, and from RevokeSecurityGroupIngress to the first one dropped, SG_SAMPLES times;
 *     beside the same accept rule added and deleted with `nft` in the server's namespace (the
 *     probe's own resolution).
 *
 * Across hosts: two network namespaces on an underlay bridge the bench makes (10.247.<n>.0/24),
 * a `wharf agent --vpc-address` in each, served by a `wharf server` (SQLite) on the bridge's
 * address, with a VPC of its own (10.242.0.0/16); made for that row and removed after it.
 *
 * Addresses are the bench's own VPCs (10.241.0.0/16, 10.242.0.0/16) and underlay; traffic goes
 * only to loopback, that underlay and the containers it starts. Everything it makes is removed
 * at the end, also on failure or Ctrl-C.
 * Prints figures; never passes or fails on them.
 *
 *   npm run bench:awsvpc      (needs root, Docker Engine, iproute2, nftables, iptables, scripts/build-test-images.sh)
 *   ROUNDS=10 TRANSFER_MIB=200 TRANSFER_MAX_S=5 TRANSFERS=3 SG_SAMPLES=5 PROBE_MS=25 npx tsx bench/awsvpc.ts
 */
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import {
  AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client,
  RevokeSecurityGroupIngressCommand, type IpPermission,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand, DescribeTasksCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand,
  StartTaskCommand, StopTaskCommand, type ContainerDefinition, type ECSClient, type NetworkConfiguration, type NetworkMode, type Task,
} from '@aws-sdk/client-ecs';
import { freePort } from '../src/state/index.ts';
import { removeClusterContainers } from '../test/support/docker.ts';
import { removeAwsvpcLeftovers, simulatedHosts, type SimulatedHosts } from '../test/support/awsvpc.ts';
import { ConnectProbe, sinkCommand, transfer, untilSinkAnswers, wallNow, type Transfer } from './support/net-probe.ts';
import {
  TEST_IMAGE, benchCredentials, docker, ecsClient, env, median, percentile, poll, removeLabelled, sleep, spawnWharf, tempDir,
  type WharfProcess,
} from './support/wharf.ts';

const ROUNDS = env('ROUNDS', 10);
/** Latency rounds stop early once this many seconds have gone by. */
const ROUNDS_BUDGET_S = env('ROUNDS_BUDGET_S', 240);
const TRANSFER_MIB = env('TRANSFER_MIB', 200);
const TRANSFER_MAX_S = env('TRANSFER_MAX_S', 5);
const TRANSFERS = env('TRANSFERS', 3);
const SG_SAMPLES = env('SG_SAMPLES', 5);
const PROBE_MS = env('PROBE_MS', 25);

const REGION = 'us-east-1';
const VPC_CIDR = '10.241.0.0/16';
/** Tasks of the first subnet find it in use (a resident task); the second subnet's bridge is made for each task. */
const SUBNET_CIDRS = ['10.241.1.0/24', '10.241.2.0/24'];
/** The simulated hosts' underlay (a /24; not the tests' 10.248 and 10.249), and the VPC and subnet spanning them. */
const UNDERLAY = `10.247.${1 + Math.floor(Math.random() * 250)}`;
const SPAN_VPC_CIDR = '10.242.0.0/16';
const SPAN_SUBNET_CIDR = '10.242.1.0/24';
const SINK_PORT = 5201;
const WEB_PORT = 8080;
const RUN = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
/** The label of every container the bench starts with `docker run` itself. */
const REF_LABEL = `wharf-bench-run=${RUN}`;
const COL = 78;

/** sh waiting on a sleep, ending at once on TERM (so stopping takes no stopTimeout): every latency sample runs it. */
const SLEEPER = ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"];
const HTTPD = ['sh', '-c', `trap 'exit 0' TERM; httpd -f -p ${WEB_PORT} -h /www & wait`];

const progress = (message: string) => process.stderr.write(`  … ${message}\n`);
const say = (line: string) => console.log(line);

// ---- what the run made, undone at the end ----

/** The bench's Wharf, cluster, network and tasks. */
interface Bench {
  ecs: ECSClient;
  ec2: EC2Client;
  cluster: string;
  vpcId: string;
  subnetIds: string[];
  /** Admits tcp SINK_PORT from the VPC. */
  openGroup: string;
}

const started = {
  wharf: undefined as WharfProcess | undefined,
  ecs: undefined as ECSClient | undefined,
  cluster: '',
  clusterArn: '',
  subnetIds: [] as string[],
  tasks: new Set<string>(),
  probes: [] as ConnectProbe[],
  /** The simulated hosts of the row across hosts, their `wharf server`, agents, cluster and tasks. */
  span: {
    hosts: undefined as SimulatedHosts | undefined,
    /** The server first, then the agents. */
    processes: [] as WharfProcess[],
    ecs: undefined as ECSClient | undefined,
    cluster: '',
    clusterArn: '',
    subnetIds: [] as string[],
    tasks: new Set<string>(),
  },
  /** Set once clean-up begins: nothing new is started after it. */
  cleaning: undefined as Promise<void> | undefined,
};

/** Refuses to start anything once clean-up has begun (after Ctrl-C, say). */
function notCleaning(): void {
  if (started.cleaning) throw new Error('cleaning up: not starting anything new');
}

/** Runs one step of a clean-up; a failure is reported and the next step runs all the same. */
async function quietly(what: string, work: () => unknown): Promise<void> {
  try {
    await work();
  } catch (error) {
    console.error(`clean-up (${what}): ${String(error)}`);
  }
}

/**
 * Undoes the setup across hosts: stops its tasks through ECS and waits until they are STOPPED,
 * stops the agents and then the server, removes the cluster's containers, the simulated hosts
 * (namespaces, underlay bridge, forwarding rule) and any task network left of its subnet.
 */
async function tearDownSpan(): Promise<void> {
  const s = started.span;
  if (s.ecs && s.tasks.size) await quietly('stopping tasks across hosts', () => stopTasks(s.ecs!, s.cluster, [...s.tasks]));
  for (const p of s.processes.splice(0).reverse()) await quietly('wharf across hosts', () => p.stop());
  if (s.clusterArn) await quietly('task containers across hosts', () => removeClusterContainers(s.clusterArn));
  const hosts = s.hosts;
  s.hosts = undefined;
  if (hosts) await quietly('simulated hosts', () => hosts.remove());
  await quietly('task networks across hosts', () => removeAwsvpcLeftovers(s.subnetIds));
  s.ecs = undefined;
}

/**
 * Stops the tasks through ECS and waits until they are STOPPED, removes the cluster's and the
 * references' containers, stops Wharf, then removes its task networks' leftovers on the host;
 * and undoes the setup across hosts. Once only, whoever asks first (the end of the run or a signal).
 */
function cleanUp(): Promise<void> {
  return (started.cleaning ??= (async () => {
    for (const probe of started.probes.splice(0)) await quietly('probe', () => probe.stop());
    await tearDownSpan();
    if (started.ecs && started.tasks.size) await quietly('stopping tasks', () => stopTasks(started.ecs!, started.cluster, [...started.tasks]));
    if (started.clusterArn) await quietly('task containers', () => removeClusterContainers(started.clusterArn));
    await quietly('reference containers', () => removeLabelled(REF_LABEL));
    if (started.wharf) await quietly('wharf', () => started.wharf!.stop());
    // Again once Wharf has stopped: a task it was still starting has nobody to create containers for it now.
    if (started.clusterArn) await quietly('task containers', () => removeClusterContainers(started.clusterArn));
    await quietly('reference containers', () => removeLabelled(REF_LABEL));
    await quietly('task networks', () => removeAwsvpcLeftovers(started.subnetIds));
  })());
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

// ---- tasks through the SDK ----

const awsvpc = (subnet: string, groups: string[]): NetworkConfiguration =>
  ({ awsvpcConfiguration: { subnets: [subnet], securityGroups: groups } });

async function register(b: Bench, family: string, networkMode: NetworkMode, containerDefinitions: ContainerDefinition[]): Promise<void> {
  await b.ecs.send(new RegisterTaskDefinitionCommand({ family, networkMode, containerDefinitions }));
}

async function describe(ecs: ECSClient, cluster: string, arns: string[]): Promise<Task[]> {
  return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];
}

/** RunTask, then polls DescribeTasks every `everyMs` until RUNNING; answers the task and the ms from the call to RUNNING seen. */
async function runTask(b: Bench, family: string, networkConfiguration?: NetworkConfiguration, everyMs = 5): Promise<{ task: Task; ms: number }> {
  notCleaning();
  const t0 = performance.now();
  const { tasks, failures } = await b.ecs.send(new RunTaskCommand({ cluster: b.cluster, taskDefinition: family, networkConfiguration }));
  if (failures?.length || !tasks?.length) throw new Error(`RunTask ${family}: ${JSON.stringify(failures)}`);
  const arn = tasks[0].taskArn!;
  started.tasks.add(arn);
  const task = await untilRunning(b.ecs, b.cluster, family, arn, everyMs);
  return { task, ms: performance.now() - t0 };
}

/** Polls DescribeTasks every `everyMs` (at most 60 s) until task `arn` is RUNNING; rejects if it stops. */
async function untilRunning(ecs: ECSClient, cluster: string, family: string, arn: string, everyMs: number): Promise<Task> {
  let last = '';
  return poll(`${family} RUNNING`, async () => {
    const [t] = await describe(ecs, cluster, [arn]);
    last = `${t?.lastStatus} ${t?.stoppedReason ?? ''}`;
    if (t?.lastStatus === 'STOPPED') throw new Error(`${family} stopped: ${t.stoppedReason}`);
    return t?.lastStatus === 'RUNNING' ? t : undefined;
  }, { timeoutMs: 60_000, everyMs, describe: () => last });
}

/** StopTask for each, then waits (bounded) until all are STOPPED. */
async function stopTasks(ecs: ECSClient, cluster: string, arns: string[]): Promise<void> {
  await Promise.all(arns.map((task) => ecs.send(new StopTaskCommand({ cluster, task }))));
  await poll('tasks STOPPED', async () => {
    const tasks = await describe(ecs, cluster, arns);
    return tasks.every((t) => t.lastStatus === 'STOPPED') ? true : undefined;
  }, { timeoutMs: 60_000, everyMs: 100 });
  for (const arn of arns) {
    started.tasks.delete(arn);
    started.span.tasks.delete(arn);
  }
}

const ipOf = (t: Task) => t.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value ?? '';
const runtimeIdOf = (t: Task, container: string) => t.containers!.find((c) => c.name === container)!.runtimeId!;

async function group(b: Bench, name: string, ingress: IpPermission[] = []): Promise<string> {
  const { GroupId } = await b.ec2.send(new CreateSecurityGroupCommand({ GroupName: `bench-${name}-${RUN}`, Description: `bench ${name}`, VpcId: b.vpcId }));
  if (ingress.length) await b.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: ingress }));
  return GroupId!;
}
const tcp = (port: number, from: { cidr?: string; group?: string }): IpPermission => ({
  IpProtocol: 'tcp', FromPort: port, ToPort: port,
  ...(from.group ? { UserIdGroupPairs: [{ GroupId: from.group }] } : { IpRanges: [{ CidrIp: from.cidr }] }),
});

// ---- figures ----

const msText = (ms: number) => (Number.isFinite(ms) ? `${ms.toFixed(0)} ms` : 'n/a');
const stats = (xs: number[]) =>
  `median ${msText(median(xs)).padStart(8)}   p90 ${msText(percentile(xs, 0.9)).padStart(8)}   min ${msText(Math.min(...xs)).padStart(8)}   max ${msText(Math.max(...xs)).padStart(8)}`;
const row = (label: string, figures: string) => say(`   ${label.padEnd(COL)}${figures}`);

// ---- 1. RunTask → RUNNING ----

/** One way of starting the same container: a sample is the ms it takes, cleaned up after (not timed). */
interface Start {
  label: string;
  sample(): Promise<number>;
}

async function startLatency(b: Bench): Promise<void> {
  await register(b, `bench-awsvpc-${RUN}`, 'awsvpc', [{ name: 'main', image: TEST_IMAGE, memory: 16, command: SLEEPER, stopTimeout: 2 }]);
  await register(b, `bench-bridge-${RUN}`, 'bridge', [{ name: 'main', image: TEST_IMAGE, memory: 16, command: SLEEPER, stopTimeout: 2 }]);
  // Keeps the first subnet in use: its bridge and NAT stay while the samples come and go.
  const resident = await runTask(b, `bench-awsvpc-${RUN}`, awsvpc(b.subnetIds[0], [b.openGroup]), 100);

  const task = (family: string, network?: NetworkConfiguration) => async () => {
    const { task: t, ms } = await runTask(b, family, network);
    await stopTasks(b.ecs, b.cluster, [t.taskArn!]);
    return ms;
  };
  const dockerRun = async (...args: string[]) => {
    notCleaning();
    return docker('run', '-d', '--label', REF_LABEL, '--memory', '16m', ...args);
  };
  const starts: Start[] = [
    { label: 'awsvpc task (its subnet in use on the host)', sample: task(`bench-awsvpc-${RUN}`, awsvpc(b.subnetIds[0], [b.openGroup])) },
    { label: 'awsvpc task, first of its subnet on the host (bridge, NAT made)', sample: task(`bench-awsvpc-${RUN}`, awsvpc(b.subnetIds[1], [b.openGroup])) },
    { label: 'bridge task', sample: task(`bench-bridge-${RUN}`) },
    {
      label: 'reference: `docker run -d` of the same image and command',
      sample: async () => {
        const t0 = performance.now();
        const id = await dockerRun(TEST_IMAGE, ...SLEEPER);
        const ms = performance.now() - t0;
        await docker('rm', '-f', id);
        return ms;
      },
    },
    {
      label: 'reference: `docker run -d` ×2, a holder (--network none) + it joined',
      sample: async () => {
        const t0 = performance.now();
        const holder = await dockerRun('--network', 'none', TEST_IMAGE, ...SLEEPER);
        const joined = await dockerRun('--network', `container:${holder}`, TEST_IMAGE, ...SLEEPER);
        const ms = performance.now() - t0;
        await docker('rm', '-f', joined, holder);
        return ms;
      },
    },
  ];
  const samples = starts.map(() => [] as number[]);
  // One warm-up round (images, the pause image, first bridge), not counted.
  for (const s of starts) await s.sample();
  const t0 = Date.now();
  let rounds = 0;
  while (rounds < ROUNDS && Date.now() - t0 < ROUNDS_BUDGET_S * 1000) {
    for (const [i, s] of starts.entries()) samples[i].push(await s.sample());
    rounds++;
  }
  await stopTasks(b.ecs, b.cluster, [resident.task.taskArn!]);

  say(`1. RunTask → RUNNING (seen by DescribeTasks, polled every 5 ms), one container (${TEST_IMAGE}, sh waiting on sleep),`);
  say(`   ${rounds} rounds alternating after one warm-up round; each task stopped (and STOPPED) before the next, not timed:`);
  starts.forEach((s, i) => row(s.label, stats(samples[i])));
  const ratio = (i: number, of: number) => (median(samples[i]) / median(samples[of])).toFixed(2);
  say(`   medians: awsvpc / bridge task ${ratio(0, 2)}; awsvpc / docker run ${ratio(0, 3)}; bridge task / docker run ${ratio(2, 3)}`);
}

// ---- 2. throughput ----

/** Where a transfer runs: the container that sends, and the address its sink listens at. */
interface Ends {
  client: string;
  host: string;
  port: number;
}

/**
 * One row of the throughput table: how to get a sender and a sink for one network path. A
 * further path (such as two tasks on two hosts) is one more entry in `throughputPaths`.
 */
interface Path {
  label: string;
  /** Its name in the summary's shares of the host's loopback, if it has one there. */
  share?: string;
  /** The host's loopback: what the shares are of. */
  loopback?: boolean;
  ends(): Promise<Ends>;
}

/**
 * The paths measured, in the order printed. `tasks`: two awsvpc tasks of one subnet on this
 * host (each a sink and a source container); `acrossHosts`: a sink task and a source task of one
 * subnet on two simulated hosts.
 */
function throughputPaths(tasks: () => Promise<[Task, Task]>, acrossHosts: () => Promise<{ sink: Task; source: Task }>): Path[] {
  const referenceContainer = async (...args: string[]) => {
    notCleaning();
    return docker('run', '-d', '--label', REF_LABEL, '--memory', '64m', ...args);
  };
  return [
    {
      label: 'two containers of one awsvpc task, over its localhost',
      share: 'in-task localhost',
      ends: async () => ({ client: runtimeIdOf((await tasks())[0], 'source'), host: '127.0.0.1', port: SINK_PORT }),
    },
    {
      label: "awsvpc task → another awsvpc task on this host (at the task's address)",
      share: 'task → task',
      ends: async () => {
        const [a, c] = await tasks();
        return { client: runtimeIdOf(a, 'source'), host: ipOf(c), port: SINK_PORT };
      },
    },
    {
      label: 'awsvpc task → an awsvpc task on another simulated host (subnet VXLAN)',
      share: 'across hosts',
      ends: async () => {
        const { sink, source } = await acrossHosts();
        return { client: runtimeIdOf(source, 'source'), host: ipOf(sink), port: SINK_PORT };
      },
    },
    {
      label: "reference: the host's loopback (both ends --network host, 127.0.0.1)",
      loopback: true,
      ends: async () => {
        const port = await freePort();
        const id = await referenceContainer('--network', 'host', TEST_IMAGE, ...sinkCommand(port));
        return { client: id, host: '127.0.0.1', port };
      },
    },
    {
      label: "reference: two `docker run` containers on Docker's bridge (docker0)",
      ends: async () => {
        const sink = await referenceContainer(TEST_IMAGE, ...sinkCommand(SINK_PORT));
        const client = await referenceContainer(TEST_IMAGE, ...SLEEPER);
        return { client, host: await docker('inspect', '-f', '{{.NetworkSettings.IPAddress}}', sink), port: SINK_PORT };
      },
    },
  ];
}

async function throughput(b: Bench): Promise<void> {
  await register(b, `bench-pair-${RUN}`, 'awsvpc', [
    { name: 'sink', image: TEST_IMAGE, memory: 64, command: sinkCommand(SINK_PORT), stopTimeout: 2 },
    { name: 'source', image: TEST_IMAGE, memory: 64, command: SLEEPER, stopTimeout: 2 },
  ]);
  let pair: Promise<[Task, Task]> | undefined;
  const tasks = () => (pair ??= (async () => {
    const a = await runTask(b, `bench-pair-${RUN}`, awsvpc(b.subnetIds[0], [b.openGroup]), 100);
    const c = await runTask(b, `bench-pair-${RUN}`, awsvpc(b.subnetIds[0], [b.openGroup]), 100);
    return [a.task, c.task] as [Task, Task];
  })());

  let span: Promise<{ sink: Task; source: Task }> | undefined;
  const acrossHosts = () => (span ??= startAcrossHosts());

  const paths = throughputPaths(tasks, acrossHosts);
  const results: Transfer[][] = [];
  for (const path of paths) {
    progress(`throughput: ${path.label}`);
    const { client, host, port } = await path.ends();
    await untilSinkAnswers(client, host, port);
    const got: Transfer[] = [];
    for (let i = 0; i < TRANSFERS; i++) got.push(await transfer(client, host, port, TRANSFER_MIB, TRANSFER_MAX_S));
    results.push(got);
  }
  if (pair) await stopTasks(b.ecs, b.cluster, (await pair).map((t) => t.taskArn!));
  if (span) await tearDownSpan();
  await removeLabelled(REF_LABEL);

  const mbps = (t: Transfer) => t.bytes / 1e6 / (t.ms / 1000);
  const fmt = (x: number) => `${x.toFixed(0)} MB/s`;
  say(`2. Throughput, busybox \`dd if=/dev/zero bs=1M count=${TRANSFER_MIB} | nc\` into an \`nc -ll -e dd\` sink (cut off after ${TRANSFER_MAX_S} s),`);
  say(`   timed in the sending container until the sink's answer; median of ${TRANSFERS} (MB = 10^6 bytes). Across hosts:`);
  say(`   two network namespaces on an underlay bridge (${UNDERLAY}.0/24), a \`wharf agent --vpc-address\` in each served by`);
  say(`   \`wharf server\` on the bridge, the tasks in subnet ${SPAN_SUBNET_CIDR} of VPC ${SPAN_VPC_CIDR} (interface MTU 1450):`);
  paths.forEach((p, i) => {
    const rates = results[i].map(mbps);
    const moved = Math.min(...results[i].map((t) => t.bytes)) / 2 ** 20;
    const cut = moved < TRANSFER_MIB ? `; cut off, ≥ ${moved.toFixed(0)} MiB moved` : '';
    row(p.label, `${fmt(median(rates)).padStart(10)}   (${fmt(Math.min(...rates))} – ${fmt(Math.max(...rates))}${cut})`);
  });
  const loopback = median(results[paths.findIndex((p) => p.loopback)].map(mbps));
  const shares = paths.flatMap((p, i) => (p.share ? [`${p.share} ${(median(results[i].map(mbps)) / loopback * 100).toFixed(0)} %`] : []));
  say(`   of the host's loopback: ${shares.join(', ')}`);
}

/**
 * Adds the processes `spawning` starts to the setup across hosts, or stops it at once if
 * clean-up began while it started (clean-up would not see it).
 */
async function keep(spawning: Promise<WharfProcess>): Promise<WharfProcess> {
  const p = await spawning;
  if (started.cleaning) {
    await p.stop();
    throw new Error('cleaning up: not starting anything new');
  }
  started.span.processes.push(p);
  return p;
}

/**
 * Two simulated hosts on the bench's underlay, `wharf server` (SQLite) on its gateway, an agent
 * in each host offering its underlay address; a VPC and subnet there, a group admitting the sink
 * port from itself; then StartTask of a sink task on one host's instance and a source task on the
 * other's. Answers both once RUNNING.
 */
async function startAcrossHosts(): Promise<{ sink: Task; source: Task }> {
  const s = started.span;
  notCleaning();
  progress(`across hosts: two simulated hosts on ${UNDERLAY}.0/24, \`wharf server\` and an agent in each`);
  s.hosts = simulatedHosts(UNDERLAY, 2);
  const server = await keep(spawnWharf(['server', '--host', s.hosts.gateway, '--port', '0', '--data-dir', tempDir()], /Wharf server ready at http:\/\//));
  const ecs = ecsClient(server.url);
  s.ecs = ecs;
  const ec2 = new EC2Client({ endpoint: server.url, region: REGION, credentials: benchCredentials });
  const cluster = `bench-span-${RUN}`;
  s.clusterArn = (await ecs.send(new CreateClusterCommand({ clusterName: cluster }))).cluster!.clusterArn!;
  s.cluster = cluster;
  for (const h of s.hosts.hosts) {
    notCleaning();
    await keep(spawnWharf(
      ['agent', '--server', server.url, '--cluster', cluster, '--data-dir', tempDir(), '--vpc-address', h.address],
      /Wharf agent .* started/, 60_000, { env: { AWS_REGION: REGION }, netns: h.netns },
    ));
  }
  const instances = await poll('both simulated hosts registered', async () => {
    const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? [];
    return arns.length >= 2 ? arns : undefined;
  }, { timeoutMs: 30_000, everyMs: 100 });

  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: SPAN_VPC_CIDR }))).Vpc!.VpcId!;
  const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: SPAN_SUBNET_CIDR, AvailabilityZone: `${REGION}a` }))).Subnet!.SubnetId!;
  s.subnetIds.push(subnetId);
  const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: `bench-span-${RUN}`, Description: 'bench across hosts', VpcId: vpcId }));
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [tcp(SINK_PORT, { group: GroupId })] }));

  const start = async (family: string, def: ContainerDefinition, instance: string): Promise<Task> => {
    notCleaning();
    await ecs.send(new RegisterTaskDefinitionCommand({ family, networkMode: 'awsvpc', containerDefinitions: [def] }));
    const { tasks, failures } = await ecs.send(new StartTaskCommand({
      cluster, taskDefinition: family, containerInstances: [instance], networkConfiguration: awsvpc(subnetId, [GroupId!]),
    }));
    if (failures?.length || !tasks?.length) throw new Error(`StartTask ${family}: ${JSON.stringify(failures)}`);
    s.tasks.add(tasks[0].taskArn!);
    return untilRunning(ecs, cluster, family, tasks[0].taskArn!, 100);
  };
  const sink = await start(`bench-span-sink-${RUN}`, { name: 'sink', image: TEST_IMAGE, memory: 64, command: sinkCommand(SINK_PORT), stopTimeout: 2 }, instances[0]);
  const source = await start(`bench-span-source-${RUN}`, { name: 'source', image: TEST_IMAGE, memory: 64, command: SLEEPER, stopTimeout: 2 }, instances[1]);
  if (sink.containerInstanceArn === source.containerInstanceArn) throw new Error('across hosts: both tasks on one instance');
  return { sink, source };
}

// ---- 3. security-group change → enforced ----

async function securityGroupLatency(b: Bench): Promise<void> {
  const serverGroup = await group(b, 'server');
  const clientGroup = await group(b, 'client');
  await register(b, `bench-server-${RUN}`, 'awsvpc', [{ name: 'web', image: TEST_IMAGE, memory: 32, command: HTTPD, stopTimeout: 2 }]);
  // Room for the probe's attempts in flight (up to 1 s / PROBE_MS of them once connections are dropped).
  await register(b, `bench-client-${RUN}`, 'awsvpc', [{ name: 'client', image: TEST_IMAGE, memory: 128, command: SLEEPER, stopTimeout: 2 }]);
  const server = (await runTask(b, `bench-server-${RUN}`, awsvpc(b.subnetIds[0], [serverGroup]), 100)).task;
  const client = (await runTask(b, `bench-client-${RUN}`, awsvpc(b.subnetIds[0], [clientGroup]), 100)).task;
  const serverPid = await docker('inspect', '-f', '{{.State.Pid}}', runtimeIdOf(server, 'web'));

  notCleaning();
  const probe = new ConnectProbe(runtimeIdOf(client, 'client'), `http://${ipOf(server)}:${WEB_PORT}/`, PROBE_MS);
  started.probes.push(probe);
  // Nothing admits the client yet: wait for the probe to say so.
  await probe.turned(wallNow(), false);

  const samples = { authorize: [] as number[], revoke: [] as number[], insert: [] as number[], remove: [] as number[] };
  for (let i = 0; i < SG_SAMPLES; i++) {
    progress(`security groups: sample ${i + 1} of ${SG_SAMPLES}`);
    const { SecurityGroupRules } = await b.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: serverGroup, IpPermissions: [tcp(WEB_PORT, { group: clientGroup })] }));
    let t0 = wallNow();
    samples.authorize.push(await probe.turned(t0, true));
    await b.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: serverGroup, SecurityGroupRuleIds: SecurityGroupRules!.map((r) => r.SecurityGroupRuleId!) }));
    t0 = wallNow();
    samples.revoke.push(await probe.turned(t0, false));

    // The same accept rule, straight into the server's namespace with nft: the probe's own floor.
    const echoed = await hostNft(serverPid, 'insert', 'rule', 'inet', 'wharf_task', 'input', 'ip', 'saddr', ipOf(client), 'tcp', 'dport', String(WEB_PORT), 'accept');
    t0 = wallNow();
    const handle = /# handle (\d+)/.exec(echoed)?.[1];
    if (!handle) throw new Error(`nft did not echo the rule's handle: ${echoed}`);
    samples.insert.push(await probe.turned(t0, true));
    await hostNft(serverPid, 'delete', 'rule', 'inet', 'wharf_task', 'input', 'handle', handle);
    t0 = wallNow();
    samples.remove.push(await probe.turned(t0, false));
  }
  await probe.stop();
  started.probes.splice(started.probes.indexOf(probe), 1);
  await stopTasks(b.ecs, b.cluster, [server.taskArn!, client.taskArn!]);

  say(`3. Security-group change → enforced: a client task starts \`timeout 1 wget\` of the server task's httpd every ${PROBE_MS} ms;`);
  say(`   from the call returning to the first attempt from which on all were served (or dropped); ${SG_SAMPLES} samples each:`);
  row("AuthorizeSecurityGroupIngress (server admits client's group) → served", stats(samples.authorize));
  row('RevokeSecurityGroupIngress (that rule) → dropped', stats(samples.revoke));
  row("reference: `nft insert` of that accept in the server's namespace → served", stats(samples.insert));
  row('reference: `nft delete` of it → dropped', stats(samples.remove));
}

/** `nft -e -a <args>` in the network namespace of process `pid` (the bench runs as root, as Wharf's agent does). */
function hostNft(pid: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('nsenter', ['-t', pid, '-n', 'nft', '-e', '-a', ...args], { encoding: 'utf8', timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`nft ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

// ---- main ----

async function setUp(): Promise<Bench> {
  const wharf = await spawnWharf(['dev', '--port', '0', '--data-dir', tempDir()], /Wharf ready at http:\/\//);
  started.wharf = wharf;
  const ecs = ecsClient(wharf.url);
  started.ecs = ecs;
  const ec2 = new EC2Client({ endpoint: wharf.url, region: REGION, credentials: benchCredentials });
  const cluster = `bench-awsvpc-${RUN}`;
  const { cluster: made } = await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  started.cluster = cluster;
  started.clusterArn = made!.clusterArn!;
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: VPC_CIDR }))).Vpc!.VpcId!;
  const subnetIds: string[] = [];
  for (const CidrBlock of SUBNET_CIDRS) {
    const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock, AvailabilityZone: `${REGION}a` }));
    subnetIds.push(Subnet!.SubnetId!);
    started.subnetIds.push(Subnet!.SubnetId!);
  }
  const b: Bench = { ecs, ec2, cluster, vpcId, subnetIds, openGroup: '' };
  b.openGroup = await group(b, 'open', [tcp(SINK_PORT, { cidr: VPC_CIDR })]);
  return b;
}

async function main(): Promise<void> {
  const dockerVersion = await docker('version', '--format', '{{.Server.Version}}');
  say(`awsvpc task networks: ${cpus().length} cores, Docker ${dockerVersion}, ${TEST_IMAGE}; \`wharf dev\` (across hosts: \`wharf server\``);
  say(`and two agents in network namespaces); one run, each figure beside its reference`);
  say(`VPC ${VPC_CIDR}, subnets ${SUBNET_CIDRS.join(' and ')}`);
  say('');
  const b = await setUp();
  progress('RunTask → RUNNING');
  await startLatency(b);
  say('');
  await throughput(b);
  say('');
  await securityGroupLatency(b);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanUp();
    await sleep(10);
  });
