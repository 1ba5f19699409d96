import { expectAwsError, expectRejected } from '../aws/testing.ts';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { randomIds } from '../common/index.ts';
import {
  addUserToGroup, attachPolicy, createAccessKey, deleteInlinePolicy, detachPolicy, createGroup, createUser, deleteAccessKey, deleteGroup, deleteUser, ensureRootAccessKey,
  getAccessKeyLastUsed, getGroup, getUser, listAccessKeys, listGroupsForUser, listUsers, listUserTags, putInlinePolicy, removeUserFromGroup,
  tagUser, untagUser, updateAccessKey, updateUser, iamKeys,
} from './index.ts';
import { ACCOUNT, allow, identityTestbed, type IdentityTestbed } from './testing.ts';

let bed: IdentityTestbed;
beforeEach(() => {
  bed = identityTestbed();
});
afterEach(() => bed.close());

const rejects = (call: () => Promise<unknown>, code: string, message: RegExp) => expectRejected(bed.store, call, code, message);

describe('users', () => {
  test('CreateUser makes an AIDA id, the ARN with its path, and keeps tags', async () => {
    const user = await createUser(bed.env, ACCOUNT, { userName: 'Alice', path: '/eng/', tags: [{ key: 'team', value: 'web' }] });
    assert.match(user.userId, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(user.arn, 'arn:aws:iam::123456789012:user/eng/Alice');
    assert.equal(user.createDate.getTime(), bed.clock.now());
    assert.deepEqual(user.tags, [{ key: 'team', value: 'web' }]);
    assert.deepEqual(await getUser(bed.env, ACCOUNT, 'alice'), user, 'names are found whatever their case');
  });

  test('names are unique whatever their case; unknown names are NoSuchEntity', async () => {
    await createUser(bed.env, ACCOUNT, { userName: 'alice' });
    await rejects(() => createUser(bed.env, ACCOUNT, { userName: 'ALICE' }), 'EntityAlreadyExists', /^User with name ALICE already exists\.$/);
    await expectAwsError(getUser(bed.env, ACCOUNT, 'bob'), 'NoSuchEntity', /^The user with name bob cannot be found\.$/);
  });

  test('ListUsers filters by path prefix and pages with Marker/MaxItems in name order', async () => {
    for (const name of ['e', 'b', 'd', 'a', 'c']) await createUser(bed.env, ACCOUNT, { userName: name, path: name < 'c' ? '/x/' : '/' });
    const first = await listUsers(bed.env, ACCOUNT, { maxItems: 2 });
    assert.deepEqual(first.items.map((u) => u.userName), ['a', 'b']);
    assert.equal(first.isTruncated, true);
    const second = await listUsers(bed.env, ACCOUNT, { maxItems: 2, marker: first.marker });
    assert.deepEqual(second.items.map((u) => u.userName), ['c', 'd']);
    const last = await listUsers(bed.env, ACCOUNT, { maxItems: 2, marker: second.marker });
    assert.deepEqual(last.items.map((u) => u.userName), ['e']);
    assert.equal(last.isTruncated, false);
    assert.equal(last.marker, undefined);
    assert.deepEqual((await listUsers(bed.env, ACCOUNT, { pathPrefix: '/x/' })).items.map((u) => u.userName), ['a', 'b']);
  });

  test('UpdateUser renames (keys follow) and moves; a taken name is refused', async () => {
    await createUser(bed.env, ACCOUNT, { userName: 'alice' });
    await createUser(bed.env, ACCOUNT, { userName: 'bob' });
    const key = await createAccessKey(bed.env, ACCOUNT, 'alice');
    await rejects(() => updateUser(bed.env, ACCOUNT, 'alice', { newUserName: 'BOB' }), 'EntityAlreadyExists', /User with name BOB already exists/);
    await updateUser(bed.env, ACCOUNT, 'alice', { newUserName: 'carol', newPath: '/ops/' });
    await expectAwsError(getUser(bed.env, ACCOUNT, 'alice'), 'NoSuchEntity', /alice/);
    const carol = await getUser(bed.env, ACCOUNT, 'carol');
    assert.equal(carol.arn, 'arn:aws:iam::123456789012:user/ops/carol');
    assert.deepEqual((await listAccessKeys(bed.env, ACCOUNT, 'carol', {})).items.map((k) => [k.accessKeyId, k.userName]), [[key.accessKeyId, 'carol']]);
  });

  test('DeleteUser refuses while policies, groups or keys hang off the user, in IAM words', async () => {
    await createUser(bed.env, ACCOUNT, { userName: 'alice' });
    await createGroup(bed.env, ACCOUNT, { groupName: 'devs' });
    await putInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'inline', allow('ecs:List*'));
    await attachPolicy(bed.env, ACCOUNT, 'user', 'alice', 'arn:aws:iam::aws:policy/ReadOnlyAccess');
    await addUserToGroup(bed.env, ACCOUNT, 'devs', 'alice');
    const key = await createAccessKey(bed.env, ACCOUNT, 'alice');
    const del = () => deleteUser(bed.env, ACCOUNT, 'alice');
    await rejects(del, 'DeleteConflict', /^Cannot delete entity, must delete policies first\.$/);
    await deleteInlinePolicy(bed.env, ACCOUNT, 'user', 'alice', 'inline');
    await rejects(del, 'DeleteConflict', /^Cannot delete entity, must detach all policies first\.$/);
    await detachPolicy(bed.env, ACCOUNT, 'user', 'alice', 'arn:aws:iam::aws:policy/ReadOnlyAccess');
    await rejects(del, 'DeleteConflict', /^Cannot delete entity, must remove users from group first\.$/);
    await removeUserFromGroup(bed.env, ACCOUNT, 'devs', 'alice');
    await rejects(del, 'DeleteConflict', /^Cannot delete entity, must delete access keys first\.$/);
    await deleteAccessKey(bed.env, ACCOUNT, 'alice', key.accessKeyId);
    await del();
    await expectAwsError(getUser(bed.env, ACCOUNT, 'alice'), 'NoSuchEntity', /alice/);
  });

  test('tags: user keys ignore case (a new spelling replaces), 50 at most, aws: reserved, no key twice', async () => {
    await createUser(bed.env, ACCOUNT, { userName: 'alice', tags: [{ key: 'Department', value: 'finance' }] });
    await tagUser(bed.env, ACCOUNT, 'alice', [{ key: 'department', value: 'hr' }, { key: 'cost', value: '1' }]);
    assert.deepEqual((await listUserTags(bed.env, ACCOUNT, 'alice', {})).items, [{ key: 'department', value: 'hr' }, { key: 'cost', value: '1' }]);
    const many = Array.from({ length: 49 }, (_, i) => ({ key: `k${i}`, value: '' }));
    await rejects(() => tagUser(bed.env, ACCOUNT, 'alice', many), 'LimitExceeded', /^Cannot exceed quota for TagsPerUser: 50$/);
    await rejects(() => tagUser(bed.env, ACCOUNT, 'alice', [{ key: 'aws:x', value: '' }]), 'InvalidInput', /aws:/);
    await rejects(() => tagUser(bed.env, ACCOUNT, 'alice', [{ key: 'a', value: '1' }, { key: 'A', value: '2' }]), 'InvalidInput', /^Duplicate tag keys found/);
    await untagUser(bed.env, ACCOUNT, 'alice', ['DEPARTMENT', 'absent']);
    assert.deepEqual((await listUserTags(bed.env, ACCOUNT, 'alice', {})).items, [{ key: 'cost', value: '1' }]);
  });
});

