/**
 * Policy documents as IAM accepts them for storing: parsed by the policy engine for the kind
 * of policy they are (IAM's MalformedPolicyDocument wording comes from there) and measured as
 * IAM measures them against its size quotas: characters, not counting white space.
 */
import { IamErrors } from './errors.ts';
import { parsePolicy, PolicyDocumentError, type ParseOptions, type Policy, type PolicyKind } from './policy/index.ts';

/** IAM's size quotas, in non-white-space characters. */
export const PolicySizeQuota = {
  /** Aggregate of a user's inline policies. */
  user: 2048,
  /** Aggregate of a group's inline policies. */
  group: 5120,
  /** Aggregate of a role's inline policies. */
  role: 10240,
  /** One managed policy version. */
  managed: 6144,
  /** A role's trust policy. */
  trust: 2048,
} as const;

/** The size IAM counts for a document: its characters other than white space. */
export function policySize(document: string): number {
  let n = 0;
  for (let i = 0; i < document.length; i++) {
    const c = document.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) n++;
  }
  return n;
}

/** Parses a document for storing, answering a bad one with IAM's MalformedPolicyDocument. */
export function checkPolicyDocument(document: string, kind: PolicyKind, options?: ParseOptions): Policy {
  try {
    return parsePolicy(document, kind, options);
  } catch (error) {
    if (error instanceof PolicyDocumentError) throw IamErrors.malformedPolicy(error.message);
    throw error;
  }
}
