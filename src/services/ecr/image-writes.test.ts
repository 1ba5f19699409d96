import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type {
  BatchDeleteImageResponse, BatchGetImageResponse, DescribeImagesResponse, InitiateLayerUploadResponse, PutImageResponse,
} from '@aws-sdk/client-ecr';
import { registryKeys, type ImageRecord } from '../../registry/index.ts';
import { getDoc, type Store } from '../../state/index.ts';
import { imageWriteOperations } from './image-writes.ts';
import { imageOperations } from './images.ts';
import { layerOperations } from './layers.ts';
import { repositoryOperations } from './repositories.ts';
import {
  addBlobStore, ctx, digestOf, ecrTestbed, expectRejected, imageRecord, keysUnder, scope, seedImage, type Actions, type EcrTestbed,
} from './testing.ts';

let bed: EcrTestbed;
let store: Store;
let removeBlobs: () => Promise<void>;
let api: Actions;

beforeEach(async () => {
  bed = ecrTestbed();
  store = bed.store;
  ({ remove: removeBlobs } = await addBlobStore(bed));
  api = { ...bed.api(repositoryOperations), ...bed.api(imageOperations), ...bed.api(layerOperations), ...bed.api(imageWriteOperations) };
  await api.CreateRepository({ repositoryName: 'web' }, ctx);
  await api.CreateRepository({ repositoryName: 'locked', imageTagMutability: 'IMMUTABLE' }, ctx);
});
afterEach(async () => {
  store.close();
  await removeBlobs();
});

const call = async <T>(action: string, input: Record<string, unknown>) => (await api[action](input, ctx)) as T;
const rejects = (action: string, input: Record<string, unknown>, code: string, message: RegExp) =>
  expectRejected(store, () => api[action]({ repositoryName: 'web', ...input }, ctx), code, message);

const V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';

/** Uploads `bytes` as a layer of `repositoryName` through the ECR layer actions; returns its digest. */
async function uploadLayer(bytes: Buffer, repositoryName = 'web'): Promise<string> {
  const { uploadId } = await call<InitiateLayerUploadResponse>('InitiateLayerUpload', { repositoryName });
  await call('UploadLayerPart', { repositoryName, uploadId, partFirstByte: 0, partLastByte: bytes.length - 1, layerPartBlob: bytes.toString('base64') });
  const digest = digestOf(bytes);
  await call('CompleteLayerUpload', { repositoryName, uploadId, layerDigests: [digest] });
  return digest;
}

/** A schema 2 manifest over a config and one layer. */
function manifestOver(config: Buffer, layer: Buffer): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: V2,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: digestOf(config) },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: digestOf(layer) }],
  });
}

/** Uploads a config and a layer for `seed` into the repository and returns a manifest naming them. */
async function pushableManifest(seed: string, repositoryName = 'web'): Promise<string> {
  const config = Buffer.from(`{"config":"${seed}"}`);
  const layer = Buffer.from(`layer bytes of ${seed}`);
  await uploadLayer(config, repositoryName);
  await uploadLayer(layer, repositoryName);
  return manifestOver(config, layer);
}

const putImage = (input: Record<string, unknown>) => call<PutImageResponse>('PutImage', { repositoryName: 'web', ...input });
const stored = async (repository: string, digest: string) => (await getDoc<ImageRecord>(store, registryKeys.image(scope, repository, digest)))?.value;