describe('groups', () => {
  test('members are added whatever the case of the names, listed both ways, removed', async () => {
    await createGroup(bed.env, ACCOUNT, { groupName: 'Devs', path: '/teams/' });
    await createUser(bed.env, ACCOUNT, { userName: 'alice' });
    await createUser(bed.env, ACCOUNT, { userName: 'bob' });
    await addUserToGroup(bed.env, ACCOUNT, 'devs', 'ALICE');
    await addUserToGroup(bed.env, ACCOUNT, 'DEVS', 'alice');
    await addUserToGroup(bed.env, ACCOUNT, 'Devs', 'bob');
    const group = await getGroup(bed.env, ACCOUNT, 'devs', {});
    assert.equal(group.group.arn, 'arn:aws:iam::123456789012:group/teams/Devs');
    assert.match(group.group.groupId, /^AGPA[A-Z2-7]{17}$/);
    assert.deepEqual(group.items.map((u) => u.userName), ['alice', 'bob']);
    assert.deepEqual((await listGroupsForUser(bed.env, ACCOUNT, 'alice', {})).items.map((g) => g.groupName), ['Devs']);
    await rejects(() => createGroup(bed.env, ACCOUNT, { groupName: 'DEVS' }), 'EntityAlreadyExists', /^Group with name DEVS already exists\.$/);
    await rejects(() => deleteGroup(bed.env, ACCOUNT, 'devs'), 'DeleteConflict', /^Cannot delete entity, must remove users from group first\.$/);
    await removeUserFromGroup(bed.env, ACCOUNT, 'devs', 'alice');
    await removeUserFromGroup(bed.env, ACCOUNT, 'devs', 'bob');
    await deleteGroup(bed.env, ACCOUNT, 'devs');
    await expectAwsError(getGroup(bed.env, ACCOUNT, 'devs', {}), 'NoSuchEntity', /^The group with name devs cannot be found\.$/);
  });

  test('a user is in at most ten groups', async () => {
    await createUser(bed.env, ACCOUNT, { userName: 'alice' });
    for (let i = 0; i < 11; i++) await createGroup(bed.env, ACCOUNT, { groupName: `g${i}` });
    for (let i = 0; i < 10; i++) await addUserToGroup(bed.env, ACCOUNT, `g${i}`, 'alice');
    await rejects(() => addUserToGroup(bed.env, ACCOUNT, 'g10', 'alice'), 'LimitExceeded', /^Cannot exceed quota for GroupsPerUser: 10$/);
  });
});

