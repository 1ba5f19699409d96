/**
 * Fargate's capacity providers through @aws-sdk/client-ecs and the AWS CLI, on a control plane
 * in this process with a fake Fargate host: the built-in providers described, a cluster's
 * providers and default strategy, RunTask and a service spreading tasks by base and weight
 * (each task showing its provider), and a FARGATE_SPOT task interrupted by the operator —
 * stopped with SpotInterruption and replaced on FARGATE_SPOT by its service.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeCapacityProvidersCommand, DescribeClustersCommand, DescribeServicesCommand, DescribeTasksCommand,
  ECSClient, ListTasksCommand, PutClusterCapacityProvidersCommand, RegisterTaskDefinitionCommand, RunTaskCommand, UpdateServiceCommand, type Task,
} from '@aws-sdk/client-ecs';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { signRequest } from '../src/common/index.ts';
import { credentials, region } from './support/wharf.ts';
import { connectFakeAgent, type FakeAgent } from './support/fake-agent.ts';
import { answerTasks } from './support/fake-tasks.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused } from './support/in-process.ts';

const start = inProcessControlPlane();
let plane: ControlPlane;
let ecs: ECSClient;
let agent: FakeAgent;
let stopAnswering: () => void;
const cluster = 'spot';
let subnet: string;
const { cli } = awsCli(() => plane.url, 'ecs');

before(async () => {
  plane = await start();
  ecs = new ECSClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
  const ec2 = new EC2Client({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.233.0.0/16' }))).Vpc!.VpcId!;
  subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.233.1.0/24', AvailabilityZone: `${region}a` }))).Subnet!.SubnetId!;
  agent = await connectFakeAgent(plane.url, {
    cluster: '~fargate', cpu: 65536, memory: 131072,
    attributes: ['ecs.capability.task-eni', 'ecs.capability.task-cpu-mem-limit', 'com.amazonaws.ecs.capability.docker-remote-api.1.18',
      'com.amazonaws.ecs.capability.docker-remote-api.1.19', 'com.amazonaws.ecs.capability.docker-remote-api.1.21'].map((name) => ({ name })),
  });
  stopAnswering = answerTasks(agent);
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'worker', cpu: '256', memory: '512', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'],
    containerDefinitions: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'], stopTimeout: 2 }],
  }));
});

after(async () => {
  stopAnswering?.();
  await agent?.close();
});

const network = () => ({ awsvpcConfiguration: { subnets: [subnet] } });
const tally = (tasks: Task[]) => tasks.reduce((m, t) => ({ ...m, [t.capacityProviderName ?? '-']: (m[t.capacityProviderName ?? '-'] ?? 0) + 1 }), {} as Record<string, number>);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The service's tasks that are not stopping. */
async function liveTasks(serviceName: string): Promise<Task[]> {
  const arns = (await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: 'RUNNING' }))).taskArns ?? [];
  return arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks! : [];
}

