import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { BatchGetImageResponse, DescribeImagesResponse, ImageIdentifier, ListImagesResponse } from '@aws-sdk/client-ecr';
import type { ImageRecord } from '../../registry/index.ts';
import type { Store } from '../../state/index.ts';
import { imageOperations } from './images.ts';
import { repositoryOperations } from './repositories.ts';
import { ctx, digestOf, ecrTestbed, expectRejected, imageRecord, manifestFor, seedImage, type Actions } from './testing.ts';

let store: Store;
let api: Actions;
let t0: number;
/** Tagged latest and v1. */
let a: ImageRecord;
/** Tagged v2, pulled once. */
let b: ImageRecord;
/** An untagged OCI index. */
let c: ImageRecord;
/** In web/api, tagged latest: must never show in web. */
let other: ImageRecord;

const INDEX = 'application/vnd.oci.image.index.v1+json';
const V2 = 'application/vnd.docker.distribution.manifest.v2+json';

beforeEach(async () => {
  const bed = ecrTestbed();
  store = bed.store;
  t0 = bed.clock.now();
  api = { ...bed.api(repositoryOperations), ...bed.api(imageOperations) };
  await api.CreateRepository({ repositoryName: 'web' }, ctx);
  await api.CreateRepository({ repositoryName: 'web/api' }, ctx);
  a = imageRecord('web', 'a', ['latest', 'v1'], t0);
  b = imageRecord('web', 'b', ['v2'], t0 + 1000, { lastRecordedPullTime: t0 + 5000 });
  const index = JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [{ mediaType: V2, digest: a.digest, size: 10 }] });
  c = {
    ...imageRecord('web', 'c', [], t0 + 2000), digest: digestOf(index), mediaType: INDEX, manifestBase64: Buffer.from(index).toString('base64'),
    artifactType: undefined, children: [a.digest], blobs: [], sizeInBytes: 1100,
  };
  other = imageRecord('web/api', 'other', ['latest'], t0);
  for (const image of [a, b, c, other]) await seedImage(store, image);
});
afterEach(() => store.close());

const call = async <T>(action: string, input: Record<string, unknown>) => (await api[action](input, ctx)) as T;
const listImages = (input: Record<string, unknown>) => call<ListImagesResponse>('ListImages', { repositoryName: 'web', ...input });
const describeImages = (input: Record<string, unknown>) => call<DescribeImagesResponse>('DescribeImages', { repositoryName: 'web', ...input });
const batchGet = (input: Record<string, unknown>) => call<BatchGetImageResponse>('BatchGetImage', { repositoryName: 'web', ...input });
const rejects = (action: string, input: Record<string, unknown>, code: string, message: RegExp) =>
  expectRejected(store, () => api[action]({ repositoryName: 'web', ...input }, ctx), code, message);

const keyOf = (id: ImageIdentifier) => `${id.imageDigest}/${id.imageTag ?? ''}`;
const byKey = (ids: ImageIdentifier[]) => [...ids].sort((x, y) => (keyOf(x) < keyOf(y) ? -1 : keyOf(x) > keyOf(y) ? 1 : 0));
const tagged = () => byKey([
  { imageDigest: a.digest, imageTag: 'latest' }, { imageDigest: a.digest, imageTag: 'v1' }, { imageDigest: b.digest, imageTag: 'v2' },
]);
const ABSENT = `sha256:${'0'.repeat(64)}`;

