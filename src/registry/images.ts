/**
 * The image metadata operations over the store, shared by the OCI distribution API (docker
 * push/pull) and the ECR API (PutImage, BatchGetImage, BatchDeleteImage, ListImages): a
 * manifest pushed one way is seen the other. Writes take a `Tx` so callers compose them in one
 * `transact()`; they only read and buffer writes, and throw a RegistryError (nothing written)
 * when the request is wrong.
 *
 *   tag key ──▶ TagRecord { digest } ──▶ image key ──▶ ImageRecord { manifest, blobs, tags }
 *                                                         │ blobs must be linked (links.ts)
 *                                                         ▼ and present (blob store)
 */
import { getDoc, listDocs, type Store, type Tx } from '../state/index.ts';
import { looksLikeDigest, requireSha256 } from './digest.ts';
import { RegistryErrors } from './errors.ts';
import { getBlobLink } from './links.ts';
import { MAX_MANIFEST_BYTES, parseManifest, type Descriptor, type ParsedManifest } from './manifests.ts';
import { registryKeys, type ImageRecord, type RegistryScope, type RepositoryRecord, type TagRecord } from './records.ts';

/** Every image record's key begins with this (registryKeys.images without account/region). */
export const ALL_IMAGES_PREFIX = 'ecr/images/';

/** A tag as the OCI spec allows it. */
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** What reads need: a Tx, or a store through `storeReader`. */
export type Reader = Pick<Tx, 'get'>;

/** Reads straight from the store, unguarded (for pulls and listings outside a transaction). */
export function storeReader(store: Store): Reader {
  return { get: async <T>(key: string) => (await getDoc<T>(store, key))?.value };
}

/** What a push needs besides the store: the time, and the blob store to check (and retain) blobs. */
export interface PushContext {
  now: number;
  /** True when the blob is present; also restarts its GC grace period (BlobStore.retain). */
  blobs: { retain(digest: string): Promise<boolean> };
  maxManifestBytes?: number;
}

/** The outcome of a push. */
export interface PutManifestResult {
  image: ImageRecord;
  parsed: ParsedManifest;
  /** The tag pushed to, when the reference was a tag. */
  tag?: string;
  /** The image was not in the repository before. */
  created: boolean;
  /** The digest the tag pointed at before it moved here. */
  previousDigest?: string;
  /** False when the push changed nothing (same manifest, tag already here): ECR's ImageAlreadyExistsException. */
  changed: boolean;
}

/** The repository, or NAME_UNKNOWN: a push needs CreateRepository first, as in ECR. */
export async function requireRepository(reader: Reader, scope: RegistryScope, name: string): Promise<RepositoryRecord> {
  const repository = await reader.get<RepositoryRecord>(registryKeys.repository(scope, name));
  if (!repository) throw RegistryErrors.nameUnknown(name);
  return repository;
}

/** A valid tag, or TAG_INVALID. */
export function requireTag(reference: string): string {
  if (!TAG.test(reference)) throw RegistryErrors.tagInvalid(reference);
  return reference;
}

/**
 * Stores a manifest under `reference` (a tag, or its own digest). The manifest is validated;
 * every blob it names must be linked into the repository and present, every child manifest of
 * an index must be in the repository (a `subject` need not be). A tag moves to the new image
 * (and off the one it left) unless the repository is IMMUTABLE and the tag is elsewhere already.
 */
