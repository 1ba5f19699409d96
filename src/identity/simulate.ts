/**
 * IAM's policy simulator (SimulatePrincipalPolicy, SimulateCustomPolicy): evaluates actions on
 * resources against a principal's policies (and optional extra ones) without doing anything,
 * answering each decision with the statements that decided it. Statements are found by
 * evaluating each one alone, so the simulator and the authorizer share one engine.
 */
import { Tx } from '../state/index.ts';
import { checkPolicyDocument } from './documents.ts';
import type { IamEnv } from './env.ts';
import { IamErrors } from './errors.ts';
import { assumedRoleArn, entityArn, parseIamArn } from './identifiers.ts';
import { defaultDocument, findManagedPolicy } from './managed.ts';
import { evaluate, parsePolicy, type Policy, type PolicyKind, type RequestPrincipal } from './policy/index.ts';
import { iamKeys, type GroupRecord, type RoleRecord, type UserRecord } from './records.ts';
import { tagMap } from './tags.ts';

/** Where a simulated policy came from, in IAM's words. */
export type PolicySourceType = 'user' | 'group' | 'role' | 'aws-managed' | 'user-managed' | 'resource' | 'none';

/** One policy the simulator evaluates. */
export interface SimulationPolicy {
  /** The inline policy's name, the managed policy's name, or `PolicyInputList.<n>`. */
  id: string;
  type: PolicySourceType;
  document: string;
}

/** One simulated decision. */
export interface SimulationResult {
  action: string;
  resource: string;
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  matchedStatements: { sourcePolicyId: string; sourcePolicyType: PolicySourceType }[];
  /** Set when a boundary was simulated: whether it allowed the request. */
  allowedByPermissionsBoundary?: boolean;
}

/** What one simulation evaluates. */
export interface SimulationRequest {
  principal: RequestPrincipal;
  identity: SimulationPolicy[];
  boundary?: SimulationPolicy[];
  resourcePolicy?: SimulationPolicy;
  resourceOwner?: string;
  actions: string[];
  resources: string[];
  context: Record<string, string[]>;
}

const KIND_OF: Record<PolicySourceType, PolicyKind> = {
  user: 'identity', group: 'identity', role: 'identity', 'aws-managed': 'identity', 'user-managed': 'identity', none: 'identity', resource: 'resource',
};

/** Each statement of a document as a policy of its own, to tell which ones match. */
function statementsOf(p: SimulationPolicy): Policy[] {
  const doc = JSON.parse(p.document) as { Version?: string; Statement?: unknown };
  const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return list.map((st) => parsePolicy(JSON.stringify({ ...(doc.Version ? { Version: doc.Version } : {}), Statement: [st] }), KIND_OF[p.type]));
}

/** Runs a simulation: every action on every resource. */
export function simulate(request: SimulationRequest): SimulationResult[] {
  const parse = (p: SimulationPolicy) => checkPolicyDocument(p.document, KIND_OF[p.type]);
  const identity = request.identity.map(parse);
  const boundary = request.boundary?.length ? request.boundary.map(parse) : undefined;
  const resourcePolicy = request.resourcePolicy && parse(request.resourcePolicy);
  const split = [...request.identity, ...(request.boundary ?? []), ...(request.resourcePolicy ? [request.resourcePolicy] : [])].map((p) => ({
    source: p,
    statements: statementsOf(p),
  }));
  const results: SimulationResult[] = [];
  for (const action of request.actions) {
    for (const resource of request.resources.length ? request.resources : ['*']) {
      const base = { principal: request.principal, action, resource, resourceAccount: request.resourceOwner, context: request.context };
      // Each part of the principal's permissions alone, then together, as the authorizer does.
      const boundaryAllows = boundary ? boundary.every((b) => evaluate({ ...base, identityPolicies: [b] }).decision === 'Allow') : undefined;
      const result = evaluate({ ...base, identityPolicies: identity, resourcePolicy, permissionsBoundary: boundary?.[0] });
      const decision = result.decision === 'Allow' ? 'allowed' : result.decision === 'ExplicitDeny' ? 'explicitDeny' : 'implicitDeny';
      const wanted = decision === 'explicitDeny' ? 'ExplicitDeny' : 'Allow';
      const matchedStatements: SimulationResult['matchedStatements'] = [];
      if (decision !== 'implicitDeny') {
        for (const { source, statements } of split) {
          for (const st of statements) {
            const one = source.type === 'resource' ? { identityPolicies: [], resourcePolicy: st } : { identityPolicies: [st] };
            if (evaluate({ ...base, ...one }).decision === wanted) matchedStatements.push({ sourcePolicyId: source.id, sourcePolicyType: source.type });
          }
        }
      }
      results.push({ action, resource, decision, matchedStatements, ...(boundaryAllows !== undefined ? { allowedByPermissionsBoundary: boundaryAllows } : {}) });
    }
  }
  return results;
}

