/**
 * Managed policies attached to users, groups and roles (at most ten each), permissions
 * boundaries of users and roles, and the reverse question (ListEntitiesForPolicy). Each change
 * updates the entity and the policy's use count in one transaction.
 */
import { transact } from '../state/index.ts';
import { pageOf, type IamEnv, type Page, type PageRequest } from './env.ts';
import { IamErrors, type EntityKind } from './errors.ts';
import { parseIamArn } from './identifiers.ts';
import { countUse, findManagedPolicy, requireAttachable } from './managed.ts';
import { entityKey, entityPrefix, loadEntity, type EntityRecords } from './entities.ts';
import { protectedRole } from './roles.ts';
import type { RoleRecord } from './records.ts';
import type { AttachedPolicyView } from './views.ts';

/** The most managed policies one user, group or role may have attached. */
export const ATTACHED_POLICIES_QUOTA = 10;

const QUOTA_NAME: Record<EntityKind, string> = { user: 'PoliciesPerUser', group: 'PoliciesPerGroup', role: 'PoliciesPerRole' };

function refuseServiceLinked(kind: EntityKind, record: EntityRecords[EntityKind]): void {
  if (kind === 'role' && (record as RoleRecord).serviceLinkedTo) throw protectedRole(record as RoleRecord);
}

/** Attaches a managed policy to a user, group or role (attaching it again changes nothing). */
export async function attachPolicy(env: IamEnv, account: string, kind: EntityKind, name: string, policyArn: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const record = await loadEntity(tx, kind, account, name);
    refuseServiceLinked(kind, record);
    const ref = await requireAttachable(tx, account, policyArn);
    if (record.attachedPolicies.includes(policyArn)) return;
    if (record.attachedPolicies.length >= ATTACHED_POLICIES_QUOTA) throw IamErrors.quota(QUOTA_NAME[kind], ATTACHED_POLICIES_QUOTA);
    record.attachedPolicies.push(policyArn);
    tx.put(entityKey(kind, account, record.name), record);
    await countUse(tx, account, ref, 'attachment', 1);
  });
}

/** Detaches a managed policy; one that is not attached is NoSuchEntity. */
export async function detachPolicy(env: IamEnv, account: string, kind: EntityKind, name: string, policyArn: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const record = await loadEntity(tx, kind, account, name);
    refuseServiceLinked(kind, record);
    const at = record.attachedPolicies.indexOf(policyArn);
    if (at < 0) throw IamErrors.noSuchPolicy(policyArn);
    record.attachedPolicies.splice(at, 1);
    tx.put(entityKey(kind, account, record.name), record);
    const ref = await findManagedPolicy(tx, account, policyArn);
    if (ref) await countUse(tx, account, ref, 'attachment', -1);
  });
}

/** The managed policies attached to a user, group or role, optionally under a path prefix, paged. */
export async function listAttachedPolicies(
  env: IamEnv, account: string, kind: EntityKind, name: string, input: PageRequest & { pathPrefix?: string },
): Promise<Page<AttachedPolicyView>> {
  const attached = await transact(env.store, async (tx) => (await loadEntity(tx, kind, account, name)).attachedPolicies);
  const views: AttachedPolicyView[] = [];
  for (const arn of attached) {
    const parts = parseIamArn(arn);
    if (!parts) continue;
    if (input.pathPrefix !== undefined && !parts.path.startsWith(input.pathPrefix)) continue;
    views.push({ policyName: parts.name, policyArn: arn });
  }
  return pageOf(views, (v) => v.policyArn, input);
}

/** Sets (or replaces) the permissions boundary of a user or role. */
export async function putPermissionsBoundary(env: IamEnv, account: string, kind: 'user' | 'role', name: string, policyArn: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const record = await loadEntity(tx, kind, account, name);
    refuseServiceLinked(kind, record);
    const ref = await requireAttachable(tx, account, policyArn);
    if (record.permissionsBoundary === policyArn) return;
    if (record.permissionsBoundary) {
      const old = await findManagedPolicy(tx, account, record.permissionsBoundary);
      if (old) await countUse(tx, account, old, 'boundary', -1);
    }
    record.permissionsBoundary = policyArn;
    tx.put(entityKey(kind, account, record.name), record);
    await countUse(tx, account, ref, 'boundary', 1);
  });
}

/** Removes the permissions boundary of a user or role (none is no change). */
export async function deletePermissionsBoundary(env: IamEnv, account: string, kind: 'user' | 'role', name: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const record = await loadEntity(tx, kind, account, name);
    refuseServiceLinked(kind, record);
    if (!record.permissionsBoundary) return;
    const old = await findManagedPolicy(tx, account, record.permissionsBoundary);
    if (old) await countUse(tx, account, old, 'boundary', -1);
    delete record.permissionsBoundary;
    tx.put(entityKey(kind, account, record.name), record);
  });
}

/** One entity a managed policy is attached to (or bounds). */
export interface PolicyEntity {
  kind: EntityKind;
  name: string;
  id: string;
}

/** The users, groups and roles a managed policy is attached to, or bounds (ListEntitiesForPolicy). */
export async function listEntitiesForPolicy(
  env: IamEnv, account: string, policyArn: string,
  input: PageRequest & { entityFilter?: 'User' | 'Role' | 'Group' | 'LocalManagedPolicy' | 'AWSManagedPolicy'; pathPrefix?: string; usage?: 'PermissionsPolicy' | 'PermissionsBoundary' },
): Promise<Page<PolicyEntity>> {
  const entities = await transact(env.store, async (tx) => {
    if (!(await findManagedPolicy(tx, account, policyArn))) throw IamErrors.noSuchPolicy(policyArn);
    const out: PolicyEntity[] = [];
    const kinds: EntityKind[] = input.entityFilter === 'User' ? ['user'] : input.entityFilter === 'Group' ? ['group'] : input.entityFilter === 'Role' ? ['role'] : ['group', 'role', 'user'];
    for (const kind of kinds) {
      for (const record of await tx.list<EntityRecords[typeof kind]>(entityPrefix(kind, account))) {
        if (input.pathPrefix !== undefined && !record.path.startsWith(input.pathPrefix)) continue;
        const boundary = kind !== 'group' && (record as EntityRecords['user' | 'role']).permissionsBoundary === policyArn;
        const attached = record.attachedPolicies.includes(policyArn);
        const matches = input.usage === 'PermissionsBoundary' ? boundary : input.usage === 'PermissionsPolicy' ? attached : attached || boundary;
        if (matches) out.push({ kind, name: record.name, id: record.id });
      }
    }
    return out;
  });
  return pageOf(entities, (e) => `${e.kind}/${e.name.toLowerCase()}`, input);
}
