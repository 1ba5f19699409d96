import { describe, it, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore, getDoc, transact, type Tx } from '../state/index.ts';
import { sha256Digest } from './digest.ts';
import { RegistryError } from './errors.ts';
import {
  deleteImage,
  deleteTag,
  getManifest,
  listRepositories,
  listTags,
  putManifest,
  recordPull,
  referencedBlobs,
  referrers,
  storeReader,
  type PushContext,
} from './images.ts';
import { blobLinkKeys, linkBlob } from './links.ts';
import { MediaTypes } from './manifests.ts';
import { registryArns, registryKeys, type ImageRecord, type RegistryScope, type RepositoryRecord, type TagRecord } from './records.ts';

const scope: RegistryScope = { account: '111122223333', region: 'us-east-1' };
const d = (c: string) => `sha256:${c.repeat(64)}`;

function repository(name: string, imageTagMutability: RepositoryRecord['imageTagMutability'] = 'MUTABLE'): RepositoryRecord {
  return {
    name,
    arn: registryArns.repository(scope, name),
    registryId: scope.account,
    uri: `localhost/${name}`,
    createdAt: 0,
    imageTagMutability,
    imageScanningConfiguration: { scanOnPush: false },
    encryptionConfiguration: { encryptionType: 'AES256' },
    tags: [],
  };
}

function image(config: string, layers: string[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 100 },
    layers: layers.map((digest, i) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: 1000 * (i + 1) })),
    ...extra,
  }));
}

