/**
 * Services survive crashes, with real processes and real containers: `wharf server` and
 * `wharf agent` run as separate processes on the local Docker and are killed with SIGKILL.
 *
 *  - the control plane dies mid-deployment (at three different moments) and comes back on the
 *    same data dir and port: the agent reconnects by itself and the deployment finishes with
 *    exactly the desired tasks, all of the new revision, and exactly that many containers;
 *  - an agent dies: after --instance-lost-after its service tasks are replaced on the other
 *    agent; restarted, it re-adopts its old containers, is told they are STOPPED and stops
 *    them, so no duplicate outlives the crash;
 *  - an instance is drained: its service tasks are replaced on the other instance before they
 *    are stopped, never leaving fewer than minimumHealthyPercent running.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, UpdateContainerInstancesStateCommand, UpdateServiceCommand,
  type ECSClient, type Task,
} from '@aws-sdk/client-ecs';
import { ec2InstanceId } from '../src/agent/index.ts';
import {
  agentDir, agentIdOf, describeInstances, instanceOfAgent, portOf, revisionOf, runningContainers, sleep, startAgentProcess, startServer,
  summary, uniqueName, until, viewService, type ServiceView,
} from './support/crash-services.ts';
import { TEST_IMAGE, docker } from './support/docker.ts';
import { cleanedUpAfter, ecsClient, tempDir, type WharfProcess } from './support/wharf.ts';

const started = cleanedUpAfter();
const keep = <T extends WharfProcess>(p: T): T => {
  started.processes.push(p);
  return p;
};

/** Registers revision `n` of an httpd family (each revision differs by an environment variable). */
async function registerHttpd(ecs: ECSClient, family: string, n: number): Promise<void> {
  const { taskDefinition } = await ecs.send(new RegisterTaskDefinitionCommand({
    family,
    containerDefinitions: [{
      name: 'web', image: TEST_IMAGE, memory: 16, stopTimeout: 2, command: ['httpd', '-f', '-p', '8080'],
      portMappings: [{ containerPort: 8080 }], environment: [{ name: 'REVISION', value: String(n) }],
    }],
  }));
  assert.equal(taskDefinition?.revision, n);
}

async function createCluster(ecs: ECSClient, prefix: string): Promise<{ name: string; arn: string }> {
  const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: uniqueName(prefix) }));
  started.clusterArns.push(cluster!.clusterArn!);
  return { name: cluster!.clusterName!, arn: cluster!.clusterArn! };
}

/**
 * Whether a REPLICA service has settled on `count` tasks of `revision`: one deployment,
 * COMPLETED; exactly `count` tasks wanted, all RUNNING and of that revision; none still
 * stopping; and in Docker exactly their containers running in the cluster, one each.
 */
