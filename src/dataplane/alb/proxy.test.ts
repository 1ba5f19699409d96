/**
 * A listener proxy on loopback in front of real HTTP servers on loopback: forwarding with the
 * X-Forwarded-* and trace headers, hop-by-hop headers dropped, bodies streamed both ways (the
 * first chunk arrives before the last is sent), keep-alive to targets, the load balancer's own
 * answers, 502 for a target that refuses, 504 for one silent past the idle timeout, and a
 * WebSocket-style upgrade spliced through; and health probes (HTTP with a matcher, TCP) with
 * their failure reasons.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { ListenerProxy, type ExchangeRecord, type RouteDecision } from './proxy.ts';
import { fixedResponse, redirectResponse } from './responses.ts';

const servers: (http.Server | net.Server)[] = [];
async function serve(handler: http.RequestListener, onUpgrade?: (req: http.IncomingMessage, socket: net.Socket) => void): Promise<number> {
  const server = http.createServer(handler);
  if (onUpgrade) server.on('upgrade', onUpgrade);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

function fetchRaw(port: number, path: string, o: { method?: string; headers?: Record<string, string>; body?: string; agent?: http.Agent } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: o.headers, agent: o.agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

describe('ALB listener proxy', () => {
  let proxy: ListenerProxy;
  let port = 0;
  let route: (path: string) => RouteDecision;
  const exchanges: ExchangeRecord[] = [];
  let idleMs = 2000;
  let echo = 0;
  const upstreamSockets = new Set<number>();

  before(async () => {
    echo = await serve((req, res) => {
      upstreamSockets.add(req.socket.remotePort!);
      if (req.url === '/stream') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        req.on('data', (c: Buffer) => res.write(`got:${c.toString()};`));
        req.on('end', () => res.end('end'));
        return;
      }
      if (req.url === '/silent') return;
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-from': 'echo', 'keep-alive': 'timeout=5' });
        res.end(JSON.stringify({ url: req.url, method: req.method, headers: req.headers, body }));
      });
    }, (req, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n');
      socket.on('data', (c: Buffer) => socket.write(`echo:${c.toString()}|${req.headers['x-forwarded-proto']}`));
    });
    const refused = await new Promise<number>((r) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => r(p));
      });
    });
    route = (path) => {
      if (path.startsWith('/fixed')) return { kind: 'respond', response: fixedResponse({ statusCode: '418', contentType: 'text/plain', messageBody: 'teapot' }) };
      if (path.startsWith('/old')) return { kind: 'respond', response: redirectResponse({ statusCode: 'HTTP_301', protocol: 'HTTPS', port: '443', host: '#{host}', path: '/#{path}', query: '#{query}' }, { protocol: 'http', host: 'shop.example.com', port: 80, path, query: 'a=1' }) };
      if (path.startsWith('/down')) return { kind: 'forward', address: '127.0.0.1', port: refused, targetGroupArn: 'tg-down' };
      return { kind: 'forward', address: '127.0.0.1', port: echo, targetGroupArn: 'tg-echo' };
    };
    proxy = new ListenerProxy({
      protocol: 'http', port: 80, route: (view) => route(view.path), idleTimeoutMs: () => idleMs,
      traceId: () => 'Root=1-67891233-abcdef012345678912345678', onExchange: (r) => exchanges.push(r),
    });
    port = await proxy.listen('127.0.0.1', 0);
  });
  after(async () => {
    await proxy.close();
    for (const s of servers) s.close();
  });

  it('forwards with X-Forwarded-For/Proto/Port and a trace id; hop-by-hop headers stop at the proxy', async () => {
    const r = await fetchRaw(port, '/api/x?y=1', { method: 'POST', headers: { 'x-forwarded-for': '203.0.113.9', 'x-custom': 'kept', connection: 'keep-alive, x-secret', 'x-secret': 'dropped' }, body: 'hello' });
    assert.equal(r.status, 201);
    const seen = JSON.parse(r.body) as { url: string; method: string; headers: Record<string, string>; body: string };
    assert.deepEqual([seen.url, seen.method, seen.body], ['/api/x?y=1', 'POST', 'hello']);
    assert.equal(seen.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-forwarded-port'], '80');
    assert.equal(seen.headers['x-amzn-trace-id'], 'Root=1-67891233-abcdef012345678912345678');
    assert.equal(seen.headers['x-custom'], 'kept');
    assert.equal(seen.headers['x-secret'], undefined, 'named in Connection: hop-by-hop');
    assert.equal(r.headers['x-from'], 'echo');
    assert.notEqual(r.headers['keep-alive'], 'timeout=5', "the target's hop-by-hop Keep-Alive is not passed on");
    assert.deepEqual(exchanges.at(-1)?.statusCode, 201);
    assert.equal(exchanges.at(-1)?.by, 'target');
  });

  it('keeps connections to the target alive across requests', async () => {
    upstreamSockets.clear();
    for (let i = 0; i < 20; i++) await fetchRaw(port, `/k${i}`);
    assert.ok(upstreamSockets.size <= 2, `20 sequential requests over ${upstreamSockets.size} upstream connections`);
  });

  it('streams: the first chunk of the answer arrives before the request body is finished', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/stream', method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        let seen = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          seen += c;
          if (seen === 'got:one;') req.end('two');
        });
        res.on('end', () => resolve(seen));
      });
      req.on('error', reject);
      req.write('one');
    });
    assert.equal(answer, 'got:one;got:two;end');
  });

  it('answers itself: fixed responses and redirects, 502 for a refusing target, 504 for a silent one', async () => {
    const fixed = await fetchRaw(port, '/fixed');
    assert.deepEqual([fixed.status, fixed.body, fixed.headers.server], [418, 'teapot', 'awselb/2.0']);
    const moved = await fetchRaw(port, '/old/page');
    assert.deepEqual([moved.status, moved.headers.location], [301, 'https://shop.example.com/old/page?a=1']);
    const bad = await fetchRaw(port, '/down');
    assert.equal(bad.status, 502);
    assert.match(bad.body, /502 Bad Gateway/);
    idleMs = 300;
    const slow = await fetchRaw(port, '/silent');
    idleMs = 2000;
    assert.equal(slow.status, 504);
    assert.deepEqual(exchanges.slice(-2).map((e) => [e.statusCode, e.by]), [[502, 'elb'], [504, 'elb']]);
  });

  it('splices an upgraded connection through to the target', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
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
    assert.match(reply, /^HTTP\/1\.1 101/);
    assert.match(reply, /echo:ping\|http/);
  });
});

describe('health probes', () => {
  it('HTTP: the matcher decides; a refused connection and a silent target fail with their reasons; TCP: a connection', async () => {
    const { probe } = await import('./probe.ts');
    const { statusMatcher } = await import('./health.ts');
    const agents: string[] = [];
    const port = await serve((req, res) => {
      agents.push(String(req.headers['user-agent']));
      if (req.url === '/slow') return;
      res.writeHead(req.url === '/health' ? 200 : 503);
      res.end();
    });
    const matches = statusMatcher('200-299')!;
    assert.deepEqual(await probe({ address: '127.0.0.1', port, protocol: 'HTTP', path: '/health', matches, timeoutMs: 1000 }), { ok: true });
    assert.deepEqual(await probe({ address: '127.0.0.1', port, protocol: 'HTTP', path: '/other', matches, timeoutMs: 1000 }), { ok: false, reason: 'Target.ResponseCodeMismatch', statusCode: 503 });
    assert.deepEqual(await probe({ address: '127.0.0.1', port, protocol: 'HTTP', path: '/slow', matches, timeoutMs: 200 }), { ok: false, reason: 'Target.Timeout' });
    assert.equal(agents[0], 'ELB-HealthChecker/2.0');
    assert.deepEqual(await probe({ address: '127.0.0.1', port, protocol: 'TCP', timeoutMs: 1000 }), { ok: true });
    const closed = await new Promise<number>((r) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => r(p));
      });
    });
    assert.deepEqual(await probe({ address: '127.0.0.1', port: closed, protocol: 'TCP', timeoutMs: 1000 }), { ok: false, reason: 'Target.FailedHealthChecks' });
    assert.deepEqual(await probe({ address: '127.0.0.1', port: closed, protocol: 'HTTP', timeoutMs: 1000 }), { ok: false, reason: 'Target.FailedHealthChecks' });
    for (const s of servers.splice(0)) {
      (s as http.Server).closeAllConnections?.();
      s.close();
    }
  });
});
