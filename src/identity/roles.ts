/**
 * IAM roles: a trust policy saying who may assume the role, a maximum session length, an
 * optional permissions boundary, tags, and the record of its last use. Service-linked roles
 * are in `service-linked-roles.ts`; they are roles with a protected flag.
 */
import { transact, type Tx } from '../state/index.ts';
import { checkPolicyDocument, policySize, PolicySizeQuota } from './documents.ts';
import { pageOf, underPath, type IamEnv, type Page, type PageRequest } from './env.ts';
import { IamErrors } from './errors.ts';
import { entityArn, IdPrefix, parseIamArn, uniqueId } from './identifiers.ts';
import { countUse, requireAttachable } from './managed.ts';
import { iamKeys, type InstanceProfileRecord, type LastUsedRecord, type RoleRecord, type TagRecord, type UserRecord } from './records.ts';
import { entityKey, loadEntity } from './entities.ts';
import { mergeTags, removeTags } from './tags.ts';
import { roleView, type RoleView } from './views.ts';

/** The most roles an account may have. */
export const ROLES_QUOTA = 1000;
/** MaxSessionDuration when CreateRole names none. */
export const DEFAULT_MAX_SESSION_DURATION = 3600;

/** What CreateRole takes. */
export interface CreateRoleInput {
  roleName: string;
  path?: string;
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration?: number;
  permissionsBoundary?: string;
  tags?: TagRecord[];
}

/**
 * Checks a trust policy as IAM does when it is saved: a valid trust document of at most 2,048
 * characters whose user and role principals in this account exist ("Invalid principal").
 */
export async function checkTrustPolicy(tx: Tx, account: string, document: string): Promise<void> {
  const known = new Set<string>();
  for (const u of await tx.list<UserRecord>(iamKeys.users(account))) known.add(entityArn(account, 'user', u.path, u.name));
  for (const r of await tx.list<RoleRecord>(iamKeys.roles(account))) known.add(entityArn(account, 'role', r.path, r.name));
  const principalExists = (arn: string) => {
    const parts = parseIamArn(arn);
    if (!parts || parts.account !== account || (parts.type !== 'user' && parts.type !== 'role')) return true;
    return known.has(arn);
  };
  checkPolicyDocument(document, 'trust', { principalExists });
  if (policySize(document) > PolicySizeQuota.trust) throw IamErrors.quota('ACLSizePerRole', PolicySizeQuota.trust);
}

/** Writes a new role record, checking name, quota, trust policy and boundary (shared with service-linked roles). */
export async function insertRole(tx: Tx, env: IamEnv, account: string, input: CreateRoleInput, extra: Partial<RoleRecord> = {}): Promise<RoleRecord> {
  const key = iamKeys.role(account, input.roleName);
  if (await tx.get(key)) throw IamErrors.roleExists(input.roleName);
  await checkTrustPolicy(tx, account, input.assumeRolePolicyDocument);
  if (input.permissionsBoundary) await countUse(tx, account, await requireAttachable(tx, account, input.permissionsBoundary), 'boundary', 1);
  const record: RoleRecord = {
    name: input.roleName,
    path: input.path ?? '/',
    id: uniqueId(env.ids, IdPrefix.role),
    createdAt: env.clock.now(),
    trustPolicy: input.assumeRolePolicyDocument,
    description: input.description,
    maxSessionDuration: input.maxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION,
    permissionsBoundary: input.permissionsBoundary,
    tags: mergeTags([], input.tags ?? [], 'insensitive', 'TagsPerRole'),
    inlinePolicies: {},
    attachedPolicies: [],
    ...extra,
  };
  tx.put(key, record);
  return record;
}

/** Creates a role. */
export async function createRole(env: IamEnv, account: string, input: CreateRoleInput): Promise<RoleView> {
  mergeTags([], input.tags ?? [], 'insensitive', 'TagsPerRole');
  const count = (await env.store.range(iamKeys.roles(account))).kvs.length;
  return transact(env.store, async (tx) => {
    if (count >= ROLES_QUOTA && !(await tx.get(iamKeys.role(account, input.roleName)))) throw IamErrors.quota('RolesPerAccount', ROLES_QUOTA);
    return roleView(account, await insertRole(tx, env, account, input));
  });
}

/** A role by name, with its last use. */
export async function getRole(env: IamEnv, account: string, roleName: string): Promise<RoleView> {
  return transact(env.store, async (tx) => {
    const record = await loadEntity(tx, 'role', account, roleName);
    return roleView(account, record, await tx.get<LastUsedRecord>(iamKeys.roleLastUsed(account, record.name)));
  });
}

/** The account's roles under a path prefix, paged. */
export async function listRoles(env: IamEnv, account: string, input: PageRequest & { pathPrefix?: string }): Promise<Page<RoleView>> {
  const { kvs } = await env.store.range(iamKeys.roles(account));
  const roles = kvs.map((kv) => JSON.parse(kv.value) as RoleRecord).filter((r) => underPath(r.path, input.pathPrefix));
  return pageOf(roles.map((r) => roleView(account, r)), (r) => r.roleName.toLowerCase(), input);
}

