import type { IamOperations, Principal } from '../../aws/index.ts';
import { expectAwsError } from '../../aws/testing.ts';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createAccessKey, createUser, IamAuthority, putInlinePolicy } from '../../identity/index.ts';
import { ACCOUNT, allow, callOperation, deny, identityTestbed, rootPrincipal, trust, type IdentityTestbed } from '../../identity/testing.ts';
import { iamService } from './index.ts';

let bed: IdentityTestbed;
let authority: IamAuthority;
let iam: ReturnType<typeof iamService>;

beforeEach(async () => {
  bed = identityTestbed();
  authority = await IamAuthority.open(bed.env);
  iam = iamService(bed.env);
});
afterEach(async () => {
  await authority.settled();
  authority.close();
  await bed.close();
});

const root = rootPrincipal();
const call = <K extends keyof IamOperations & string>(op: K, input: IamOperations[K]['input'], as: Principal = root) =>
  callOperation(authority, iam, op, input, as);

async function signedInUser(name: string, path?: string): Promise<Principal> {
  await createUser(bed.env, ACCOUNT, { userName: name, path });
  const key = await createAccessKey(bed.env, ACCOUNT, name);
  const found = await authority.findSigningKey(key.accessKeyId, undefined, bed.clock.now());
  return found.status === 'found' ? found.key.principal : (undefined as never);
}

