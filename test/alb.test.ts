/**
 * The ALB carrying real traffic: a control plane in this process with a fake agent's host, an
 * application load balancer made through @aws-sdk/client-elastic-load-balancing-v2 listening on
 * its own loopback address at port 80, and HTTP servers on loopback as its instance targets. The
 * health checker brings the targets to healthy; requests follow path and host rules, redirects
 * and fixed responses; a weighted forward splits 80/20 over 1,000 requests; an HTTPS listener
 * serves ACM's certificates by SNI, trusted through Wharf's root; a target that dies
 * is found unhealthy and leaves the rotation; a group with no target answers 503.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  AddListenerCertificatesCommand, CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DescribeLoadBalancersCommand,
  DescribeTargetHealthCommand, ModifyTargetGroupAttributesCommand, RegisterTargetsCommand, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { credentials, region } from './support/wharf.ts';
import { lbFixture, until } from './support/lb-fixture.ts';

// Metrics published every 300 ms, so the test reads them back soon.
const fx = lbFixture('albs', { lbMetricsIntervalMs: 300 });
const backends = new Map<string, http.Server>();
after(() => {
  for (const s of backends.values()) {
    s.closeAllConnections();
    s.close();
  }
});

/** A target: answers its name, and 200 on /health. */
async function backend(name: string): Promise<number> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(req.url === '/health' ? 'ok' : `${name} ${req.headers['x-forwarded-for']} ${req.url}`);
  });
  backends.set(name, server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

function get(address: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get({ host: address, port: 80, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    }).on('error', reject);
  });
}

const states = async (group: TargetGroup) =>
  (await fx.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }))).TargetHealthDescriptions!
    .map((d) => ({ port: d.Target!.Port!, state: d.TargetHealth!.State!, reason: d.TargetHealth!.Reason }))
    .sort((a, b) => a.port - b.port);

