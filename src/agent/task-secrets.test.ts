import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSecretReference, resolveRegistryCredentials, resolveTaskSecrets, SecretsUnavailable, type SecretStores } from './task-secrets.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf';

/** Stores answering from maps, counting their calls. */
function stores(secrets: Record<string, string>, parameters: Record<string, string>) {
  const calls = { secrets: [] as string[], parameters: [] as string[][] };
  const s: SecretStores = {
    async getSecretValue(id, version) {
      calls.secrets.push(`${id}|${version.versionStage ?? ''}|${version.versionId ?? ''}`);
      const value = secrets[`${id}|${version.versionStage ?? version.versionId ?? 'AWSCURRENT'}`];
      if (value === undefined) throw Object.assign(new Error('Secrets Manager can\'t find the specified secret.'), { name: 'ResourceNotFoundException' });
      return value;
    },
    async getParameters(names) {
      calls.parameters.push([...names]);
      return { values: new Map(names.filter((n) => n in parameters).map((n) => [n, parameters[n]!])), invalid: names.filter((n) => !(n in parameters)) };
    },
  };
  return { s, calls };
}

describe('secret references', () => {
  it('reads a Secrets Manager ARN with its JSON key, version stage and version id', () => {
    assert.deepEqual(parseSecretReference(ARN), { source: 'asm', secretId: ARN });
    assert.deepEqual(parseSecretReference(`${ARN}:password::`), { source: 'asm', secretId: ARN, jsonKey: 'password' });
    assert.deepEqual(parseSecretReference(`${ARN}::AWSPREVIOUS:`), { source: 'asm', secretId: ARN, versionStage: 'AWSPREVIOUS' });
    assert.deepEqual(parseSecretReference(`${ARN}:user::v-1`), { source: 'asm', secretId: ARN, jsonKey: 'user', versionId: 'v-1' });
  });

  it('takes anything else as a parameter, by name or ARN', () => {
    assert.deepEqual(parseSecretReference('/app/key'), { source: 'ssm', name: '/app/key' });
    const arn = 'arn:aws:ssm:us-east-1:123456789012:parameter/app/key';
    assert.deepEqual(parseSecretReference(arn), { source: 'ssm', name: arn });
  });
});

describe('resolving a task’s secrets', () => {
  const doc = JSON.stringify({ user: 'admin', password: 'pw', port: 5432 });

  it('gives each container its variables and log options, fetching each secret version once and parameters in batches of 10', async () => {
    const params = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`/p/${i}`, `v${i}`]));
    const { s, calls } = stores({ [`${ARN}|AWSCURRENT`]: doc, [`${ARN}|AWSPREVIOUS`]: '{"password":"old"}' }, params);
    const resolved = await resolveTaskSecrets([
      { name: 'app', secrets: [{ name: 'PW', valueFrom: `${ARN}:password::` }, { name: 'ALL', valueFrom: ARN }, { name: 'OLD', valueFrom: `${ARN}:password:AWSPREVIOUS:` }],
        logConfiguration: { logDriver: 'json-file', secretOptions: [{ name: 'token', valueFrom: '/p/0' }] } },
      { name: 'side', secrets: [...Array(12).keys()].map((i) => ({ name: `P${i}`, valueFrom: `/p/${i}` })).concat([{ name: 'PORT', valueFrom: `${ARN}:port::` }]) },
    ], s);
    assert.deepEqual(resolved.get('app'), { environment: { PW: 'pw', ALL: doc, OLD: 'old' }, logOptions: { token: 'v0' } });
    assert.equal(resolved.get('side')!.environment.P11, 'v11');
    assert.equal(resolved.get('side')!.environment.PORT, '5432');
    assert.deepEqual(calls.secrets.sort(), [`${ARN}|AWSPREVIOUS|`, `${ARN}||`]);
    assert.deepEqual(calls.parameters.map((b) => b.length), [10, 2]);
  });

  it('says which secret failed and why, in ECS’s words', async () => {
    const { s } = stores({ [`${ARN}|AWSCURRENT`]: doc }, {});
    const fail = (valueFrom: string) => resolveTaskSecrets([{ name: 'app', secrets: [{ name: 'X', valueFrom }] }], s);
    await assert.rejects(fail('/missing'), (e: Error) => e instanceof SecretsUnavailable && e.message ===
      'unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: invalid parameters: /missing');
    await assert.rejects(fail(`${ARN}x`), /unable to retrieve secret from asm: failed to fetch secret .*: ResourceNotFoundException: Secrets Manager can't find/);
    await assert.rejects(fail(`${ARN}:nokey::`), /did not contain json key nokey/);
  });

  it('reads registry credentials from a secret holding a username and a password', async () => {
    const { s } = stores({ [`${ARN}|AWSCURRENT`]: '{"username":"u","password":"p"}' }, {});
    assert.deepEqual(await resolveRegistryCredentials(ARN, s), { username: 'u', password: 'p' });
    await assert.rejects(resolveRegistryCredentials('/param', s), /must name a Secrets Manager secret/);
  });
});
