/**
 * One cluster of real and simulated hosts: two `wharf agent` processes running real Docker
 * containers and 30 simulated instances (src/agent/fleet.testing.ts) on the same `wharf server`,
 * placed with ECS strategies and constraints through the SDK.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  CreateClusterCommand, DescribeTasksCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand,
  waitUntilTasksRunning, type ECSClient,
} from '@aws-sdk/client-ecs';
import { startFleet, type Fleet } from '../src/agent/fleet.testing.ts';
import { awsCliEnv, cleanedUpAfter, credentials, ecsClient, spawnWharf, tempDir } from './support/wharf.ts';
import { TEST_IMAGE, containersOfCluster } from './support/docker.ts';

const started = cleanedUpAfter();
let ecs: ECSClient;
let fleet: Fleet | undefined;
let clusterArn = '';
const wait = { maxWaitTime: 120, minDelay: 1, maxDelay: 2 };

before(async () => {
  const dir = tempDir();
  const server = await spawnWharf(['server', '--port', '0', '--data-dir', dir], /Wharf server ready at http:\/\//);
  started.processes.push(server);
  ecs = ecsClient(server.url);
  clusterArn = (await ecs.send(new CreateClusterCommand({ clusterName: 'mixed' }))).cluster!.clusterArn!;
  started.clusterArns.push(clusterArn);
  for (const n of [1, 2]) {
    started.processes.push(await spawnWharf(
      ['agent', '--server', server.url, '--cluster', 'mixed', '--cpu', '1024', '--memory', '512', '--data-dir', join(dir, `agent-${n}`)],
      /agent .* started/,
      awsCliEnv, // the agent signs its link with the tests' root key
    ));
  }
  fleet = await startFleet({
    serverUrl: server.url, credentials, cluster: 'mixed', count: 30, instanceType: () => 'sim.small',
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], sizes: () => ({ cpu: 1024, memory: 512 }),
  });
  for (let i = 0; i < 200; i++) {
    const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster: 'mixed', maxResults: 100 }));
    if (containerInstanceArns?.length === 32) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'mixed', containerDefinitions: [{ name: 'main', image: TEST_IMAGE, memory: 200, command: ['sleep', '3600'], stopTimeout: 2 }],
  }));
});
after(async () => {
  await fleet?.stop();
});

describe('a cluster of real and simulated hosts', () => {
  it('memberOf + binpack put real containers on the real hosts only, two per host', async () => {
    const { tasks, failures } = await ecs.send(new RunTaskCommand({
      cluster: 'mixed', taskDefinition: 'mixed', count: 5,
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type == wharf.local' }],
      placementStrategy: [{ type: 'binpack', field: 'memory' }],
    }));
    assert.equal(tasks!.length, 4, 'two 200 MiB tasks fit on each 512 MiB real host');
    assert.ok(failures!.some((f) => f.reason === 'RESOURCE:MEMORY'));
    const arns = tasks!.map((t) => t.taskArn!);
    await waitUntilTasksRunning({ client: ecs, ...wait }, { cluster: 'mixed', tasks: arns });
    const { tasks: running } = await ecs.send(new DescribeTasksCommand({ cluster: 'mixed', tasks: arns }));
    const perHost = new Map<string, number>();
    for (const t of running!) perHost.set(t.containerInstanceArn!, (perHost.get(t.containerInstanceArn!) ?? 0) + 1);
    assert.deepEqual([...perHost.values()], [2, 2]);
    assert.deepEqual(running!.map((t) => t.containers![0].runtimeId).sort(), containersOfCluster(clusterArn, false).sort(), 'real Docker containers');
  });

  it('spread over zones places the rest across the simulated hosts, balanced', async () => {
    const { tasks } = await ecs.send(new RunTaskCommand({
      cluster: 'mixed', taskDefinition: 'mixed', count: 9, group: 'spread-test',
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type == sim.small' }],
      placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'spread', field: 'instanceId' }],
    }));
    assert.equal(tasks!.length, 9);
    assert.equal(new Set(tasks!.map((t) => t.containerInstanceArn)).size, 9, 'spread on instanceId breaks the ties');
    await waitUntilTasksRunning({ client: ecs, ...wait }, { cluster: 'mixed', tasks: tasks!.map((t) => t.taskArn!) });
    const zoneOf = new Map(fleet!.agents.map((a) => [a.containerInstanceArn, a.availabilityZone]));
    const perZone = new Map<string, number>();
    for (const t of tasks!) perZone.set(zoneOf.get(t.containerInstanceArn!)!, (perZone.get(zoneOf.get(t.containerInstanceArn!)!) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(perZone), { 'us-east-1a': 3, 'us-east-1b': 3, 'us-east-1c': 3 });
  });
});
