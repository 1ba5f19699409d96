/**
 * Inline policies of users, groups and roles: named documents embedded in the entity, as many
 * as fit in the entity's aggregate size quota (2,048 / 5,120 / 10,240 non-white-space
 * characters). Stored as given; the adapter URL-encodes them on the way out, as IAM does.
 */
import { transact } from '../state/index.ts';
import { checkPolicyDocument, policySize, PolicySizeQuota } from './documents.ts';
import { pageOf, type IamEnv, type Page, type PageRequest } from './env.ts';
import { IamErrors, type EntityKind } from './errors.ts';
import { entityKey, loadEntity } from './entities.ts';
import { protectedRole } from './roles.ts';
import type { RoleRecord } from './records.ts';

/** Adds or replaces an inline policy (PutUserPolicy, PutGroupPolicy, PutRolePolicy). */
export async function putInlinePolicy(env: IamEnv, account: string, kind: EntityKind, name: string, policyName: string, document: string): Promise<void> {
  checkPolicyDocument(document, 'identity');
  await transact(env.store, async (tx) => {
    const record = await loadEntity(tx, kind, account, name);
    if (kind === 'role' && (record as RoleRecord).serviceLinkedTo) throw protectedRole(record as RoleRecord);
    const policies = { ...record.inlinePolicies, [policyName]: document };
    const total = Object.values(policies).reduce((sum, doc) => sum + policySize(doc), 0);
    if (total > PolicySizeQuota[kind]) throw IamErrors.inlinePolicySize(kind, record.name, PolicySizeQuota[kind]);
    record.inlinePolicies = policies;
    tx.put(entityKey(kind, account, record.name), record);
  });
}

/** One inline policy's document, as stored. */
export async function getInlinePolicy(env: IamEnv, account: string, kind: EntityKind, name: string, policyName: string): Promise<{ entityName: string; document: string }> {
  return transact(env.store, async (tx) => {
    const record = await loadEntity(tx, kind, account, name);
    const document = Object.hasOwn(record.inlinePolicies, policyName) ? record.inlinePolicies[policyName] : undefined;
    if (document === undefined) throw IamErrors.noSuchInlinePolicy(kind, policyName);
    return { entityName: record.name, document };
  });
}

/** Deletes an inline policy. */
export async function deleteInlinePolicy(env: IamEnv, account: string, kind: EntityKind, name: string, policyName: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const record = await loadEntity(tx, kind, account, name);
    if (kind === 'role' && (record as RoleRecord).serviceLinkedTo) throw protectedRole(record as RoleRecord);
    if (!Object.hasOwn(record.inlinePolicies, policyName)) throw IamErrors.noSuchInlinePolicy(kind, policyName);
    const { [policyName]: _removed, ...rest } = record.inlinePolicies;
    record.inlinePolicies = rest;
    tx.put(entityKey(kind, account, record.name), record);
  });
}

/** The names of an entity's inline policies, in name order, paged. */
export async function listInlinePolicies(env: IamEnv, account: string, kind: EntityKind, name: string, page: PageRequest): Promise<Page<string>> {
  const names = await transact(env.store, async (tx) => Object.keys((await loadEntity(tx, kind, account, name)).inlinePolicies));
  names.sort();
  return pageOf(names, (n) => n, page);
}
