import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { AuthorizationData, GetAuthorizationTokenResponse } from '@aws-sdk/client-ecr';
import { ManualClock } from '../../common/index.ts';
import { RegistryTokens, TOKEN_TTL_MS } from '../../registry/index.ts';
import type { Store } from '../../state/index.ts';
import { authOperations } from './auth.ts';
import type { Principal } from '../../aws/index.ts';
import { actionsOf, ctx, ecrTestbed, expectRejected, REGISTRY_HOST, TOKEN_SECRET, type Actions } from './testing.ts';

let store: Store;
let clock: ManualClock;
let tokens: RegistryTokens;
let api: Actions;

beforeEach(() => {
  const bed = ecrTestbed();
  ({ store, clock, tokens } = bed);
  api = bed.api(authOperations);
});
afterEach(() => store.close());

const getToken = async (input: Record<string, unknown> = {}, context = ctx) =>
  ((await api.GetAuthorizationToken(input, context)) as GetAuthorizationTokenResponse).authorizationData!;

/** The `user:password` an authorization token carries, as docker login splits it. */
function credentialsOf(data: AuthorizationData): { user: string; password: string } {
  const decoded = Buffer.from(data.authorizationToken!, 'base64').toString();
  const colon = decoded.indexOf(':');
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

describe('GetAuthorizationToken', () => {
  test('hands out user AWS and a registry password for the caller, good for 12 hours, with the registry endpoint', async () => {
    const [data, more] = await getToken();
    assert.equal(more, undefined);
    assert.equal(data.proxyEndpoint, `http://${REGISTRY_HOST}`);
    assert.equal(data.expiresAt!.getTime(), clock.now() + 12 * 60 * 60 * 1000);
    const { user, password } = credentialsOf(data);
    assert.equal(user, 'AWS');
    assert.deepEqual(tokens.verify(password), {
      scope: { account: '123456789012', region: 'us-east-1' }, expiresAt: clock.now() + TOKEN_TTL_MS,
      principal: { arn: 'arn:aws:iam::123456789012:root', account: '123456789012', userId: '123456789012', kind: 'root' },
    }, 'bound to the caller, in its account and region');
    assert.deepEqual(tokens.verifyBasic(`Basic ${data.authorizationToken}`)?.scope, { account: '123456789012', region: 'us-east-1' });
    assert.doesNotMatch(Buffer.from(password, 'base64url').toString('latin1'), /arn:aws|123456789012/, 'the password is sealed, not readable');
    const elsewhere = new RegistryTokens(Buffer.alloc(32, 8), clock);
    assert.equal(elsewhere.verify(password), undefined, 'a registry with another secret refuses it');
    assert.ok(new RegistryTokens(TOKEN_SECRET, clock).verify(password), 'the same secret accepts it');
  });

  test("a session's password carries its session token; one whose token is unknown is not issued", async () => {
    const session: Principal = {
      arn: 'arn:aws:sts::123456789012:assumed-role/puller/s1', account: '123456789012', userId: 'AROAEXAMPLE:s1', kind: 'assumed-role',
      accessKeyId: 'ASIAEXAMPLE000000001',
    };
    const bed = ecrTestbed();
    const known = new Map([['ASIAEXAMPLE000000001', 'sealed-session-token']]);
    const sessions = actionsOf(authOperations({ ...bed.deps, sessionToken: (id) => known.get(id) }));
    const out = (await sessions.GetAuthorizationToken({}, { ...ctx, principal: session })) as GetAuthorizationTokenResponse;
    const grant = bed.tokens.verify(credentialsOf(out.authorizationData![0]).password);
    assert.deepEqual([grant?.principal, grant?.sessionToken], [session, 'sealed-session-token']);
    known.clear();
    await expectRejected(bed.store, () => sessions.GetAuthorizationToken({}, { ...ctx, principal: session }), 'ServerException', /session/);
    await bed.store.close();
  });

  test('the password expires after 12 hours', async () => {
    const { password } = credentialsOf((await getToken())[0]);
    clock.advance(TOKEN_TTL_MS - 1);
    assert.ok(tokens.verify(password));
    clock.advance(1);
    assert.equal(tokens.verify(password), undefined);
    assert.ok(tokens.verify(credentialsOf((await getToken())[0]).password), 'a new token is good again');
  });

  test('the password names the region the request was made in', async () => {
    const [data] = await getToken({}, { ...ctx, region: 'ap-northeast-2' });
    assert.deepEqual(tokens.verify(credentialsOf(data).password)?.scope, { account: '123456789012', region: 'ap-northeast-2' });
  });

  test('answers the deprecated registryIds with one entry each, all for the caller', async () => {
    const data = await getToken({ registryIds: ['123456789012', '999999999999'] });
    assert.equal(data.length, 2);
    for (const d of data) {
      assert.deepEqual(tokens.verify(credentialsOf(d).password)?.scope, { account: '123456789012', region: 'us-east-1' });
      assert.equal(d.proxyEndpoint, `http://${REGISTRY_HOST}`);
    }
  });

  test('validates registryIds and writes nothing', async () => {
    const rejects = (input: Record<string, unknown>, code: string, message: RegExp) =>
      expectRejected(store, () => api.GetAuthorizationToken(input, ctx), code, message);
    await rejects({ registryIds: [] }, 'InvalidParameterException',
      /^Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must have length greater than or equal to 1'$/);
    await rejects({ registryIds: Array.from({ length: 11 }, () => '123456789012') }, 'InvalidParameterException',
      /^Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must have length less than or equal to 10'$/);
    await rejects({ registryIds: ['123456789012', '12345'] }, 'InvalidParameterException',
      /^Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must satisfy constraint: \[Member must satisfy regular expression pattern: \[0-9\]\{12\}\]'$/);
    await rejects({ registryIds: '123456789012' }, 'SerializationException', /^registryIds must be a list/);
    const before = await store.revision();
    await getToken();
    assert.equal(await store.revision(), before, 'issuing a token writes nothing');
  });
});
