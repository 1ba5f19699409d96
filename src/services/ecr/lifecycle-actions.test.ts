import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { ManualClock } from '../../common/index.ts';
import { DAY_MS, lifecycleKeys, registryKeys, type LifecycleEvaluationRecord, type RepositoryRecord } from '../../registry/index.ts';
import { getDoc, type Store } from '../../state/index.ts';
import { lifecycleOperations } from './lifecycle-actions.ts';
import { repositoryOperations } from './repositories.ts';
import { ctx, expectRejected, ecrTestbed, imageRecord, scope, seedImage, type Actions } from './testing.ts';

let store: Store;
let clock: ManualClock;
let api: Actions;

beforeEach(async () => {
  const bed = ecrTestbed();
  ({ store, clock } = bed);
  api = { ...bed.api(repositoryOperations), ...bed.api(lifecycleOperations) };
  await api.CreateRepository({ repositoryName: 'web' }, ctx);
});
afterEach(() => store.close());

type Json = Record<string, unknown>;
const call = (action: string, input: Json) => api[action](input, ctx) as Promise<Json>;
const rejects = (action: string, input: Json, code: string, message: RegExp) => expectRejected(store, () => api[action](input, ctx), code, message);

const policy = (rules: Json[]) => JSON.stringify({ rules }, null, 2);
const expire = { type: 'expire' };
/** Keep the 2 newest images tagged `v`; expire untagged images older than 7 days. */
const POLICY = policy([
  { rulePriority: 1, description: 'untagged', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: expire },
  { rulePriority: 2, description: 'releases', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 2 }, action: expire },
]);

/** Seeds images in `web`: v1..v4 a day apart (v1 oldest), and two untagged ones, 10 and 1 days old. */
async function seedImages(): Promise<Record<string, string>> {
  const now = clock.now();
  const digests: Record<string, string> = {};
  for (const [i, tag] of ['v1', 'v2', 'v3', 'v4'].entries()) {
    const image = imageRecord('web', tag, [tag], now - (4 - i) * DAY_MS);
    await seedImage(store, image);
    digests[tag] = image.digest;
  }
  for (const [seed, days] of [['old', 10], ['new', 1]] as const) {
    const image = imageRecord('web', seed, [], now - days * DAY_MS);
    await seedImage(store, image);
    digests[seed] = image.digest;
  }
  return digests;
}

