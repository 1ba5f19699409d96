/**
 * The web console's routes on the control plane (docs/console.md):
 *
 * - `GET /console/...` — the built console (dist/console): hashed assets cached for a year,
 *   every other path answered with index.html so a deep link opens its page; gzip or brotli
 *   when the browser takes them, compressed once per file.
 * - `GET /_wharf/console/changes` — the live stream: SigV4-signed like an ECS call, it sends
 *   (as server-sent events) only the *kinds* of resource that changed in the caller's account
 *   and region (`ecs/tasks`, `logs/stream`, ...). Pages then re-read what they show through
 *   the AWS APIs, so IAM decides what anyone sees; the stream itself carries no names or data.
 */
import { readFileSync, statSync } from 'node:fs';
import type http from 'node:http';
import { extname, join, normalize } from 'node:path';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import { AwsError, authenticate, ecsModel, wireRequestOf, type Authority, type Route } from '../aws/index.ts';
import type { Clock } from '../common/index.ts';
import type { Store, WatchEvent } from '../state/index.ts';

/** Where the console's build lands (`npm run build:console`). */
export const CONSOLE_DIST = new URL('../../dist/console', import.meta.url).pathname;

/** A stream is closed after this long, so a revoked key stops seeing changes (the page reconnects). */
const STREAM_LIFETIME_MS = 15 * 60_000;
/** Changes are sent at most this often per stream, several kinds at once. */
const COALESCE_MS = 200;
const HEARTBEAT_MS = 20_000;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.woff': 'font/woff', '.json': 'application/json', '.ico': 'image/x-icon',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json']);

/**
 * The kind of resource a store key is, when it belongs to `account` in `region`: keys are
 * `<part>/<kind>/<account>/<region>/…` (ecs, ecr, lb, …), `logs/<account>/<region>/<kind>/…`,
 * `<part>/<account>/<region>/<name>` (alarms: the kind is the part), or IAM's global
 * `iam/<account>/<kind>/…`. Undefined for another account's keys or Wharf's own.
 */
export function changeKind(key: string, account: string, region: string): string | undefined {
  const s = key.split('/');
  if (s[0] === 'iam') return s[1] === account && s.length > 3 ? `iam/${s[2]}` : undefined;
  if (s[1] === account) return s[2] !== region || s.length < 4 ? undefined : s.length === 4 ? s[0] : `${s[0]}/${s[3]}`;
  if (s[2] === account) return s[3] === region && s.length > 4 ? `${s[0]}/${s[1]}` : undefined;
  return undefined;
}

interface Subscriber {
  account: string;
  region: string;
  pending: Set<string>;
  flush: () => void;
}

/** One watch of the whole store shared by every open stream of this replica; stopped when none is open. */
class ChangeHub {
  private readonly subscribers = new Set<Subscriber>();
  private unwatch: (() => void) | undefined;

  constructor(private readonly store: Store) {}

  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s);
    this.unwatch ??= this.watch();
    return () => {
      this.subscribers.delete(s);
      if (this.subscribers.size === 0) {
        this.unwatch?.();
        this.unwatch = undefined;
      }
    };
  }

  /** Watches from now; a watch the store compacted under is taken up again, and every page told to read anew. */
  private watch(): () => void {
    return this.store.watch('', (event) => this.deliver(event), {
      onCompacted: () => {
        this.unwatch = this.subscribers.size ? this.watch() : undefined;
        for (const s of this.subscribers) this.mark(s, '*');
      },
    });
  }

  private mark(s: Subscriber, kind: string): void {
    if (s.pending.has(kind)) return;
    s.pending.add(kind);
    if (s.pending.size === 1) setTimeout(s.flush, COALESCE_MS);
  }

  private deliver(event: WatchEvent): void {
    for (const s of this.subscribers) {
      const kind = changeKind(event.kv.key, s.account, s.region);
      if (kind !== undefined) this.mark(s, kind);
    }
  }
}

export interface ConsoleRouteDeps {
  store: Store;
  clock: Clock;
  authority: Authority;
  unknownKeysAsRoot: boolean;
  account: string;
  /** Where the built console is (tests point it elsewhere). */
  dist?: string;
}

