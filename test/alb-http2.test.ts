/**
 * HTTP/2 on an ALB's HTTPS listener, through real clients: an application load balancer made with
 * @aws-sdk/client-elastic-load-balancing-v2 in a control plane in this process, a certificate
 * Wharf's ACM issued (trusted through Wharf's root), HTTP servers on loopback as instance targets.
 * A node:http2 client negotiates h2 and is routed by host-header and path rules; a POST body is
 * streamed to the target and back; the target sees an HTTP/1.1 request with Host from :authority,
 * X-Forwarded-Proto https and no pseudo-headers, and its connection headers never reach the client;
 * fixed responses, redirects, 503 and 504 come back over h2. curl --http2 gets the same, and an
 * HTTP/1.1 client and a WebSocket-style upgrade still work on the same listener.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DescribeLoadBalancersCommand,
  DescribeTargetHealthCommand, ModifyLoadBalancerAttributesCommand, RegisterTargetsCommand, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { credentials, region, tempDir } from './support/wharf.ts';
import { lbFixture, until } from './support/lb-fixture.ts';

const fx = lbFixture('h2');
const backends: http.Server[] = [];
const sessions: http2.ClientHttp2Session[] = [];
after(() => {
  for (const s of sessions) s.destroy();
  for (const s of backends) {
    s.closeAllConnections();
    s.close();
  }
});

/**
 * A target: describes the request it got as JSON (with connection headers of its own in the
 * answer), streams a POST body back chunk by chunk, never answers /silent, and echoes an upgraded
 * connection.
 */
async function backend(name: string): Promise<number> {
  const server = http.createServer((req, res) => {
    if (req.url === '/health') return void res.end('ok');
    if (req.url === '/silent') return;
    if (req.method === 'POST') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      req.on('data', (c: Buffer) => res.write(`${name}:${c.toString()};`));
      req.on('end', () => res.end('end'));
      return;
    }
    const body = JSON.stringify({ name, method: req.method, url: req.url, httpVersion: req.httpVersion, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive', 'keep-alive': 'timeout=5', 'x-target': name });
    res.end(body);
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n');
    socket.on('data', (c: Buffer) => socket.write(`echo:${c.toString()}|${req.headers['x-forwarded-proto']}`));
  });
  backends.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

interface H2Answer {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: string;
}

/** One request on an h2 session; `chunks` are sent as the body, each after the previous one came back. */
function h2Request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, chunks?: string[]): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: !chunks });
    let answer: http2.IncomingHttpHeaders = {};
    let body = '';
    let sent = 0;
    const next = () => {
      if (!chunks) return;
      if (sent < chunks.length) stream.write(chunks[sent++]);
      else stream.end();
    };
    stream.setEncoding('utf8');
    stream.on('response', (h) => (answer = h));
    stream.on('data', (c: string) => {
      body += c;
      // The next chunk only once this one made the round trip: the body is streamed, not buffered.
      if (chunks && body.split(';').length - 1 === sent) next();
    });
    stream.on('end', () => resolve({ status: Number(answer[':status']), headers: answer, body }));
    stream.on('error', reject);
    next();
  });
}