function index(children: Buffer[]): Buffer {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociIndex,
    manifests: children.map((c) => ({ mediaType: MediaTypes.ociManifest, digest: sha256Digest(c), size: c.length })),
  }));
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RegistryError, String(error));
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('images', () => {
  let store: SqliteStore;
  const present = new Set<string>();
  const context = (now = 1000): PushContext => ({ now, blobs: { retain: async (digest) => present.has(digest) } });
  const push = (repo: string, bytes: Buffer, reference: string, now = 1000) =>
    transact(store, (tx) => putManifest(tx, scope, repo, bytes, (JSON.parse(bytes.toString()) as { mediaType: string }).mediaType, reference, context(now)));
  const read = <T>(key: string) => getDoc<T>(store, key).then((doc) => doc?.value);

  /** Puts blobs on "disk" and links them into `repo`. */
  async function upload(repo: string, ...digests: string[]): Promise<void> {
    for (const digest of digests) present.add(digest);
    await transact(store, async (tx: Tx) => digests.forEach((digest) => linkBlob(tx, scope, repo, digest, 1000, 1)));
  }

  beforeEach(async () => {
    store = SqliteStore.open(':memory:');
    present.clear();
    await transact(store, async (tx) => {
      tx.put(registryKeys.repository(scope, 'app'), repository('app'));
      tx.put(registryKeys.repository(scope, 'team/locked'), repository('team/locked', 'IMMUTABLE'));
    });
  });

  it('pushing to a repository that does not exist is NAME_UNKNOWN (CreateRepository first)', async () => {
    const e = await rejectsWith(push('nope', image(d('c'), []), 'latest'), 'NAME_UNKNOWN');
    assert.equal(e.ecrCode, 'RepositoryNotFoundException');
  });

  it('every blob must be linked into the repository and present: MANIFEST_BLOB_UNKNOWN per missing one, nothing written', async () => {
    await upload('app', d('c'));
    present.add(d('2')); // on disk, but only linked into another repository
    const revision = await store.revision();
    const e = await rejectsWith(push('app', image(d('c'), [d('1'), d('2')]), 'latest'), 'MANIFEST_BLOB_UNKNOWN');
    assert.deepEqual(e.entries().map((entry) => (entry.detail as { digest: string }).digest), [d('1'), d('2')]);
    assert.equal(e.ecrCode, 'LayersNotFoundException');
    await upload('app', d('1'));
    present.delete(d('1')); // linked, but collected from disk
    await rejectsWith(push('app', image(d('c'), [d('1')]), 'latest'), 'MANIFEST_BLOB_UNKNOWN');
    assert.equal(await store.revision(), revision + 1, 'only the test\'s own link write happened');
    assert.deepEqual((await store.range('ecr/images/')).kvs, []);
  });

  it('a tag moves to the new image and off the old one; the old image stays, untagged', async () => {
    await upload('app', d('c'), d('1'), d('2'));
    const first = image(d('c'), [d('1')]);
    const second = image(d('c'), [d('1'), d('2')]);
    const r1 = await push('app', first, 'latest', 1000);
    assert.equal(r1.created, true);
    assert.equal(r1.changed, true);
    assert.equal(r1.image.sizeInBytes, 1000);
    await push('app', first, 'v1', 1500);
    const r2 = await push('app', second, 'latest', 2000);
    assert.equal(r2.previousDigest, sha256Digest(first));
    const old = await read<ImageRecord>(registryKeys.image(scope, 'app', sha256Digest(first)));
    const now = await read<ImageRecord>(registryKeys.image(scope, 'app', sha256Digest(second)));
    assert.deepEqual(old?.tags, ['v1']);
    assert.equal(old?.pushedAt, 1000);
    assert.deepEqual(now?.tags, ['latest']);
    assert.deepEqual(now?.blobs, [d('c'), d('1'), d('2')]);
    assert.deepEqual(await read<TagRecord>(registryKeys.tag(scope, 'app', 'latest')), { digest: sha256Digest(second), updatedAt: 2000 });
    const same = await push('app', second, 'latest', 3000);
    assert.equal(same.changed, false, 'a re-push that changes nothing is reported as such (ECR ImageAlreadyExistsException)');
    assert.equal((await getManifest(storeReader(store), scope, 'app', 'latest')).digest, sha256Digest(second));
  });

  it('an IMMUTABLE repository refuses to move a tag (ImageTagAlreadyExistsException) but accepts the same push again', async () => {
    await upload('team/locked', d('c'), d('1'), d('2'));
    const first = image(d('c'), [d('1')]);
    await push('team/locked', first, 'v1');
    const e = await rejectsWith(push('team/locked', image(d('c'), [d('2')]), 'v1'), 'TAG_INVALID');
    assert.equal(e.ecrCode, 'ImageTagAlreadyExistsException');
    assert.equal((await read<TagRecord>(registryKeys.tag(scope, 'team/locked', 'v1')))?.digest, sha256Digest(first));
    assert.equal((await push('team/locked', first, 'v1')).changed, false);
    assert.equal((await push('team/locked', image(d('c'), [d('2')]), 'v2')).created, true);
  });

  it('by digest: must be the digest of the body; tags must be valid', async () => {
    await upload('app', d('c'));
    const bytes = image(d('c'), []);
    const r = await push('app', bytes, sha256Digest(bytes));
    assert.deepEqual(r.image.tags, []);
    const e = await rejectsWith(push('app', bytes, d('0')), 'DIGEST_INVALID');
    assert.equal(e.ecrCode, 'ImageDigestDoesNotMatchException');
    await rejectsWith(push('app', bytes, `sha512:${'a'.repeat(128)}`), 'DIGEST_INVALID');
    await rejectsWith(push('app', bytes, '-bad'), 'TAG_INVALID');
    await rejectsWith(push('app', bytes, 'x'.repeat(129)), 'TAG_INVALID');
  });

  it('an index needs its children in the repository; its size is the largest child', async () => {
    await upload('app', d('c'), d('1'), d('2'));
    const small = image(d('c'), [d('1')]);
    const big = image(d('c'), [d('1'), d('2')]);
    await push('app', small, sha256Digest(small));
    const e = await rejectsWith(push('app', index([small, big]), 'multi'), 'MANIFEST_BLOB_UNKNOWN');
    assert.equal(e.ecrCode, 'ReferencedImagesNotFoundException');
    assert.deepEqual(e.detail, { digest: sha256Digest(big) });
    await push('app', big, sha256Digest(big));
    const r = await push('app', index([small, big]), 'multi');
    assert.equal(r.image.sizeInBytes, 3000);
    assert.deepEqual(r.image.children, [sha256Digest(small), sha256Digest(big)]);
    const blocked = await rejectsWith(transact(store, (tx) => deleteImage(tx, scope, 'app', sha256Digest(small))), 'DENIED');
    assert.equal(blocked.ecrCode, 'ImageReferencedByManifestList');
  });

  it('deleteImage removes the image and its tags; deleteTag removes only the tag unless asked', async () => {
    await upload('app', d('c'), d('1'));
    const bytes = image(d('c'), [d('1')]);
    const digest = sha256Digest(bytes);
    await push('app', bytes, 'a');
    await push('app', bytes, 'b');
    await push('app', bytes, 'c');
    assert.deepEqual(await transact(store, (tx) => deleteTag(tx, scope, 'app', 'a')), { digest, imageDeleted: false });
    assert.deepEqual((await read<ImageRecord>(registryKeys.image(scope, 'app', digest)))?.tags, ['c', 'b']);
    await rejectsWith(transact(store, (tx) => deleteTag(tx, scope, 'app', 'a')), 'MANIFEST_UNKNOWN');
    await transact(store, (tx) => deleteImage(tx, scope, 'app', digest));
    assert.equal(await read(registryKeys.image(scope, 'app', digest)), undefined);
    assert.deepEqual((await listTags(store, scope, 'app')).names, []);
    await rejectsWith(getManifest(storeReader(store), scope, 'app', 'b'), 'MANIFEST_UNKNOWN');
    await rejectsWith(transact(store, (tx) => deleteImage(tx, scope, 'app', digest)), 'MANIFEST_UNKNOWN');

    await push('app', bytes, 'only');
    assert.deepEqual(await transact(store, (tx) => deleteTag(tx, scope, 'app', 'only', { deleteUntaggedImage: true })), { digest, imageDeleted: true });
    assert.equal(await read(registryKeys.image(scope, 'app', digest)), undefined);
  });

  it('listTags and listRepositories page in byte order with n and last', async () => {
    await upload('app', d('c'));
    const bytes = image(d('c'), []);
    for (const tag of ['b', 'a', 'C', 'c', '1.0', 'latest']) await push('app', bytes, tag);
    assert.deepEqual(await listTags(store, scope, 'app'), { names: ['1.0', 'C', 'a', 'b', 'c', 'latest'], more: false });
    assert.deepEqual(await listTags(store, scope, 'app', { n: 2 }), { names: ['1.0', 'C'], more: true });
    assert.deepEqual(await listTags(store, scope, 'app', { n: 2, last: 'C' }), { names: ['a', 'b'], more: true });
    assert.deepEqual(await listTags(store, scope, 'app', { n: 2, last: 'c' }), { names: ['latest'], more: false });
    assert.deepEqual(await listTags(store, scope, 'app', { last: 'b' }), { names: ['c', 'latest'], more: false });
    assert.deepEqual(await listTags(store, scope, 'app', { n: 0 }), { names: [], more: false });
    await rejectsWith(listTags(store, scope, 'nope'), 'NAME_UNKNOWN');
    assert.deepEqual(await listRepositories(store, scope), { names: ['app', 'team/locked'], more: false });
    assert.deepEqual(await listRepositories(store, scope, { n: 1 }), { names: ['app'], more: true });
    assert.deepEqual(await listRepositories(store, { account: '999999999999', region: 'us-east-1' }), { names: [], more: false });
  });

  it('referrers lists manifests whose subject is the digest, filtered by artifactType, with annotations', async () => {
    await upload('app', d('c'), d('e'), d('5'));
    const subject = image(d('c'), []);
    const subjectDescriptor = { mediaType: MediaTypes.ociManifest, digest: sha256Digest(subject), size: subject.length };
    const sbom = image(d('e'), [d('5')], { artifactType: 'application/vnd.example.sbom', subject: subjectDescriptor, annotations: { created: 'today' } });
    const signature = image(d('e'), [], { subject: subjectDescriptor });
    await push('app', sbom, sha256Digest(sbom)); // before its subject: allowed
    await push('app', subject, 'latest');
    await push('app', signature, sha256Digest(signature));
    const all = await referrers(store, scope, 'app', sha256Digest(subject));
    assert.deepEqual(all.map((r) => r.digest).sort(), [sha256Digest(sbom), sha256Digest(signature)].sort());
    const sbomDescriptor = all.find((r) => r.digest === sha256Digest(sbom));
    assert.deepEqual(sbomDescriptor, { mediaType: MediaTypes.ociManifest, digest: sha256Digest(sbom), size: sbom.length, artifactType: 'application/vnd.example.sbom', annotations: { created: 'today' } });
    assert.equal(all.find((r) => r.digest === sha256Digest(signature))?.artifactType, 'application/vnd.oci.image.config.v1+json');
    assert.deepEqual((await referrers(store, scope, 'app', sha256Digest(subject), 'application/vnd.example.sbom')).map((r) => r.digest), [sha256Digest(sbom)]);
    assert.deepEqual(await referrers(store, scope, 'app', d('f')), []);
  });

  it('referencedBlobs is the union over every image of every account; links are per repository', async () => {
    await upload('app', d('c'), d('1'));
    await push('app', image(d('c'), [d('1')]), 'latest');
    const other = { account: '444455556666', region: 'eu-west-1' };
    await transact(store, async (tx) => {
      tx.put(registryKeys.repository(other, 'app'), repository('app'));
      linkBlob(tx, other, 'app', d('7'), 1, 1);
    });
    present.add(d('7'));
    await transact(store, (tx) => putManifest(tx, other, 'app', image(d('7'), []), MediaTypes.ociManifest, 'x', context()));
    assert.deepEqual([...(await referencedBlobs(store))].sort(), [d('1'), d('7'), d('c')]);
    assert.ok(await read(blobLinkKeys.link(other, 'app', d('7'))));
    assert.equal(await read(blobLinkKeys.link(scope, 'app', d('7'))), undefined);
  });

  it('recordPull writes lastRecordedPullTime at most once per interval', async () => {
    await upload('app', d('c'));
    const bytes = image(d('c'), []);
    const digest = sha256Digest(bytes);
    await push('app', bytes, 'latest');
    assert.equal(await transact(store, (tx) => recordPull(tx, scope, 'app', digest, 10_000, 5_000)), true);
    assert.equal(await transact(store, (tx) => recordPull(tx, scope, 'app', digest, 14_000, 5_000)), false);
    assert.equal((await read<ImageRecord>(registryKeys.image(scope, 'app', digest)))?.lastRecordedPullTime, 10_000);
    assert.equal(await transact(store, (tx) => recordPull(tx, scope, 'app', digest, 15_000, 5_000)), true);
    assert.equal((await read<ImageRecord>(registryKeys.image(scope, 'app', digest)))?.lastRecordedPullTime, 15_000);
  });
});
