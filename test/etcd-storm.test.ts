/**
 * A RunTask storm while replicas are killed: three `wharf server` replicas on a three-member
 * etcd, 12 simulated agents that know every replica, and clients sending RunTask to every
 * replica while two of them are killed with SIGKILL (and started again) in turn. Afterwards,
 * every acknowledged task exists exactly once, every task has exactly one container on the
 * instance it was placed on, and no container runs without a task. Agents linked through a
 * replica that dies are marked disconnected by the leader.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, DescribeContainerInstancesCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type Task,
} from '@aws-sdk/client-ecs';
import { startFleet, type Fleet } from '../src/agent/fleet.testing.ts';
import { EtcdCluster, freePort } from '../src/state/index.ts';
import { credentials, ecsClient, spawnWharf, tempDir, type WharfProcess } from './support/wharf.ts';

const CLUSTER = 'storm';
const AGENTS = 12;
let etcd: EtcdCluster;
const replicas: WharfProcess[] = [];
const ports: number[] = [];
let fleet: Fleet;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startReplica(i: number): Promise<WharfProcess> {
  return spawnWharf(
    ['server', '--port', String(ports[i]), '--data-dir', tempDir(), '--store', etcd.storeUrl, '--replica', `s${i + 1}`],
    /Wharf server ready at http:\/\//,
  );
}

before(async () => {
  etcd = await EtcdCluster.start({ members: 3, dir: tempDir('wharf-etcd-') });
  for (let i = 0; i < 3; i++) ports.push(await freePort());
  for (let i = 0; i < 3; i++) replicas.push(await startReplica(i));
  const ecs = ecsClient(replicas[0].url);
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'storm', containerDefinitions: [{ name: 'main', image: 'wharf-test/busybox:latest', memory: 16, command: ['sleep', '3600'] }],
  }));
  fleet = await startFleet({
    serverUrl: replicas.map((r) => r.url), credentials, cluster: CLUSTER, count: AGENTS, sizes: () => ({ cpu: 8192, memory: 8192 }),
  });
});
after(async () => {
  await fleet?.stop();
  for (const r of replicas) await r.stop();
  await etcd?.stop();
});

describe('a RunTask storm while replicas are killed', () => {
  it('every acknowledged task exists exactly once, with exactly one container; no container without a task', { timeout: 240_000 }, async () => {
    const acknowledged: string[] = [];
    let refused = 0;
    let stop = false;
    // Four clients, one per replica in turn, each RunTask with count 2; a refusal (the replica died) is retried elsewhere.
    const clients = Array.from({ length: 4 }, async (_, c) => {
      for (let n = c; !stop; n++) {
        const replica = replicas[n % replicas.length];
        try {
          const { tasks, failures } = await ecsClient(replica.url).send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'storm', count: 2 }));
          assert.deepEqual(failures, []);
          acknowledged.push(...tasks!.map((t) => t.taskArn!));
        } catch (error) {
          if (error instanceof assert.AssertionError) throw error;
          refused++;
          await sleep(50);
        }
      }
    });
    for (const victim of [0, 1]) {
      await sleep(1500);
      await replicas[victim].kill9();
      await sleep(1500);
      replicas[victim] = await startReplica(victim);
    }
    await sleep(1000);
    stop = true;
    await Promise.all(clients);
    assert.ok(acknowledged.length > 50, `a storm, not a drizzle (${acknowledged.length} acknowledged, ${refused} refused)`);

    const ecs = ecsClient(replicas[2].url);
    const listed: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, nextToken, maxResults: 100 }));
      listed.push(...page.taskArns!);
      nextToken = page.nextToken;
    } while (nextToken);
    assert.equal(new Set(acknowledged).size, acknowledged.length, 'no task acknowledged twice');
    const listedSet = new Set(listed);
    assert.deepEqual(acknowledged.filter((arn) => !listedSet.has(arn)), [], 'every acknowledged task exists');

    // Every task RUNNING on its instance with one container; every container is some task's.
    const described: Task[] = [];
    for (let i = 0; i < listed.length; i += 100) {
      for (;;) {
        const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: listed.slice(i, i + 100) }));
        if (tasks!.every((t) => t.lastStatus === 'RUNNING')) {
          described.push(...tasks!);
          break;
        }
        await sleep(200);
      }
    }
    const agentByInstance = new Map(fleet.agents.map((a) => [a.containerInstanceArn, a]));
    const containers = (await Promise.all(fleet.agents.map(async (a) => (await a.runtime.listContainers({}))
      .filter((c) => c.state === 'running')
      .map((c) => ({ instance: a.containerInstanceArn, task: c.labels['com.amazonaws.ecs.task-arn'] }))))).flat();
    const perTask = new Map<string, string[]>();
    for (const c of containers) perTask.set(c.task, [...(perTask.get(c.task) ?? []), c.instance]);
    assert.deepEqual([...perTask.keys()].filter((arn) => !listedSet.has(arn)), [], 'no container without a task');
    for (const t of described) {
      assert.deepEqual(perTask.get(t.taskArn!), [t.containerInstanceArn], `task ${t.taskArn} has one container, on its instance`);
      assert.ok(agentByInstance.has(t.containerInstanceArn!));
    }
  });

  it('agents linked through a replica that dies are marked disconnected by the leader (the replica never said so)', { timeout: 60_000 }, async () => {
    const victim = replicas[2];
    const stranded = await startFleet({ serverUrl: victim.url, credentials, cluster: CLUSTER, count: 2, idPrefix: 'stranded' });
    try {
      const survivor = ecsClient(replicas[0].url);
      const connected = async () => {
        const { containerInstances } = await survivor.send(new DescribeContainerInstancesCommand({
          cluster: CLUSTER, containerInstances: stranded.agents.map((a) => a.containerInstanceArn),
        }));
        return containerInstances!.map((ci) => ci.agentConnected);
      };
      assert.deepEqual(await connected(), [true, true]);
      await victim.kill9();
      // Its presence lease lapses (3 s), then the leader's sweep (every 2 s) marks its agents' instances.
      for (let i = 0; ; i++) {
        if ((await connected()).every((c) => c === false)) break;
        assert.ok(i < 300, 'the stranded instances never showed as disconnected');
        await sleep(100);
      }
      replicas[2] = await startReplica(2);
    } finally {
      await stranded.stop();
    }
  });
});
