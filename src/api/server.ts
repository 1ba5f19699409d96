/**
 * The one HTTP endpoint every AWS API of Wharf is served on. It decodes AWS JSON 1.0/1.1
 * requests (dispatching on `X-Amz-Target`), reads the region and access key from SigV4,
 * calls the service's action, and writes results and errors in the wire shapes the AWS SDKs
 * parse. Non-AWS routes (health, reset, the registry, the agent link) are plugged in as
 * `routes`/`prefixes`/`upgrades`.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { AwsError, CommonErrors } from './errors.ts';
import { credentialScope } from './sigv4.ts';
import type { JsonService, RequestContext } from './types.ts';

/** A plain HTTP route outside the AWS protocols (`GET /_wharf/health`). */
export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/** A WebSocket (or other) upgrade handler for one path. */
export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface EndpointOptions {
  services: JsonService[];
  /** Region for unsigned requests. */
  defaultRegion: string;
  /** The account every request acts in (until IAM maps access keys to accounts). */
  account: string;
  /** `METHOD /path` → route. */
  routes?: Record<string, Route>;
  /** `/prefix/` → handler for every method and path under it (the registry's `/v2/`). */
  prefixes?: Record<string, Route>;
  /** `/path` → upgrade handler. */
  upgrades?: Record<string, UpgradeHandler>;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** Called for 5xx errors, which are Wharf's bugs, never the caller's. */
  onServerError?: (error: unknown, target: string) => void;
}

const DEFAULT_MAX_BODY = 10 * 1024 * 1024;

/** Creates the endpoint's HTTP server (not yet listening). */
export function createEndpoint(options: EndpointOptions): http.Server {
  const byPrefix = new Map(options.services.map((s) => [s.targetPrefix, s]));
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
    void serveJson(req, res, url);
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://wharf').pathname;
    const handler = options.upgrades?.[path];
    if (handler) handler(req, socket, head);
    else socket.destroy();
  });

  async function serveJson(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const requestId = randomUUID();
    const target = String(req.headers['x-amz-target'] ?? '');
    const dot = target.lastIndexOf('.');
    const service = dot > 0 ? byPrefix.get(target.slice(0, dot)) : undefined;
    const jsonVersion = service?.jsonVersion ?? '1.1';
    try {
      if (req.method !== 'POST' || !target) throw CommonErrors.missingAction();
      if (!service) throw CommonErrors.unknownOperation();
      const handler = Object.hasOwn(service.actions, target.slice(dot + 1)) ? service.actions[target.slice(dot + 1)] : undefined;
      if (!handler) throw CommonErrors.unknownOperation();
      const input = parseBody(await readBody(req, maxBody));
      const scope = credentialScope(req.headers.authorization, url.searchParams);
      const ctx: RequestContext = {
        region: scope?.region ?? options.defaultRegion,
        account: options.account,
        accessKeyId: scope?.accessKeyId,
        requestId,
      };
      const output = await handler(input, ctx);
      send(res, 200, requestId, jsonVersion, output);
    } catch (error) {
      const aws = toAwsError(error);
      if (aws.status >= 500) options.onServerError?.(error, target);
      send(res, aws.status, requestId, jsonVersion, { __type: aws.code, message: aws.message }, aws.code);
    }
  }

  return server;
}

function toAwsError(error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  if (error instanceof Error && error.name === 'ConflictError') return CommonErrors.throttling(error.message);
  return new AwsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(CommonErrors.tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(CommonErrors.tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw CommonErrors.serialization('Request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw CommonErrors.serialization('Request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

/** AWS JSON writes timestamps as epoch seconds (fractional), and omits absent members. */
function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const original = this[key];
    return original instanceof Date ? original.getTime() / 1000 : v;
  });
}

function send(res: http.ServerResponse, status: number, requestId: string, jsonVersion: string, body: unknown, errorType?: string): void {
  const text = encode(body);
  const headers: http.OutgoingHttpHeaders = {
    'content-type': `application/x-amz-json-${jsonVersion}`,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(text);
}
