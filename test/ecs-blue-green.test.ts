/**
 * ECS-native blue/green, canary and linear deployments behind an application load balancer,
 * through @aws-sdk/client-ecs and @aws-sdk/client-elastic-load-balancing-v2 against a control
 * plane in this process. A fake agent answers for the tasks, each "task" a real HTTP server on
 * loopback answering its revision (`v1`, `v2`, …), so the data plane's health checks and the
 * requests sent to the load balancer's production (80) and test (8080) listeners are real.
 * Minutes of bake time are skipped by moving the control plane's clock and nudging the service.
 *
 * - BLUE_GREEN with a PAUSE hook after the test traffic shift: green scales up in the alternate
 *   target group, the test listener reaches only green and production only blue while the hook
 *   waits; ContinueServiceDeployment moves production to green and blue retires.
 * - CANARY 10 %, LINEAR 50 %: the production split measured at each step.
 * - A green revision failing its health checks: the circuit breaker rolls back; production never
 *   answered from it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ContinueServiceDeploymentCommand, CreateClusterCommand, CreateServiceCommand, DescribeServiceDeploymentsCommand, DescribeServicesCommand, ECSClient,
  ListServiceDeploymentsCommand, RegisterTaskDefinitionCommand, TagResourceCommand, UpdateServiceCommand, type DeploymentConfiguration, type ServiceDeployment,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeRulesCommand,
  DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { connectFakeAgent, type FakeAgent } from './support/fake-agent.ts';
import { inProcessControlPlane } from './support/in-process.ts';
import { until } from './support/lb-fixture.ts';
import { listenerRequests, serveRevisions } from './support/revision-servers.ts';
import { credentials, region } from './support/wharf.ts';

const CLUSTER = 'bluegreen';
const SERVICE = 'web';
const skew = { ms: 0 };
const clock = { now: () => Date.now() + skew.ms };
const controlPlane = inProcessControlPlane({ clock });
let ecs: ECSClient;
let elb: ElasticLoadBalancingV2Client;
let agent: FakeAgent;
let address = '';
let blueGroup = '';
let greenGroup = '';
let productionRule = '';
let testRule = '';
const requests = listenerRequests(() => address, { keepAlive: true });
const { get, answers } = requests;
let stopServing = (): void => undefined;

before(async () => {
  const plane = await controlPlane();
  const options = { endpoint: plane.url, region, credentials, maxAttempts: 1 };
  ecs = new ECSClient(options);
  elb = new ElasticLoadBalancingV2Client(options);
  const ec2 = new EC2Client(options);
  const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!;
  ec2.destroy();
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  agent = await connectFakeAgent(plane.url, { cluster: CLUSTER, cpu: 8192, memory: 16384 });
  stopServing = serveRevisions(agent, clock.now);

  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'bluegreen', Subnets: subnets.slice(0, 2).map((s) => s.SubnetId!) }))).LoadBalancers![0]!;
  const group = async (name: string) => {
    const arn = (await elb.send(new CreateTargetGroupCommand({
      Name: name, Protocol: 'HTTP', Port: 80, VpcId: lb.VpcId, TargetType: 'instance', HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    }))).TargetGroups![0]!.TargetGroupArn!;
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '1' }] }));
    return arn;
  };
  blueGroup = await group('bluegreen-a');
  greenGroup = await group('bluegreen-b');
  const forward = [{ Type: 'forward' as const, ForwardConfig: { TargetGroups: [{ TargetGroupArn: blueGroup, Weight: 100 }, { TargetGroupArn: greenGroup, Weight: 0 }] } }];
  for (const port of [80, 8080]) await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: forward }));
  const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!;
  const defaultRule = async (port: number) =>
    (await elb.send(new DescribeRulesCommand({ ListenerArn: listeners.find((l) => l.Port === port)!.ListenerArn }))).Rules!.find((r) => r.IsDefault)!.RuleArn!;
  productionRule = await defaultRule(80);
  testRule = await defaultRule(8080);
  address = (await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lb.LoadBalancerArn!] }))).LoadBalancers![0]!.AvailabilityZones![0]!.LoadBalancerAddresses![0]!.IpAddress!;
});

after(async () => {
  requests.close();
  stopServing();
  await agent?.close();
  elb?.destroy();
  ecs?.destroy();
});

async function revision(n: number, health = 'ok'): Promise<string> {
  return (await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'bluegreen', networkMode: 'bridge',
    containerDefinitions: [{ name: 'web', image: 'wharf-test/busybox', memory: 32, environment: [{ name: 'HEALTH', value: health }, { name: 'N', value: String(n) }], portMappings: [{ containerPort: 80, hostPort: 0 }] }],
  }))).taskDefinition!.taskDefinitionArn!;
}

const service = async () => (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!;
const deployment = async (arn: string): Promise<ServiceDeployment> => (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0]!;
/** The newest service deployment's ARN (ListServiceDeployments lists newest first). */
const primaryArn = async () =>
  (await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE }))).serviceDeployments![0]!.serviceDeploymentArn!;

