/**
 * What IAM is asked before each ECR operation runs: the action, the resource (the repository's
 * ARN, `*` for the registry-wide operations) and the request's condition keys, as AWS's
 * "Actions, resources, and condition keys for Amazon ECR" lists them.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Authority, AuthorizationRequest } from '../../aws/index.ts';
import { registryArns } from '../../registry/index.ts';
import { ecrService } from './index.ts';
import { actionsOf, addBlobStore, ctx, ecrTestbed, expectRejected, scope, type Actions, type EcrTestbed } from './testing.ts';

let bed: EcrTestbed;
let asked: AuthorizationRequest[];
let refuse: (r: AuthorizationRequest) => boolean;
let api: Actions;
let removeBlobs: () => Promise<void>;

const recording: Authority = {
  findSigningKey: async () => ({ status: 'unknown' }),
  authorize: async (principal, request) => {
    asked.push(request);
    return refuse(request)
      ? { allowed: false, message: `User: ${principal.arn} is not authorized to perform: ${request.action} on resource: ${request.resource}` }
      : { allowed: true };
  },
};

beforeEach(async () => {
  bed = ecrTestbed();
  ({ remove: removeBlobs } = await addBlobStore(bed));
  asked = [];
  refuse = () => false;
  api = actionsOf(ecrService(bed.deps).operations, recording);
  await api.CreateRepository({ repositoryName: 'web' }, ctx);
  asked = [];
});
afterEach(async () => {
  await bed.store.close();
  await removeBlobs();
});

const WEB = registryArns.repository(scope, 'web');
const DIGEST = `sha256:${'a'.repeat(64)}`;

/** Calls an operation (its outcome does not matter here) and returns what IAM was asked. */
async function askedFor(operation: string, input: Record<string, unknown>): Promise<{ action: string; resource: string; conditions?: object }[]> {
  asked = [];
  await api[operation](input, ctx).catch(() => undefined);
  return asked.map(({ action, resource, conditions }) => ({ action, resource, ...(conditions && Object.keys(conditions).length ? { conditions } : {}) }));
}

