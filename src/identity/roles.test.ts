import { expectAwsError, expectRejected } from '../aws/testing.ts';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  addRoleToInstanceProfile, attachPolicy, createInstanceProfile, createRole, createServiceLinkedRole, createUser, deleteInstanceProfile,
  deleteRole, deleteServiceLinkedRole, getInstanceProfile, getPolicy, getRole, getServiceLinkedRoleDeletionStatus, listInstanceProfiles,
  listInstanceProfilesForRole, listRoles, putInlinePolicy, removeRoleFromInstanceProfile, tagRole, updateAssumeRolePolicy, updateRole,
  updateRoleDescription, detachPolicy, deleteInlinePolicy, listRoleTags,
} from './index.ts';
import { ACCOUNT, allow, identityTestbed, trust, type IdentityTestbed } from './testing.ts';

let bed: IdentityTestbed;
beforeEach(() => {
  bed = identityTestbed();
});
afterEach(() => bed.close());

const rejects = (call: () => Promise<unknown>, code: string, message: RegExp) => expectRejected(bed.store, call, code, message);

describe('roles', () => {
  test('CreateRole keeps the trust policy as given, defaults MaxSessionDuration to an hour, makes an AROA id', async () => {
    const doc = trust(`arn:aws:iam::${ACCOUNT}:root`);
    const role = await createRole(bed.env, ACCOUNT, { roleName: 'App', path: '/svc/', assumeRolePolicyDocument: doc, description: 'app role' });
    assert.equal(role.arn, 'arn:aws:iam::123456789012:role/svc/App');
    assert.match(role.roleId, /^AROA[A-Z2-7]{17}$/);
    assert.equal(role.assumeRolePolicyDocument, doc);
    assert.equal(role.maxSessionDuration, 3600);
    assert.equal(role.lastUsed, undefined);
    await rejects(() => createRole(bed.env, ACCOUNT, { roleName: 'app', assumeRolePolicyDocument: doc }), 'EntityAlreadyExists', /^Role with name app already exists\.$/);
    await expectAwsError(getRole(bed.env, ACCOUNT, 'nope'), 'NoSuchEntity', /^The role with name nope cannot be found\.$/);
  });

  test('trust policies are checked: trust grammar, principals that exist, 2,048 characters', async () => {
    await rejects(() => createRole(bed.env, ACCOUNT, { roleName: 'r', assumeRolePolicyDocument: allow('ecs:*') }), 'MalformedPolicyDocument', /.+/);
    await rejects(
      () => createRole(bed.env, ACCOUNT, { roleName: 'r', assumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT}:user/ghost`) }),
      'MalformedPolicyDocument', /Invalid principal in policy/,
    );
    await createUser(bed.env, ACCOUNT, { userName: 'alice' });
    await createRole(bed.env, ACCOUNT, { roleName: 'r', assumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT}:user/alice`) });
    const long = trust(ACCOUNT, { StringEquals: { 'sts:ExternalId': 'x'.repeat(2100) } });
    await rejects(() => updateAssumeRolePolicy(bed.env, ACCOUNT, 'r', long), 'LimitExceeded', /^Cannot exceed quota for ACLSizePerRole: 2048$/);
    await updateAssumeRolePolicy(bed.env, ACCOUNT, 'r', trust({ Service: 'ecs-tasks.amazonaws.com' }));
    assert.match((await getRole(bed.env, ACCOUNT, 'r')).assumeRolePolicyDocument, /ecs-tasks/);
  });

  test('UpdateRole and UpdateRoleDescription; ListRoles pages by name', async () => {
    for (const name of ['c', 'a', 'b']) await createRole(bed.env, ACCOUNT, { roleName: name, assumeRolePolicyDocument: trust(ACCOUNT) });
    await updateRole(bed.env, ACCOUNT, 'a', { maxSessionDuration: 7200, description: 'x' });
    const a = await updateRoleDescription(bed.env, ACCOUNT, 'a', 'y');
    assert.deepEqual([a.maxSessionDuration, a.description], [7200, 'y']);
    const first = await listRoles(bed.env, ACCOUNT, { maxItems: 2 });
    assert.deepEqual(first.items.map((r) => r.roleName), ['a', 'b']);
    assert.deepEqual((await listRoles(bed.env, ACCOUNT, { marker: first.marker })).items.map((r) => r.roleName), ['c']);
  });

  test('DeleteRole refuses while in an instance profile or with policies', async () => {
    await createRole(bed.env, ACCOUNT, { roleName: 'app', assumeRolePolicyDocument: trust(ACCOUNT) });
    await createInstanceProfile(bed.env, ACCOUNT, { instanceProfileName: 'hosts' });
    await addRoleToInstanceProfile(bed.env, ACCOUNT, 'hosts', 'app');
    await putInlinePolicy(bed.env, ACCOUNT, 'role', 'app', 'p', allow('ecs:*'));
    await attachPolicy(bed.env, ACCOUNT, 'role', 'app', 'arn:aws:iam::aws:policy/ReadOnlyAccess');
    const del = () => deleteRole(bed.env, ACCOUNT, 'app');
    await rejects(del, 'DeleteConflict', /^Cannot delete entity, must remove roles from instance profile first\.$/);
    await removeRoleFromInstanceProfile(bed.env, ACCOUNT, 'hosts', 'app');
    await rejects(del, 'DeleteConflict', /^Cannot delete entity, must detach all policies first\.$/);
    await detachPolicy(bed.env, ACCOUNT, 'role', 'app', 'arn:aws:iam::aws:policy/ReadOnlyAccess');
    await rejects(del, 'DeleteConflict', /^Cannot delete entity, must delete policies first\.$/);
    await deleteInlinePolicy(bed.env, ACCOUNT, 'role', 'app', 'p');
    await del();
  });

  test('role tags ignore the case of keys', async () => {
    await createRole(bed.env, ACCOUNT, { roleName: 'app', assumeRolePolicyDocument: trust(ACCOUNT), tags: [{ key: 'Env', value: 'dev' }] });
    await tagRole(bed.env, ACCOUNT, 'app', [{ key: 'env', value: 'prod' }]);
    assert.deepEqual((await listRoleTags(bed.env, ACCOUNT, 'app', {})).items, [{ key: 'env', value: 'prod' }]);
  });
});

