/**
 * A real `wharf server` with 500 simulated container instances (src/agent/fleet.testing.ts: real
 * agents on the real link, with an in-memory runtime) in this process, driven through the SDK:
 * every agent registers once, RunTask places tasks across the fleet, the agents run them to
 * RUNNING and stop them, and an agent that goes away shows as disconnected and comes back as
 * the same instance.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, DescribeContainerInstancesCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand,
  RunTaskCommand, StopTaskCommand, waitUntilTasksRunning, waitUntilTasksStopped, type ContainerInstance, type ECSClient,
} from '@aws-sdk/client-ecs';
import { startFleet, type Fleet } from '../src/agent/fleet.testing.ts';
import { credentials, ecsClient, spawnWharf, tempDir, type WharfProcess } from './support/wharf.ts';

const CLUSTER = 'fleet';
const AGENTS = 500;
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
/** 20 RunTask calls of 10; each task takes most of an instance's memory, so every task gets its own instance. */
const CALLS = 20;
const TASKS = CALLS * 10;

let server: WharfProcess;
let ecs: ECSClient;
let fleet: Fleet;
const extra: Fleet[] = [];
const wait = { maxWaitTime: 60, minDelay: 1, maxDelay: 1 };

before(async () => {
  server = await spawnWharf(['server', '--port', '0', '--data-dir', tempDir()], /Wharf server ready at http:\/\//);
  ecs = ecsClient(server.url);
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  fleet = await startFleet({
    serverUrl: server.url, credentials, cluster: CLUSTER, count: AGENTS, availabilityZones: ZONES,
    sizes: (i) => ({ cpu: 1024 * (1 + (i % 2)), memory: 1024 }),
    attributes: (i) => [{ name: 'rack', value: `r${i % 10}` }],
  });
});
after(async () => {
  for (const f of [...extra, fleet]) await f?.stop();
  await server?.stop();
});

/** Every container instance ARN of the cluster, a page of `maxResults` at a time; and the number of pages. */
async function listAll(maxResults: number): Promise<{ arns: string[]; pages: number }> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER, maxResults, nextToken }));
    arns.push(...page.containerInstanceArns!);
    nextToken = page.nextToken;
    pages++;
  } while (nextToken && pages < 100);
  return { arns, pages };
}

async function describe100(arns: string[]): Promise<ContainerInstance[]> {
  const out: ContainerInstance[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const { containerInstances, failures } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: arns.slice(i, i + 100) }));
    assert.deepEqual(failures, []);
    out.push(...containerInstances!);
  }
  return out;
}

const memoryOf = (ci: ContainerInstance, which: 'registeredResources' | 'remainingResources') =>
  ci[which]!.find((r) => r.name === 'MEMORY')!.integerValue!;

describe('a fleet of 500 simulated agents', () => {
  it('registers every agent once, with its size, zone and attributes', async () => {
    const { arns, pages } = await listAll(100);
    assert.equal(pages, 5);
    assert.equal(new Set(arns).size, AGENTS);
    assert.deepEqual([...arns].sort(), fleet.agents.map((a) => a.containerInstanceArn).sort());

    const described = await describe100(arns);
    const byArn = new Map(fleet.agents.map((a) => [a.containerInstanceArn, a]));
    const zones = new Map<string, number>();
    for (const ci of described) {
      const agent = byArn.get(ci.containerInstanceArn!)!;
      assert.equal(ci.agentConnected, true);
      assert.equal(ci.status, 'ACTIVE');
      assert.equal(ci.ec2InstanceId, agent.ec2InstanceId);
      const attr = (name: string) => ci.attributes!.find((a) => a.name === name)?.value;
      assert.equal(attr('ecs.availability-zone'), agent.availabilityZone);
      assert.equal(attr('rack'), `r${agent.index % 10}`);
      assert.equal(ci.registeredResources!.find((r) => r.name === 'CPU')!.integerValue, 1024 * (1 + (agent.index % 2)));
      zones.set(agent.availabilityZone, (zones.get(agent.availabilityZone) ?? 0) + 1);
    }
    assert.equal(new Set(described.map((ci) => ci.ec2InstanceId)).size, AGENTS);
    assert.deepEqual([...zones.values()].sort(), [166, 167, 167]);
  });

  it('places tasks across the fleet, runs them to RUNNING through the agents, and stops them', async () => {
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'fleet-sleep',
      containerDefinitions: [{ name: 'main', image: 'wharf-test/busybox:latest', memory: 600, command: ['sleep', '3600'] }],
    }));
    const results = await Promise.all(Array.from({ length: CALLS }, () =>
      ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'fleet-sleep', count: 10 }))));
    const tasks = results.flatMap((r) => r.tasks ?? []);
    assert.deepEqual(results.flatMap((r) => r.failures ?? []), []);
    assert.equal(tasks.length, TASKS);
    const used = new Set(tasks.map((t) => t.containerInstanceArn));
    assert.equal(used.size, TASKS, 'one task per instance: each takes most of its memory');
    const fleetArns = new Set(fleet.agents.map((a) => a.containerInstanceArn));
    assert.ok([...used].every((arn) => fleetArns.has(arn!)));

    const taskArns = tasks.map((t) => t.taskArn!);
    for (let i = 0; i < taskArns.length; i += 100) {
      await waitUntilTasksRunning({ client: ecs, ...wait }, { cluster: CLUSTER, tasks: taskArns.slice(i, i + 100) });
    }
    const running = async () => (await Promise.all(fleet.agents.map((a) => a.runtime.listContainers({}))))
      .flat().filter((c) => c.state === 'running').length;
    assert.equal(await running(), TASKS);
    assert.ok((await describe100([...used] as string[])).every((ci) => memoryOf(ci, 'remainingResources') === 1024 - 600));

    for (let i = 0; i < taskArns.length; i += 20) {
      await Promise.all(taskArns.slice(i, i + 20).map((task) => ecs.send(new StopTaskCommand({ cluster: CLUSTER, task, reason: 'fleet test' }))));
    }
    for (let i = 0; i < taskArns.length; i += 100) {
      await waitUntilTasksStopped({ client: ecs, ...wait }, { cluster: CLUSTER, tasks: taskArns.slice(i, i + 100) });
    }
    assert.equal(await running(), 0);
    assert.ok((await describe100([...used] as string[])).every((ci) => memoryOf(ci, 'remainingResources') === 1024));
  });

  it('shows a departed agent as disconnected, and the same instance connected again when it returns', async () => {
    const agent = fleet.agents[7];
    await agent.stop();
    const connected = async () => (await describe100([agent.containerInstanceArn]))[0].agentConnected;
    for (let i = 0; i < 100 && (await connected()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await connected(), false);

    // The same agent id (index 7 of the same prefix) comes back: no new instance is registered.
    const back = await startFleet({
      serverUrl: server.url, credentials, cluster: CLUSTER, count: 1, idPrefix: fleet.idPrefix, firstIndex: 7, availabilityZones: ZONES,
      sizes: (i) => ({ cpu: 1024 * (1 + (i % 2)), memory: 1024 }),
    });
    extra.push(back);
    assert.equal(back.agents[0].agentId, agent.agentId);
    assert.equal(back.agents[0].containerInstanceArn, agent.containerInstanceArn);
    assert.equal(await connected(), true);
    assert.equal((await listAll(100)).arns.length, AGENTS);
  });
});