describe('PutImage', () => {
  test('stores an image whose layers were uploaded with the layer actions', async () => {
    const manifest = await pushableManifest('a');
    const digest = digestOf(manifest);
    const { image } = await putImage({ imageManifest: manifest, imageTag: 'v1' });
    assert.deepEqual(image, {
      registryId: ctx.account, repositoryName: 'web', imageId: { imageDigest: digest, imageTag: 'v1' }, imageManifest: manifest,
      imageManifestMediaType: V2,
    });
    const got = await call<BatchGetImageResponse>('BatchGetImage', { repositoryName: 'web', imageIds: [{ imageTag: 'v1' }] });
    assert.equal(got.images![0].imageManifest, manifest);
    const details = await call<DescribeImagesResponse>('DescribeImages', { repositoryName: 'web' });
    assert.deepEqual(details.imageDetails!.map((d) => [d.imageDigest, d.imageTags]), [[digest, ['v1']]]);
  });

  test('without a tag stores the image by digest; a matching imageDigest is accepted', async () => {
    const manifest = await pushableManifest('b');
    const digest = digestOf(manifest);
    const { image } = await putImage({ imageManifest: manifest, imageDigest: digest, imageManifestMediaType: V2 });
    assert.deepEqual(image!.imageId, { imageDigest: digest });
    assert.deepEqual((await stored('web', digest))?.tags, []);
  });

  test('answers ImageAlreadyExistsException when nothing changes, and adds a new tag to the same image', async () => {
    const manifest = await pushableManifest('c');
    const digest = digestOf(manifest);
    await putImage({ imageManifest: manifest, imageTag: 'v1' });
    await rejects('PutImage', { imageManifest: manifest, imageTag: 'v1' }, 'ImageAlreadyExistsException',
      new RegExp(`^Image with digest '${digest}' and tag 'v1' already exists in the repository with name 'web' in registry with id '${ctx.account}'$`));
    await rejects('PutImage', { imageManifest: manifest }, 'ImageAlreadyExistsException', /and tag 'null' already exists/);
    await putImage({ imageManifest: manifest, imageTag: 'latest' });
    assert.deepEqual((await stored('web', digest))?.tags, ['latest', 'v1']);
  });

  test('moves a mutable tag but never an immutable one', async () => {
    const first = await pushableManifest('d1', 'locked');
    const second = await pushableManifest('d2', 'locked');
    await putImage({ repositoryName: 'locked', imageManifest: first, imageTag: 'v1' });
    await expectRejected(store, () => api.PutImage({ repositoryName: 'locked', imageManifest: second, imageTag: 'v1' }, ctx),
      'ImageTagAlreadyExistsException', /^The image tag 'v1' already exists in the 'locked' repository and cannot be overwritten because the repository is immutable\.$/);

    const a = await pushableManifest('m1');
    const b = await pushableManifest('m2');
    await putImage({ imageManifest: a, imageTag: 'v1' });
    await putImage({ imageManifest: b, imageTag: 'v1' });
    assert.deepEqual((await stored('web', digestOf(a)))?.tags, []);
    assert.deepEqual((await stored('web', digestOf(b)))?.tags, ['v1']);
  });

  test('refuses a manifest naming layers the repository does not hold', async () => {
    const config = Buffer.from('{"config":"e"}');
    await uploadLayer(config);
    const missing = Buffer.from('never uploaded');
    await rejects('PutImage', { imageManifest: manifestOver(config, missing), imageTag: 'v1' }, 'LayersNotFoundException',
      new RegExp(`^Layers with digests '\\[${digestOf(missing)}\\]' required for pushing image into repository with name 'web' in registry`));
    // A layer uploaded into another repository is not visible here.
    await api.CreateRepository({ repositoryName: 'other' }, ctx);
    await uploadLayer(missing, 'other');
    await rejects('PutImage', { imageManifest: manifestOver(config, missing), imageTag: 'v1' }, 'LayersNotFoundException', /do not exist/);
  });

  test('refuses an index whose images are not in the repository', async () => {
    const child = digestOf('child');
    const index = JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [{ mediaType: V2, digest: child, size: 10 }] });
    await rejects('PutImage', { imageManifest: index, imageTag: 'multi' }, 'ReferencedImagesNotFoundException', new RegExp(child));
  });

  test('validates its input', async () => {
    const manifest = await pushableManifest('f');
    await rejects('PutImage', { imageManifest: manifest, imageDigest: digestOf('other') }, 'ImageDigestDoesNotMatchException',
      /does not match the digest/);
    await rejects('PutImage', { imageManifest: manifest, imageDigest: 'bad' }, 'InvalidParameterException', /'imageDigest' failed to satisfy/);
    await rejects('PutImage', { imageManifest: manifest, imageTag: '' }, 'InvalidParameterException', /'imageTag' failed to satisfy/);
    await rejects('PutImage', { imageTag: 'v1' }, 'InvalidParameterException', /^Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Member must not be null'$/);
    await rejects('PutImage', { imageManifest: '{"schemaVersion":2' }, 'InvalidParameterException', /not valid JSON/);
    await rejects('PutImage', { repositoryName: 'nope', imageManifest: manifest }, 'RepositoryNotFoundException', /'nope' does not exist/);
  });

  test('without a blob store answers ServerException', async () => {
    delete bed.deps.blobs;
    await rejects('PutImage', { imageManifest: manifestOver(Buffer.from('x'), Buffer.from('y')) }, 'ServerException', /no registry blob store/);
  });
});

