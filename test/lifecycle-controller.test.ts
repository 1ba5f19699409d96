/**
 * The lifecycle controller (src/controllers/lifecycle) with the ECR actions over one in-memory
 * store: policies put through PutLifecyclePolicy, passes that delete what they expire, the
 * lastEvaluatedAt GetLifecyclePolicy reports, and a preview that matches the real run.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { ManualClock } from '../src/common/index.ts';
import { Readable } from 'node:stream';
import { tempDir } from './support/temp-dir.ts';
import {
  BlobStore, DAY_MS, DEFAULT_GC_GRACE_MS, MediaTypes, getManifest, linkBlob, putManifest, registryKeys, runRegistryMaintenance,
  sha256Digest, storeReader, type ImageRecord,
} from '../src/registry/index.ts';
import { transact, type Store } from '../src/state/index.ts';
import { ecrService } from '../src/services/ecr/index.ts';
import { ctx, ecrTestbed, imageRecord, keysUnder, scope, seedImage, type Actions } from '../src/services/ecr/testing.ts';
import { LifecycleController } from '../src/controllers/index.ts';

let store: Store;
let clock: ManualClock;
let api: Actions;
let controller: LifecycleController;

beforeEach(async () => {
  const bed = ecrTestbed();
  ({ store, clock } = bed);
  api = bed.api((deps) => ecrService(deps).operations);
  controller = new LifecycleController({ store, clock });
  await api.CreateRepository({ repositoryName: 'web' }, ctx);
});
afterEach(async () => {
  await controller.close();
  store.close();
});

type Json = Record<string, unknown>;
const call = (action: string, input: Json) => api[action](input, ctx) as Promise<Json>;
const expire = { type: 'expire' };
const putPolicy = (repositoryName: string, rules: Json[]) =>
  call('PutLifecyclePolicy', { repositoryName, lifecyclePolicyText: JSON.stringify({ rules }, null, 2) });

/** Seeds an image of `repository` pushed `daysAgo` days before the clock's now; returns it. */
async function push(repository: string, seed: string, tags: string[], daysAgo: number, over: Partial<ImageRecord> = {}): Promise<ImageRecord> {
  const image = imageRecord(repository, seed, tags, clock.now() - daysAgo * DAY_MS, over);
  await seedImage(store, image);
  return image;
}

/** The digests of a repository's images, in key order. */
const imagesLeft = async (repository: string) =>
  (await keysUnder(store, registryKeys.images(scope, repository))).map((key) => key.slice(registryKeys.images(scope, repository).length));

const pullable = async (reference: string) => getManifest(storeReader(store), scope, 'web', reference).then(() => true, () => false);
const deletedDigests = async () => (await controller.runOnce()).deleted.map((d) => d.imageDigest);

