/**
 * The request context as conditions and variables read it: keys compared case-insensitively,
 * every value a list, and the keys AWS derives from the principal (aws:username, aws:userid,
 * aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:PrincipalTag/*, ...) answered
 * where the caller did not give them. Lazy: the caller's keys are lower-cased into a map only
 * when a condition or variable first asks, and derived keys are computed on demand.
 */
import type { VariableLookup } from './pattern.ts';
import type { EvaluationRequest, RequestPrincipal } from './types.ts';

const PRINCIPAL_TYPE: Readonly<Record<RequestPrincipal['kind'], string | undefined>> = {
  root: 'Account',
  user: 'User',
  'assumed-role': 'AssumedRole',
  service: undefined,
  federated: undefined,
};
const TAG_PREFIX = 'aws:principaltag/';
const SESSION_ARN = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;

/** The role ARN behind a session: given, or derived from `arn:aws:sts::A:assumed-role/R/S` (without the role's path, which the session ARN does not carry). */
export function roleArnOf(principal: RequestPrincipal): string | undefined {
  if (principal.kind !== 'assumed-role') return undefined;
  if (principal.roleArn) return principal.roleArn;
  const m = SESSION_ARN.exec(principal.arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : undefined;
}

/** A key AWS derives from the principal; undefined when the principal has no such value. */
function derived(p: RequestPrincipal, key: string): string | undefined {
  const iam = p.kind === 'root' || p.kind === 'user' || p.kind === 'assumed-role';
  switch (key) {
    case 'aws:userid':
      return p.userId || undefined;
    case 'aws:username':
      return p.kind === 'user' ? p.username ?? p.arn.slice(p.arn.lastIndexOf('/') + 1) : undefined;
    case 'aws:principalarn':
      return iam ? (p.kind === 'assumed-role' ? roleArnOf(p) ?? p.arn : p.arn) : undefined;
    case 'aws:principalaccount':
      return iam ? p.account : undefined;
    case 'aws:principaltype':
      return PRINCIPAL_TYPE[p.kind];
    case 'aws:principalisawsservice':
      return iam ? 'false' : p.kind === 'service' ? 'true' : undefined;
    case 'aws:principalservicename':
      return p.kind === 'service' ? p.arn : undefined;
  }
  if (key.startsWith(TAG_PREFIX) && p.tags) {
    const wanted = key.slice(TAG_PREFIX.length);
    for (const k in p.tags) if (k.toLowerCase() === wanted) return p.tags[k];
  }
  return undefined;
}

/** Lower-cased key → values view of one request's context. */
export class RequestContext implements VariableLookup {
  private map: Map<string, readonly string[]> | undefined;

  constructor(private readonly request: EvaluationRequest) {}

  /** The values of a (lower-cased) key; undefined when the request has no such key. */
  values(key: string): readonly string[] | undefined {
    const given = (this.map ??= this.build()).get(key);
    if (given !== undefined) return given;
    const d = derived(this.request.principal, key);
    return d === undefined ? undefined : [d];
  }

  /** The single value of a key, for substituting a policy variable; undefined when absent or multi-valued. */
  variable(key: string): string | undefined {
    const v = this.values(key);
    return v !== undefined && v.length === 1 ? v[0] : undefined;
  }

  private build(): Map<string, readonly string[]> {
    const map = new Map<string, readonly string[]>();
    const context = this.request.context;
    for (const k in context) {
      const v = context[k];
      if (v !== undefined) map.set(k.toLowerCase(), typeof v === 'string' ? [v] : v);
    }
    return map;
  }
}
