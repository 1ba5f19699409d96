import type { Principal } from '../aws/index.ts';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { randomIds } from '../common/index.ts';
import {
  addUserToGroup, assumeRole, attachPolicy, createAccessKey, createGroup, createPolicy, createRole, createUser, deleteRole, detachPolicy,
  devRootKey, ensureRootAccessKey, getAccessKeyLastUsed, getRole, IamAuthority, putInlinePolicy, putPermissionsBoundary, updateAccessKey,
  type ResourceInfo,
} from './index.ts';
import { ACCOUNT, allow, deny, identityTestbed, trust, type IdentityTestbed } from './testing.ts';

let bed: IdentityTestbed;
let authority: IamAuthority;
let resources: Map<string, ResourceInfo>;

beforeEach(async () => {
  bed = identityTestbed();
  resources = new Map();
  authority = await IamAuthority.open({ ...bed.env, resourceInfo: async (arn) => resources.get(arn) });
});
afterEach(async () => {
  await authority.settled();
  authority.close();
  await bed.close();
});

const GLOBALS = { 'aws:SourceIp': '127.0.0.1', 'aws:RequestedRegion': 'us-east-1', 'aws:SecureTransport': 'false' };
const TASK_DEF = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1';
const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/default';

/** A user with an access key, and the principal its key signs as. */
async function userWithKey(name: string): Promise<{ principal: Principal; accessKeyId: string }> {
  await createUser(bed.env, ACCOUNT, { userName: name });
  const key = await createAccessKey(bed.env, ACCOUNT, name);
  const found = await authority.findSigningKey(key.accessKeyId, undefined, bed.clock.now());
  assert.equal(found.status, 'found');
  return { principal: found.status === 'found' ? found.key.principal : (undefined as never), accessKeyId: key.accessKeyId };
}

const ask = (principal: Principal, action: string, resource: string, conditions?: Record<string, string | string[]>) =>
  authority.authorize(principal, { action, resource, conditions }, GLOBALS);

describe('signing keys', () => {
  test('users’ keys sign as the user; an Inactive key is inactive; unknown keys are unknown', async () => {
    const { principal, accessKeyId } = await userWithKey('alice');
    assert.deepEqual(principal, {
      arn: 'arn:aws:iam::123456789012:user/alice', account: ACCOUNT, userId: principal.userId, kind: 'user', accessKeyId,
    });
    assert.match(principal.userId, /^AIDA/);
    await updateAccessKey(bed.env, ACCOUNT, 'alice', accessKeyId, 'Inactive');
    assert.deepEqual(await authority.findSigningKey(accessKeyId, undefined, bed.clock.now()), { status: 'inactive' });
    assert.deepEqual(await authority.findSigningKey('AKIAIOSFODNN7EXAMPLE', undefined, bed.clock.now()), { status: 'unknown' });
  });

  test('the root key signs as the account root', async () => {
    const root = await ensureRootAccessKey(bed.store, ACCOUNT, randomIds, bed.clock);
    const found = await authority.findSigningKey(root.accessKeyId, undefined, bed.clock.now());
    assert.deepEqual(found, {
      status: 'found',
      key: { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey, principal: { arn: `arn:aws:iam::${ACCOUNT}:root`, account: ACCOUNT, userId: ACCOUNT, kind: 'root', accessKeyId: root.accessKeyId } },
    });
  });

  test('wharf dev: an unknown key is admitted as root, a known one is not', async () => {
    const dev = new IamAuthority({ ...bed.env, tokens: authority.tokens, unknownKeysAsRoot: true, account: ACCOUNT });
    try {
      const admitted = await dev.lookupKey('test', undefined, bed.clock.now());
      assert.deepEqual(admitted, { status: 'admitted-as-root', key: devRootKey('test', ACCOUNT) });
      assert.equal(devRootKey('test', ACCOUNT).principal.arn, `arn:aws:iam::${ACCOUNT}:root`);
      const { accessKeyId } = await userWithKey('alice');
      assert.equal((await dev.lookupKey(accessKeyId, undefined, bed.clock.now())).status, 'found');
      assert.equal((await authority.lookupKey('test', undefined, bed.clock.now())).status, 'unknown', 'off unless asked for');
    } finally {
      dev.close();
    }
  });
});

