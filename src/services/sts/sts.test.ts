import type { StsOperations, Principal } from '../../aws/index.ts';
import { expectAwsError } from '../../aws/testing.ts';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createAccessKey, createRole, createUser, IamAuthority, putInlinePolicy, updateAssumeRolePolicy } from '../../identity/index.ts';
import { ACCOUNT, allow, callOperation, identityTestbed, rootPrincipal, trust, type IdentityTestbed } from '../../identity/testing.ts';
import { stsService } from './index.ts';

let bed: IdentityTestbed;
let authority: IamAuthority;
let sts: ReturnType<typeof stsService>;

beforeEach(async () => {
  bed = identityTestbed();
  authority = await IamAuthority.open(bed.env);
  sts = stsService({ ...bed.env, authority });
});
afterEach(async () => {
  await authority.settled();
  authority.close();
  await bed.close();
});

const ROLE = `arn:aws:iam::${ACCOUNT}:role/deployer`;
const call = <K extends keyof StsOperations & string>(op: K, input: StsOperations[K]['input'], as: Principal) => callOperation(authority, sts, op, input, as);

async function user(name: string): Promise<Principal> {
  await createUser(bed.env, ACCOUNT, { userName: name });
  const key = await createAccessKey(bed.env, ACCOUNT, name);
  const found = await authority.findSigningKey(key.accessKeyId, undefined, bed.clock.now());
  assert.equal(found.status, 'found');
  return found.status === 'found' ? found.key.principal : (undefined as never);
}

/** The principal a set of temporary credentials signs as. */
async function signer(creds: { AccessKeyId?: string; SessionToken?: string } | undefined): Promise<Principal> {
  const found = await authority.findSigningKey(creds!.AccessKeyId!, creds!.SessionToken, bed.clock.now());
  assert.equal(found.status, 'found');
  return found.status === 'found' ? found.key.principal : (undefined as never);
}

describe('GetCallerIdentity', () => {
  test('answers any caller with its account, ARN and user id', async () => {
    const alice = await user('alice');
    assert.deepEqual(await call('GetCallerIdentity', {}, alice), { UserId: alice.userId, Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/alice` });
    assert.deepEqual(await call('GetCallerIdentity', {}, rootPrincipal()), { UserId: ACCOUNT, Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` });
  });
});

