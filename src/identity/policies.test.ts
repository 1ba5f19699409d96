import { expectAwsError, expectRejected } from '../aws/testing.ts';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  attachPolicy, createGroup, createPolicy, createPolicyVersion, createRole, createUser, deleteInlinePolicy, deletePermissionsBoundary,
  deletePolicy, deletePolicyVersion, detachPolicy, getInlinePolicy, getPolicy, getPolicyVersion, getUser, listAttachedPolicies,
  listEntitiesForPolicy, listInlinePolicies, listPolicies, listPolicyVersions, putInlinePolicy, putPermissionsBoundary,
  setDefaultPolicyVersion, tagPolicy, listPolicyTags,
} from './index.ts';
import { ACCOUNT, allow, identityTestbed, trust, type IdentityTestbed } from './testing.ts';

let bed: IdentityTestbed;
beforeEach(() => {
  bed = identityTestbed();
});
afterEach(() => bed.close());

const rejects = (call: () => Promise<unknown>, code: string, message: RegExp) => expectRejected(bed.store, call, code, message);
const ARN = 'arn:aws:iam::123456789012:policy/team/Ecs';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

describe('customer managed policies', () => {
  test('CreatePolicy makes v1 the default, with an ANPA id and the ARN with its path', async () => {
    const p = await createPolicy(bed.env, ACCOUNT, { policyName: 'Ecs', path: '/team/', policyDocument: allow('ecs:*'), description: 'ECS' });
    assert.equal(p.arn, ARN);
    assert.match(p.policyId, /^ANPA[A-Z2-7]{17}$/);
    assert.equal(p.defaultVersionId, 'v1');
    assert.equal(p.attachmentCount, 0);
    assert.equal((await getPolicyVersion(bed.env, ACCOUNT, ARN, 'v1')).document, allow('ecs:*'));
    await rejects(() => createPolicy(bed.env, ACCOUNT, { policyName: 'ECS', policyDocument: allow('s3:*') }), 'EntityAlreadyExists',
      /^A policy called ECS already exists\. Duplicate names are not allowed\.$/);
    await expectAwsError(getPolicy(bed.env, ACCOUNT, 'arn:aws:iam::123456789012:policy/Ecs'), 'NoSuchEntity', /^Policy arn:aws:iam::123456789012:policy\/Ecs was not found\.$/);
  });

  test('bad documents are MalformedPolicyDocument; managed policies must be 2012-10-17 and fit 6,144 characters', async () => {
    await rejects(() => createPolicy(bed.env, ACCOUNT, { policyName: 'x', policyDocument: '{not json' }), 'MalformedPolicyDocument', /.+/);
    const old = JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:*', Resource: '*' }] });
    await rejects(() => createPolicy(bed.env, ACCOUNT, { policyName: 'x', policyDocument: old }), 'MalformedPolicyDocument', /2012-10-17/);
    const big = allow(Array.from({ length: 700 }, (_, i) => `ecs:Action${i}`));
    await rejects(() => createPolicy(bed.env, ACCOUNT, { policyName: 'x', policyDocument: big }), 'LimitExceeded', /^Cannot exceed quota for PolicySize: 6144$/);
  });

  test('versions: at most five, ids never reused, the default cannot be deleted, newest listed first', async () => {
    await createPolicy(bed.env, ACCOUNT, { policyName: 'Ecs', path: '/team/', policyDocument: allow('ecs:List*') });
    for (let i = 2; i <= 5; i++) await createPolicyVersion(bed.env, ACCOUNT, ARN, allow(`ecs:Describe${i}`), i === 5);
    assert.equal((await getPolicy(bed.env, ACCOUNT, ARN)).defaultVersionId, 'v5');
    await rejects(() => createPolicyVersion(bed.env, ACCOUNT, ARN, allow('ecs:*'), false), 'LimitExceeded',
      /^A managed policy can have up to 5 versions\. Before you create a new version, you must delete an existing version\.$/);
    await rejects(() => deletePolicyVersion(bed.env, ACCOUNT, ARN, 'v5'), 'DeleteConflict', /^Cannot delete the default version of a policy\.$/);
    await deletePolicyVersion(bed.env, ACCOUNT, ARN, 'v1');
    const v6 = await createPolicyVersion(bed.env, ACCOUNT, ARN, allow('ecs:*'), false);
    assert.equal(v6.versionId, 'v6');
    assert.equal(v6.isDefaultVersion, false);
    const listed = await listPolicyVersions(bed.env, ACCOUNT, ARN, {});
    assert.deepEqual(listed.items.map((v) => [v.versionId, v.isDefaultVersion]), [['v6', false], ['v5', true], ['v4', false], ['v3', false], ['v2', false]]);
    const paged = await listPolicyVersions(bed.env, ACCOUNT, ARN, { maxItems: 2 });
    assert.deepEqual((await listPolicyVersions(bed.env, ACCOUNT, ARN, { marker: paged.marker })).items.map((v) => v.versionId), ['v4', 'v3', 'v2']);
    await setDefaultPolicyVersion(bed.env, ACCOUNT, ARN, 'v2');
    assert.equal((await getPolicy(bed.env, ACCOUNT, ARN)).defaultVersionId, 'v2');
    await rejects(() => setDefaultPolicyVersion(bed.env, ACCOUNT, ARN, 'v1'), 'NoSuchEntity', /version v1 does not exist/);
  });

  test('DeletePolicy refuses an attached policy and one with versions left', async () => {
    await createPolicy(bed.env, ACCOUNT, { policyName: 'Ecs', path: '/team/', policyDocument: allow('ecs:*') });
    await createUser(bed.env, ACCOUNT, { userName: 'alice' });
    await attachPolicy(bed.env, ACCOUNT, 'user', 'alice', ARN);
    assert.equal((await getPolicy(bed.env, ACCOUNT, ARN)).attachmentCount, 1);
    await rejects(() => deletePolicy(bed.env, ACCOUNT, ARN), 'DeleteConflict', /^Cannot delete a policy attached to entities\.$/);
    await detachPolicy(bed.env, ACCOUNT, 'user', 'alice', ARN);
    await createPolicyVersion(bed.env, ACCOUNT, ARN, allow('ecs:List*'), false);
    await rejects(() => deletePolicy(bed.env, ACCOUNT, ARN), 'DeleteConflict', /^This policy has more than one version\./);
    await deletePolicyVersion(bed.env, ACCOUNT, ARN, 'v2');
    await deletePolicy(bed.env, ACCOUNT, ARN);
    await expectAwsError(getPolicy(bed.env, ACCOUNT, ARN), 'NoSuchEntity', /was not found/);
  });

  test('policy tags keep their case', async () => {
    await createPolicy(bed.env, ACCOUNT, { policyName: 'Ecs', path: '/team/', policyDocument: allow('ecs:*'), tags: [{ key: 'Cost', value: '1' }] });
    await tagPolicy(bed.env, ACCOUNT, ARN, [{ key: 'cost', value: '2' }]);
    assert.deepEqual((await listPolicyTags(bed.env, ACCOUNT, ARN, {})).items, [{ key: 'Cost', value: '1' }, { key: 'cost', value: '2' }]);
  });
});

