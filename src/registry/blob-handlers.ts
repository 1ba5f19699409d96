/**
 * The blob endpoints of the distribution API: pull (HEAD/GET with Range), delete, and the
 * upload protocol — monolithic POST, POST/PATCH…/PUT chunked uploads, cross-repository mount,
 * status and cancel — with the Location, Range and Docker-Upload-UUID headers docker and
 * skopeo follow.
 */
import { pipeline } from 'node:stream/promises';
import { transact } from '../state/index.ts';
import type { UploadChunk } from './blob-store.ts';
import { uploadOwner, type RequestContext } from './context.ts';
import { requireSha256 } from './digest.ts';
import { RegistryErrors } from './errors.ts';
import { contentLength, hasBody, parseContentRange, parseRange, sendEmpty, uploadRange } from './http.ts';
import { requireRepository, storeReader } from './images.ts';
import { blobLinkKeys, getBlobLink, linkBlob } from './links.ts';
import { registryKeys, type ImageRecord } from './records.ts';
import { validateRepositoryName } from './paths.ts';

/** `HEAD|GET|DELETE /v2/<name>/blobs/<digest>`. */
export async function serveBlob(ctx: RequestContext, name: string, rawDigest: string): Promise<void> {
  const { req, res, scope, parts } = ctx;
  const reader = storeReader(parts.store);
  await requireRepository(reader, scope, name);
  const digest = requireSha256(rawDigest);
  if (!(await getBlobLink(reader, scope, name, digest))) throw RegistryErrors.blobUnknown(digest);

  if (req.method === 'DELETE') {
    await transact(parts.store, async (tx) => {
      const users = (await tx.list<ImageRecord>(registryKeys.images(scope, name))).filter((i) => i.blobs.includes(digest));
      if (users.length > 0) throw RegistryErrors.unsupported(`the blob is referenced by manifest ${users[0].digest}; delete the manifest first`);
      if (!(await getBlobLink(tx, scope, name, digest))) throw RegistryErrors.blobUnknown(digest);
      tx.delete(blobLinkKeys.link(scope, name, digest));
    });
    sendEmpty(res, 202, { 'docker-content-digest': digest });
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') throw RegistryErrors.unsupported(`${req.method} on a blob`);

  const info = await parts.blobs.stat(digest);
  if (!info) throw RegistryErrors.blobUnknown(digest);
  const headers = {
    'content-type': 'application/octet-stream',
    'docker-content-digest': digest,
    'accept-ranges': 'bytes',
    etag: `"${digest}"`,
    'cache-control': 'max-age=31536000',
  };
  const range = parseRange(req.headers.range, info.size);
  if (range === 'unsatisfiable') {
    sendEmpty(res, 416, { ...headers, 'content-range': `bytes */${info.size}` });
    return;
  }
  if (req.method === 'HEAD') {
    res.writeHead(200, { ...headers, 'content-length': info.size });
    res.end();
    return;
  }
  const opened = await parts.blobs.read(digest, range);
  if (!opened) throw RegistryErrors.blobUnknown(digest);
  if (range) {
    res.writeHead(206, { ...headers, 'content-length': range.end - range.start + 1, 'content-range': `bytes ${range.start}-${range.end}/${info.size}` });
  } else {
    res.writeHead(200, { ...headers, 'content-length': info.size });
  }
  try {
    await pipeline(opened.stream, res);
  } catch {
    res.destroy(); // the client went away mid-download; nothing to answer
  }
}

/** `POST /v2/<name>/blobs/uploads/`: a mount, a monolithic upload (`?digest=`), or the start of one. */
export async function startUpload(ctx: RequestContext, name: string): Promise<void> {
  const { req, res, scope, query, parts } = ctx;
  await requireRepository(storeReader(parts.store), scope, name);
  const owner = uploadOwner(scope, name);

  const mount = query.get('mount');
  if (mount !== null) {
    const digest = requireSha256(mount, 'the mount digest');
    const from = query.get('from');
    // A mount reads the source repository: only one the caller may pull layers from (else the upload starts, as the spec allows).
    const source = from === null ? undefined : validateRepositoryName(from);
    if (source !== undefined && (await ctx.allowed('ecr:GetDownloadUrlForLayer', source)) && (await mountBlob(ctx, name, source, digest))) {
      sendEmpty(res, 201, { location: blobLocation(name, digest), 'docker-content-digest': digest });
      return;
    }
  }

  const digestParam = query.get('digest');
  if (digestParam !== null && mount === null) {
    const digest = requireSha256(digestParam);
    const info = await parts.blobs.putBlob(owner, digest, { body: req, length: contentLength(req) });
    await link(ctx, name, digest, info.size);
    sendEmpty(res, 201, { location: blobLocation(name, digest), 'docker-content-digest': digest });
    return;
  }

  const upload = await parts.blobs.startUpload(owner);
  sendEmpty(res, 202, uploadHeaders(name, upload.id, 0));
}

/** `GET|PATCH|PUT|DELETE /v2/<name>/blobs/uploads/<uuid>`. */
export async function serveUpload(ctx: RequestContext, name: string, id: string): Promise<void> {
  const { req, res, scope, query, parts } = ctx;
  await requireRepository(storeReader(parts.store), scope, name);
  const owner = uploadOwner(scope, name);
  switch (req.method) {
    case 'GET': {
      const status = await parts.blobs.uploadStatus(id, owner);
      sendEmpty(res, 204, uploadHeaders(name, id, status.offset));
      return;
    }
    case 'PATCH': {
      const status = await parts.blobs.appendUpload(id, owner, chunkOf(ctx));
      sendEmpty(res, 202, uploadHeaders(name, id, status.offset));
      return;
    }
    case 'PUT': {
      const digest = requireSha256(query.get('digest'), 'the digest query parameter');
      const info = await parts.blobs.completeUpload(id, owner, digest, hasBody(req) ? chunkOf(ctx) : undefined);
      await link(ctx, name, digest, info.size);
      sendEmpty(res, 201, { location: blobLocation(name, digest), 'docker-content-digest': digest });
      return;
    }
    case 'DELETE': {
      await parts.blobs.cancelUpload(id, owner);
      sendEmpty(res, 204);
      return;
    }
    default:
      throw RegistryErrors.unsupported(`${req.method} on an upload`);
  }
}

/** The chunk a PATCH or final PUT carries, checked against its Content-Range and Content-Length. */
function chunkOf(ctx: RequestContext): UploadChunk {
  const { req } = ctx;
  const length = contentLength(req);
  const range = parseContentRange(req.headers['content-range']);
  if (range === 'invalid') {
    throw RegistryErrors.uploadInvalid(`Content-Range '${String(req.headers['content-range']).slice(0, 100)}' is not <start>-<end>`, 416);
  }
  if (!range) return { body: req, length };
  const rangeLength = range.end - range.start + 1;
  if (length !== undefined && length !== rangeLength) {
    throw RegistryErrors.sizeInvalid(`Content-Length ${length} does not match Content-Range ${range.start}-${range.end}`, { length, range });
  }
  return { body: req, start: range.start, length: rangeLength };
}

/** Links a blob of repository `from` (same account and region) into `name`; false when it cannot. */
async function mountBlob(ctx: RequestContext, name: string, from: string, digest: string): Promise<boolean> {
  const { scope, parts } = ctx;
  return transact(parts.store, async (tx) => {
    const source = await getBlobLink(tx, scope, from, digest);
    if (!source || !(await parts.blobs.retain(digest))) return false;
    linkBlob(tx, scope, name, digest, source.size, parts.clock.now());
    return true;
  });
}

async function link(ctx: RequestContext, name: string, digest: string, size: number): Promise<void> {
  await transact(ctx.parts.store, async (tx) => linkBlob(tx, ctx.scope, name, digest, size, ctx.parts.clock.now()));
}

function blobLocation(name: string, digest: string): string {
  return `/v2/${name}/blobs/${digest}`;
}

function uploadHeaders(name: string, id: string, offset: number): Record<string, string> {
  return { location: `/v2/${name}/blobs/uploads/${id}`, range: uploadRange(offset), 'docker-upload-uuid': id };
}
