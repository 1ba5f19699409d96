/**
 * Sticky sessions through real load balancers, set up with @aws-sdk/client-elastic-load-balancing-v2
 * in a control plane in this process, HTTP servers on loopback as instance targets:
 * - lb_cookie: a client keeping its cookies stays on one of three targets for 50 requests, one
 *   without cookies sees all three; AWSALB and AWSALBCORS as ALB writes them; a forged or altered
 *   cookie is ignored; when the sticky target is deregistered, or fails its health checks, the
 *   client moves and gets a new cookie;
 * - app_cookie: once the target sets the application's cookie, AWSALBAPP-<n> keep the client on it,
 *   the target's own Set-Cookie headers kept;
 * - target group stickiness on a 50/50 weighted forward: AWSALBTG keeps a client on one group;
 * - an NLB with source_ip stickiness: every flow from one address to the same target.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DeregisterTargetsCommand, DescribeLoadBalancersCommand,
  DescribeTargetHealthCommand, ModifyTargetGroupAttributesCommand, RegisterTargetsCommand, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { lbFixture, until } from './support/lb-fixture.ts';

const fx = lbFixture('sticky');
const backends: http.Server[] = [];
after(() => {
  for (const s of backends) {
    s.closeAllConnections();
    s.close();
  }
});

/** A target answering its name; /login sets the application's session cookie; /health follows `healthy`. */
async function backend(name: string, state = { healthy: true }): Promise<{ port: number; state: { healthy: boolean } }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(state.healthy ? 200 : 500).end();
      return;
    }
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'text/plain' };
    if (req.url?.endsWith('/login')) headers['set-cookie'] = [`SESSION=${name}; Path=/; HttpOnly`, 'theme=dark; Path=/'];
    res.writeHead(200, headers);
    res.end(name);
  });
  backends.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, state };
}

/** A client that keeps the cookies it is given (or none, with `keep` false) and sends them back. */
class Client {
  readonly jar = new Map<string, string>();
  constructor(private readonly address: string, private readonly port = 80, private readonly keep = true) {}

  get(path: string, localAddress?: string): Promise<{ status: number; body: string; setCookie: string[] }> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    return new Promise((resolve, reject) => {
      http.get({ host: this.address, port: this.port, path, localAddress, agent: false, headers: cookie ? { cookie } : {} }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          const setCookie = res.headers['set-cookie'] ?? [];
          if (this.keep) {
            for (const line of setCookie) {
              const [pair] = line.split(';');
              const eq = pair!.indexOf('=');
              const value = pair!.slice(eq + 1);
              if (value === '_remove_') this.jar.delete(pair!.slice(0, eq));
              else this.jar.set(pair!.slice(0, eq), value);
            }
          }
          resolve({ status: res.statusCode!, body, setCookie });
        });
      }).on('error', reject);
    });
  }

  /** The targets `n` requests to `path` reached, in order. */
  async targets(path: string, n: number): Promise<string[]> {
    const seen: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await this.get(path);
      assert.equal(r.status, 200);
      seen.push(r.body);
    }
    return seen;
  }
}

const distinct = (xs: string[]) => [...new Set(xs)].sort();
const healthy = (group: TargetGroup, count: number) => until(`${group.TargetGroupName} healthy`, async () => {
  const states = (await fx.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }))).TargetHealthDescriptions!;
  return states.filter((d) => d.TargetHealth!.State === 'healthy').length === count ? true : undefined;
});
const attributes = (group: TargetGroup, values: Record<string, string>) =>
  fx.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: group.TargetGroupArn, Attributes: Object.entries(values).map(([Key, Value]) => ({ Key, Value })) }));

