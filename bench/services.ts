/**
 * Services under failure and change, on real Docker containers through @aws-sdk/client-ecs.
 * Each figure is printed beside the reference it names, measured side by side in the same
 * run where it can be; never passes or fails on a time.
 *
 *   1. self-healing: a service of 3 httpd tasks with a container health check on `wharf dev`;
 *      ROUNDS times `docker kill` one task's essential container → its replacement RUNNING
 *      and HEALTHY; beside `docker run -d` (and `docker run -d` → healthy) of the same image
 *   2. rolling deployment of 10 tasks (minimumHealthyPercent 100, maximumPercent 200):
 *      UpdateService → deployment COMPLETED; beside RunTask of the same revision → HEALTHY
 *   3. instance loss: `wharf server --instance-lost-after LOST_AFTER_S` and two `wharf agent`
 *      processes; a service of 4 spread over instanceId; `kill -9` one agent → 4 RUNNING again,
 *      and the agent restarted → its duplicates stopped; then the other agent SIGSTOPped (a host
 *      gone silent, found by missed heartbeats) → 4 RUNNING again, and SIGCONT → duplicates stopped
 *
 *   npm run bench:services        (needs Docker Engine and scripts/build-test-images.sh)
 *   ROUNDS=10 POLL_MS=50 LOST_AFTER_S=5 npx tsx bench/services.ts
 */
import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand, DescribeContainerInstancesCommand, DescribeServicesCommand,
  DescribeTasksCommand, ListContainerInstancesCommand, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand,
  StopTaskCommand, UpdateServiceCommand, type ContainerDefinition, type ContainerInstance, type ECSClient, type Service, type Task,
} from '@aws-sdk/client-ecs';
import {
  TEST_IMAGE, containersLabelled, docker, dockerTime, ecsClient, median, poll, removeLabelled, sec, sleep, spawnWharf, spread,
  tempDir, env, type WharfProcess,
} from './support/wharf.ts';

const ROUNDS = env('ROUNDS', 10);
/** `docker run -d` → healthy takes the health check interval (5 s) each time: a few rounds are enough. */
const HEALTHY_REF_ROUNDS = env('HEALTHY_REF_ROUNDS', 3);
const RUNTASK_REF_ROUNDS = env('RUNTASK_REF_ROUNDS', 3);
const ROLLING_TASKS = env('ROLLING_TASKS', 10);
const LOST_AFTER_S = env('LOST_AFTER_S', 5);
const POLL_MS = env('POLL_MS', 50);
const RUN = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
const REF_LABEL = `wharf-bench-run=${RUN}`;
/** Width of the label column of the printed figures. */
const COL = 72;

/** Container health check: busybox wget against the container's own httpd, ECS's shortest interval. */
const HEALTH = { command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1/ || exit 1'], interval: 5, timeout: 2, retries: 2 };
const HTTPD = ['httpd', '-f', '-p', '80', '-h', '/www'];
/** A small web container: 16 CPU units, 32 MiB. httpd as PID 1 ignores SIGTERM, so stops take its stopTimeout. */
const web = (revision: string): ContainerDefinition => ({
  name: 'web', image: TEST_IMAGE, cpu: 16, memory: 32, essential: true, command: HTTPD, healthCheck: HEALTH, stopTimeout: 2,
  environment: [{ name: 'REVISION', value: revision }],
});

// ---- clean-up of everything this run started, also on Ctrl-C ----

/** What to undo, in this order: services deleted, processes stopped (by pid), containers removed, data dirs deleted. */
const started = {
  services: new Map<string, () => Promise<unknown>>(),
  processes: [] as WharfProcess[],
  labels: [] as string[],
  dirs: [] as string[],
};
/** A fresh data directory, deleted at the end. */
function dataDir(): string {
  const dir = tempDir();
  started.dirs.push(dir);
  return dir;
}
async function cleanUp(): Promise<void> {
  const quietly = (p: Promise<unknown>) => p.catch((error: unknown) => console.error(`clean-up: ${String(error)}`));
  const deletes = [...started.services.values()];
  started.services.clear();
  for (const del of deletes) await quietly(del());
  for (const p of started.processes.splice(0).reverse()) await quietly(p.stop());
  for (const label of started.labels.splice(0)) await quietly(removeLabelled(label));
  for (const dir of started.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}
const clusterLabel = (clusterArn: string) => `com.amazonaws.ecs.cluster=${clusterArn}`;
function track(p: WharfProcess): WharfProcess {
  started.processes.push(p);
  return p;
}

const progress = (message: string) => process.stderr.write(`  … ${message}\n`);
const ms = (d: Date | undefined) => d?.getTime() ?? NaN;

// ---- reading the cluster through the SDK ----

async function describeTasks(ecs: ECSClient, cluster: string, arns: string[]): Promise<Task[]> {
  const out: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }));
    out.push(...(tasks ?? []));
  }
  return out;
}