describe('Fargate capacity providers', () => {
  it('describes FARGATE and FARGATE_SPOT as every account has them', async () => {
    const all = await ecs.send(new DescribeCapacityProvidersCommand({}));
    assert.deepEqual(all.capacityProviders!.map((p) => [p.name, p.status, p.capacityProviderArn]), [
      ['FARGATE', 'ACTIVE', `arn:aws:ecs:${region}:${ACCOUNT}:capacity-provider/FARGATE`],
      ['FARGATE_SPOT', 'ACTIVE', `arn:aws:ecs:${region}:${ACCOUNT}:capacity-provider/FARGATE_SPOT`],
    ]);
    const some = await ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: ['FARGATE_SPOT', 'my-asg'], include: ['TAGS'] }));
    assert.deepEqual(some.capacityProviders!.map((p) => [p.name, p.tags]), [['FARGATE_SPOT', []]]);
    assert.deepEqual(some.failures, [{ arn: 'my-asg', reason: 'MISSING' }]);
    const viaCli = await cli('describe-capacity-providers', '--capacity-providers', 'FARGATE');
    assert.equal(viaCli.capacityProviders[0].name, 'FARGATE');
  });

  it("sets a cluster's providers and default strategy, refusing what ECS refuses", async () => {
    // A strategy uses only the providers associated with the cluster.
    await refused(ecs.send(new RunTaskCommand({
      cluster, taskDefinition: 'worker', networkConfiguration: network(), capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
    })), 'InvalidParameterException', /^capacityProviderStrategy\[0\]\.capacityProvider: capacity provider FARGATE_SPOT is not associated with cluster spot/);
    await refused(ecs.send(new PutClusterCapacityProvidersCommand({
      cluster, capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
    })), 'InvalidParameterException', /^defaultCapacityProviderStrategy\[0\]\.capacityProvider: capacity provider FARGATE_SPOT is not associated with the cluster/);
    await refused(ecs.send(new PutClusterCapacityProvidersCommand({ cluster, capacityProviders: ['my-asg'], defaultCapacityProviderStrategy: [] })),
      'InvalidParameterException', /^capacityProviders\[0\]: the specified capacity provider my-asg does not exist/);
    const put = await ecs.send(new PutClusterCapacityProvidersCommand({
      cluster, capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 3 }],
    }));
    assert.deepEqual(put.cluster!.capacityProviders, ['FARGATE', 'FARGATE_SPOT']);
    const [described] = (await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }))).clusters!;
    assert.deepEqual(described.defaultCapacityProviderStrategy, [
      { capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 0, weight: 3 },
    ]);
  });

  it('RunTask spreads a strategy by base then weight, and a launch naming neither launch type nor strategy takes the default', async () => {
    const strategy = [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 3 }];
    const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'worker', count: 9, capacityProviderStrategy: strategy, networkConfiguration: network() }));
    assert.deepEqual(run.failures, []);
    assert.deepEqual(tally(run.tasks!), { FARGATE: 3, FARGATE_SPOT: 6 });
    const described = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: run.tasks!.map((t) => t.taskArn!) }))).tasks!;
    assert.deepEqual(tally(described), { FARGATE: 3, FARGATE_SPOT: 6 });
    assert.ok(described.every((t) => t.launchType === 'FARGATE'));

    const byDefault = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'worker', count: 5, networkConfiguration: network() }));
    assert.deepEqual(tally(byDefault.tasks!), { FARGATE: 2, FARGATE_SPOT: 3 });
    await refused(ecs.send(new RunTaskCommand({
      cluster, taskDefinition: 'worker', networkConfiguration: network(),
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 0 }, { capacityProvider: 'FARGATE_SPOT', weight: 0 }],
    })), 'InvalidParameterException', /^capacityProviderStrategy: at least one capacity provider must have a weight greater than 0/);
  });

  it('a service keeps its distribution when a Spot task is interrupted, and a changed strategy redeploys', async () => {
    const created = await ecs.send(new CreateServiceCommand({
      cluster, serviceName: 'batch', taskDefinition: 'worker', desiredCount: 8, networkConfiguration: network(),
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 2, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 2 }],
    }));
    assert.equal(created.service!.launchType, undefined);
    assert.deepEqual(created.service!.capacityProviderStrategy, [
      { capacityProvider: 'FARGATE', base: 2, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 0, weight: 2 },
    ]);
    const running = await until('8 running tasks', async () => {
      const tasks = await liveTasks('batch');
      return tasks.length === 8 && tasks.every((t) => t.lastStatus === 'RUNNING') ? tasks : undefined;
    });
    assert.deepEqual(tally(running), { FARGATE: 4, FARGATE_SPOT: 4 });

    // The operator interrupts one Spot task, as AWS reclaiming the capacity would.
    const spot = running.find((t) => t.capacityProviderName === 'FARGATE_SPOT')!;
    const url = new URL('/_wharf/ecs/interrupt-spot-task', plane.url);
    const body = JSON.stringify({ cluster, task: spot.taskArn });
    const headers = await signRequest({ method: 'POST', url, body, headers: { 'content-type': 'application/json' }, credentials, region, service: 'ecs' });
    const answer = await fetch(url, { method: 'POST', body, headers });
    assert.equal(answer.status, 200, await answer.clone().text());
    assert.deepEqual((await answer.json() as { task: object }).task, { taskArn: spot.taskArn, stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' });
    const stopped = await until('the interrupted task stopped', async () => {
      const [t] = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [spot.taskArn!] }))).tasks!;
      return t.lastStatus === 'STOPPED' ? t : undefined;
    });
    assert.equal(stopped.stopCode, 'SpotInterruption');
    assert.equal(stopped.stoppedReason, 'Your Spot Task was interrupted.');
    const replaced = await until('a replacement on FARGATE_SPOT', async () => {
      const tasks = await liveTasks('batch');
      return tasks.length === 8 && !tasks.some((t) => t.taskArn === spot.taskArn) && tasks.every((t) => t.lastStatus === 'RUNNING') ? tasks : undefined;
    });
    assert.deepEqual(tally(replaced), { FARGATE: 4, FARGATE_SPOT: 4 });

    // A FARGATE task is not a Spot task: refused, and it keeps running.
    const onDemand = replaced.find((t) => t.capacityProviderName === 'FARGATE')!;
    const refusedBody = JSON.stringify({ cluster, task: onDemand.taskArn });
    const refusal = await fetch(url, {
      method: 'POST', body: refusedBody,
      headers: await signRequest({ method: 'POST', url, body: refusedBody, headers: { 'content-type': 'application/json' }, credentials, region, service: 'ecs' }),
    });
    assert.equal(refusal.status, 400);
    assert.equal((await refusal.json() as { __type: string }).__type, 'InvalidParameterException');

    // A new strategy starts a deployment whose tasks follow it.
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'batch', capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }));
    const moved = await until('all tasks on FARGATE_SPOT', async () => {
      const tasks = await liveTasks('batch');
      return tasks.length === 8 && tasks.every((t) => t.capacityProviderName === 'FARGATE_SPOT' && t.lastStatus === 'RUNNING') ? tasks : undefined;
    }, 60_000);
    assert.equal(moved.length, 8);
    const [service] = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['batch'] }))).services!;
    assert.deepEqual(service.capacityProviderStrategy, [{ capacityProvider: 'FARGATE_SPOT', base: 0, weight: 1 }]);
    await refused(ecs.send(new PutClusterCapacityProvidersCommand({ cluster, capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [] })),
      'ResourceInUseException', /^The specified capacity provider is in use and cannot be removed: service batch uses FARGATE_SPOT\./);
  });
});
