/**
 * One ALB listener's HTTP proxy: each request is routed (a function over the listener's current
 * rules and target health, given by the caller) to a target or to an answer of the load
 * balancer's own, and forwarded over pooled keep-alive connections with bodies streamed both ways,
 * never buffered. The target sees X-Forwarded-For/Proto/Port and X-Amzn-Trace-Id; hop-by-hop
 * headers stop here. A target that refuses or drops the connection is a 502, one that is silent
 * past the idle timeout a 504, no target a 503. WebSocket upgrades are spliced through.
 *
 * An HTTPS listener speaks HTTP/2 to clients that negotiate `h2` by ALPN and HTTP/1.1 to the
 * others (upgrades included), and forwards to targets over HTTP/1.1 either way, as ALB does with a
 * target group's default protocol version: `:authority` becomes the Host, pseudo-headers are not
 * forwarded, and the target's connection-specific headers never reach an HTTP/2 client. Plain
 * HTTP listeners stay HTTP/1.1.
 *
 *   client ──▶ route(view) ──▶ respond (fixed-response, redirect, 503)
 *                     └──────▶ forward ──▶ keep-alive pool ──▶ target ──▶ response streamed back
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import http2, { type Http2SecureServer } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import net from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { RequestView } from './conditions.ts';
import { errorResponse, type OwnResponse } from './responses.ts';

/** Where a request goes, as the router decided. */
export type RouteDecision =
  | {
    kind: 'forward'; address: string; port: number; targetGroupArn: string;
    /** The address to send from (the load balancer's in the target's VPC), when not the host's. */
    localAddress?: string;
    /** Called once the exchange is over (outstanding requests). */
    done?: () => void;
    /** Set-Cookie lines the load balancer adds to the target's response (sticky sessions), given the target's own. */
    cookies?: (targetSetCookie: readonly string[] | undefined) => readonly string[] | undefined;
  }
  | { kind: 'respond'; response: OwnResponse; /** The rule action that answered (absent: the load balancer's own error). */ action?: 'fixed-response' | 'redirect' };

/** What one finished request did, for metrics and access logs. */
export interface ExchangeRecord {
  targetGroupArn?: string;
  target?: string;
  statusCode: number;
  /** Who answered: the target, or the load balancer itself. */
  by: 'target' | 'elb';
  /** When the load balancer answered by a rule's action rather than with an error of its own. */
  action?: 'fixed-response' | 'redirect';
  /** Milliseconds from the request sent to the target to its response's headers. */
  targetResponseMs?: number;
}