async function listTaskArns(ecs: ECSClient, cluster: string, serviceName: string, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 100; page++) {
    const r = await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus, maxResults: 100, nextToken }));
    arns.push(...(r.taskArns ?? []));
    if (!(nextToken = r.nextToken)) break;
  }
  return arns;
}

/** The service's tasks whose desiredStatus is RUNNING, described. */
async function serviceTasks(ecs: ECSClient, cluster: string, serviceName: string): Promise<Task[]> {
  return describeTasks(ecs, cluster, await listTaskArns(ecs, cluster, serviceName));
}

async function describeService(ecs: ECSClient, cluster: string, service: string): Promise<Service> {
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  return services![0];
}

const healthy = (t: Task) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING' && t.healthStatus === 'HEALTHY';

/**
 * Waits until the service is steady: one deployment, COMPLETED, and exactly `count` tasks meant
 * to run, all RUNNING and HEALTHY. Resolves to those tasks.
 */
async function untilServiceHealthy(ecs: ECSClient, cluster: string, service: string, count: number, timeoutMs: number): Promise<Task[]> {
  let last = '';
  return poll(`service ${service}: ${count} tasks HEALTHY`, async () => {
    const s = await describeService(ecs, cluster, service);
    const tasks = await serviceTasks(ecs, cluster, service);
    last = `deployments ${s.deployments?.map((d) => `${d.status}/${d.rolloutState}`).join(',')}; tasks ${tasks.map((t) => `${t.lastStatus}/${t.healthStatus}`).join(',')}`;
    const done = s.deployments?.length === 1 && s.deployments[0].rolloutState === 'COMPLETED' && tasks.length === count && tasks.every(healthy);
    return done ? tasks : undefined;
  }, { timeoutMs, everyMs: 250, describe: () => last });
}

/** Waits until the cluster has `count` ACTIVE container instances with connected agents. */
async function untilInstances(ecs: ECSClient, cluster: string, count: number, timeoutMs = 60_000): Promise<ContainerInstance[]> {
  return poll(`${count} connected instances in ${cluster}`, async () => {
    const { containerInstanceArns: arns } = await ecs.send(new ListContainerInstancesCommand({ cluster, status: 'ACTIVE' }));
    if ((arns?.length ?? 0) < count) return undefined;
    const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }));
    const ready = (containerInstances ?? []).filter((i) => i.agentConnected);
    return ready.length >= count ? ready : undefined;
  }, { timeoutMs, everyMs: 200 });
}

/** What an instance has left of a resource. */
const remaining = (i: ContainerInstance, name: 'CPU' | 'MEMORY') => i.remainingResources?.find((r) => r.name === name)?.integerValue ?? 0;

async function createCluster(ecs: ECSClient, name: string): Promise<string> {
  const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: name }));
  const arn = cluster!.clusterArn!;
  started.labels.push(clusterLabel(arn));
  return arn;
}

async function createService(ecs: ECSClient, cluster: string, name: string, taskDefinition: string, desiredCount: number, spreadOverInstances = false): Promise<void> {
  await ecs.send(new CreateServiceCommand({
    cluster, serviceName: name, taskDefinition, desiredCount,
    deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
    ...(spreadOverInstances && { placementStrategy: [{ type: 'spread', field: 'instanceId' }] }),
  }));
  started.services.set(`${cluster}/${name}`, () => ecs.send(new DeleteServiceCommand({ cluster, service: name, force: true })));
}

