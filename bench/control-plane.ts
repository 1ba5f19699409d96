/**
 * The control plane at ECS's quotas: a `wharf server` child process with 5,000 simulated
 * container instances (src/agent/fleet.testing.ts, in this process, on the real agent link) and
 * 100,000 tasks, all through the SDK, the API and the SQLite store. Prints figures beside
 * published references; never passes or fails on them.
 *
 *   1. agents: registration rate, and memory per simulated agent in this process
 *   2. RunTask (count 10) → tasks assigned (returned by RunTask): tasks/s on a SMALL cluster
 *      and on the INSTANCES cluster, one call at a time and PARALLEL in flight, each bounded
 *      by RUNTASK_TASKS and RUNTASK_BUDGET_S
 *   3. fill to TASKS tasks with StartTask (10 named instances per call), bounded by
 *      FILL_BUDGET_S
 *   4. RSS of the control-plane process (VmRSS) holding the instances and the tasks, with
 *      every task RUNNING on its simulated agent
 *
 *   npx tsx bench/control-plane.ts
 *   INSTANCES=5000 TASKS=100000 PARALLEL=8 RUNTASK_BUDGET_S=90 FILL_BUDGET_S=900 npx tsx bench/control-plane.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateClusterCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StartTaskCommand, type ECSClient,
} from '@aws-sdk/client-ecs';
import { startFleet, type Fleet } from '../src/agent/fleet.testing.ts';
import { credentials, ecsClient, spawnWharf, tempDir, type WharfProcess } from '../test/support/wharf.ts';
import { env } from './support/wharf.ts';

const INSTANCES = env('INSTANCES', 5000);
const TASKS = env('TASKS', 100_000);
const PARALLEL = env('PARALLEL', 8);
const SMALL = env('SMALL', 500);
const RUNTASK_TASKS = env('RUNTASK_TASKS', 20_000);
const RUNTASK_BUDGET_S = env('RUNTASK_BUDGET_S', 90);
const SERIAL_BUDGET_S = env('SERIAL_BUDGET_S', 20);
const FILL_BUDGET_S = env('FILL_BUDGET_S', 900);
const WINDOW = 10_000;
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/** Resident memory of a process, MiB. */
function rssMiB(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;

interface PlacementRun {
  tasks: number;
  calls: number;
  failedCalls: number;
  seconds: number;
  /** Latency of each RunTask call, ms. */
  latencies: number[];
  /** [tasks placed at the end of the window, tasks/s in the window, server RSS MiB]. */
  windows: Array<[number, number, number]>;
  serverCpuSeconds: number;
  firstError?: string;
}

/** Places up to `count` tasks with one API call; returns how many it placed and why none, if none. */
type Launch = (count: number) => Promise<{ placed: number; failures?: unknown }>;

/** RunTask (count 10) into `cluster`. */
const runTask = (ecs: ECSClient, cluster: string, family: string): Launch => async (count) => {
  const r = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family, count }));
  return { placed: r.tasks?.length ?? 0, failures: r.failures };
};

/** StartTask on the next `count` instances of `arns`, round robin. */
function startTask(ecs: ECSClient, cluster: string, family: string, arns: string[]): Launch {
  let next = 0;
  return async (count) => {
    const containerInstances = Array.from({ length: count }, () => arns[next++ % arns.length]);
    const r = await ecs.send(new StartTaskCommand({ cluster, taskDefinition: family, containerInstances }));
    return { placed: r.tasks?.length ?? 0, failures: r.failures };
  };
}