/** Service-linked roles are AWS's to change: IAM refuses every other change to them. */
export function protectedRole(role: RoleRecord): Error {
  return IamErrors.unmodifiable(`Cannot perform the operation on the protected role '${role.name}' - this role is only modifiable by AWS`);
}

async function changeRole(env: IamEnv, account: string, roleName: string, change: (role: RoleRecord, tx: Tx) => Promise<void> | void): Promise<RoleRecord> {
  return transact(env.store, async (tx) => {
    const role = await loadEntity(tx, 'role', account, roleName);
    if (role.serviceLinkedTo) throw protectedRole(role);
    await change(role, tx);
    tx.put(entityKey('role', account, role.name), role);
    return role;
  });
}

/** Changes a role's description and maximum session duration (UpdateRole). */
export async function updateRole(env: IamEnv, account: string, roleName: string, change: { description?: string; maxSessionDuration?: number }): Promise<void> {
  await changeRole(env, account, roleName, (role) => {
    if (change.description !== undefined) role.description = change.description;
    if (change.maxSessionDuration !== undefined) role.maxSessionDuration = change.maxSessionDuration;
  });
}

/** Changes a role's description, returning the role (UpdateRoleDescription). */
export async function updateRoleDescription(env: IamEnv, account: string, roleName: string, description: string): Promise<RoleView> {
  return roleView(account, await changeRole(env, account, roleName, (role) => void (role.description = description)));
}

/** Replaces a role's trust policy (UpdateAssumeRolePolicy). */
export async function updateAssumeRolePolicy(env: IamEnv, account: string, roleName: string, document: string): Promise<void> {
  await changeRole(env, account, roleName, async (role, tx) => {
    await checkTrustPolicy(tx, account, document);
    role.trustPolicy = document;
  });
}

/** The names of the instance profiles a role is in. */
export async function instanceProfilesOf(tx: Tx, account: string, roleName: string): Promise<InstanceProfileRecord[]> {
  const profiles = await tx.list<InstanceProfileRecord>(iamKeys.instanceProfiles(account));
  return profiles.filter((p) => p.roles.some((r) => r.toLowerCase() === roleName.toLowerCase()));
}

/** Removes a role record with what hangs off it (last use, boundary count); checks are the caller's. */
export async function removeRole(tx: Tx, account: string, role: RoleRecord): Promise<void> {
  if (role.permissionsBoundary) {
    const ref = await requireAttachable(tx, account, role.permissionsBoundary).catch(() => undefined);
    if (ref) await countUse(tx, account, ref, 'boundary', -1);
  }
  for (const arn of role.attachedPolicies) {
    const ref = await requireAttachable(tx, account, arn).catch(() => undefined);
    if (ref) await countUse(tx, account, ref, 'attachment', -1);
  }
  tx.delete(entityKey('role', account, role.name));
  tx.delete(iamKeys.roleLastUsed(account, role.name));
}

/** Deletes a role that is in no instance profile and has no policies. */
export async function deleteRole(env: IamEnv, account: string, roleName: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const role = await loadEntity(tx, 'role', account, roleName);
    if (role.serviceLinkedTo) throw protectedRole(role);
    if ((await instanceProfilesOf(tx, account, role.name)).length) throw IamErrors.mustRemoveRolesFromInstanceProfile();
    if (role.attachedPolicies.length) throw IamErrors.mustDetachPolicies();
    if (Object.keys(role.inlinePolicies).length) throw IamErrors.mustDeletePolicies();
    await removeRole(tx, account, role);
  });
}

/** Adds or replaces a role's tags (keys compared without case). */
export async function tagRole(env: IamEnv, account: string, roleName: string, tags: TagRecord[]): Promise<void> {
  await transact(env.store, async (tx) => {
    const role = await loadEntity(tx, 'role', account, roleName);
    role.tags = mergeTags(role.tags, tags, 'insensitive', 'TagsPerRole');
    tx.put(entityKey('role', account, role.name), role);
  });
}

/** Removes a role's tags. */
export async function untagRole(env: IamEnv, account: string, roleName: string, keys: string[]): Promise<void> {
  await transact(env.store, async (tx) => {
    const role = await loadEntity(tx, 'role', account, roleName);
    role.tags = removeTags(role.tags, keys, 'insensitive');
    tx.put(entityKey('role', account, role.name), role);
  });
}

/** A role's tags, paged. */
export async function listRoleTags(env: IamEnv, account: string, roleName: string, page: PageRequest): Promise<Page<TagRecord>> {
  const role = await getRole(env, account, roleName);
  return pageOf(role.tags, (t) => t.key, page);
}

/**
 * Notes that a role was used (a session of it made a request) in `region`. Written apart from
 * the role, unguarded but only while the role exists, so a late stamp never revives a deleted role.
 */
export async function noteRoleUsed(env: IamEnv, account: string, roleName: string, region: string): Promise<void> {
  await transact(env.store, async (tx) => {
    if (!(await tx.get(iamKeys.role(account, roleName)))) return;
    tx.put(iamKeys.roleLastUsed(account, roleName), { at: env.clock.now(), region } satisfies LastUsedRecord);
  });
}