/** Deletes a service (force) and waits, bounded, until none of its tasks is left running, so the next part runs on a quiet host. */
async function deleteService(ecs: ECSClient, cluster: string, name: string): Promise<void> {
  started.services.delete(`${cluster}/${name}`);
  await ecs.send(new DeleteServiceCommand({ cluster, service: name, force: true }));
  await poll(`service ${name}'s tasks STOPPED`, async () => {
    const arns = [...await listTaskArns(ecs, cluster, name, 'RUNNING'), ...await listTaskArns(ecs, cluster, name, 'STOPPED')];
    return (await describeTasks(ecs, cluster, arns)).every((t) => t.lastStatus === 'STOPPED') ? true : undefined;
  }, { timeoutMs: 60_000, everyMs: 250 });
}

// ---- 1. self-healing ----

interface HealRound { stopped: number; created: number; running: number; healthy: number }

/** `docker run -d` of the web container with the same health check; resolves to [ms to return, container id, epoch ms before]. */
async function dockerRunWeb(): Promise<[number, string, number]> {
  const before = Date.now();
  const t0 = performance.now();
  const id = await docker(
    'run', '-d', '--label', REF_LABEL, '--memory', '32m', '--cpu-shares', '16',
    '--health-cmd', HEALTH.command[1], '--health-interval', `${HEALTH.interval}s`, '--health-timeout', `${HEALTH.timeout}s`,
    '--health-retries', String(HEALTH.retries), TEST_IMAGE, ...HTTPD,
  );
  return [performance.now() - t0, id, before];
}

/** When Docker's first passing health check of container `id` ended (epoch ms), waiting for it (bounded). */
async function firstHealthyAt(id: string): Promise<number> {
  return poll(`container ${id.slice(0, 12)} healthy`, async () => {
    const log = JSON.parse(await docker('inspect', '-f', '{{json .State.Health.Log}}', id)) as Array<{ End: string; ExitCode: number }> | null;
    const ok = log?.find((entry) => entry.ExitCode === 0);
    return ok ? dockerTime(ok.End) : undefined;
  }, { timeoutMs: 30_000, everyMs: 100 });
}

