/**
 * The OCI Distribution API v1.1 (what docker push/pull, skopeo, oras and crane speak), as one
 * route mounted under `/v2/`. It authenticates the caller (`access.ts`: a registry token bound
 * to an IAM principal), parses the path from the right, authorizes the ECR actions the request
 * needs on its repository (`permissions.ts`), and dispatches to the blob and manifest handlers;
 * every failure leaves as the spec's JSON error with its status, and every answer carries
 * `Docker-Distribution-API-Version`.
 *
 *   /v2/                                   base check (401 + Basic challenge until logged in)
 *   /v2/_catalog                           repositories of the caller's account and region
 *   /v2/<name>/blobs/<digest>              HEAD GET DELETE
 *   /v2/<name>/blobs/uploads/[<uuid>]      POST | GET PATCH PUT DELETE
 *   /v2/<name>/manifests/<tag|digest>      HEAD GET PUT DELETE
 *   /v2/<name>/tags/list                   GET
 *   /v2/<name>/referrers/<digest>          GET
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../common/index.ts';
import type { Store } from '../state/index.ts';
import type { RegistryAccess, RegistryCaller } from './access.ts';
import { serveBlob, serveUpload, startUpload } from './blob-handlers.ts';
import type { BlobStore } from './blob-store.ts';
import type { RegistryParts, RequestContext } from './context.ts';
import { RegistryError, RegistryErrors } from './errors.ts';
import { sendError, sendJson } from './http.ts';
import { serveCatalog, serveManifest, serveReferrers, serveTags } from './manifest-handlers.ts';
import { MAX_MANIFEST_BYTES } from './manifests.ts';
import { parseV2Path, splitTarget } from './paths.ts';
import { requiredPermissions, type RegistryAction, type RegistryPermission } from './permissions.ts';

/** A plain HTTP handler; the same shape as the endpoint's `Route` (aws/), so it mounts under `prefixes`. */
export type RegistryRoute = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** What the registry route needs. */
export interface DistributionOptions {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  /**
   * Who the request is from (401 with a Basic challenge when nobody: docker then sends its
   * `docker login` credentials) and what they may do.
   */
  access: RegistryAccess;
  /** The realm of the `WWW-Authenticate: Basic` challenge. Default `wharf`. */
  realm?: string;
  /** Largest manifest accepted (default 4 MiB); larger is 413 MANIFEST_INVALID. */
  maxManifestBytes?: number;
  /** A pull updates an image's lastRecordedPullTime at most this often (default 1 hour). */
  pullRecordIntervalMs?: number;
  /** Largest page of tags or repositories (default 1000); longer lists get a `Link` to the next. */
  maxPageSize?: number;
  /** Called for 5xx answers, which are Wharf's bugs or its disk's, never the client's. */
  onServerError?: (error: unknown, path: string) => void;
  /** Told of each new image pushed (e.g. to scan it on push); not awaited. */
  onImagePushed?: RegistryParts['onImagePushed'];
  /** Stages ECR's image events (pushes, deletes) in the transactions that make them. */
  events?: RegistryParts['events'];
}

/** Default for DistributionOptions.pullRecordIntervalMs. */
export const DEFAULT_PULL_RECORD_INTERVAL_MS = 60 * 60 * 1000;

/** The `/v2/` route. */
export function distributionRoute(options: DistributionOptions): RegistryRoute {
  const parts: RegistryParts = {
    store: options.store,
    blobs: options.blobs,
    clock: options.clock,
    maxManifestBytes: options.maxManifestBytes ?? MAX_MANIFEST_BYTES,
    pullRecordIntervalMs: options.pullRecordIntervalMs ?? DEFAULT_PULL_RECORD_INTERVAL_MS,
    maxPageSize: options.maxPageSize ?? 1000,
    onImagePushed: options.onImagePushed,
    events: options.events,
  };
  const challenge = `Basic realm="${(options.realm ?? 'wharf').replace(/["\\]/g, '')}"`;
  const { access } = options;

  return async (req, res) => {
    res.setHeader('docker-distribution-api-version', 'registry/2.0');
    const { path, query } = splitTarget(req.url ?? '/');
    try {
      const caller = await access.authenticate(req);
      const target = parseV2Path(path);
      if (!target) throw RegistryErrors.unsupported('no such endpoint of the distribution API', 404);
      if ('name' in target) {
        for (const permission of requiredPermissions(target, req.method ?? '', query)) await demand(access, caller, permission, target.name);
      }
      const allowed = async (action: RegistryAction, repository: string) => (await access.authorize(caller, action, repository)).allowed;
      const ctx: RequestContext = { req, res, scope: caller.scope, query, parts, allowed };
      switch (target.kind) {
        case 'base':
          if (req.method !== 'GET' && req.method !== 'HEAD') throw RegistryErrors.unsupported(`${req.method} on /v2/`);
          sendJson(req, res, 200, {});
          return;
        case 'catalog':
          return await serveCatalog(ctx);
        case 'tags':
          return await serveTags(ctx, target.name);
        case 'manifest':
          return await serveManifest(ctx, target.name, target.reference);
        case 'blob':
          return await serveBlob(ctx, target.name, target.digest);
        case 'uploads':
          if (req.method !== 'POST') throw RegistryErrors.unsupported(`${req.method} on the uploads endpoint`);
          return await startUpload(ctx, target.name);
        case 'upload':
          return await serveUpload(ctx, target.name, target.id);
        case 'referrers':
          return await serveReferrers(ctx, target.name, target.digest);
      }
    } catch (error) {
      if (error instanceof RegistryError) {
        sendError(req, res, error, error.code === 'UNAUTHORIZED' ? { 'www-authenticate': challenge } : {});
      } else if (error instanceof Error && error.name === 'ConflictError') {
        sendError(req, res, RegistryErrors.tooManyRequests(error.message), { 'retry-after': '1' });
      } else {
        options.onServerError?.(error, path);
        if (res.headersSent) res.destroy();
        else sendJson(req, res, 500, { errors: [{ code: 'UNKNOWN', message: 'unknown error' }] }, req.complete ? {} : { connection: 'close' });
      }
    }
  };
}

/**
 * Requires one permission of the caller on `repository`: its action, or any one of its
 * alternatives. A refusal is 403 DENIED with IAM's message for the first alternative.
 */
async function demand(access: RegistryAccess, caller: RegistryCaller, permission: RegistryPermission, repository: string): Promise<void> {
  const alternatives: readonly RegistryAction[] = typeof permission === 'string' ? [permission] : permission;
  let refusal: string | undefined;
  for (const action of alternatives) {
    const decision = await access.authorize(caller, action, repository);
    if (decision.allowed) return;
    refusal ??= decision.message;
  }
  throw RegistryErrors.accessDenied(refusal ?? `${caller.principal.arn} may not use repository ${repository}`);
}