/** `launch` from `parallel` loops until `target` tasks are placed or `budgetS` passes. */
async function place(server: WharfProcess, launch: Launch, target: number, budgetS: number, parallel: number): Promise<PlacementRun> {
  const run: PlacementRun = { tasks: 0, calls: 0, failedCalls: 0, seconds: 0, latencies: [], windows: [], serverCpuSeconds: 0 };
  const pid = server.child.pid!;
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const deadline = t0 + budgetS * 1000;
  let windowStart = t0;
  let windowTasks = 0;
  let consecutiveFailures = 0;
  let claimed = 0;
  const loop = async () => {
    while (claimed < target && performance.now() < deadline && consecutiveFailures < 50) {
      const started = performance.now();
      const count = Math.min(10, target - claimed);
      claimed += count;
      try {
        const { placed, failures } = await launch(count);
        run.latencies.push(performance.now() - started);
        run.calls++;
        run.tasks += placed;
        claimed -= count - placed;
        consecutiveFailures = placed ? 0 : consecutiveFailures + 1;
        if (!placed) run.firstError ??= `no task placed: ${JSON.stringify(failures).slice(0, 200)}`;
      } catch (error) {
        claimed -= count;
        run.failedCalls++;
        consecutiveFailures++;
        run.firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      if (run.tasks - windowTasks >= WINDOW) {
        const now = performance.now();
        run.windows.push([run.tasks, ((run.tasks - windowTasks) / (now - windowStart)) * 1000, rssMiB(pid)]);
        windowStart = now;
        windowTasks = run.tasks;
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, loop));
  run.seconds = (performance.now() - t0) / 1000;
  run.serverCpuSeconds = cpuSeconds(pid) - cpu0;
  return run;
}

/** Running containers across the fleet, counted in this process. */
async function runningContainers(fleet: Fleet): Promise<number> {
  let n = 0;
  for (const a of fleet.agents) n += (await a.runtime.listContainers({})).filter((c) => c.state === 'running').length;
  return n;
}

/** Waits (bounded) until `expected` containers run on the fleet; returns seconds taken, or undefined. */
async function untilRunning(fleet: Fleet, expected: number, budgetS: number): Promise<number | undefined> {
  const t0 = performance.now();
  while (performance.now() - t0 < budgetS * 1000) {
    if ((await runningContainers(fleet)) >= expected) return (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

async function main(): Promise<void> {
  const dataDir = tempDir('wharf-bench-');
  const server = await spawnWharf(['server', '--port', '0', '--data-dir', dataDir], /Wharf server ready at http:\/\//);
  const pid = server.child.pid!;
  const fleets: Fleet[] = [];
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  try {
    const ecs = ecsClient(server.url);
    const rssEmpty = rssMiB(pid);
    const task = { name: 'main', image: 'public.ecr.aws/docker/library/busybox:latest', cpu: 128, memory: 256, command: ['sleep', '86400'] };
    for (const name of ['bench', 'small']) {
      await ecs.send(new CreateClusterCommand({ clusterName: name }));
    }
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'bench-sleep', containerDefinitions: [task] }));

    // Instances: INSTANCES in `bench` (room for 20+ tasks each), SMALL in `small`.
    global.gc?.();
    const heap0 = process.memoryUsage();
    const big = await startFleet({
      serverUrl: server.url, credentials, cluster: 'bench', count: INSTANCES, idPrefix: 'bench',
      sizes: () => ({ cpu: 4096, memory: 8192 }), concurrency: 200, timeoutMs: 600_000,
    });
    fleets.push(big);
    global.gc?.();
    const heap1 = process.memoryUsage();
    const rssInstances = rssMiB(pid);
    say(`agents: ${fmt(INSTANCES)} registered in ${fmt(big.registrationMs / 1000, 1)} s (${fmt(INSTANCES / (big.registrationMs / 1000))}/s, 200 connecting at a time)`);
    say(`  this process: +${fmt((heap1.rss - heap0.rss) / INSTANCES / 1024, 1)} KiB RSS, +${fmt((heap1.heapUsed - heap0.heapUsed) / INSTANCES / 1024, 1)} KiB JS heap per simulated agent`);
    say(`  control plane RSS: ${fmt(rssEmpty)} MiB empty → ${fmt(rssInstances)} MiB with ${fmt(INSTANCES)} connected instances`);

    // 2. RunTask → assigned.
    const rssAt = (n: number) => `${fmt(n / 1000)}k`;
    const row = (label: string, r: PlacementRun) =>
      `  ${label.padEnd(34)} ${fmt(r.tasks).padStart(7)} tasks in ${fmt(r.seconds, 1).padStart(5)} s = ${fmt(r.tasks / r.seconds).padStart(5)} tasks/s` +
      `   call median ${fmt(median(r.latencies)).padStart(5)} ms, p99 ${fmt(pct(r.latencies, 0.99)).padStart(5)} ms` +
      `   server CPU ${fmt((r.serverCpuSeconds * 1000) / Math.max(1, r.calls), 1).padStart(5)} ms/call` +
      (r.failedCalls ? `   ${r.failedCalls} calls failed (${r.firstError})` : '');
    say('');
    say(`RunTask (count 10) → tasks assigned (returned by RunTask), through the SDK, the API and the SQLite store:`);
    const runs: Array<[string, PlacementRun]> = [];
    if (SMALL > 0) {
      const small = await startFleet({
        serverUrl: server.url, credentials, cluster: 'small', count: SMALL, idPrefix: 'small',
        sizes: () => ({ cpu: 4096 * 4, memory: 8192 * 4 }), concurrency: 200, timeoutMs: 600_000,
      });
      fleets.push(small);
      for (const parallel of [1, PARALLEL]) {
        const r = await place(server, runTask(ecs, 'small', 'bench-sleep'), RUNTASK_TASKS, parallel === 1 ? SERIAL_BUDGET_S : RUNTASK_BUDGET_S, parallel);
        runs.push([`${fmt(SMALL)} instances, ${parallel} in flight`, r]);
        say(row(...runs.at(-1)!));
      }
    }
    for (const parallel of [1, PARALLEL]) {
      const r = await place(server, runTask(ecs, 'bench', 'bench-sleep'), RUNTASK_TASKS, parallel === 1 ? SERIAL_BUDGET_S : RUNTASK_BUDGET_S, parallel);
      runs.push([`${fmt(INSTANCES)} instances, ${parallel} in flight`, r]);
      say(row(...runs.at(-1)!));
    }
    const [, bigRun] = runs.at(-1)!;
    const placedByRunTask = runs.filter(([label]) => label.startsWith(fmt(INSTANCES))).reduce((n, [, r]) => n + r.tasks, 0);
    if (bigRun.tasks < RUNTASK_TASKS) {
      say(`  (each stopped by its time budget; at ${fmt(bigRun.tasks / bigRun.seconds)} tasks/s RunTask would take ${fmt((TASKS - placedByRunTask) / (bigRun.tasks / bigRun.seconds) / 60)} min to reach ${fmt(TASKS)} tasks on ${fmt(INSTANCES)} instances)`);
    }

    // 3. Fill to TASKS with StartTask, which reads only the instances it names.
    const fill = await place(server, startTask(ecs, 'bench', 'bench-sleep', big.agents.map((a) => a.containerInstanceArn)), Math.max(0, TASKS - placedByRunTask), FILL_BUDGET_S, PARALLEL);
    const total = placedByRunTask + fill.tasks;
    say('');
    say(`filling to ${fmt(TASKS)} tasks on ${fmt(INSTANCES)} instances with StartTask (10 named instances a call, ${PARALLEL} in flight):`);
    say(row('StartTask', fill));
    if (fill.windows.length) say(`  as the store fills: ` + fill.windows.map(([n, rate]) => `+${rssAt(n)}: ${fmt(rate)}/s`).join(', '));
    if (total < TASKS) say(`  stopped at ${fmt(total)} of ${fmt(TASKS)} tasks (budget ${FILL_BUDGET_S} s${fill.firstError ? `; ${fill.firstError}` : ''})`);
    const rssFilled = rssMiB(pid);
    const toRunning = await untilRunning(big, total, 300);
    say(`  placed → RUNNING on the simulated agents: ${toRunning === undefined ? 'not all within 300 s' : `all ${fmt(total)} running ${fmt(toRunning, 1)} s after the last call returned`}`);
    await new Promise((r) => setTimeout(r, 5000));
    const rssRunning = rssMiB(pid);
    const hwm = rssMiB(pid, 'VmHWM');
    global.gc?.();
    const heap2 = process.memoryUsage();

    // 4. Memory.
    say('');
    say(`control plane RSS (VmRSS of the wharf server process):`);
    say(`  empty ${fmt(rssEmpty)} MiB; with ${fmt(INSTANCES + SMALL)} instances ${fmt(rssInstances)} MiB; + ${fmt(total)} tasks on ${fmt(INSTANCES)} instances (and ${fmt(runs.filter(([l]) => !l.startsWith(fmt(INSTANCES))).reduce((n, [, r]) => n + r.tasks, 0))} on ${fmt(SMALL)}): ${fmt(rssFilled)} MiB; all RUNNING and 5 s idle: ${fmt(rssRunning)} MiB (peak ${fmt(hwm)} MiB)`);
    if (fill.windows.length) say(`  while filling: ` + fill.windows.map(([n, , rss]) => `+${rssAt(n)} → ${fmt(rss)} MiB`).join(', '));
    if (total < 100_000 && total > 0) {
      const perTask = (rssRunning - rssInstances) / total;
      say(`  EXTRAPOLATED, not measured: at ${fmt(perTask * 1024, 1)} KiB per task, 100,000 tasks would need about ${fmt(rssInstances + perTask * 100_000)} MiB`);
    }
    say(`  this process (the fleet and its tasks, and the SDK clients): ${fmt(heap2.rss / 2 ** 20)} MiB RSS, ${fmt(heap2.heapUsed / 2 ** 20)} MiB JS heap`);

    for (const f of fleets) await f.stop();
    fleets.length = 0;
    await server.stop();

    say('');
    say('references (published, different hardware and setups):');
    say(`  Nomad C1M: 1,000,000 containers on 5,000 hosts in under 5 minutes ≈ 3,750 placements/s (5 servers)`);
    say(`  kube-scheduler: 100–300 pods/s`);
    for (const [label, r] of runs) say(`  Wharf RunTask, ${label}: ${fmt(r.tasks / r.seconds)} tasks/s`);
    say(`  Wharf StartTask, ${fmt(INSTANCES)} instances: ${fmt(fill.tasks / fill.seconds)} tasks/s`);
    say(`  (one server process; the ${fmt(INSTANCES + SMALL)} agents, their tasks and the SDK clients share this 2-core machine with it)`);
  } finally {
    for (const f of fleets) await f.stop().catch(() => undefined);
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
