/**
 * ECS services behind an application load balancer, through @aws-sdk/client-ecs and
 * @aws-sdk/client-elastic-load-balancing-v2 against a control plane in this process, with a fake
 * agent (no containers: the test answers for it, reporting each task RUNNING with a host port and
 * STOPPED when told to stop) and the data plane's health checker simulated by writing health
 * records with the load balancing domain's `putTargetHealth`:
 *
 * - CreateService refuses bad `loadBalancers` with ECS's messages;
 * - a bridge service of 3 registers 3 instance targets at the agent's host ports;
 * - scaling to 1 deregisters 2: their tasks stay DEACTIVATING while the targets drain
 *   (deregistration_delay 2 s), then stop; the service's events say so;
 * - a task whose target is unhealthy is stopped with ECS's reason and replaced;
 * - an awsvpc service registers IP targets (its tasks' interface addresses);
 * - UpdateService with other `loadBalancers` rolls out a deployment whose tasks register in the
 *   new target group while the old tasks leave the old one.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand,
  UpdateServiceCommand, type Task,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeSubnetsCommand, EC2Client, type Subnet } from '@aws-sdk/client-ec2';
import { parseLbArn, putTargetHealth } from '../src/lb/index.ts';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { until } from './support/crash-services.ts';
import { connectFakeAgent, type FakeAgent } from './support/fake-agent.ts';
import { answerTasks } from './support/fake-tasks.ts';
import { ACCOUNT, inProcessControlPlane, refused } from './support/in-process.ts';
import { credentials, region } from './support/wharf.ts';

const controlPlane = inProcessControlPlane();
const CLUSTER = 'lb';
let plane: ControlPlane;
let ecs: ECSClient;
let elb: ElasticLoadBalancingV2Client;
let subnets: Subnet[];
let agent: FakeAgent;
let instanceId = '';
let alb = '';
const scope = { account: ACCOUNT, region };

before(async () => {
  plane = await controlPlane();
  const options = { endpoint: plane.url, region, credentials, maxAttempts: 1 };
  ecs = new ECSClient(options);
  elb = new ElasticLoadBalancingV2Client(options);
  const ec2 = new EC2Client(options);
  subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!;
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  agent = await connectFakeAgent(plane.url, { cluster: CLUSTER, cpu: 8192, memory: 16384, eniLimit: 8, attributes: [{ name: 'ecs.capability.task-eni' }] });
  answerTasks(agent);
  alb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: [subnets[0]!.SubnetId!, subnets[1]!.SubnetId!] }))).LoadBalancers![0]!.LoadBalancerArn!;
});

/** A target group (of the default VPC) with a 2 s deregistration delay, forwarded to by a listener on `port` unless `attached` is false. */
async function targetGroup(name: string, targetType: 'instance' | 'ip', port?: number): Promise<string> {
  const arn = (await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: subnets[0]!.VpcId, TargetType: targetType }))).TargetGroups![0]!.TargetGroupArn!;
  await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '2' }] }));
  if (port !== undefined) await elb.send(new CreateListenerCommand({ LoadBalancerArn: alb, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: arn }] }));
  return arn;
}

async function taskDefinition(family: string, networkMode: 'bridge' | 'awsvpc'): Promise<string> {
  return (await ecs.send(new RegisterTaskDefinitionCommand({
    family, networkMode,
    containerDefinitions: [{ name: 'web', image: 'wharf-test/busybox', memory: 64, portMappings: [{ containerPort: 80, ...(networkMode === 'bridge' && { hostPort: 0 }) }] }],
  }))).taskDefinition!.taskDefinitionArn!;
}

async function serviceTasks(service: string, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): Promise<Task[]> {
  const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: service, desiredStatus }))).taskArns ?? [];
  return arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks! : [];
}

const targetsOf = async (arn: string) => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).TargetHealthDescriptions ?? [];
const events = async (service: string) => (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }))).services![0]!.events!.map((e) => e.message!);

/** Writes what a health checker would find of a target. */
async function checked(targetGroupArn: string, id: string, port: number, state: 'healthy' | 'unhealthy'): Promise<void> {
  const unhealthy = state === 'unhealthy' ? { reason: 'Target.Timeout' as const, description: 'Request timed out' } : {};
  await putTargetHealth(plane.store, scope, parseLbArn(targetGroupArn)!.id, { targetGroupArn, id, port, state, ...unhealthy, checkedAt: Date.now() });
}