describe('AWS managed policies', () => {
  test('are listed with the account’s attachment counts, read-only, and attachable', async () => {
    await createUser(bed.env, ACCOUNT, { userName: 'alice' });
    await attachPolicy(bed.env, ACCOUNT, 'user', 'alice', READ_ONLY);
    const p = await getPolicy(bed.env, ACCOUNT, READ_ONLY);
    assert.equal(p.attachmentCount, 1);
    assert.equal(p.isAttachable, true);
    const aws = await listPolicies(bed.env, ACCOUNT, { scope: 'AWS', onlyAttached: true });
    assert.deepEqual(aws.items.map((x) => x.arn), [READ_ONLY]);
    assert.ok((await listPolicies(bed.env, ACCOUNT, { scope: 'AWS' })).items.length > 1);
    assert.deepEqual((await listPolicies(bed.env, ACCOUNT, { scope: 'Local' })).items, []);
    await rejects(() => createPolicyVersion(bed.env, ACCOUNT, READ_ONLY, allow('*'), true), 'UnmodifiableEntity', /AWS managed/);
    await rejects(() => deletePolicy(bed.env, ACCOUNT, READ_ONLY), 'UnmodifiableEntity', /AWS managed/);
    assert.equal((await getPolicyVersion(bed.env, ACCOUNT, READ_ONLY, p.defaultVersionId)).isDefaultVersion, true);
  });
});

