/**
 * The registry bound to identity, over real HTTP with a scripted identity: tokens sealed to
 * their holder, 401 for a token whose holder is gone or whose session expired, each request's
 * ECR action authorized on the repository's ARN (403 DENIED with IAM's message), the catalog
 * filtered per repository, mounts only from a repository the caller may pull from; and the
 * repositories as IAM resources (policy, tags, account).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';
import type { AuthorizationRequest, Principal } from '../aws/index.ts';
import { ManualClock } from '../common/index.ts';
import { SqliteStore, transact } from '../state/index.ts';
import type { HolderStatus, RegistryIdentity } from './access.ts';
import { parseV2Path } from './paths.ts';
import { requiredPermissions } from './permissions.ts';
import { registryArns, registryKeys } from './records.ts';
import { repositoryResourceInfo } from './resource-info.ts';
import { repositoryRecord, startTestRegistry, type TestRegistry } from './testing.ts';
import { RegistryTokens } from './tokens.ts';

const SCOPE = { account: '123456789012', region: 'us-east-1' };
const alice: Principal = { arn: `arn:aws:iam::${SCOPE.account}:user/alice`, account: SCOPE.account, userId: 'AIDAALICE', kind: 'user', accessKeyId: 'AKIAALICE' };
const session: Principal = {
  arn: `arn:aws:sts::${SCOPE.account}:assumed-role/puller/s`, account: SCOPE.account, userId: 'AROAPULLER:s', kind: 'assumed-role', accessKeyId: 'ASIAPULLER',
};

describe('registry tokens', () => {
  const clock = new ManualClock();
  const tokens = new RegistryTokens(Buffer.alloc(32, 1), clock);

  test('carry their holder and scope, sealed: no one reads or alters them', () => {
    const { password, expiresAt } = tokens.issue(SCOPE, { principal: session, sessionToken: 'sts-token' });
    assert.deepEqual(tokens.verify(password), { scope: SCOPE, expiresAt, principal: session, sessionToken: 'sts-token' });
    assert.doesNotMatch(Buffer.from(password, 'base64url').toString('latin1'), /assumed-role|sts-token/);
    const altered = Buffer.from(password, 'base64url');
    altered[altered.length - 1] ^= 1;
    assert.equal(tokens.verify(altered.toString('base64url')), undefined);
    assert.equal(new RegistryTokens(Buffer.alloc(32, 2), clock).verify(password), undefined, 'another registry secret');
    assert.equal(tokens.verify('a.b'), undefined);
  });

  test('tell an expired password from one that is not theirs', () => {
    const { password } = tokens.issue(SCOPE, { principal: alice }, 1000);
    const basic = `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;
    assert.equal(tokens.verifyBasic(basic)?.principal.arn, alice.arn);
    clock.advance(1000);
    assert.equal(tokens.openBasic(basic), 'expired');
    assert.equal(tokens.verifyBasic(basic), undefined);
    assert.equal(tokens.openBasic(`Basic ${Buffer.from('AWS:junk').toString('base64')}`), undefined);
    assert.equal(tokens.openBasic(`Basic ${Buffer.from(`root:${password}`).toString('base64')}`), undefined, 'user AWS only');
  });
});

describe('the permissions each request needs', () => {
  const need = (method: string, target: string) => {
    const [path, query = ''] = target.split('?');
    return requiredPermissions(parseV2Path(path)!, method, new URLSearchParams(query));
  };
  const D = `sha256:${'a'.repeat(64)}`;
  test('pulls, pushes, deletes and listings map to ECR actions', () => {
    assert.deepEqual(need('GET', `/v2/a/b/manifests/v1`), ['ecr:BatchGetImage']);
    assert.deepEqual(need('HEAD', `/v2/app/manifests/${D}`), ['ecr:BatchGetImage']);
    assert.deepEqual(need('PUT', `/v2/app/manifests/v1`), ['ecr:PutImage']);
    assert.deepEqual(need('DELETE', `/v2/app/manifests/v1`), ['ecr:BatchDeleteImage']);
    assert.deepEqual(need('GET', `/v2/app/blobs/${D}`), ['ecr:GetDownloadUrlForLayer']);
    assert.deepEqual(need('HEAD', `/v2/app/blobs/${D}`), [['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer']]);
    assert.deepEqual(need('POST', `/v2/app/blobs/uploads/`), ['ecr:InitiateLayerUpload']);
    assert.deepEqual(need('POST', `/v2/app/blobs/uploads/?digest=${D}`), ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload']);
    assert.deepEqual(need('POST', `/v2/app/blobs/uploads/?mount=${D}&from=x`), ['ecr:InitiateLayerUpload']);
    assert.deepEqual(need('PATCH', `/v2/app/blobs/uploads/u-1`), ['ecr:UploadLayerPart']);
    assert.deepEqual(need('PUT', `/v2/app/blobs/uploads/u-1?digest=${D}`), ['ecr:CompleteLayerUpload']);
    assert.deepEqual(need('GET', `/v2/app/tags/list`), ['ecr:ListImages']);
    assert.deepEqual(need('GET', `/v2/app/referrers/${D}`), ['ecr:BatchGetImage']);
    assert.deepEqual(need('GET', `/v2/_catalog`), []);
    assert.deepEqual(need('GET', `/v2/`), []);
  });
});

describe('the registry, authorized', () => {
  let reg: TestRegistry;
  let status: HolderStatus;
  let allowed: Set<string>;
  const asked: AuthorizationRequest[] = [];
  const identity: RegistryIdentity = {
    checkPrincipal: async () => status,
    authorize: async (principal, request) => {
      asked.push(request);
      return allowed.has(`${request.action} ${request.resource}`)
        ? { allowed: true }
        : { allowed: false, message: `User: ${principal.arn} is not authorized to perform: ${request.action} on resource: ${request.resource} because no identity-based policy allows the ${request.action} action` };
    },
  };
  const arn = (name: string) => registryArns.repository(SCOPE, name);
  const as = (principal: Principal) => ({ authorization: `Basic ${Buffer.from(`AWS:${reg.tokens.issue(SCOPE, { principal }).password}`).toString('base64')}` });
  const errorsOf = async (res: Response) => ((await res.json()) as { errors: { code: string; message: string }[] }).errors;

  before(async () => {
    reg = await startTestRegistry({ identity });
    for (const name of ['app', 'other', 'secret']) await reg.createRepository(name);
  });
  after(() => reg.close());
  afterEach(() => {
    asked.length = 0;
  });

  test('a request is authorized as the token holder, on the repository ARN; a refusal is 403 DENIED in IAM’s words', async () => {
    status = 'valid';
    allowed = new Set([`ecr:ListImages ${arn('app')}`]);
    const ok = await fetch(`${reg.url}/v2/app/tags/list`, { headers: as(alice) });
    assert.equal(ok.status, 200);
    assert.deepEqual(asked, [{ action: 'ecr:ListImages', resource: arn('app') }]);
    const denied = await fetch(`${reg.url}/v2/other/tags/list`, { headers: as(alice) });
    assert.equal(denied.status, 403);
    assert.deepEqual(await errorsOf(denied), [{
      code: 'DENIED',
      message: `User: ${alice.arn} is not authorized to perform: ecr:ListImages on resource: ${arn('other')} because no identity-based policy allows the ecr:ListImages action`,
    }]);
    assert.equal((await fetch(`${reg.url}/v2/nope/tags/list`, { headers: as(alice) })).status, 403, 'authorized before the repository is looked up');
  });

  test('a layer check needs BatchCheckLayerAvailability or GetDownloadUrlForLayer; an upload needs InitiateLayerUpload', async () => {
    status = 'valid';
    const layer = `sha256:${createHash('sha256').update('x').digest('hex')}`;
    allowed = new Set([`ecr:GetDownloadUrlForLayer ${arn('app')}`]);
    assert.equal((await fetch(`${reg.url}/v2/app/blobs/${layer}`, { method: 'HEAD', headers: as(alice) })).status, 404, 'allowed, not there');
    allowed = new Set();
    assert.equal((await fetch(`${reg.url}/v2/app/blobs/${layer}`, { method: 'HEAD', headers: as(alice) })).status, 403);
    const upload = await fetch(`${reg.url}/v2/app/blobs/uploads/`, { method: 'POST', headers: as(alice) });
    assert.equal(upload.status, 403);
    assert.match((await errorsOf(upload))[0].message, /ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:123456789012:repository\/app /);
  });

  test('the catalog shows only what the caller may describe; a mount reads only a source the caller may pull', async () => {
    status = 'valid';
    allowed = new Set([`ecr:DescribeRepositories ${arn('app')}`, `ecr:DescribeRepositories ${arn('other')}`]);
    const catalog = (await (await fetch(`${reg.url}/v2/_catalog`, { headers: as(alice) })).json()) as { repositories: string[] };
    assert.deepEqual(catalog.repositories, ['app', 'other']);

    const layer = Buffer.from('mounted layer');
    const digest = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
    allowed = new Set([`ecr:InitiateLayerUpload ${arn('secret')}`, `ecr:UploadLayerPart ${arn('secret')}`, `ecr:CompleteLayerUpload ${arn('secret')}`,
      `ecr:InitiateLayerUpload ${arn('app')}`]);
    const pushed = await fetch(`${reg.url}/v2/secret/blobs/uploads/?digest=${digest}`, { method: 'POST', headers: as(alice), body: new Uint8Array(layer) });
    assert.equal(pushed.status, 201);
    const refused = await fetch(`${reg.url}/v2/app/blobs/uploads/?mount=${digest}&from=secret`, { method: 'POST', headers: as(alice) });
    assert.equal(refused.status, 202, 'no pull rights on the source: an upload starts instead of a mount');
    allowed.add(`ecr:GetDownloadUrlForLayer ${arn('secret')}`);
    assert.equal((await fetch(`${reg.url}/v2/app/blobs/uploads/?mount=${digest}&from=secret`, { method: 'POST', headers: as(alice) })).status, 201);
  });

  test('a token whose holder is gone, or whose session expired, is 401 with a challenge', async () => {
    allowed = new Set([`ecr:ListImages ${arn('app')}`]);
    status = 'gone';
    const gone = await fetch(`${reg.url}/v2/app/tags/list`, { headers: as(alice) });
    assert.equal(gone.status, 401);
    assert.match(gone.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    assert.match((await errorsOf(gone))[0].message, /user\/alice\) no longer exists/);
    status = 'expired';
    const expired = await fetch(`${reg.url}/v2/app/tags/list`, { headers: as(session) });
    assert.equal(expired.status, 401);
    assert.equal((await errorsOf(expired))[0].message, 'Your authorization token has expired. Reauthenticate and try again.');
    assert.deepEqual(asked, [], 'nothing is authorized for a holder that is not there');
  });
});

describe('repositories as IAM resources', () => {
  test('give their policy, tags and account by ARN; other ARNs are not theirs', async () => {
    const store = SqliteStore.open(':memory:');
    const info = repositoryResourceInfo(store);
    const record = { ...repositoryRecord(SCOPE, 'team/app', 'host:1'), tags: [{ Key: 'env', Value: 'prod' }], policyText: '{"Statement":[]}' };
    await transact(store, async (tx) => tx.put(registryKeys.repository(SCOPE, 'team/app'), record));
    assert.deepEqual(await info(registryArns.repository(SCOPE, 'team/app')), { policy: '{"Statement":[]}', tags: { env: 'prod' }, account: SCOPE.account });
    assert.deepEqual(await info(registryArns.repository(SCOPE, 'gone')), { tags: {}, account: SCOPE.account });
    assert.equal(await info('arn:aws:ecs:us-east-1:123456789012:cluster/default'), undefined);
    assert.equal(await info('arn:aws:ecr:us-east-1:123456789012:other/x'), undefined);
    await store.close();
  });
});
