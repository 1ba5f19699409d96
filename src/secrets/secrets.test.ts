/**
 * The secrets domain's writes on both store backends (SQLite and a one-member etcd): creation
 * and idempotent retries, versions and stages, values sealed at rest, racing writers, deletion
 * with a recovery window that passes, restore, force delete and the name taken again.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AwsError } from '../aws/index.ts';
import { ManualClock, Sealer, type Ids } from '../common/index.ts';
import { listDocs } from '../state/index.ts';
import { storeBackends } from '../state/backends.testing.ts';
import { keys, type Scope, type ValueRecord } from './records.ts';
import {
  createSecret, deleteSecret, describeSecret, getSecretValue, listSecrets, putSecretValue, restoreSecret, updateSecret, updateSecretVersionStage,
  type SecretValue, type SecretsEnv,
} from './secrets.ts';

const scope: Scope = { account: '123456789012', region: 'eu-west-1' };
const DAY = 86_400_000;
const code = (expected: string, message?: string) => (e: AwsError) => {
  assert.equal(e.code, expected, e.message);
  if (message !== undefined) assert.equal(e.message, message);
  return true;
};
const text = (s: string): SecretValue => ({ kind: 'string', data: Buffer.from(s) });

function countingIds(): Ids {
  let n = 0;
  return { hex32: () => randomBytes(16).toString('hex'), uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` };
}

const backends = storeBackends('secrets');

for (const [backend, open] of Object.entries(backends)) {
  describe(`secrets domain on ${backend}`, () => {
    const fresh = async (): Promise<SecretsEnv & { clock: ManualClock }> => {
      const store = await open();
      return { store, clock: new ManualClock(Date.UTC(2026, 11, 3)), ids: countingIds(), sealer: new Sealer(randomBytes(32)) };
    };

    it('values are sealed at rest, bound to their secret and version; retries with the same token are idempotent', async () => {
      const env = await fresh();
      const token = 'a'.repeat(32);
      const { record, versionId } = await createSecret(env, scope, { name: 'db', tags: [], value: text('hunter2'), token });
      assert.equal(versionId, token);
      const again = await createSecret(env, scope, { name: 'db', tags: [], value: text('hunter2'), token });
      assert.equal(again.record.arn, record.arn, 'a retry answers as the first create did');
      await assert.rejects(createSecret(env, scope, { name: 'db', tags: [], value: text('other'), token }), code('ResourceExistsException'));
      await assert.rejects(createSecret(env, scope, { name: 'db', tags: [] }), code('ResourceExistsException', 'The operation failed because the secret db already exists.'));

      const raw = (await env.store.range('secrets/')).kvs.map((kv) => kv.value).join('\n');
      assert.ok(!raw.includes('hunter2') && !raw.includes(Buffer.from('hunter2').toString('base64')), 'no plaintext in any record');
      const [stored] = (await listDocs<ValueRecord>(env.store, keys.values(scope, record.arn))).map((d) => d.value);
      assert.throws(() => env.sealer.open(stored!.sealed, `secretsmanager:${record.arn}#other`), 'sealed for its own version only');
      assert.equal((await getSecretValue(env, scope, 'db', {})).value.data.toString(), 'hunter2');
    });

    it('PutSecretValue and UpdateSecret move AWSCURRENT and AWSPREVIOUS; stages can be asked for; a token is one version', async () => {
      const env = await fresh();
      await createSecret(env, scope, { name: 'app', tags: [], value: text('v1'), token: '1'.repeat(32) });
      await putSecretValue(env, scope, 'app', { value: text('v2'), token: '2'.repeat(32) });
      await putSecretValue(env, scope, 'app', { value: text('v2'), token: '2'.repeat(32) });
      await assert.rejects(putSecretValue(env, scope, 'app', { value: text('v3'), token: '2'.repeat(32) }), code('ResourceExistsException'));
      assert.equal((await getSecretValue(env, scope, 'app', {})).value.data.toString(), 'v2');
      assert.equal((await getSecretValue(env, scope, 'app', { versionStage: 'AWSPREVIOUS' })).value.data.toString(), 'v1');
      await putSecretValue(env, scope, 'app', { value: text('pending'), token: '3'.repeat(32), stages: ['AWSPENDING'] });
      assert.equal((await getSecretValue(env, scope, 'app', {})).value.data.toString(), 'v2');
      await updateSecretVersionStage(env, scope, 'app', 'AWSCURRENT', '3'.repeat(32), '2'.repeat(32));
      assert.equal((await getSecretValue(env, scope, 'app', {})).value.data.toString(), 'pending');
      const { record } = await updateSecret(env, scope, 'app', { description: 'the app', value: text('v4'), token: '4'.repeat(32) });
      assert.equal(record.description, 'the app');
      assert.deepEqual(Object.fromEntries(record.versions.map((v) => [v.versionId[0], v.stages])), {
        1: [], 2: [], 3: ['AWSPENDING', 'AWSPREVIOUS'], 4: ['AWSCURRENT'],
      });
      await assert.rejects(getSecretValue(env, scope, 'app', { versionId: '9'.repeat(32) }), code('ResourceNotFoundException'));
    });

    it('racing PutSecretValues each make a version; exactly one ends AWSCURRENT and one AWSPREVIOUS', async () => {
      const env = await fresh();
      await createSecret(env, scope, { name: 'race', tags: [], value: text('0') });
      await Promise.all([1, 2, 3, 4].map((n) => putSecretValue(env, scope, 'race', { value: text(String(n)), token: String(n).repeat(32) })));
      const record = await describeSecret(env, scope, 'race');
      assert.equal(record.versions.length, 5);
      assert.equal(record.versions.filter((v) => v.stages.includes('AWSCURRENT')).length, 1);
      assert.equal(record.versions.filter((v) => v.stages.includes('AWSPREVIOUS')).length, 1);
    });

    it('deletion: a recovery window, restore, the window passing, force delete; the name is free again afterwards', async () => {
      const env = await fresh();
      await createSecret(env, scope, { name: 'old', tags: [], value: text('x') });
      await assert.rejects(deleteSecret(env, scope, 'old', { recoveryWindowInDays: 6 }), code('InvalidParameterException'));
      await assert.rejects(deleteSecret(env, scope, 'old', { recoveryWindowInDays: 7, force: true }), code('InvalidParameterException'));
      const deleted = await deleteSecret(env, scope, 'old', {});
      assert.equal(deleted.deletionDate, env.clock.now() + 30 * DAY);
      await assert.rejects(getSecretValue(env, scope, 'old', {}), code('InvalidRequestException'));
      await assert.rejects(createSecret(env, scope, { name: 'old', tags: [] }), code('InvalidRequestException'));
      assert.deepEqual((await listSecrets(env, scope, {})).map((r) => r.name), []);
      assert.deepEqual((await listSecrets(env, scope, { includePlannedDeletion: true })).map((r) => r.name), ['old']);
      await restoreSecret(env, scope, 'old');
      assert.equal((await getSecretValue(env, scope, 'old', {})).value.data.toString(), 'x');

      await deleteSecret(env, scope, 'old', { recoveryWindowInDays: 7 });
      env.clock.advance(7 * DAY);
      await assert.rejects(describeSecret(env, scope, 'old'), code('ResourceNotFoundException', "Secrets Manager can't find the specified secret."));
      const reborn = await createSecret(env, scope, { name: 'old', tags: [], value: text('y') });
      assert.equal((await getSecretValue(env, scope, reborn.record.arn, {})).value.data.toString(), 'y');

      await deleteSecret(env, scope, 'old', { force: true });
      assert.deepEqual((await env.store.range('secrets/')).kvs, [], 'nothing is left of a force-deleted secret');
      await assert.rejects(describeSecret(env, scope, 'old'), code('ResourceNotFoundException'));
    });
  });
}