describe('AssumeRole', () => {
  test('refused by a trust policy that names someone else, allowed by one naming the caller', async () => {
    const alice = await user('alice');
    await user('bob');
    await createRole(bed.env, ACCOUNT, { roleName: 'deployer', assumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT}:user/bob`) });
    await expectAwsError(call('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'ci' }, alice), 'AccessDenied',
      new RegExp(`^User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`));
    await createRole(bed.env, ACCOUNT, { roleName: 'builder', assumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT}:user/alice`) });
    const out = await call('AssumeRole', { RoleArn: `arn:aws:iam::${ACCOUNT}:role/builder`, RoleSessionName: 'ci' }, alice);
    assert.match(out.Credentials?.AccessKeyId ?? '', /^ASIA[A-Z2-7]{16}$/);
    assert.equal(out.Credentials?.SecretAccessKey?.length, 40);
    assert.equal(out.Credentials?.Expiration?.getTime(), bed.clock.now() + 3600_000);
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/builder/ci`);
    assert.match(out.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z2-7]{17}:ci$/);
    assert.equal(out.PackedPolicySize, undefined);
    const session = await signer(out.Credentials);
    assert.deepEqual(await call('GetCallerIdentity', {}, session), { UserId: out.AssumedRoleUser?.AssumedRoleId, Account: ACCOUNT, Arn: out.AssumedRoleUser?.Arn });
  });

  test('a trust policy naming the account needs the caller’s own policy to allow sts:AssumeRole', async () => {
    const alice = await user('alice');
    await createRole(bed.env, ACCOUNT, { roleName: 'deployer', assumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT}:root`) });
    await expectAwsError(call('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'ci' }, alice), 'AccessDenied', /not authorized to perform: sts:AssumeRole/);
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'assume', allow('sts:AssumeRole', ROLE));
    assert.ok((await call('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'ci' }, alice)).Credentials);
  });

  test('ExternalId must be the one the trust policy asks for', async () => {
    const alice = await user('alice');
    await createRole(bed.env, ACCOUNT, {
      roleName: 'deployer', assumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT}:user/alice`, { StringEquals: { 'sts:ExternalId': 'secret-42' } }),
    });
    await expectAwsError(call('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'ci' }, alice), 'AccessDenied', /sts:AssumeRole/);
    await expectAwsError(call('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'ci', ExternalId: 'wrong' }, alice), 'AccessDenied', /sts:AssumeRole/);
    assert.ok((await call('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'ci', ExternalId: 'secret-42' }, alice)).Credentials);
  });

  test('roles may not be assumed by the root; an unknown role is refused like a forbidden one', async () => {
    await createRole(bed.env, ACCOUNT, { roleName: 'deployer', assumeRolePolicyDocument: trust(ACCOUNT) });
    await expectAwsError(call('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'ci' }, rootPrincipal()), 'AccessDenied', /^Roles may not be assumed by root accounts\.$/);
    const alice = await user('alice');
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'assume', allow('sts:AssumeRole'));
    await expectAwsError(call('AssumeRole', { RoleArn: `arn:aws:iam::${ACCOUNT}:role/ghost`, RoleSessionName: 'ci' }, alice), 'AccessDenied',
      new RegExp(`^User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNT}:role/ghost`));
  });

  test('DurationSeconds: 900 up to the role’s MaxSessionDuration; an hour at most when chaining', async () => {
    const alice = await user('alice');
    await createRole(bed.env, ACCOUNT, { roleName: 'deployer', maxSessionDuration: 7200, assumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT}:user/alice`) });
    await expectAwsError(call('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'ci', DurationSeconds: 899 }, alice), 'ValidationError',
      /^1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900/);
    await expectAwsError(call('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'ci', DurationSeconds: 7201 }, alice), 'ValidationError',
      /^The requested DurationSeconds exceeds the MaxSessionDuration set for this role\.$/);
    const out = await call('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'ci', DurationSeconds: 7200 }, alice);
    assert.equal(out.Credentials?.Expiration?.getTime(), bed.clock.now() + 7200_000);
    // Role chaining: the session assumes a role that trusts it.
    await createRole(bed.env, ACCOUNT, { roleName: 'next', assumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT}:role/deployer`) });
    const session = await signer(out.Credentials);
    const next = { RoleArn: `arn:aws:iam::${ACCOUNT}:role/next`, RoleSessionName: 'hop' };
    await expectAwsError(call('AssumeRole', { ...next, DurationSeconds: 3601 }, session), 'ValidationError',
      /^The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining\.$/);
    assert.ok((await call('AssumeRole', next, session)).Credentials);
  });

  test('session tags need sts:TagSession in the trust policy; their packed size is reported and capped', async () => {
    const alice = await user('alice');
    await createRole(bed.env, ACCOUNT, { roleName: 'deployer', assumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT}:user/alice`) });
    const tagged = { RoleArn: ROLE, RoleSessionName: 'ci', Tags: [{ Key: 'team', Value: 'web' }] };
    await expectAwsError(call('AssumeRole', tagged, alice), 'AccessDenied', /sts:TagSession/);
    const both = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
    });
    await updateAssumeRolePolicy(bed.env, ACCOUNT, 'deployer', both);
    const out = await call('AssumeRole', tagged, alice);
    assert.ok((out.PackedPolicySize ?? 0) > 0 && (out.PackedPolicySize ?? 0) <= 100);
    const noise = (i: number) => createHash('sha256').update(String(i)).digest('hex');
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `key-${i}`, Value: noise(i) + noise(i + 100) }));
    await expectAwsError(call('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'ci', Tags: many }, alice), 'PackedPolicyTooLarge',
      /^Packed policy consumes \d+% of allotted space, please use smaller policy\.$/);
    await expectAwsError(call('AssumeRole', { ...tagged, TransitiveTagKeys: ['other'] }, alice), 'ValidationError', /transitive tag key other/);
  });

  test('a malformed session policy is MalformedPolicyDocument', async () => {
    const alice = await user('alice');
    await createRole(bed.env, ACCOUNT, { roleName: 'deployer', assumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT}:user/alice`) });
    await expectAwsError(call('AssumeRole', { RoleArn: ROLE, RoleSessionName: 'ci', Policy: '{"Statement":' }, alice), 'MalformedPolicyDocument', /.+/);
  });
});

describe('GetSessionToken', () => {
  test('a user’s session acts as the user; sessions cannot make sessions; the root’s is cut to an hour', async () => {
    const alice = await user('alice');
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'read', allow('ecs:Describe*'));
    const out = await call('GetSessionToken', {}, alice);
    assert.equal(out.Credentials?.Expiration?.getTime(), bed.clock.now() + 43200_000);
    const session = await signer(out.Credentials);
    assert.deepEqual({ arn: session.arn, userId: session.userId, kind: session.kind }, { arn: alice.arn, userId: alice.userId, kind: 'user' });
    const globals = { 'aws:RequestedRegion': 'us-east-1' };
    assert.equal((await authority.authorize(session, { action: 'ecs:DescribeClusters', resource: '*' }, globals)).allowed, true);
    assert.equal((await authority.authorize(session, { action: 'ecs:RunTask', resource: '*' }, globals)).allowed, false);
    await expectAwsError(call('GetSessionToken', {}, session), 'AccessDenied', /^Cannot call GetSessionToken with session credentials$/);
    const root = await call('GetSessionToken', { DurationSeconds: 129600 }, rootPrincipal());
    assert.equal(root.Credentials?.Expiration?.getTime(), bed.clock.now() + 3600_000);
  });
});