describe('HTTP/2 on an HTTPS listener', () => {
  let address = '';
  let ca = '';
  let session: http2.ClientHttp2Session;
  let lbArn = '';
  const ports: Record<string, number> = {};

  it('sets up an HTTPS listener with an ACM certificate, host and path rules', async () => {
    ports.web = await backend('web');
    ports.api = await backend('api');
    const acm = new ACMClient({ endpoint: fx.plane.url, region, credentials, maxAttempts: 1 });
    const certificate = (await acm.send(new RequestCertificateCommand({ DomainName: '*.example.com' }))).CertificateArn!;
    acm.destroy();
    ca = await (await fetch(`${fx.plane.url}/_wharf/acm/ca.pem`)).text();
    const [lb] = (await fx.elb.send(new CreateLoadBalancerCommand({ Name: 'h2', Subnets: fx.subnets.slice(0, 2).map((s) => s.SubnetId!) }))).LoadBalancers!;
    lbArn = lb!.LoadBalancerArn!;
    const group = async (name: string, port?: number) => {
      const g = (await fx.elb.send(new CreateTargetGroupCommand({
        Name: name, Protocol: 'HTTP', Port: 80, VpcId: lb!.VpcId, TargetType: 'instance', HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
      }))).TargetGroups![0]!;
      if (port) await fx.elb.send(new RegisterTargetsCommand({ TargetGroupArn: g.TargetGroupArn, Targets: [{ Id: fx.instanceId, Port: port }] }));
      return g;
    };
    const web = await group('web', ports.web);
    const api = await group('api', ports.api);
    const empty = await group('empty');
    const listener = (await fx.elb.send(new CreateListenerCommand({
      LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: certificate }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }],
    }))).Listeners![0]!;
    const rule = (Priority: number, Conditions: object[], Actions: object[]) =>
      fx.elb.send(new CreateRuleCommand({ ListenerArn: listener.ListenerArn, Priority, Conditions, Actions } as never));
    await rule(10, [{ Field: 'host-header', Values: ['api.example.com'] }], [{ Type: 'forward', TargetGroupArn: api.TargetGroupArn }]);
    await rule(20, [{ Field: 'path-pattern', Values: ['/static/*'] }], [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain', MessageBody: 'static' } }]);
    await rule(30, [{ Field: 'path-pattern', Values: ['/old/*'] }], [{ Type: 'redirect', RedirectConfig: { Path: '/new/#{path}', StatusCode: 'HTTP_301' } }]);
    await rule(40, [{ Field: 'path-pattern', Values: ['/nobody/*'] }], [{ Type: 'forward', TargetGroupArn: empty.TargetGroupArn }]);
    address = (await fx.elb.send(new DescribeLoadBalancersCommand({ Names: ['h2'] }))).LoadBalancers![0]!.AvailabilityZones![0]!.LoadBalancerAddresses![0]!.IpAddress!;
    for (const g of [web, api] as TargetGroup[]) {
      await until(`${g.TargetGroupName} healthy`, async () => ((await fx.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn }))).TargetHealthDescriptions!
        .every((d) => d.TargetHealth!.State === 'healthy') ? true : undefined));
    }
    session = await until('an h2 session', () => new Promise<http2.ClientHttp2Session | undefined>((resolve) => {
      const s = http2.connect(`https://${address}:443`, { ca, servername: 'shop.example.com' });
      s.once('connect', () => resolve(s));
      s.once('error', () => resolve(undefined));
    }));
    sessions.push(session);
    assert.equal(session.alpnProtocol, 'h2');
  });

  it('routes h2 requests by :authority and path; the target gets HTTP/1.1 with Host from :authority and the X-Forwarded headers', async () => {
    const home = await h2Request(session, { ':path': '/home?x=1', ':authority': 'shop.example.com' });
    assert.equal(home.status, 200);
    const seen = JSON.parse(home.body) as { name: string; url: string; httpVersion: string; headers: Record<string, string> };
    assert.equal(seen.name, 'web');
    assert.equal(seen.url, '/home?x=1');
    assert.equal(seen.httpVersion, '1.1', 'forwarded over HTTP/1.1');
    assert.equal(seen.headers.host, 'shop.example.com');
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
    assert.equal(seen.headers['x-forwarded-port'], '443');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.match(seen.headers['x-amzn-trace-id']!, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.deepEqual(Object.keys(seen.headers).filter((h) => h.startsWith(':')), [], 'no pseudo-header forwarded');
    assert.equal(home.headers['x-target'], 'web');
    for (const h of ['connection', 'keep-alive', 'transfer-encoding']) assert.equal(home.headers[h], undefined, `${h} never sent to an h2 client`);

    const api = await h2Request(session, { ':path': '/users', ':authority': 'API.example.com' });
    assert.equal(JSON.parse(api.body).name, 'api', 'the host-header rule, without regard to case');
    const withPort = await h2Request(session, { ':path': '/users', ':authority': 'api.example.com:443' });
    assert.equal(JSON.parse(withPort.body).name, 'api', 'the port is not part of the host a rule sees');
    assert.equal(JSON.parse(withPort.body).headers.host, 'api.example.com:443');
  });

  it('streams a POST body to the target and its answer back, chunk by chunk', async () => {
    const answer = await h2Request(session, { ':method': 'POST', ':path': '/upload', ':authority': 'shop.example.com', 'content-type': 'text/plain' }, ['one', 'two', 'three']);
    assert.equal(answer.status, 200);
    assert.equal(answer.body, 'web:one;web:two;web:three;end');
  });

  it('answers fixed responses, redirects, 503 and 504 over h2', async () => {
    const fixed = await h2Request(session, { ':path': '/static/a.css', ':authority': 'shop.example.com' });
    assert.deepEqual([fixed.status, fixed.body, fixed.headers.server], [200, 'static', 'awselb/2.0']);
    const moved = await h2Request(session, { ':path': '/old/page?q=2', ':authority': 'shop.example.com' });
    assert.deepEqual([moved.status, moved.headers.location], [301, 'https://shop.example.com/new/old/page?q=2']);
    const none = await h2Request(session, { ':path': '/nobody/here', ':authority': 'shop.example.com' });
    assert.equal(none.status, 503);
    assert.match(none.body, /503 Service Temporarily Unavailable/);

    await fx.elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '1' }] }));
    const silent = await until('the idle timeout applied', async () => {
      const r = await h2Request(session, { ':path': '/silent', ':authority': 'shop.example.com' });
      return r.status === 504 ? r : undefined;
    });
    assert.equal(silent.headers.server, 'awselb/2.0');
    await fx.elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '60' }] }));
  });

  it('serves curl --http2 with the certificate trusted through Wharf\'s root', async (t) => {
    const version = await promisify(execFile)('/usr/bin/curl', ['-V']).then((r) => r.stdout, () => '');
    if (!/\bHTTP2\b/.test(version)) return t.skip('this curl has no HTTP/2');
    const caFile = join(tempDir(), 'ca.pem');
    writeFileSync(caFile, ca);
    const { stdout } = await promisify(execFile)('/usr/bin/curl', [
      '--http2', '--cacert', caFile, '--resolve', `shop.example.com:443:${address}`, '-sS', '-w', '\n%{http_version} %{http_code}', 'https://shop.example.com/curl?via=h2',
    ]);
    const [body, status] = stdout.split('\n');
    assert.equal(status, '2 200');
    const seen = JSON.parse(body!) as { name: string; url: string; headers: Record<string, string> };
    assert.deepEqual([seen.name, seen.url, seen.headers.host, seen.headers['x-forwarded-proto']], ['web', '/curl?via=h2', 'shop.example.com', 'https']);
  });

  it('still serves HTTP/1.1 clients and WebSocket upgrades on the same listener', async () => {
    const answer = await new Promise<{ version: string; body: string }>((resolve, reject) => {
      https.get({ host: address, port: 443, path: '/one', servername: 'shop.example.com', ca, headers: { host: 'api.example.com' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ version: res.httpVersion, body }));
      }).on('error', reject);
    });
    assert.equal(answer.version, '1.1');
    assert.equal(JSON.parse(answer.body).name, 'api');

    const echoed = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: address, port: 443, servername: 'shop.example.com', ca, ALPNProtocols: ['http/1.1'] }, () => {
        socket.write('GET /ws HTTP/1.1\r\nHost: shop.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      });
      let seen = '';
      socket.on('data', (c: Buffer) => {
        seen += c.toString();
        if (seen.includes('\r\n\r\n') && !seen.includes('echo:')) socket.write('ping');
        if (seen.includes('echo:ping')) {
          socket.destroy();
          resolve(seen);
        }
      });
      socket.on('error', reject);
    });
    assert.match(echoed, /^HTTP\/1\.1 101 /);
    assert.match(echoed, /echo:ping\|https$/);
  });
});