describe('ListImages', () => {
  test('lists one id per tag and one per untagged image, filtered by tag status', async () => {
    assert.deepEqual((await listImages({})).imageIds, byKey([...tagged(), { imageDigest: c.digest }]));
    assert.deepEqual((await listImages({ filter: { tagStatus: 'ANY' } })).imageIds!.length, 4);
    assert.deepEqual((await listImages({ filter: { tagStatus: 'TAGGED' } })).imageIds, tagged());
    assert.deepEqual((await listImages({ filter: { tagStatus: 'UNTAGGED' } })).imageIds, [{ imageDigest: c.digest }]);
    assert.deepEqual((await listImages({ filter: { imageStatus: 'ARCHIVED' } })).imageIds, [], 'nothing is archived');
    assert.deepEqual((await call<ListImagesResponse>('ListImages', { repositoryName: 'web/api' })).imageIds,
      [{ imageDigest: other.digest, imageTag: 'latest' }]);
  });

  test('pages with maxResults and nextToken', async () => {
    const first = await listImages({ maxResults: 3 });
    assert.equal(first.imageIds!.length, 3);
    assert.ok(first.nextToken);
    const second = await listImages({ maxResults: 3, nextToken: first.nextToken });
    assert.equal(second.nextToken, undefined);
    assert.deepEqual([...first.imageIds!, ...second.imageIds!], byKey([...tagged(), { imageDigest: c.digest }]));
  });

  test('validates its input and the repository', async () => {
    await rejects('ListImages', { repositoryName: 'nope' }, 'RepositoryNotFoundException',
      /^The repository with name 'nope' does not exist in the registry with id '123456789012'$/);
    await rejects('ListImages', { filter: { tagStatus: 'SOME' } }, 'InvalidParameterException',
      /^Invalid parameter at 'filter\.tagStatus' failed to satisfy constraint: 'Member must satisfy enum value set: \[TAGGED, UNTAGGED, ANY\]'$/);
    await rejects('ListImages', { maxResults: 1001 }, 'InvalidParameterException', /^Invalid parameter at 'maxResults' failed to satisfy constraint/);
    await rejects('ListImages', { nextToken: '%%%' }, 'InvalidParameterException', /^Invalid nextToken\.$/);
    await rejects('ListImages', { registryId: '999999999999' }, 'RepositoryNotFoundException', /registry with id '999999999999'$/);
  });
});