describe('authorization', () => {
  test('a user allowed only ecs:Describe* is refused ecs:RunTask in AWS’s words', async () => {
    const { principal } = await userWithKey('alice');
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'read', allow('ecs:Describe*'));
    assert.deepEqual(await ask(principal, 'ecs:DescribeClusters', CLUSTER), { allowed: true });
    assert.deepEqual(await ask(principal, 'ecs:RunTask', TASK_DEF), {
      allowed: false,
      message: `User: arn:aws:iam::123456789012:user/alice is not authorized to perform: ecs:RunTask on resource: ${TASK_DEF} because no identity-based policy allows the ecs:RunTask action`,
    });
  });

  test('an explicit Deny beats an Allow', async () => {
    const { principal } = await userWithKey('alice');
    await attachPolicy(bed.env, ACCOUNT, 'user', 'alice', 'arn:aws:iam::aws:policy/AdministratorAccess');
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'no-run', deny('ecs:RunTask'));
    const decision = await ask(principal, 'ecs:RunTask', TASK_DEF);
    assert.equal(decision.allowed, false);
    assert.match(decision.allowed ? '' : decision.message, /with an explicit deny in an identity-based policy$/);
    assert.equal((await ask(principal, 'ecs:StopTask', TASK_DEF)).allowed, true);
  });

  test('a condition on aws:RequestTag', async () => {
    const { principal } = await userWithKey('alice');
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'tagged', allow('ecs:CreateCluster', '*', { StringEquals: { 'aws:RequestTag/team': 'web' } }));
    assert.equal((await ask(principal, 'ecs:CreateCluster', CLUSTER, { 'aws:RequestTag/team': 'web', 'aws:TagKeys': ['team'] })).allowed, true);
    assert.equal((await ask(principal, 'ecs:CreateCluster', CLUSTER, { 'aws:RequestTag/team': 'db', 'aws:TagKeys': ['team'] })).allowed, false);
    assert.equal((await ask(principal, 'ecs:CreateCluster', CLUSTER)).allowed, false);
  });

  test('groups’ policies apply to their members; changes apply to the next request', async () => {
    const { principal } = await userWithKey('alice');
    await createGroup(bed.env, ACCOUNT, { groupName: 'ops' });
    await createPolicy(bed.env, ACCOUNT, { policyName: 'run', policyDocument: allow('ecs:RunTask') });
    await attachPolicy(bed.env, ACCOUNT, 'group', 'ops', 'arn:aws:iam::123456789012:policy/run');
    assert.equal((await ask(principal, 'ecs:RunTask', TASK_DEF)).allowed, false, 'not yet a member');
    await addUserToGroup(bed.env, ACCOUNT, 'ops', 'alice');
    assert.equal((await ask(principal, 'ecs:RunTask', TASK_DEF)).allowed, true);
    await detachPolicy(bed.env, ACCOUNT, 'group', 'ops', 'arn:aws:iam::123456789012:policy/run');
    assert.equal((await ask(principal, 'ecs:RunTask', TASK_DEF)).allowed, false, 'the cache saw the detach');
  });

  test('a permissions boundary caps what the user’s policies allow', async () => {
    const { principal } = await userWithKey('alice');
    await attachPolicy(bed.env, ACCOUNT, 'user', 'alice', 'arn:aws:iam::aws:policy/AdministratorAccess');
    await createPolicy(bed.env, ACCOUNT, { policyName: 'ecs-only', policyDocument: allow('ecs:*') });
    await putPermissionsBoundary(bed.env, ACCOUNT, 'user', 'alice', 'arn:aws:iam::123456789012:policy/ecs-only');
    assert.equal((await ask(principal, 'ecs:RunTask', TASK_DEF)).allowed, true);
    const refused = await ask(principal, 'iam:CreateUser', 'arn:aws:iam::123456789012:user/bob');
    assert.match(refused.allowed ? '' : refused.message, /because no permissions boundary allows the iam:CreateUser action$/);
  });

  test('the root may do anything but what a resource policy denies', async () => {
    const root = await ensureRootAccessKey(bed.store, ACCOUNT, randomIds, bed.clock);
    const found = await authority.findSigningKey(root.accessKeyId, undefined, bed.clock.now());
    const principal = found.status === 'found' ? found.key.principal : (undefined as never);
    const repo = 'arn:aws:ecr:us-east-1:123456789012:repository/app';
    assert.equal((await ask(principal, 'ecr:PutImage', repo)).allowed, true);
    resources.set(repo, { policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'ecr:PutImage', Resource: '*' }] }) });
    const refused = await ask(principal, 'ecr:PutImage', repo);
    assert.match(refused.allowed ? '' : refused.message, /with an explicit deny in a resource-based policy$/);
  });

  test('resource tags from the provider are aws:ResourceTag keys', async () => {
    const { principal } = await userWithKey('alice');
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'team', allow('ecs:StopTask', '*', { StringEquals: { 'aws:ResourceTag/team': 'web' } }));
    resources.set(CLUSTER, { tags: { team: 'web' } });
    assert.equal((await ask(principal, 'ecs:StopTask', CLUSTER)).allowed, true);
    resources.set(CLUSTER, { tags: { team: 'db' } });
    assert.equal((await ask(principal, 'ecs:StopTask', CLUSTER)).allowed, false);
  });

  test('an allowed request stamps its key’s last use (service and region)', async () => {
    const { principal, accessKeyId } = await userWithKey('alice');
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'read', allow('ecs:Describe*'));
    await ask(principal, 'ecs:DescribeClusters', CLUSTER);
    await authority.settled();
    const used = await getAccessKeyLastUsed(bed.env, ACCOUNT, accessKeyId);
    assert.deepEqual(used, { userName: 'alice', lastUsedDate: new Date(bed.clock.now()), serviceName: 'ecs', region: 'us-east-1' });
  });
});

