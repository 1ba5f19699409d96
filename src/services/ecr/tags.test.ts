import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { ListTagsForResourceResponse } from '@aws-sdk/client-ecr';
import { registryArns } from '../../registry/index.ts';
import type { Store } from '../../state/index.ts';
import { repositoryOperations } from './repositories.ts';
import { tagOperations } from './tags.ts';
import { ctx, ecrTestbed, expectRejected, scope, type Actions } from './testing.ts';

let store: Store;
let api: Actions;
const ARN = registryArns.repository(scope, 'team/web');

beforeEach(async () => {
  const bed = ecrTestbed();
  store = bed.store;
  api = { ...bed.api(repositoryOperations), ...bed.api(tagOperations) };
  await api.CreateRepository({ repositoryName: 'team/web', tags: [{ Key: 'team', Value: 'web' }] }, ctx);
});
afterEach(() => store.close());

const call = (action: string, input: Record<string, unknown>) => api[action](input, ctx);
const list = async () => ((await call('ListTagsForResource', { resourceArn: ARN })) as ListTagsForResourceResponse).tags;
const rejects = (action: string, input: Record<string, unknown>, code: string, message: RegExp) =>
  expectRejected(store, () => api[action](input, ctx), code, message);

describe('repository tags', () => {
  test('are listed, added, overwritten and removed by repository ARN', async () => {
    assert.deepEqual(await list(), [{ Key: 'team', Value: 'web' }]);
    assert.deepEqual(await call('TagResource', { resourceArn: ARN, tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'platform' }] }), {});
    assert.deepEqual(await list(), [{ Key: 'team', Value: 'platform' }, { Key: 'env', Value: 'prod' }]);
    assert.deepEqual(await call('UntagResource', { resourceArn: ARN, tagKeys: ['team', 'not-there'] }), {});
    assert.deepEqual(await list(), [{ Key: 'env', Value: 'prod' }]);
  });

  test('removing absent keys or adding no tags writes nothing', async () => {
    const before = await store.revision();
    await call('UntagResource', { resourceArn: ARN, tagKeys: ['nope'] });
    await call('TagResource', { resourceArn: ARN, tags: [] });
    assert.equal(await store.revision(), before);
  });

  test('a repository holds at most 50 tags', async () => {
    await call('TagResource', { resourceArn: ARN, tags: Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) });
    assert.equal((await list())!.length, 50);
    await call('TagResource', { resourceArn: ARN, tags: [{ Key: 'k0', Value: 'changed' }] });
    await rejects('TagResource', { resourceArn: ARN, tags: [{ Key: 'one-more', Value: 'v' }] }, 'TooManyTagsException',
      /^The list of tags on the repository is over the limit\. The maximum number of tags that can be applied to a repository is 50\.$/);
  });

  test('validate the ARN, the tags and the repository', async () => {
    const missing = (member: string) => new RegExp(`^Invalid parameter at '${member}' failed to satisfy constraint: 'Member must not be null'$`);
    await rejects('TagResource', { tags: [] }, 'InvalidParameterException', missing('resourceArn'));
    await rejects('TagResource', { resourceArn: ARN }, 'InvalidParameterException', missing('tags'));
    await rejects('UntagResource', { resourceArn: ARN }, 'InvalidParameterException', missing('tagKeys'));
    await rejects('ListTagsForResource', { resourceArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/web' }, 'InvalidParameterException',
      /^Invalid parameter at 'resourceArn' failed to satisfy constraint: 'must be a repository ARN/);
    await rejects('ListTagsForResource', { resourceArn: 'team/web' }, 'InvalidParameterException', /^Invalid parameter at 'resourceArn'/);
    await rejects('ListTagsForResource', { resourceArn: 'arn:aws:ecr:us-east-1:123456789012:repository/Web' }, 'InvalidParameterException',
      /^Invalid parameter at 'resourceArn' failed to satisfy constraint: 'must satisfy regular expression/);
    await rejects('ListTagsForResource', { resourceArn: registryArns.repository(scope, 'nope') }, 'RepositoryNotFoundException',
      /^The repository with name 'nope' does not exist in the registry with id '123456789012'$/);
    await rejects('TagResource', { resourceArn: 'arn:aws:ecr:eu-west-1:123456789012:repository/team/web', tags: [{ Key: 'a', Value: 'b' }] },
      'RepositoryNotFoundException', /^The repository with name 'team\/web' does not exist in the registry with id '123456789012'$/);
    await rejects('UntagResource', { resourceArn: 'arn:aws:ecr:us-east-1:999999999999:repository/team/web', tagKeys: ['team'] },
      'RepositoryNotFoundException', /registry with id '999999999999'$/);
    await rejects('TagResource', { resourceArn: ARN, tags: [{ Key: 'aws:x', Value: 'b' }] }, 'InvalidTagParameterException', /reserved/);
    await rejects('TagResource', { resourceArn: ARN, tags: [{ Key: 'k'.repeat(129), Value: 'b' }] }, 'InvalidTagParameterException',
      /^tags\[0\]\.Key is invalid/);
  });
});
