/**
 * `npm run bench:task-dns` — Cloud Map names as a task resolves them, on real containers
 * (`wharf dev`, Docker, @aws-sdk/client-servicediscovery), in one run, each row the same UDP
 * query loop (A queries for NAMES services of a private DNS namespace, 3 instances each):
 *
 *  1. inside a task (a bridge container running Node.js), to the resolver its resolv.conf names —
 *     the agent's relay at 169.254.169.253:53, which asks the control plane's DNS server;
 *  2. from the host, to that relay;
 *  3. from the host, to the control plane's DNS server directly (the reference: no relay).
 *
 * Each with CONCURRENCY queries outstanding for DURATION_S seconds, then one outstanding for
 * SINGLE_S seconds. Traffic goes only to loopback, the agent's link-local address and the
 * container it starts; everything it makes is removed at the end. Prints figures; never passes
 * or fails on them.
 *
 *   npm run bench:task-dns   (needs root, Docker Engine, scripts/build-test-images.sh)
 *   DURATION_S=5 CONCURRENCY=64 npx tsx bench/task-dns.ts
 */
import { readFileSync } from 'node:fs';
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreatePrivateDnsNamespaceCommand, CreateServiceCommand, GetOperationCommand, RegisterInstanceCommand, ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { removeClusterContainers } from '../test/support/docker.ts';
import { benchCredentials, docker, ecsClient, env, poll, spawnWharf, tempDir, runBench, type WharfProcess } from './support/wharf.ts';

const DURATION_S = env('DURATION_S', 3);
const SINGLE_S = env('SINGLE_S', 1);
const CONCURRENCY = env('CONCURRENCY', 32);
const NAMES = env('NAMES', 10);
const SDK_IMAGE = 'wharf-test/node-sdk:latest';
const RESOLVER = '169.254.169.253';
const RUN = Date.now().toString(36);
const region = 'us-east-1';
const say = (line = '') => console.log(line);

interface Figures { qps: number; p50: number; p99: number; answered: number; lost: number; failed: number }
type Load = (address: string, port: number, names: string[], concurrency: number, seconds: number) => Promise<Figures>;

const loadFile = new URL('./support/dns-load.mjs', import.meta.url);
/** Runs in the task: the same loop, against the first nameserver of its resolv.conf; prints one JSON line. */
const PROBE = `${readFileSync(loadFile, 'utf8')}
const { readFileSync } = await import('node:fs');
const server = /^nameserver\\s+(\\S+)/m.exec(readFileSync('/etc/resolv.conf', 'utf8'))[1];
const names = JSON.parse(process.env.NAMES_JSON);
await load(server, 53, names, 1, 0.5);
const out = { server };
for (const [c, s] of JSON.parse(process.env.PLAN)) out[c] = await load(server, 53, names, c, s);
console.log('RESULT=' + JSON.stringify(out));`;

let wharf: WharfProcess | undefined;
let clusterArn = '';

async function main(): Promise<void> {
  const { load } = (await import(loadFile.href)) as { load: Load };
  wharf = await spawnWharf(['dev', '--port', '0', '--data-dir', tempDir()], /Wharf ready at http:\/\//);
  const dnsLine = /DNS server \(tasks' names\) at ([\d.]+):(\d+)/.exec(wharf.output());
  if (!dnsLine) throw new Error(`Wharf serves no DNS:\n${wharf.output()}`);
  const direct = { address: dnsLine[1]!, port: Number(dnsLine[2]) };
  const options = { endpoint: wharf.url, region, credentials: benchCredentials };
  const sd = new ServiceDiscoveryClient({ ...options, disableHostPrefix: true });
  const ec2 = new EC2Client(options);
  const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs![0]!.VpcId!;
  const op = (await sd.send(new CreatePrivateDnsNamespaceCommand({ Name: `bench-${RUN}.local`, Vpc: vpc }))).OperationId!;
  const namespaceId = (await sd.send(new GetOperationCommand({ OperationId: op }))).Operation!.Targets!.NAMESPACE!;
  const names: string[] = [];
  for (let i = 0; i < NAMES; i++) {
    const service = (await sd.send(new CreateServiceCommand({
      Name: `svc-${i}`, NamespaceId: namespaceId, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }], RoutingPolicy: 'MULTIVALUE' },
    }))).Service!;
    for (let j = 1; j <= 3; j++) {
      await sd.send(new RegisterInstanceCommand({ ServiceId: service.Id!, InstanceId: `i-${j}`, Attributes: { AWS_INSTANCE_IPV4: `10.77.${i}.${j}` } }));
    }
    names.push(`svc-${i}.bench-${RUN}.local`);
  }
  const plan: [number, number][] = [[CONCURRENCY, DURATION_S], [1, SINGLE_S]];

  // 1. Inside a task.
  const ecs = ecsClient(wharf.url);
  const created = await ecs.send(new CreateClusterCommand({ clusterName: `bench-dns-${RUN}` }));
  clusterArn = created.cluster!.clusterArn!;
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: `dns-probe-${RUN}`, containerDefinitions: [{
      name: 'probe', image: SDK_IMAGE, memory: 256, command: ['node', '--input-type=module', '-e', PROBE],
      environment: [{ name: 'NAMES_JSON', value: JSON.stringify(names) }, { name: 'PLAN', value: JSON.stringify(plan) }],
    }],
  }));
  const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster: clusterArn, taskDefinition: `dns-probe-${RUN}` }));
  if (!tasks?.length) throw new Error(`RunTask: ${JSON.stringify(failures)}`);
  const done: Task = await poll('probe STOPPED', async () => {
    const t = (await ecs.send(new DescribeTasksCommand({ cluster: clusterArn, tasks: [tasks[0]!.taskArn!] }))).tasks?.[0];
    return t?.lastStatus === 'STOPPED' ? t : undefined;
  }, { timeoutMs: 300_000, everyMs: 200 });
  const logs = await docker('logs', done.containers![0]!.runtimeId!);
  const line = logs.split('\n').find((l) => l.startsWith('RESULT='));
  if (!line) throw new Error(`the probe printed no result (${done.stoppedReason}):\n${logs}`);
  const inside = JSON.parse(line.slice('RESULT='.length)) as Record<string, Figures> & { server: string };

  // 2 and 3. From the host.
  await load(RESOLVER, 53, names, 1, 0.5);
  await load(direct.address, direct.port, names, 1, 0.5);
  say(`DNS over UDP: ${NAMES} Cloud Map names, A queries, 3 records each (the task's resolver: ${inside.server})`);
  say();
  for (const [concurrency, seconds] of plan) {
    say(`${concurrency} outstanding, ${seconds} s:`);
    say(row('  inside a task → host resolver → DNS server', inside[concurrency]!));
    say(row(`  host → host resolver (${RESOLVER}:53)`, await load(RESOLVER, 53, names, concurrency, seconds)));
    say(row(`  host → DNS server directly (reference)`, await load(direct.address, direct.port, names, concurrency, seconds)));
    say();
  }
}

const row = (label: string, f: Figures) =>
  `${label.padEnd(48)} ${f.qps.toFixed(0).padStart(8)} q/s   p50 ${f.p50.toFixed(3).padStart(7)} ms   p99 ${f.p99.toFixed(3).padStart(7)} ms   ${f.answered} answered${f.lost ? `, ${f.lost} lost` : ''}${f.failed ? `, ${f.failed} failed` : ''}`;

async function cleanup(): Promise<void> {
  await wharf?.stop();
  if (clusterArn) removeClusterContainers(clusterArn);
}

runBench(main, cleanup);