describe('role sessions', () => {
  async function session(policy?: string, durationSeconds?: number) {
    const { principal } = await userWithKey('alice');
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'assume', allow('sts:AssumeRole'));
    await createRole(bed.env, ACCOUNT, { roleName: 'deployer', assumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT}:root`) });
    await attachPolicy(bed.env, ACCOUNT, 'role', 'deployer', 'arn:aws:iam::aws:policy/AmazonECS_FullAccess');
    const env = { ...bed.env, tokens: authority.tokens };
    const result = await assumeRole(env, principal, undefined, {
      roleArn: `arn:aws:iam::${ACCOUNT}:role/deployer`, roleSessionName: 'ci', policy, durationSeconds,
    });
    return result.credentials;
  }

  test('a session acts with the role’s policies, narrowed by its session policy', async () => {
    const creds = await session(allow('ecs:Describe*'));
    const found = await authority.findSigningKey(creds.accessKeyId, creds.sessionToken, bed.clock.now());
    assert.equal(found.status, 'found');
    const principal = found.status === 'found' ? found.key.principal : (undefined as never);
    assert.equal(principal.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci`);
    assert.match(principal.userId, /^AROA[A-Z2-7]{17}:ci$/);
    assert.equal((await ask(principal, 'ecs:DescribeClusters', CLUSTER)).allowed, true);
    const refused = await ask(principal, 'ecs:RunTask', TASK_DEF);
    assert.match(refused.allowed ? '' : refused.message, /because no session policy allows the ecs:RunTask action$/);
    await authority.settled();
    assert.equal((await getRole(bed.env, ACCOUNT, 'deployer')).lastUsed?.region, 'us-east-1', 'the role’s last use is stamped');
  });

  test('sessions are found until they expire, then expired; a tampered token is invalid; a deleted role ends them', async () => {
    const creds = await session(undefined, 900);
    const now = bed.clock.now();
    assert.equal((await authority.findSigningKey(creds.accessKeyId, creds.sessionToken, now + 899_000)).status, 'found');
    assert.deepEqual(await authority.findSigningKey(creds.accessKeyId, creds.sessionToken, now + 900_000), { status: 'expired' });
    const raw = Buffer.from(creds.sessionToken, 'base64');
    raw[raw.length - 1] ^= 1;
    assert.deepEqual(await authority.findSigningKey(creds.accessKeyId, raw.toString('base64'), now), { status: 'invalid-token' });
    assert.deepEqual(await authority.findSigningKey(creds.accessKeyId, undefined, now), { status: 'invalid-token' });
    assert.deepEqual(await authority.findSigningKey('ASIAAAAAAAAAAAAAAAAA', creds.sessionToken, now), { status: 'invalid-token' });
    await detachPolicy(bed.env, ACCOUNT, 'role', 'deployer', 'arn:aws:iam::aws:policy/AmazonECS_FullAccess');
    await deleteRole(bed.env, ACCOUNT, 'deployer');
    assert.deepEqual(await authority.findSigningKey(creds.accessKeyId, creds.sessionToken, now), { status: 'invalid-token' });
  });
});

