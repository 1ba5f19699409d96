/**
 * Managed policies: customer managed ones (created, versioned up to five versions with one
 * default, tagged, deleted once unused) and AWS managed ones (read-only data, listed and
 * attachable). Every write is one revision-guarded transaction.
 */
import { transact, type Tx } from '../state/index.ts';
import { checkPolicyDocument, policySize, PolicySizeQuota } from './documents.ts';
import { pageOf, underPath, type IamEnv, type Page, type PageRequest } from './env.ts';
import { IamErrors } from './errors.ts';
import { entityArn, IdPrefix, uniqueId } from './identifiers.ts';
import { awsManagedPolicy, findManagedPolicy, type AwsManagedPolicy, type ManagedPolicyRef } from './managed.ts';
import { managedPolicies } from './managed-policies/index.ts';
import { iamKeys, type AwsPolicyUseRecord, type PolicyRecord, type TagRecord } from './records.ts';
import { mergeTags, removeTags } from './tags.ts';
import { policyVersionView, policyView, type ManagedPolicyView, type PolicyVersionView } from './views.ts';

/** The most customer managed policies an account may have. */
export const POLICIES_QUOTA = 1500;
/** The most versions a managed policy keeps. */
export const VERSIONS_PER_POLICY = 5;

/** What CreatePolicy takes. */
export interface CreatePolicyInput {
  policyName: string;
  path?: string;
  policyDocument: string;
  description?: string;
  tags?: TagRecord[];
}

/** Checks a managed policy version's document: identity policy, 2012-10-17, at most 6,144 characters. */
function checkManagedDocument(document: string, arn: string): void {
  checkPolicyDocument(document, 'identity', { requireCurrentVersion: true, arn });
  if (policySize(document) > PolicySizeQuota.managed) throw IamErrors.quota('PolicySize', PolicySizeQuota.managed);
}

/** Creates a customer managed policy with its first version (v1, the default). */
export async function createPolicy(env: IamEnv, account: string, input: CreatePolicyInput): Promise<ManagedPolicyView> {
  const path = input.path ?? '/';
  const arn = entityArn(account, 'policy', path, input.policyName);
  checkManagedDocument(input.policyDocument, arn);
  const tags = mergeTags([], input.tags ?? [], 'sensitive', 'TagsPerPolicy');
  const count = (await env.store.range(iamKeys.policies(account))).kvs.length;
  return transact(env.store, async (tx) => {
    const key = iamKeys.policy(account, input.policyName);
    if (await tx.get(key)) throw IamErrors.policyExists(input.policyName);
    if (count >= POLICIES_QUOTA) throw IamErrors.quota('PoliciesPerAccount', POLICIES_QUOTA);
    const now = env.clock.now();
    const record: PolicyRecord = {
      name: input.policyName,
      path,
      id: uniqueId(env.ids, IdPrefix.policy),
      description: input.description,
      createdAt: now,
      updatedAt: now,
      defaultVersionId: 'v1',
      versions: [{ versionId: 'v1', document: input.policyDocument, createdAt: now }],
      nextVersion: 2,
      attachmentCount: 0,
      boundaryUsageCount: 0,
      tags,
    };
    tx.put(key, record);
    return policyView(account, record);
  });
}

async function awsPolicyUse(tx: Tx | undefined, env: IamEnv, account: string, name: string): Promise<AwsPolicyUseRecord | undefined> {
  const key = iamKeys.awsPolicyUse(account, name);
  if (tx) return tx.get<AwsPolicyUseRecord>(key);
  const kv = await env.store.get(key);
  return kv ? (JSON.parse(kv.value) as AwsPolicyUseRecord) : undefined;
}

function awsPolicyView(p: AwsManagedPolicy, use: AwsPolicyUseRecord | undefined): ManagedPolicyView {
  return {
    policyName: p.policyName,
    policyId: p.policyId,
    arn: p.arn,
    path: p.path,
    defaultVersionId: p.defaultVersionId,
    attachmentCount: use?.attachmentCount ?? 0,
    permissionsBoundaryUsageCount: use?.boundaryUsageCount ?? 0,
    isAttachable: true,
    description: p.description,
    createDate: p.createDate,
    updateDate: p.updateDate,
    tags: [],
  };
}

