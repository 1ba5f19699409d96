/**
 * Placement through the SDK against a real `wharf server`, on container instances of chosen
 * sizes (agents that speak the real link but run nothing): ECS's failure reasons, partial
 * placement, exact resource accounting, and racing RunTask calls never oversubscribing.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, DescribeContainerInstancesCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand,
  RunTaskCommand, StartTaskCommand, StopTaskCommand, UpdateContainerInstancesStateCommand, type ContainerDefinition, type ECSClient,
} from '@aws-sdk/client-ecs';
import { fakeAgentServer } from './support/fake-agent.ts';

const env = fakeAgentServer();
let ecs: ECSClient;

before(async () => {
  ecs = await env.start();
});

/** A cluster with one instance of `cpu` units and `memory` MiB; returns its instance ARN. */
async function clusterWithInstance(name: string, cpu: number, memory: number): Promise<string> {
  await ecs.send(new CreateClusterCommand({ clusterName: name }));
  const agent = await env.connect({ cluster: name, cpu, memory });
  return agent.containerInstanceArns[0];
}

async function family(name: string, container: Partial<ContainerDefinition>): Promise<string> {
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: name, containerDefinitions: [{ name: 'main', image: 'wharf-test/busybox:latest', memory: 64, ...container }],
  }));
  return name;
}

async function remaining(cluster: string, instanceArn: string) {
  const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [instanceArn] }));
  const r = containerInstances![0].remainingResources!;
  return {
    cpu: r.find((x) => x.name === 'CPU')!.integerValue!,
    memory: r.find((x) => x.name === 'MEMORY')!.integerValue!,
    ports: r.find((x) => x.name === 'PORTS')!.stringSetValue!,
  };
}