async function selfHealing(ecs: ECSClient, say: (line: string) => void): Promise<void> {
  const cluster = `bench-heal-${RUN}`;
  await createCluster(ecs, cluster);
  await untilInstances(ecs, cluster, 1);
  await ecs.send(new RegisterTaskDefinitionCommand({ family: `bench-heal-${RUN}`, containerDefinitions: [web('1')] }));
  const t0 = Date.now();
  await createService(ecs, cluster, 'web', `bench-heal-${RUN}`, 3);
  await untilServiceHealthy(ecs, cluster, 'web', 3, 120_000);
  const createdMs = Date.now() - t0;

  const rounds: HealRound[] = [];
  const dockerRunMs: number[] = [];
  const dockerHealthyMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const before = await untilServiceHealthy(ecs, cluster, 'web', 3, 60_000);
    const victim = before[i % before.length];
    const containerId = victim.containers![0].runtimeId!;
    const known = new Set(before.map((t) => t.taskArn));
    const called = Date.now();
    await docker('kill', containerId);
    // The moment the container died, by Docker's clock (the same host clock as Wharf's timestamps).
    const killedAt = await poll('the killed container\'s FinishedAt', async () => {
      const at = dockerTime(await docker('inspect', '-f', '{{.State.FinishedAt}}', containerId));
      return Number.isNaN(at) ? undefined : at;
    }, { timeoutMs: 10_000, everyMs: 20 }).catch(() => called);
    let seen = '';
    const [replacement, healthyAt] = await poll(`round ${i + 1}: replacement HEALTHY`, async () => {
      const tasks = await serviceTasks(ecs, cluster, 'web');
      const fresh = tasks.find((t) => !known.has(t.taskArn));
      seen = fresh ? `${fresh.lastStatus}/${fresh.healthStatus}` : `no replacement yet (${tasks.length} tasks)`;
      return fresh && healthy(fresh) ? [fresh, Date.now()] as const : undefined;
    }, { timeoutMs: 60_000, everyMs: POLL_MS, describe: () => seen });
    const [stopped] = await describeTasks(ecs, cluster, [victim.taskArn!]);
    rounds.push({
      stopped: ms(stopped.executionStoppedAt ?? stopped.stoppedAt) - killedAt,
      created: ms(replacement.createdAt) - killedAt,
      running: ms(replacement.startedAt) - killedAt,
      healthy: healthyAt - killedAt,
    });
    progress(`round ${i + 1}/${ROUNDS}: kill → RUNNING ${sec(rounds.at(-1)!.running)}, → HEALTHY ${sec(rounds.at(-1)!.healthy)} (killed task: ${stopped.stopCode}, exit ${stopped.containers?.[0]?.exitCode})`);

    // The reference, alternating with the rounds: a plain `docker run -d` of the same container.
    const [runMs, id, runAt] = await dockerRunWeb();
    dockerRunMs.push(runMs);
    if (i < HEALTHY_REF_ROUNDS) dockerHealthyMs.push((await firstHealthyAt(id)) - runAt);
    await docker('rm', '-f', id);
  }

  const col = (s: string) => s.padEnd(COL);
  say(`1. Self-healing — wharf dev, a service of 3 httpd tasks (cpu 16, memory 32, health check every ${HEALTH.interval} s),`);
  say(`   ${ROUNDS} rounds of \`docker kill\` on one task's essential container (times from the container's death, Docker's FinishedAt):`);
  say(`   ${col('kill → killed task STOPPED (reported by the agent)')}${spread(rounds.map((r) => r.stopped))}`);
  say(`   ${col('kill → replacement task created (createdAt)')}${spread(rounds.map((r) => r.created))}`);
  say(`   ${col('kill → replacement RUNNING (startedAt)')}${spread(rounds.map((r) => r.running))}`);
  say(`   ${col(`kill → replacement HEALTHY (seen by DescribeTasks every ${POLL_MS} ms)`)}${spread(rounds.map((r) => r.healthy))}`);
  say(`   ${col(`reference, same run: docker run -d, same image (${dockerRunMs.length})`)}${spread(dockerRunMs)}`);
  say(`   ${col(`reference, same run: docker run -d → first passing check (${dockerHealthyMs.length})`)}${spread(dockerHealthyMs)}`);
  say(`   (CreateService → 3 tasks HEALTHY: ${sec(createdMs)}; Docker runs a container's first health check one interval after it starts)`);
  await deleteService(ecs, cluster, 'web');
}

// ---- 2. rolling deployment ----