describe('the lifecycle controller', () => {
  test('a sinceImagePushed rule expires nothing before its day count, then the images that passed it', async () => {
    await putPolicy('web', [{
      rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['build'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: expire,
    }]);
    const old = await push('web', 'old', ['build-1'], 5);
    const mid = await push('web', 'mid', ['build-2'], 3);
    const fresh = await push('web', 'fresh', ['build-3'], 1);
    const release = await push('web', 'release', ['v1'], 30);

    assert.deepEqual(await deletedDigests(), []);
    clock.advance(2 * DAY_MS); // old is 7 days old: not *more* than 7 days
    assert.deepEqual(await deletedDigests(), []);
    clock.advance(1); // now it is
    assert.deepEqual(await deletedDigests(), [old.digest]);
    assert.equal(await pullable('build-1'), false, 'an expired image is gone from pulls, by tag');
    assert.equal(await pullable(old.digest), false, 'and by digest');
    assert.equal(await pullable('build-2'), true);

    clock.advance(2 * DAY_MS);
    assert.deepEqual(await deletedDigests(), [mid.digest]);
    assert.deepEqual((await imagesLeft('web')).sort(), [fresh.digest, release.digest].sort(), 'an image the rule does not select stays, however old');
    assert.deepEqual(await keysUnder(store, registryKeys.tags(scope, 'web')), [registryKeys.tag(scope, 'web', 'build-3'), registryKeys.tag(scope, 'web', 'v1')]);
  });

  test('an imageCountMoreThan rule keeps the newest N; a second run deletes nothing more', async () => {
    await putPolicy('web', [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: expire }]);
    const images = [];
    for (let i = 0; i < 5; i++) images.push(await push('web', `img-${i}`, i % 2 ? [`t${i}`] : [], 10 - i)); // img-4 newest
    const first = await controller.runOnce();
    assert.equal(first.repositories, 1);
    assert.deepEqual(first.deleted.map((d) => d.imageDigest), [images[0].digest, images[1].digest, images[2].digest], 'oldest first');
    assert.deepEqual((await imagesLeft('web')).sort(), [images[3].digest, images[4].digest].sort());

    const revision = await store.revision();
    assert.deepEqual(await deletedDigests(), []);
    assert.deepEqual((await imagesLeft('web')).sort(), [images[3].digest, images[4].digest].sort());
    assert.equal(await store.revision(), revision + 1, 'only lastEvaluatedAt was written again');
  });

  test('repositories without a policy are left alone, and lastEvaluatedAt records each run', async () => {
    await call('CreateRepository', { repositoryName: 'team/api' });
    const untouched = await push('team/api', 'a', [], 400);
    await putPolicy('web', [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: expire }]);
    clock.advance(1000);
    const result = await controller.runOnce();
    assert.equal(result.repositories, 1);
    assert.deepEqual(await imagesLeft('team/api'), [untouched.digest]);
    assert.deepEqual((await call('GetLifecyclePolicy', { repositoryName: 'web' })).lastEvaluatedAt, new Date(clock.now()));
  });

  test('the preview matches the real run: same images, same rules, same order (an index before its children)', async () => {
    const child1 = await push('web', 'arm64', [], 20);
    const child2 = await push('web', 'amd64', [], 20);
    const index = await push('web', 'multi', ['multi'], 19, { mediaType: 'application/vnd.oci.image.index.v1+json', children: [child1.digest, child2.digest] });
    const keptChild = await push('web', 'kept-arm64', [], 15);
    await push('web', 'kept-multi', ['v2'], 14, { mediaType: 'application/vnd.oci.image.index.v1+json', children: [keptChild.digest] });
    const devOld = await push('web', 'dev-old', ['dev-1'], 9);
    await push('web', 'dev-new', ['dev-2'], 2);
    await push('web', 'untagged-old', [], 8);
    await putPolicy('web', [
      { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['dev'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 5 }, action: expire },
      { rulePriority: 2, selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 }, action: expire },
      { rulePriority: 3, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 3 }, action: expire },
    ]);

    await call('StartLifecyclePolicyPreview', { repositoryName: 'web' });
    const preview = await call('GetLifecyclePolicyPreview', { repositoryName: 'web' });
    const previewed = (preview.previewResults as Json[]).map((r) => [r.imageDigest, r.appliedRulePriority]);
    assert.deepEqual(previewed.slice(0, 2), [[devOld.digest, 1], [index.digest, 3]], 'indexes before children, then by rule priority');
    assert.deepEqual(previewed.slice(2).sort(), [[child1.digest, 3], [child2.digest, 3]].sort(), 'the children of an expired index go after it');
    assert.ok(!previewed.some(([d]) => d === keptChild.digest), 'a child of a kept index is kept');

    const run = await controller.runOnce();
    assert.deepEqual(run.deleted.map((d) => [d.imageDigest, d.appliedRulePriority]), previewed);
    for (const [digest] of previewed) assert.equal(await pullable(digest as string), false);
    assert.equal(await pullable('v2'), true);
    assert.equal(await pullable(keptChild.digest), true);
  });

  test('start() runs a pass at once and close() waits for it', async () => {
    await putPolicy('web', [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: expire }]);
    await push('web', 'a', [], 2);
    const kept = await push('web', 'b', [], 1);
    controller.start();
    await controller.close();
    assert.deepEqual(await imagesLeft('web'), [kept.digest]);
  });
});

describe('an image a rule expires', () => {
  test('is gone from pulls at once and, once unreferenced past the grace period, from disk', async () => {
    const blobs = await BlobStore.open({ root: tempDir('wharf-lifecycle-'), clock });
    const blob = async (content: string) => {
      const digest = sha256Digest(Buffer.from(content));
      const info = await blobs.putBlob('o', digest, { body: Readable.from([Buffer.from(content)]) });
      await transact(store, async (tx) => linkBlob(tx, scope, 'web', digest, info.size, clock.now()));
      return digest;
    };
    const pushImage = async (tag: string) => {
      const config = await blob(`{"os":"linux","tag":"${tag}"}`);
      const layer = await blob(`layer of ${tag}`);
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: MediaTypes.ociManifest,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 1 },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: 1 }],
      }));
      await transact(store, (tx) => putManifest(tx, scope, 'web', manifest, MediaTypes.ociManifest, tag, { now: clock.now(), blobs }));
      return layer;
    };
    const oldLayer = await pushImage('old');
    clock.advance(DAY_MS);
    const newLayer = await pushImage('new');
    await putPolicy('web', [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: expire }]);

    await controller.runOnce();
    assert.equal(await pullable('old'), false, 'gone from pulls');
    assert.equal(await pullable('new'), true);
    assert.ok(await blobs.stat(oldLayer), 'blobs stay through the grace period');

    clock.advance(DEFAULT_GC_GRACE_MS + 1);
    await runRegistryMaintenance(store, blobs, clock.now());
    assert.equal(await blobs.stat(oldLayer), undefined, 'gone from disk');
    assert.ok(await blobs.stat(newLayer), 'the kept image keeps its layers');
  });
});