describe('an ALB carrying traffic to its targets', () => {
  let address = '';
  let web: TargetGroup;
  let api: TargetGroup;
  const ports: Record<string, number> = {};

  it('brings registered targets from initial to healthy through its health checks', async () => {
    for (const name of ['a', 'b', 'c']) ports[name] = await backend(name);
    const subnets = fx.subnets;
    const [lb] = (await fx.elb.send(new CreateLoadBalancerCommand({ Name: 'shop', Subnets: subnets.slice(0, 2).map((s) => s.SubnetId!) }))).LoadBalancers!;
    const group = async (name: string) => (await fx.elb.send(new CreateTargetGroupCommand({
      Name: name, Protocol: 'HTTP', Port: 80, VpcId: lb!.VpcId, TargetType: 'instance', HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    }))).TargetGroups![0]!;
    web = await group('web');
    api = await group('api');
    const empty = await group('empty');
    const listener = (await fx.elb.send(new CreateListenerCommand({
      LoadBalancerArn: lb!.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }],
    }))).Listeners![0]!;
    const rule = (Priority: number, Conditions: object[], Actions: object[]) =>
      fx.elb.send(new CreateRuleCommand({ ListenerArn: listener.ListenerArn, Priority, Conditions, Actions } as never));
    await rule(10, [{ Field: 'path-pattern', Values: ['/api/*'] }], [{ Type: 'forward', TargetGroupArn: api.TargetGroupArn }]);
    await rule(20, [{ Field: 'host-header', Values: ['admin.example.com'] }], [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403', ContentType: 'text/plain', MessageBody: 'no admins here' } }]);
    await rule(30, [{ Field: 'path-pattern', Values: ['/old/*'] }], [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }]);
    await rule(40, [{ Field: 'path-pattern', Values: ['/split/*'] }], [{
      Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: web.TargetGroupArn, Weight: 80 }, { TargetGroupArn: api.TargetGroupArn, Weight: 20 }] },
    }]);
    await rule(50, [{ Field: 'path-pattern', Values: ['/nobody/*'] }], [{ Type: 'forward', TargetGroupArn: empty.TargetGroupArn }]);
    await fx.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: web.TargetGroupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '0' }] }));
    await fx.elb.send(new RegisterTargetsCommand({ TargetGroupArn: web.TargetGroupArn, Targets: [{ Id: fx.instanceId, Port: ports.a }, { Id: fx.instanceId, Port: ports.b }] }));
    await fx.elb.send(new RegisterTargetsCommand({ TargetGroupArn: api.TargetGroupArn, Targets: [{ Id: fx.instanceId, Port: ports.c }] }));

    const [described] = (await fx.elb.send(new DescribeLoadBalancersCommand({ Names: ['shop'] }))).LoadBalancers!;
    address = described!.AvailabilityZones![0]!.LoadBalancerAddresses![0]!.IpAddress!;
    assert.equal((await get(address, '/')).status, 503, 'no healthy target yet: the load balancer answers 503');
    assert.ok((await states(web)).every((t) => t.state === 'initial'));
    await until('web healthy', async () => ((await states(web)).every((t) => t.state === 'healthy') ? true : undefined));
    await until('api healthy', async () => ((await states(api)).every((t) => t.state === 'healthy') ? true : undefined));
  });

  it('routes by path and host, redirects, answers fixed responses, and adds X-Forwarded-For', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) seen.add((await get(address, '/home')).body.split(' ')[0]!);
    assert.deepEqual([...seen].sort(), ['a', 'b'], 'the default forward round-robins over both healthy web targets');
    const apiAnswer = await get(address, '/api/users');
    assert.deepEqual(apiAnswer.body.split(' '), ['c', '127.0.0.1', '/api/users']);
    const admin = await get(address, '/api/users', { host: 'admin.example.com' });
    assert.equal(admin.status, 200, 'rule 10 comes before rule 20');
    const adminHome = await get(address, '/', { host: 'ADMIN.example.com' });
    assert.deepEqual([adminHome.status, adminHome.body, adminHome.headers.server], [403, 'no admins here', 'awselb/2.0']);
    const moved = await get(address, '/old/page?x=1', { host: 'shop.example.com' });
    assert.deepEqual([moved.status, moved.headers.location], [301, 'https://shop.example.com/old/page?x=1']);
    assert.equal((await get(address, '/nobody/here')).status, 503, 'a group without targets');
  });

  it('splits a weighted forward 80/20 over 1,000 requests', async () => {
    let toApi = 0;
    for (let i = 0; i < 1000; i++) if ((await get(address, '/split/x')).body.startsWith('c ')) toApi++;
    assert.ok(toApi > 150 && toApi < 250, `${toApi} of 1,000 went to the 20% group`);
  });

  it('publishes AWS/ApplicationELB metrics of the requests it carried: counts by load balancer and target group, its own 5XX, response times, host counts, connections and bytes', async () => {
    const cw = new CloudWatchClient({ endpoint: fx.plane.url, region, credentials });
    const [lb] = (await fx.elb.send(new DescribeLoadBalancersCommand({ Names: ['shop'] }))).LoadBalancers!;
    const lbDim = { Name: 'LoadBalancer', Value: lb!.LoadBalancerArn!.split(':loadbalancer/')[1]! };
    const apiDim = { Name: 'TargetGroup', Value: api.TargetGroupArn!.split(':').at(-1)! };
    const stat = async (metric: string, dims: { Name: string; Value: string }[], statistic: 'Sum' | 'Average' | 'SampleCount' = 'Sum') => {
      const { Datapoints } = await cw.send(new GetMetricStatisticsCommand({
        Namespace: 'AWS/ApplicationELB', MetricName: metric, Dimensions: dims, StartTime: new Date(Date.now() - 3_600_000), EndTime: new Date(Date.now() + 60_000),
        Period: 60, Statistics: [statistic],
      }));
      return (Datapoints ?? []).reduce((n, d) => n + (d[statistic] ?? 0), 0);
    };
    // So far 16 requests and the 1,000 of the split: /api and the split's 20% went to the api group; two 503s were the load balancer's own.
    const total = await until('RequestCount', async () => ((await stat('RequestCount', [lbDim])) >= 1016 ? stat('RequestCount', [lbDim]) : undefined));
    assert.equal(total, 1016);
    const toApi = await stat('RequestCount', [apiDim, lbDim]);
    assert.ok(toApi > 150 && toApi < 260, `api's RequestCount ${toApi}`);
    assert.equal(await stat('HTTPCode_ELB_5XX_Count', [lbDim]), 2);
    assert.equal(await stat('HTTP_Fixed_Response_Count', [lbDim]), 1, 'the fixed 403 is a rule\'s answer, not an error of the load balancer');
    assert.equal(await stat('HTTP_Redirect_Count', [lbDim]), 1);
    assert.equal(await stat('HTTPCode_ELB_4XX_Count', [lbDim]), 0);
    assert.ok((await stat('TargetResponseTime', [lbDim], 'SampleCount')) >= 1000);
    assert.ok((await stat('RequestCountPerTarget', [apiDim])) > 0);
    // Client connections: at least one, and every request's bytes on the wire.
    assert.ok((await stat('NewConnectionCount', [lbDim])) >= 1);
    assert.ok((await stat('ActiveConnectionCount', [lbDim], 'SampleCount')) >= 1);
    const processed = await until('ProcessedBytes', async () => {
      const bytes = await stat('ProcessedBytes', [lbDim]);
      return bytes >= 1016 * 100 ? bytes : undefined;
    }, 10_000);
    assert.ok(processed >= 1016 * 100, `${processed} bytes for 1,016 requests and their answers`);
    const healthy = await until('HealthyHostCount', async () => ((await stat('HealthyHostCount', [apiDim, lbDim], 'Average')) > 0 ? true : undefined));
    assert.ok(healthy);
    cw.destroy();
  });

  it('serves HTTPS with ACM certificates, chosen by SNI, trusted through Wharf\'s root', async () => {
    const acm = new ACMClient({ endpoint: fx.plane.url, region, credentials, maxAttempts: 1 });
    const shop = (await acm.send(new RequestCertificateCommand({ DomainName: 'shop.example.com' }))).CertificateArn!;
    const api = (await acm.send(new RequestCertificateCommand({ DomainName: '*.example.org' }))).CertificateArn!;
    acm.destroy();
    const ca = await (await fetch(`${fx.plane.url}/_wharf/acm/ca.pem`)).text();
    const [lb] = (await fx.elb.send(new DescribeLoadBalancersCommand({ Names: ['shop'] }))).LoadBalancers!;
    const listener = (await fx.elb.send(new CreateListenerCommand({
      LoadBalancerArn: lb!.LoadBalancerArn, Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: shop }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }],
    }))).Listeners![0]!;
    await fx.elb.send(new AddListenerCertificatesCommand({ ListenerArn: listener.ListenerArn, Certificates: [{ CertificateArn: api }] }));
    const secureGet = (servername: string) => new Promise<{ status: number; body: string; names: string }>((resolve, reject) => {
      https.get({ host: address, port: 443, path: '/home', servername, ca, headers: { host: servername } }, (res) => {
        const names = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().subjectaltname ?? '';
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, names }));
      }).on('error', reject);
    });
    const answer = await until('the HTTPS listener', () => secureGet('shop.example.com').catch(() => undefined));
    assert.equal(answer.status, 200);
    assert.match(answer.body, /^[ab] /);
    assert.equal(answer.names, 'DNS:shop.example.com');
    assert.equal((await secureGet('www.example.org')).names, 'DNS:*.example.org', 'the certificate covering the server name');
    await assert.rejects(secureGet('elsewhere.example.net'), /altnames|does not match/, 'a name no certificate covers gets the default one, which the client refuses');
  });

  it('finds a dead target unhealthy and sends it nothing more', async () => {
    const b = backends.get('b')!;
    b.closeAllConnections();
    await new Promise<void>((r) => b.close(() => r()));
    const down = await until('b unhealthy', async () => (await states(web)).find((t) => t.port === ports.b && t.state === 'unhealthy'));
    assert.equal(down.reason, 'Target.FailedHealthChecks');
    for (let i = 0; i < 20; i++) {
      const r = await get(address, '/home');
      assert.deepEqual([r.status, r.body.split(' ')[0]], [200, 'a']);
    }
  });
});