describe('attachments and boundaries', () => {
  test('attach is idempotent, detach of an unattached policy is NoSuchEntity, ten at most', async () => {
    await createRole(bed.env, ACCOUNT, { roleName: 'app', assumeRolePolicyDocument: trust(ACCOUNT) });
    await attachPolicy(bed.env, ACCOUNT, 'role', 'app', READ_ONLY);
    await attachPolicy(bed.env, ACCOUNT, 'role', 'APP', READ_ONLY);
    assert.deepEqual((await listAttachedPolicies(bed.env, ACCOUNT, 'role', 'app', {})).items, [{ policyName: 'ReadOnlyAccess', policyArn: READ_ONLY }]);
    assert.equal((await getPolicy(bed.env, ACCOUNT, READ_ONLY)).attachmentCount, 1);
    await rejects(() => detachPolicy(bed.env, ACCOUNT, 'role', 'app', 'arn:aws:iam::aws:policy/AdministratorAccess'), 'NoSuchEntity',
      /^Policy arn:aws:iam::aws:policy\/AdministratorAccess was not found\.$/);
    await rejects(() => attachPolicy(bed.env, ACCOUNT, 'role', 'app', 'arn:aws:iam::123456789012:policy/nope'), 'NoSuchEntity',
      /^Policy arn:aws:iam::123456789012:policy\/nope does not exist or is not attachable\.$/);
    for (let i = 0; i < 9; i++) {
      await createPolicy(bed.env, ACCOUNT, { policyName: `p${i}`, policyDocument: allow('ecs:List*') });
      await attachPolicy(bed.env, ACCOUNT, 'role', 'app', `arn:aws:iam::123456789012:policy/p${i}`);
    }
    await createPolicy(bed.env, ACCOUNT, { policyName: 'p9', policyDocument: allow('ecs:List*') });
    await rejects(() => attachPolicy(bed.env, ACCOUNT, 'role', 'app', 'arn:aws:iam::123456789012:policy/p9'), 'LimitExceeded', /^Cannot exceed quota for PoliciesPerRole: 10$/);
  });

  test('permissions boundaries are counted and listed among a policy’s entities', async () => {
    await createUser(bed.env, ACCOUNT, { userName: 'alice', permissionsBoundary: READ_ONLY });
    await createGroup(bed.env, ACCOUNT, { groupName: 'devs' });
    await attachPolicy(bed.env, ACCOUNT, 'group', 'devs', READ_ONLY);
    assert.equal((await getUser(bed.env, ACCOUNT, 'alice')).permissionsBoundary, READ_ONLY);
    const p = await getPolicy(bed.env, ACCOUNT, READ_ONLY);
    assert.deepEqual([p.attachmentCount, p.permissionsBoundaryUsageCount], [1, 1]);
    const all = await listEntitiesForPolicy(bed.env, ACCOUNT, READ_ONLY, {});
    assert.deepEqual(all.items.map((e) => `${e.kind}:${e.name}`), ['group:devs', 'user:alice']);
    const bounds = await listEntitiesForPolicy(bed.env, ACCOUNT, READ_ONLY, { usage: 'PermissionsBoundary' });
    assert.deepEqual(bounds.items.map((e) => e.name), ['alice']);
    await deletePermissionsBoundary(bed.env, ACCOUNT, 'user', 'alice');
    await putPermissionsBoundary(bed.env, ACCOUNT, 'user', 'alice', 'arn:aws:iam::aws:policy/AdministratorAccess');
    assert.equal((await getPolicy(bed.env, ACCOUNT, READ_ONLY)).permissionsBoundaryUsageCount, 0);
    await rejects(() => putPermissionsBoundary(bed.env, ACCOUNT, 'user', 'alice', 'arn:aws:iam::aws:policy/Nope'), 'NoSuchEntity', /not attachable/);
  });
});

describe('inline policies', () => {
  test('put, get (as stored), list, delete; unknown names in IAM words', async () => {
    await createUser(bed.env, ACCOUNT, { userName: 'alice' });
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'b', allow('ecs:List*'));
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'a', allow('ecs:Describe*'));
    assert.deepEqual(await getInlinePolicy(bed.env, ACCOUNT, 'user', 'ALICE', 'a'), { entityName: 'alice', document: allow('ecs:Describe*') });
    assert.deepEqual((await listInlinePolicies(bed.env, ACCOUNT, 'user', 'alice', {})).items, ['a', 'b']);
    await deleteInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'a');
    await expectAwsError(getInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'a'), 'NoSuchEntity', /^The user policy with name a cannot be found\.$/);
    await rejects(() => deleteInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'a'), 'NoSuchEntity', /^The user policy with name a cannot be found\.$/);
    await rejects(() => putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'bad', '{"Statement": 3}'), 'MalformedPolicyDocument', /.+/);
  });

  test('a user’s inline policies share 2,048 characters (white space not counted)', async () => {
    await createUser(bed.env, ACCOUNT, { userName: 'alice' });
    const actions = (n: number) => Array.from({ length: n }, (_, i) => `ecs:DescribeThing${i}`);
    const spaced = JSON.stringify(JSON.parse(allow(actions(40))), null, 8);
    assert.ok(spaced.length > 2048, 'the document is long only with its white space');
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'one', spaced);
    await rejects(() => putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'two', allow(actions(60))), 'LimitExceeded',
      /^Maximum policy size of 2048 bytes exceeded for user alice$/);
  });
});
