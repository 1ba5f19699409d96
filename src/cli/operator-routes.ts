/**
 * The control plane's own HTTP routes beside the AWS APIs: health, readiness and status (which
 * replica leads), the dev-mode reset, the root certificate of ACM's certificate authority, and
 * the operator's import of the vulnerability feed. Each guards itself: the reset refuses anything a
 * browser could send from another site; the feed import is SigV4-signed and authorized by IAM
 * like an API call, with a bounded body.
 */
import type http from 'node:http';
import {
  AwsError, authenticate, authorizationGlobals, authorizeRequest, ecrModel, ecsModel, sourceIpOf, wireRequestOf, type Authority, type Route,
} from '../aws/index.ts';
import type { Clock } from '../common/index.ts';
import { importOsvFeed } from '../registry/index.ts';
import type { Store } from '../state/index.ts';

/** The largest vulnerability feed an import takes. */
export const MAX_FEED_BYTES = 256 * 1024 * 1024;

/** The IAM action an operator needs to interrupt a FARGATE_SPOT task as AWS reclaiming Spot capacity would. */
export const INTERRUPT_SPOT_ACTION = 'wharf:InterruptSpotTask';

/** The IAM action an operator needs to replace the vulnerability feed (root and `*` have it). */
export const IMPORT_FEED_ACTION = 'wharf:ImportVulnerabilityFeed';

export interface OperatorRouteDeps {
  store: Store;
  /** Wharf's own metrics in Prometheus text. */
  metrics?: () => string;
  clock: Clock;
  authority: Authority;
  unknownKeysAsRoot: boolean;
  account: string;
  /** The root certificate of ACM's certificate authority, for operators to trust (public). */
  acmRoot?: () => Promise<string>;
  /** Interrupts a FARGATE_SPOT task (its account and region are the caller's), answering the stopping task. */
  interruptSpotTask?: (scope: { account: string; region: string }, cluster: string | undefined, task: string) => Promise<{ taskArn: string; stopCode?: string; stoppedReason?: string }>;
  /** Present in dev mode: wipes all state. */
  reset?: () => Promise<void>;
  /** This replica, the store's kind, and who leads (for status and readiness). */
  replica: { name: string; store: 'sqlite' | 'etcd'; leading: () => boolean; leader: () => Promise<string | undefined> };
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

/** True when the request comes from a web page of another origin (browsers always say so). */
function crossOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return req.headers['sec-fetch-site'] !== undefined && req.headers['sec-fetch-site'] !== 'same-origin' && req.headers['sec-fetch-site'] !== 'none';
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

/** Reads a body up to `limit` bytes, or undefined when it is larger. */
async function readLimited(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** What a signed operator route is given: the body and who signed it (account and region). */
interface Signed {
  body: Buffer;
  principal: { account: string };
  region: string;
}

/**
 * A route signed like an AWS call (SigV4 as `model`'s service) and authorized by IAM for `action`:
 * the body read up to `maxBytes`, the handler's answer sent as JSON, AWS errors in their shape.
 */
function signedRoute(
  d: OperatorRouteDeps, model: typeof ecsModel | typeof ecrModel, action: string, maxBytes: number,
  handle: (signed: Signed) => Promise<unknown>,
): Route {
  return async (req, res) => {
    const body = await readLimited(req, maxBytes);
    if (!body) {
      req.resume();
      return json(res, 413, { message: `The request body exceeds the limit of ${maxBytes} bytes.` });
    }
    const wire = wireRequestOf(req, new URL(req.url ?? '/', 'http://wharf'), body);
    try {
      const now = d.clock.now();
      const who = await authenticate(wire, model, d.authority, { unknownKeysAsRoot: d.unknownKeysAsRoot, account: d.account }, now);
      const globals = authorizationGlobals({ sourceIp: sourceIpOf(req), secure: false }, who.region, now);
      await authorizeRequest(d.authority, model, who.principal, { action, resource: '*' }, globals);
      json(res, 200, await handle({ body, principal: who.principal, region: who.region }));
    } catch (error) {
      if (error instanceof AwsError) return json(res, error.status, { __type: error.code, message: error.message });
      json(res, 400, { message: error instanceof Error ? error.message : String(error) });
    }
  };
}

/** The operator routes, by `METHOD /path`. */
export function operatorRoutes(d: OperatorRouteDeps): Record<string, Route> {
  const routes: Record<string, Route> = {
    // Liveness: the process serves. Readiness: it can also reach the store (a replica cut off
    // from etcd's quorum is taken out of a load balancer's rotation).
    'GET /_wharf/health': (_req, res) => json(res, 200, { status: 'ok' }),
    // Wharf's own metrics, for Prometheus (counts and timings; nothing of any account's resources).
    'GET /metrics': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(d.metrics?.() ?? '');
    },
    'GET /_wharf/ready': async (_req, res) => {
      try {
        json(res, 200, { status: 'ready', revision: await d.store.revision() });
      } catch (error) {
        json(res, 503, { status: 'unavailable', message: error instanceof Error ? error.message : String(error) });
      }
    },
    'GET /_wharf/status': async (_req, res) => {
      const leader = await d.replica.leader().catch(() => undefined);
      json(res, 200, { replica: d.replica.name, store: d.replica.store, leading: d.replica.leading(), leader: leader ?? null });
    },
    // The root of the certificates ACM issues: public, so unauthenticated, like any CA's root.
    'GET /_wharf/acm/ca.pem': async (_req, res) => {
      const pem = await d.acmRoot?.();
      if (pem === undefined) return json(res, 404, { message: 'This control plane serves no ACM certificate authority.' });
      res.writeHead(200, { 'content-type': 'application/x-pem-file', 'content-length': Buffer.byteLength(pem) });
      res.end(pem);
    },
    'PUT /_wharf/registry/osv-feed': signedRoute(d, ecrModel, IMPORT_FEED_ACTION, MAX_FEED_BYTES, ({ body }) => importOsvFeed(d.store, body.toString('utf8'), d.clock)),
  };
  const interrupt = d.interruptSpotTask;
  if (interrupt) {
    // Signed like an ECS call: IAM decides whether the caller may interrupt Spot tasks.
    routes['POST /_wharf/ecs/interrupt-spot-task'] = signedRoute(d, ecsModel, INTERRUPT_SPOT_ACTION, 64 * 1024, async ({ body, principal, region }) => {
      const input = JSON.parse(body.toString('utf8') || '{}') as { cluster?: string; task?: string };
      if (typeof input.task !== 'string' || input.task === '') throw new AwsError('InvalidParameterException', 'task can not be null or empty.');
      return { task: await interrupt({ account: principal.account, region }, input.cluster, input.task) };
    });
  }
  const reset = d.reset;
  if (reset) {
    // Only a request no web page can send across sites: JSON content (which needs a CORS
    // preflight Wharf never grants) and no foreign Origin.
    routes['POST /_wharf/reset'] = async (req, res) => {
      if (crossOrigin(req)) return json(res, 403, { message: 'Cross-origin requests may not reset Wharf.' });
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return json(res, 415, { message: 'POST /_wharf/reset takes Content-Type: application/json.' });
      }
      req.resume();
      await reset();
      json(res, 200, { reset: true });
    };
  }
  return routes;
}