/** Moves the control plane's clock on and has the service looked at again (a tag written rewrites it). */
async function passMinutes(minutes: number): Promise<void> {
  skew.ms += minutes * 60_000;
  await ecs.send(new TagResourceCommand({ resourceArn: (await service()).serviceArn!, tags: [{ key: 'nudge', value: String(skew.ms) }] }));
}

const healthy = async (arn: string) => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).TargetHealthDescriptions!.filter((d) => d.TargetHealth!.State === 'healthy').length;

/** Until the service has one deployment, COMPLETED, with `count` tasks running. */
async function settled(count: number): Promise<void> {
  await until('the service settled', async () => {
    const s = await service();
    return s.deployments!.length === 1 && s.deployments![0]!.rolloutState === 'COMPLETED' && s.runningCount === count ? true : undefined;
  }, 120_000);
}

describe('ECS-native blue/green behind an ALB', () => {
  it('BLUE_GREEN with a PAUSE hook: test traffic reaches green only, production blue only, until the hook is continued; then green only', async () => {
    const configuration: DeploymentConfiguration = {
      strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0,
      lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], timeoutConfiguration: { timeoutInMinutes: 30, action: 'ROLLBACK' } }],
    };
    await ecs.send(new CreateServiceCommand({
      cluster: CLUSTER, serviceName: SERVICE, taskDefinition: await revision(1), desiredCount: 2, deploymentConfiguration: configuration,
      loadBalancers: [{
        targetGroupArn: blueGroup, containerName: 'web', containerPort: 80,
        advancedConfiguration: { alternateTargetGroupArn: greenGroup, productionListenerRule: productionRule, testListenerRule: testRule, roleArn: 'arn:aws:iam::123456789012:role/ecsInfrastructure' },
      }],
    }));
    await settled(2);
    assert.equal(await healthy(blueGroup), 2);
    assert.deepEqual(await answers(80, 20), { v1: 20 });
    const shown = (await service()).deploymentConfiguration!;
    assert.equal(shown.strategy, 'BLUE_GREEN');
    assert.equal(shown.lifecycleHooks![0]!.targetType, 'PAUSE');

    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: await revision(2) }));
    const green = await primaryArn();
    const paused = await until('green paused at POST_TEST_TRAFFIC_SHIFT', async () => {
      const d = await deployment(green);
      return d.lifecycleStage === 'POST_TEST_TRAFFIC_SHIFT' ? d : undefined;
    }, 90_000);
    assert.equal(paused.status, 'IN_PROGRESS');
    const [hook] = paused.lifecycleHookDetails!;
    assert.equal(hook!.status, 'AWAITING_ACTION');
    assert.match(hook!.hookId!, /^ecs-pause-[0-9a-f]{35}$/);
    assert.equal(await healthy(greenGroup), 2, 'green runs in the alternate target group');
    assert.deepEqual(await answers(8080, 20), { v2: 20 }, 'the test listener reaches green only');
    assert.deepEqual(await answers(80, 20), { v1: 20 }, 'production stays on blue');

    await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: green, hookId: hook!.hookId!, action: 'CONTINUE' }));
    await until('production on green', async () => ((await answers(80, 5)).v2 === 5 ? true : undefined), 30_000);
    await settled(2);
    const done = await deployment(green);
    assert.equal(done.status, 'SUCCESSFUL');
    assert.equal(done.lifecycleHookDetails![0]!.status, 'SUCCEEDED');
    assert.deepEqual(await answers(80, 20), { v2: 20 });
    assert.equal(await healthy(blueGroup), 0, 'blue retired from its target group');
  });

  it('CANARY 10 %: a tenth of production on green for the canary bake time, then all (the split measured)', async () => {
    await ecs.send(new UpdateServiceCommand({
      cluster: CLUSTER, service: SERVICE, taskDefinition: await revision(3),
      deploymentConfiguration: { strategy: 'CANARY', bakeTimeInMinutes: 0, canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 } },
    }));
    const canary = await primaryArn();
    await until('the canary step taken', async () => ((await deployment(canary)).lifecycleStage === 'PRODUCTION_TRAFFIC_SHIFT' ? true : undefined), 90_000);
    const split = await answers(80, 1000);
    console.log(`canary 10 %: ${JSON.stringify(split)}`);
    assert.deepEqual(Object.keys(split).sort(), ['v2', 'v3']);
    assert.ok(split.v3! >= 60 && split.v3! <= 140, `v3 answered ${split.v3} of 1000`);
    await passMinutes(5);
    await settled(2);
    assert.deepEqual(await answers(80, 20), { v3: 20 });
  });

  it('LINEAR 50 %: half of production, then all after the step bake time (the split measured)', async () => {
    await ecs.send(new UpdateServiceCommand({
      cluster: CLUSTER, service: SERVICE, taskDefinition: await revision(4),
      deploymentConfiguration: { strategy: 'LINEAR', bakeTimeInMinutes: 0, linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 3 } },
    }));
    const linear = await primaryArn();
    await until('the first step taken', async () => ((await deployment(linear)).lifecycleStage === 'PRODUCTION_TRAFFIC_SHIFT' ? true : undefined), 90_000);
    const split = await answers(80, 1000);
    console.log(`linear 50 %: ${JSON.stringify(split)}`);
    assert.ok(split.v4! >= 430 && split.v4! <= 570, `v4 answered ${split.v4} of 1000`);
    assert.equal(split.v4! + split.v3!, 1000);
    await passMinutes(3);
    await settled(2);
    assert.deepEqual(await answers(80, 20), { v4: 20 });
  });

  it('a green revision failing its health checks is rolled back by the circuit breaker; production never reaches it', async () => {
    await ecs.send(new UpdateServiceCommand({
      cluster: CLUSTER, service: SERVICE, taskDefinition: await revision(5, 'fail'),
      deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0, deploymentCircuitBreaker: { enable: true, rollback: true } },
      healthCheckGracePeriodSeconds: 0,
    }));
    const bad = await primaryArn();
    const blueVersion = `v${(await service()).deployments!.find((d) => d.status === 'ACTIVE')!.taskDefinition!.split(':').pop()}`;
    const seen: Record<string, number> = {};
    const rolledBack = await until('green rolled back', async () => {
      for (const [k, v] of Object.entries(await answers(80, 10))) seen[k] = (seen[k] ?? 0) + v;
      const d = await deployment(bad);
      return d.status === 'ROLLBACK_SUCCESSFUL' ? d : undefined;
    }, 150_000).catch(async (error: unknown) => {
      const s = await service();
      console.log(JSON.stringify({ deployment: await deployment(bad), deployments: s.deployments, events: s.events!.slice(0, 15).map((e) => e.message) }, null, 1));
      throw error;
    });
    assert.deepEqual(Object.keys(seen), [blueVersion], `production answered ${JSON.stringify(seen)}`);
    assert.match(rolledBack.statusReason!, /circuit breaker/i);
    await settled(2);
    assert.deepEqual(await answers(80, 20), { [blueVersion]: 20 });
  });
});
