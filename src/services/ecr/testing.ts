/**
 * Helpers the ECR operations' unit tests share: a testbed over a real in-memory store that runs
 * an operation as the platform would minus the wire (the JSON body decoded by ECR's model,
 * authorized, validated, then the handler), the assertions for a rejected request, and seeding
 * images as the registry would store them (no ECR operation here writes images). Not used by
 * the operations.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  authorizeOperation, authorizeRequest, codecFor, ecrModel, rootPrincipal, validateInput, type Authority, type OperationSpec, type RequestContext,
  type ServiceDefinition,
} from '../../aws/index.ts';
import { rootOnlyAuthority } from '../../aws/testing.ts';
import { ManualClock, randomIds } from '../../common/index.ts';
import { BlobStore, RegistryTokens, registryKeys, type ImageRecord, type RegistryScope, type TagRecord } from '../../registry/index.ts';
import { SqliteStore, type Store } from '../../state/index.ts';
import type { EcrOperationTable } from './common.ts';
import type { EcrDeps } from './deps.ts';
import { ecrValidationError } from './validation.ts';

/** The request context every unit test calls the operations in: the account root, in us-east-1. */
export const ctx: RequestContext = {
  requestId: 'req-1', region: 'us-east-1', account: '123456789012', principal: rootPrincipal('123456789012'), sourceIp: '127.0.0.1',
  authorize: async () => undefined,
};

/** The account and region of `ctx`, for the keys and ARNs a test builds. */
export const scope: RegistryScope = { account: ctx.account, region: ctx.region };

/** Where the testbed says docker reaches the registry. */
export const REGISTRY_HOST = '127.0.0.1:5000';

/** The fixed secret the testbed's tokens are signed with, so a test can check them with its own RegistryTokens. */
export const TOKEN_SECRET = Buffer.alloc(32, 7);

/** One operation as a test calls it: the JSON body as a client would send it, and the context. */
export type Action = (input: Record<string, unknown>, ctx: RequestContext) => Promise<object>;

/** Operations by name, as `bed.api(repositoryOperations)` gives them. */
export type Actions = Record<string, Action>;

/** A fresh world for one test: a real in-memory store, a manual clock, fixed-secret tokens and the deps built on them. */
export interface EcrTestbed {
  store: Store;
  clock: ManualClock;
  tokens: RegistryTokens;
  deps: EcrDeps;
  ctx: RequestContext;
  /**
   * One file's operations over this testbed's deps, each run as the platform runs it:
   * `bed.api(repositoryOperations)`. With `authority`, each is authorized first (else allowed).
   */
  api(operations: (deps: EcrDeps) => EcrOperationTable, authority?: Authority): Actions;
}

/** A new testbed; close its store in `afterEach`. */
export function ecrTestbed(): EcrTestbed {
  const store = SqliteStore.open(':memory:');
  const clock = new ManualClock();
  const tokens = new RegistryTokens(TOKEN_SECRET, clock);
  const deps: EcrDeps = { store, clock, ids: randomIds, tokens, registryHost: () => REGISTRY_HOST };
  return { store, clock, tokens, deps, ctx, api: (operations, authority) => actionsOf(operations(deps), authority) };
}

const codec = codecFor('awsJson1_1');
const testService: ServiceDefinition = { model: ecrModel, iamPrefix: 'ecr', operations: {}, validationError: ecrValidationError };

/** Each operation of `table` as a test calls it: decoded from JSON by ECR's model, authorized, validated, handled. */
export function actionsOf(table: EcrOperationTable, authority: Authority = rootOnlyAuthority): Actions {
  const out: Actions = {};
  for (const [name, spec] of Object.entries(table) as [string, OperationSpec<object, object>][]) {
    out[name] = async (json, context) => {
      const operation = ecrModel.operations[name];
      const wire = { method: 'POST', path: '/', query: new URLSearchParams(), headers: {}, body: Buffer.from(JSON.stringify(json)) };
      const input = codec.decodeInput(ecrModel, operation, wire);
      const globals = { 'aws:SourceIp': context.sourceIp, 'aws:RequestedRegion': context.region, 'aws:SecureTransport': 'false' };
      const authorized: RequestContext = { ...context, authorize: (r) => authorizeRequest(authority, ecrModel, context.principal, r, globals) };
      await authorizeOperation(authority, testService, name, spec, input, authorized, globals);
      const violations = operation.input ? validateInput(ecrModel, operation.input, input) : [];
      if (violations.length) throw ecrValidationError(violations);
      return spec.handler(input, authorized);
    };
  }
  return out;
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
