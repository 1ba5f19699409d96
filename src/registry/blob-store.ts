/**
 * The registry's content-addressed blob store on local disk: image layers and configs, by
 * sha256 digest. Uploads stream into files under `uploads/`, are hashed as they arrive, and are
 * renamed into `blobs/` only after the digest the client named is verified, so a partial or
 * wrong blob is never visible. Nothing here buffers a body in memory.
 *
 *   <root>/uploads/<uuid>/data    bytes received so far (its size is the upload's offset)
 *   <root>/uploads/<uuid>/owner   who may continue it (`<account>/<region>/<repository>`)
 *   <root>/blobs/sha256/<2 hex>/<64 hex>   committed blobs, immutable
 *
 * Times (upload activity, blob age for garbage collection) are file mtimes, set from the
 * injected clock, so tests move them with a ManualClock.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomIds, type Clock, type Ids } from '../common/index.ts';
import { requireSha256 } from './digest.ts';
import { RegistryError, RegistryErrors } from './errors.ts';

/** Abandoned uploads are removed by `sweepUploads` after a day without activity. */
export const DEFAULT_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;
/** Unreferenced blobs younger than this survive `garbageCollect` (a push may still be uploading its manifest). */
export const DEFAULT_GC_GRACE_MS = 24 * 60 * 60 * 1000;

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX64 = /^[a-f0-9]{64}$/;

/** Where the store lives and how long things are kept. */
export interface BlobStoreOptions {
  root: string;
  clock: Clock;
  ids?: Ids;
  uploadTtlMs?: number;
  gcGraceMs?: number;
}

/** A committed blob. */
export interface BlobInfo {
  digest: string;
  size: number;
  /** Last write or retain (ms since the epoch): the start of its GC grace period. */
  modifiedAt: number;
}

/** An upload in progress. */
export interface UploadStatus {
  id: string;
  /** Bytes received so far: the next chunk must start here. */
  offset: number;
  updatedAt: number;
}

/** An inclusive byte range of a blob. */
export interface ByteRange {
  start: number;
  end: number;
}

/** One chunk of an upload: its body and, when the client said, where it starts and how long it is. */
export interface UploadChunk {
  body: Readable;
  /** From Content-Range: must equal the upload's current offset. */
  start?: number;
  /** From Content-Range or Content-Length: the body must be exactly this long. */
  length?: number;
}

/** The blob store. One process owns a root directory. */
export class BlobStore {
  private readonly clock: Clock;
  private readonly ids: Ids;
  private readonly uploadTtlMs: number;
  private readonly gcGraceMs: number;
  /** Running sha256 of uploads whose bytes all passed through this process, so commit needn't re-read them. */
  private readonly hashes = new Map<string, { hash: Hash; offset: number }>();
  /** One operation at a time per upload. */
  private readonly locks = new Map<string, Promise<void>>();

  private constructor(readonly root: string, options: BlobStoreOptions) {
    this.clock = options.clock;
    this.ids = options.ids ?? randomIds;
    this.uploadTtlMs = options.uploadTtlMs ?? DEFAULT_UPLOAD_TTL_MS;
    this.gcGraceMs = options.gcGraceMs ?? DEFAULT_GC_GRACE_MS;
  }

  /** Opens (creating) a store under `options.root`. */
  static async open(options: BlobStoreOptions): Promise<BlobStore> {
    await mkdir(join(options.root, 'blobs', 'sha256'), { recursive: true });
    await mkdir(join(options.root, 'uploads'), { recursive: true });
    return new BlobStore(options.root, options);
  }

