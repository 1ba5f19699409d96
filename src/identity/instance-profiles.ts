/**
 * Instance profiles: named containers that hand one role to the container instances (hosts)
 * launched with them. At most one role each; deleted once empty.
 */
import { transact, type Tx } from '../state/index.ts';
import { pageOf, underPath, type IamEnv, type Page, type PageRequest } from './env.ts';
import { IamErrors } from './errors.ts';
import { IdPrefix, uniqueId } from './identifiers.ts';
import { loadEntity } from './entities.ts';
import { iamKeys, type InstanceProfileRecord, type RoleRecord, type TagRecord } from './records.ts';
import { instanceProfilesOf } from './roles.ts';
import { mergeTags, removeTags } from './tags.ts';
import { instanceProfileView, type InstanceProfileView } from './views.ts';

/** The most instance profiles an account may have. */
export const INSTANCE_PROFILES_QUOTA = 1000;
/** The most roles an instance profile holds. */
export const ROLES_PER_INSTANCE_PROFILE = 1;

async function load(tx: Tx, account: string, name: string): Promise<InstanceProfileRecord> {
  const record = await tx.get<InstanceProfileRecord>(iamKeys.instanceProfile(account, name));
  if (!record) throw IamErrors.noSuchInstanceProfile(name);
  return record;
}

async function rolesOf(tx: Tx, account: string, record: InstanceProfileRecord): Promise<RoleRecord[]> {
  const roles: RoleRecord[] = [];
  for (const name of record.roles) {
    const role = await tx.get<RoleRecord>(iamKeys.role(account, name));
    if (role) roles.push(role);
  }
  return roles;
}

/** Creates an empty instance profile. */
export async function createInstanceProfile(
  env: IamEnv, account: string, input: { instanceProfileName: string; path?: string; tags?: TagRecord[] },
): Promise<InstanceProfileView> {
  const tags = mergeTags([], input.tags ?? [], 'sensitive', 'TagsPerInstanceProfile');
  const count = (await env.store.range(iamKeys.instanceProfiles(account))).kvs.length;
  return transact(env.store, async (tx) => {
    const key = iamKeys.instanceProfile(account, input.instanceProfileName);
    if (await tx.get(key)) throw IamErrors.instanceProfileExists(input.instanceProfileName);
    if (count >= INSTANCE_PROFILES_QUOTA) throw IamErrors.quota('InstanceProfilesPerAccount', INSTANCE_PROFILES_QUOTA);
    const record: InstanceProfileRecord = {
      name: input.instanceProfileName,
      path: input.path ?? '/',
      id: uniqueId(env.ids, IdPrefix.instanceProfile),
      createdAt: env.clock.now(),
      roles: [],
      tags,
    };
    tx.put(key, record);
    return instanceProfileView(account, record, []);
  });
}

/** An instance profile with its role. */
export async function getInstanceProfile(env: IamEnv, account: string, name: string): Promise<InstanceProfileView> {
  return transact(env.store, async (tx) => {
    const record = await load(tx, account, name);
    return instanceProfileView(account, record, await rolesOf(tx, account, record));
  });
}

/** The account's instance profiles under a path prefix, paged. */
export async function listInstanceProfiles(env: IamEnv, account: string, input: PageRequest & { pathPrefix?: string }): Promise<Page<InstanceProfileView>> {
  const views = await transact(env.store, async (tx) => {
    const out: InstanceProfileView[] = [];
    for (const record of await tx.list<InstanceProfileRecord>(iamKeys.instanceProfiles(account))) {
      if (underPath(record.path, input.pathPrefix)) out.push(instanceProfileView(account, record, await rolesOf(tx, account, record)));
    }
    return out;
  });
  return pageOf(views, (v) => v.instanceProfileName.toLowerCase(), input);
}

/** The instance profiles a role is in, paged. */
export async function listInstanceProfilesForRole(env: IamEnv, account: string, roleName: string, page: PageRequest): Promise<Page<InstanceProfileView>> {
  const views = await transact(env.store, async (tx) => {
    const role = await loadEntity(tx, 'role', account, roleName);
    const profiles = await instanceProfilesOf(tx, account, role.name);
    return profiles.map((p) => instanceProfileView(account, p, [role]));
  });
  return pageOf(views, (v) => v.instanceProfileName.toLowerCase(), page);
}

/** Deletes an instance profile that holds no role. */
export async function deleteInstanceProfile(env: IamEnv, account: string, name: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const record = await load(tx, account, name);
    if (record.roles.length) throw IamErrors.mustRemoveRolesFromInstanceProfile();
    tx.delete(iamKeys.instanceProfile(account, record.name));
  });
}

/** Puts a role in an instance profile (which holds at most one). */
export async function addRoleToInstanceProfile(env: IamEnv, account: string, name: string, roleName: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const record = await load(tx, account, name);
    const role = await loadEntity(tx, 'role', account, roleName);
    if (record.roles.length >= ROLES_PER_INSTANCE_PROFILE) throw IamErrors.quota('InstanceSessionsPerInstanceProfile', ROLES_PER_INSTANCE_PROFILE);
    record.roles.push(role.name);
    tx.put(iamKeys.instanceProfile(account, record.name), record);
  });
}

/** Takes a role out of an instance profile. */
export async function removeRoleFromInstanceProfile(env: IamEnv, account: string, name: string, roleName: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const record = await load(tx, account, name);
    const at = record.roles.findIndex((r) => r.toLowerCase() === roleName.toLowerCase());
    if (at < 0) throw IamErrors.noSuchRole(roleName);
    record.roles.splice(at, 1);
    tx.put(iamKeys.instanceProfile(account, record.name), record);
  });
}

/** Adds or replaces an instance profile's tags (keys compared with case). */
export async function tagInstanceProfile(env: IamEnv, account: string, name: string, tags: TagRecord[]): Promise<void> {
  await transact(env.store, async (tx) => {
    const record = await load(tx, account, name);
    record.tags = mergeTags(record.tags, tags, 'sensitive', 'TagsPerInstanceProfile');
    tx.put(iamKeys.instanceProfile(account, record.name), record);
  });
}

/** Removes an instance profile's tags. */
export async function untagInstanceProfile(env: IamEnv, account: string, name: string, keys: string[]): Promise<void> {
  await transact(env.store, async (tx) => {
    const record = await load(tx, account, name);
    record.tags = removeTags(record.tags, keys, 'sensitive');
    tx.put(iamKeys.instanceProfile(account, record.name), record);
  });
}

/** An instance profile's tags, paged. */
export async function listInstanceProfileTags(env: IamEnv, account: string, name: string, page: PageRequest): Promise<Page<TagRecord>> {
  const view = await getInstanceProfile(env, account, name);
  return pageOf(view.tags, (t) => t.key, page);
}
