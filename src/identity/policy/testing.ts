/**
 * Test harness for the policy part: short builders for documents, principals and requests, so
 * tests read as the AWS examples they come from.
 */
import { parsePolicy } from './parse.ts';
import type { EvaluationRequest, Policy, PolicyKind, RequestPrincipal } from './types.ts';

/** The account most examples use. */
export const ACCOUNT = '123456789012';
/** Another account, for cross-account cases. */
export const OTHER = '444455556666';

/** Parses a policy written as a JS object (statement object or list); `version: null` leaves Version out. */
export function policy(statements: object | object[], kind: PolicyKind = 'identity', version: string | null = '2012-10-17'): Policy {
  const doc: Record<string, unknown> = { Statement: statements };
  if (version !== null) doc.Version = version;
  return parsePolicy(JSON.stringify(doc), kind);
}

/** An IAM user principal. */
export function user(name: string, account = ACCOUNT, tags?: Record<string, string>): RequestPrincipal {
  return { arn: `arn:aws:iam::${account}:user/${name}`, account, userId: `AIDA${name.toUpperCase()}EXAMPLE`, username: name, kind: 'user', ...(tags ? { tags } : {}) };
}

/** A role session principal (AssumeRole), with the role's ARN. */
export function session(role: string, sessionName = 'sess', account = ACCOUNT, tags?: Record<string, string>): RequestPrincipal {
  return {
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${sessionName}`,
    account,
    userId: `AROA${role.toUpperCase()}EXAMPLE:${sessionName}`,
    kind: 'assumed-role',
    roleArn: `arn:aws:iam::${account}:role/${role}`,
    ...(tags ? { tags } : {}),
  };
}

/** The account's root user. */
export function root(account = ACCOUNT): RequestPrincipal {
  return { arn: `arn:aws:iam::${account}:root`, account, userId: account, kind: 'root' };
}

/** A service principal such as `ecs-tasks.amazonaws.com`. */
export function service(name: string): RequestPrincipal {
  return { arn: name, account: '', userId: name, kind: 'service' };
}

/** A request with defaults: no context, no policies. */
export function request(over: Partial<EvaluationRequest> & Pick<EvaluationRequest, 'principal' | 'action'>): EvaluationRequest {
  return { resource: '*', context: {}, identityPolicies: [], ...over };
}
