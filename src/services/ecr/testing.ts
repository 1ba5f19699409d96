/**
 * Helpers the ECR actions' unit tests share: a testbed over a real in-memory store, the
 * assertions for a rejected request, and seeding images as the registry would store them
 * (no ECR action here writes images). Not used by the actions.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionHandler, JsonRequestContext as RequestContext } from '../../aws/index.ts';
import { ManualClock, randomIds } from '../../common/index.ts';
import { BlobStore, RegistryTokens, registryKeys, type ImageRecord, type RegistryScope, type TagRecord } from '../../registry/index.ts';
import { SqliteStore, type Store } from '../../state/index.ts';
import type { EcrDeps } from './deps.ts';

/** The request context every unit test calls the actions in. */
export const ctx: RequestContext = { region: 'us-east-1', account: '123456789012', requestId: 'req-1' };

/** The account and region of `ctx`, for the keys and ARNs a test builds. */
export const scope: RegistryScope = { account: ctx.account, region: ctx.region };

/** Where the testbed says docker reaches the registry. */
export const REGISTRY_HOST = '127.0.0.1:5000';

/** The fixed secret the testbed's tokens are signed with, so a test can check them with its own RegistryTokens. */
export const TOKEN_SECRET = Buffer.alloc(32, 7);

/** One action table, as `repositoryActions(deps)` and its siblings return it. */
export type Actions = Record<string, ActionHandler>;

/** A fresh world for one test: a real in-memory store, a manual clock, fixed-secret tokens and the deps built on them. */
export interface EcrTestbed {
  store: Store;
  clock: ManualClock;
  tokens: RegistryTokens;
  deps: EcrDeps;
  ctx: RequestContext;
  /** One file's actions over this testbed's deps: `bed.api(repositoryActions)`. */
  api(actions: (deps: EcrDeps) => Actions): Actions;
}

/** A new testbed; close its store in `afterEach`. */
export function ecrTestbed(): EcrTestbed {
  const store = SqliteStore.open(':memory:');
  const clock = new ManualClock();
  const tokens = new RegistryTokens(TOKEN_SECRET, clock);
  const deps: EcrDeps = { store, clock, ids: randomIds, tokens, registryHost: () => REGISTRY_HOST };
  return { store, clock, tokens, deps, ctx, api: (actions) => actions(deps) };
}

/**
 * Gives a testbed a real blob store on a fresh temporary directory (set on `bed.deps.blobs`,
 * so call it before `bed.api(...)` is used). `remove` deletes the directory: call it in `afterEach`.
 */
export async function addBlobStore(bed: EcrTestbed): Promise<{ blobs: BlobStore; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'wharf-ecr-blobs-'));
  const blobs = await BlobStore.open({ root, clock: bed.clock });
  bed.deps.blobs = blobs;
  return { blobs, remove: () => rm(root, { recursive: true, force: true }) };
}

export { expectAwsError, expectRejected } from '../../aws/testing.ts';

/** The digest of some bytes, as the registry names manifests. */
export const digestOf = (bytes: string | Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** A Docker v2 schema 2 manifest naming one config and one layer, distinct per `seed`. */
export function manifestFor(seed: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 100, digest: digestOf(`config-${seed}`) },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 1000, digest: digestOf(`layer-${seed}`) }],
  });
}

/**
 * An image of `repository` as the registry would store it: the manifest for `seed`, its digest,
 * tags, a size of 1100 bytes and `pushedAt`, with `over` applied.
 */
export function imageRecord(repository: string, seed: string, tags: string[], pushedAt: number, over: Partial<ImageRecord> = {}): ImageRecord {
  const manifest = manifestFor(seed);
  return {
    repositoryName: repository,
    digest: digestOf(manifest),
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    manifestBase64: Buffer.from(manifest).toString('base64'),
    sizeInBytes: 1100,
    blobs: [digestOf(`config-${seed}`), digestOf(`layer-${seed}`)],
    artifactType: 'application/vnd.docker.container.image.v1+json',
    tags,
    pushedAt,
    ...over,
  };
}

/** Stores an image record and a tag record for each of its tags, as a push would. */
export async function seedImage(store: Store, image: ImageRecord, at = image.pushedAt): Promise<void> {
  const tag: TagRecord = { digest: image.digest, updatedAt: at };
  await store.txn([], [
    { type: 'put', key: registryKeys.image(scope, image.repositoryName, image.digest), value: JSON.stringify(image) },
    ...image.tags.map((t) => ({ type: 'put' as const, key: registryKeys.tag(scope, image.repositoryName, t), value: JSON.stringify(tag) })),
  ]);
}

/** Every key the store holds under `prefix`, for checking what a delete left behind. */
export async function keysUnder(store: Store, prefix: string): Promise<string[]> {
  return (await store.range(prefix)).kvs.map((kv) => kv.key);
}
