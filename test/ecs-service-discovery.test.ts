/**
 * ECS services with `serviceRegistries`, through @aws-sdk/client-ecs and
 * @aws-sdk/client-servicediscovery against a control plane in this process, with a fake agent
 * answering for the tasks: each RUNNING task is a Cloud Map instance (its id the task's) found by
 * DiscoverInstances — a bridge service's with its host port for SRV records, an awsvpc
 * service's with its interface address for A records — and leaves when the service scales in; a
 * task whose containers' health checks fail is an UNHEALTHY instance (HealthCheckCustomConfig),
 * left out of DiscoverInstances and of the DNS server's answers.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  CreatePrivateDnsNamespaceCommand, CreateServiceCommand as CreateRegistryCommand, DiscoverInstancesCommand, GetInstancesHealthStatusCommand, GetOperationCommand,
  ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { decode } from 'dns-packet';
import { queryMessage, udpExchange } from '../src/dataplane/dns/wire.testing.ts';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { connectFakeAgent, type FakeAgent } from './support/fake-agent.ts';
import { answerTasks } from './support/fake-tasks.ts';
import { inProcessControlPlane } from './support/in-process.ts';
import { until } from './support/lb-fixture.ts';
import { credentials, region } from './support/wharf.ts';

const CLUSTER = 'discovery';
const controlPlane = inProcessControlPlane();
let ecs: ECSClient;
let sd: ServiceDiscoveryClient;
let subnet = '';
let vpcId = '';
let namespaceId = '';
let agent: FakeAgent;
let plane: ControlPlane;

before(async () => {
  plane = await controlPlane();
  const options = { endpoint: plane.url, region, credentials, maxAttempts: 1 };
  ecs = new ECSClient(options);
  sd = new ServiceDiscoveryClient({ ...options, disableHostPrefix: true });
  const ec2 = new EC2Client(options);
  const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!;
  ec2.destroy();
  subnet = subnets[0]!.SubnetId!;
  vpcId = subnets[0]!.VpcId!;
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  agent = await connectFakeAgent(plane.url, { cluster: CLUSTER, cpu: 8192, memory: 16384, eniLimit: 8, attributes: [{ name: 'ecs.capability.task-eni' }, { name: 'ecs.capability.container-health-check' }, { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.24' }] });
  answerTasks(agent);
  const op = (await sd.send(new CreatePrivateDnsNamespaceCommand({ Name: 'klp.local', Vpc: vpcId }))).OperationId!;
  namespaceId = (await sd.send(new GetOperationCommand({ OperationId: op }))).Operation!.Targets!.NAMESPACE!;
});

async function registry(name: string, type: 'A' | 'SRV'): Promise<string> {
  return (await sd.send(new CreateRegistryCommand({ Name: name, NamespaceId: namespaceId, DnsConfig: { DnsRecords: [{ Type: type, TTL: 10 }], RoutingPolicy: 'MULTIVALUE' } }))).Service!.Arn!;
}

async function taskDefinition(family: string, networkMode: 'bridge' | 'awsvpc'): Promise<string> {
  return (await ecs.send(new RegisterTaskDefinitionCommand({
    family, networkMode,
    containerDefinitions: [{ name: 'web', image: 'wharf-test/busybox', memory: 32, portMappings: [{ containerPort: 80, ...(networkMode === 'bridge' && { hostPort: 0 }) }] }],
  }))).taskDefinition!.taskDefinitionArn!;
}

const discovered = async (service: string) =>
  ((await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'klp.local', ServiceName: service, HealthStatus: 'ALL' }))).Instances ?? [])
    .sort((a, b) => a.InstanceId!.localeCompare(b.InstanceId!));

async function runningTasks(service: string) {
  const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: service, desiredStatus: 'RUNNING' }))).taskArns ?? [];
  const tasks = arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks! : [];
  return tasks.filter((t) => t.lastStatus === 'RUNNING').sort((a, b) => a.taskArn!.localeCompare(b.taskArn!));
}

const idOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

describe('ECS services registering their tasks in Cloud Map', () => {
  it('a bridge service: each running task an instance with its host port (SRV); scaling in deregisters', async () => {
    const registryArn = await registry('config', 'SRV');
    await ecs.send(new CreateServiceCommand({
      cluster: CLUSTER, serviceName: 'config', taskDefinition: await taskDefinition('config', 'bridge'), desiredCount: 2,
      serviceRegistries: [{ registryArn, containerName: 'web', containerPort: 80 }],
    }));
    const instances = await until('2 instances', async () => {
      const found = await discovered('config');
      return found.length === 2 ? found : undefined;
    });
    const tasks = await runningTasks('config');
    assert.deepEqual(instances.map((i) => i.InstanceId), tasks.map((t) => idOf(t.taskArn!)).sort());
    for (const i of instances) {
      const task = tasks.find((t) => idOf(t.taskArn!) === i.InstanceId)!;
      assert.equal(i.Attributes!.AWS_INSTANCE_PORT, String(task.containers![0]!.networkBindings![0]!.hostPort));
      assert.equal(i.Attributes!.AWS_INSTANCE_IPV4, '127.0.0.1');
      assert.equal(i.Attributes!.ECS_SERVICE_NAME, 'config');
      assert.equal(i.Attributes!.ECS_CLUSTER_NAME, CLUSTER);
    }

    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'config', desiredCount: 1 }));
    const left = await until('1 instance', async () => {
      const found = await discovered('config');
      return found.length === 1 ? found : undefined;
    });
    const [remaining] = await until('1 running task', async () => {
      const t = await runningTasks('config');
      return t.length === 1 ? t : undefined;
    });
    assert.equal(left[0]!.InstanceId, idOf(remaining!.taskArn!));
  });

  it("an awsvpc service: each task's interface address (A records)", async () => {
    const registryArn = await registry('auth', 'A');
    await ecs.send(new CreateServiceCommand({
      cluster: CLUSTER, serviceName: 'auth', taskDefinition: await taskDefinition('auth', 'awsvpc'), desiredCount: 2,
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } },
      serviceRegistries: [{ registryArn }],
    }));
    const instances = await until('2 instances', async () => {
      const found = await discovered('auth');
      return found.length === 2 ? found : undefined;
    });
    const addresses = (await runningTasks('auth')).map((t) => t.attachments![0]!.details!.find((d) => d.name === 'privateIPv4Address')!.value!).sort();
    assert.deepEqual(instances.map((i) => i.Attributes!.AWS_INSTANCE_IPV4).sort(), addresses);
    assert.ok(instances.every((i) => i.Attributes!.AWS_INSTANCE_PORT === undefined), 'no port without SRV records or a registry port');
  });

  it("HealthCheckCustomConfig: a task whose containers report UNHEALTHY is an UNHEALTHY instance, answered by neither DiscoverInstances nor DNS", async () => {
    const registry = (await sd.send(new CreateRegistryCommand({
      Name: 'ledger', NamespaceId: namespaceId, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] }, HealthCheckCustomConfig: { FailureThreshold: 1 },
    }))).Service!;
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'ledger', networkMode: 'awsvpc',
      containerDefinitions: [{ name: 'web', image: 'wharf-test/busybox', memory: 32, healthCheck: { command: ['CMD-SHELL', 'true'] } }],
    }));
    await ecs.send(new CreateServiceCommand({
      cluster: CLUSTER, serviceName: 'ledger', taskDefinition: 'ledger', desiredCount: 2, healthCheckGracePeriodSeconds: 3600,
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } }, serviceRegistries: [{ registryArn: registry.Arn! }],
    }));
    await until('2 instances', async () => ((await discovered('ledger')).length === 2 ? true : undefined));
    const [sick, well] = await runningTasks('ledger');
    const ipOf = (t: typeof sick) => t!.attachments![0]!.details!.find((d) => d.name === 'privateIPv4Address')!.value!;
    const report = (t: typeof sick, healthStatus: 'HEALTHY' | 'UNHEALTHY') => agent.send({
      type: 'taskStateChange', change: { taskArn: t!.taskArn!, lastStatus: 'RUNNING', containers: [{ name: 'web', lastStatus: 'RUNNING', healthStatus }] },
    });
    report(well, 'HEALTHY');
    report(sick, 'UNHEALTHY');
    const health = await until('the sick task UNHEALTHY', async () => {
      const status = (await sd.send(new GetInstancesHealthStatusCommand({ ServiceId: registry.Id! }))).Status ?? {};
      return status[idOf(sick!.taskArn!)] === 'UNHEALTHY' ? status : undefined;
    });
    assert.equal(health[idOf(well!.taskArn!)], 'HEALTHY');
    const found = (await sd.send(new DiscoverInstancesCommand({ NamespaceName: 'klp.local', ServiceName: 'ledger' }))).Instances ?? [];
    assert.deepEqual(found.map((i) => i.InstanceId), [idOf(well!.taskArn!)]);
    const reply = await udpExchange(plane.dns!.address, plane.dns!.port, queryMessage('ledger.klp.local', 'A'));
    assert.deepEqual(decode(reply!).answers!.map((a) => (a as { data: unknown }).data), [ipOf(well)]);

    report(sick, 'HEALTHY');
    await until('both HEALTHY again', async () => {
      const status = (await sd.send(new GetInstancesHealthStatusCommand({ ServiceId: registry.Id! }))).Status ?? {};
      return Object.values(status).filter((s) => s === 'HEALTHY').length === 2 ? true : undefined;
    });
    const both = await udpExchange(plane.dns!.address, plane.dns!.port, queryMessage('ledger.klp.local', 'A'));
    assert.deepEqual(decode(both!).answers!.map((a) => (a as { data: unknown }).data).sort(), [ipOf(sick), ipOf(well)].sort());
  });
});
