/**
 * Wharf's IAM policy language: parse and validate documents as IAM does (with IAM's
 * MalformedPolicyDocument wording), and evaluate requests against them with IAM's policy
 * evaluation logic. A pure part: no I/O and no clock (the time of a request is a condition
 * value, aws:CurrentTime / aws:EpochTime, given by the caller).
 *
 *   text ──parsePolicy(kind)──▶ Policy (matchers compiled once)
 *   EvaluationRequest { principal, action, resource, context, policies } ──evaluate──▶
 *       { decision, deniedBy } ──denialMessage──▶ AWS's AccessDenied text
 */
export type {
  ConditionElement, Decision, EvaluationRequest, EvaluationResult, ParseOptions, Policy, PolicyKind, PolicyType, PolicyVersion,
  PrincipalElement, RequestPrincipal, Statement,
} from './types.ts';
export { PolicyDocumentError, PolicyMessages } from './errors.ts';
export { parsePolicy } from './parse.ts';
export { evaluate } from './evaluate.ts';
export { denialMessage } from './messages.ts';
