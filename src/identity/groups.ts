/**
 * IAM groups and their members. Membership is kept on the users (a user is in at most ten
 * groups, and authorization reads a user's groups on every cache fill); a group's members are
 * found by reading the account's users, which only GetGroup and DeleteGroup need.
 */
import { transact, type Tx } from '../state/index.ts';
import { pageOf, underPath, type IamEnv, type Page, type PageRequest } from './env.ts';
import { IamErrors } from './errors.ts';
import { IdPrefix, uniqueId } from './identifiers.ts';
import { entityKey, loadEntity } from './entities.ts';
import { iamKeys, type GroupRecord, type UserRecord } from './records.ts';
import { groupView, userView, type GroupView, type UserView } from './views.ts';

/** The most groups an account may have. */
export const GROUPS_QUOTA = 300;
/** The most groups a user may be in. */
export const GROUPS_PER_USER = 10;

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Creates a group. */
export async function createGroup(env: IamEnv, account: string, input: { groupName: string; path?: string }): Promise<GroupView> {
  const count = (await env.store.range(iamKeys.groups(account))).kvs.length;
  return transact(env.store, async (tx) => {
    const key = iamKeys.group(account, input.groupName);
    if (await tx.get(key)) throw IamErrors.groupExists(input.groupName);
    if (count >= GROUPS_QUOTA) throw IamErrors.quota('GroupsPerAccount', GROUPS_QUOTA);
    const record: GroupRecord = {
      name: input.groupName,
      path: input.path ?? '/',
      id: uniqueId(env.ids, IdPrefix.group),
      createdAt: env.clock.now(),
      inlinePolicies: {},
      attachedPolicies: [],
    };
    tx.put(key, record);
    return groupView(account, record);
  });
}

/** The users in a group (read through the transaction, so a commit is guarded on them). */
async function membersOf(tx: Tx, account: string, groupName: string): Promise<UserRecord[]> {
  const users = await tx.list<UserRecord>(iamKeys.users(account));
  return users.filter((u) => u.groups.some((g) => sameName(g, groupName)));
}

/** A group and a page of its users (GetGroup). */
export async function getGroup(env: IamEnv, account: string, groupName: string, page: PageRequest): Promise<{ group: GroupView } & Page<UserView>> {
  const { group, users } = await transact(env.store, async (tx) => {
    const record = await loadEntity(tx, 'group', account, groupName);
    return { group: groupView(account, record), users: (await membersOf(tx, account, record.name)).map((u) => userView(account, u)) };
  });
  return { group, ...pageOf(users, (u) => u.userName.toLowerCase(), page) };
}

/** The account's groups under a path prefix, paged. */
export async function listGroups(env: IamEnv, account: string, input: PageRequest & { pathPrefix?: string }): Promise<Page<GroupView>> {
  const { kvs } = await env.store.range(iamKeys.groups(account));
  const groups = kvs.map((kv) => JSON.parse(kv.value) as GroupRecord).filter((g) => underPath(g.path, input.pathPrefix));
  return pageOf(groups.map((g) => groupView(account, g)), (g) => g.groupName.toLowerCase(), input);
}

/** Deletes a group with no members and no policies. */
export async function deleteGroup(env: IamEnv, account: string, groupName: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const record = await loadEntity(tx, 'group', account, groupName);
    if ((await membersOf(tx, account, record.name)).length) throw IamErrors.mustRemoveUsersFromGroup();
    if (Object.keys(record.inlinePolicies).length) throw IamErrors.mustDeletePolicies();
    if (record.attachedPolicies.length) throw IamErrors.mustDetachPolicies();
    tx.delete(entityKey('group', account, record.name));
  });
}

/** Adds a user to a group (nothing changes if it is already a member). */
export async function addUserToGroup(env: IamEnv, account: string, groupName: string, userName: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const group = await loadEntity(tx, 'group', account, groupName);
    const user = await loadEntity(tx, 'user', account, userName);
    if (user.groups.some((g) => sameName(g, group.name))) return;
    if (user.groups.length >= GROUPS_PER_USER) throw IamErrors.quota('GroupsPerUser', GROUPS_PER_USER);
    user.groups.push(group.name);
    tx.put(entityKey('user', account, user.name), user);
  });
}

/** Removes a user from a group. */
export async function removeUserFromGroup(env: IamEnv, account: string, groupName: string, userName: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const group = await loadEntity(tx, 'group', account, groupName);
    const user = await loadEntity(tx, 'user', account, userName);
    const at = user.groups.findIndex((g) => sameName(g, group.name));
    if (at < 0) throw IamErrors.noSuchUser(userName);
    user.groups.splice(at, 1);
    tx.put(entityKey('user', account, user.name), user);
  });
}

/** The groups a user is in, paged. */
export async function listGroupsForUser(env: IamEnv, account: string, userName: string, page: PageRequest): Promise<Page<GroupView>> {
  const groups = await transact(env.store, async (tx) => {
    const user = await loadEntity(tx, 'user', account, userName);
    const out: GroupView[] = [];
    for (const name of user.groups) {
      const group = await tx.get<GroupRecord>(iamKeys.group(account, name));
      if (group) out.push(groupView(account, group));
    }
    return out;
  });
  groups.sort((a, b) => (a.groupName.toLowerCase() < b.groupName.toLowerCase() ? -1 : 1));
  return pageOf(groups, (g) => g.groupName.toLowerCase(), page);
}