/** The console's static files and its change stream, as endpoint routes and prefixes. */
export function consoleRoutes(d: ConsoleRouteDeps): { routes: Record<string, Route>; prefixes: Record<string, Route> } {
  const hub = new ChangeHub(d.store);
  return {
    routes: { 'GET /_wharf/console/changes': changeStream(d, hub) },
    prefixes: { '/console/': staticConsole(d.dist ?? process.env.WHARF_CONSOLE_DIST ?? CONSOLE_DIST) },
  };
}

function changeStream(d: ConsoleRouteDeps, hub: ChangeHub): Route {
  return async (req, res) => {
    const wire = wireRequestOf(req, new URL(req.url ?? '/', 'http://wharf'), Buffer.alloc(0));
    let who;
    try {
      who = await authenticate(wire, ecsModel, d.authority, { unknownKeysAsRoot: d.unknownKeysAsRoot, account: d.account }, d.clock.now());
    } catch (error) {
      const e = error instanceof AwsError ? error : new AwsError('AccessDeniedException', 'The stream needs a signed request.', 403);
      const text = JSON.stringify({ __type: e.code, message: e.message });
      res.writeHead(e.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.write(': connected\n\n');
    const subscriber: Subscriber = {
      account: who.principal.account,
      region: who.region,
      pending: new Set(),
      flush: () => {
        const kinds = [...subscriber.pending].sort();
        subscriber.pending.clear();
        if (kinds.length && !res.destroyed) res.write(`data: ${JSON.stringify({ kinds })}\n\n`);
      },
    };
    const unsubscribe = hub.subscribe(subscriber);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const lifetime = setTimeout(() => res.end(), STREAM_LIFETIME_MS);
    res.once('close', () => {
      clearInterval(heartbeat);
      clearTimeout(lifetime);
      unsubscribe();
    });
  };
}

interface Asset {
  type: string;
  body: Buffer;
  gzip?: Buffer;
  br?: Buffer;
  etag: string;
}

/** The built console's files, read and compressed once each; unknown paths are the app's own routes. */
function staticConsole(dist: string): Route {
  // Only files that exist are kept: a miss is an app route, and those are endless.
  const cache = new Map<string, Asset>();
  const load = (rel: string): Asset | null => {
    const hit = cache.get(rel);
    if (hit) return hit;
    const file = join(dist, rel);
    let asset: Asset | null = null;
    try {
      const stat = statSync(file);
      if (stat.isFile()) {
        const ext = extname(file);
        const body = readFileSync(file);
        asset = { type: TYPES[ext] ?? 'application/octet-stream', body, etag: `"${stat.size.toString(16)}-${stat.mtimeMs.toString(16)}"` };
        if (COMPRESSIBLE.has(ext) && body.length > 512) {
          asset.gzip = gzipSync(body, { level: 9 });
          asset.br = brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } });
        }
      }
    } catch {
      asset = null;
    }
    if (asset) cache.set(rel, asset);
    return asset;
  };
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      return void res.end();
    }
    const path = new URL(req.url ?? '/', 'http://wharf').pathname.slice('/console'.length);
    if (path === '') {
      res.writeHead(301, { location: '/console/' });
      return void res.end();
    }
    const rel = normalize(path).replace(/^(\.\.[/\\])+/, '');
    const isAsset = rel.startsWith('/assets/');
    const asset = (rel !== '/' && load(rel)) || (isAsset ? null : load('/index.html'));
    if (!asset) {
      const text = isAsset ? 'Not found.' : 'The console is not built: run `npm run build:console`.';
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      return void res.end(text);
    }
    send(req, res, asset, isAsset);
  };
}

function send(req: http.IncomingMessage, res: http.ServerResponse, asset: Asset, immutable: boolean): void {
  // Hashed asset names change with their content; index.html is checked each time.
  const headers: Record<string, string | number> = {
    'content-type': asset.type,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    etag: asset.etag,
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
  };
  if (asset.type.startsWith('text/html')) headers['content-security-policy'] = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'";
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers);
    return void res.end();
  }
  const accepts = String(req.headers['accept-encoding'] ?? '');
  let body = asset.body;
  if (asset.br && /\bbr\b/.test(accepts)) [body, headers['content-encoding']] = [asset.br, 'br'];
  else if (asset.gzip && /\bgzip\b/.test(accepts)) [body, headers['content-encoding']] = [asset.gzip, 'gzip'];
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