  /** The committed blob, or undefined. */
  async stat(digest: string): Promise<BlobInfo | undefined> {
    const path = this.blobPath(digest);
    try {
      const s = await stat(path);
      return { digest, size: s.size, modifiedAt: s.mtimeMs };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * True when the blob is present, and restarts its GC grace period: called when a manifest
   * about to be committed references it, so a concurrent collection cannot take it away.
   */
  async retain(digest: string): Promise<boolean> {
    const t = this.clock.now() / 1000;
    try {
      await utimes(this.blobPath(digest), t, t);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /**
   * A stream of the blob (or of `range` of it), or undefined when it is absent. The file is
   * opened before this returns, so a collection that deletes it afterwards cannot cut the read.
   */
  async read(digest: string, range?: ByteRange): Promise<{ info: BlobInfo; stream: Readable } | undefined> {
    let handle;
    try {
      handle = await open(this.blobPath(digest), 'r');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    try {
      const s = await handle.stat();
      const stream = handle.createReadStream(range ? { start: range.start, end: range.end } : {});
      return { info: { digest, size: s.size, modifiedAt: s.mtimeMs }, stream };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Starts an upload that only `owner` may continue. */
  async startUpload(owner: string): Promise<UploadStatus> {
    const id = this.ids.uuid();
    const dir = this.uploadDir(id);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'owner'), owner);
    await writeFile(join(dir, 'data'), '');
    await this.touch(join(dir, 'data'));
    this.hashes.set(id, { hash: createHash('sha256'), offset: 0 });
    return { id, offset: 0, updatedAt: this.clock.now() };
  }

  /** Where an upload stands; BLOB_UPLOAD_UNKNOWN when it is not `owner`'s or is gone. */
  async uploadStatus(id: string, owner: string): Promise<UploadStatus> {
    if (!UPLOAD_ID.test(id)) throw RegistryErrors.uploadUnknown(id.slice(0, 64));
    let recorded: string;
    try {
      recorded = await readFile(join(this.uploadDir(id), 'owner'), 'utf8');
    } catch (error) {
      if (isNotFound(error)) throw RegistryErrors.uploadUnknown(id);
      throw error;
    }
    if (recorded !== owner) throw RegistryErrors.uploadUnknown(id);
    try {
      const s = await stat(join(this.uploadDir(id), 'data'));
      return { id, offset: s.size, updatedAt: s.mtimeMs };
    } catch (error) {
      if (isNotFound(error)) throw RegistryErrors.uploadUnknown(id);
      throw error;
    }
  }

  /**
   * Appends a chunk. A chunk lands whole or not at all: if its body ends early, is longer or
   * shorter than `length`, or fails, the upload is cut back to where it was. A chunk that does
   * not start at the upload's offset is refused with 416 (BLOB_UPLOAD_INVALID).
   */
  appendUpload(id: string, owner: string, chunk: UploadChunk): Promise<UploadStatus> {
    return this.locked(id, async () => {
      await this.uploadStatus(id, owner);
      return this.append(id, chunk);
    });
  }

  /**
   * Finishes an upload: appends the final chunk if any, verifies the whole upload hashes to
   * `digest`, and atomically renames it into place. On a digest mismatch the upload is
   * discarded and nothing is stored.
   */
  completeUpload(id: string, owner: string, digest: string, finalChunk?: UploadChunk): Promise<BlobInfo> {
    return this.locked(id, async () => {
      requireSha256(digest);
      await this.uploadStatus(id, owner);
      const status = finalChunk ? await this.append(id, finalChunk) : await this.uploadStatus(id, owner);
      const data = join(this.uploadDir(id), 'data');
      const cached = this.hashes.get(id);
      const actual = cached && cached.offset === status.offset ? `sha256:${cached.hash.copy().digest('hex')}` : await hashFile(data);
      if (actual !== digest) {
        await this.discard(id);
        throw RegistryErrors.digestInvalid('provided digest did not match uploaded content', { digest, actual, size: status.offset });
      }
      const target = this.blobPath(digest);
      await mkdir(dirname(target), { recursive: true });
      await fsyncFile(data);
      await this.touch(data);
      await rename(data, target);
      await fsyncFile(dirname(target));
      await this.discard(id);
      return { digest, size: status.offset, modifiedAt: this.clock.now() };
    });
  }

  /** Abandons an upload and frees its space; BLOB_UPLOAD_UNKNOWN when there is none. */
  cancelUpload(id: string, owner: string): Promise<void> {
    return this.locked(id, async () => {
      await this.uploadStatus(id, owner);
      await this.discard(id);
    });
  }

  /** A whole blob in one go (monolithic push): an upload that is completed or discarded. */
  async putBlob(owner: string, digest: string, chunk: UploadChunk): Promise<BlobInfo> {
    requireSha256(digest);
    const upload = await this.startUpload(owner);
    try {
      return await this.completeUpload(upload.id, owner, digest, chunk);
    } catch (error) {
      await this.locked(upload.id, () => this.discard(upload.id));
      throw error;
    }
  }

  /** Removes uploads with no activity for the upload TTL; returns their ids. */
  async sweepUploads(now: number): Promise<string[]> {
    const removed: string[] = [];
    for (const id of await readdir(join(this.root, 'uploads'))) {
      if (!UPLOAD_ID.test(id) || this.locks.has(id)) continue;
      const dir = this.uploadDir(id);
      const s = await stat(join(dir, 'data')).catch(() => stat(dir).catch(() => undefined));
      if (!s || now - s.mtimeMs <= this.uploadTtlMs) continue;
      await this.locked(id, () => this.discard(id));
      removed.push(id);
    }
    return removed;
  }

  /**
   * Deletes blobs not in `referenced` (digests) whose grace period has passed; returns what was
   * deleted. Each candidate is re-checked just before it goes, so a blob retained meanwhile stays.
   */
  async garbageCollect(referenced: Set<string>, now = this.clock.now()): Promise<{ deleted: string[]; freedBytes: number }> {
    const deleted: string[] = [];
    let freedBytes = 0;
    const base = join(this.root, 'blobs', 'sha256');
    for (const prefix of await readdir(base)) {
      if (!/^[a-f0-9]{2}$/.test(prefix)) continue;
      for (const name of await readdir(join(base, prefix))) {
        const digest = `sha256:${name}`;
        if (!HEX64.test(name) || !name.startsWith(prefix) || referenced.has(digest)) continue;
        const path = join(base, prefix, name);
        const s = await stat(path).catch(() => undefined);
        if (!s || now - s.mtimeMs < this.gcGraceMs) continue;
        try {
          await unlink(path);
          deleted.push(digest);
          freedBytes += s.size;
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
    }
    return { deleted, freedBytes };
  }

  private async append(id: string, chunk: UploadChunk): Promise<UploadStatus> {
    const data = join(this.uploadDir(id), 'data');
    const before = (await stat(data)).size;
    if (chunk.start !== undefined && chunk.start !== before) {
      throw RegistryErrors.uploadInvalid(`chunk starts at ${chunk.start} but the upload is at offset ${before}`, 416, { offset: before });
    }
    const cached = this.hashes.get(id);
    const hash = cached && cached.offset === before ? cached.hash : undefined;
    this.hashes.delete(id);
    let count = 0;
    const limit = chunk.length;
    const meter = new Transform({
      transform(piece: Buffer, _encoding, callback) {
        count += piece.length;
        if (limit !== undefined && count > limit) {
          callback(RegistryErrors.sizeInvalid(`the body is longer than the ${limit} bytes declared`, { declared: limit }));
          return;
        }
        hash?.update(piece);
        callback(null, piece);
      },
    });
    try {
      await pipeline(chunk.body, meter, createWriteStream(data, { flags: 'a' }));
      if (limit !== undefined && count !== limit) {
        throw RegistryErrors.sizeInvalid(`the body has ${count} bytes, not the ${limit} declared`, { declared: limit, received: count });
      }
    } catch (error) {
      await truncate(data, before);
      if (error instanceof RegistryError) throw error;
      throw RegistryErrors.uploadInvalid('the chunk ended early or could not be read; the upload is unchanged', 400, { offset: before });
    }
    if (hash) this.hashes.set(id, { hash, offset: before + count });
    await this.touch(data);
    return { id, offset: before + count, updatedAt: this.clock.now() };
  }

  private async discard(id: string): Promise<void> {
    this.hashes.delete(id);
    await rm(this.uploadDir(id), { recursive: true, force: true });
  }

  private async touch(path: string): Promise<void> {
    const t = this.clock.now() / 1000;
    await utimes(path, t, t);
  }

  private blobPath(digest: string): string {
    const hex = requireSha256(digest).slice('sha256:'.length);
    return join(this.root, 'blobs', 'sha256', hex.slice(0, 2), hex);
  }

  private uploadDir(id: string): string {
    if (!UPLOAD_ID.test(id)) throw RegistryErrors.uploadUnknown(id.slice(0, 64));
    return join(this.root, 'uploads', id);
  }

  private async locked<T>(id: string, body: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const mine = previous.then(() => gate);
    this.locks.set(id, mine);
    await previous;
    try {
      return await body();
    } finally {
      release();
      if (this.locks.get(id) === mine) this.locks.delete(id);
    }
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return `sha256:${hash.digest('hex')}`;
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
