/**
 * `npm run bench:etcd` — Wharf on etcd beside Wharf on SQLite, in one run:
 *
 *  1. Throughput, for each store in turn (SQLite; etcd with 1 member; etcd with 3 members): a
 *     `wharf server` child process with INSTANCES simulated container instances (in this
 *     process, on the real agent link). RunTask (count 10, PARALLEL in flight) → tasks/s;
 *     DescribeTasks (10 tasks per call, PARALLEL in flight) → calls/s. The goal: etcd at no
 *     less than half of SQLite's throughput.
 *  2. Leader failover (3 etcd members, 3 replicas): kill -9 the leader, at once raise a
 *     service's desiredCount through a survivor, and time until the new leader's controller
 *     has placed the new task (kill → the first controller action). ROUNDS rounds.
 *  3. Agent failover: AGENTS simulated agents linked to one replica (with the others as
 *     alternates); kill -9 that replica and time until every agent is registered again
 *     through another.
 *
 * etcd members run on this machine's disk and share its 2 cores with everything else; every
 * configuration pays that equally. Prints figures; never passes or fails on them.
 *
 *   npx tsx bench/etcd.ts
 *   INSTANCES=200 CALLS=100 DESCRIBES=2000 PARALLEL=8 ROUNDS=3 AGENTS=20 npx tsx bench/etcd.ts
 */
import {
  CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand,
  RunTaskCommand, UpdateServiceCommand, type ECSClient,
} from '@aws-sdk/client-ecs';
import { startFleet, type Fleet } from '../src/agent/fleet.testing.ts';
import { EtcdCluster, freePort } from '../src/state/index.ts';
import { benchCredentials, ecsClient, median, poll, sleep, spawnWharf, tempDir, env, type WharfProcess } from './support/wharf.ts';

const INSTANCES = env('INSTANCES', 200);
const CALLS = env('CALLS', 100);
const DESCRIBES = env('DESCRIBES', 2000);
const PARALLEL = env('PARALLEL', 8);
const ROUNDS = env('ROUNDS', 3);
const AGENTS = env('AGENTS', 20);
const CLUSTER = 'bench';
const FAMILY = 'bench-sleep';

interface Throughput {
  store: string;
  tasksPerSecond: number;
  describesPerSecond: number;
}

/** Runs `total` calls of `call`, `parallel` at a time; answers calls per second. */
async function drive(total: number, parallel: number, call: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < total) await call(next++);
  }));
  return total / ((performance.now() - started) / 1000);
}

async function startServer(store: string | undefined, replica = 'bench'): Promise<WharfProcess> {
  const args = ['server', '--port', String(await freePort()), '--data-dir', tempDir(), '--replica', replica];
  if (store) args.push('--store', store);
  return spawnWharf(args, /Wharf server ready at http:\/\//);
}

async function prepare(ecs: ECSClient): Promise<void> {
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: FAMILY, containerDefinitions: [{ name: 'main', image: 'wharf-test/busybox:latest', memory: 16, command: ['sleep', '3600'] }],
  }));
}

async function throughput(label: string, store: string | undefined): Promise<Throughput> {
  const server = await startServer(store);
  let fleet: Fleet | undefined;
  try {
    const ecs = ecsClient(server.url);
    await prepare(ecs);
    fleet = await startFleet({ serverUrl: server.url, credentials: benchCredentials, cluster: CLUSTER, count: INSTANCES });
    const arns: string[] = [];
    const tasksPerCall = 10;
    const runs = await drive(CALLS, PARALLEL, async () => {
      const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: FAMILY, count: tasksPerCall }));
      if (failures?.length) throw new Error(`RunTask failed: ${JSON.stringify(failures[0])}`);
      arns.push(...tasks!.map((t) => t.taskArn!));
    });
    const describes = await drive(DESCRIBES, PARALLEL, async (i) => {
      const at = (i * tasksPerCall) % (arns.length - tasksPerCall);
      await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns.slice(at, at + tasksPerCall) }));
    });
    return { store: label, tasksPerSecond: runs * tasksPerCall, describesPerSecond: describes };
  } finally {
    await fleet?.stop();
    await server.stop();
  }
}

interface Status { replica: string; leading: boolean; leader: string | null }
const status = async (r: WharfProcess): Promise<Status> => (await fetch(`${r.url}/_wharf/status`)).json() as Promise<Status>;

async function leaderOf(replicas: WharfProcess[]): Promise<WharfProcess> {
  return poll('a leader all replicas agree on', async () => {
    const all = await Promise.all(replicas.map((r) => status(r).catch(() => undefined)));
    const leading = all.filter((s) => s?.leading);
    if (leading.length !== 1 || all.some((s) => s?.leader !== leading[0]!.replica)) return undefined;
    return replicas[all.indexOf(leading[0])];
  }, { timeoutMs: 60_000, everyMs: 50 });
}

