/**
 * Crashes, with real processes and real containers: `kill -9` of an agent while its tasks run
 * (restarted, it re-adopts the same containers, none duplicated), and `kill -9` of the control
 * plane (restarted, every acknowledged task definition and task is there).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  CreateClusterCommand, DescribeContainerInstancesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand,
  ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand,
  waitUntilTasksRunning, waitUntilTasksStopped, type ECSClient, type Task,
} from '@aws-sdk/client-ecs';
import { awsCliEnv, cleanedUpAfter, ecsClient, spawnWharf, startDev, tempDir } from './support/wharf.ts';
import { TEST_IMAGE, containersOfCluster, docker } from './support/docker.ts';

const { processes: running, clusterArns } = cleanedUpAfter();

const wait = (ecs: ECSClient) => ({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 2 });

async function agentConnected(ecs: ECSClient, cluster: string, connected: boolean): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster }));
    if (containerInstanceArns?.length) {
      const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: containerInstanceArns }));
      if (containerInstances?.[0]?.agentConnected === connected) return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`agent never became ${connected ? 'connected' : 'disconnected'}`);
}

async function describeAll(ecs: ECSClient, cluster: string, tasks: string[]): Promise<Task[]> {
  const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks }));
  return tasks.map((arn) => out.tasks!.find((t) => t.taskArn === arn)!);
}

describe('crashes', () => {
  it('kill -9 of an agent: restarted, it re-adopts its running containers without duplicates', async () => {
    const dir = tempDir();
    const server = await spawnWharf(['server', '--port', '0', '--data-dir', dir], /Wharf server ready at http:\/\//);
    running.push(server);
    const ecs = ecsClient(server.url);
    const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: 'agent-crash' }));
    clusterArns.push(cluster!.clusterArn!);
    const startAgent = async () => {
      // Signed with the tests' root key (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in awsCliEnv).
      const agent = await spawnWharf(['agent', '--server', server.url, '--cluster', 'agent-crash', '--data-dir', join(dir, 'agent')], /agent .* started/, awsCliEnv);
      running.push(agent);
      return agent;
    };
    let agent = await startAgent();
    await agentConnected(ecs, 'agent-crash', true);

    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'sleeper',
      containerDefinitions: [{ name: 'main', image: TEST_IMAGE, memory: 16, command: ['sleep', '3600'], stopTimeout: 2 }],
    }));
    const { tasks } = await ecs.send(new RunTaskCommand({ cluster: 'agent-crash', taskDefinition: 'sleeper', count: 3 }));
    const arns = tasks!.map((t) => t.taskArn!);
    await waitUntilTasksRunning(wait(ecs), { cluster: 'agent-crash', tasks: arns });
    const before = (await describeAll(ecs, 'agent-crash', arns)).map((t) => t.containers![0].runtimeId!);

    await agent.kill9();
    await agentConnected(ecs, 'agent-crash', false);
    // While the agent is down, one task's container dies: the restarted agent must notice.
    docker('kill', before[2]);
    assert.deepEqual(containersOfCluster(cluster!.clusterArn!, false).sort(), before.slice(0, 2).sort(), 'containers outlive their agent');

    agent = await startAgent();
    await agentConnected(ecs, 'agent-crash', true);
    await waitUntilTasksStopped(wait(ecs), { cluster: 'agent-crash', tasks: [arns[2]] });
    const after = await describeAll(ecs, 'agent-crash', arns);
    assert.deepEqual(after.slice(0, 2).map((t) => t.lastStatus), ['RUNNING', 'RUNNING']);
    assert.deepEqual(after.slice(0, 2).map((t) => t.containers![0].runtimeId), before.slice(0, 2), 'the same containers');
    assert.equal(after[2].containers![0].exitCode, 137, 'the container killed while the agent was down');
    assert.equal(after[2].stopCode, 'EssentialContainerExited');
    assert.equal(containersOfCluster(cluster!.clusterArn!).length, 3, 'no container was created twice');

    // The re-adopted tasks are the agent's to stop again.
    await ecs.send(new StopTaskCommand({ cluster: 'agent-crash', task: arns[0] }));
    await waitUntilTasksStopped(wait(ecs), { cluster: 'agent-crash', tasks: [arns[0]] });
    assert.equal(docker('inspect', '-f', '{{.State.Running}}', before[0]), 'false');
  });

  it('kill -9 of the control plane: restarted, every acknowledged definition and task is there', async () => {
    const dir = tempDir();
    let dev = await startDev(dir);
    running.push(dev);
    let ecs = ecsClient(dev.url);
    const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: 'plane-crash' }));
    clusterArns.push(cluster!.clusterArn!);
    const families: string[] = [];
    for (let i = 0; i < 5; i++) {
      const family = `crash-${i}`;
      await ecs.send(new RegisterTaskDefinitionCommand({
        family, containerDefinitions: [{ name: 'main', image: TEST_IMAGE, memory: 16, command: ['sleep', '3600'], stopTimeout: 2 }],
      }));
      families.push(family);
    }
    const { tasks } = await ecs.send(new RunTaskCommand({ cluster: 'plane-crash', taskDefinition: 'crash-0', count: 2 }));
    const arns = tasks!.map((t) => t.taskArn!);
    await waitUntilTasksRunning(wait(ecs), { cluster: 'plane-crash', tasks: arns });
    const before = (await describeAll(ecs, 'plane-crash', arns)).map((t) => t.containers![0].runtimeId!);

    await dev.kill9();
    dev = await startDev(dir);
    running.push(dev);
    ecs = ecsClient(dev.url);
    for (const family of families) {
      const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }));
      assert.equal(taskDefinition?.revision, 1);
    }
    await agentConnected(ecs, 'plane-crash', true);
    const after = await describeAll(ecs, 'plane-crash', arns);
    assert.deepEqual(after.map((t) => t.lastStatus), ['RUNNING', 'RUNNING']);
    assert.deepEqual(after.map((t) => t.containers![0].runtimeId), before, 'the same containers, re-adopted');
    assert.equal(containersOfCluster(cluster!.clusterArn!).length, 2, 'no container was created twice');
  });
});
