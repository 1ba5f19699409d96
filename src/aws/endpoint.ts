/**
 * The one HTTP endpoint every AWS API of Wharf is served on. AWS API requests (an
 * `X-Amz-Target`, or a Query `Action`) go through the middleware chain (`pipeline.ts`); plain
 * routes (health, reset, the registry's `/v2/`, the agent link's upgrade) are plugged in beside
 * them and do their own authentication.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { AwsError, CommonErrors } from './errors.ts';
import { Pipeline, type PipelineOptions } from './pipeline.ts';
import type { WireResponse } from './protocol/types.ts';
import { sourceIpOf, wireRequestOf } from './wire.ts';

/** A plain HTTP route outside the AWS protocols (`GET /_wharf/health`). */
export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/** A WebSocket (or other) upgrade handler for one path. */
export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface EndpointOptions extends PipelineOptions {
  /** `METHOD /path` → route. */
  routes?: Record<string, Route>;
  /** `/prefix/` → handler for every method and path under it (the registry's `/v2/`). */
  prefixes?: Record<string, Route>;
  /** `/path` → upgrade handler. */
  upgrades?: Record<string, UpgradeHandler>;
  /** Largest AWS request body accepted, in bytes (10 MiB by default). */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 10 * 1024 * 1024;

/** The endpoint's HTTP server (not yet listening). */
export function createEndpoint(options: EndpointOptions): http.Server {
  const pipeline = new Pipeline(options);
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://wharf');
    const route = options.routes?.[`${req.method} ${url.pathname}`]
      ?? Object.entries(options.prefixes ?? {}).find(([prefix]) => url.pathname.startsWith(prefix) || `${url.pathname}/` === prefix)?.[1];
    if (route) {
      Promise.resolve(route(req, res)).catch((error: unknown) => {
        options.onServerError?.(error, url.pathname);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
      return;
    }
    void serveAws(req, res, url);
  });
  // An idle connection stays open a minute, as AWS's endpoints keep it: with Node's 5 s, a
  // client busy for about that long reuses a socket the server is closing that moment.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://wharf').pathname;
    const handler = options.upgrades?.[path];
    if (handler) handler(req, socket, head);
    else socket.destroy();
  });

  async function serveAws(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req, maxBody);
    } catch (error) {
      const refusal = error instanceof AwsError ? error : new AwsError('InternalFailure', 'Could not read the request.', 500);
      write(res, pipeline.refuse(refusal, wireRequestOf(req, url, Buffer.alloc(0))));
      return;
    }
    const closed = new AbortController();
    res.once('close', () => closed.abort());
    const response = await pipeline.serve({ wire: wireRequestOf(req, url, body), sourceIp: sourceIpOf(req), secure: false, signal: closed.signal });
    // The server's time, which SDKs correct their clock skew by (signatures are checked against it).
    res.setHeader('date', new Date(options.clock.now()).toUTCString());
    if (response.stream) await writeStream(res, response.status, response.headers, response.stream, (error) => options.onServerError?.(error, url.pathname));
    else write(res, response);
  }

  return server;
}

function write(res: http.ServerResponse, response: WireResponse): void {
  const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
  res.writeHead(response.status, { ...response.headers, 'content-length': body.length });
  res.end(body);
}

/** Writes a streamed body as its chunks come, as fast as the caller reads them; stops when the caller goes away. */
async function writeStream(
  res: http.ServerResponse, status: number, headers: Record<string, string>, stream: AsyncIterable<Uint8Array>, onError: (error: unknown) => void,
): Promise<void> {
  res.writeHead(status, headers);
  res.flushHeaders();
  try {
    for await (const chunk of stream) {
      if (res.destroyed) break;
      // A caller reading slower than events come holds the stream back: the next chunk waits for it.
      if (!res.write(chunk)) await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
    }
  } catch (error) {
    onError(error);
  } finally {
    res.end();
  }
}

/** Reads a whole body, refusing one larger than `limit` (413) before or while it arrives. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => CommonErrors.tooLarge(limit);
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
