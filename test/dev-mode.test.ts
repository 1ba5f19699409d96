/**
 * The `wharf dev` contract: the ready line, health, reset, a clear message without Docker,
 * and a clean SIGTERM that leaves task containers running for the next start to re-adopt.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  CreateClusterCommand, DeleteClusterCommand, DescribeTasksCommand, ListClustersCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand,
  waitUntilTasksRunning,
} from '@aws-sdk/client-ecs';
import { cleanedUpAfter, ecsClient, startDev, tempDir } from './support/wharf.ts';
import { TEST_IMAGE, containersOfCluster, docker } from './support/docker.ts';

const { processes: running, clusterArns } = cleanedUpAfter();

const root = new URL('..', import.meta.url).pathname;

async function runSleeper(url: string, cluster: string): Promise<{ taskArn: string; runtimeId: string; clusterArn: string }> {
  const ecs = ecsClient(url);
  const created = await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  clusterArns.push(created.cluster!.clusterArn!);
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'sleeper', containerDefinitions: [{ name: 'main', image: TEST_IMAGE, memory: 16, command: ['sleep', '3600'], stopTimeout: 2 }],
  }));
  const { tasks } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'sleeper' }));
  const taskArn = tasks![0].taskArn!;
  await waitUntilTasksRunning({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { cluster, tasks: [taskArn] });
  const { tasks: seen } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
  return { taskArn, runtimeId: seen![0].containers![0].runtimeId!, clusterArn: created.cluster!.clusterArn! };
}

describe('wharf dev', () => {
  it('prints the ready line with its URL and answers health checks', async () => {
    const dev = await startDev();
    running.push(dev);
    assert.match(dev.output(), /Wharf ready at http:\/\/127\.0\.0\.1:\d+/);
    const res = await fetch(`${dev.url}/_wharf/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('attaches its local instance to every cluster, again after a cluster is deleted and re-created', async () => {
    const dev = await startDev();
    running.push(dev);
    const ecs = ecsClient(dev.url);
    const instancesOf = async (cluster: string) => {
      for (let i = 0; i < 100; i++) {
        const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster }));
        if (containerInstanceArns?.length) return containerInstanceArns;
        await new Promise((r) => setTimeout(r, 50));
      }
      return [];
    };
    await ecs.send(new CreateClusterCommand({ clusterName: 'again' }));
    const first = await instancesOf('again');
    assert.equal(first.length, 1);
    const deleted = await ecs.send(new DeleteClusterCommand({ cluster: 'again' }));
    assert.equal(deleted.cluster?.status, 'INACTIVE', 'the dev instance does not block deletion');
    await ecs.send(new CreateClusterCommand({ clusterName: 'again' }));
    const second = await instancesOf('again');
    assert.equal(second.length, 1);
    assert.notEqual(second[0], first[0], 'a new registration in the new cluster');
  });

  it('says clearly when Docker Engine is not reachable', () => {
    const result = spawnSync(process.execPath, ['bin/wharf.js', 'dev', '--port', '0', '--data-dir', tempDir()], {
      cwd: root, encoding: 'utf8', env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, timeout: 60_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /Docker Engine is not reachable/);
    assert.match(result.stderr, /scripts\/install-docker\.sh/);
  });

  it('reset wipes all state and stops the tasks that ran', async () => {
    const dev = await startDev();
    running.push(dev);
    const { runtimeId } = await runSleeper(dev.url, 'to-reset');
    const res = await fetch(`${dev.url}/_wharf/reset`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 200);
    const { clusterArns: left } = await ecsClient(dev.url).send(new ListClustersCommand({}));
    assert.ok(!left?.some((arn) => arn.endsWith('/to-reset')), 'the cluster is gone');
    for (let i = 0; i < 200 && docker('inspect', '-f', '{{.State.Running}}', runtimeId) === 'true'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(docker('inspect', '-f', '{{.State.Running}}', runtimeId), 'false', 'the task container was stopped');
  });

  it('shuts down on SIGTERM leaving task containers running, and re-adopts them on restart', async () => {
    const dir = tempDir();
    let dev = await startDev(dir);
    const { taskArn, runtimeId, clusterArn } = await runSleeper(dev.url, 'sigterm');
    await dev.stop();
    assert.equal(dev.child.exitCode, 0, 'a clean exit');
    assert.equal(docker('inspect', '-f', '{{.State.Running}}', runtimeId), 'true');
    dev = await startDev(dir);
    running.push(dev);
    const { tasks } = await ecsClient(dev.url).send(new DescribeTasksCommand({ cluster: 'sigterm', tasks: [taskArn] }));
    assert.equal(tasks![0].lastStatus, 'RUNNING');
    assert.equal(tasks![0].containers![0].runtimeId, runtimeId);
    assert.deepEqual(containersOfCluster(clusterArn), [runtimeId]);
  });
});