async function rollingDeployment(ecs: ECSClient, say: (line: string) => void): Promise<void> {
  const cluster = `bench-roll-${RUN}`;
  const family = `bench-roll-${RUN}`;
  await createCluster(ecs, cluster);
  const [instance] = await untilInstances(ecs, cluster, 1);
  const need = { cpu: 16 * (2 * ROLLING_TASKS + 1), memory: 32 * (2 * ROLLING_TASKS + 1) };
  const has = { cpu: remaining(instance, 'CPU'), memory: remaining(instance, 'MEMORY') };
  if (has.cpu < need.cpu || has.memory < need.memory) {
    throw new Error(`the dev agent offers ${has.cpu} CPU units / ${has.memory} MiB; ${2 * ROLLING_TASKS} + 1 tasks need ${need.cpu} / ${need.memory}`);
  }
  await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [web('1')] }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [web('2')] }));
  await createService(ecs, cluster, 'web', `${family}:1`, ROLLING_TASKS);
  await untilServiceHealthy(ecs, cluster, 'web', ROLLING_TASKS, 180_000);

  // The reference, measured now (the 10 old tasks running, as during the deployment): RunTask of revision 2 → HEALTHY.
  const runTaskMs: number[] = [];
  for (let i = 0; i < RUNTASK_REF_ROUNDS; i++) {
    const t0 = Date.now();
    const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `${family}:2` }));
    if (!tasks?.length) throw new Error(`RunTask placed nothing: ${JSON.stringify(failures)}`);
    const arn = tasks[0].taskArn!;
    runTaskMs.push(await poll('RunTask → HEALTHY', async () => {
      const [t] = await describeTasks(ecs, cluster, [arn]);
      if (t.lastStatus === 'STOPPED') throw new Error(`reference task stopped: ${t.stoppedReason}`);
      return healthy(t) ? Date.now() - t0 : undefined;
    }, { timeoutMs: 60_000, everyMs: POLL_MS }));
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await poll('reference task STOPPED', async () => ((await describeTasks(ecs, cluster, [arn]))[0].lastStatus === 'STOPPED' ? true : undefined), { timeoutMs: 60_000, everyMs: 200 });
  }

  // UpdateService to revision 2, watched until the deployment is COMPLETED.
  const known = new Map<string, Task>();
  const t0 = Date.now();
  const { service } = await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: `${family}:2` }));
  const newId = service!.deployments!.find((d) => d.status === 'PRIMARY')!.id!;
  const watch = { maxLive: 0, minHealthy: Infinity, maxNewLive: 0, allNewHealthy: NaN, oldGone: NaN, polls: 0 };
  let last = '';
  const completedAt = await poll('deployment COMPLETED', async () => {
    const s = await describeService(ecs, cluster, 'web');
    const listed = [...await listTaskArns(ecs, cluster, 'web', 'RUNNING'), ...await listTaskArns(ecs, cluster, 'web', 'STOPPED')];
    const fresh = listed.filter((arn) => known.get(arn)?.lastStatus !== 'STOPPED');
    for (const t of await describeTasks(ecs, cluster, fresh)) known.set(t.taskArn!, t);
    const now = Date.now();
    const live = [...known.values()].filter((t) => t.lastStatus !== 'STOPPED');
    const mine = live.filter((t) => t.startedBy === newId);
    watch.polls++;
    watch.maxLive = Math.max(watch.maxLive, live.length);
    watch.minHealthy = Math.min(watch.minHealthy, live.filter(healthy).length);
    watch.maxNewLive = Math.max(watch.maxNewLive, mine.length);
    if (Number.isNaN(watch.allNewHealthy) && mine.filter(healthy).length === ROLLING_TASKS) watch.allNewHealthy = now - t0;
    if (Number.isNaN(watch.oldGone) && live.every((t) => t.startedBy === newId)) watch.oldGone = now - t0;
    const primary = s.deployments?.[0];
    last = `deployments ${s.deployments?.map((d) => `${d.status}/${d.rolloutState}/${d.runningCount}`).join(',')}; live ${live.length}, new ${mine.length}`;
    const done = s.deployments?.length === 1 && primary?.id === newId && primary.rolloutState === 'COMPLETED' && primary.runningCount === ROLLING_TASKS;
    return done ? now - t0 : undefined;
  }, { timeoutMs: 180_000, everyMs: Math.max(POLL_MS, 100), describe: () => last });

  // Server-side times of the new tasks: when each was created and reached RUNNING.
  const newTasks = [...known.values()].filter((t) => t.startedBy === newId);
  const created = newTasks.map((t) => ms(t.createdAt) - t0);
  const runningTimes = newTasks.map((t) => ms(t.startedAt) - t0);
  // The launches, as the service's events tell them: one "has started N tasks" per reconcile pass that launched.
  const events = (await describeService(ecs, cluster, 'web')).events ?? [];
  const launches = events.filter((e) => ms(e.createdAt) >= t0).reverse()
    .map((e) => /has started (\d+) tasks/.exec(e.message ?? '')?.[1]).filter((n) => n !== undefined);
  // Most new tasks between created and RUNNING at one instant (by their own timestamps).
  const edges = newTasks.flatMap((t) => [[ms(t.createdAt), 1], [ms(t.startedAt), -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let starting = 0;
  let maxStarting = 0;
  for (const [, d] of edges) maxStarting = Math.max(maxStarting, (starting += d));

  const col = (s: string) => s.padEnd(COL);
  say(`2. Rolling deployment — wharf dev, a service of ${ROLLING_TASKS} httpd tasks (health check every ${HEALTH.interval} s), UpdateService to a new revision,`);
  say(`   minimumHealthyPercent 100, maximumPercent 200 (the host offers ${has.cpu} CPU units, ${has.memory} MiB: room for ${2 * ROLLING_TASKS}+ tasks):`);
  say(`   ${col(`UpdateService → deployment COMPLETED, ${ROLLING_TASKS} RUNNING of the new revision`)}${sec(completedAt)}`);
  say(`   ${col('   of which: first new task created (createdAt)')}${sec(Math.min(...created))}`);
  say(`   ${col('             all new tasks RUNNING (startedAt)')}${sec(Math.max(...runningTimes))}`);
  say(`   ${col('             all new tasks HEALTHY (seen)')}${sec(watch.allNewHealthy)}`);
  say(`   ${col('             all old tasks STOPPED (seen; stopTimeout 2 s)')}${sec(watch.oldGone)}`);
  say(`   ${col(`reference, same run: RunTask of the new revision → HEALTHY (${runTaskMs.length})`)}median ${sec(median(runTaskMs))}   (${runTaskMs.map(sec).join(', ')})`);
  say(`   new tasks started in parallel: ${newTasks.length} launched by ${launches.length} reconcile pass${launches.length === 1 ? '' : 'es'} (${launches.join(' + ')} tasks); at most ${maxStarting} between created and RUNNING at once (timestamps);`);
  say(`     at most ${watch.maxNewLive} new-revision tasks PENDING or RUNNING seen together (${watch.polls} polls)`);
  say(`   bounds seen while rolling: at most ${watch.maxLive} tasks live (maximumPercent 200 → ${2 * ROLLING_TASKS}), at least ${watch.minHealthy} HEALTHY (minimumHealthyPercent 100 → ${ROLLING_TASKS})`);
  await deleteService(ecs, cluster, 'web');
}

// ---- 3. instance loss ----

/** When each step of replacing a lost instance's tasks was reached, ms after the loss. */
interface Replaced { disconnected: number; askedToStop: number; lostState: string; created: number; running: number; allRunning: number }

/**
 * After the instance `victimArn` is lost at `lostAt` (epoch ms), polls until the service has
 * `count` tasks RUNNING again, none of them on that instance, noting when each step was seen.
 */
async function untilReplaced(
  ecs: ECSClient, cluster: string, before: Task[], victimArn: string, lostAt: number, timeoutMs: number,
): Promise<Replaced> {
  const lost = before.filter((t) => t.containerInstanceArn === victimArn).map((t) => t.taskArn!);
  const seen: Replaced = { disconnected: NaN, askedToStop: NaN, lostState: '', created: NaN, running: NaN, allRunning: NaN };
  let last = '';
  return poll(`${before.length} service tasks RUNNING again`, async () => {
    if (Number.isNaN(seen.disconnected)) {
      const { containerInstances: [i] = [] } = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [victimArn] }));
      if (i && !i.agentConnected) seen.disconnected = Date.now() - lostAt;
    }
    const lostTasks = await describeTasks(ecs, cluster, lost);
    if (Number.isNaN(seen.askedToStop) && lostTasks.every((t) => t.desiredStatus === 'STOPPED')) {
      seen.askedToStop = Math.max(...lostTasks.map((t) => ms(t.stoppingAt))) - lostAt;
      seen.lostState = `lastStatus ${[...new Set(lostTasks.map((t) => t.lastStatus))].join('/')}, "${lostTasks[0].stoppedReason}"`;
    }
    const tasks = await serviceTasks(ecs, cluster, 'web');
    const now = Date.now();
    const replacements = tasks.filter((t) => !before.some((b) => b.taskArn === t.taskArn));
    last = `tasks ${tasks.map((t) => t.lastStatus).join(',')}; lost tasks ${lostTasks.map((t) => `${t.lastStatus}/${t.desiredStatus}`).join(',')}`;
    const done = tasks.length === before.length && replacements.length === lost.length
      && tasks.every((t) => t.lastStatus === 'RUNNING' && t.containerInstanceArn !== victimArn);
    if (!done) return undefined;
    seen.created = Math.max(...replacements.map((t) => ms(t.createdAt))) - lostAt;
    seen.running = Math.max(...replacements.map((t) => ms(t.startedAt))) - lostAt;
    seen.allRunning = now - lostAt;
    return seen;
  }, { timeoutMs, everyMs: POLL_MS, describe: () => last });
}

