/**
 * The manifest and discovery endpoints of the distribution API: manifests by tag or digest
 * (GET/HEAD with content negotiation, PUT, DELETE), tag listing, the catalog, and referrers.
 */
import { transact } from '../state/index.ts';
import { deletedActions } from './image-events.ts';
import type { RequestContext } from './context.ts';
import { looksLikeDigest, requireSha256 } from './digest.ts';
import { RegistryErrors } from './errors.ts';
import { queryInteger, readBodyUpTo, sendEmpty, sendJson } from './http.ts';
import {
  deleteImage,
  deleteTag,
  getManifest,
  listRepositories,
  listTags,
  manifestBytes,
  putManifest,
  recordPull,
  referrers,
  storeReader,
  type NamePage,
} from './images.ts';
import { baseMediaType, MediaTypes } from './manifests.ts';

/** `GET|HEAD|PUT|DELETE /v2/<name>/manifests/<reference>`. */
export async function serveManifest(ctx: RequestContext, name: string, reference: string): Promise<void> {
  const { req, res, scope, parts } = ctx;
  switch (req.method) {
    case 'GET':
    case 'HEAD': {
      const image = await getManifest(storeReader(parts.store), scope, name, reference);
      if (!acceptable(req.headers.accept, image.mediaType)) {
        throw RegistryErrors.manifestUnknown(`${reference} is a ${image.mediaType}, which the Accept header does not list`);
      }
      const bytes = manifestBytes(image);
      if (req.method === 'GET') {
        const now = parts.clock.now();
        if (image.lastRecordedPullTime === undefined || now - image.lastRecordedPullTime >= parts.pullRecordIntervalMs) {
          await transact(parts.store, (tx) => recordPull(tx, scope, name, image.digest, now, parts.pullRecordIntervalMs), 3).catch(() => false);
        }
      }
      res.writeHead(200, {
        'content-type': image.mediaType,
        'content-length': bytes.length,
        'docker-content-digest': image.digest,
        etag: `"${image.digest}"`,
      });
      res.end(req.method === 'GET' ? bytes : undefined);
      return;
    }
    case 'PUT': {
      const bytes = await readBodyUpTo(req, parts.maxManifestBytes);
      if (!bytes) throw RegistryErrors.manifestTooLarge(Number(req.headers['content-length'] ?? parts.maxManifestBytes + 1), parts.maxManifestBytes);
      const now = parts.clock.now();
      const result = await transact(parts.store, async (tx) => {
        const pushed = await putManifest(tx, scope, name, bytes, req.headers['content-type'], reference, { now, blobs: parts.blobs, maxManifestBytes: parts.maxManifestBytes });
        if (pushed.changed) await parts.events?.imageActions?.(tx, scope, [{ actionType: 'PUSH', repositoryName: name, digest: pushed.image.digest, tag: pushed.tag }], now);
        return pushed;
      });
      const headers: Record<string, string> = {
        location: `/v2/${name}/manifests/${result.image.digest}`,
        'docker-content-digest': result.image.digest,
      };
      if (result.parsed.subject) headers['oci-subject'] = result.parsed.subject.digest;
      sendEmpty(res, 201, headers);
      if (result.created) parts.onImagePushed?.(scope, name, result.image);
      return;
    }
    case 'DELETE': {
      const now = parts.clock.now();
      await transact(parts.store, async (tx) => {
        if (looksLikeDigest(reference)) {
          const image = await deleteImage(tx, scope, name, reference);
          await parts.events?.imageActions?.(tx, scope, deletedActions(name, image.digest, image.tags), now);
        } else {
          const removed = await deleteTag(tx, scope, name, reference);
          await parts.events?.imageActions?.(tx, scope, deletedActions(name, removed.digest, [reference]), now);
        }
      });
      sendEmpty(res, 202);
      return;
    }
    default:
      throw RegistryErrors.unsupported(`${req.method} on a manifest`);
  }
}

/** `GET /v2/<name>/tags/list?n=&last=`. */
export async function serveTags(ctx: RequestContext, name: string): Promise<void> {
  const { scope, parts } = ctx;
  requireGet(ctx);
  const page = pageOf(ctx);
  const result = await listTags(parts.store, scope, name, page);
  sendPage(ctx, `/v2/${name}/tags/list`, page, result, { name, tags: result.names });
}

/**
 * `GET /v2/_catalog?n=&last=`: the repositories of the caller's account and region that the
 * caller may `ecr:DescribeRepositories` (a page may come back short; its `Link` still follows on).
 */
export async function serveCatalog(ctx: RequestContext): Promise<void> {
  requireGet(ctx);
  const page = pageOf(ctx);
  const result = await listRepositories(ctx.parts.store, ctx.scope, page);
  const shown: string[] = [];
  for (const name of result.names) if (await ctx.allowed('ecr:DescribeRepositories', name)) shown.push(name);
  sendPage(ctx, '/v2/_catalog', page, result, { repositories: shown });
}

/** `GET /v2/<name>/referrers/<digest>?artifactType=`: an OCI index of the manifests whose subject it is. */
export async function serveReferrers(ctx: RequestContext, name: string, rawDigest: string): Promise<void> {
  const { req, res, scope, query, parts } = ctx;
  requireGet(ctx);
  const digest = requireSha256(rawDigest, 'the subject digest');
  const artifactType = query.get('artifactType') ?? undefined;
  const manifests = await referrers(parts.store, scope, name, digest, artifactType);
  const headers: Record<string, string> = artifactType !== undefined ? { 'oci-filters-applied': 'artifactType' } : {};
  sendJson(req, res, 200, { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests }, headers, MediaTypes.ociIndex);
}

/**
 * Whether a client that sent `accept` takes a manifest of `mediaType`: any type when it sent
 * none or a wildcard; otherwise only one it lists (as distribution answers an OCI manifest to
 * a client that accepts only Docker types: MANIFEST_UNKNOWN).
 */
export function acceptable(accept: string | string[] | undefined, mediaType: string): boolean {
  const listed = (Array.isArray(accept) ? accept.join(',') : accept ?? '').split(',').map(baseMediaType).filter((t) => t !== '');
  if (listed.length === 0) return true;
  return listed.some((t) => t === mediaType || t === '*/*' || t === 'application/*' || t === 'application/json');
}

function requireGet(ctx: RequestContext): void {
  if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') throw RegistryErrors.unsupported(`${ctx.req.method} here`);
}

function pageOf(ctx: RequestContext): { n: number | undefined; last: string | undefined } {
  const n = queryInteger(ctx.query.get('n'));
  if (n === 'invalid') throw RegistryErrors.unsupported(`n must be a non-negative integer`, 400);
  const last = ctx.query.get('last') ?? undefined;
  return { n: n === undefined ? undefined : Math.min(n, ctx.parts.maxPageSize), last };
}

function sendPage(ctx: RequestContext, path: string, page: { n?: number }, result: NamePage, body: unknown): void {
  const headers: Record<string, string> = {};
  if (result.more && result.names.length > 0) {
    const next = new URLSearchParams({ n: String(page.n ?? result.names.length), last: result.names[result.names.length - 1] });
    headers.link = `<${path}?${next.toString()}>; rel="next"`;
  }
  sendJson(ctx.req, ctx.res, 200, body, headers);
}
