/**
 * The parameters domain's writes on both store backends (SQLite and a one-member etcd): create
 * and overwrite with history, SecureStrings sealed at rest and opened only when asked, labels and
 * selectors, paths and filters, tags, deletes, and racing writers each getting their own version.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AwsError } from '../aws/index.ts';
import { ManualClock, Sealer } from '../common/index.ts';
import { storeBackends } from '../state/backends.testing.ts';
import type { ParametersEnv } from './env.ts';
import {
  changeTags, deleteParameter, deleteParameters, describeParameters, getParameter, getParameterHistory, getParameters, getParametersByPath,
  labelParameterVersion, listTags, putParameter, unlabelParameterVersion,
} from './parameters.ts';
import { keys, type Scope } from './records.ts';

const scope: Scope = { account: '123456789012', region: 'eu-west-1' };
const user = 'arn:aws:iam::123456789012:user/alice';
const code = (expected: string) => (e: AwsError) => {
  assert.equal(e.code, expected, e.message);
  return true;
};

const backends = storeBackends('parameters');

for (const [backend, open] of Object.entries(backends)) {
  describe(`parameters domain on ${backend}`, () => {
    const fresh = async (): Promise<ParametersEnv> => {
      const store = await open();
      return { store, clock: new ManualClock(), sealer: new Sealer(randomBytes(32)) };
    };

    it('creates, refuses a second create, overwrites into a new version with its history', async () => {
      const env = await fresh();
      assert.deepEqual(await putParameter(env, scope, { name: '/app/url', value: 'one', type: 'String', description: 'the url', user }), { version: 1, tier: 'Standard' });
      await assert.rejects(putParameter(env, scope, { name: '/app/url', value: 'two', type: 'String', user }), code('ParameterAlreadyExists'));
      assert.equal((await putParameter(env, scope, { name: '/app/url', value: 'two', overwrite: true, user })).version, 2);
      const p = await getParameter(env, scope, '/app/url', false);
      assert.deepEqual([p.value, p.version, p.type, p.arn], ['two', 2, 'String', 'arn:aws:ssm:eu-west-1:123456789012:parameter/app/url']);
      const history = await getParameterHistory(env, scope, '/app/url', false);
      assert.deepEqual(history.map((h) => [h.version, h.value, h.description, h.lastModifiedUser]), [[1, 'one', 'the url', user], [2, 'two', 'the url', user]]);
      await assert.rejects(putParameter(env, scope, { name: 'fresh', value: 'x', user }), /type is required/);
    });

    it('seals SecureStrings: no plaintext in the record, a stand-in without decryption, the value with it', async () => {
      const env = await fresh();
      await putParameter(env, scope, { name: '/db/password', value: 'hunter2-secret', type: 'SecureString', user });
      const raw = (await env.store.get(keys.parameter(scope, '/db/password')))!.value;
      assert.equal(raw.includes('hunter2-secret'), false);
      const hidden = await getParameter(env, scope, '/db/password', false);
      assert.notEqual(hidden.value, 'hunter2-secret');
      assert.equal(hidden.value.includes('hunter2'), false);
      assert.equal((await getParameter(env, scope, '/db/password', true)).value, 'hunter2-secret');
      const [meta] = await describeParameters(env, scope, []);
      assert.equal(meta!.keyId, 'alias/aws/ssm');
      // Under another key, the sealed value does not open.
      await assert.rejects(getParameter({ ...env, sealer: new Sealer(randomBytes(32)) }, scope, '/db/password', true), /another key/);
    });

    it('labels move between versions and select them; unknown versions and labels are refused', async () => {
      const env = await fresh();
      for (const value of ['a', 'b', 'c']) await putParameter(env, scope, { name: 'flag', value, type: 'String', overwrite: true, user });
      assert.deepEqual(await labelParameterVersion(env, scope, 'flag', 1, ['prod', '1bad']), { invalidLabels: ['1bad'], version: 1 });
      assert.equal((await getParameter(env, scope, 'flag:prod', false)).value, 'a');
      assert.equal((await getParameter(env, scope, 'flag:2', false)).value, 'b');
      await labelParameterVersion(env, scope, 'flag', undefined, ['prod']);
      assert.equal((await getParameter(env, scope, 'flag:prod', false)).value, 'c');
      assert.deepEqual((await getParameterHistory(env, scope, 'flag', false)).map((h) => h.labels), [[], [], ['prod']]);
      assert.deepEqual(await unlabelParameterVersion(env, scope, 'flag', 3, ['prod', 'none']), { removedLabels: ['prod'], invalidLabels: ['none'] });
      await assert.rejects(getParameter(env, scope, 'flag:prod', false), code('ParameterVersionNotFound'));
      await assert.rejects(getParameter(env, scope, 'flag:9', false), code('ParameterVersionNotFound'));
      await assert.rejects(labelParameterVersion(env, scope, 'flag', 9, ['x']), code('ParameterVersionNotFound'));
      await assert.rejects(labelParameterVersion(env, scope, 'nothing', 1, ['x']), code('ParameterNotFound'));
    });

    it('gets by names and by path with filters; describes with filters', async () => {
      const env = await fresh();
      await putParameter(env, scope, { name: '/app/a', value: '1', type: 'String', user });
      await putParameter(env, scope, { name: '/app/b', value: 'x,y', type: 'StringList', user });
      await putParameter(env, scope, { name: '/app/deep/c', value: 's', type: 'SecureString', user, tags: [{ key: 'team', value: 'blue' }] });
      await putParameter(env, scope, { name: '/apple', value: 'no', type: 'String', user });
      const got = await getParameters(env, scope, ['/app/a', '/app/none', '/app/a:7'], false);
      assert.deepEqual([got.parameters.map((p) => p.name), got.invalid], [['/app/a'], ['/app/none', '/app/a:7']]);
      assert.deepEqual((await getParametersByPath(env, scope, { path: '/app', decrypt: false })).map((p) => p.name), ['/app/a', '/app/b']);
      const deep = await getParametersByPath(env, scope, { path: '/app/', recursive: true, decrypt: true, filters: [{ key: 'Type', values: ['SecureString'] }] });
      assert.deepEqual(deep.map((p) => [p.name, p.value]), [['/app/deep/c', 's']]);
      await labelParameterVersion(env, scope, '/app/a', 1, ['live']);
      await putParameter(env, scope, { name: '/app/a', value: '2', overwrite: true, user });
      const labelled = await getParametersByPath(env, scope, { path: '/app', decrypt: false, filters: [{ key: 'Label', values: ['live'] }] });
      assert.deepEqual(labelled.map((p) => [p.name, p.value, p.version]), [['/app/a', '1', 1]]);
      assert.deepEqual((await describeParameters(env, scope, [{ key: 'tag:team', values: ['blue'] }])).map((m) => m.name), ['/app/deep/c']);
      assert.deepEqual((await describeParameters(env, scope, [{ key: 'Path', option: 'Recursive', values: ['/app'] }])).map((m) => m.name), ['/app/a', '/app/b', '/app/deep/c']);
    });

    it('tags are changed and listed; deletes report what they did not find', async () => {
      const env = await fresh();
      await putParameter(env, scope, { name: 't', value: 'v', type: 'String', user, tags: [{ key: 'a', value: '1' }] });
      await changeTags(env, scope, 't', [{ key: 'a', value: '2' }, { key: 'b', value: '3' }], []);
      await changeTags(env, scope, 't', [], ['b']);
      assert.deepEqual(await listTags(env, scope, 't'), [{ key: 'a', value: '2' }]);
      await assert.rejects(changeTags(env, scope, 't', Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' })), []), code('TooManyTagsError'));
      await assert.rejects(listTags(env, scope, 'missing'), code('InvalidResourceId'));
      await putParameter(env, scope, { name: 'u', value: 'v', type: 'String', user });
      assert.deepEqual(await deleteParameters(env, scope, ['t', 'nope', 'u']), { deleted: ['t', 'u'], invalid: ['nope'] });
      await assert.rejects(deleteParameter(env, scope, 't'), code('ParameterNotFound'));
      assert.deepEqual(await describeParameters(env, scope, []), []);
    });

    it('racing overwrites each get their own version', async () => {
      const env = await fresh();
      await putParameter(env, scope, { name: 'race', value: '0', type: 'String', user });
      const versions = await Promise.all(Array.from({ length: 5 }, (_, i) => putParameter(env, scope, { name: 'race', value: String(i + 1), overwrite: true, user })));
      assert.deepEqual(versions.map((v) => v.version).sort(), [2, 3, 4, 5, 6]);
      assert.equal((await getParameterHistory(env, scope, 'race', false)).length, 6);
    });
  });
}
