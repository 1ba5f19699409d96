/**
 * A stage for ECS-native blue/green deployments behind an application load balancer, in this
 * process: a control plane (its clock skewable, so bake times can be skipped), a fake agent whose
 * "tasks" are real HTTP servers on loopback answering their revision (`v1`, `v2`, …; a revision
 * with HEALTH=fail answers 500), and a load balancer with two target groups (blue and green) and
 * two listeners — production on 80, test on 8080 — whose default rules forward to blue. No
 * node:test hooks here: the benchmarks use it too; whoever makes a stage closes it.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand, DescribeServicesCommand, ECSClient, ListServiceDeploymentsCommand, RegisterTaskDefinitionCommand, type LoadBalancer,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeListenersCommand, DescribeLoadBalancersCommand,
  DescribeRulesCommand, ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { startControlPlane, type ControlPlane } from '../../src/cli/control-plane.ts';
import { connectFakeAgent, type FakeAgent } from './fake-agent.ts';
import { listenerRequests, serveRevisions } from './revision-servers.ts';
import { credentials, region, rootKeyEnv } from './wharf.ts';
import { tempDir } from './temp-dir.ts';

/** The account of the stage's control plane. */
const ACCOUNT = '123456789012';

export interface BlueGreenStage {
  plane: ControlPlane;
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  cw: CloudWatchClient;
  agent: FakeAgent;
  /** The control plane's clock runs this far ahead of the machine's. */
  skew: { ms: number };
  /** The load balancer's address (its listeners: 80 production, 8080 test). */
  address: string;
  blueGroup: string;
  greenGroup: string;
  /** The production listener (port 80) and its default rule, and the test listener's default rule. */
  productionListener: string;
  productionRule: string;
  testRule: string;
  /** The service's load balancer with its blue/green pair, for CreateService. */
  loadBalancer(): LoadBalancer;
  /** Registers revision `n` of family `<name>` (its tasks answer `v<n>`). */
  revision(n: number, health?: 'ok' | 'fail'): Promise<string>;
  /** One GET through listener `port`: the revision that answered, or `status <code>`, or `error <code>`. */
  get(port: number): Promise<string>;
  /** Who answers `n` requests through listener `port`, counted by answer. */
  answers(port: number, n: number): Promise<Record<string, number>>;
  /** The newest service deployment's ARN of `service`. */
  newestDeployment(service: string): Promise<string>;
  close(): Promise<void>;
}

/** Makes the stage: cluster, load balancer and target groups all named `name`. */
export async function blueGreenStage(name: string): Promise<BlueGreenStage> {
  const skew = { ms: 0 };
  const plane = await startControlPlane({
    host: '127.0.0.1', port: 0, dataDir: tempDir(), account: ACCOUNT, region, allowReset: false,
    unknownKeysAsRoot: false, env: rootKeyEnv, log: () => undefined, clock: { now: () => Date.now() + skew.ms },
  });
  const options = { endpoint: plane.url, region, credentials, maxAttempts: 1 };
  const ecs = new ECSClient(options);
  const elb = new ElasticLoadBalancingV2Client(options);
  const cw = new CloudWatchClient(options);
  const ec2 = new EC2Client(options);
  const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!;
  ec2.destroy();
  await ecs.send(new CreateClusterCommand({ clusterName: name }));
  const agent = await connectFakeAgent(plane.url, { cluster: name, cpu: 8192, memory: 16384 });
  const stopServing = serveRevisions(agent, () => Date.now() + skew.ms);

  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnets.slice(0, 2).map((s) => s.SubnetId!) }))).LoadBalancers![0]!;
  const group = async (suffix: string) => {
    const arn = (await elb.send(new CreateTargetGroupCommand({
      Name: `${name}-${suffix}`, Protocol: 'HTTP', Port: 80, VpcId: lb.VpcId, TargetType: 'instance', HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    }))).TargetGroups![0]!.TargetGroupArn!;
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '1' }] }));
    return arn;
  };
  const blueGroup = await group('a');
  const greenGroup = await group('b');
  const forward = [{ Type: 'forward' as const, ForwardConfig: { TargetGroups: [{ TargetGroupArn: blueGroup, Weight: 100 }, { TargetGroupArn: greenGroup, Weight: 0 }] } }];
  for (const port of [80, 8080]) await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: forward }));
  const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners!;
  const defaultRule = async (port: number) =>
    (await elb.send(new DescribeRulesCommand({ ListenerArn: listeners.find((l) => l.Port === port)!.ListenerArn }))).Rules!.find((r) => r.IsDefault)!.RuleArn!;
  const productionListener = listeners.find((l) => l.Port === 80)!.ListenerArn!;
  const productionRule = await defaultRule(80);
  const testRule = await defaultRule(8080);
  const address = (await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lb.LoadBalancerArn!] }))).LoadBalancers![0]!.AvailabilityZones![0]!.LoadBalancerAddresses![0]!.IpAddress!;
  const requests = listenerRequests(() => address, { keepAlive: true });

  return {
    plane, ecs, elb, cw, agent, skew, address, blueGroup, greenGroup, productionListener, productionRule, testRule,
    loadBalancer: () => ({
      targetGroupArn: blueGroup, containerName: 'web', containerPort: 80,
      advancedConfiguration: { alternateTargetGroupArn: greenGroup, productionListenerRule: productionRule, testListenerRule: testRule, roleArn: `arn:aws:iam::${ACCOUNT}:role/ecsInfrastructure` },
    }),
    async revision(n, health = 'ok') {
      return (await ecs.send(new RegisterTaskDefinitionCommand({
        family: name, networkMode: 'bridge',
        containerDefinitions: [{ name: 'web', image: 'wharf-test/busybox', memory: 32, environment: [{ name: 'HEALTH', value: health }, { name: 'N', value: String(n) }], portMappings: [{ containerPort: 80, hostPort: 0 }] }],
      }))).taskDefinition!.taskDefinitionArn!;
    },
    get: requests.get,
    answers: requests.answers,
    async newestDeployment(service) {
      return (await ecs.send(new ListServiceDeploymentsCommand({ cluster: name, service }))).serviceDeployments![0]!.serviceDeploymentArn!;
    },
    async close() {
      stopServing();
      requests.close();
      await agent.close();
      for (const c of [elb, ecs, cw]) c.destroy();
      await plane.stop();
    },
  };
}

/** A service's description (for tests and benchmarks polling it). */
export async function describeService(ecs: ECSClient, cluster: string, service: string) {
  return (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!;
}
