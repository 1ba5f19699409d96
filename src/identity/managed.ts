/**
 * Managed policies by ARN, whichever kind they are: customer managed policies are records of
 * the account; AWS managed policies are data shipped with Wharf (read-only), whose use by an
 * account (attachments, boundaries) is counted in a small record of its own.
 */
import type { Tx } from '../state/index.ts';
import { IamErrors } from './errors.ts';
import { AWS_MANAGED_ACCOUNT, parseIamArn } from './identifiers.ts';
import { managedPolicyByArn } from './managed-policies/index.ts';
import { iamKeys, type AwsPolicyUseRecord, type PolicyRecord } from './records.ts';

/** An AWS managed policy as Wharf ships it. */
export interface AwsManagedPolicy {
  policyName: string;
  arn: string;
  path: string;
  policyId: string;
  defaultVersionId: string;
  document: string;
  description?: string;
  createDate: Date;
  updateDate: Date;
}

/** The AWS managed policy an ARN names, if Wharf ships it. */
export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  const p = managedPolicyByArn(arn);
  if (!p) return undefined;
  return {
    policyName: p.name,
    arn: p.arn,
    path: p.path,
    policyId: p.id,
    defaultVersionId: p.defaultVersionId,
    document: p.document,
    description: p.description,
    createDate: new Date(p.createDate),
    updateDate: new Date(p.updateDate),
  };
}

/** A managed policy found by ARN: the record (customer) or the shipped data (AWS). */
export type ManagedPolicyRef =
  | { kind: 'customer'; arn: string; name: string; key: string; record: PolicyRecord }
  | { kind: 'aws'; arn: string; name: string; policy: AwsManagedPolicy };

/**
 * The managed policy `arn` names in `account`'s view, or undefined: a customer policy must be
 * the account's own and its path must match the ARN's.
 */
export async function findManagedPolicy(tx: Tx, account: string, arn: string): Promise<ManagedPolicyRef | undefined> {
  const parts = parseIamArn(arn);
  if (!parts || parts.type !== 'policy') return undefined;
  if (parts.account === AWS_MANAGED_ACCOUNT) {
    const policy = awsManagedPolicy(arn);
    return policy && { kind: 'aws', arn, name: policy.policyName, policy };
  }
  if (parts.account !== account) return undefined;
  const key = iamKeys.policy(account, parts.name);
  const record = await tx.get<PolicyRecord>(key);
  if (!record || record.path !== parts.path || record.name !== parts.name) return undefined;
  return { kind: 'customer', arn, name: record.name, key, record };
}

/** The managed policy, or NoSuchEntity "does not exist or is not attachable" (attach and boundary). */
export async function requireAttachable(tx: Tx, account: string, arn: string): Promise<ManagedPolicyRef> {
  const ref = await findManagedPolicy(tx, account, arn);
  if (!ref) throw IamErrors.notAttachable(arn);
  return ref;
}

/** The document of a managed policy's default version. */
export function defaultDocument(ref: ManagedPolicyRef): string {
  if (ref.kind === 'aws') return ref.policy.document;
  const v = ref.record.versions.find((x) => x.versionId === ref.record.defaultVersionId);
  return v?.document ?? '';
}

/** Adds `delta` to the policy's attachment or boundary count, in the transaction. */
export async function countUse(tx: Tx, account: string, ref: ManagedPolicyRef, field: 'attachment' | 'boundary', delta: number): Promise<void> {
  if (ref.kind === 'customer') {
    const record = (await tx.get<PolicyRecord>(ref.key)) ?? ref.record;
    if (field === 'attachment') record.attachmentCount = Math.max(0, record.attachmentCount + delta);
    else record.boundaryUsageCount = Math.max(0, record.boundaryUsageCount + delta);
    tx.put(ref.key, record);
    return;
  }
  const key = iamKeys.awsPolicyUse(account, ref.name);
  const use = (await tx.get<AwsPolicyUseRecord>(key)) ?? { attachmentCount: 0, boundaryUsageCount: 0 };
  if (field === 'attachment') use.attachmentCount = Math.max(0, use.attachmentCount + delta);
  else use.boundaryUsageCount = Math.max(0, use.boundaryUsageCount + delta);
  if (use.attachmentCount === 0 && use.boundaryUsageCount === 0) tx.delete(key);
  else tx.put(key, use);
}