describe('placement', () => {
  it('reports RESOURCE:MEMORY and RESOURCE:CPU with the instance ARN, placing nothing', async () => {
    const arn = await clusterWithInstance('small', 1024, 512);
    const big = await ecs.send(new RunTaskCommand({ cluster: 'small', taskDefinition: await family('too-much-memory', { memory: 1024 }) }));
    assert.deepEqual(big.tasks, []);
    assert.deepEqual(big.failures, [{ arn, reason: 'RESOURCE:MEMORY' }]);
    const busy = await ecs.send(new RunTaskCommand({ cluster: 'small', taskDefinition: await family('too-much-cpu', { cpu: 2048 }) }));
    assert.deepEqual(busy.failures, [{ arn, reason: 'RESOURCE:CPU' }]);
    assert.deepEqual(await remaining('small', arn), { cpu: 1024, memory: 512, ports: ['22', '2375', '2376', '51678', '51679'] });
  });

  it('reports RESOURCE:PORTS when a static host port is taken; dynamic ports never conflict', async () => {
    const arn = await clusterWithInstance('ports', 4096, 4096);
    const fixed = await family('fixed-port', { portMappings: [{ containerPort: 80, hostPort: 8080 }] });
    const first = await ecs.send(new RunTaskCommand({ cluster: 'ports', taskDefinition: fixed }));
    assert.equal(first.tasks?.length, 1);
    const second = await ecs.send(new RunTaskCommand({ cluster: 'ports', taskDefinition: fixed }));
    assert.deepEqual(second.failures, [{ arn, reason: 'RESOURCE:PORTS' }]);
    assert.ok((await remaining('ports', arn)).ports.includes('8080'));
    const dynamic = await family('dynamic-port', { portMappings: [{ containerPort: 80, hostPort: 0 }] });
    const many = await ecs.send(new RunTaskCommand({ cluster: 'ports', taskDefinition: dynamic, count: 3 }));
    assert.equal(many.tasks?.length, 3);
  });

  it('places as many of a count as fit and reports the rest', async () => {
    const arn = await clusterWithInstance('partial', 4096, 512);
    const result = await ecs.send(new RunTaskCommand({ cluster: 'partial', taskDefinition: await family('hundred', { memory: 100 }), count: 10 }));
    assert.equal(result.tasks?.length, 5);
    assert.deepEqual(result.failures, [{ arn, reason: 'RESOURCE:MEMORY' }]);
    assert.equal((await remaining('partial', arn)).memory, 12);
  });

  it('counts memoryReservation, not the hard limit, when both are set', async () => {
    const arn = await clusterWithInstance('soft', 4096, 1000);
    await ecs.send(new RunTaskCommand({ cluster: 'soft', taskDefinition: await family('soft-limit', { memory: 600, memoryReservation: 200 }), count: 3 }));
    assert.equal((await remaining('soft', arn)).memory, 400);
  });

  it('never oversubscribes when 50 RunTask calls race for 5 slots', async () => {
    const arn = await clusterWithInstance('race', 4096, 500);
    const td = await family('racer', { memory: 100 });
    const results = await Promise.all(Array.from({ length: 50 }, () => ecs.send(new RunTaskCommand({ cluster: 'race', taskDefinition: td }))));
    const placed = results.reduce((n, r) => n + (r.tasks?.length ?? 0), 0);
    assert.equal(placed, 5);
    assert.equal(results.filter((r) => r.failures?.[0]?.reason === 'RESOURCE:MEMORY').length, 45);
    assert.equal((await remaining('race', arn)).memory, 0);
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'race' }));
    assert.equal(taskArns?.length, 5);
  });

  it('gives no task to a DRAINING instance or one whose agent is gone', async () => {
    const arn = await clusterWithInstance('unavailable', 4096, 4096);
    const td = await family('anything', {});
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'unavailable', containerInstances: [arn], status: 'DRAINING' }));
    await assert.rejects(ecs.send(new RunTaskCommand({ cluster: 'unavailable', taskDefinition: td })),
      (e: Error) => e.name === 'InvalidParameterException' && /No Container Instances were found/.test(e.message));
    assert.deepEqual((await ecs.send(new ListTasksCommand({ cluster: 'unavailable' }))).taskArns, []);
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'unavailable', containerInstances: [arn], status: 'ACTIVE' }));
    await env.closeLast();
    for (let i = 0; i < 100; i++) {
      const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'unavailable', containerInstances: [arn] }));
      if (!containerInstances![0].agentConnected) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const gone = await ecs.send(new RunTaskCommand({ cluster: 'unavailable', taskDefinition: td }));
    assert.deepEqual(gone.tasks, []);
    assert.deepEqual(gone.failures, [{ arn, reason: 'AGENT' }]);
  });

  it('starts tasks on the named instances with StartTask, and ListTasks filters them', async () => {
    const first = await clusterWithInstance('named', 4096, 4096);
    const second = (await env.connect({ cluster: 'named', cpu: 4096, memory: 4096 })).containerInstanceArns[0];
    const td = await family('named-task', {});
    const other = await family('other-task', {});
    const started = await ecs.send(new StartTaskCommand({
      cluster: 'named', taskDefinition: td, containerInstances: [second], startedBy: 'job/42', group: 'batch',
      tags: [{ key: 'team', value: 'core' }],
    }));
    assert.deepEqual(started.failures, []);
    const task = started.tasks![0];
    assert.equal(task.containerInstanceArn, second);
    assert.equal(task.startedBy, 'job/42');
    assert.equal(task.group, 'batch');
    assert.deepEqual(task.tags, [{ key: 'team', value: 'core' }]);
    const ran = await ecs.send(new RunTaskCommand({ cluster: 'named', taskDefinition: other }));
    assert.ok([first, second].includes(ran.tasks![0].containerInstanceArn!), 'RunTask places on an instance of the cluster');
    assert.equal(ran.tasks![0].group, 'family:other-task');

    const list = async (filter: Record<string, string>) =>
      ((await ecs.send(new ListTasksCommand({ cluster: 'named', ...filter }))).taskArns ?? []).sort();
    assert.deepEqual(await list({}), [task.taskArn!, ran.tasks![0].taskArn!].sort());
    assert.deepEqual(await list({ startedBy: 'job/42' }), [task.taskArn]);
    assert.deepEqual(await list({ family: 'other-task' }), [ran.tasks![0].taskArn]);
    const onSecond = ran.tasks![0].containerInstanceArn === second ? [ran.tasks![0].taskArn!] : [];
    assert.deepEqual(await list({ containerInstance: second }), [task.taskArn!, ...onSecond].sort());
    assert.deepEqual(await list({ launchType: 'FARGATE' }), []);
    assert.deepEqual(await list({ desiredStatus: 'STOPPED' }), []);

    await ecs.send(new StopTaskCommand({ cluster: 'named', task: task.taskArn! }));
    assert.deepEqual(await list({ desiredStatus: 'STOPPED' }), [task.taskArn]);
    assert.deepEqual(await list({}), [ran.tasks![0].taskArn]);
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'named', tasks: [task.taskArn!], include: ['TAGS'] }));
    assert.equal(tasks![0].desiredStatus, 'STOPPED');
    assert.equal(tasks![0].stopCode, 'UserInitiated');
    assert.deepEqual(tasks![0].tags, [{ key: 'team', value: 'core' }]);
  });

  it('pages through ListTasks with maxResults and nextToken', async () => {
    await clusterWithInstance('paging', 4096, 4096);
    const td = await family('pager', { memory: 8 });
    const all: string[] = [];
    for (let i = 0; i < 3; i++) all.push(...(await ecs.send(new RunTaskCommand({ cluster: 'paging', taskDefinition: td, count: 10 }))).tasks!.map((t) => t.taskArn!));
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster: 'paging', maxResults: 7, nextToken }));
      assert.ok(page.taskArns!.length <= 7);
      seen.push(...page.taskArns!);
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    assert.equal(pages, 5);
    assert.deepEqual(seen.sort(), all.sort());
  });
});