/** Reads a managed policy by ARN inside a transaction, or NoSuchEntity "was not found". */
async function requirePolicy(tx: Tx, account: string, arn: string): Promise<ManagedPolicyRef> {
  const ref = await findManagedPolicy(tx, account, arn);
  if (!ref) throw IamErrors.noSuchPolicy(arn);
  return ref;
}

/** Reads a customer managed policy for a change: AWS managed policies cannot be changed. */
async function requireCustomer(tx: Tx, account: string, arn: string): Promise<Extract<ManagedPolicyRef, { kind: 'customer' }>> {
  const ref = await requirePolicy(tx, account, arn);
  if (ref.kind === 'aws') throw IamErrors.unmodifiable(`Cannot modify AWS managed policy ${arn}.`);
  return ref;
}

/** A managed policy by ARN (GetPolicy). */
export async function getPolicy(env: IamEnv, account: string, arn: string): Promise<ManagedPolicyView> {
  return transact(env.store, async (tx) => {
    const ref = await requirePolicy(tx, account, arn);
    return ref.kind === 'customer' ? policyView(account, ref.record) : awsPolicyView(ref.policy, await awsPolicyUse(tx, env, account, ref.name));
  });
}

/** What ListPolicies filters by. */
export interface ListPoliciesInput extends PageRequest {
  scope?: 'All' | 'AWS' | 'Local';
  onlyAttached?: boolean;
  pathPrefix?: string;
  policyUsageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary';
}

/** The account's customer managed policies and the AWS managed ones, filtered and paged, in ARN order. */
export async function listPolicies(env: IamEnv, account: string, input: ListPoliciesInput): Promise<Page<ManagedPolicyView>> {
  const scope = input.scope ?? 'All';
  const views: ManagedPolicyView[] = [];
  if (scope !== 'AWS') {
    const { kvs } = await env.store.range(iamKeys.policies(account));
    for (const kv of kvs) views.push(policyView(account, JSON.parse(kv.value) as PolicyRecord));
  }
  if (scope !== 'Local') {
    const uses = new Map<string, AwsPolicyUseRecord>();
    for (const kv of (await env.store.range(`iam/${account}/aws-policy/`)).kvs) uses.set(kv.key.slice(kv.key.lastIndexOf('/') + 1), JSON.parse(kv.value) as AwsPolicyUseRecord);
    for (const p of managedPolicies) {
      const policy = awsManagedPolicy(p.arn);
      if (policy) views.push(awsPolicyView(policy, uses.get(policy.policyName)));
    }
  }
  const wanted = views.filter((v) => {
    if (!underPath(v.path, input.pathPrefix)) return false;
    if (!input.onlyAttached) return true;
    return input.policyUsageFilter === 'PermissionsBoundary' ? v.permissionsBoundaryUsageCount > 0 : v.attachmentCount > 0;
  });
  wanted.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  return pageOf(wanted, (v) => v.arn, input);
}

/** Deletes a customer managed policy that nothing uses and that has only its default version. */
export async function deletePolicy(env: IamEnv, account: string, arn: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const ref = await requireCustomer(tx, account, arn);
    if (ref.record.attachmentCount > 0 || ref.record.boundaryUsageCount > 0) throw IamErrors.policyAttached();
    if (ref.record.versions.length > 1) throw IamErrors.policyHasVersions();
    tx.delete(ref.key);
  });
}

/** Adds a version (CreatePolicyVersion), making it the default when asked. At most five versions. */
export async function createPolicyVersion(
  env: IamEnv, account: string, arn: string, document: string, setAsDefault: boolean,
): Promise<PolicyVersionView> {
  checkManagedDocument(document, arn);
  return transact(env.store, async (tx) => {
    const { key, record } = await requireCustomer(tx, account, arn);
    if (record.versions.length >= VERSIONS_PER_POLICY) throw IamErrors.policyVersions();
    const now = env.clock.now();
    const version = { versionId: `v${record.nextVersion}`, document, createdAt: now };
    record.versions.push(version);
    record.nextVersion += 1;
    record.updatedAt = now;
    if (setAsDefault) record.defaultVersionId = version.versionId;
    tx.put(key, record);
    return policyVersionView(version, record.defaultVersionId);
  });
}