describe('BatchDeleteImage', () => {
  let a: ImageRecord;
  let b: ImageRecord;
  let child: ImageRecord;
  let index: ImageRecord;
  const t0 = Date.UTC(2026, 0, 1);

  beforeEach(async () => {
    a = imageRecord('web', 'a', ['latest', 'v1'], t0);
    b = imageRecord('web', 'b', ['v2'], t0);
    child = imageRecord('web', 'child', ['child'], t0);
    const indexText = JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [{ mediaType: V2, digest: child.digest, size: 10 }] });
    index = {
      ...imageRecord('web', 'index', ['multi'], t0), digest: digestOf(indexText), mediaType: INDEX,
      manifestBase64: Buffer.from(indexText).toString('base64'), children: [child.digest], blobs: [],
    };
    for (const image of [a, b, child, index]) await seedImage(store, image);
  });

  const batchDelete = (imageIds: Record<string, string>[]) =>
    call<BatchDeleteImageResponse>('BatchDeleteImage', { repositoryName: 'web', imageIds });

  test('a tag removes only the tag while the image has others', async () => {
    assert.deepEqual(await batchDelete([{ imageTag: 'latest' }]), { imageIds: [{ imageDigest: a.digest, imageTag: 'latest' }], failures: [] });
    assert.deepEqual((await stored('web', a.digest))?.tags, ['v1']);
    assert.equal(await getDoc(store, registryKeys.tag(scope, 'web', 'latest')), undefined);
  });

  test("removing an image's last tag deletes the image", async () => {
    assert.deepEqual(await batchDelete([{ imageTag: 'v2' }]), { imageIds: [{ imageDigest: b.digest, imageTag: 'v2' }], failures: [] });
    assert.equal(await stored('web', b.digest), undefined);
    // Both tags of one image in one batch: the image goes with the second.
    assert.deepEqual((await batchDelete([{ imageTag: 'latest' }, { imageTag: 'v1', imageDigest: a.digest }])).imageIds, [
      { imageDigest: a.digest, imageTag: 'latest' }, { imageDigest: a.digest, imageTag: 'v1' },
    ]);
    assert.equal(await stored('web', a.digest), undefined);
  });

  test('a digest deletes the image and all its tags, naming each', async () => {
    assert.deepEqual(await batchDelete([{ imageDigest: a.digest }]), {
      imageIds: [{ imageDigest: a.digest, imageTag: 'latest' }, { imageDigest: a.digest, imageTag: 'v1' }], failures: [],
    });
    assert.equal(await stored('web', a.digest), undefined);
    assert.deepEqual(await keysUnder(store, registryKeys.tags(scope, 'web')), ['child', 'multi', 'v2'].map((t) => registryKeys.tag(scope, 'web', t)));
    // An untagged image is named by its digest alone.
    const untagged = imageRecord('web', 'untagged', [], t0);
    await seedImage(store, untagged);
    assert.deepEqual((await batchDelete([{ imageDigest: untagged.digest }])).imageIds, [{ imageDigest: untagged.digest }]);
    assert.equal(await stored('web', untagged.digest), undefined);
  });

  test('reports what it cannot delete as failures and deletes the rest', async () => {
    const absent = `sha256:${'0'.repeat(64)}`;
    const result = await batchDelete([
      { imageTag: 'nope' }, { imageDigest: absent }, {}, { imageDigest: 'bad' }, { imageTag: '-bad' },
      { imageDigest: b.digest, imageTag: 'latest' }, { imageDigest: child.digest }, { imageTag: 'v2' },
    ]);
    assert.deepEqual(result.imageIds, [{ imageDigest: b.digest, imageTag: 'v2' }]);
    assert.deepEqual(result.failures!.map((x) => [x.imageId, x.failureCode]), [
      [{ imageTag: 'nope' }, 'ImageNotFound'],
      [{ imageDigest: absent }, 'ImageNotFound'],
      [{}, 'MissingDigestAndTag'],
      [{ imageDigest: 'bad' }, 'InvalidImageDigest'],
      [{ imageTag: '-bad' }, 'InvalidImageTag'],
      [{ imageDigest: b.digest, imageTag: 'latest' }, 'ImageTagDoesNotMatchDigest'],
      [{ imageDigest: child.digest }, 'ImageReferencedByManifestList'],
    ]);
    assert.match(result.failures![6].failureReason!, new RegExp(`referenced by the image index ${index.digest}`));
    assert.ok(await stored('web', child.digest), 'an image an index lists stays');
    assert.ok(await stored('web', a.digest));
  });

  test('an index goes first, then its images', async () => {
    assert.deepEqual((await batchDelete([{ imageTag: 'multi' }, { imageDigest: child.digest }])).failures, []);
    assert.equal(await stored('web', child.digest), undefined);
  });

  test('validates its input and the repository', async () => {
    await rejects('BatchDeleteImage', {}, 'InvalidParameterException', /^Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must not be null'$/);
    await rejects('BatchDeleteImage', { imageIds: [] }, 'InvalidParameterException', /length greater than or equal to 1/);
    await rejects('BatchDeleteImage', { repositoryName: 'nope', imageIds: [{ imageTag: 'v1' }] }, 'RepositoryNotFoundException', /'nope'/);
    await rejects('BatchDeleteImage', { registryId: '999999999999', imageIds: [{ imageTag: 'v1' }] }, 'RepositoryNotFoundException',
      /registry with id '999999999999'/);
  });
});
