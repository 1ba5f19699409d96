/**
 * What the load balancer tests share: a control plane in this process with a fake agent's host
 * in a cluster (its ec2InstanceId is what instance targets name; the data plane reaches such a
 * target on loopback), an ELBv2 client, the default subnets, and bounded polling.
 */
import { after, before } from 'node:test';
import { CreateTargetGroupCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand, type ProtocolEnum, type TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateClusterCommand, DescribeContainerInstancesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeSubnetsCommand, EC2Client, type Subnet } from '@aws-sdk/client-ec2';
import type { ControlPlane, ControlPlaneOptions } from '../../src/cli/control-plane.ts';
import { credentials, region } from './wharf.ts';
import { connectFakeAgent, type FakeAgent } from './fake-agent.ts';
import { inProcessControlPlane } from './in-process.ts';

/** The fixture, filled in by its `before` hook. */
export interface LbFixture {
  plane: ControlPlane;
  elb: ElasticLoadBalancingV2Client;
  /** The fake host's instance id: the Id of instance targets. */
  instanceId: string;
  /** The default subnets, one per zone. */
  subnets: Subnet[];
}

/** Registers the hooks that make (and clean up) the fixture of a test file; read it in tests. */
export function lbFixture(cluster: string, options: Partial<ControlPlaneOptions> = {}): LbFixture {
  const controlPlane = inProcessControlPlane(options);
  const fixture = {} as LbFixture;
  let agent: FakeAgent | undefined;
  before(async () => {
    fixture.plane = await controlPlane();
    const options = { endpoint: fixture.plane.url, region, credentials };
    const ecs = new ECSClient(options);
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    agent = await connectFakeAgent(fixture.plane.url, { cluster });
    fixture.instanceId = (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: agent.containerInstanceArns }))).containerInstances![0]!.ec2InstanceId!;
    ecs.destroy();
    const ec2 = new EC2Client(options);
    fixture.subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!;
    ec2.destroy();
    fixture.elb = new ElasticLoadBalancingV2Client({ ...options, maxAttempts: 1 });
  });
  after(async () => {
    fixture.elb?.destroy();
    await agent?.close();
  });
  return fixture;
}

/** Polls `probe` every 250 ms until it gives a value, for at most `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A target group of the fake host (TCP health checks every 5 s, thresholds 2) with that host's `port` registered in it. */
export async function hostGroup(fx: LbFixture, vpcId: string, name: string, protocol: ProtocolEnum, port: number): Promise<TargetGroup> {
  const g = (await fx.elb.send(new CreateTargetGroupCommand({
    Name: name, Protocol: protocol, Port: port, VpcId: vpcId, TargetType: 'instance', HealthCheckProtocol: 'TCP',
    HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
  }))).TargetGroups![0]!;
  await fx.elb.send(new RegisterTargetsCommand({ TargetGroupArn: g.TargetGroupArn, Targets: [{ Id: fx.instanceId, Port: port }] }));
  return g;
}