/** What Docker showed once a returning agent had dealt with its tasks that were replaced meanwhile. */
interface Duplicates { ms: number; running: number; onReturned: number; held: [number, number]; exited: number; runningCount: number }

/**
 * After the agent `agentId` came back at `since` (epoch ms): polls until the `lost` tasks are
 * STOPPED and exactly `count` of the cluster's task containers run in Docker, then watches
 * that count for 5 s more.
 */
async function untilDuplicatesStopped(ecs: ECSClient, cluster: string, clusterArn: string, lost: string[], count: number, agentId: string, since: number): Promise<Duplicates> {
  const label = clusterLabel(clusterArn);
  let running: string[] = [];
  const took = await poll('the duplicates stopped', async () => {
    running = await containersLabelled(label);
    const lostTasks = await describeTasks(ecs, cluster, lost);
    return running.length === count && lostTasks.every((t) => t.lastStatus === 'STOPPED') ? Date.now() - since : undefined;
  }, { timeoutMs: 90_000, everyMs: 200, describe: () => `${running.length} running containers` });
  const agents = (await docker('ps', '--filter', `label=${label}`, '--format', '{{.Label "wharf.agent-id"}}')).split('\n').filter(Boolean);
  const held: number[] = [];
  for (let i = 0; i < 10; i++) {
    await sleep(500);
    held.push((await containersLabelled(label)).length);
  }
  const all = await containersLabelled(label, true);
  const { runningCount = NaN } = await describeService(ecs, cluster, 'web');
  return {
    ms: took, running: running.length, onReturned: agents.filter((id) => id === agentId).length,
    held: [Math.min(...held), Math.max(...held)], exited: all.length - running.length, runningCount,
  };
}

