/**
 * ECS task sets of an EXTERNAL service, through @aws-sdk/client-ecs,
 * @aws-sdk/client-elastic-load-balancing-v2 and the AWS CLI against a control plane in this
 * process, with a fake agent (no containers: the test answers for it, reporting each task RUNNING
 * with a host port and STOPPED when told to stop):
 *
 * - an EXTERNAL service starts with no task set; CreateTaskSet with a target group starts its
 *   computed count of tasks (startedBy its id, group service:<name>), registered in that group;
 * - UpdateTaskSet to 50 % stops half of them, which leave the target group;
 * - a second task set runs beside the first in its own target group; UpdateServicePrimaryTaskSet
 *   makes it PRIMARY (DescribeServices shows it); DeleteTaskSet stops the first one's tasks,
 *   deregisters them, and the task set is gone;
 * - a task set's tasks are registered in its Cloud Map registry with its externalId;
 * - a CODE_DEPLOY service runs its first (PRIMARY) task set's tasks;
 * - ECS's errors; `aws ecs create-task-set`; DeleteService drains the rest.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, CreateTaskSetCommand, DeleteServiceCommand, DeleteTaskSetCommand, DescribeServicesCommand,
  DescribeTaskSetsCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand,
  UpdateServicePrimaryTaskSetCommand, UpdateTaskSetCommand, type Task,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeSubnetsCommand, EC2Client, type Subnet } from '@aws-sdk/client-ec2';
import {
  CreatePrivateDnsNamespaceCommand, CreateServiceCommand as CreateRegistryCommand, DiscoverInstancesCommand, GetOperationCommand, ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { parseLbArn, putTargetHealth } from '../src/lb/index.ts';
import { until } from './support/crash-services.ts';
import { connectFakeAgent, type FakeAgent } from './support/fake-agent.ts';
import { answerTasks } from './support/fake-tasks.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused } from './support/in-process.ts';
import { credentials, region } from './support/wharf.ts';

const controlPlane = inProcessControlPlane();
const CLUSTER = 'sets';
const SERVICE = 'web';
let plane: ControlPlane;
let ecs: ECSClient;
let elb: ElasticLoadBalancingV2Client;
let subnets: Subnet[];
let agent: FakeAgent;
let alb = '';
let td = '';
const { cli, cliFails } = awsCli(() => plane.url, 'ecs');

before(async () => {
  plane = await controlPlane();
  const options = { endpoint: plane.url, region, credentials, maxAttempts: 1 };
  ecs = new ECSClient(options);
  elb = new ElasticLoadBalancingV2Client(options);
  subnets = (await new EC2Client(options).send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!;
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  agent = await connectFakeAgent(plane.url, { cluster: CLUSTER, cpu: 8192, memory: 16384 });
  answerTasks(agent);
  alb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'sets', Subnets: [subnets[0]!.SubnetId!, subnets[1]!.SubnetId!] }))).LoadBalancers![0]!.LoadBalancerArn!;
  td = (await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'web', networkMode: 'bridge',
    containerDefinitions: [{ name: 'web', image: 'wharf-test/busybox', memory: 64, portMappings: [{ containerPort: 80, hostPort: 0 }] }],
  }))).taskDefinition!.taskDefinitionArn!;
});

/** An instance target group with a 1 s deregistration delay, forwarded to by a listener on `port`. */
async function targetGroup(name: string, port: number): Promise<string> {
  const arn = (await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: subnets[0]!.VpcId, TargetType: 'instance' }))).TargetGroups![0]!.TargetGroupArn!;
  await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '1' }] }));
  await elb.send(new CreateListenerCommand({ LoadBalancerArn: alb, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: arn }] }));
  return arn;
}

/** The service's tasks wanted RUNNING, by task set id. */
async function tasksBySet(): Promise<Map<string, Task[]>> {
  const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredStatus: 'RUNNING' }))).taskArns ?? [];
  const tasks = arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks! : [];
  const out = new Map<string, Task[]>();
  for (const t of tasks) out.set(t.startedBy!, [...(out.get(t.startedBy!) ?? []), t]);
  return out;
}

