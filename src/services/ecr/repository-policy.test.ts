import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Store } from '../../state/index.ts';
import { repositoryOperations } from './repositories.ts';
import { repositoryPolicyOperations } from './repository-policy.ts';
import { ctx, ecrTestbed, expectRejected, type Actions } from './testing.ts';

let store: Store;
let api: Actions;

beforeEach(async () => {
  const bed = ecrTestbed();
  store = bed.store;
  api = { ...bed.api(repositoryOperations), ...bed.api(repositoryPolicyOperations) };
  await api.CreateRepository({ repositoryName: 'web' }, ctx);
});
afterEach(() => store.close());

const call = (action: string, input: Record<string, unknown>) => api[action](input, ctx);
const rejects = (action: string, input: Record<string, unknown>, code: string, message: RegExp) =>
  expectRejected(store, () => api[action](input, ctx), code, message);

/** A policy as a user writes it, with its own spacing (ECR returns the text as set). */
const POLICY = `{
  "Version": "2012-10-17",
  "Statement": [{ "Sid": "pull", "Effect": "Allow", "Principal": { "AWS": "*" }, "Action": ["ecr:BatchGetImage"] }]
}`;

describe('repository policies', () => {
  test('are set, read back as given, replaced and deleted', async () => {
    assert.deepEqual(await call('SetRepositoryPolicy', { repositoryName: 'web', policyText: POLICY }),
      { registryId: '123456789012', repositoryName: 'web', policyText: POLICY });
    assert.deepEqual(await call('GetRepositoryPolicy', { repositoryName: 'web' }),
      { registryId: '123456789012', repositoryName: 'web', policyText: POLICY });
    const replaced = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:DeleteRepository"}]}';
    await call('SetRepositoryPolicy', { repositoryName: 'web', policyText: replaced, force: true });
    assert.equal(((await call('GetRepositoryPolicy', { repositoryName: 'web' })) as { policyText: string }).policyText, replaced);
    assert.deepEqual(await call('DeleteRepositoryPolicy', { repositoryName: 'web' }),
      { registryId: '123456789012', repositoryName: 'web', policyText: replaced });
    await rejects('GetRepositoryPolicy', { repositoryName: 'web' }, 'RepositoryPolicyNotFoundException',
      /^Repository policy does not exist for the repository with name 'web' in the registry with id '123456789012'$/);
    await rejects('DeleteRepositoryPolicy', { repositoryName: 'web' }, 'RepositoryPolicyNotFoundException',
      /^Repository policy does not exist for the repository with name 'web'/);
  });

  test('setting the same text again writes nothing', async () => {
    await call('SetRepositoryPolicy', { repositoryName: 'web', policyText: POLICY });
    const before = await store.revision();
    await call('SetRepositoryPolicy', { repositoryName: 'web', policyText: POLICY });
    assert.equal(await store.revision(), before);
  });

  test("refuse text that is not a JSON policy document, in ECR's words", async () => {
    const message = /^Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'$/;
    const statement = (over: object) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage', ...over }] });
    const refusedByIam = [
      '{"Version":"2012-10-17","Statement":[]}', statement({ Principal: undefined }), statement({ Action: 'BatchGetImage' }),
      statement({ Effect: 'allow' }), statement({ Resource: 'not-an-arn' }), statement({ Principal: { AWS: 'someone' } }),
    ];
    for (const policyText of ['', 'not json', '[1,2]', '"text"', '{"Version":', ...refusedByIam]) {
      await rejects('SetRepositoryPolicy', { repositoryName: 'web', policyText }, 'InvalidParameterException', message);
    }
    await rejects('SetRepositoryPolicy', { repositoryName: 'web', policyText: `{"x":"${'a'.repeat(10240)}"}` }, 'InvalidParameterException',
      /^Invalid parameter at 'policyText' failed to satisfy constraint: 'Member must have length less than or equal to 10240'$/);
    await rejects('SetRepositoryPolicy', { repositoryName: 'web' }, 'InvalidParameterException', /^Invalid parameter at 'policyText' failed to satisfy constraint: 'Member must not be null'$/);
    await rejects('SetRepositoryPolicy', { repositoryName: 'web', policyText: {} }, 'SerializationException', /^policyText must be a string/);
  });

  test('need an existing repository', async () => {
    const message = /^The repository with name 'nope' does not exist in the registry with id '123456789012'$/;
    await rejects('SetRepositoryPolicy', { repositoryName: 'nope', policyText: POLICY }, 'RepositoryNotFoundException', message);
    await rejects('GetRepositoryPolicy', { repositoryName: 'nope' }, 'RepositoryNotFoundException', message);
    await rejects('DeleteRepositoryPolicy', { repositoryName: 'nope' }, 'RepositoryNotFoundException', message);
    await rejects('GetRepositoryPolicy', { repositoryName: 'Web' }, 'InvalidParameterException', /^Invalid parameter at 'repositoryName'/);
  });

  test('go with the repository when it is deleted', async () => {
    await call('SetRepositoryPolicy', { repositoryName: 'web', policyText: POLICY });
    await call('DeleteRepository', { repositoryName: 'web' });
    await call('CreateRepository', { repositoryName: 'web' });
    await rejects('GetRepositoryPolicy', { repositoryName: 'web' }, 'RepositoryPolicyNotFoundException', /does not exist/);
  });
});
