/**
 * CodeDeploy blue/green deployments of a real ECS service (deploymentController CODE_DEPLOY)
 * behind an application load balancer, through @aws-sdk/client-codedeploy, @aws-sdk/client-ecs
 * and @aws-sdk/client-elastic-load-balancing-v2 against a control plane in this process. A fake
 * agent answers for the tasks, each "task" a real HTTP server on loopback answering its
 * revision, so health checks and the requests through the production (80) and test (8080)
 * listeners are real. The canary's minutes are skipped by moving the control plane's clock.
 *
 * - CANARY 10 % with a Ready wait: the replacement task set runs in the other target group, the
 *   test listener reaches it only while production stays on the original; ContinueDeployment
 *   sends a tenth of production to it, the rest after the canary interval; the original task
 *   set is deleted and its tasks retire.
 * - StopDeployment with rollback: production back on the original, the replacement deleted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CodeDeployClient, ContinueDeploymentCommand, CreateApplicationCommand, CreateDeploymentCommand, CreateDeploymentGroupCommand, GetDeploymentCommand,
  StopDeploymentCommand, UpdateDeploymentGroupCommand,
} from '@aws-sdk/client-codedeploy';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeLoadBalancersCommand, DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { connectFakeAgent, type FakeAgent } from './support/fake-agent.ts';
import { ACCOUNT, inProcessControlPlane } from './support/in-process.ts';
import { until } from './support/lb-fixture.ts';
import { listenerRequests, serveRevisions } from './support/revision-servers.ts';
import { credentials, region } from './support/wharf.ts';

const CLUSTER = 'codedeploy';
const SERVICE = 'shop';
const skew = { ms: 0 };
const clock = { now: () => Date.now() + skew.ms };
const controlPlane = inProcessControlPlane({ clock });
let ecs: ECSClient;
let elb: ElasticLoadBalancingV2Client;
let cd: CodeDeployClient;
let agent: FakeAgent;
let address = '';
let groupA = '';
let groupB = '';
const requests = listenerRequests(() => address, { keepAlive: true });
const { answers } = requests;
let stopServing = (): void => undefined;

before(async () => {
  const plane = await controlPlane();
  const options = { endpoint: plane.url, region, credentials, maxAttempts: 1 };
  ecs = new ECSClient(options);
  elb = new ElasticLoadBalancingV2Client(options);
  cd = new CodeDeployClient(options);
  const ec2 = new EC2Client(options);
  const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!;
  ec2.destroy();
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  agent = await connectFakeAgent(plane.url, { cluster: CLUSTER, cpu: 8192, memory: 16384 });
  stopServing = serveRevisions(agent, clock.now);
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'codedeploy', Subnets: subnets.slice(0, 2).map((s) => s.SubnetId!) }))).LoadBalancers![0]!;
  const group = async (name: string) => {
    const arn = (await elb.send(new CreateTargetGroupCommand({
      Name: name, Protocol: 'HTTP', Port: 80, VpcId: lb.VpcId, TargetType: 'instance', HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    }))).TargetGroups![0]!.TargetGroupArn!;
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '1' }] }));
    return arn;
  };
  groupA = await group('shop-a');
  groupB = await group('shop-b');
  const listener = async (port: number) => (await elb.send(new CreateListenerCommand({
    LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: groupA }],
  }))).Listeners![0]!.ListenerArn!;
  const prod = await listener(80);
  const test = await listener(8080);
  address = (await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lb.LoadBalancerArn!] }))).LoadBalancers![0]!.AvailabilityZones![0]!.LoadBalancerAddresses![0]!.IpAddress!;

  await ecs.send(new CreateServiceCommand({
    cluster: CLUSTER, serviceName: SERVICE, taskDefinition: await revision(1), desiredCount: 2, deploymentController: { type: 'CODE_DEPLOY' },
    loadBalancers: [{ targetGroupArn: groupA, containerName: 'web', containerPort: 80 }],
  }));
  await cd.send(new CreateApplicationCommand({ applicationName: 'shop', computePlatform: 'ECS' }));
  await cd.send(new CreateDeploymentGroupCommand({
    applicationName: 'shop', deploymentGroupName: 'shop', serviceRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsCodeDeployRole`,
    deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    ecsServices: [{ clusterName: CLUSTER, serviceName: SERVICE }],
    loadBalancerInfo: { targetGroupPairInfoList: [{ targetGroups: [{ name: 'shop-a' }, { name: 'shop-b' }], prodTrafficRoute: { listenerArns: [prod] }, testTrafficRoute: { listenerArns: [test] } }] },
    blueGreenDeploymentConfiguration: {
      terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 0 },
      deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 30 },
    },
    autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
  }));
});

after(async () => {
  requests.close();
  stopServing();
  await agent?.close();
  elb?.destroy();
  ecs?.destroy();
  cd?.destroy();
});

async function revision(n: number): Promise<string> {
  return (await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'codedeploy', networkMode: 'bridge',
    containerDefinitions: [{ name: 'web', image: 'wharf-test/busybox', memory: 32, environment: [{ name: 'N', value: String(n) }], portMappings: [{ containerPort: 80, hostPort: 0 }] }],
  }))).taskDefinition!.taskDefinitionArn!;
}

const appSpec = (taskDefinition: string) => JSON.stringify({
  version: 0.0,
  Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: taskDefinition, LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 80 } } } }],
});

const service = async () => (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!;
const healthy = async (arn: string) => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).TargetHealthDescriptions!.filter((d) => d.TargetHealth!.State === 'healthy').length;
const status = async (id: string) => (await cd.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!.status;

describe('CodeDeploy blue/green of an ECS service behind an ALB', () => {
  it('CANARY 10 % after a Ready wait: test traffic on green only, then a tenth of production, then all; blue deleted', async () => {
    await until('blue healthy', async () => ((await healthy(groupA)) === 2 ? true : undefined), 60_000);
    assert.deepEqual(await answers(80, 10), { v1: 10 });

    const { deploymentId } = await cd.send(new CreateDeploymentCommand({
      applicationName: 'shop', deploymentGroupName: 'shop', revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec(await revision(2)) } },
    }));
    await until('Ready', async () => ((await status(deploymentId!)) === 'Ready' ? true : undefined), 90_000);
    assert.equal(await healthy(groupB), 2, 'green runs in the other target group');
    assert.deepEqual((await service()).taskSets!.map((t) => [t.status, t.loadBalancers![0]!.targetGroupArn]), [['PRIMARY', groupA], ['ACTIVE', groupB]]);
    assert.deepEqual(await answers(8080, 20), { v2: 20 }, 'the test listener reaches green only');
    assert.deepEqual(await answers(80, 20), { v1: 20 }, 'production stays on blue');

    await cd.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'READY_WAIT' }));
    await until('the canary step', async () => ((await answers(80, 5)).v2 !== undefined ? true : undefined), 20_000);
    const split = await answers(80, 400);
    assert.ok((split.v2 ?? 0) >= 15 && (split.v2 ?? 0) <= 70, `about a tenth on green: ${JSON.stringify(split)}`);
    skew.ms += 5 * 60_000;
    await until('Succeeded', async () => ((await status(deploymentId!)) === 'Succeeded' ? true : undefined), 60_000);
    assert.deepEqual(await answers(80, 20), { v2: 20 });
    await until('blue gone', async () => ((await service()).taskSets!.length === 1 && (await healthy(groupA)) === 0 ? true : undefined), 60_000);
    assert.deepEqual((await service()).taskSets!.map((t) => [t.status, t.loadBalancers![0]!.targetGroupArn]), [['PRIMARY', groupB]]);
  });

  it('StopDeployment with rollback: production back on the original task set, the replacement deleted', async () => {
    await cd.send(new UpdateDeploymentGroupCommand({
      applicationName: 'shop', currentDeploymentGroupName: 'shop', deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
      blueGreenDeploymentConfiguration: { terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 60 } },
    }));
    const { deploymentId } = await cd.send(new CreateDeploymentCommand({
      applicationName: 'shop', deploymentGroupName: 'shop', revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec(await revision(3)) } },
    }));
    await until('Ready', async () => ((await status(deploymentId!)) === 'Ready' ? true : undefined), 90_000);
    await cd.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'READY_WAIT' }));
    await until('production on v3', async () => ((await answers(80, 5)).v3 === 5 ? true : undefined), 30_000);
    await cd.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }));
    await until('Stopped', async () => ((await status(deploymentId!)) === 'Stopped' ? true : undefined), 30_000);
    assert.deepEqual(await answers(80, 20), { v2: 20 }, 'production back on the original');
    await until('the replacement gone', async () => ((await service()).taskSets!.length === 1 ? true : undefined), 60_000);
    assert.deepEqual((await service()).taskSets!.map((t) => [t.status, t.loadBalancers![0]!.targetGroupArn]), [['PRIMARY', groupB]]);
  });
});