/** Writes what a health checker would find of every target of the group: healthy. */
async function allHealthy(targetGroupArn: string): Promise<void> {
  for (const d of (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))).TargetHealthDescriptions ?? []) {
    await putTargetHealth(plane.store, { account: ACCOUNT, region }, parseLbArn(targetGroupArn)!.id, {
      targetGroupArn, id: d.Target!.Id!, port: d.Target!.Port!, state: 'healthy', checkedAt: Date.now(),
    });
  }
}

const targetCount = async (arn: string) => ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).TargetHealthDescriptions ?? []).length;
const describeSets = async (taskSets?: string[]) => (await ecs.send(new DescribeTaskSetsCommand({ cluster: CLUSTER, service: SERVICE, taskSets }))).taskSets!;
const waitFor = <T>(what: string, check: () => Promise<T | undefined>) => until(what, check, { attempts: 300, intervalMs: 50 });

describe('ECS task sets of an EXTERNAL service', () => {
  let blue = '';
  let green = '';
  let blueGroup = '';
  let greenGroup = '';

  it('creates an EXTERNAL service with no task set, refusing what its task sets carry', async () => {
    await refused(ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'bad', desiredCount: 1, taskDefinition: td, deploymentController: { type: 'EXTERNAL' } })),
      'InvalidParameterException', 'TaskDefinition must be blank.');
    const service = (await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredCount: 4, deploymentController: { type: 'EXTERNAL' } }))).service!;
    assert.deepEqual(service.deploymentController, { type: 'EXTERNAL' });
    assert.deepEqual(service.taskSets, []);
    assert.deepEqual(service.deployments, []);
  });

  it('CreateTaskSet with a target group: its tasks start and register in that group', async () => {
    blueGroup = await targetGroup('blue', 80);
    const lb = { targetGroupArn: blueGroup, containerName: 'web', containerPort: 80 };
    const ts = (await ecs.send(new CreateTaskSetCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: 'web', externalId: 'release-1', loadBalancers: [lb] }))).taskSet!;
    blue = ts.id!;
    assert.match(blue, /^ecs-svc\/\d{19}$/);
    assert.match(ts.taskSetArn!, new RegExp(`:task-set/${CLUSTER}/${SERVICE}/ecs-svc/\\d{19}$`));
    assert.equal(ts.status, 'ACTIVE');
    assert.equal(ts.computedDesiredCount, 4);
    assert.equal(ts.externalId, 'release-1');
    assert.deepEqual(ts.loadBalancers, [lb]);
    await waitFor('4 targets in blue', async () => ((await targetCount(blueGroup)) === 4 ? true : undefined));
    const tasks = (await tasksBySet()).get(blue)!;
    assert.equal(tasks.length, 4);
    assert.ok(tasks.every((t) => t.group === `service:${SERVICE}` && t.startedBy === blue && t.taskDefinitionArn === td));
    assert.equal((await describeSets([blue]))[0]!.stabilityStatus, 'STABILIZING', 'not steady while its targets are not healthy');
    await allHealthy(blueGroup);
    const [shown] = await waitFor('blue steady', async () => {
      const sets = await describeSets([blue]);
      return sets[0]?.stabilityStatus === 'STEADY_STATE' ? sets : undefined;
    });
    assert.equal(shown.runningCount, 4);
    assert.equal(shown.pendingCount, 0);
    assert.ok(shown.stabilityStatusAt instanceof Date);
  });

  it('UpdateTaskSet to 50 %: half its tasks stop and leave the target group', async () => {
    const ts = (await ecs.send(new UpdateTaskSetCommand({ cluster: CLUSTER, service: SERVICE, taskSet: blue, scale: { value: 50, unit: 'PERCENT' } }))).taskSet!;
    assert.equal(ts.computedDesiredCount, 2);
    assert.deepEqual(ts.scale, { value: 50, unit: 'PERCENT' });
    await waitFor('2 blue tasks in 2 targets', async () => ((await tasksBySet()).get(blue)?.length === 2 && (await targetCount(blueGroup)) === 2 ? true : undefined));
  });

  it('a second task set runs beside it, becomes PRIMARY, and DeleteTaskSet drains the first', async () => {
    greenGroup = await targetGroup('green', 81);
    green = (await ecs.send(new CreateTaskSetCommand({
      cluster: CLUSTER, service: SERVICE, taskDefinition: td, scale: { value: 100, unit: 'PERCENT' },
      loadBalancers: [{ targetGroupArn: greenGroup, containerName: 'web', containerPort: 80 }],
    }))).taskSet!.id!;
    await waitFor('4 green targets', async () => ((await targetCount(greenGroup)) === 4 ? true : undefined));
    assert.equal((await tasksBySet()).get(blue)!.length, 2, 'blue keeps its own count');

    const primary = (await ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: CLUSTER, service: SERVICE, primaryTaskSet: green }))).taskSet!;
    assert.equal(primary.status, 'PRIMARY');
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!;
    assert.deepEqual(service.taskSets!.map((t) => [t.id, t.status]), [[green, 'PRIMARY'], [blue, 'ACTIVE']]);
    assert.equal(service.taskDefinition, td);
    assert.deepEqual(service.loadBalancers, [{ targetGroupArn: greenGroup, containerName: 'web', containerPort: 80 }]);

    await refused(ecs.send(new DeleteTaskSetCommand({ cluster: CLUSTER, service: SERVICE, taskSet: blue })), 'InvalidParameterException', /scaled above 0/);
    const deleted = (await ecs.send(new DeleteTaskSetCommand({ cluster: CLUSTER, service: SERVICE, taskSet: blue, force: true }))).taskSet!;
    assert.equal(deleted.status, 'DRAINING');
    await waitFor('blue gone', async () => ((await describeSets()).length === 1 ? true : undefined));
    assert.equal((await tasksBySet()).get(blue), undefined);
    assert.equal(await targetCount(blueGroup), 0);
    assert.equal(await targetCount(greenGroup), 4);
    const missing = await ecs.send(new DescribeTaskSetsCommand({ cluster: CLUSTER, service: SERVICE, taskSets: [blue] }));
    assert.deepEqual(missing.failures, [{ arn: blue, reason: 'MISSING' }]);
  });

  it("UpdateService's desiredCount changes the task sets' counts; what it may not change is refused", async () => {
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, desiredCount: 2 }));
    assert.equal((await describeSets([green]))[0]!.computedDesiredCount, 2);
    await waitFor('2 green targets', async () => ((await targetCount(greenGroup)) === 2 ? true : undefined));
    await refused(ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: td })), 'InvalidParameterException',
      'taskDefinition can not be updated for a service using the EXTERNAL deployment controller.');
  });

  it("refuses what ECS refuses, with its errors", async () => {
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'rolling', taskDefinition: td, desiredCount: 0 }));
    await refused(ecs.send(new CreateTaskSetCommand({ cluster: CLUSTER, service: 'rolling', taskDefinition: td })), 'InvalidParameterException',
      'Amazon ECS only supports task set management on services configured to use external deployment controllers.');
    await refused(ecs.send(new CreateTaskSetCommand({ cluster: CLUSTER, service: 'none', taskDefinition: td })), 'ServiceNotFoundException');
    await refused(ecs.send(new UpdateTaskSetCommand({ cluster: CLUSTER, service: SERVICE, taskSet: 'ecs-svc/1111111111111111111', scale: { value: 10, unit: 'PERCENT' } })),
      'TaskSetNotFoundException');
    await refused(ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: CLUSTER, service: SERVICE, primaryTaskSet: blue })), 'TaskSetNotFoundException');
  });

  it('aws ecs create-task-set and describe-task-sets through the AWS CLI', async () => {
    const out = await cli('create-task-set', '--cluster', CLUSTER, '--service', SERVICE, '--task-definition', 'web', '--scale', 'value=0,unit=PERCENT', '--external-id', 'cli');
    assert.match(out.taskSet.id, /^ecs-svc\/\d{19}$/);
    assert.equal(out.taskSet.computedDesiredCount, 0);
    assert.equal(out.taskSet.externalId, 'cli');
    const described = await cli('describe-task-sets', '--cluster', CLUSTER, '--service', SERVICE, '--task-sets', out.taskSet.id);
    assert.equal(described.taskSets[0].taskSetArn, out.taskSet.taskSetArn);
    assert.match(await cliFails('create-task-set', '--cluster', CLUSTER, '--service', 'rolling', '--task-definition', 'web'), /InvalidParameterException/);
  });

  it("a task set's tasks are instances of its own Cloud Map registry, with its externalId; deleting it deregisters them", async () => {
    const sd = new ServiceDiscoveryClient({ endpoint: plane.url, region, credentials, maxAttempts: 1, disableHostPrefix: true });
    const op = (await sd.send(new CreatePrivateDnsNamespaceCommand({ Name: 'sets.local', Vpc: subnets[0]!.VpcId! }))).OperationId!;
    const namespaceId = (await sd.send(new GetOperationCommand({ OperationId: op }))).Operation!.Targets!.NAMESPACE!;
    const registryArn = (await sd.send(new CreateRegistryCommand({
      Name: 'api', NamespaceId: namespaceId, DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }], RoutingPolicy: 'MULTIVALUE' },
    }))).Service!.Arn!;
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'api', desiredCount: 2, deploymentController: { type: 'EXTERNAL' } }));
    const ts = (await ecs.send(new CreateTaskSetCommand({
      cluster: CLUSTER, service: 'api', taskDefinition: td, externalId: 'release-7', serviceRegistries: [{ registryArn, containerName: 'web', containerPort: 80 }],
    }))).taskSet!;
    const discovered = async () => (await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'sets.local', ServiceName: 'api', HealthStatus: 'ALL' }))).Instances ?? [];
    const instances = await waitFor('2 instances', async () => {
      const found = await discovered();
      return found.length === 2 ? found : undefined;
    });
    assert.ok(instances.every((i) => i.Attributes!.ECS_TASK_SET_EXTERNAL_ID === 'release-7' && i.Attributes!.ECS_SERVICE_NAME === 'api'));
    await ecs.send(new DeleteTaskSetCommand({ cluster: CLUSTER, service: 'api', taskSet: ts.id, force: true }));
    await waitFor('no instance', async () => ((await discovered()).length === 0 ? true : undefined));
    sd.destroy();
  });

  it('a CODE_DEPLOY service runs the tasks of the PRIMARY task set CreateService made', async () => {
    const service = (await ecs.send(new CreateServiceCommand({
      cluster: CLUSTER, serviceName: 'cd', taskDefinition: td, desiredCount: 2, deploymentController: { type: 'CODE_DEPLOY' },
    }))).service!;
    const [primary] = service.taskSets!;
    assert.equal(primary!.status, 'PRIMARY');
    const running = await waitFor('2 tasks of the primary task set', async () => {
      const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'cd', desiredStatus: 'RUNNING' }))).taskArns ?? [];
      const tasks = arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks! : [];
      return tasks.length === 2 && tasks.every((t) => t.lastStatus === 'RUNNING') ? tasks : undefined;
    });
    assert.ok(running.every((t) => t.startedBy === primary!.id));
    await refused(ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'cd', taskDefinition: td })), 'InvalidParameterException',
      'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.');
  });

  it('DeleteService drains every task set and its tasks', async () => {
    await ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: SERVICE, force: true }));
    await waitFor('service INACTIVE', async () => {
      const s = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0];
      return s?.status === 'INACTIVE' ? true : undefined;
    });
    assert.equal((await tasksBySet()).size, 0);
    assert.equal(await targetCount(greenGroup), 0);
  });
});