describe('lifecycle policies', () => {
  test('are put, read back as given, replaced and deleted', async () => {
    assert.deepEqual(await call('PutLifecyclePolicy', { repositoryName: 'web', lifecyclePolicyText: POLICY }),
      { registryId: '123456789012', repositoryName: 'web', lifecyclePolicyText: POLICY });
    const stored = (await getDoc<RepositoryRecord>(store, registryKeys.repository(scope, 'web')))!.value;
    assert.equal(stored.lifecyclePolicyText, POLICY);
    assert.equal(stored.lifecyclePolicyUpdatedAt, clock.now());
    assert.deepEqual(await call('GetLifecyclePolicy', { repositoryName: 'web' }),
      { registryId: '123456789012', repositoryName: 'web', lifecyclePolicyText: POLICY, lastEvaluatedAt: undefined });

    const other = policy([{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 }, action: expire }]);
    await call('PutLifecyclePolicy', { repositoryName: 'web', lifecyclePolicyText: other });
    assert.equal((await call('GetLifecyclePolicy', { repositoryName: 'web' })).lifecyclePolicyText, other);
    assert.deepEqual(await call('DeleteLifecyclePolicy', { repositoryName: 'web' }),
      { registryId: '123456789012', repositoryName: 'web', lifecyclePolicyText: other, lastEvaluatedAt: undefined });
    const after = (await getDoc<RepositoryRecord>(store, registryKeys.repository(scope, 'web')))!.value;
    assert.equal(after.lifecyclePolicyText, undefined);
    assert.equal(after.lifecyclePolicyUpdatedAt, undefined);
  });

  test('report lastEvaluatedAt once the controller has applied the current policy', async () => {
    await call('PutLifecyclePolicy', { repositoryName: 'web', lifecyclePolicyText: POLICY });
    const created = (await getDoc<RepositoryRecord>(store, registryKeys.repository(scope, 'web')))!.value.createdAt;
    clock.advance(1000);
    const evaluated: LifecycleEvaluationRecord = { repositoryCreatedAt: created, lastEvaluatedAt: clock.now() };
    await store.txn([], [{ type: 'put', key: lifecycleKeys.evaluation(scope, 'web'), value: JSON.stringify(evaluated) }]);
    assert.deepEqual((await call('GetLifecyclePolicy', { repositoryName: 'web' })).lastEvaluatedAt, new Date(clock.now()));
    // A policy put after that run has not been evaluated yet.
    clock.advance(1000);
    await call('PutLifecyclePolicy', { repositoryName: 'web', lifecyclePolicyText: policy([
      { rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 }, action: expire },
    ]) });
    assert.equal((await call('GetLifecyclePolicy', { repositoryName: 'web' })).lastEvaluatedAt, undefined);
  });

  test('are validated by the lifecycle policy parser, writing nothing when refused', async () => {
    await rejects('PutLifecyclePolicy', { repositoryName: 'web' }, 'InvalidParameterException', /^Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: 'Member must not be null'$/);
    await rejects('PutLifecyclePolicy', { repositoryName: 'web', lifecyclePolicyText: '{"rules":[]}' }, 'InvalidParameterException',
      /^Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: 'Member must have length greater than or equal to 100'$/);
    await rejects('PutLifecyclePolicy', { repositoryName: 'web', lifecyclePolicyText: policy([
      { rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: expire },
      { rulePriority: 2, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: expire },
    ]) }, 'InvalidParameterException', /Rule for tagStatus=ANY must have the lowest priority per storage class/);
    await rejects('PutLifecyclePolicy', { repositoryName: 'web', lifecyclePolicyText: policy([
      { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 3 }, action: expire },
    ]) }, 'InvalidParameterException', /^Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: .*countUnit is required/);
    await rejects('StartLifecyclePolicyPreview', { repositoryName: 'web', lifecyclePolicyText: `{"rules": "x", "pad": "${'x'.repeat(100)}"}` },
      'InvalidParameterException', /Lifecycle policy validation failure/);
  });

  test('answer LifecyclePolicyNotFoundException and RepositoryNotFoundException', async () => {
    const none = /^Lifecycle policy does not exist for the repository with name 'web' in the registry with id '123456789012'$/;
    await rejects('GetLifecyclePolicy', { repositoryName: 'web' }, 'LifecyclePolicyNotFoundException', none);
    await rejects('DeleteLifecyclePolicy', { repositoryName: 'web' }, 'LifecyclePolicyNotFoundException', none);
    await rejects('StartLifecyclePolicyPreview', { repositoryName: 'web' }, 'LifecyclePolicyNotFoundException', none);
    const missing = /^The repository with name 'nope' does not exist in the registry with id '123456789012'$/;
    for (const action of ['GetLifecyclePolicy', 'DeleteLifecyclePolicy', 'StartLifecyclePolicyPreview', 'GetLifecyclePolicyPreview']) {
      await rejects(action, { repositoryName: 'nope' }, 'RepositoryNotFoundException', missing);
    }
    await rejects('PutLifecyclePolicy', { repositoryName: 'nope', lifecyclePolicyText: POLICY }, 'RepositoryNotFoundException', missing);
    await rejects('GetLifecyclePolicyPreview', { repositoryName: 'web' }, 'LifecyclePolicyPreviewNotFoundException', /^There is no dry run for this repository\.$/);
  });
});