describe('access keys', () => {
  test('AKIA ids of 20 characters, 40-character secrets, at most two per user', async () => {
    await createUser(bed.env, ACCOUNT, { userName: 'alice' });
    const a = await createAccessKey(bed.env, ACCOUNT, 'alice');
    assert.match(a.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(a.secretAccessKey?.length, 40);
    assert.equal(a.status, 'Active');
    await createAccessKey(bed.env, ACCOUNT, 'alice');
    await rejects(() => createAccessKey(bed.env, ACCOUNT, 'alice'), 'LimitExceeded', /^Cannot exceed quota for AccessKeysPerUser: 2$/);
    const listed = await listAccessKeys(bed.env, ACCOUNT, 'alice', {});
    assert.equal(listed.items.length, 2);
    assert.ok(listed.items.every((k) => k.secretAccessKey === undefined), 'secrets are shown only at creation');
  });

  test('keys are made Inactive, deleted, and are only their own user’s to change', async () => {
    await createUser(bed.env, ACCOUNT, { userName: 'alice' });
    await createUser(bed.env, ACCOUNT, { userName: 'bob' });
    const key = await createAccessKey(bed.env, ACCOUNT, 'alice');
    await updateAccessKey(bed.env, ACCOUNT, 'alice', key.accessKeyId, 'Inactive');
    assert.equal((await listAccessKeys(bed.env, ACCOUNT, 'alice', {})).items[0].status, 'Inactive');
    await rejects(() => deleteAccessKey(bed.env, ACCOUNT, 'bob', key.accessKeyId), 'NoSuchEntity', new RegExp(`^The Access Key with id ${key.accessKeyId} cannot be found\\.$`));
    const used = await getAccessKeyLastUsed(bed.env, ACCOUNT, key.accessKeyId);
    assert.deepEqual(used, { userName: 'alice', lastUsedDate: undefined, serviceName: 'N/A', region: 'N/A' });
    await deleteAccessKey(bed.env, ACCOUNT, 'alice', key.accessKeyId);
    assert.deepEqual((await listAccessKeys(bed.env, ACCOUNT, 'alice', {})).items, []);
    assert.equal(await bed.store.get(iamKeys.accessKey(key.accessKeyId)), undefined);
  });

  test('the root access key is made once and never listed among users’ keys', async () => {
    const first = await ensureRootAccessKey(bed.store, ACCOUNT, randomIds, bed.clock);
    const again = await ensureRootAccessKey(bed.store, ACCOUNT, randomIds, bed.clock);
    assert.deepEqual(again, { ...first, created: false });
    assert.equal(first.created, true);
    assert.match(first.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(first.secretAccessKey.length, 40);
    assert.equal((await listUsers(bed.env, ACCOUNT, {})).items.length, 0);
  });

  test('the root access key may be seeded once, and a seed naming another principal\'s key is refused', async () => {
    const user = await createUser(bed.env, ACCOUNT, { userName: 'owner' });
    const key = await createAccessKey(bed.env, ACCOUNT, user.userName);
    await assert.rejects(ensureRootAccessKey(bed.store, ACCOUNT, randomIds, bed.clock, { accessKeyId: key.accessKeyId, secretAccessKey: 'x'.repeat(40) }));
    const seeded = await ensureRootAccessKey(bed.store, ACCOUNT, randomIds, bed.clock, { accessKeyId: 'AKIASEEDED0000000001', secretAccessKey: 's'.repeat(40) });
    assert.deepEqual(seeded, { accessKeyId: 'AKIASEEDED0000000001', secretAccessKey: 's'.repeat(40), created: true });
    const later = await ensureRootAccessKey(bed.store, ACCOUNT, randomIds, bed.clock, { accessKeyId: 'AKIAOTHER00000000001', secretAccessKey: 'o'.repeat(40) });
    assert.equal(later.accessKeyId, 'AKIASEEDED0000000001', 'a seed only acts on the first start');
  });
});