describe('the IAM API’s handlers', () => {
  test('CreateUser answers the SDK’s User shape; bad names are ValidationError in AWS’s words', async () => {
    const out = await call('CreateUser', { UserName: 'alice', Path: '/eng/', Tags: [{ Key: 'team', Value: 'web' }] });
    assert.deepEqual(out.User, {
      Path: '/eng/', UserName: 'alice', UserId: out.User?.UserId, Arn: `arn:aws:iam::${ACCOUNT}:user/eng/alice`,
      CreateDate: new Date(bed.clock.now()), Tags: [{ Key: 'team', Value: 'web' }],
    });
    await expectAwsError(call('CreateUser', { UserName: 'bad name' }), 'ValidationError',
      /^1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\w\+=,\.@-\]\+$/);
    const listed = await call('ListUsers', {});
    assert.equal(listed.Users?.[0].Tags, undefined, 'ListUsers leaves tags out, as IAM does');
    assert.equal(listed.IsTruncated, false);
  });

  test('GetUser without a name is the caller: a user, the root, or refused for a role session', async () => {
    const alice = await signedInUser('alice');
    await expectAwsError(call('GetUser', {}, alice), 'AccessDenied', /iam:GetUser on resource: arn:aws:iam::123456789012:user\/alice/);
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'self', allow('iam:GetUser', alice.arn));
    assert.equal((await call('GetUser', {}, alice)).User?.Arn, alice.arn);
    const rootUser = (await call('GetUser', {})).User;
    assert.deepEqual([rootUser?.UserId, rootUser?.Arn, rootUser?.UserName], [ACCOUNT, `arn:aws:iam::${ACCOUNT}:root`, undefined]);
    const session: Principal = { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/r/s`, account: ACCOUNT, userId: 'AROAEXAMPLE:s', kind: 'assumed-role' };
    await expectAwsError(iam.operations.GetUser!.handler({}, { ...ctxFor(session) }), 'ValidationError', /^Must specify userName when calling with non-User credentials$/);
  });

  test('operations are authorized on the entity’s real ARN, path included', async () => {
    const alice = await signedInUser('alice');
    await createUser(bed.env, ACCOUNT, { userName: 'eng1', path: '/eng/' });
    await createUser(bed.env, ACCOUNT, { userName: 'ops1' });
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'eng', allow('iam:GetUser', `arn:aws:iam::${ACCOUNT}:user/eng/*`));
    assert.equal((await call('GetUser', { UserName: 'eng1' }, alice)).User?.UserName, 'eng1');
    await expectAwsError(call('GetUser', { UserName: 'ops1' }, alice), 'AccessDenied',
      new RegExp(`^User: ${alice.arn} is not authorized to perform: iam:GetUser on resource: arn:aws:iam::${ACCOUNT}:user/ops1 because no identity-based policy allows the iam:GetUser action$`));
  });

  test('CreateUser may be allowed only with a given request tag', async () => {
    const alice = await signedInUser('alice');
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'tagged', allow('iam:CreateUser', '*', { StringEquals: { 'aws:RequestTag/team': 'web' } }));
    await expectAwsError(call('CreateUser', { UserName: 'bob' }, alice), 'AccessDenied', /iam:CreateUser/);
    assert.ok((await call('CreateUser', { UserName: 'bob', Tags: [{ Key: 'team', Value: 'web' }] }, alice)).User);
  });

  test('policy documents come back URL-encoded (trust, inline, versions)', async () => {
    const doc = trust(`arn:aws:iam::${ACCOUNT}:root`);
    const role = (await call('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: doc })).Role;
    assert.match(role?.AssumeRolePolicyDocument ?? '', /^%7B%22Version%22%3A%222012-10-17%22/);
    assert.equal(decodeURIComponent(role?.AssumeRolePolicyDocument ?? ''), doc);
    assert.deepEqual((await call('GetRole', { RoleName: 'app' })).Role?.RoleLastUsed, {});
    await call('PutRolePolicy', { RoleName: 'app', PolicyName: 'p', PolicyDocument: allow('ecs:*') });
    const inline = await call('GetRolePolicy', { RoleName: 'APP', PolicyName: 'p' });
    assert.deepEqual({ ...inline, PolicyDocument: decodeURIComponent(inline.PolicyDocument ?? '') }, { RoleName: 'app', PolicyName: 'p', PolicyDocument: allow('ecs:*') });
    const policy = (await call('CreatePolicy', { PolicyName: 'p', PolicyDocument: allow('ecs:List*') })).Policy;
    const version = (await call('GetPolicyVersion', { PolicyArn: policy?.Arn, VersionId: 'v1' })).PolicyVersion;
    assert.equal(decodeURIComponent(version?.Document ?? ''), allow('ecs:List*'));
    assert.equal((await call('CreatePolicyVersion', { PolicyArn: policy?.Arn, PolicyDocument: allow('ecs:*') })).PolicyVersion?.Document, undefined);
  });

  test('access keys without a user name are the caller’s; the root’s own key is never listed', async () => {
    const alice = await signedInUser('alice');
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'keys', allow('iam:*AccessKey*', alice.arn));
    await call('DeleteAccessKey', { AccessKeyId: alice.accessKeyId }, alice);
    const created = (await call('CreateAccessKey', {}, alice)).AccessKey;
    assert.equal(created?.UserName, 'alice');
    assert.equal(created?.SecretAccessKey?.length, 40);
    assert.deepEqual((await call('ListAccessKeys', {}, alice)).AccessKeyMetadata?.map((k) => k.AccessKeyId), [created?.AccessKeyId]);
    assert.deepEqual(await call('ListAccessKeys', {}), { AccessKeyMetadata: [], IsTruncated: false });
    assert.deepEqual((await call('GetAccessKeyLastUsed', { AccessKeyId: created?.AccessKeyId })).AccessKeyLastUsed, { ServiceName: 'N/A', Region: 'N/A' });
  });

  test('ListEntitiesForPolicy and GetAccountSummary', async () => {
    await call('CreateUser', { UserName: 'alice' });
    await call('CreateGroup', { GroupName: 'devs' });
    await call('AttachUserPolicy', { UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    await call('AttachGroupPolicy', { GroupName: 'devs', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    const users = await call('ListEntitiesForPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    assert.deepEqual(users.PolicyUsers?.map((u) => u.UserName), ['alice']);
    assert.deepEqual(users.PolicyGroups?.map((g) => g.GroupName), ['devs']);
    assert.deepEqual(users.PolicyRoles, []);
    const summary = (await call('GetAccountSummary', {})).SummaryMap;
    assert.equal(summary?.Users, 1);
    assert.equal(summary?.Groups, 1);
    assert.equal(summary?.AccessKeysPerUserQuota, 2);
  });

  test('CreateServiceLinkedRole for ECS', async () => {
    const role = (await call('CreateServiceLinkedRole', { AWSServiceName: 'ecs.amazonaws.com' })).Role;
    assert.equal(role?.Arn, `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`);
    assert.deepEqual((await call('ListAttachedRolePolicies', { RoleName: 'AWSServiceRoleForECS' })).AttachedPolicies,
      [{ PolicyName: 'AmazonECSServiceRolePolicy', PolicyArn: 'arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy' }]);
  });

  test('SimulatePrincipalPolicy: allowed, explicitDeny and implicitDeny with the statements that decided', async () => {
    await call('CreateUser', { UserName: 'alice' });
    await call('PutUserPolicy', { UserName: 'alice', PolicyName: 'read', PolicyDocument: allow(['ecs:Describe*', 'ecs:RunTask']) });
    await call('PutUserPolicy', { UserName: 'alice', PolicyName: 'no-run', PolicyDocument: deny('ecs:RunTask') });
    const out = await call('SimulatePrincipalPolicy', {
      PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/alice`, ActionNames: ['ecs:DescribeClusters', 'ecs:RunTask', 's3:GetObject'],
    });
    assert.deepEqual(out.EvaluationResults?.map((r) => [r.EvalActionName, r.EvalDecision, r.MatchedStatements?.map((m) => `${m.SourcePolicyType}:${m.SourcePolicyId}`)]), [
      ['ecs:DescribeClusters', 'allowed', ['user:read']],
      ['ecs:RunTask', 'explicitDeny', ['user:no-run']],
      ['s3:GetObject', 'implicitDeny', []],
    ]);
    const custom = await call('SimulateCustomPolicy', { PolicyInputList: [allow('ecs:List*')], ActionNames: ['ecs:ListClusters'] });
    assert.deepEqual(custom.EvaluationResults?.map((r) => [r.EvalDecision, r.MatchedStatements?.[0]?.SourcePolicyId]), [['allowed', 'PolicyInputList.1']]);
  });
});

/** A context for calling a handler directly (no authorization). */
function ctxFor(principal: Principal) {
  return {
    requestId: 'req-1', region: 'us-east-1', account: principal.account, principal, sourceIp: '127.0.0.1',
    authorize: async () => undefined,
  };
}