describe('ECS services behind a load balancer', () => {
  it('refuses load balancer settings ECS refuses, with its messages', async () => {
    const td = await taskDefinition('checks', 'bridge');
    const attached = await targetGroup('attached', 'instance', 8080);
    const loose = await targetGroup('loose', 'instance');
    const ips = await targetGroup('ips', 'ip', 8081);
    const create = (loadBalancers: object[]) => ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'bad', taskDefinition: td, desiredCount: 1, loadBalancers }));
    const lb = { targetGroupArn: attached, containerName: 'web', containerPort: 80 };
    await refused(create([{ ...lb, targetGroupArn: loose }]), 'InvalidParameterException', `The target group with targetGroupArn ${loose} does not have an associated load balancer.`);
    await refused(create([{ ...lb, targetGroupArn: ips }]), 'InvalidParameterException',
      `The provided target group ${ips} has target type ip, which is incompatible with the bridge network mode specified in the task definition.`);
    await refused(create([{ ...lb, containerName: 'db' }]), 'InvalidParameterException', 'The container db does not exist in the task definition.');
    await refused(create([{ ...lb, containerPort: 8080 }]), 'InvalidParameterException', 'The container web did not have a container port 8080 defined.');
    await refused(create([{ ...lb, targetGroupArn: attached.replace(/[0-9a-f]{16}$/, '0123456789abcdef') }]), 'InvalidParameterException', /^Unable to assume role and validate the specified targetGroupArn/);
    await refused(create([{ loadBalancerName: 'classic', containerName: 'web', containerPort: 80 }]), 'InvalidParameterException', 'The load balancer classic does not exist.');
  });

  it('registers a bridge service of 3 as instance targets, drains 2 on scale-in, and replaces a task failing ELB health checks', async () => {
    const td = await taskDefinition('web', 'bridge');
    const tg = await targetGroup('web', 'instance', 80);
    const service = (await ecs.send(new CreateServiceCommand({
      cluster: CLUSTER, serviceName: 'web', taskDefinition: td, desiredCount: 3, role: 'ecsServiceRole',
      loadBalancers: [{ targetGroupArn: tg, containerName: 'web', containerPort: 80 }],
    }))).service!;
    assert.deepEqual(service.loadBalancers, [{ targetGroupArn: tg, containerName: 'web', containerPort: 80 }]);

    // 3 instance targets at the host ports the agent bound.
    const registered = await until('3 targets registered', async () => {
      const t = await targetsOf(tg);
      return t.length === 3 ? t : undefined;
    }, { attempts: 200, intervalMs: 50 });
    const tasks = await serviceTasks('web');
    instanceId = registered[0]!.Target!.Id!;
    assert.match(instanceId, /^i-[0-9a-f]{17}$/);
    const bound = tasks.map((t) => t.containers![0]!.networkBindings![0]!.hostPort!).sort();
    assert.deepEqual(registered.map((r) => r.Target!.Port!).sort(), bound);
    assert.ok(registered.every((r) => r.Target!.Id === instanceId && r.TargetHealth!.State === 'initial'));
    const said = await events('web');
    const counted = said.map((m) => /^\(service web\) registered (\d+) targets in \(target-group (.+)\)$/.exec(m)).filter((m) => m && m[2] === tg);
    assert.equal(counted.reduce((n, m) => n + Number(m![1]), 0), 3, said.join('\n'));

    // The health checker finds them healthy: the service reaches a steady state.
    for (const r of registered) await checked(tg, r.Target!.Id!, r.Target!.Port!, 'healthy');
    await until('steady state', async () => (await events('web')).includes('(service web) has reached a steady state.'), { attempts: 200, intervalMs: 50 });

    // Scale to 1: two tasks drain for 2 s, DEACTIVATING, then stop.
    const scaledAt = Date.now();
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'web', desiredCount: 1 }));
    const draining = await until('2 targets draining', async () => {
      const t = (await targetsOf(tg)).filter((d) => d.TargetHealth!.State === 'draining');
      return t.length === 2 ? t : undefined;
    }, { attempts: 200, intervalMs: 25 });
    assert.ok(draining.every((d) => d.TargetHealth!.Reason === 'Target.DeregistrationInProgress'));
    const held = (await serviceTasks('web', 'STOPPED')).filter((t) => t.lastStatus !== 'STOPPED');
    assert.deepEqual(held.map((t) => t.lastStatus), ['DEACTIVATING', 'DEACTIVATING']);
    const stoppedAll = await until('the drained tasks stopped', async () => {
      const s = (await serviceTasks('web', 'STOPPED')).filter((t) => held.some((h) => h.taskArn === t.taskArn));
      return s.every((t) => t.lastStatus === 'STOPPED') ? s : undefined;
    }, { attempts: 300, intervalMs: 50 });
    // They went STOPPING (the agent told to stop them) only once the 2 s deregistration delay had passed.
    for (const t of stoppedAll) assert.ok(t.stoppingAt!.getTime() >= scaledAt + 2_000, `${t.stoppingAt!.toISOString()} vs ${new Date(scaledAt).toISOString()}`);
    const after = await events('web');
    assert.ok(after.includes('(service web) has begun draining connections on 2 tasks.'), after.join('\n'));
    assert.ok(after.includes(`(service web) deregistered 2 targets in (target-group ${tg})`), after.join('\n'));
    assert.equal((await targetsOf(tg)).length, 1);

    // The last task's target turns unhealthy: it is stopped with ECS's reason and replaced by one registered anew.
    const [survivor] = await serviceTasks('web');
    const port = survivor!.containers![0]!.networkBindings![0]!.hostPort!;
    await checked(tg, instanceId, port, 'unhealthy');
    const replaced = await until('the unhealthy task stopped', async () => {
      const t = (await serviceTasks('web', 'STOPPED')).find((x) => x.taskArn === survivor!.taskArn);
      return t?.stoppedReason ? t : undefined;
    }, { attempts: 200, intervalMs: 50 });
    assert.equal(replaced.stoppedReason, `Task failed ELB health checks in (target-group ${tg})`);
    assert.equal(replaced.stopCode, 'ServiceSchedulerInitiated');
    const fresh = await until('a replacement registered', async () => {
      const t = (await targetsOf(tg)).filter((d) => d.TargetHealth!.State === 'initial' && d.Target!.Port !== port);
      return t.length === 1 ? t : undefined;
    }, { attempts: 300, intervalMs: 50 });
    assert.equal(fresh[0]!.Target!.Id, instanceId);
    assert.ok((await events('web')).includes(`(service web) (instance ${instanceId}) (port ${port}) is unhealthy in (target-group ${tg}) due to (reason Request timed out).`));
  });

  it('registers an awsvpc service as IP targets: its tasks\' interface addresses and the container port', async () => {
    const td = await taskDefinition('vpc', 'awsvpc');
    const tg = await targetGroup('vpc', 'ip', 81);
    await ecs.send(new CreateServiceCommand({
      cluster: CLUSTER, serviceName: 'vpc', taskDefinition: td, desiredCount: 2,
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnets[0]!.SubnetId!] } },
      loadBalancers: [{ targetGroupArn: tg, containerName: 'web', containerPort: 80 }],
    }));
    const registered = await until('2 ip targets', async () => {
      const t = await targetsOf(tg);
      return t.length === 2 ? t : undefined;
    }, { attempts: 200, intervalMs: 50, describe: async () => ({ events: await events('vpc'), tasks: (await serviceTasks('vpc')).map((t) => t.lastStatus) }) });
    const addresses = (await serviceTasks('vpc')).map((t) => t.attachments![0]!.details!.find((d) => d.name === 'privateIPv4Address')!.value!).sort();
    assert.deepEqual(registered.map((r) => r.Target!.Id!).sort(), addresses);
    assert.ok(registered.every((r) => r.Target!.Port === 80 && r.Target!.AvailabilityZone === subnets[0]!.AvailabilityZone));
  });

  it('UpdateService with other loadBalancers: the new deployment\'s tasks register in the new group, the old ones leave the old', async () => {
    const td = await taskDefinition('moving', 'bridge');
    const first = await targetGroup('moving-a', 'instance', 82);
    const second = await targetGroup('moving-b', 'instance', 83);
    await ecs.send(new CreateServiceCommand({
      cluster: CLUSTER, serviceName: 'moving', taskDefinition: td, desiredCount: 2,
      loadBalancers: [{ targetGroupArn: first, containerName: 'web', containerPort: 80 }],
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
    }));
    const old = await until('2 targets in the first group', async () => {
      const t = await targetsOf(first);
      return t.length === 2 ? t : undefined;
    }, { attempts: 200, intervalMs: 50 });
    for (const r of old) await checked(first, r.Target!.Id!, r.Target!.Port!, 'healthy');
    const oldTasks = (await serviceTasks('moving')).map((t) => t.taskArn!);

    const updated = (await ecs.send(new UpdateServiceCommand({
      cluster: CLUSTER, service: 'moving', loadBalancers: [{ targetGroupArn: second, containerName: 'web', containerPort: 80 }],
    }))).service!;
    assert.deepEqual(updated.loadBalancers, [{ targetGroupArn: second, containerName: 'web', containerPort: 80 }]);
    assert.equal(updated.deployments!.length, 2, 'a new deployment rolls the change out');
    const fresh = await until('2 targets in the second group', async () => {
      const t = await targetsOf(second);
      return t.length === 2 ? t : undefined;
    }, { attempts: 200, intervalMs: 50 });
    for (const r of fresh) await checked(second, r.Target!.Id!, r.Target!.Port!, 'healthy');
    await until('the first group emptied and the old tasks stopped', async () => {
      const stopped = (await serviceTasks('moving', 'STOPPED')).filter((t) => oldTasks.includes(t.taskArn!) && t.lastStatus === 'STOPPED');
      return (await targetsOf(first)).length === 0 && stopped.length === 2 ? true : undefined;
    }, { attempts: 300, intervalMs: 50 });
    const running = (await serviceTasks('moving')).map((t) => t.containers![0]!.networkBindings![0]!.hostPort!).sort();
    assert.deepEqual((await targetsOf(second)).map((d) => d.Target!.Port!).sort(), running);
    assert.ok(running.length === 2 && (await serviceTasks('moving')).every((t) => !oldTasks.includes(t.taskArn!)));
  });
});