describe('sticky sessions', () => {
  let address = '';
  let web: TargetGroup;
  let app: TargetGroup;
  const ports: Record<string, number> = {};
  const states: Record<string, { healthy: boolean }> = {};

  it('sets up an ALB whose groups stick by duration and by application cookie', async () => {
    for (const name of ['x', 'y', 'z', 'p', 'q']) ({ port: ports[name]!, state: states[name]! } = await backend(name));
    const [lb] = (await fx.elb.send(new CreateLoadBalancerCommand({ Name: 'sticky', Subnets: fx.subnets.slice(0, 2).map((s) => s.SubnetId!) }))).LoadBalancers!;
    const group = async (name: string) => (await fx.elb.send(new CreateTargetGroupCommand({
      Name: name, Protocol: 'HTTP', Port: 80, VpcId: lb!.VpcId, TargetType: 'instance', HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    }))).TargetGroups![0]!;
    web = await group('web');
    app = await group('app');
    await attributes(web, { 'stickiness.enabled': 'true', 'stickiness.type': 'lb_cookie', 'stickiness.lb_cookie.duration_seconds': '3600', 'deregistration_delay.timeout_seconds': '0' });
    await attributes(app, { 'stickiness.enabled': 'true', 'stickiness.type': 'app_cookie', 'stickiness.app_cookie.cookie_name': 'SESSION' });
    await fx.elb.send(new RegisterTargetsCommand({ TargetGroupArn: web.TargetGroupArn, Targets: ['x', 'y', 'z'].map((n) => ({ Id: fx.instanceId, Port: ports[n] })) }));
    await fx.elb.send(new RegisterTargetsCommand({ TargetGroupArn: app.TargetGroupArn, Targets: ['p', 'q'].map((n) => ({ Id: fx.instanceId, Port: ports[n] })) }));
    const listener = (await fx.elb.send(new CreateListenerCommand({
      LoadBalancerArn: lb!.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }],
    }))).Listeners![0]!;
    await fx.elb.send(new CreateRuleCommand({
      ListenerArn: listener.ListenerArn, Priority: 10, Conditions: [{ Field: 'path-pattern', Values: ['/app/*'] }], Actions: [{ Type: 'forward', TargetGroupArn: app.TargetGroupArn }],
    }));
    await fx.elb.send(new CreateRuleCommand({
      ListenerArn: listener.ListenerArn, Priority: 20, Conditions: [{ Field: 'path-pattern', Values: ['/split/*'] }],
      Actions: [{
        Type: 'forward', ForwardConfig: {
          TargetGroups: [{ TargetGroupArn: web.TargetGroupArn, Weight: 50 }, { TargetGroupArn: app.TargetGroupArn, Weight: 50 }],
          TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 600 },
        },
      }],
    }));
    address = (await fx.elb.send(new DescribeLoadBalancersCommand({ Names: ['sticky'] }))).LoadBalancers![0]!.AvailabilityZones![0]!.LoadBalancerAddresses![0]!.IpAddress!;
    await healthy(web, 3);
    await healthy(app, 2);
  });

  it('lb_cookie: sets AWSALB and AWSALBCORS, keeps a client with cookies on one target for 50 requests; one without sees all three', async () => {
    const client = new Client(address);
    const first = await client.get('/');
    const lb = first.setCookie.find((c) => c.startsWith('AWSALB='));
    const cors = first.setCookie.find((c) => c.startsWith('AWSALBCORS='));
    assert.ok(lb && cors, first.setCookie.join('\n'));
    assert.match(lb, /^AWSALB=[A-Za-z0-9_-]{40,}; Expires=[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT; Path=\/$/);
    assert.match(cors, /; Path=\/; SameSite=None; Secure$/);
    assert.equal(lb.split(';')[0]!.slice('AWSALB='.length), cors.split(';')[0]!.slice('AWSALBCORS='.length), 'the same value');
    const expires = Date.parse(/Expires=([^;]+)/.exec(lb)![1]!);
    assert.ok(Math.abs(expires - (Date.now() + 3600_000)) < 5000, 'Expires is the stickiness duration away');
    assert.ok(!lb.includes('127.0.0.1') && !lb.includes(String(ports[first.body])), 'the value is opaque');

    const seen = await client.targets('/', 50);
    assert.deepEqual(distinct(seen), [first.body], 'one target for all 50 requests');
    assert.deepEqual(distinct(await new Client(address, 80, false).targets('/', 30)), ['x', 'y', 'z']);

    // The CORS twin alone sticks as well.
    const corsOnly = new Client(address, 80, false);
    corsOnly.jar.set('AWSALBCORS', client.jar.get('AWSALBCORS')!);
    assert.deepEqual(distinct(await corsOnly.targets('/', 10)), [first.body]);
  });

  it('ignores a forged or altered cookie: the client is balanced as any other, and given a genuine cookie', async () => {
    const client = new Client(address);
    await client.get('/');
    const genuine = client.jar.get('AWSALB')!;
    const altered = `${genuine.slice(0, 30)}${genuine[30] === 'A' ? 'B' : 'A'}${genuine.slice(31)}`;
    for (const forged of [altered, '127.0.0.1:22', Buffer.from(`127.0.0.1:${ports.x}`).toString('base64url'), 'x'.repeat(80)]) {
      const c = new Client(address, 80, false);
      c.jar.set('AWSALB', forged);
      c.jar.set('AWSALBCORS', forged);
      assert.deepEqual(distinct(await c.targets('/', 12)), ['x', 'y', 'z'], `not stuck by ${forged}`);
      const answer = await c.get('/');
      const renewed = answer.setCookie.find((s) => s.startsWith('AWSALB='))!.split(';')[0]!.slice('AWSALB='.length);
      assert.notEqual(renewed, forged);
      const after = new Client(address);
      after.jar.set('AWSALB', renewed);
      assert.deepEqual(distinct(await after.targets('/', 10)), [answer.body], 'the new cookie sticks');
    }
  });

  it('app_cookie: once the target sets SESSION, AWSALBAPP-<n> keep the client on it; the target\'s own cookies kept', async () => {
    const client = new Client(address);
    const before = await client.get('/app/home');
    assert.ok(!before.setCookie.some((c) => c.startsWith('AWSALBAPP')), 'nothing until the application sets its cookie');
    assert.deepEqual(distinct(await new Client(address, 80, false).targets('/app/home', 10)), ['p', 'q']);

    const login = await client.get('/app/login');
    const names = login.setCookie.map((c) => c.split('=')[0]);
    assert.deepEqual(names, ['SESSION', 'theme', 'AWSALBAPP-0', 'AWSALBAPP-1', 'AWSALBAPP-2', 'AWSALBAPP-3'], login.setCookie.join('\n'));
    assert.equal(login.setCookie[0], `SESSION=${login.body}; Path=/; HttpOnly`);
    assert.match(login.setCookie[2]!, /^AWSALBAPP-0=[A-Za-z0-9_-]+; Expires=[^;]+; Path=\/$/);
    assert.match(login.setCookie[3]!, /^AWSALBAPP-1=_remove_; /);
    assert.deepEqual(distinct(await client.targets('/app/home', 30)), [login.body], 'stuck to the target that set SESSION');

    const withoutSession = new Client(address, 80, false);
    withoutSession.jar.set('AWSALBAPP-0', client.jar.get('AWSALBAPP-0')!);
    assert.deepEqual(distinct(await withoutSession.targets('/app/home', 10)), ['p', 'q'], 'without the application\'s cookie the session is over');
  });

  it('target group stickiness: a 50/50 forward keeps a client with AWSALBTG on one group; one without sees both', async () => {
    const client = new Client(address);
    const first = await client.get('/split/x');
    assert.ok(first.setCookie.some((c) => /^AWSALBTG=[A-Za-z0-9_-]+; Expires=[^;]+; Path=\/$/.test(c)), first.setCookie.join('\n'));
    assert.ok(first.setCookie.some((c) => /^AWSALBTGCORS=.*; SameSite=None; Secure$/.test(c)));
    const group = (name: string) => (['x', 'y', 'z'].includes(name) ? 'web' : 'app');
    const seen = await client.targets('/split/x', 40);
    assert.deepEqual(distinct(seen.map(group)), [group(first.body)], 'one group for every request');
    if (group(first.body) === 'web') assert.deepEqual(distinct(seen), [first.body], 'and in web, one target (its lb_cookie)');
    const fresh = await new Client(address, 80, false).targets('/split/x', 40);
    assert.deepEqual(distinct(fresh.map(group)), ['app', 'web']);
  });

  it('moves a client whose target was deregistered, or failed its health checks, to another target with a new cookie', async () => {
    const client = new Client(address);
    const stuck = (await client.get('/')).body;
    const oldCookie = client.jar.get('AWSALB');
    await fx.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: web.TargetGroupArn, Targets: [{ Id: fx.instanceId, Port: ports[stuck] }] }));
    const moved = await until('the client moved', async () => {
      const r = await client.get('/');
      return r.body !== stuck ? r : undefined;
    });
    assert.ok(moved.setCookie.some((c) => c.startsWith('AWSALB=')));
    assert.notEqual(client.jar.get('AWSALB'), oldCookie, 'a new cookie');
    assert.deepEqual(distinct(await client.targets('/', 20)), [moved.body], 'stuck to the new target');

    // The new target fails its health checks: the client moves on again, to the remaining one.
    states[moved.body]!.healthy = false;
    const remaining = ['x', 'y', 'z'].find((n) => n !== stuck && n !== moved.body)!;
    await until('the client moved off the unhealthy target', async () => ((await client.get('/')).body === remaining ? true : undefined));
    assert.deepEqual(distinct(await client.targets('/', 20)), [remaining]);
    // Recovered, the first target of this session gets nothing back: the client stays where it is.
    states[moved.body]!.healthy = true;
    await healthy(web, 2);
    assert.deepEqual(distinct(await client.targets('/', 20)), [remaining]);
  });

  it('NLB source_ip: every flow from one address goes to one target; without stickiness, flows spread', async () => {
    const [lb] = (await fx.elb.send(new CreateLoadBalancerCommand({ Name: 'flows', Type: 'network', Subnets: [fx.subnets[0]!.SubnetId!] }))).LoadBalancers!;
    const tcp = (await fx.elb.send(new CreateTargetGroupCommand({
      Name: 'flows', Protocol: 'TCP', Port: 80, VpcId: lb!.VpcId, TargetType: 'instance', HealthCheckProtocol: 'TCP',
      HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    }))).TargetGroups![0]!;
    await fx.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tcp.TargetGroupArn, Targets: ['x', 'y', 'z'].map((n) => ({ Id: fx.instanceId, Port: ports[n] })) }));
    await fx.elb.send(new CreateListenerCommand({ LoadBalancerArn: lb!.LoadBalancerArn, Protocol: 'TCP', Port: 7000, DefaultActions: [{ Type: 'forward', TargetGroupArn: tcp.TargetGroupArn }] }));
    await healthy(tcp, 3);
    const nlb = (await fx.elb.send(new DescribeLoadBalancersCommand({ Names: ['flows'] }))).LoadBalancers![0]!.AvailabilityZones![0]!.LoadBalancerAddresses![0]!.IpAddress!;
    const flows = new Client(nlb, 7000, false);
    const from = async (source: string, n: number) => {
      const seen: string[] = [];
      for (let i = 0; i < n; i++) seen.push((await flows.get('/', source)).body);
      return seen;
    };
    assert.deepEqual(distinct(await from('127.0.0.1', 12)), ['x', 'y', 'z'], 'round robin, flow by flow');

    await attributes(tcp, { 'stickiness.enabled': 'true', 'stickiness.type': 'source_ip' });
    await until('stickiness applied', async () => (distinct(await from('127.0.0.1', 6)).length === 1 ? true : undefined), 10_000);
    const targetOf = new Map<string, string>();
    for (let i = 1; i <= 12; i++) {
      const source = `127.0.0.${i}`;
      const seen = distinct(await from(source, 6));
      assert.equal(seen.length, 1, `every flow from ${source} to one target (${seen})`);
      targetOf.set(source, seen[0]!);
    }
    assert.ok(new Set(targetOf.values()).size >= 2, `clients spread over the targets: ${[...targetOf]}`);
  });
});
