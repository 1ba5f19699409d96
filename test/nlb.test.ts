/**
 * A network load balancer carrying real flows: made through @aws-sdk/client-elastic-load-balancing-v2
 * in a control plane in this process, a TCP listener and a UDP listener on its own loopback
 * address, echo servers on loopback as instance targets of the fake agent's host. TCP health
 * checks bring the TCP targets to healthy; a TCP stream and UDP datagrams are echoed through it;
 * its AWS/NetworkELB metrics are read back through @aws-sdk/client-cloudwatch.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { credentials, region } from './support/wharf.ts';
import { hostGroup, lbFixture, until } from './support/lb-fixture.ts';

// Metrics published every 300 ms, so the test reads them back soon.
const fx = lbFixture('nlbs', { lbMetricsIntervalMs: 300 });
const closers: (() => void)[] = [];
after(() => {
  for (const close of closers) close();
});

describe('an NLB carrying TCP and UDP flows', () => {
  it('echoes a TCP stream and UDP datagrams through its own address', async () => {
    const tcpServer = net.createServer((socket) => {
      socket.on('error', () => undefined); // a client's reset passes through to the target
      socket.pipe(socket);
    });
    await new Promise<void>((r) => tcpServer.listen(0, '127.0.0.1', r));
    closers.push(() => tcpServer.close());
    const udpServer = dgram.createSocket('udp4');
    udpServer.on('message', (msg, rinfo) => udpServer.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address));
    await new Promise<void>((r) => udpServer.bind(0, '127.0.0.1', r));
    closers.push(() => udpServer.close());

    const subnets = fx.subnets;
    const [lb] = (await fx.elb.send(new CreateLoadBalancerCommand({ Name: 'echo', Type: 'network', Subnets: [subnets[0]!.SubnetId!] }))).LoadBalancers!;
    const group = (name: string, protocol: 'TCP' | 'UDP', port: number) => hostGroup(fx, lb!.VpcId!, name, protocol, port);
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

  it('publishes AWS/NetworkELB metrics of its flows: new and active flows, bytes, resets by protocol, host counts', async () => {
    const [lb] = (await fx.elb.send(new DescribeLoadBalancersCommand({ Names: ['echo'] }))).LoadBalancers!;
    const address = lb!.AvailabilityZones![0]!.LoadBalancerAddresses![0]!.IpAddress!;
    // A client that resets its connection once the flow is open.
    await new Promise<void>((resolve) => {
      const socket = net.connect(7000, address, () => socket.write('x', () => setTimeout(() => {
        socket.resetAndDestroy();
        resolve();
      }, 50)));
      socket.on('error', () => resolve());
    });
    const cw = new CloudWatchClient({ endpoint: fx.plane.url, region, credentials });
    const lbDim = { Name: 'LoadBalancer', Value: lb!.LoadBalancerArn!.split(':loadbalancer/')[1]! };
    const stat = async (metric: string, dims: { Name: string; Value: string }[], statistic: 'Sum' | 'Maximum' | 'Average' = 'Sum') => {
      const { Datapoints } = await cw.send(new GetMetricStatisticsCommand({
        Namespace: 'AWS/NetworkELB', MetricName: metric, Dimensions: dims, StartTime: new Date(Date.now() - 3_600_000), EndTime: new Date(Date.now() + 60_000),
        Period: 60, Statistics: [statistic],
      }));
      return (Datapoints ?? []).reduce((n, d) => (statistic === 'Sum' ? n + (d.Sum ?? 0) : Math.max(n, d[statistic] ?? 0)), 0);
    };
    // Two TCP flows (the 1 MiB echo, the reset) and one UDP flow so far.
    await until('TCP_Client_Reset_Count', async () => ((await stat('TCP_Client_Reset_Count', [lbDim])) >= 1 ? true : undefined), 10_000);
    assert.equal(await stat('NewFlowCount_TCP', [lbDim]), 2);
    assert.equal(await stat('NewFlowCount_UDP', [lbDim]), 1);
    assert.equal(await stat('NewFlowCount', [lbDim]), 3);
    assert.equal(await stat('TCP_Client_Reset_Count', [lbDim]), 1);
    const tcpBytes = await stat('ProcessedBytes_TCP', [lbDim]);
    assert.ok(tcpBytes >= 2 * 1024 * 1024 + 1, `the 1 MiB each way and the reset flow's byte: ${tcpBytes}`);
    assert.ok((await stat('ActiveFlowCount', [lbDim], 'Maximum')) >= 1);
    assert.ok((await stat('ActiveFlowCount_UDP', [lbDim], 'Maximum')) >= 1, 'the UDP flow stays open until its idle timeout');
    const [group] = (await fx.elb.send(new DescribeTargetGroupsCommand({ Names: ['echo-tcp'] }))).TargetGroups!;
    const groupDim = { Name: 'TargetGroup', Value: group!.TargetGroupArn!.split(':').at(-1)! };
    await until('HealthyHostCount', async () => ((await stat('HealthyHostCount', [groupDim, lbDim], 'Maximum')) === 1 ? true : undefined), 10_000);
    assert.equal(await stat('UnHealthyHostCount', [groupDim, lbDim], 'Maximum'), 0);
    cw.destroy();
  });
});
