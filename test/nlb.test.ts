/**
 * A network load balancer carrying real flows: made through @aws-sdk/client-elastic-load-balancing-v2
 * in a control plane in this process, a TCP listener and a UDP listener on its own loopback
 * address, echo servers on loopback as instance targets of the fake agent's host. TCP health
 * checks bring the TCP targets to healthy; a TCP stream and UDP datagrams are echoed through it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeLoadBalancersCommand, DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client, RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateClusterCommand, DescribeContainerInstancesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { credentials, region } from './support/wharf.ts';
import { connectFakeAgent, type FakeAgent } from './support/fake-agent.ts';
import { inProcessControlPlane } from './support/in-process.ts';

const controlPlane = inProcessControlPlane();
let plane: ControlPlane;
let elb: ElasticLoadBalancingV2Client;
let agent: FakeAgent;
let instanceId = '';
const closers: (() => void)[] = [];

before(async () => {
  plane = await controlPlane();
  const ecs = new ECSClient({ endpoint: plane.url, region, credentials });
  await ecs.send(new CreateClusterCommand({ clusterName: 'nlbs' }));
  agent = await connectFakeAgent(plane.url, { cluster: 'nlbs' });
  instanceId = (await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'nlbs', containerInstances: agent.containerInstanceArns }))).containerInstances![0]!.ec2InstanceId!;
  ecs.destroy();
  elb = new ElasticLoadBalancingV2Client({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
});
after(async () => {
  elb?.destroy();
  await agent?.close();
  for (const close of closers) close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('an NLB carrying TCP and UDP flows', () => {
  it('echoes a TCP stream and UDP datagrams through its own address', async () => {
    const tcpServer = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((r) => tcpServer.listen(0, '127.0.0.1', r));
    closers.push(() => tcpServer.close());
    const udpServer = dgram.createSocket('udp4');
    udpServer.on('message', (msg, rinfo) => udpServer.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
    await new Promise<void>((r) => udpServer.bind(0, '127.0.0.1', r));
    closers.push(() => udpServer.close());

    const ec2 = new EC2Client({ endpoint: plane.url, region, credentials });
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!;
    ec2.destroy();
    const [lb] = (await elb.send(new CreateLoadBalancerCommand({ Name: 'echo', Type: 'network', Subnets: [subnets[0]!.SubnetId!] }))).LoadBalancers!;
    const group = async (name: string, protocol: 'TCP' | 'UDP', port: number) => {
      const g = (await elb.send(new CreateTargetGroupCommand({
        Name: name, Protocol: protocol, Port: port, VpcId: lb!.VpcId, TargetType: 'instance', HealthCheckProtocol: 'TCP',
        HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
      }))).TargetGroups![0]!;
      await elb.send(new RegisterTargetsCommand({ TargetGroupArn: g.TargetGroupArn, Targets: [{ Id: instanceId, Port: port }] }));
      return g;
    };
    const tcpPort = (tcpServer.address() as net.AddressInfo).port;
    const tcp = await group('echo-tcp', 'TCP', tcpPort);
    // A UDP group's health is checked over TCP: on the TCP echo's port, as an NLB would be told to.
    const udp = (await elb.send(new CreateTargetGroupCommand({
      Name: 'echo-udp', Protocol: 'UDP', Port: udpServer.address().port, VpcId: lb!.VpcId, TargetType: 'instance',
      HealthCheckProtocol: 'TCP', HealthCheckPort: String(tcpPort), HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    }))).TargetGroups![0]!;
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: udp.TargetGroupArn, Targets: [{ Id: instanceId, Port: udpServer.address().port }] }));
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb!.LoadBalancerArn, Protocol: 'TCP', Port: 7000, DefaultActions: [{ Type: 'forward', TargetGroupArn: tcp.TargetGroupArn }] }));
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb!.LoadBalancerArn, Protocol: 'UDP', Port: 7001, DefaultActions: [{ Type: 'forward', TargetGroupArn: udp.TargetGroupArn }] }));
    for (const g of [tcp, udp]) {
      await until(`${g.TargetGroupName} healthy`, async () => ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn }))).TargetHealthDescriptions!
        .every((d) => d.TargetHealth!.State === 'healthy') ? true : undefined));
    }
    const address = (await elb.send(new DescribeLoadBalancersCommand({ Names: ['echo'] }))).LoadBalancers![0]!.AvailabilityZones![0]!.LoadBalancerAddresses![0]!.IpAddress!;

    const payload = Buffer.alloc(1024 * 1024, 'wharf');
    const echoed = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = net.connect(7000, address, () => socket.end(payload));
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
    });
    assert.ok(echoed.equals(payload), `1 MiB echoed through the TCP listener (${echoed.length} bytes back)`);

    const client = dgram.createSocket('udp4');
    const reply = await new Promise<string>((resolve, reject) => {
      client.on('message', (msg) => resolve(msg.toString()));
      client.on('error', reject);
      client.send('ping', 7001, address);
    });
    client.close();
    assert.equal(reply, 'echo:ping');
  });
});
