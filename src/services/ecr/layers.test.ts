import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type {
  BatchCheckLayerAvailabilityResponse, CompleteLayerUploadResponse, GetDownloadUrlForLayerResponse, InitiateLayerUploadResponse,
  UploadLayerPartResponse,
} from '@aws-sdk/client-ecr';
import { linkBlob, type BlobStore } from '../../registry/index.ts';
import { transact, type Store } from '../../state/index.ts';
import { LAYER_PART_SIZE, layerOperations } from './layers.ts';
import { repositoryOperations } from './repositories.ts';
import { addBlobStore, ctx, digestOf, ecrTestbed, expectRejected, REGISTRY_HOST, scope, type Actions, type EcrTestbed } from './testing.ts';

let bed: EcrTestbed;
let store: Store;
let blobs: BlobStore;
let removeBlobs: () => Promise<void>;
let api: Actions;

beforeEach(async () => {
  bed = ecrTestbed();
  store = bed.store;
  ({ blobs, remove: removeBlobs } = await addBlobStore(bed));
  api = { ...bed.api(repositoryOperations), ...bed.api(layerOperations) };
  await api.CreateRepository({ repositoryName: 'web' }, ctx);
  await api.CreateRepository({ repositoryName: 'other' }, ctx);
});
afterEach(async () => {
  store.close();
  await removeBlobs();
});

const call = async <T>(action: string, input: Record<string, unknown>) => (await api[action](input, ctx)) as T;
const rejects = (action: string, input: Record<string, unknown>, code: string, message: RegExp) =>
  expectRejected(store, () => api[action]({ repositoryName: 'web', ...input }, ctx), code, message);
const initiate = async (repositoryName = 'web') => (await call<InitiateLayerUploadResponse>('InitiateLayerUpload', { repositoryName })).uploadId!;
const part = (uploadId: string, first: number, bytes: Buffer, repositoryName = 'web') =>
  call<UploadLayerPartResponse>('UploadLayerPart', {
    repositoryName, uploadId, partFirstByte: first, partLastByte: first + bytes.length - 1, layerPartBlob: bytes.toString('base64'),
  });
const complete = (uploadId: string, digest: string, repositoryName = 'web') =>
  call<CompleteLayerUploadResponse>('CompleteLayerUpload', { repositoryName, uploadId, layerDigests: [digest] });
const check = (layerDigests: string[], repositoryName = 'web') =>
  call<BatchCheckLayerAvailabilityResponse>('BatchCheckLayerAvailability', { repositoryName, layerDigests });

const LAYER = Buffer.from('a layer of bytes, uploaded in two parts');
const LAYER_DIGEST = digestOf(LAYER);