describe('ECR authorization', () => {
  const onRepository: [string, Record<string, unknown>][] = [
    ['BatchCheckLayerAvailability', { layerDigests: [DIGEST] }],
    ['BatchDeleteImage', { imageIds: [{ imageTag: 'v1' }] }],
    ['BatchGetImage', { imageIds: [{ imageTag: 'v1' }] }],
    ['CompleteLayerUpload', { uploadId: '7b0b7c2e-0000-4000-8000-000000000000', layerDigests: [DIGEST] }],
    ['DeleteLifecyclePolicy', {}],
    ['DeleteRepository', {}],
    ['DeleteRepositoryPolicy', {}],
    ['DescribeImageScanFindings', { imageId: { imageTag: 'v1' } }],
    ['DescribeImages', {}],
    ['GetDownloadUrlForLayer', { layerDigest: DIGEST }],
    ['GetLifecyclePolicy', {}],
    ['GetLifecyclePolicyPreview', {}],
    ['GetRepositoryPolicy', {}],
    ['InitiateLayerUpload', {}],
    ['ListImages', {}],
    ['PutImage', { imageManifest: '{}' }],
    ['PutImageScanningConfiguration', { imageScanningConfiguration: {} }],
    ['PutImageTagMutability', { imageTagMutability: 'MUTABLE' }],
    ['PutLifecyclePolicy', { lifecyclePolicyText: 'x'.repeat(100) }],
    ['SetRepositoryPolicy', { policyText: '{}' }],
    ['StartImageScan', { imageId: { imageTag: 'v1' } }],
    ['StartLifecyclePolicyPreview', {}],
    ['UploadLayerPart', { uploadId: '7b0b7c2e-0000-4000-8000-000000000000', partFirstByte: 0, partLastByte: 0, layerPartBlob: 'YQ==' }],
  ];
  for (const [operation, input] of onRepository) {
    test(`${operation} is ecr:${operation} on the repository's ARN`, async () => {
      assert.deepEqual(await askedFor(operation, { repositoryName: 'web', ...input }), [{ action: `ecr:${operation}`, resource: WEB }]);
    });
  }

  test('a registryId names the repository of that registry', async () => {
    assert.deepEqual(await askedFor('ListImages', { repositoryName: 'web', registryId: '999999999999' }),
      [{ action: 'ecr:ListImages', resource: 'arn:aws:ecr:us-east-1:999999999999:repository/web' }]);
  });

  test('GetAuthorizationToken, DescribeRegistry and DescribeRepositories of the whole registry are on *', async () => {
    assert.deepEqual(await askedFor('GetAuthorizationToken', {}), [{ action: 'ecr:GetAuthorizationToken', resource: '*' }]);
    assert.deepEqual(await askedFor('DescribeRegistry', {}), [{ action: 'ecr:DescribeRegistry', resource: '*' }]);
    assert.deepEqual(await askedFor('DescribeRepositories', {}), [{ action: 'ecr:DescribeRepositories', resource: '*' }]);
    assert.deepEqual(await askedFor('DescribeRepositories', { repositoryNames: ['web', 'api', 'web'] }), [
      { action: 'ecr:DescribeRepositories', resource: WEB },
      { action: 'ecr:DescribeRepositories', resource: registryArns.repository(scope, 'api') },
    ]);
  });

  test('CreateRepository carries aws:RequestTag/* and aws:TagKeys, and tagging on create is also ecr:TagResource', async () => {
    const tags = [{ Key: 'team', Value: 'web' }, { Key: 'env', Value: 'prod' }];
    const conditions = { 'aws:RequestTag/team': 'web', 'aws:RequestTag/env': 'prod', 'aws:TagKeys': ['team', 'env'] };
    const repo = registryArns.repository(scope, 'tagged');
    assert.deepEqual(await askedFor('CreateRepository', { repositoryName: 'tagged', tags }), [
      { action: 'ecr:CreateRepository', resource: repo, conditions },
      { action: 'ecr:TagResource', resource: repo, conditions },
    ]);
    assert.deepEqual(await askedFor('CreateRepository', { repositoryName: 'plain' }), [
      { action: 'ecr:CreateRepository', resource: registryArns.repository(scope, 'plain') },
    ]);
  });

  test('the tagging operations are on the ARN they name, with their tag keys', async () => {
    assert.deepEqual(await askedFor('TagResource', { resourceArn: WEB, tags: [{ Key: 'a', Value: '1' }] }),
      [{ action: 'ecr:TagResource', resource: WEB, conditions: { 'aws:RequestTag/a': '1', 'aws:TagKeys': ['a'] } }]);
    assert.deepEqual(await askedFor('UntagResource', { resourceArn: WEB, tagKeys: ['a'] }),
      [{ action: 'ecr:UntagResource', resource: WEB, conditions: { 'aws:TagKeys': ['a'] } }]);
    assert.deepEqual(await askedFor('ListTagsForResource', { resourceArn: WEB }), [{ action: 'ecr:ListTagsForResource', resource: WEB }]);
  });

  test('a refusal is AccessDeniedException, before validation, and writes nothing', async () => {
    refuse = (r) => r.action === 'ecr:DeleteRepository';
    await expectRejected(bed.store, () => api.DeleteRepository({ repositoryName: 'web' }, ctx), 'AccessDeniedException',
      new RegExp(`^User: ${ctx.principal.arn} is not authorized to perform: ecr:DeleteRepository on resource: ${WEB}$`));
    refuse = (r) => r.action === 'ecr:TagResource';
    await expectRejected(bed.store, () => api.CreateRepository({ repositoryName: 'other', tags: [{ Key: 'a', Value: '1' }] }, ctx),
      'AccessDeniedException', /ecr:TagResource/);
  });
});