async function instanceLoss(say: (line: string) => void): Promise<void> {
  const dir = dataDir();
  const server = track(await spawnWharf(['server', '--port', '0', '--data-dir', dir, '--instance-lost-after', String(LOST_AFTER_S)], /Wharf server ready at http:\/\//));
  const ecs = ecsClient(server.url);
  const cluster = `bench-loss-${RUN}`;
  const clusterArn = await createCluster(ecs, cluster);
  const agentArgs = (n: number) => ['agent', '--server', server.url, '--cluster', cluster, '--cpu', '1024', '--memory', '1024', '--data-dir', join(dir, `agent-${n}`)];
  const startAgent = async (n: number) => track(await spawnWharf(agentArgs(n), /agent .* started/));
  const agents = [await startAgent(1), await startAgent(2)];
  const agentIds = agents.map((a) => /agent (\S+) started/.exec(a.output())?.[1] ?? '');
  await untilInstances(ecs, cluster, 2);
  await ecs.send(new RegisterTaskDefinitionCommand({ family: `bench-loss-${RUN}`, containerDefinitions: [web('1')] }));
  await createService(ecs, cluster, 'web', `bench-loss-${RUN}`, 4, true);

  /** The instance of agent `n` (0 or 1): the one whose task containers carry its agent id. */
  const instanceOf = async (tasks: Task[], n: number) => {
    for (const t of tasks) {
      const id = await docker('inspect', '-f', '{{index .Config.Labels "wharf.agent-id"}}', t.containers![0].runtimeId!);
      if (id === agentIds[n]) return t.containerInstanceArn!;
    }
    throw new Error(`no service task on agent ${agentIds[n]}: ${tasks.map((t) => t.containerInstanceArn).join(', ')}`);
  };
  const onInstance = (tasks: Task[], arn: string) => tasks.filter((t) => t.containerInstanceArn === arn).map((t) => t.taskArn!);

  // kill -9 agent 1: its socket closes; its containers keep running, as on a host whose agent died.
  const before = await untilServiceHealthy(ecs, cluster, 'web', 4, 120_000);
  const split = [...new Set(before.map((t) => t.containerInstanceArn))].map((arn) => onInstance(before, arn!).length);
  const killedArn = await instanceOf(before, 0);
  const killedAt = Date.now();
  await agents[0].kill9();
  const killed = await untilReplaced(ecs, cluster, before, killedArn, killedAt, (LOST_AFTER_S + 90) * 1000);
  // It comes back (same data dir, so the same instance) and finds its two containers still running.
  const restartedAt = Date.now();
  agents[0] = await startAgent(1);
  await untilInstances(ecs, cluster, 2);
  const restarted = await untilDuplicatesStopped(ecs, cluster, clusterArn, onInstance(before, killedArn), 4, agentIds[0], restartedAt);

  // A silent host: agent 2 (now running all 4 tasks) SIGSTOPped, so its socket stays open and only the missed heartbeats tell.
  const before2 = await untilServiceHealthy(ecs, cluster, 'web', 4, 60_000);
  const silentArn = await instanceOf(before2, 1);
  const silencedAt = Date.now();
  process.kill(agents[1].pid, 'SIGSTOP');
  let silent: Replaced;
  try {
    silent = await untilReplaced(ecs, cluster, before2, silentArn, silencedAt, (40 + LOST_AFTER_S + 90) * 1000);
  } finally {
    process.kill(agents[1].pid, 'SIGCONT');
  }
  const resumedAt = Date.now();
  const resumed = await untilDuplicatesStopped(ecs, cluster, clusterArn, onInstance(before2, silentArn), 4, agentIds[1], resumedAt);

  const col = (s: string) => s.padEnd(COL);
  const steps = (what: string, r: Replaced, n: number) => {
    say(`   ${col(`${what} → all 4 service tasks RUNNING again (seen)`)}${sec(r.allRunning)}`);
    say(`   ${col(`   ${what} → instance agentConnected false (seen)`)}${sec(r.disconnected)}`);
    say(`   ${col(`   ${what} → its ${n} tasks asked to stop (stoppingAt)`)}${sec(r.askedToStop)}   (${r.lostState})`);
    say(`   ${col(`   ${what} → replacements created (createdAt)`)}${sec(r.created)}`);
    say(`   ${col(`   ${what} → replacements RUNNING on the other instance (startedAt)`)}${sec(r.running)}`);
  };
  const back = (what: string, d: Duplicates, n: number) => {
    say(`   ${what} → its ${n} duplicates STOPPED: ${sec(d.ms)}; running service containers in Docker: ${d.running} (${d.onReturned} on its host),`);
    say(`     ${d.held[0]}–${d.held[1]} over the next 5 s; DescribeServices runningCount ${d.runningCount}; ${d.exited} exited containers kept for cleanup`);
  };
  say(`3. Instance loss — wharf server --instance-lost-after ${LOST_AFTER_S}, two \`wharf agent\` processes on real Docker (cpu 1024, memory 1024 each),`);
  say(`   a service of 4 httpd tasks spread over instanceId (${split.join(' + ')}).`);
  say(`   kill -9 of one agent (its socket closes; its ${onInstance(before, killedArn).length} containers keep running):`);
  steps('kill', killed, onInstance(before, killedArn).length);
  back('killed agent restarted', restarted, onInstance(before, killedArn).length);
  say(`   silent host: the other agent SIGSTOPped (socket open, no heartbeats; all ${onInstance(before2, silentArn).length} tasks on it by then):`);
  steps('silence', silent, onInstance(before2, silentArn).length);
  back('SIGCONT', resumed, onInstance(before2, silentArn).length);
  say(`   defaults: --instance-lost-after 30 s, counted from the link's close: at once when the socket closes; for a silent host once`);
  say(`     30 s have passed since its last 10 s heartbeat (links checked every 10 s), 20–40 s after it went silent: replaced ≈ 50–70 s later.`);
  say(`   references: ECS retries failing tasks with backoff up to 15 minutes; Kubernetes marks a node unhealthy after`);
  say(`     about 40–50 s and evicts after a further 300 s by default.`);
}

// ---- main ----

async function main(): Promise<void> {
  const say = (line: string) => console.log(line);
  started.labels.push(REF_LABEL);
  const dockerVersion = await docker('version', '--format', '{{.Server.Version}}');
  say(`Services on real containers: ${cpus().length} cores, Docker ${dockerVersion}, ${TEST_IMAGE}; one run, figures beside references measured in it`);
  say('');
  const dev = track(await spawnWharf(['dev', '--port', '0', '--data-dir', dataDir()], /Wharf ready at http:\/\//));
  const ecs = ecsClient(dev.url);
  progress('self-healing');
  await selfHealing(ecs, say);
  say('');
  progress('rolling deployment');
  await rollingDeployment(ecs, say);
  await dev.stop();
  say('');
  progress('instance loss');
  await instanceLoss(say);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanUp();
  });
