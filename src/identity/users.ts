/**
 * IAM users: create (with an optional permissions boundary and tags), read, list by path,
 * rename or move, tag, and delete once nothing hangs off them, as IAM requires.
 */
import { getDoc, listDocs, transact } from '../state/index.ts';
import { checkQuota, pageOf, underPath, type IamEnv, type Page, type PageRequest } from './env.ts';
import { IamErrors } from './errors.ts';
import { IdPrefix, rootArn, uniqueId } from './identifiers.ts';
import { countUse, findManagedPolicy, requireAttachable } from './managed.ts';
import { iamKeys, type AccessKeyRecord, type RootKeyPointer, type TagRecord, type UserRecord } from './records.ts';
import { entityKey, loadEntity, updateEntity } from './entities.ts';
import { mergeTags, removeTags } from './tags.ts';
import { userView, type UserView } from './views.ts';

/** The most users an account may have. */
export const USERS_QUOTA = 5000;

/** What CreateUser takes. */
export interface CreateUserInput {
  userName: string;
  path?: string;
  permissionsBoundary?: string;
  tags?: TagRecord[];
}

/** Creates a user; the name is unique in the account whatever its case. */
export async function createUser(env: IamEnv, account: string, input: CreateUserInput): Promise<UserView> {
  const tags = mergeTags([], input.tags ?? [], 'insensitive', 'TagsPerUser');
  return transact(env.store, async (tx) => {
    const key = iamKeys.user(account, input.userName);
    if (await tx.get(key)) throw IamErrors.userExists(input.userName);
    await checkQuota(tx, iamKeys.users(account), USERS_QUOTA, 'UsersPerAccount');
    if (input.permissionsBoundary) await countUse(tx, account, await requireAttachable(tx, account, input.permissionsBoundary), 'boundary', 1);
    const record: UserRecord = {
      name: input.userName,
      path: input.path ?? '/',
      id: uniqueId(env.ids, IdPrefix.user),
      createdAt: env.clock.now(),
      tags,
      permissionsBoundary: input.permissionsBoundary,
      inlinePolicies: {},
      attachedPolicies: [],
      groups: [],
      accessKeys: [],
    };
    tx.put(key, record);
    return userView(account, record);
  });
}

/** A user by name. */
export async function getUser(env: IamEnv, account: string, userName: string): Promise<UserView> {
  return transact(env.store, async (tx) => userView(account, await loadEntity(tx, 'user', account, userName)));
}

/** The account's users under a path prefix, in name order, paged. */
export async function listUsers(env: IamEnv, account: string, input: PageRequest & { pathPrefix?: string }): Promise<Page<UserView>> {
  const users = (await listDocs<UserRecord>(env.store, iamKeys.users(account))).map((d) => d.value).filter((u) => underPath(u.path, input.pathPrefix));
  return pageOf(users.map((u) => userView(account, u)), (u) => u.userName.toLowerCase(), input);
}

/** Renames a user or moves it to another path (UpdateUser); its keys, groups and policies go with it. */
export async function updateUser(env: IamEnv, account: string, userName: string, change: { newUserName?: string; newPath?: string }): Promise<void> {
  await transact(env.store, async (tx) => {
    const record = await loadEntity(tx, 'user', account, userName);
    const oldKey = entityKey('user', account, record.name);
    if (change.newUserName !== undefined && change.newUserName !== record.name) {
      const newKey = iamKeys.user(account, change.newUserName);
      if (newKey !== oldKey && (await tx.get(newKey))) throw IamErrors.userExists(change.newUserName);
      record.name = change.newUserName;
      for (const id of record.accessKeys) {
        const key = await tx.get<AccessKeyRecord>(iamKeys.accessKey(id));
        if (key) tx.put(iamKeys.accessKey(id), { ...key, userName: record.name });
      }
    }
    if (change.newPath !== undefined) record.path = change.newPath;
    const newKey = entityKey('user', account, record.name);
    if (newKey !== oldKey) tx.delete(oldKey);
    tx.put(newKey, record);
  });
}

/** Deletes a user with no inline or attached policies, groups or access keys left. */
export async function deleteUser(env: IamEnv, account: string, userName: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const record = await loadEntity(tx, 'user', account, userName);
    if (Object.keys(record.inlinePolicies).length) throw IamErrors.mustDeletePolicies();
    if (record.attachedPolicies.length) throw IamErrors.mustDetachPolicies();
    if (record.groups.length) throw IamErrors.mustRemoveUsersFromGroup();
    if (record.accessKeys.length) throw IamErrors.mustDeleteAccessKeys();
    const boundary = record.permissionsBoundary && (await findManagedPolicy(tx, account, record.permissionsBoundary));
    if (boundary) await countUse(tx, account, boundary, 'boundary', -1);
    tx.delete(entityKey('user', account, record.name));
  });
}

/** Adds or replaces a user's tags (keys compared without case, as IAM does for users). */
export async function tagUser(env: IamEnv, account: string, userName: string, tags: TagRecord[]): Promise<void> {
  await updateEntity(env, 'user', account, userName, (user) => void (user.tags = mergeTags(user.tags, tags, 'insensitive', 'TagsPerUser')));
}

/** Removes a user's tags. */
export async function untagUser(env: IamEnv, account: string, userName: string, keys: string[]): Promise<void> {
  await updateEntity(env, 'user', account, userName, (user) => void (user.tags = removeTags(user.tags, keys, 'insensitive')));
}

/** A user's tags, paged. */
export async function listUserTags(env: IamEnv, account: string, userName: string, page: PageRequest): Promise<Page<TagRecord>> {
  const user = await getUser(env, account, userName);
  return pageOf(user.tags, (t) => t.key, page);
}

/** The account root as GetUser shows it to the root: the account id and the root's ARN. */
export async function getRootUser(env: IamEnv, account: string): Promise<{ userId: string; arn: string; createDate: Date }> {
  const pointer = await getDoc<RootKeyPointer>(env.store, iamKeys.rootKey(account));
  const key = pointer && (await getDoc<AccessKeyRecord>(env.store, iamKeys.accessKey(pointer.value.accessKeyId)));
  // The account is as old as its first credential.
  const createdAt = key ? key.value.createdAt : env.clock.now();
  return { userId: account, arn: rootArn(account), createDate: new Date(createdAt) };
}