describe('the layer upload actions', () => {
  test('upload a layer in parts, commit it and link it into the repository only', async () => {
    const init = await call<InitiateLayerUploadResponse>('InitiateLayerUpload', { repositoryName: 'web' });
    assert.match(init.uploadId!, /^[0-9a-f-]{36}$/);
    assert.equal(init.partSize, LAYER_PART_SIZE);
    const first = await part(init.uploadId!, 0, LAYER.subarray(0, 10));
    assert.deepEqual(first, { registryId: ctx.account, repositoryName: 'web', uploadId: init.uploadId, lastByteReceived: 9 });
    assert.equal((await part(init.uploadId!, 10, LAYER.subarray(10))).lastByteReceived, LAYER.length - 1);
    assert.deepEqual(await complete(init.uploadId!, LAYER_DIGEST), {
      registryId: ctx.account, repositoryName: 'web', uploadId: init.uploadId, layerDigest: LAYER_DIGEST,
    });
    assert.equal((await blobs.stat(LAYER_DIGEST))?.size, LAYER.length);
    assert.deepEqual(await check([LAYER_DIGEST]), {
      layers: [{ layerDigest: LAYER_DIGEST, layerAvailability: 'AVAILABLE', layerSize: LAYER.length }], failures: [],
    });
    assert.deepEqual((await check([LAYER_DIGEST], 'other')).layers, [{ layerDigest: LAYER_DIGEST, layerAvailability: 'UNAVAILABLE' }],
      'a blob is visible only in the repository it was uploaded into');
    // The upload is gone once completed.
    await rejects('CompleteLayerUpload', { uploadId: init.uploadId, layerDigests: [LAYER_DIGEST] }, 'UploadNotFoundException', /upload could not be found/);
  });

  test('InitiateLayerUpload needs the repository', async () => {
    await rejects('InitiateLayerUpload', { repositoryName: 'nope' }, 'RepositoryNotFoundException', /'nope' does not exist/);
  });

  test('UploadLayerPart refuses a part that does not continue the upload, and the upload stays usable', async () => {
    const id = await initiate();
    await part(id, 0, LAYER.subarray(0, 10));
    await rejects('UploadLayerPart', { uploadId: id, partFirstByte: 5, partLastByte: 9, layerPartBlob: Buffer.from('abcde').toString('base64') },
      'InvalidLayerPartException', /first byte 5 is not consecutive .* which is 9/);
    await rejects('UploadLayerPart', { uploadId: id, partFirstByte: 10, partLastByte: 20, layerPartBlob: Buffer.from('abc').toString('base64') },
      'InvalidLayerPartException', /spans bytes 10-20 \(11 bytes\) but layerPartBlob holds 3 bytes/);
    await rejects('UploadLayerPart', { uploadId: id, partFirstByte: 10, partLastByte: 9, layerPartBlob: '' },
      'InvalidLayerPartException', /holds 0 bytes/);
    assert.equal((await blobs.uploadStatus(id, `${scope.account}/${scope.region}/web`)).offset, 10, 'refused parts wrote nothing');
    await part(id, 10, LAYER.subarray(10));
    assert.equal((await complete(id, LAYER_DIGEST)).layerDigest, LAYER_DIGEST);
  });

  test('UploadLayerPart validates its members and the upload id', async () => {
    const id = await initiate();
    const blob = Buffer.from('abc').toString('base64');
    await rejects('UploadLayerPart', { uploadId: id, partFirstByte: 0, partLastByte: 2, layerPartBlob: 'not base64!' },
      'SerializationException', /^layerPartBlob must be base64-encoded\.$/);
    await rejects('UploadLayerPart', { uploadId: id, partLastByte: 2, layerPartBlob: blob }, 'InvalidParameterException',
      /^Invalid parameter at 'partFirstByte' failed to satisfy constraint: 'Member must not be null'$/);
    await rejects('UploadLayerPart', { uploadId: id, partFirstByte: -1, partLastByte: 2, layerPartBlob: blob }, 'InvalidParameterException',
      /'partFirstByte' failed to satisfy constraint/);
    await rejects('UploadLayerPart', { uploadId: '7b0b7c2e-0000-4000-8000-000000000000', partFirstByte: 0, partLastByte: 2, layerPartBlob: blob },
      'UploadNotFoundException', /upload could not be found/);
    await rejects('UploadLayerPart', { uploadId: 'junk', partFirstByte: 0, partLastByte: 2, layerPartBlob: blob }, 'InvalidParameterException',
      /^Invalid parameter at 'uploadId' failed to satisfy constraint: 'Member must satisfy regular expression pattern: /);
    await rejects('UploadLayerPart', { repositoryName: 'other', uploadId: id, partFirstByte: 0, partLastByte: 2, layerPartBlob: blob },
      'UploadNotFoundException', /./);
  });

  test('CompleteLayerUpload verifies the digest and discards a wrong upload', async () => {
    const id = await initiate();
    await part(id, 0, LAYER);
    await rejects('CompleteLayerUpload', { uploadId: id, layerDigests: [digestOf('something else')] }, 'InvalidLayerException', /does not match/);
    await rejects('CompleteLayerUpload', { uploadId: id, layerDigests: [LAYER_DIGEST] }, 'UploadNotFoundException', /./);
    assert.equal(await blobs.stat(LAYER_DIGEST), undefined);
    assert.deepEqual((await check([LAYER_DIGEST])).layers, [{ layerDigest: LAYER_DIGEST, layerAvailability: 'UNAVAILABLE' }]);
  });

  test('CompleteLayerUpload refuses empty uploads, bad digests, and a layer the repository has', async () => {
    const id = await initiate();
    await rejects('CompleteLayerUpload', { uploadId: id, layerDigests: [LAYER_DIGEST] }, 'EmptyUploadException', /does not contain any layer parts/);
    await part(id, 0, LAYER);
    await rejects('CompleteLayerUpload', { uploadId: id, layerDigests: ['nope'] }, 'InvalidParameterException', /^Invalid parameter at 'layerDigests' failed to satisfy constraint: 'Member must satisfy constraint: \[Member must satisfy regular expression pattern: /);
    await rejects('CompleteLayerUpload', { uploadId: id, layerDigests: [`sha512:${'a'.repeat(128)}`] }, 'InvalidLayerException', /only sha256/);
    await rejects('CompleteLayerUpload', { uploadId: id, layerDigests: [LAYER_DIGEST, digestOf('x')] }, 'InvalidParameterException', /single digest/);
    await rejects('CompleteLayerUpload', { uploadId: id, layerDigests: [] }, 'InvalidParameterException', /length greater than or equal to 1/);
    await complete(id, LAYER_DIGEST);

    const again = await initiate();
    await part(again, 0, LAYER);
    await rejects('CompleteLayerUpload', { uploadId: again, layerDigests: [LAYER_DIGEST] }, 'LayerAlreadyExistsException', /already exists/);
    // The same bytes go into another repository as a new layer there.
    const elsewhere = await initiate('other');
    await part(elsewhere, 0, LAYER, 'other');
    assert.equal((await complete(elsewhere, LAYER_DIGEST, 'other')).layerDigest, LAYER_DIGEST);
    assert.equal((await check([LAYER_DIGEST], 'other')).layers![0].layerAvailability, 'AVAILABLE');
  });
});

describe('BatchCheckLayerAvailability', () => {
  test('answers failures for malformed digests and UNAVAILABLE for unknown ones', async () => {
    const absent = digestOf('absent');
    const result = await check(['', 'bad', `sha512:${'a'.repeat(128)}`, absent]);
    assert.deepEqual(result.layers, [{ layerDigest: absent, layerAvailability: 'UNAVAILABLE' }]);
    assert.deepEqual(result.failures!.map((x) => [x.layerDigest, x.failureCode]), [
      ['', 'MissingLayerDigest'], ['bad', 'InvalidLayerDigest'], [`sha512:${'a'.repeat(128)}`, 'InvalidLayerDigest'],
    ]);
    assert.ok(result.failures!.every((x) => x.failureReason));
  });

  test('a link whose blob is gone is UNAVAILABLE', async () => {
    await transact(store, async (tx) => linkBlob(tx, scope, 'web', LAYER_DIGEST, LAYER.length, bed.clock.now()));
    assert.deepEqual((await check([LAYER_DIGEST])).layers, [{ layerDigest: LAYER_DIGEST, layerAvailability: 'UNAVAILABLE' }]);
  });

  test('validates the list and the repository', async () => {
    await rejects('BatchCheckLayerAvailability', {}, 'InvalidParameterException', /^Invalid parameter at 'layerDigests' failed to satisfy constraint: 'Member must not be null'$/);
    await rejects('BatchCheckLayerAvailability', { layerDigests: Array.from({ length: 101 }, (_, i) => digestOf(String(i))) },
      'InvalidParameterException', /length less than or equal to 100/);
    await rejects('BatchCheckLayerAvailability', { repositoryName: 'nope', layerDigests: [LAYER_DIGEST] }, 'RepositoryNotFoundException', /nope/);
  });
});

describe('GetDownloadUrlForLayer', () => {
  test("gives the registry's blob URL for a layer of the repository", async () => {
    const id = await initiate();
    await part(id, 0, LAYER);
    await complete(id, LAYER_DIGEST);
    assert.deepEqual(await call<GetDownloadUrlForLayerResponse>('GetDownloadUrlForLayer', { repositoryName: 'web', layerDigest: LAYER_DIGEST }), {
      downloadUrl: `http://${REGISTRY_HOST}/v2/web/blobs/${LAYER_DIGEST}`, layerDigest: LAYER_DIGEST,
    });
    await rejects('GetDownloadUrlForLayer', { repositoryName: 'other', layerDigest: LAYER_DIGEST }, 'LayersNotFoundException',
      /digest '.*' does not exist in the repository with name 'other'/);
  });

  test('refuses unknown, inaccessible and malformed layers', async () => {
    await rejects('GetDownloadUrlForLayer', { layerDigest: LAYER_DIGEST }, 'LayersNotFoundException', /does not exist/);
    await rejects('GetDownloadUrlForLayer', { layerDigest: `sha512:${'a'.repeat(128)}` }, 'LayersNotFoundException', /does not exist/);
    await rejects('GetDownloadUrlForLayer', { layerDigest: 'bad' }, 'InvalidParameterException', /'layerDigest' failed to satisfy constraint/);
    await rejects('GetDownloadUrlForLayer', {}, 'InvalidParameterException', /^Invalid parameter at 'layerDigest' failed to satisfy constraint: 'Member must not be null'$/);
    await transact(store, async (tx) => linkBlob(tx, scope, 'web', LAYER_DIGEST, LAYER.length, bed.clock.now()));
    await rejects('GetDownloadUrlForLayer', { layerDigest: LAYER_DIGEST }, 'LayerInaccessibleException', /not available/);
  });
});

test('without a blob store, every layer action answers ServerException', async () => {
  delete bed.deps.blobs;
  const blob = Buffer.from('abc').toString('base64');
  const id = '7b0b7c2e-0000-4000-8000-000000000000';
  for (const [action, input] of [
    ['InitiateLayerUpload', {}],
    ['UploadLayerPart', { uploadId: id, partFirstByte: 0, partLastByte: 2, layerPartBlob: blob }],
    ['CompleteLayerUpload', { uploadId: id, layerDigests: [LAYER_DIGEST] }],
    ['BatchCheckLayerAvailability', { layerDigests: [LAYER_DIGEST] }],
    ['GetDownloadUrlForLayer', { layerDigest: LAYER_DIGEST }],
  ] as const) {
    await rejects(action, input, 'ServerException', /no registry blob store/);
  }
});