describe('lifecycle policy previews', () => {
  test('evaluate the stored policy now and show what it expires, COMPLETE', async () => {
    const d = await seedImages();
    await call('PutLifecyclePolicy', { repositoryName: 'web', lifecyclePolicyText: POLICY });
    assert.deepEqual(await call('StartLifecyclePolicyPreview', { repositoryName: 'web' }),
      { registryId: '123456789012', repositoryName: 'web', lifecyclePolicyText: POLICY, status: 'COMPLETE' });
    const preview = await call('GetLifecyclePolicyPreview', { repositoryName: 'web' });
    assert.equal(preview.status, 'COMPLETE');
    assert.equal(preview.lifecyclePolicyText, POLICY);
    assert.deepEqual(preview.summary, { expiringImageTotalCount: 3 });
    assert.equal(preview.nextToken, undefined);
    assert.deepEqual(preview.previewResults, [
      { imageDigest: d.old, imageTags: undefined, imagePushedAt: new Date(clock.now() - 10 * DAY_MS), action: { type: 'EXPIRE' }, appliedRulePriority: 1, storageClass: 'STANDARD' },
      { imageDigest: d.v1, imageTags: ['v1'], imagePushedAt: new Date(clock.now() - 4 * DAY_MS), action: { type: 'EXPIRE' }, appliedRulePriority: 2, storageClass: 'STANDARD' },
      { imageDigest: d.v2, imageTags: ['v2'], imagePushedAt: new Date(clock.now() - 3 * DAY_MS), action: { type: 'EXPIRE' }, appliedRulePriority: 2, storageClass: 'STANDARD' },
    ]);
  });

  test('evaluate a given policy text instead of the stored one, and need neither stored', async () => {
    const d = await seedImages();
    const keepOne = policy([{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 }, action: expire }]);
    await call('StartLifecyclePolicyPreview', { repositoryName: 'web', lifecyclePolicyText: keepOne });
    const preview = await call('GetLifecyclePolicyPreview', { repositoryName: 'web' });
    assert.equal(preview.lifecyclePolicyText, keepOne);
    assert.deepEqual((preview.previewResults as Json[]).map((r) => r.imageDigest), [d.old]);
    await rejects('GetLifecyclePolicy', { repositoryName: 'web' }, 'LifecyclePolicyNotFoundException', /does not exist/);
  });

  test('page with maxResults and nextToken, and filter by tag status and imageIds', async () => {
    const d = await seedImages();
    await call('PutLifecyclePolicy', { repositoryName: 'web', lifecyclePolicyText: POLICY });
    await call('StartLifecyclePolicyPreview', { repositoryName: 'web' });
    const digests = (p: Json) => (p.previewResults as Json[]).map((r) => r.imageDigest);

    const first = await call('GetLifecyclePolicyPreview', { repositoryName: 'web', maxResults: 2 });
    assert.deepEqual(digests(first), [d.old, d.v1]);
    assert.equal(typeof first.nextToken, 'string');
    const second = await call('GetLifecyclePolicyPreview', { repositoryName: 'web', maxResults: 2, nextToken: first.nextToken });
    assert.deepEqual(digests(second), [d.v2]);
    assert.equal(second.nextToken, undefined);

    assert.deepEqual(digests(await call('GetLifecyclePolicyPreview', { repositoryName: 'web', filter: { tagStatus: 'TAGGED' } })), [d.v1, d.v2]);
    assert.deepEqual(digests(await call('GetLifecyclePolicyPreview', { repositoryName: 'web', filter: { tagStatus: 'UNTAGGED' } })), [d.old]);
    const named = await call('GetLifecyclePolicyPreview', { repositoryName: 'web', imageIds: [{ imageTag: 'v2' }, { imageDigest: d.old }, { imageTag: 'v4' }] });
    assert.deepEqual(digests(named), [d.old, d.v2]);
    assert.deepEqual(named.summary, { expiringImageTotalCount: 3 }, 'the summary counts the whole preview');

    await rejects('GetLifecyclePolicyPreview', { repositoryName: 'web', imageIds: [{ imageTag: 'v2' }], maxResults: 1 }, 'InvalidParameterException',
      /^nextToken and maxResults cannot be used when imageIds are specified\.$/);
    await rejects('GetLifecyclePolicyPreview', { repositoryName: 'web', maxResults: 101 }, 'InvalidParameterException',
      /^Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 100'$/);
    await rejects('GetLifecyclePolicyPreview', { repositoryName: 'web', filter: { tagStatus: 'SOME' } }, 'InvalidParameterException', /filter\.tagStatus/);
    await rejects('GetLifecyclePolicyPreview', { repositoryName: 'web', nextToken: 'garbage' }, 'InvalidParameterException', /nextToken/);
  });

  test('of a deleted repository are not shown for a new one of the same name', async () => {
    await call('PutLifecyclePolicy', { repositoryName: 'web', lifecyclePolicyText: POLICY });
    await call('StartLifecyclePolicyPreview', { repositoryName: 'web' });
    await call('DeleteRepository', { repositoryName: 'web' });
    clock.advance(1000);
    await call('CreateRepository', { repositoryName: 'web' });
    await rejects('GetLifecyclePolicyPreview', { repositoryName: 'web' }, 'LifecyclePolicyPreviewNotFoundException', /no dry run/);
    await rejects('GetLifecyclePolicy', { repositoryName: 'web' }, 'LifecyclePolicyNotFoundException', /does not exist/);
  });
});