/** Kill → the new leader's first controller action, ROUNDS times; the killed replica comes back between rounds. */
async function leaderFailover(cluster: EtcdCluster): Promise<number[]> {
  const names = ['r1', 'r2', 'r3'];
  const store = `${cluster.storeUrl}/failover`;
  const replicas = await Promise.all(names.map((name) => startServer(store, name)));
  let fleet: Fleet | undefined;
  const times: number[] = [];
  try {
    const leader = await leaderOf(replicas);
    const home = replicas.find((r) => r !== leader)!;
    const ecs = ecsClient(home.url);
    await prepare(ecs);
    fleet = await startFleet({ serverUrl: home.url, credentials: benchCredentials, cluster: CLUSTER, count: 3 });
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'svc', taskDefinition: FAMILY, desiredCount: 1 }));
    let desired = 1;
    const tasks = async (client: ECSClient) =>
      (await client.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'svc', desiredStatus: 'RUNNING' }))).taskArns!.length;
    await poll('the service at 1', async () => ((await tasks(ecs)) === 1 ? true : undefined), { timeoutMs: 60_000, everyMs: 100 });
    for (let round = 0; round < ROUNDS; round++) {
      const current = await leaderOf(replicas);
      const survivor = replicas.find((r) => r !== current && r !== undefined && r.child.exitCode === null)!;
      const client = ecsClient(survivor.url);
      const killed = performance.now();
      await current.kill9();
      desired++;
      await client.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'svc', desiredCount: desired }));
      await poll('the new leader placing the new task', async () => ((await tasks(client)) === desired ? true : undefined), { timeoutMs: 60_000, everyMs: 50 });
      times.push(performance.now() - killed);
      // The killed replica comes back (as a fresh process) for the next round.
      const index = replicas.indexOf(current);
      replicas[index] = await startServer(store, names[index]);
      if (current === home) break; // the fleet's replica: the agents are another figure
    }
  } finally {
    await fleet?.stop();
    for (const r of replicas) await r.stop();
  }
  return times;
}

/** Kill the agents' replica → every agent registered again through another. */
async function agentFailover(cluster: EtcdCluster): Promise<{ all: number; median: number }> {
  const replicas = await Promise.all(['a1', 'a2'].map((name) => startServer(`${cluster.storeUrl}/agents`, name)));
  const [home, other] = replicas;
  const otherLink = `${other.url.replace(/^http/, 'ws')}/`;
  const reconnected = new Map<number, number>();
  const movedTo = new Set<number>();
  let killed = 0;
  let fleet: Fleet | undefined;
  try {
    await ecsClient(home.url).send(new CreateClusterCommand({ clusterName: 'agents' }));
    fleet = await startFleet({
      serverUrl: [home.url, other.url], credentials: benchCredentials, cluster: 'agents', count: AGENTS,
      // Per agent: connected to the other replica after the kill, then registered there.
      log: (line) => {
        const m = /^\[(\d+)\] (agent link connected to (\S+)|registered as)/.exec(line);
        if (!killed || !m) return;
        const agent = Number(m[1]);
        if (m[3] !== undefined) {
          if (m[3].startsWith(otherLink)) movedTo.add(agent);
        } else if (movedTo.has(agent) && !reconnected.has(agent)) {
          reconnected.set(agent, performance.now() - killed);
        }
      },
    });
    killed = performance.now();
    await home.kill9();
    await poll('every agent on the other replica', async () => (reconnected.size === AGENTS ? true : undefined), { timeoutMs: 60_000, everyMs: 20 });
    const times = [...reconnected.values()];
    return { all: Math.max(...times), median: median(times) };
  } finally {
    await fleet?.stop();
    for (const r of replicas) await r.stop();
  }
}

const fmt = (n: number) => n.toFixed(0).padStart(8);

async function main(): Promise<void> {
  console.log(`bench:etcd — ${INSTANCES} simulated instances, RunTask ${CALLS}×10 and DescribeTasks ${DESCRIBES}×10, ${PARALLEL} in flight`);
  const one = await EtcdCluster.start({ members: 1, dir: tempDir('wharf-bench-etcd1-'), fast: false });
  const three = await EtcdCluster.start({ members: 3, dir: tempDir('wharf-bench-etcd3-'), fast: false });
  try {
    const rows: Throughput[] = [];
    rows.push(await throughput('SQLite', undefined));
    rows.push(await throughput('etcd, 1 member', `${one.storeUrl}/throughput`));
    rows.push(await throughput('etcd, 3 members', `${three.storeUrl}/throughput`));
    const base = rows[0];
    console.log('\nstore               RunTask tasks/s   DescribeTasks calls/s   vs SQLite (tasks, calls)');
    for (const r of rows) {
      console.log(`${r.store.padEnd(18)}  ${fmt(r.tasksPerSecond)}          ${fmt(r.describesPerSecond)}              ` +
        `${(r.tasksPerSecond / base.tasksPerSecond * 100).toFixed(0)} %, ${(r.describesPerSecond / base.describesPerSecond * 100).toFixed(0)} %`);
    }
    await one.stop();
    const failovers = await leaderFailover(three);
    console.log(`\nleader failover (3 members, 3 replicas, lease TTL 3 s): kill -9 → first action of the new leader: ${failovers.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')}`);
    const agents = await agentFailover(three);
    console.log(`agent failover (${AGENTS} simulated agents): kill -9 of their replica → registered through another: median ${(agents.median / 1000).toFixed(2)} s, all ${(agents.all / 1000).toFixed(2)} s`);
  } finally {
    await one.stop();
    await three.stop();
  }
  await sleep(10);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
