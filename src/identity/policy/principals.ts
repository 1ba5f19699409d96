/**
 * The Principal and NotPrincipal elements: their grammar (`"*"`, or `AWS` / `Service` /
 * `Federated` / `CanonicalUser` with one value or a list), IAM's checks of each value, and
 * matching a caller against them.
 *
 * Matching says how a statement names the caller, because IAM's evaluation depends on it
 * (see evaluate.ts): naming the user or the session itself (or everyone) grants directly; naming
 * the role a session belongs to grants through the role; naming the account delegates to the
 * account's own policies.
 */
import { PolicyDocumentError, PolicyMessages } from './errors.ts';
import type { PrincipalElement } from './types.ts';

/** How a statement's principal names the caller; higher is more direct. */
export const PrincipalMatch = { none: 0, account: 1, role: 2, direct: 3 } as const;
/** One of `PrincipalMatch`'s values. */
export type PrincipalMatchLevel = (typeof PrincipalMatch)[keyof typeof PrincipalMatch];

/** A compiled Principal element. */
export interface PrincipalMatcher {
  /** `"*"` or `{"AWS": "*"}`: everyone. */
  readonly any: boolean;
  /** Accounts named by id or by `arn:aws:iam::ID:root`. */
  readonly accounts: ReadonlySet<string>;
  /** Users, roles, role sessions and federated users named by ARN. */
  readonly arns: ReadonlySet<string>;
  /** Service principals, lower-cased. */
  readonly services: ReadonlySet<string>;
  readonly federated: ReadonlySet<string>;
}

/** The caller as principal matching sees it, computed once per request. */
export interface Caller {
  readonly kind: 'root' | 'user' | 'assumed-role' | 'service' | 'federated';
  readonly arn: string;
  readonly account: string;
  readonly roleArn?: string;
}

const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:aws(-[a-z-]+)?:iam::(\d{12}):root$/;
const ENTITY_ARN = /^arn:aws(-[a-z-]+)?:(iam::\d{12}:(user|role)\/[\w+=,.@\/-]+|sts::\d{12}:(assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+|federated-user\/[\w+=,.@-]+))$/;
const UNIQUE_ID = /^A[A-Z0-9]{15,127}$/;
const SERVICE = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;
const TYPES = ['AWS', 'Service', 'Federated', 'CanonicalUser'] as const;

const syntax = () => new PolicyDocumentError(PolicyMessages.syntax);

/** Reads an element value: one string or a non-empty list of strings. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v as string[];
  throw syntax();
}

/**
 * Validates and compiles a Principal/NotPrincipal element. `principalExists` lets the IAM API
 * refuse users and roles that do not exist, as IAM does when it saves a trust policy.
 */
export function compilePrincipal(raw: unknown, principalExists?: (arn: string) => boolean): { element: PrincipalElement; matcher: PrincipalMatcher } {
  if (raw === '*') return { element: '*', matcher: { any: true, accounts: new Set(), arns: new Set(), services: new Set(), federated: new Set() } };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw syntax();
  const entries = Object.entries(raw);
  if (entries.length === 0) throw syntax();
  const element: Record<string, readonly string[]> = {};
  let any = false;
  const accounts = new Set<string>();
  const arns = new Set<string>();
  const services = new Set<string>();
  const federated = new Set<string>();
  for (const [type, value] of entries) {
    if (!(TYPES as readonly string[]).includes(type)) throw syntax();
    const values = strings(value);
    element[type] = values;
    for (const v of values) {
      if (type === 'AWS') {
        if (v === '*') any = true;
        else if (ACCOUNT_ID.test(v)) accounts.add(v);
        else if (ROOT_ARN.test(v)) accounts.add(v.split(':')[4]);
        else if (ENTITY_ARN.test(v)) {
          if (principalExists && /:iam::\d{12}:(user|role)\//.test(v) && !principalExists(v)) throw new PolicyDocumentError(PolicyMessages.invalidPrincipal('AWS', v));
          arns.add(v);
        } else if (!UNIQUE_ID.test(v)) throw new PolicyDocumentError(PolicyMessages.invalidPrincipal('AWS', v));
      } else if (type === 'Service') {
        if (!SERVICE.test(v)) throw new PolicyDocumentError(PolicyMessages.invalidPrincipal('SERVICE', v));
        services.add(v.toLowerCase());
      } else if (type === 'Federated') {
        if (!v || v.includes('*')) throw new PolicyDocumentError(PolicyMessages.invalidPrincipal('FEDERATED', v));
        federated.add(v);
      } else if (!v) throw new PolicyDocumentError(PolicyMessages.invalidPrincipal('CANONICALUSER', v));
    }
  }
  return { element, matcher: { any, accounts, arns, services, federated } };
}

/** How the Principal element names the caller (`PrincipalMatch.none` when it does not). */
export function matchPrincipal(m: PrincipalMatcher, who: Caller): PrincipalMatchLevel {
  if (m.any) return PrincipalMatch.direct;
  switch (who.kind) {
    case 'service':
      return m.services.has(who.arn.toLowerCase()) ? PrincipalMatch.direct : PrincipalMatch.none;
    case 'federated':
      return m.federated.has(who.arn) ? PrincipalMatch.direct : PrincipalMatch.none;
    case 'root':
      return m.accounts.has(who.account) ? PrincipalMatch.direct : PrincipalMatch.none;
    default:
      if (m.arns.has(who.arn)) return PrincipalMatch.direct;
      if (who.roleArn !== undefined && m.arns.has(who.roleArn)) return PrincipalMatch.role;
      return m.accounts.has(who.account) ? PrincipalMatch.account : PrincipalMatch.none;
  }
}

/**
 * True when a NotPrincipal statement applies to the caller: IAM exempts a caller only when
 * every name it goes by is listed (the session, its role and the account; the user and the
 * account), which is why AWS's examples list the account beside the user.
 */
export function notPrincipalApplies(m: PrincipalMatcher, who: Caller): boolean {
  if (m.any) return false;
  switch (who.kind) {
    case 'service':
      return !m.services.has(who.arn.toLowerCase());
    case 'federated':
      return !m.federated.has(who.arn);
    case 'root':
      return !m.accounts.has(who.account);
    default:
      if (!m.arns.has(who.arn) || !m.accounts.has(who.account)) return true;
      return who.roleArn !== undefined && !m.arns.has(who.roleArn);
  }
}
