/**
 * Container health checks end to end, through @aws-sdk/client-ecs against a real `wharf dev`
 * and real Docker: the healthCheck of a container definition runs as Docker's own check, the
 * containers' and the task's healthStatus in DescribeTasks follow it (the task's by ECS's rule
 * over essential containers), and an unhealthy standalone task keeps running.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand,
  waitUntilTasksStopped, type ContainerDefinition, type ECSClient, type Task,
} from '@aws-sdk/client-ecs';
import { TEST_IMAGE, docker } from './support/docker.ts';
import { cleanedUpAfter, ecsClient, startDev } from './support/wharf.ts';

const started = cleanedUpAfter();
let ecs: ECSClient;
let cluster: string;

before(async () => {
  const wharf = await startDev();
  started.processes.push(wharf);
  ecs = ecsClient(wharf.url);
  const { cluster: c } = await ecs.send(new CreateClusterCommand({ clusterName: `health-${Date.now()}` }));
  started.clusterArns.push(c!.clusterArn!);
  cluster = c!.clusterName!;
});

/** A container that runs until stopped, with `check` as its health check command (ECS's smallest interval). */
const container = (name: string, check: string[] | undefined, essential = true): ContainerDefinition => ({
  name, image: TEST_IMAGE, memory: 32, essential, stopTimeout: 2, command: ['sleep', '1000'],
  ...(check && { healthCheck: { command: check, interval: 5, timeout: 2, retries: 1 } }),
});
const PASSES = ['CMD-SHELL', 'exit 0'];
const FAILS = ['CMD-SHELL', 'exit 1'];

async function run(family: string, containerDefinitions: ContainerDefinition[]): Promise<Task> {
  await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions }));
  const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }));
  assert.deepEqual(failures, []);
  return tasks![0]!;
}

async function describeTask(taskArn: string): Promise<Task> {
  const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
  return tasks![0]!;
}

/** Polls DescribeTasks until `test` passes; fails with the last task seen. */
async function until(taskArn: string, what: string, test: (t: Task) => boolean, ms = 60_000): Promise<Task> {
  const deadline = Date.now() + ms;
  for (;;) {
    const t = await describeTask(taskArn);
    if (test(t)) return t;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify({ lastStatus: t.lastStatus, healthStatus: t.healthStatus, containers: t.containers?.map((c) => [c.name, c.lastStatus, c.healthStatus]) })}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const healthByName = (t: Task) => Object.fromEntries((t.containers ?? []).map((c) => [c.name, c.healthStatus]));

describe('container health checks', () => {
  it('reports HEALTHY and UNHEALTHY tasks by their essential containers, and leaves the unhealthy one RUNNING', async () => {
    // ok: its essential check passes; the failing check is on a non-essential container, which does not count.
    const ok = await run('health-ok', [container('web', PASSES), container('probe', FAILS, false), container('plain', undefined)]);
    // bad: an essential container fails its check.
    const bad = await run('health-bad', [container('web', PASSES), container('db', FAILS)]);
    assert.equal(ok.healthStatus, 'UNKNOWN', 'nothing is known at RunTask');
    assert.deepEqual(healthByName(ok), { web: 'UNKNOWN', probe: 'UNKNOWN', plain: 'UNKNOWN' });

    const okTask = await until(ok.taskArn!, 'health-ok HEALTHY', (t) => t.healthStatus === 'HEALTHY');
    assert.equal(okTask.lastStatus, 'RUNNING');
    const okHealth = await until(ok.taskArn!, 'probe UNHEALTHY', (t) => healthByName(t).probe === 'UNHEALTHY');
    assert.deepEqual(healthByName(okHealth), { web: 'HEALTHY', probe: 'UNHEALTHY', plain: 'UNKNOWN' });
    assert.equal(okHealth.healthStatus, 'HEALTHY', 'a non-essential container does not make the task unhealthy');
    const webId = okHealth.containers!.find((c) => c.name === 'web')!.runtimeId!;
    assert.equal(docker('inspect', '-f', '{{.State.Health.Status}}', webId), 'healthy', 'Docker ran the check');

    const badTask = await until(bad.taskArn!, 'health-bad UNHEALTHY', (t) => t.healthStatus === 'UNHEALTHY');
    assert.equal(badTask.lastStatus, 'RUNNING');
    const badHealth = await until(bad.taskArn!, 'web HEALTHY in health-bad', (t) => healthByName(t).web === 'HEALTHY');
    assert.deepEqual(healthByName(badHealth), { web: 'HEALTHY', db: 'UNHEALTHY' });
    assert.equal(badHealth.healthStatus, 'UNHEALTHY');

    // A standalone task is not stopped for being unhealthy: several more checks later it still runs.
    await new Promise((r) => setTimeout(r, 6000));
    const still = await describeTask(bad.taskArn!);
    assert.equal(still.lastStatus, 'RUNNING');
    assert.equal(still.desiredStatus, 'RUNNING');
    assert.equal(still.healthStatus, 'UNHEALTHY');

    await ecs.send(new StopTaskCommand({ cluster, task: bad.taskArn!, reason: 'test done' }));
    await waitUntilTasksStopped({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { cluster, tasks: [bad.taskArn!] });
    const stopped = await describeTask(bad.taskArn!);
    assert.equal(stopped.stopCode, 'UserInitiated');
    assert.equal(stopped.healthStatus, 'UNHEALTHY', 'a STOPPED task keeps the health it last had');
  });
});