/** A listener's proxy settings. */
export interface ListenerProxyOptions {
  protocol: 'http' | 'https';
  /** The listener's port, for X-Forwarded-Port and redirects. */
  port: number;
  route(view: RequestView, request: IncomingMessage): RouteDecision;
  /** The load balancer's idle timeout (`idle_timeout.timeout_seconds`), read per request so a change applies at once. */
  idleTimeoutMs(): number;
  /** A new trace id (`Root=1-<8 hex epoch>-<24 hex>`). */
  traceId(): string;
  onExchange?(record: ExchangeRecord): void;
  /** For HTTPS listeners: the certificates (SNI picks among them). */
  tls?: SecureContextOptions & { SNICallback?: (servername: string, cb: (err: Error | null, ctx?: import('node:tls').SecureContext) => void) => void };
  /** For HTTPS listeners: whether HTTP/2 is offered to clients (`routing.http2.enabled`, default true). */
  http2?: boolean;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** The client's address without IPv4-mapped IPv6 dress. */
const clientIp = (socket: net.Socket) => (socket.remoteAddress ?? '').replace(/^::ffff:/, '');

/** The request's headers as the target gets them. */
function forwardedHeaders(req: IncomingMessage, o: ListenerProxyOptions, keepUpgrade: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const named = new Set((req.headers.connection ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
  const h2 = req.httpVersionMajor === 2;
  for (const [name, value] of Object.entries(req.headers as IncomingHttpHeaders)) {
    if (value === undefined) continue;
    // HTTP/2's pseudo-headers (:method, :path, :authority, :scheme) are not headers of the HTTP/1.1 request.
    if (h2 && name.charCodeAt(0) === 58) continue;
    if ((HOP_BY_HOP.has(name) || named.has(name)) && !(keepUpgrade && (name === 'upgrade' || name === 'connection'))) continue;
    out[name] = value;
  }
  if (h2) {
    const authority = req.headers[':authority'];
    if (typeof authority === 'string' && authority) out.host = authority;
  }
  const ip = clientIp(req.socket);
  const xff = req.headers['x-forwarded-for'];
  out['x-forwarded-for'] = xff ? `${Array.isArray(xff) ? xff.join(', ') : xff}, ${ip}` : ip;
  out['x-forwarded-proto'] = o.protocol;
  out['x-forwarded-port'] = String(o.port);
  const trace = req.headers['x-amzn-trace-id'];
  out['x-amzn-trace-id'] = typeof trace === 'string' && /Root=/.test(trace) ? trace : o.traceId();
  return out;
}

/** What the conditions see of a request. */
function viewOf(req: IncomingMessage): RequestView {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const authority = req.httpVersionMajor === 2 ? req.headers[':authority'] : undefined;
  const host = ((typeof authority === 'string' && authority) || req.headers.host || '').replace(/:\d+$/, '');
  let query: [string, string][] | undefined;
  return {
    host, path, method: req.method ?? 'GET', sourceIp: clientIp(req.socket),
    header: (name) => {
      const v = req.headers[name];
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    },
    get query() {
      query ??= q < 0 ? [] : [...new URLSearchParams(url.slice(q + 1)).entries()];
      return query;
    },
  };
}

function writeOwn(res: ServerResponse, r: OwnResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(r.statusCode, r.headers);
  res.end(r.body);
}

/** One listener's proxy server. */
export class ListenerProxy {
  private readonly server: http.Server | https.Server | (Http2SecureServer & { keepAliveTimeout?: number });
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: 'lifo' });
  private readonly upgraded = new Set<net.Socket>();
  /** An HTTP/2-capable listener's client connections (it has no closeAllConnections). */
  private readonly connections = new Set<TLSSocket>();

  constructor(private readonly o: ListenerProxyOptions) {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    this.server = o.tls ? (o.http2 === false ? https.createServer({ ...o.tls }, handler) : this.http2Server(o.tls, handler)) : http.createServer(handler);
    this.server.keepAliveTimeout = o.idleTimeoutMs();
    this.server.on('upgrade', (req: IncomingMessage, socket: net.Socket, head: Buffer) => this.upgrade(req, socket, head));
    this.server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nServer: awselb/2.0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  /** Listens on `address:port` (port 0 picks one); resolves with the port. */
  listen(address: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, address, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /**
   * An HTTPS server offering `h2` and `http/1.1` by ALPN: HTTP/2 requests come to `handler` as the
   * compatibility API's request and response, which stand in for HTTP/1.1's in what the proxy uses.
   */
  private http2Server(secure: NonNullable<ListenerProxyOptions['tls']>, handler: (req: IncomingMessage, res: ServerResponse) => void): Http2SecureServer {
    const server = http2.createSecureServer({ ...secure, allowHTTP1: true }, handler as never);
    server.on('secureConnection', (socket: TLSSocket) => {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
    // An HTTP/2 connection idle past the load balancer's idle timeout is closed, as an HTTP/1.1 one is.
    server.on('session', (session) => session.setTimeout(this.o.idleTimeoutMs(), () => session.close()));
    server.on('sessionError', () => undefined);
    return server;
  }

  /** Stops listening and drops every connection, pooled ones too. */
  async close(): Promise<void> {
    for (const s of this.upgraded) s.destroy();
    for (const s of this.connections) s.destroy();
    if ('closeAllConnections' in this.server) this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
  }

  /** The router's decision; a router that throws is the load balancer's own 500, never a crash. */
  private decide(req: IncomingMessage): RouteDecision {
    try {
      return this.o.route(viewOf(req), req);
    } catch {
      return { kind: 'respond', response: errorResponse(500) };
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.server.keepAliveTimeout = this.o.idleTimeoutMs();
    const decision = this.decide(req);
    if (decision.kind === 'respond') {
      writeOwn(res, decision.response);
      this.o.onExchange?.({ statusCode: decision.response.statusCode, by: 'elb', ...(decision.action && { action: decision.action }) });
      return;
    }
    this.forward(req, res, decision);
  }

  private forward(req: IncomingMessage, res: ServerResponse, d: Extract<RouteDecision, { kind: 'forward' }>): void {
    const started = performance.now();
    const target = `${d.address}:${d.port}`;
    let finished = false;
    const finish = (record: ExchangeRecord) => {
      if (finished) return;
      finished = true;
      d.done?.();
      this.o.onExchange?.(record);
    };
    const upstream = http.request({
      host: d.address, port: d.port, method: req.method, path: req.url, headers: forwardedHeaders(req, this.o, false), agent: this.agent,
      ...(d.localAddress && { localAddress: d.localAddress }),
    });
    upstream.setTimeout(this.o.idleTimeoutMs(), () => upstream.destroy(new TimeoutError()));
    upstream.on('response', (answer) => {
      const targetResponseMs = performance.now() - started;
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      if (d.cookies) addCookies(headers, d.cookies(answer.headers['set-cookie']));
      if (req.httpVersionMajor === 2) {
        // HTTP/2 has no reason phrase; a header it cannot carry makes the target's answer a 502.
        try {
          res.writeHead(answer.statusCode ?? 502, headers);
        } catch {
          answer.destroy();
          writeOwn(res, errorResponse(502));
          finish({ targetGroupArn: d.targetGroupArn, target, statusCode: 502, by: 'elb' });
          return;
        }
      } else {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
      }
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      res.on('close', () => {
        if (!answer.complete) answer.destroy();
        finish({ targetGroupArn: d.targetGroupArn, target, statusCode: answer.statusCode ?? 502, by: 'target', targetResponseMs });
      });
    });
    upstream.on('error', (error) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = error instanceof TimeoutError ? 504 : 502;
      writeOwn(res, errorResponse(status));
      finish({ targetGroupArn: d.targetGroupArn, target, statusCode: status, by: 'elb' });
    });
    // The client went away mid-request: so does the upstream request.
    req.on('error', () => upstream.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  private upgrade(req: IncomingMessage, socket: net.Socket, head: Buffer): void {
    const decision = this.decide(req);
    if (decision.kind === 'respond') {
      const r = decision.response;
      socket.end(`HTTP/1.1 ${r.statusCode} ${http.STATUS_CODES[r.statusCode] ?? ''}\r\n${Object.entries(r.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}connection: close\r\n\r\n${r.body}`);
      return;
    }
    const d = decision;
    const upstream = net.connect({ port: d.port, host: d.address, ...(d.localAddress && { localAddress: d.localAddress }) });
    this.upgraded.add(socket).add(upstream);
    let cleaned = false;
    const cleanup = () => {
      if (cleaned) return;
      cleaned = true;
      this.upgraded.delete(socket);
      this.upgraded.delete(upstream);
      socket.destroy();
      upstream.destroy();
      d.done?.();
    };
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      const headers = forwardedHeaders(req, this.o, true);
      const lines = Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}: ${x}\r\n`)).join('');
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${lines}\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.once('error', () => {
      if (!connected) {
        const r = errorResponse(502);
        socket.end(`HTTP/1.1 502 Bad Gateway\r\n${Object.entries(r.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}connection: close\r\n\r\n${r.body}`);
      }
      cleanup();
    });
    socket.once('error', cleanup);
    socket.once('close', cleanup);
    upstream.once('close', cleanup);
  }
}

/** The load balancer's Set-Cookie lines after the target's own, which are all kept. */
function addCookies(headers: Record<string, string | string[]>, cookies: readonly string[] | undefined): void {
  if (!cookies?.length) return;
  const own = headers['set-cookie'];
  headers['set-cookie'] = own === undefined ? [...cookies] : [...(Array.isArray(own) ? own : [own]), ...cookies];
}

/** A target silent past the idle timeout. */
class TimeoutError extends Error {}