function settled(v: ServiceView, clusterArn: string, count: number, revision: number): boolean {
  const containers = runningContainers(clusterArn);
  const d = v.service.deployments ?? [];
  return d.length === 1 && d[0].rolloutState === 'COMPLETED' && revisionOf(d[0].taskDefinition) === revision &&
    v.service.runningCount === count && v.service.pendingCount === 0 &&
    v.wanted.length === count && v.wanted.every((t) => t.lastStatus === 'RUNNING' && revisionOf(t.taskDefinitionArn) === revision) &&
    v.stopping.length === 0 &&
    containers.length === count && sameSet(containers.map((c) => c.taskArn), v.wanted.map((t) => t.taskArn!));
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** Waits until the service has settled (see `settled`), then checks that it stays so: no late duplicate appears. */
async function waitSettled(ecs: ECSClient, cluster: { name: string; arn: string }, service: string, count: number, revision: number): Promise<ServiceView> {
  const describe = async () => summary(await viewService(ecs, cluster.name, service), runningContainers(cluster.arn));
  await until(`${service} to settle on ${count} tasks of revision ${revision}`, async () =>
    settled(await viewService(ecs, cluster.name, service), cluster.arn, count, revision), { describe });
  await sleep(2000);
  const v = await viewService(ecs, cluster.name, service);
  assert.ok(settled(v, cluster.arn, count, revision), `still settled a moment later: ${JSON.stringify(summary(v, runningContainers(cluster.arn)), null, 1)}`);
  const counts = runningContainers(cluster.arn).map((c) => c.revision);
  assert.deepEqual(counts, counts.map(() => revision), 'every running container is of the new revision');
  return v;
}

const byInstance = (tasks: Task[]) => {
  const out = new Map<string, number>();
  for (const t of tasks) out.set(t.containerInstanceArn!, (out.get(t.containerInstanceArn!) ?? 0) + 1);
  return out;
};

describe('service crash-safety with real processes', () => {
  it('kill -9 of the control plane mid-deployment, at three moments: the deployment finishes exactly', async () => {
    const dir = tempDir();
    let server = keep(await startServer(dir, ['--instance-lost-after', '5']));
    const port = portOf(server);
    const ecs = ecsClient(server.url); // the restarted server listens on the same URL
    const cluster = await createCluster(ecs, 'plane-crash');
    const agent = keep(await startAgentProcess(server.url, cluster.name, agentDir(dir, 'a')));
    const instance = await instanceOfAgent(ecs, cluster.name, ec2InstanceId(agentIdOf(agent)));
    for (const n of [1, 2, 3, 4]) await registerHttpd(ecs, 'crash-web', n);

    await ecs.send(new CreateServiceCommand({
      cluster: cluster.name, serviceName: 'web', taskDefinition: 'crash-web:1', desiredCount: 4,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
    }));
    await waitSettled(ecs, cluster, 'web', 4, 1);

    // When to pull the plug, each on a fresh deployment; `ready` sees the service as it is.
    const moments: Array<{ name: string; ready: (v: ServiceView, revision: number) => boolean }> = [
      { name: 'right after UpdateService returns', ready: () => true },
      {
        name: 'first replacements RUNNING, old tasks being stopped',
        ready: (v, r) => v.wanted.some((t) => revisionOf(t.taskDefinitionArn) === r && t.lastStatus === 'RUNNING') &&
          v.stopping.some((t) => revisionOf(t.taskDefinitionArn) === r - 1),
      },
      {
        // minimumHealthyPercent 100: the last old tasks are stopped only once every replacement runs.
        name: 'every replacement RUNNING, the last old tasks being stopped',
        ready: (v, r) => v.wanted.length === 4 && v.wanted.every((t) => revisionOf(t.taskDefinitionArn) === r && t.lastStatus === 'RUNNING') &&
          v.stopping.some((t) => revisionOf(t.taskDefinitionArn) === r - 1),
      },
    ];
    let revision = 1;
    for (const moment of moments) {
      revision++;
      await ecs.send(new UpdateServiceCommand({ cluster: cluster.name, service: 'web', taskDefinition: `crash-web:${revision}` }));
      const atKill = await until(`the moment "${moment.name}"`, async () => {
        const v = await viewService(ecs, cluster.name, 'web');
        return moment.ready(v, revision) && v;
      }, { intervalMs: 20, attempts: 3000, describe: async () => summary(await viewService(ecs, cluster.name, 'web')) });
      await server.kill9();
      const seen = summary(atKill);
      assert.equal(atKill.service.deployments?.length, 2, `the deployment was in progress when the server died (${moment.name}): ${JSON.stringify(seen)}`);

      // Containers outlive the control plane: every replacement that ran is still running.
      const runningIds = new Set(runningContainers(cluster.arn).map((c) => c.taskArn));
      for (const t of atKill.wanted.filter((x) => revisionOf(x.taskDefinitionArn) === revision && x.lastStatus === 'RUNNING')) {
        assert.ok(runningIds.has(t.taskArn!), `the container of ${t.taskArn} outlives the control plane (${moment.name})`);
      }

      server = keep(await startServer(dir, ['--instance-lost-after', '5'], port));
      assert.equal(portOf(server), port);
      await waitSettled(ecs, cluster, 'web', 4, revision).catch((error: unknown) => {
        throw new Error(`${moment.name}: ${error instanceof Error ? error.message : String(error)}\nat kill: ${JSON.stringify(seen, null, 1)}`);
      });
      const [again] = (await describeInstances(ecs, cluster.name)).filter((i) => i.containerInstanceArn === instance.containerInstanceArn);
      assert.equal(again.agentConnected, true, 'the agent came back by itself');
    }
  });

  it('kill -9 of an agent: its service tasks are replaced elsewhere; restarted, it stops its duplicates', async () => {
    const dir = tempDir();
    const server = keep(await startServer(dir, ['--instance-lost-after', '3']));
    const ecs = ecsClient(server.url);
    const cluster = await createCluster(ecs, 'agent-loss');
    const agentFlags = ['--cpu', '1024', '--memory', '1024'];
    let agentA = keep(await startAgentProcess(server.url, cluster.name, agentDir(dir, 'a'), agentFlags));
    const agentB = keep(await startAgentProcess(server.url, cluster.name, agentDir(dir, 'b'), agentFlags));
    const [idA, idB] = [agentIdOf(agentA), agentIdOf(agentB)];
    const ec2A = ec2InstanceId(idA);
    const instanceA = (await instanceOfAgent(ecs, cluster.name, ec2A)).containerInstanceArn!;
    const instanceB = (await instanceOfAgent(ecs, cluster.name, ec2InstanceId(idB))).containerInstanceArn!;
    await registerHttpd(ecs, 'loss-web', 1);
    await ecs.send(new CreateServiceCommand({
      cluster: cluster.name, serviceName: 'web', taskDefinition: 'loss-web', desiredCount: 4,
      placementStrategy: [{ type: 'spread', field: 'instanceId' }],
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
    }));
    const before = await waitSettled(ecs, cluster, 'web', 4, 1);
    assert.deepEqual(Object.fromEntries(byInstance(before.wanted)), { [instanceA]: 2, [instanceB]: 2 }, 'spread over instanceId: two on each');
    const onA = before.wanted.filter((t) => t.containerInstanceArn === instanceA).map((t) => t.taskArn!).sort();
    const containersOfA = runningContainers(cluster.arn).filter((c) => c.agentId === idA).map((c) => c.id).sort();
    assert.equal(containersOfA.length, 2);

    await agentA.kill9();
    await until('instance A to show agentConnected false', async () =>
      (await describeInstances(ecs, cluster.name)).find((i) => i.containerInstanceArn === instanceA)?.agentConnected === false);

    // After --instance-lost-after, A's tasks are asked to stop and replaced on B.
    const describe = async () => summary(await viewService(ecs, cluster.name, 'web'), runningContainers(cluster.arn));
    const replaced = await until('A\'s tasks to be replaced on B', async () => {
      const v = await viewService(ecs, cluster.name, 'web');
      // The service's runningCount follows its tasks' states (eventually, as in ECS): wait for both.
      return v.wanted.length === 4 && v.wanted.every((t) => t.containerInstanceArn === instanceB && t.lastStatus === 'RUNNING')
        && v.service.runningCount === 4 && v;
    }, { describe });
    // A is dead: its tasks cannot be stopped yet. They are asked to stop, with ECS's reason.
    assert.deepEqual(replaced.stopping.map((t) => t.taskArn).sort(), onA);
    for (const t of replaced.stopping) {
      assert.equal(t.desiredStatus, 'STOPPED');
      assert.equal(t.lastStatus, 'RUNNING', 'nobody could stop it yet');
      assert.equal(t.stopCode, 'ServiceSchedulerInitiated');
      assert.equal(t.stoppedReason, `Container instance ${ec2A} lost contact with its agent`);
    }
    assert.ok(replaced.service.events?.some((e) => e.message?.includes(`(instance ${ec2A}) lost contact with its agent; replacing 2 tasks`)));
    // The duplicates: A's containers keep running in Docker while their agent is dead.
    const during = runningContainers(cluster.arn);
    assert.equal(during.length, 6, 'four on B, and A\'s two orphans');
    assert.deepEqual(during.filter((c) => c.agentId === idA).map((c) => c.id).sort(), containersOfA);

    // A comes back with its data dir: it re-adopts its two containers, learns they are STOPPED and stops them.
    agentA = keep(await startAgentProcess(server.url, cluster.name, agentDir(dir, 'a'), agentFlags));
    assert.equal(agentIdOf(agentA), idA, 'the same agent');
    await until('A\'s old tasks to stop', async () => {
      const v = await viewService(ecs, cluster.name, 'web');
      return v.stopping.length === 0 && runningContainers(cluster.arn).every((c) => c.agentId === idB);
    }, { describe });
    const after = await waitSettled(ecs, cluster, 'web', 4, 1);
    assert.equal(after.service.runningCount, 4);
    assert.deepEqual(Object.fromEntries(byInstance(after.wanted)), { [instanceB]: 4 });
    for (const id of containersOfA) assert.equal(docker('inspect', '-f', '{{.State.Running}}', id), 'false', 'the re-adopted container was stopped, not replaced');
    // A's old tasks ended as the scheduler asked: stopped, for the reason it gave when the instance was lost.
    const { tasks: old } = await ecs.send(new DescribeTasksCommand({ cluster: cluster.name, tasks: onA }));
    for (const t of old!) {
      assert.deepEqual([t.lastStatus, t.desiredStatus, t.stopCode, t.stoppedReason],
        ['STOPPED', 'STOPPED', 'ServiceSchedulerInitiated', `Container instance ${ec2A} lost contact with its agent`]);
      assert.deepEqual(t.containers!.map((c) => c.runtimeId).filter((id) => containersOfA.includes(id!)).length, 1, 'its own container, re-adopted');
    }
    const instances = await describeInstances(ecs, cluster.name);
    assert.equal(instances.find((i) => i.containerInstanceArn === instanceA)?.agentConnected, true);
    assert.equal(instances.find((i) => i.containerInstanceArn === instanceA)?.runningTasksCount, 0);
  });

  it('DRAINING an instance replaces its service tasks on another before stopping them, never below minimumHealthyPercent', async () => {
    const dir = tempDir();
    const server = keep(await startServer(dir));
    const ecs = ecsClient(server.url);
    const cluster = await createCluster(ecs, 'drain');
    const agentA = keep(await startAgentProcess(server.url, cluster.name, agentDir(dir, 'a')));
    const idA = agentIdOf(agentA);
    const instanceA = (await instanceOfAgent(ecs, cluster.name, ec2InstanceId(idA))).containerInstanceArn!;
    await registerHttpd(ecs, 'drain-web', 1);
    await ecs.send(new CreateServiceCommand({
      cluster: cluster.name, serviceName: 'web', taskDefinition: 'drain-web', desiredCount: 2,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
    }));
    const before = await waitSettled(ecs, cluster, 'web', 2, 1);
    assert.deepEqual(Object.fromEntries(byInstance(before.wanted)), { [instanceA]: 2 }, 'A is the only instance so far');

    // B joins; then A drains.
    const agentB = keep(await startAgentProcess(server.url, cluster.name, agentDir(dir, 'b')));
    const idB = agentIdOf(agentB);
    const instanceB = (await instanceOfAgent(ecs, cluster.name, ec2InstanceId(idB))).containerInstanceArn!;
    const { containerInstances, failures } = await ecs.send(new UpdateContainerInstancesStateCommand({
      cluster: cluster.name, containerInstances: [instanceA], status: 'DRAINING',
    }));
    assert.deepEqual(failures, []);
    assert.equal(containerInstances?.[0]?.status, 'DRAINING');

    // Sample until done: at every sample at least 2 tasks RUNNING (desiredStatus RUNNING) and 2 containers running.
    let samples = 0;
    const describe = async () => summary(await viewService(ecs, cluster.name, 'web'), runningContainers(cluster.arn));
    await until('A\'s tasks to be replaced on B', async () => {
      const v = await viewService(ecs, cluster.name, 'web');
      const containers = runningContainers(cluster.arn);
      samples++;
      assert.ok(v.service.runningCount! >= 2, `runningCount never below 2: ${JSON.stringify(summary(v, containers))}`);
      assert.ok(containers.length >= 2, `never fewer than 2 containers running: ${JSON.stringify(summary(v, containers))}`);
      assert.ok(v.wanted.length + v.stopping.length <= 4, 'never above maximumPercent');
      return v.wanted.length === 2 && v.wanted.every((t) => t.containerInstanceArn === instanceB && t.lastStatus === 'RUNNING') &&
        v.stopping.length === 0 && containers.every((c) => c.agentId === idB);
    }, { intervalMs: 50, attempts: 2400, describe });
    assert.ok(samples > 1);
    const after = await waitSettled(ecs, cluster, 'web', 2, 1);
    assert.deepEqual(Object.fromEntries(byInstance(after.wanted)), { [instanceB]: 2 });
    // Replaced before stopped: when the k-th old task was asked to stop, k replacements were RUNNING already
    // (2 old + 2 new - k stopping never leaves fewer than 2 healthy).
    const { tasks: old } = await ecs.send(new DescribeTasksCommand({ cluster: cluster.name, tasks: before.wanted.map((t) => t.taskArn!) }));
    const replacementsUp = after.wanted.map((t) => t.startedAt!.getTime());
    [...old!].sort((x, y) => x.stoppingAt!.getTime() - y.stoppingAt!.getTime()).forEach((t, k) => {
      assert.equal(t.lastStatus, 'STOPPED');
      assert.equal(t.stopCode, 'ServiceSchedulerInitiated');
      const up = replacementsUp.filter((at) => at <= t.stoppingAt!.getTime()).length;
      assert.ok(up >= k + 1, `old task ${k + 1} was asked to stop with ${up} replacement(s) RUNNING`);
    });
    const a = (await describeInstances(ecs, cluster.name)).find((i) => i.containerInstanceArn === instanceA)!;
    assert.equal(a.status, 'DRAINING');
    assert.equal(a.runningTasksCount, 0);
    assert.equal(a.pendingTasksCount, 0);
    assert.equal(runningContainers(cluster.arn).filter((c) => c.agentId === idA).length, 0, 'A runs no service container');
  });
});