export async function putManifest(
  tx: Tx,
  scope: RegistryScope,
  repositoryName: string,
  bytes: Uint8Array,
  mediaType: string | undefined,
  reference: string,
  context: PushContext,
): Promise<PutManifestResult> {
  const repository = await requireRepository(tx, scope, repositoryName);
  const parsed = parseManifest(bytes, mediaType, context.maxManifestBytes ?? MAX_MANIFEST_BYTES);
  let tag: string | undefined;
  if (looksLikeDigest(reference)) {
    requireSha256(reference, 'the manifest reference');
    if (reference !== parsed.digest) {
      throw RegistryErrors.digestInvalid(`the manifest's digest ${parsed.digest} does not match the reference ${reference}`, {
        digest: reference,
        actual: parsed.digest,
      });
    }
  } else {
    tag = requireTag(reference);
  }

  const missing: string[] = [];
  for (const digest of parsed.blobs) {
    const link = await getBlobLink(tx, scope, repositoryName, digest);
    if (!link || !(await context.blobs.retain(digest))) missing.push(digest);
  }
  if (missing.length > 0) throw RegistryErrors.manifestBlobUnknown(missing);

  let sizeInBytes = parsed.layersSize;
  if (parsed.kind === 'index') {
    const missingChildren: string[] = [];
    sizeInBytes = 0;
    for (const child of parsed.children) {
      const record = await tx.get<ImageRecord>(registryKeys.image(scope, repositoryName, child.digest));
      if (!record) missingChildren.push(child.digest);
      else sizeInBytes = Math.max(sizeInBytes, record.sizeInBytes);
    }
    if (missingChildren.length > 0) throw RegistryErrors.childManifestsUnknown(missingChildren);
  }

  const imageKey = registryKeys.image(scope, repositoryName, parsed.digest);
  const existing = await tx.get<ImageRecord>(imageKey);
  let image: ImageRecord = existing ?? {
    repositoryName,
    digest: parsed.digest,
    mediaType: parsed.mediaType,
    manifestBase64: Buffer.from(bytes).toString('base64'),
    sizeInBytes,
    blobs: parsed.blobs,
    ...(parsed.kind === 'index' ? { children: [...new Set(parsed.children.map((c) => c.digest))] } : {}),
    ...(parsed.subject ? { subject: parsed.subject.digest } : {}),
    ...(parsed.artifactType ? { artifactType: parsed.artifactType } : {}),
    tags: [],
    pushedAt: context.now,
  };
  let previousDigest: string | undefined;
  if (tag !== undefined) {
    const tagKey = registryKeys.tag(scope, repositoryName, tag);
    const current = await tx.get<TagRecord>(tagKey);
    if (current?.digest !== parsed.digest) {
      if (current && repository.imageTagMutability === 'IMMUTABLE') throw RegistryErrors.tagImmutable(tag, repositoryName);
      if (current) {
        previousDigest = current.digest;
        const leftKey = registryKeys.image(scope, repositoryName, current.digest);
        const left = await tx.get<ImageRecord>(leftKey);
        if (left) tx.put<ImageRecord>(leftKey, { ...left, tags: left.tags.filter((t) => t !== tag) });
      }
      const record: TagRecord = { digest: parsed.digest, updatedAt: context.now };
      tx.put(tagKey, record);
    }
    if (current?.digest !== parsed.digest || !image.tags.includes(tag)) {
      image = { ...image, tags: [tag, ...image.tags.filter((t) => t !== tag)] };
    }
  }
  const changed = image !== existing;
  if (changed) tx.put(imageKey, image);
  return { image, parsed, tag, created: !existing, previousDigest, changed };
}

/** The image a tag or digest names, or MANIFEST_UNKNOWN (NAME_UNKNOWN without the repository). */
export async function getManifest(reader: Reader, scope: RegistryScope, repositoryName: string, reference: string): Promise<ImageRecord> {
  await requireRepository(reader, scope, repositoryName);
  let digest: string;
  if (looksLikeDigest(reference)) {
    digest = requireSha256(reference, 'the manifest reference');
  } else {
    const tag = await reader.get<TagRecord>(registryKeys.tag(scope, repositoryName, requireTag(reference)));
    if (!tag) throw RegistryErrors.manifestUnknown(reference);
    digest = tag.digest;
  }
  const image = await reader.get<ImageRecord>(registryKeys.image(scope, repositoryName, digest));
  if (!image) throw RegistryErrors.manifestUnknown(reference);
  return image;
}

/** The manifest bytes of an image, exactly as pushed. */
export function manifestBytes(image: ImageRecord): Buffer {
  return Buffer.from(image.manifestBase64, 'base64');
}

/**
 * Records a pull on the image unless one was recorded less than `minIntervalMs` ago (ECR
 * refreshes lastRecordedPullTime at most about daily), so pulls stay reads. True when written.
 */
export async function recordPull(tx: Tx, scope: RegistryScope, repositoryName: string, digest: string, now: number, minIntervalMs: number): Promise<boolean> {
  const key = registryKeys.image(scope, repositoryName, digest);
  const image = await tx.get<ImageRecord>(key);
  if (!image) return false;
  if (image.lastRecordedPullTime !== undefined && now - image.lastRecordedPullTime < minIntervalMs) return false;
  tx.put<ImageRecord>(key, { ...image, lastRecordedPullTime: now });
  return true;
}

/**
 * Deletes an image by digest, and every tag on it. An image that an index in the repository
 * still lists cannot go (ECR's ImageReferencedByManifestList). Returns the deleted record.
 */
export async function deleteImage(tx: Tx, scope: RegistryScope, repositoryName: string, digest: string): Promise<ImageRecord> {
  await requireRepository(tx, scope, repositoryName);
  requireSha256(digest, 'the manifest reference');
  const key = registryKeys.image(scope, repositoryName, digest);
  const image = await tx.get<ImageRecord>(key);
  if (!image) throw RegistryErrors.manifestUnknown(digest);
  const index = (await tx.list<ImageRecord>(registryKeys.images(scope, repositoryName))).find((i) => i.children?.includes(digest));
  if (index) throw RegistryErrors.referencedByIndex(digest, index.digest);
  for (const tag of image.tags) {
    const tagKey = registryKeys.tag(scope, repositoryName, tag);
    const record = await tx.get<TagRecord>(tagKey);
    if (record?.digest === digest) tx.delete(tagKey);
  }
  tx.delete(key);
  return image;
}

