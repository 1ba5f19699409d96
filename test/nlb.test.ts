/**
 * A network load balancer carrying real flows: made through @aws-sdk/client-elastic-load-balancing-v2
 * in a control plane in this process, a TCP listener and a UDP listener on its own loopback
 * address, echo servers on loopback as instance targets of the fake agent's host. TCP health
 * checks bring the TCP targets to healthy; a TCP stream and UDP datagrams are echoed through it.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeLoadBalancersCommand, DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { lbFixture, until } from './support/lb-fixture.ts';

const fx = lbFixture('nlbs');
const closers: (() => void)[] = [];
after(() => {
  for (const close of closers) close();
});

describe('an NLB carrying TCP and UDP flows', () => {
  it('echoes a TCP stream and UDP datagrams through its own address', async () => {
    const tcpServer = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((r) => tcpServer.listen(0, '127.0.0.1', r));
    closers.push(() => tcpServer.close());
    const udpServer = dgram.createSocket('udp4');
    udpServer.on('message', (msg, rinfo) => udpServer.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
    await new Promise<void>((r) => udpServer.bind(0, '127.0.0.1', r));
    closers.push(() => udpServer.close());

    const subnets = fx.subnets;
    const [lb] = (await fx.elb.send(new CreateLoadBalancerCommand({ Name: 'echo', Type: 'network', Subnets: [subnets[0]!.SubnetId!] }))).LoadBalancers!;
    const group = async (name: string, protocol: 'TCP' | 'UDP', port: number) => {
      const g = (await fx.elb.send(new CreateTargetGroupCommand({
        Name: name, Protocol: protocol, Port: port, VpcId: lb!.VpcId, TargetType: 'instance', HealthCheckProtocol: 'TCP',
        HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
      }))).TargetGroups![0]!;
      await fx.elb.send(new RegisterTargetsCommand({ TargetGroupArn: g.TargetGroupArn, Targets: [{ Id: fx.instanceId, Port: port }] }));
      return g;
    };
    const tcpPort = (tcpServer.address() as net.AddressInfo).port;
    const tcp = await group('echo-tcp', 'TCP', tcpPort);
    // A UDP group's health is checked over TCP: on the TCP echo's port, as an NLB would be told to.
    const udp = (await fx.elb.send(new CreateTargetGroupCommand({
      Name: 'echo-udp', Protocol: 'UDP', Port: udpServer.address().port, VpcId: lb!.VpcId, TargetType: 'instance',
      HealthCheckProtocol: 'TCP', HealthCheckPort: String(tcpPort), HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    }))).TargetGroups![0]!;
    await fx.elb.send(new RegisterTargetsCommand({ TargetGroupArn: udp.TargetGroupArn, Targets: [{ Id: fx.instanceId, Port: udpServer.address().port }] }));
    await fx.elb.send(new CreateListenerCommand({ LoadBalancerArn: lb!.LoadBalancerArn, Protocol: 'TCP', Port: 7000, DefaultActions: [{ Type: 'forward', TargetGroupArn: tcp.TargetGroupArn }] }));
    await fx.elb.send(new CreateListenerCommand({ LoadBalancerArn: lb!.LoadBalancerArn, Protocol: 'UDP', Port: 7001, DefaultActions: [{ Type: 'forward', TargetGroupArn: udp.TargetGroupArn }] }));
    for (const g of [tcp, udp]) {
      await until(`${g.TargetGroupName} healthy`, async () => ((await fx.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn }))).TargetHealthDescriptions!
        .every((d) => d.TargetHealth!.State === 'healthy') ? true : undefined));
    }
    const address = (await fx.elb.send(new DescribeLoadBalancersCommand({ Names: ['echo'] }))).LoadBalancers![0]!.AvailabilityZones![0]!.LoadBalancerAddresses![0]!.IpAddress!;

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
