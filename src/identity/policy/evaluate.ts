/**
 * `evaluate`: IAM's policy evaluation logic, as the IAM User Guide's "Policy evaluation logic"
 * and "Cross-account policy evaluation logic" pages give it.
 *
 *   1. An explicit Deny in any policy that applies (identity-based, resource-based, permissions
 *      boundary, session, SCP) decides: ExplicitDeny.
 *   2. SCPs: every level must allow, or ImplicitDeny.
 *   3. Same account: an Allow in the resource-based policy that names the user or the session
 *      itself (or everyone) decides Allow, whatever the other policies say; one that names the
 *      role a session belongs to still needs the boundary and session policies; otherwise the
 *      identity-based policies must allow, then the permissions boundary, then (for a role
 *      session with session policies) the session policies. A role trust policy must always
 *      allow: it is the one resource policy that an identity-based allow cannot stand in for.
 *   4. Cross account: the resource-based policy must allow AND the identity side (identity
 *      policies, boundary, session policies) must allow.
 *   5. The root user has an implicit allow-all identity policy (no boundary, no session
 *      policies); only an explicit deny (or a missing cross-account grant) stops it.
 *
 * Pure and allocation-light: the matchers were compiled by parsePolicy; per request this builds
 * the split action/resource and, only if a condition or variable asks, the context map.
 */
import { CompiledPolicy, target, type Target } from './compiled.ts';
import { RequestContext, roleArnOf } from './context.ts';
import { matchPrincipal, notPrincipalApplies, PrincipalMatch, type Caller } from './principals.ts';
import type { EvaluationRequest, EvaluationResult, Policy, PolicyType } from './types.ts';

const DENY = -1;

function compiledOf(policy: Policy): CompiledPolicy {
  if (policy instanceof CompiledPolicy) return policy;
  throw new TypeError('evaluate() needs policies returned by parsePolicy()');
}

/** Everything a statement is matched against, for one request. */
interface Scan {
  readonly target: Target;
  readonly ctx: RequestContext;
  readonly who: Caller;
  /** The caller has a permissions boundary (IAM's NotPrincipal-with-Deny rule depends on it). */
  readonly hasBoundary: boolean;
}

/**
 * Runs one policy over the request: DENY when a Deny statement applies, otherwise the strongest
 * `PrincipalMatch` among the Allow statements that apply (`none` when none does; statements
 * without a principal, in identity-based policies, count as `direct`).
 */
function scan(policy: Policy, s: Scan): number {
  let best: number = PrincipalMatch.none;
  for (const st of compiledOf(policy).candidates(s.target.vendor)) {
    if (st.action(s.target) === st.notAction) continue;
    let level: number = PrincipalMatch.direct;
    if (st.principal) {
      if (st.notPrincipal) {
        // IAM: a Deny with NotPrincipal always applies to a user or role that has a permissions boundary.
        const boundaryRule = st.deny && s.hasBoundary && (s.who.kind === 'user' || s.who.kind === 'assumed-role');
        if (!boundaryRule && !notPrincipalApplies(st.principal, s.who)) continue;
      } else {
        level = matchPrincipal(st.principal, s.who);
        if (level === PrincipalMatch.none) continue;
      }
    }
    if (st.resource) {
      const r = st.resource(s.target, s.ctx);
      // A Resource variable with no value makes the statement not apply (for NotResource too).
      if (r === undefined || r === st.notResource) continue;
    }
    let ok = true;
    for (const c of st.conditions) {
      if (!c(s.ctx)) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (st.deny) return DENY;
    if (level > best) best = level;
  }
  return best;
}

const explicit = (deniedBy: PolicyType, policy: Policy): EvaluationResult => ({
  decision: 'ExplicitDeny',
  deniedBy,
  explicit: true,
  ...(policy.arn ? { policyArn: policy.arn } : {}),
});
const implicit = (deniedBy: PolicyType): EvaluationResult => ({ decision: 'ImplicitDeny', deniedBy, explicit: false });
const allow = (allowedBy: 'root' | 'identity' | 'resource'): EvaluationResult => ({ decision: 'Allow', allowedBy });

/** Decides one request as IAM would: Allow, ExplicitDeny or ImplicitDeny, and which policy type decided. */
export function evaluate(request: EvaluationRequest): EvaluationResult {
  const p = request.principal;
  const who: Caller = { kind: p.kind, arn: p.arn, account: p.account, roleArn: roleArnOf(p) };
  const iamPrincipal = p.kind === 'root' || p.kind === 'user' || p.kind === 'assumed-role';
  const entity = p.kind === 'user' || p.kind === 'assumed-role';
  const boundary = entity ? request.permissionsBoundary : undefined;
  const sessions = p.kind === 'assumed-role' ? request.sessionPolicies ?? [] : [];
  const scps = iamPrincipal ? request.serviceControlPolicies ?? [] : [];
  const s: Scan = { target: target(request.action, request.resource), ctx: new RequestContext(request), who, hasBoundary: boundary !== undefined };

  // 1. Explicit denies, in every policy type that applies.
  let identityAllows = p.kind === 'root';
  if (entity) {
    for (const policy of request.identityPolicies) {
      const r = scan(policy, s);
      if (r === DENY) return explicit('identity', policy);
      if (r > PrincipalMatch.none) identityAllows = true;
    }
  }
  const trust = request.resourcePolicy?.kind === 'trust';
  let resourceLevel: number = PrincipalMatch.none;
  if (request.resourcePolicy) {
    resourceLevel = scan(request.resourcePolicy, s);
    if (resourceLevel === DENY) return explicit(trust ? 'trust' : 'resource', request.resourcePolicy);
  }
  let boundaryAllows = true;
  if (boundary) {
    const r = scan(boundary, s);
    if (r === DENY) return explicit('boundary', boundary);
    boundaryAllows = r > PrincipalMatch.none;
  }
  let sessionAllows = sessions.length === 0;
  for (const policy of sessions) {
    const r = scan(policy, s);
    if (r === DENY) return explicit('session', policy);
    if (r > PrincipalMatch.none) sessionAllows = true;
  }
  let scpAllows = true;
  for (const policy of scps) {
    const r = scan(policy, s);
    if (r === DENY) return explicit('scp', policy);
    if (r === PrincipalMatch.none) scpAllows = false;
  }

  // 2. SCPs limit every principal of a member account, the root user included.
  if (!scpAllows) return implicit('scp');

  // Services and federated callers have no identity policies: only the resource's policy grants.
  if (!iamPrincipal) return resourceLevel > PrincipalMatch.none ? allow('resource') : implicit(trust ? 'trust' : 'resource');

  const identitySide: PolicyType | undefined = !identityAllows ? 'identity' : !boundaryAllows ? 'boundary' : !sessionAllows ? 'session' : undefined;
  const crossAccount = request.resourceAccount !== undefined && request.resourceAccount !== p.account;
  if ((trust || crossAccount) && resourceLevel === PrincipalMatch.none) return implicit(trust ? 'trust' : 'resource');

  // 4. Cross account: both sides must allow.
  if (crossAccount) return identitySide ? implicit(identitySide) : allow(p.kind === 'root' ? 'root' : 'identity');

  // 3. Same account.
  if (p.kind === 'root') return allow('root');
  if (resourceLevel === PrincipalMatch.direct) return allow('resource');
  if (resourceLevel === PrincipalMatch.role) {
    if (!boundaryAllows) return implicit('boundary');
    if (!sessionAllows) return implicit('session');
    return allow('resource');
  }
  return identitySide ? implicit(identitySide) : allow('identity');
}