/**
 * Removes a tag; the image stays, untagged, unless `deleteUntaggedImage` (ECR's
 * BatchDeleteImage: removing an image's last tag deletes the image) and no index lists it.
 */
export async function deleteTag(
  tx: Tx,
  scope: RegistryScope,
  repositoryName: string,
  tag: string,
  options: { deleteUntaggedImage?: boolean } = {},
): Promise<{ digest: string; imageDeleted: boolean }> {
  await requireRepository(tx, scope, repositoryName);
  const tagKey = registryKeys.tag(scope, repositoryName, requireTag(tag));
  const record = await tx.get<TagRecord>(tagKey);
  if (!record) throw RegistryErrors.manifestUnknown(tag);
  tx.delete(tagKey);
  const imageKey = registryKeys.image(scope, repositoryName, record.digest);
  const image = await tx.get<ImageRecord>(imageKey);
  if (!image) return { digest: record.digest, imageDeleted: false };
  const tags = image.tags.filter((t) => t !== tag);
  if (tags.length === 0 && options.deleteUntaggedImage) {
    const indexed = (await tx.list<ImageRecord>(registryKeys.images(scope, repositoryName))).some((i) => i.children?.includes(record.digest));
    if (!indexed) {
      tx.delete(imageKey);
      return { digest: record.digest, imageDeleted: true };
    }
  }
  tx.put<ImageRecord>(imageKey, { ...image, tags });
  return { digest: record.digest, imageDeleted: false };
}

/** A page of names, and whether more follow. */
export interface NamePage {
  names: string[];
  more: boolean;
}

/**
 * A repository's tags in byte (ASCIIbetical) order after `last`, at most `n` (spec pagination;
 * `n: 0` is an empty page). NAME_UNKNOWN without the repository.
 */
export async function listTags(store: Store, scope: RegistryScope, repositoryName: string, page: { n?: number; last?: string } = {}): Promise<NamePage> {
  await requireRepository(storeReader(store), scope, repositoryName);
  return listNames(store, registryKeys.tags(scope, repositoryName), page);
}

/** The scope's repository names, in order, paged like tags (`GET /v2/_catalog`). */
export function listRepositories(store: Store, scope: RegistryScope, page: { n?: number; last?: string } = {}): Promise<NamePage> {
  return listNames(store, registryKeys.repositories(scope), page);
}

async function listNames(store: Store, prefix: string, page: { n?: number; last?: string }): Promise<NamePage> {
  if (page.n === 0) return { names: [], more: false };
  const names: string[] = [];
  let startAfter = page.last !== undefined ? prefix + page.last : undefined;
  for (;;) {
    const want = page.n === undefined ? 1000 : page.n - names.length + 1;
    const result = await store.range(prefix, { startAfter, limit: Math.min(want, 1000) });
    for (const kv of result.kvs) names.push(kv.key.slice(prefix.length));
    if (page.n !== undefined && names.length > page.n) return { names: names.slice(0, page.n), more: true };
    if (!result.more || result.kvs.length === 0) return { names, more: false };
    startAfter = result.kvs[result.kvs.length - 1].key;
  }
}

/**
 * The referrers of `subject` in a repository (manifests whose `subject` is it), as the
 * descriptors of an OCI index; only those of `artifactType` when given. A subject with none
 * (or unknown) has an empty list, as the spec requires.
 */
export async function referrers(store: Store, scope: RegistryScope, repositoryName: string, subject: string, artifactType?: string): Promise<Descriptor[]> {
  await requireRepository(storeReader(store), scope, repositoryName);
  requireSha256(subject, 'the subject digest');
  const out: Descriptor[] = [];
  for (const { value: image } of await listDocs<ImageRecord>(store, registryKeys.images(scope, repositoryName))) {
    if (image.subject !== subject) continue;
    if (artifactType !== undefined && image.artifactType !== artifactType) continue;
    const bytes = manifestBytes(image);
    const descriptor: Descriptor = { mediaType: image.mediaType, digest: image.digest, size: bytes.length };
    if (image.artifactType) descriptor.artifactType = image.artifactType;
    const annotations = (JSON.parse(bytes.toString('utf8')) as { annotations?: Record<string, string> }).annotations;
    if (annotations && Object.keys(annotations).length > 0) descriptor.annotations = annotations;
    out.push(descriptor);
  }
  return out;
}

/** Every blob any image in any repository references: what garbage collection must keep. */
export async function referencedBlobs(store: Store): Promise<Set<string>> {
  const referenced = new Set<string>();
  let startAfter: string | undefined;
  for (;;) {
    const page = await store.range(ALL_IMAGES_PREFIX, { startAfter, limit: 500 });
    for (const kv of page.kvs) for (const digest of (JSON.parse(kv.value) as ImageRecord).blobs) referenced.add(digest);
    if (!page.more || page.kvs.length === 0) return referenced;
    startAfter = page.kvs[page.kvs.length - 1].key;
  }
}