describe('DescribeImages', () => {
  test('describes every image with its tags, size, push and pull times and media types', async () => {
    const { imageDetails, nextToken } = await describeImages({});
    assert.equal(nextToken, undefined);
    assert.deepEqual(imageDetails!.map((d) => d.imageDigest), [a.digest, b.digest, c.digest].sort());
    const detailA = imageDetails!.find((d) => d.imageDigest === a.digest);
    assert.deepEqual(detailA, {
      registryId: '123456789012', repositoryName: 'web', imageDigest: a.digest, imageTags: ['latest', 'v1'], imageSizeInBytes: 1100,
      imagePushedAt: new Date(t0), imageManifestMediaType: V2, artifactMediaType: 'application/vnd.docker.container.image.v1+json',
      lastRecordedPullTime: undefined, subjectManifestDigest: undefined, imageStatus: 'ACTIVE',
    });
    assert.deepEqual(imageDetails!.find((d) => d.imageDigest === b.digest)!.lastRecordedPullTime, new Date(t0 + 5000));
    const detailC = imageDetails!.find((d) => d.imageDigest === c.digest)!;
    assert.equal(detailC.imageTags, undefined, 'an untagged image has no imageTags');
    assert.equal(detailC.imageManifestMediaType, INDEX);
    assert.equal(detailC.artifactMediaType, undefined);
  });

  test('filters by tag status and pages', async () => {
    assert.deepEqual((await describeImages({ filter: { tagStatus: 'UNTAGGED' } })).imageDetails!.map((d) => d.imageDigest), [c.digest]);
    assert.deepEqual((await describeImages({ filter: { tagStatus: 'TAGGED' } })).imageDetails!.map((d) => d.imageDigest), [a.digest, b.digest].sort());
    const first = await describeImages({ maxResults: 2 });
    const second = await describeImages({ maxResults: 2, nextToken: first.nextToken });
    assert.deepEqual([...first.imageDetails!, ...second.imageDetails!].map((d) => d.imageDigest), [a.digest, b.digest, c.digest].sort());
    assert.equal(second.nextToken, undefined);
  });

  test('describes the images named by tag or digest, each once', async () => {
    const r = await describeImages({ imageIds: [{ imageTag: 'v1' }, { imageDigest: c.digest }, { imageTag: 'latest', imageDigest: a.digest }] });
    assert.deepEqual(r.imageDetails!.map((d) => [d.imageDigest, d.imageTags]), [[a.digest, ['latest', 'v1']], [c.digest, undefined]]);
  });

  test("fails with ECR's ImageNotFoundException when a named image is missing", async () => {
    await rejects('DescribeImages', { imageIds: [{ imageTag: 'v1' }, { imageTag: 'gone' }] }, 'ImageNotFoundException',
      /^The image with imageId \{imageDigest:'null', imageTag:'gone'\} does not exist within the repository with name 'web' in the registry with id '123456789012'$/);
    await rejects('DescribeImages', { imageIds: [{ imageDigest: ABSENT }] }, 'ImageNotFoundException',
      new RegExp(`^The image with imageId \\{imageDigest:'${ABSENT}', imageTag:'null'\\} does not exist`));
    await rejects('DescribeImages', { imageIds: [{ imageDigest: b.digest, imageTag: 'v1' }] }, 'ImageNotFoundException', /imageTag:'v1'/);
    await rejects('DescribeImages', { repositoryName: 'web/api', imageIds: [{ imageTag: 'v1' }] }, 'ImageNotFoundException',
      /within the repository with name 'web\/api'/);
  });

  test('validates its input and the repository', async () => {
    await rejects('DescribeImages', { repositoryName: 'nope' }, 'RepositoryNotFoundException', /^The repository with name 'nope' does not exist/);
    await rejects('DescribeImages', { imageIds: [] }, 'InvalidParameterException',
      /^Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length greater than or equal to 1'$/);
    await rejects('DescribeImages', { imageIds: Array.from({ length: 101 }, () => ({ imageTag: 'v1' })) }, 'InvalidParameterException',
      /^Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length less than or equal to 100'$/);
    await rejects('DescribeImages', { imageIds: [{}] }, 'InvalidParameterException',
      /^Invalid parameter at 'imageIds\[0\]' failed to satisfy constraint: 'both tag and digest cannot be null'$/);
    await rejects('DescribeImages', { imageIds: [{ imageDigest: 'abc' }] }, 'InvalidParameterException',
      /^Invalid parameter at 'imageIds\[0\]\.imageDigest' failed to satisfy constraint: 'must satisfy regular expression/);
    await rejects('DescribeImages', { imageIds: [{ imageTag: '' }] }, 'InvalidParameterException',
      /^Invalid parameter at 'imageIds\[0\]\.imageTag' failed to satisfy constraint: 'Member must have length greater than or equal to 1'$/);
    await rejects('DescribeImages', { imageIds: [{ imageTag: 'v1' }], maxResults: 5 }, 'InvalidParameterException',
      /^nextToken and maxResults cannot be used when imageIds are specified\.$/);
    await rejects('DescribeImages', { filter: { imageStatus: 'GONE' } }, 'InvalidParameterException',
      /^Invalid parameter at 'filter\.imageStatus' failed to satisfy constraint: 'Member must satisfy enum value set: /);
  });
});

describe('BatchGetImage', () => {
  test('returns the stored manifest by tag, with the tag and digest', async () => {
    const r = await batchGet({ imageIds: [{ imageTag: 'v2' }] });
    assert.deepEqual(r, {
      images: [{
        registryId: '123456789012', repositoryName: 'web', imageId: { imageDigest: b.digest, imageTag: 'v2' },
        imageManifest: manifestFor('b'), imageManifestMediaType: V2,
      }],
      failures: [],
    });
  });

  test('by digest, returns the image once per tag it has; untagged, once without a tag', async () => {
    const r = await batchGet({ imageIds: [{ imageDigest: a.digest }, { imageDigest: c.digest }] });
    assert.deepEqual(r.images!.map((i) => i.imageId), [
      { imageDigest: a.digest, imageTag: 'latest' }, { imageDigest: a.digest, imageTag: 'v1' }, { imageDigest: c.digest },
    ]);
    assert.equal(r.images![2].imageManifestMediaType, INDEX);
    assert.equal(JSON.parse(r.images![2].imageManifest!).manifests[0].digest, a.digest);
  });

  test('returns each image once however often it is named', async () => {
    const r = await batchGet({ imageIds: [{ imageTag: 'v2' }, { imageTag: 'v2', imageDigest: b.digest }, { imageDigest: b.digest }] });
    assert.deepEqual(r.images!.map((i) => i.imageId), [{ imageDigest: b.digest, imageTag: 'v2' }]);
    assert.deepEqual(r.failures, []);
  });

  test("reports what it cannot return as failures, with ECR's codes and reasons", async () => {
    const r = await batchGet({
      imageIds: [
        { imageTag: 'gone' }, { imageDigest: ABSENT }, {}, { imageDigest: 'not-a-digest' }, { imageTag: 'v2', imageDigest: a.digest },
        { imageTag: 'gone', imageDigest: ABSENT }, { imageTag: 'bad tag!' }, { imageTag: 'v1' },
      ],
    });
    assert.deepEqual(r.images!.map((i) => i.imageId), [{ imageDigest: a.digest, imageTag: 'v1' }]);
    assert.deepEqual(r.failures, [
      { imageId: { imageTag: 'gone' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
      { imageId: { imageDigest: ABSENT }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
      { imageId: {}, failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request parameters: both tag and digest cannot be null' },
      {
        imageId: { imageDigest: 'not-a-digest' }, failureCode: 'InvalidImageDigest',
        failureReason: "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
      },
      {
        imageId: { imageDigest: a.digest, imageTag: 'v2' }, failureCode: 'ImageTagDoesNotMatchDigest',
        failureReason: 'Invalid request parameters: given tag does not map to the given digest',
      },
      { imageId: { imageDigest: ABSENT, imageTag: 'gone' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
      {
        imageId: { imageTag: 'bad tag!' }, failureCode: 'InvalidImageTag',
        failureReason: "Invalid request parameters: image tag should satisfy the regex '[a-zA-Z0-9_][a-zA-Z0-9._-]{0,299}'",
      },
    ]);
  });

  test('returns only manifests of an accepted media type', async () => {
    const ok = await batchGet({ imageIds: [{ imageTag: 'v2' }], acceptedMediaTypes: [V2, 'application/vnd.oci.image.manifest.v1+json'] });
    assert.equal(ok.images!.length, 1);
    const refused = await batchGet({ imageIds: [{ imageDigest: c.digest }, { imageTag: 'v2' }], acceptedMediaTypes: [V2] });
    assert.deepEqual(refused.images!.map((i) => i.imageId), [{ imageDigest: b.digest, imageTag: 'v2' }]);
    assert.equal(refused.failures!.length, 1);
    assert.equal(refused.failures![0].failureCode, 'ImageNotFound');
    assert.match(refused.failures![0].failureReason!, /^Requested image not found: its manifest media type application\/vnd\.oci\.image\.index\.v1\+json/);
  });

  test('validates its input and the repository', async () => {
    await rejects('BatchGetImage', { imageIds: [{ imageTag: 'v1' }], repositoryName: 'nope' }, 'RepositoryNotFoundException',
      /^The repository with name 'nope' does not exist in the registry with id '123456789012'$/);
    await rejects('BatchGetImage', {}, 'InvalidParameterException', /^Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must not be null'$/);
    await rejects('BatchGetImage', { imageIds: [] }, 'InvalidParameterException',
      /^Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length greater than or equal to 1'$/);
    await rejects('BatchGetImage', { imageIds: [{ imageTag: 'v1' }], acceptedMediaTypes: [] }, 'InvalidParameterException',
      /^Invalid parameter at 'acceptedMediaTypes' failed to satisfy constraint: 'Member must have length greater than or equal to 1'$/);
    await rejects('BatchGetImage', { imageIds: [{ imageTag: 'x'.repeat(301) }] }, 'InvalidParameterException',
      /^Invalid parameter at 'imageIds\[0\]\.imageTag' failed to satisfy constraint: 'Member must have length less than or equal to 300'$/);
    await rejects('BatchGetImage', { imageIds: [{ imageTag: 5 }] }, 'SerializationException', /^imageIds\[0\]\.imageTag must be a string/);
  });
});