/** One version of a managed policy (AWS managed policies show their default version). */
export async function getPolicyVersion(env: IamEnv, account: string, arn: string, versionId: string): Promise<PolicyVersionView> {
  return transact(env.store, async (tx) => {
    const ref = await findManagedPolicy(tx, account, arn);
    if (!ref) throw IamErrors.noSuchPolicyVersion(arn, versionId);
    if (ref.kind === 'aws') {
      if (versionId !== ref.policy.defaultVersionId) throw IamErrors.noSuchPolicyVersion(arn, versionId);
      return { versionId, isDefaultVersion: true, createDate: ref.policy.updateDate, document: ref.policy.document };
    }
    const version = ref.record.versions.find((v) => v.versionId === versionId);
    if (!version) throw IamErrors.noSuchPolicyVersion(arn, versionId);
    return policyVersionView(version, ref.record.defaultVersionId);
  });
}

/** A managed policy's versions, newest first. */
export async function listPolicyVersions(env: IamEnv, account: string, arn: string, page: PageRequest): Promise<Page<PolicyVersionView>> {
  const versions = await transact(env.store, async (tx) => {
    const ref = await requirePolicy(tx, account, arn);
    if (ref.kind === 'aws') {
      return [{ versionId: ref.policy.defaultVersionId, isDefaultVersion: true, createDate: ref.policy.updateDate, document: ref.policy.document }];
    }
    return ref.record.versions.map((v) => policyVersionView(v, ref.record.defaultVersionId)).reverse();
  });
  // Newest first: page on the version number, descending, so keys compare in list order.
  const order = (v: PolicyVersionView) => String(1e9 - Number(v.versionId.slice(1))).padStart(10, '0');
  return pageOf(versions, order, page);
}

/** Deletes a version that is not the default. */
export async function deletePolicyVersion(env: IamEnv, account: string, arn: string, versionId: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const { key, record } = await requireCustomer(tx, account, arn);
    const at = record.versions.findIndex((v) => v.versionId === versionId);
    if (at < 0) throw IamErrors.noSuchPolicyVersion(arn, versionId);
    if (versionId === record.defaultVersionId) throw IamErrors.defaultVersion();
    record.versions.splice(at, 1);
    tx.put(key, record);
  });
}

/** Makes a version the default: the one every principal it is attached to is held to. */
export async function setDefaultPolicyVersion(env: IamEnv, account: string, arn: string, versionId: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const { key, record } = await requireCustomer(tx, account, arn);
    if (!record.versions.some((v) => v.versionId === versionId)) throw IamErrors.noSuchPolicyVersion(arn, versionId);
    record.defaultVersionId = versionId;
    record.updatedAt = env.clock.now();
    tx.put(key, record);
  });
}

/** Adds or replaces tags on a customer managed policy (keys compared with case). */
export async function tagPolicy(env: IamEnv, account: string, arn: string, tags: TagRecord[]): Promise<void> {
  await transact(env.store, async (tx) => {
    const { key, record } = await requireCustomer(tx, account, arn);
    record.tags = mergeTags(record.tags, tags, 'sensitive', 'TagsPerPolicy');
    tx.put(key, record);
  });
}

/** Removes tags from a customer managed policy. */
export async function untagPolicy(env: IamEnv, account: string, arn: string, keys: string[]): Promise<void> {
  await transact(env.store, async (tx) => {
    const { key, record } = await requireCustomer(tx, account, arn);
    record.tags = removeTags(record.tags, keys, 'sensitive');
    tx.put(key, record);
  });
}

/** A managed policy's tags (AWS managed policies have none). */
export async function listPolicyTags(env: IamEnv, account: string, arn: string, page: PageRequest): Promise<Page<TagRecord>> {
  const view = await getPolicy(env, account, arn);
  return pageOf(view.tags, (t) => t.key, page);
}