describe('registry token holders and repository policies', () => {
  const REPO = 'arn:aws:ecr:us-east-1:123456789012:repository/app';

  test('checkPrincipal: the root always, a user while it is the same user, a session until it expires or its role goes', async () => {
    const { principal: alice } = await userWithKey('alice');
    const now = bed.clock.now();
    assert.equal(await authority.checkPrincipal({ arn: `arn:aws:iam::${ACCOUNT}:root`, account: ACCOUNT, userId: ACCOUNT, kind: 'root' }, undefined, now), 'valid');
    assert.equal(await authority.checkPrincipal(alice, undefined, now), 'valid');
    assert.equal(await authority.checkPrincipal({ ...alice, userId: 'AIDAOTHERUSER0000000' }, undefined, now), 'gone', 'another user of the same name');
    await createRole(bed.env, ACCOUNT, { roleName: 'puller', assumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT}:root`) });
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'assume', allow('sts:AssumeRole'));
    const { credentials } = await assumeRole({ ...bed.env, tokens: authority.tokens }, alice, undefined, {
      roleArn: `arn:aws:iam::${ACCOUNT}:role/puller`, roleSessionName: 'ci', durationSeconds: 900,
    });
    const found = await authority.findSigningKey(credentials.accessKeyId, credentials.sessionToken, now);
    const session = found.status === 'found' ? found.key.principal : (undefined as never);
    assert.equal(authority.sessionTokenOf(credentials.accessKeyId), credentials.sessionToken, 'the token is kept once the key signed');
    assert.equal(await authority.checkPrincipal(session, credentials.sessionToken, now), 'valid');
    assert.equal(await authority.checkPrincipal(session, undefined, now), 'gone');
    assert.equal(await authority.checkPrincipal(session, credentials.sessionToken, now + 900_000), 'expired');
    await deleteRole(bed.env, ACCOUNT, 'puller');
    assert.equal(await authority.checkPrincipal(session, credentials.sessionToken, now), 'gone');
  });

  test('a repository policy grants a user of the account what no identity policy does; ecr:ResourceTag keys are set', async () => {
    const { principal: bob } = await userWithKey('bob');
    const refused = await ask(bob, 'ecr:BatchGetImage', REPO);
    assert.match(refused.allowed ? '' : refused.message, /because no identity-based policy allows the ecr:BatchGetImage action$/);
    resources.set(REPO, {
      account: ACCOUNT, tags: { env: 'prod' },
      policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'ecr:BatchGetImage' }] }),
    });
    assert.equal((await ask(bob, 'ecr:BatchGetImage', REPO)).allowed, true);
    assert.equal((await ask(bob, 'ecr:PutImage', REPO)).allowed, false);
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'bob', 'no-prod', JSON.stringify({
      Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'ecr:*', Resource: '*', Condition: { StringEquals: { 'ecr:ResourceTag/env': 'prod' } } }],
    }));
    assert.equal((await ask(bob, 'ecr:BatchGetImage', REPO)).allowed, false, 'ecr:ResourceTag/env is the repository tag');
  });

  test('a stored resource policy the engine cannot read grants nothing and breaks nothing', async () => {
    const { principal: bob } = await userWithKey('bob');
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'bob', 'read', allow('ecr:BatchGetImage'));
    resources.set(REPO, { account: ACCOUNT, policy: '{"Version":"2012-10-17","Statement":[]}' });
    assert.equal((await ask(bob, 'ecr:BatchGetImage', REPO)).allowed, true);
    assert.equal((await ask(bob, 'ecr:PutImage', REPO)).allowed, false);
  });
});