/** The policies (by source) of the user, group or role an ARN names, and the principal it simulates as. */
export async function principalForSimulation(
  env: IamEnv, account: string, arn: string,
): Promise<{ principal: RequestPrincipal; identity: SimulationPolicy[]; boundary?: SimulationPolicy[] }> {
  const parts = parseIamArn(arn);
  const tx = new Tx(env.store);
  const invalid = () => IamErrors.invalidInput(`Invalid ARN: ${arn}`);
  if (!parts || parts.account !== account) throw invalid();
  const managed = async (arns: string[]): Promise<SimulationPolicy[]> => {
    const out: SimulationPolicy[] = [];
    for (const a of arns) {
      const ref = await findManagedPolicy(tx, account, a);
      if (ref) out.push({ id: ref.name, type: ref.kind === 'aws' ? 'aws-managed' : 'user-managed', document: defaultDocument(ref) });
    }
    return out;
  };
  const inline = (policies: Record<string, string>, type: PolicySourceType) => Object.entries(policies).map(([id, document]) => ({ id, type, document }));
  if (parts.type === 'user') {
    const user = await tx.get<UserRecord>(iamKeys.user(account, parts.name));
    if (!user || entityArn(account, 'user', user.path, user.name) !== arn) throw IamErrors.noSuchUser(parts.name);
    const identity = [...inline(user.inlinePolicies, 'user'), ...(await managed(user.attachedPolicies))];
    for (const name of user.groups) {
      const group = await tx.get<GroupRecord>(iamKeys.group(account, name));
      if (group) identity.push(...inline(group.inlinePolicies, 'group'), ...(await managed(group.attachedPolicies)));
    }
    const principal: RequestPrincipal = { arn, account, userId: user.id, username: user.name, kind: 'user', tags: tagMap(user.tags) };
    return { principal, identity, boundary: user.permissionsBoundary ? await managed([user.permissionsBoundary]) : undefined };
  }
  if (parts.type === 'group') {
    const group = await tx.get<GroupRecord>(iamKeys.group(account, parts.name));
    if (!group) throw IamErrors.noSuchGroup(parts.name);
    const identity = [...inline(group.inlinePolicies, 'group'), ...(await managed(group.attachedPolicies))];
    return { principal: { arn, account, userId: group.id, kind: 'user' }, identity };
  }
  if (parts.type === 'role') {
    const role = await tx.get<RoleRecord>(iamKeys.role(account, parts.name));
    if (!role || entityArn(account, 'role', role.path, role.name) !== arn) throw IamErrors.noSuchRole(parts.name);
    const identity = [...inline(role.inlinePolicies, 'role'), ...(await managed(role.attachedPolicies))];
    const principal: RequestPrincipal = {
      arn: assumedRoleArn(account, role.name, 'simulation'), account, userId: `${role.id}:simulation`, kind: 'assumed-role', roleArn: arn, tags: tagMap(role.tags),
    };
    return { principal, identity, boundary: role.permissionsBoundary ? await managed([role.permissionsBoundary]) : undefined };
  }
  throw invalid();
}
