/**
 * ECS placement strategies and constraints through the SDK against a real `wharf server`, on
 * container instances in several availability zones (agents on the real link that run nothing).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, DescribeContainerInstancesCommand, PutAttributesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type ECSClient, type Task,
} from '@aws-sdk/client-ecs';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { fakeAgentServer } from './support/fake-agent.ts';
import { credentials, region } from './support/wharf.ts';

const env = fakeAgentServer();
let ecs: ECSClient;

before(async () => {
  ecs = await env.start();
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'small', containerDefinitions: [{ name: 'main', image: 'wharf-test/busybox:latest', memory: 300 }],
  }));
});

/** A cluster with one 1,000 MiB instance per zone given; returns instance ARN → zone. */
async function cluster(name: string, zones: string[]): Promise<Map<string, string>> {
  await ecs.send(new CreateClusterCommand({ clusterName: name }));
  const byArn = new Map<string, string>();
  for (const zone of zones) {
    const agent = await env.connect({ cluster: name, cpu: 4096, memory: 1000, attributes: [{ name: 'ecs.availability-zone', value: zone }] });
    byArn.set(agent.containerInstanceArns[0], zone);
  }
  return byArn;
}

const countBy = <T>(items: T[], key: (t: T) => string) =>
  items.reduce((m, t) => m.set(key(t), (m.get(key(t)) ?? 0) + 1), new Map<string, number>());

describe('placement strategies and constraints', () => {
  it('binpack on memory fills one instance before the next', async () => {
    await cluster('binpack', ['us-east-1a', 'us-east-1a', 'us-east-1a']);
    const tasks: Task[] = [];
    for (let i = 0; i < 5; i++) {
      const out = await ecs.send(new RunTaskCommand({ cluster: 'binpack', taskDefinition: 'small', placementStrategy: [{ type: 'binpack', field: 'memory' }] }));
      tasks.push(...out.tasks!);
    }
    assert.deepEqual([...countBy(tasks, (t) => t.containerInstanceArn!).values()].sort(), [2, 3], 'three on one instance, then two on the next, none on the third');
  });

  it('spread over attribute:ecs.availability-zone balances the zones', async () => {
    const zones = await cluster('spread', ['us-east-1a', 'us-east-1a', 'us-east-1b', 'us-east-1c']);
    const out = await ecs.send(new RunTaskCommand({
      cluster: 'spread', taskDefinition: 'small', count: 6,
      placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'memory' }],
    }));
    assert.deepEqual(Object.fromEntries(countBy(out.tasks!, (t) => zones.get(t.containerInstanceArn!)!)), { 'us-east-1a': 2, 'us-east-1b': 2, 'us-east-1c': 2 });
  });

  it('memberOf keeps tasks on the instances the expression selects, custom attributes included', async () => {
    const zones = await cluster('member', ['us-east-1a', 'us-east-1b', 'us-east-1b']);
    const bArns = [...zones].filter(([, z]) => z === 'us-east-1b').map(([arn]) => arn);
    const out = await ecs.send(new RunTaskCommand({
      cluster: 'member', taskDefinition: 'small', count: 6,
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone == us-east-1b' }],
    }));
    assert.equal(out.tasks!.length, 6);
    assert.ok(out.tasks!.every((t) => bArns.includes(t.containerInstanceArn!)));
    const more = await ecs.send(new RunTaskCommand({
      cluster: 'member', taskDefinition: 'small',
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone == us-east-1b' }],
    }));
    assert.deepEqual(more.tasks, []);
    assert.ok(more.failures!.some((f) => f.reason === 'MemberOf placement constraint unsatisfied.'));

    await ecs.send(new PutAttributesCommand({ cluster: 'member', attributes: [{ name: 'stack', value: 'prod', targetId: bArns[0] }] }));
    const prod = await ecs.send(new RunTaskCommand({
      cluster: 'member', taskDefinition: 'small', placementConstraints: [{ type: 'memberOf', expression: 'attribute:stack == prod or attribute:ecs.availability-zone == us-east-1a' }],
    }));
    assert.equal(prod.tasks!.length, 1);
    assert.notEqual(prod.tasks![0].containerInstanceArn, bArns[1]);
  });

  it('distinctInstance puts each task on a different instance', async () => {
    await cluster('distinct', ['us-east-1a', 'us-east-1b', 'us-east-1c']);
    const out = await ecs.send(new RunTaskCommand({ cluster: 'distinct', taskDefinition: 'small', count: 4, placementConstraints: [{ type: 'distinctInstance' }] }));
    assert.equal(out.tasks!.length, 3);
    assert.equal(new Set(out.tasks!.map((t) => t.containerInstanceArn)).size, 3);
    assert.ok(out.failures!.length > 0);
  });

  it('rejects a memberOf expression with a syntax error, saying where, and places nothing', async () => {
    await assert.rejects(
      ecs.send(new RunTaskCommand({ cluster: 'distinct', taskDefinition: 'small', placementConstraints: [{ type: 'memberOf', expression: 'attribute:stack ==' }] })),
      (e: Error) => e.name === 'InvalidParameterException' && /placementConstraints\[0\]\.expression/.test(e.message) && /position/.test(e.message),
    );
    await assert.rejects(
      ecs.send(new RunTaskCommand({ cluster: 'distinct', taskDefinition: 'small', placementStrategy: [{ type: 'binpack', field: 'disk' }] })),
      (e: Error) => e.name === 'InvalidParameterException' && /placementStrategy\[0\]\.field/.test(e.message),
    );
  });

  it('counts GPUs and ENIs: RESOURCE:GPU and RESOURCE:ENI when they run out', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'accelerated' }));
    const arn = (await env.connect({ cluster: 'accelerated', cpu: 8192, memory: 8192, gpus: ['gpu-0', 'gpu-1'], eniLimit: 2, attributes: [{ name: 'ecs.capability.task-eni' }] })).containerInstanceArns[0];
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'gpu', containerDefinitions: [{ name: 'main', image: 'wharf-test/busybox:latest', memory: 64, resourceRequirements: [{ type: 'GPU', value: '1' }] }],
    }));
    const gpu = await ecs.send(new RunTaskCommand({ cluster: 'accelerated', taskDefinition: 'gpu', count: 3 }));
    assert.equal(gpu.tasks!.length, 2);
    assert.deepEqual(gpu.failures, [{ arn, reason: 'RESOURCE:GPU' }]);
    const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'accelerated', containerInstances: [arn] }));
    const gpus = (which: 'registeredResources' | 'remainingResources') => containerInstances![0][which]!.find((r) => r.name === 'GPU')?.stringSetValue;
    assert.deepEqual(gpus('registeredResources'), ['gpu-0', 'gpu-1']);
    assert.deepEqual(gpus('remainingResources'), []);

    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'vpc', networkMode: 'awsvpc', containerDefinitions: [{ name: 'main', image: 'wharf-test/busybox:latest', memory: 64 }],
    }));
    const ec2 = new EC2Client({ endpoint: env.url(), region, credentials });
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    const vpc = await ecs.send(new RunTaskCommand({
      cluster: 'accelerated', taskDefinition: 'vpc', count: 3, networkConfiguration: { awsvpcConfiguration: { subnets: [Subnets![0].SubnetId!] } },
    }));
    assert.equal(vpc.tasks!.length, 2);
    assert.deepEqual(vpc.failures, [{ arn, reason: 'RESOURCE:ENI' }]);
  });
});
