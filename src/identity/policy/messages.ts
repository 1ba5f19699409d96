/**
 * AWS's refusal text for a denied request, so an AccessDenied error from Wharf reads as AWS's
 * does: "User: <arn> is not authorized to perform: <action> on resource: <resource> because no
 * identity-based policy allows the <action> action", and the other endings by policy type.
 */
import type { EvaluationResult, PolicyType } from './types.ts';

const EXPLICIT: Readonly<Record<PolicyType, string>> = {
  identity: 'with an explicit deny in an identity-based policy',
  resource: 'with an explicit deny in a resource-based policy',
  trust: 'with an explicit deny in the role trust policy',
  boundary: 'with an explicit deny in a permissions boundary',
  session: 'with an explicit deny in a session policy',
  scp: 'with an explicit deny in a service control policy',
};

const IMPLICIT: Readonly<Record<PolicyType, (action: string) => string>> = {
  identity: (a) => `because no identity-based policy allows the ${a} action`,
  resource: (a) => `because no resource-based policy allows the ${a} action`,
  trust: (a) => `because no role trust policy allows the ${a} action`,
  boundary: (a) => `because no permissions boundary allows the ${a} action`,
  session: (a) => `because no session policy allows the ${a} action`,
  scp: (a) => `because no service control policy allows the ${a} action`,
};

/** AWS's refusal text for a denied request (an explicit deny names the managed policy's ARN when known). */
export function denialMessage(principalArn: string, action: string, resource: string, result: EvaluationResult): string {
  if (result.decision === 'Allow') throw new RangeError('denialMessage() needs a denied request');
  const base = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  if (!result.deniedBy) return base;
  if (result.decision === 'ExplicitDeny') return `${base} ${EXPLICIT[result.deniedBy]}${result.policyArn ? `: ${result.policyArn}` : ''}`;
  return `${base} ${IMPLICIT[result.deniedBy](action)}`;
}