describe('service-linked roles', () => {
  test('ECS’s role: its name, path, trust, managed policy; protected; deleted by DeleteServiceLinkedRole', async () => {
    const role = await createServiceLinkedRole(bed.env, ACCOUNT, { awsServiceName: 'ecs.amazonaws.com' });
    assert.equal(role.roleName, 'AWSServiceRoleForECS');
    assert.equal(role.arn, 'arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS');
    assert.deepEqual(JSON.parse(role.assumeRolePolicyDocument).Statement[0].Principal, { Service: ['ecs.amazonaws.com'] });
    const policyArn = 'arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy';
    assert.equal((await getPolicy(bed.env, ACCOUNT, policyArn)).attachmentCount, 1);
    await rejects(() => createServiceLinkedRole(bed.env, ACCOUNT, { awsServiceName: 'ecs.amazonaws.com' }), 'InvalidInput',
      /^Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix\.$/);
    await rejects(() => deleteRole(bed.env, ACCOUNT, 'AWSServiceRoleForECS'), 'UnmodifiableEntity',
      /^Cannot perform the operation on the protected role 'AWSServiceRoleForECS' - this role is only modifiable by AWS$/);
    await rejects(() => putInlinePolicy(bed.env, ACCOUNT, 'role', 'AWSServiceRoleForECS', 'p', allow('*')), 'UnmodifiableEntity', /protected role/);
    await rejects(() => createServiceLinkedRole(bed.env, ACCOUNT, { awsServiceName: 'lambda.amazonaws.com' }), 'InvalidInput', /lambda\.amazonaws\.com/);
    const task = await deleteServiceLinkedRole(bed.env, ACCOUNT, 'AWSServiceRoleForECS');
    assert.match(task, /^task\/aws-service-role\/ecs\.amazonaws\.com\/AWSServiceRoleForECS\/[0-9a-f-]+$/);
    assert.equal(await getServiceLinkedRoleDeletionStatus(bed.env, ACCOUNT, task), 'SUCCEEDED');
    assert.equal((await getPolicy(bed.env, ACCOUNT, policyArn)).attachmentCount, 0);
  });
});

describe('instance profiles', () => {
  test('one role each; listed with their role; deleted once empty', async () => {
    await createRole(bed.env, ACCOUNT, { roleName: 'app', assumeRolePolicyDocument: trust(ACCOUNT) });
    await createRole(bed.env, ACCOUNT, { roleName: 'other', assumeRolePolicyDocument: trust(ACCOUNT) });
    const p = await createInstanceProfile(bed.env, ACCOUNT, { instanceProfileName: 'Hosts', path: '/ecs/' });
    assert.match(p.instanceProfileId, /^AIPA[A-Z2-7]{17}$/);
    assert.equal(p.arn, 'arn:aws:iam::123456789012:instance-profile/ecs/Hosts');
    await rejects(() => createInstanceProfile(bed.env, ACCOUNT, { instanceProfileName: 'hosts' }), 'EntityAlreadyExists', /^Instance Profile hosts already exists\.$/);
    await addRoleToInstanceProfile(bed.env, ACCOUNT, 'hosts', 'app');
    await rejects(() => addRoleToInstanceProfile(bed.env, ACCOUNT, 'hosts', 'other'), 'LimitExceeded', /^Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1$/);
    assert.deepEqual((await getInstanceProfile(bed.env, ACCOUNT, 'HOSTS')).roles.map((r) => r.roleName), ['app']);
    assert.deepEqual((await listInstanceProfilesForRole(bed.env, ACCOUNT, 'app', {})).items.map((x) => x.instanceProfileName), ['Hosts']);
    assert.deepEqual((await listInstanceProfiles(bed.env, ACCOUNT, { pathPrefix: '/ecs/' })).items.length, 1);
    await rejects(() => deleteInstanceProfile(bed.env, ACCOUNT, 'hosts'), 'DeleteConflict', /must remove roles from instance profile first/);
    await removeRoleFromInstanceProfile(bed.env, ACCOUNT, 'hosts', 'app');
    await deleteInstanceProfile(bed.env, ACCOUNT, 'hosts');
    await expectAwsError(getInstanceProfile(bed.env, ACCOUNT, 'hosts'), 'NoSuchEntity', /^Instance Profile hosts cannot be found\.$/);
  });
});
