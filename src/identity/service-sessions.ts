/**
 * Role sessions a service takes on a user's behalf, as ECS does for a task's role and its
 * execution role: the role's trust policy must let the service principal
 * (`ecs-tasks.amazonaws.com`) call sts:AssumeRole, exactly as AWS evaluates it, and the
 * session is sealed like any AssumeRole session, so its credentials sign requests and are
 * authorized as the assumed role.
 */
import { evaluate, parsePolicy, PolicyDocumentError } from './policy/index.ts';
import { assumedRoleArn, parseIamArn } from './identifiers.ts';
import { iamKeys, type RoleRecord } from './records.ts';
import { issueSession, StsErrors, type StsEnv, type TemporaryCredentials } from './sts.ts';

/** A service's session of a role. */
export interface ServiceRoleSession {
  credentials: TemporaryCredentials;
  /** The assumed-role ARN (`arn:aws:sts::<account>:assumed-role/<role>/<session>`). */
  arn: string;
}

/** Longest session a service takes, whatever the role allows (ECS rotates task credentials well within it). */
const SERVICE_SESSION_MAX_SECONDS = 6 * 3600;

/**
 * Assumes `roleArn` as `service`, named `sessionName`, for the role's maximum session duration
 * (at most six hours). Refused (AccessDenied) when the role does not exist or its trust policy
 * does not allow the service.
 */
export async function assumeRoleAsService(env: StsEnv, service: string, roleArn: string, sessionName: string): Promise<ServiceRoleSession> {
  const role = await trustingRole(env, service, roleArn);
  if (!role) throw StsErrors.accessDenied(`${service} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  const account = roleArn.split(':')[4]!;
  const now = env.clock.now();
  const arn = assumedRoleArn(account, role.name, sessionName);
  const { credentials } = issueSession(env, {
    account,
    kind: 'assumed-role',
    arn,
    userId: `${role.id}:${sessionName}`,
    role: { arn: roleArn, id: role.id, name: role.name, sessionName },
    issuedAt: now,
    expiresAt: now + Math.min(role.maxSessionDuration, SERVICE_SESSION_MAX_SECONDS) * 1000,
  });
  return { credentials, arn };
}

/** Whether `service` may assume `roleArn`: the role exists and its trust policy allows the service sts:AssumeRole. */
export async function serviceMayAssume(env: Pick<StsEnv, 'store'>, service: string, roleArn: string): Promise<boolean> {
  return (await trustingRole(env, service, roleArn)) !== undefined;
}

/** The role, when it exists and trusts `service`. */
async function trustingRole(env: Pick<StsEnv, 'store'>, service: string, roleArn: string): Promise<RoleRecord | undefined> {
  const parts = parseIamArn(roleArn);
  const kv = parts?.type === 'role' ? await env.store.get(iamKeys.role(parts.account, parts.name)) : undefined;
  if (!kv || !parts) return undefined;
  const role = JSON.parse(kv.value) as RoleRecord;
  let trust;
  try {
    trust = parsePolicy(role.trustPolicy, 'trust');
  } catch (error) {
    if (error instanceof PolicyDocumentError) return undefined;
    throw error;
  }
  const decision = evaluate({
    principal: { kind: 'service', arn: service, account: parts.account, userId: service },
    action: 'sts:AssumeRole',
    resource: roleArn,
    resourceAccount: parts.account,
    context: { 'aws:PrincipalServiceName': service },
    identityPolicies: [],
    resourcePolicy: trust,
  });
  return decision.decision === 'Allow' ? role : undefined;
}
