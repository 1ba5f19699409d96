/**
 * What STS issues: role sessions (AssumeRole) and users' own sessions (GetSessionToken), with
 * STS's rules for their length, session policies, session tags and source identity. Whether
 * the caller may assume the role was decided before (the authority evaluates the role's trust
 * policy with the caller's own policies); this checks the request and seals the session.
 */
import { AwsError, type Principal } from '../aws/index.ts';
import { deflateRawSync } from 'node:zlib';
import { checkPolicyDocument } from './documents.ts';
import type { IamEnv } from './env.ts';
import { accessKeyId, assumedRoleArn, parseIamArn, secretAccessKey } from './identifiers.ts';
import { iamKeys, type RoleRecord } from './records.ts';
import type { SessionClaims, SessionTokens } from './sessions.ts';

/** Temporary credentials as STS hands them out. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** What AssumeRole takes (names as the API's, in the domain's case). */
export interface AssumeRoleInput {
  roleArn: string;
  roleSessionName: string;
  durationSeconds?: number;
  policy?: string;
  policyArns?: string[];
  tags?: { key: string; value: string }[];
  transitiveTagKeys?: string[];
  externalId?: string;
  sourceIdentity?: string;
}

/** What AssumeRole answers. */
export interface AssumeRoleResult {
  credentials: TemporaryCredentials;
  assumedRoleUser: { assumedRoleId: string; arn: string };
  /** Percent of the allotted space the session policies and tags take; set when any were passed. */
  packedPolicySize?: number;
  sourceIdentity?: string;
}

/** STS's errors. */
export const StsErrors = {
  validation: (message: string) => new AwsError('ValidationError', message, 400),
  accessDenied: (message: string) => new AwsError('AccessDenied', message, 403),
  packedTooLarge: (percent: number) =>
    new AwsError('PackedPolicyTooLarge', `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`, 400),
};

/** Session lengths, in seconds. */
export const SessionLimits = {
  defaultRoleSession: 3600,
  /** Role chaining: a role session assuming a role gets at most an hour. */
  chainedMax: 3600,
  defaultUserSession: 43200,
  rootMax: 3600,
} as const;

/**
 * The packed size of session policies and tags, as a percent of the space STS allots (Wharf
 * allots 1,024 bytes of their compressed form; AWS's exact packing is its own).
 */
export function packedPolicySize(policy: string | undefined, policyArns: readonly string[], tags: Record<string, string>): number {
  const packed = deflateRawSync(Buffer.from(JSON.stringify([policy ?? '', policyArns, tags])));
  return Math.ceil((packed.length * 100) / 1024);
}

/** What STS needs to issue a session. */
export interface StsEnv extends IamEnv {
  tokens: SessionTokens;
}

/** Seals a session for `claims` with a new temporary key pair. */
export function issueSession(env: StsEnv, claims: Omit<SessionClaims, 'accessKeyId' | 'secretAccessKey'>): { credentials: TemporaryCredentials } {
  const full: SessionClaims = { accessKeyId: accessKeyId(env.ids, true), secretAccessKey: secretAccessKey(env.ids), ...claims };
  return {
    credentials: {
      accessKeyId: full.accessKeyId,
      secretAccessKey: full.secretAccessKey,
      sessionToken: env.tokens.seal(full, env.ids),
      expiration: new Date(full.expiresAt),
    },
  };
}

/** Session tags: no key twice (keys ignore case); transitive keys must be among them; a calling session's transitive tags carry over. */
function sessionTags(input: AssumeRoleInput, caller: SessionClaims | undefined): { tags: Record<string, string>; transitive: string[] } {
  const tags: Record<string, string> = {};
  const seen = new Set<string>();
  for (const t of input.tags ?? []) {
    const lower = t.key.toLowerCase();
    if (seen.has(lower)) throw StsErrors.validation('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(lower);
    tags[t.key] = t.value;
  }
  for (const key of input.transitiveTagKeys ?? []) {
    if (!seen.has(key.toLowerCase())) throw StsErrors.validation(`The transitive tag key ${key} must be one of the session tags.`);
  }
  const transitive = [...(input.transitiveTagKeys ?? [])];
  for (const key of caller?.transitiveTagKeys ?? []) {
    const value = caller?.tags?.[key];
    if (value === undefined) continue;
    if (seen.has(key.toLowerCase())) throw StsErrors.validation(`The tag key ${key} is a transitive tag of the calling session and can't be set again.`);
    tags[key] = value;
    transitive.push(key);
  }
  return { tags, transitive };
}

/** Issues a role session, once the caller was found allowed to assume the role. */
export async function assumeRole(env: StsEnv, caller: Principal, callerSession: SessionClaims | undefined, input: AssumeRoleInput): Promise<AssumeRoleResult> {
  const parts = parseIamArn(input.roleArn);
  const kv = parts?.type === 'role' ? await env.store.get(iamKeys.role(parts.account, parts.name)) : undefined;
  const denied = () => StsErrors.accessDenied(`User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.roleArn}`);
  if (!kv || !parts) throw denied();
  const role = JSON.parse(kv.value) as RoleRecord;

  const chained = caller.kind === 'assumed-role';
  const duration = input.durationSeconds ?? SessionLimits.defaultRoleSession;
  if (chained && duration > SessionLimits.chainedMax) {
    throw StsErrors.validation('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (duration > role.maxSessionDuration) throw StsErrors.validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  if (input.policy !== undefined) checkPolicyDocument(input.policy, 'session');

  const { tags, transitive } = sessionTags(input, callerSession);
  if (callerSession?.sourceIdentity && input.sourceIdentity !== undefined && input.sourceIdentity !== callerSession.sourceIdentity) {
    throw StsErrors.accessDenied('The source identity of a role session cannot be changed once set.');
  }
  const sourceIdentity = callerSession?.sourceIdentity ?? input.sourceIdentity;
  const policyArns = input.policyArns ?? [];
  const passed = input.policy !== undefined || policyArns.length > 0 || Object.keys(tags).length > 0;
  const packed = passed ? packedPolicySize(input.policy, policyArns, tags) : undefined;
  if (packed !== undefined && packed > 100) throw StsErrors.packedTooLarge(packed);

  const now = env.clock.now();
  const arn = assumedRoleArn(parts.account, role.name, input.roleSessionName);
  const userId = `${role.id}:${input.roleSessionName}`;
  const { credentials } = issueSession(env, {
    account: parts.account,
    kind: 'assumed-role',
    arn,
    userId,
    role: { arn: input.roleArn, id: role.id, name: role.name, sessionName: input.roleSessionName },
    issuedAt: now,
    expiresAt: now + duration * 1000,
    ...(input.policy !== undefined ? { policy: input.policy } : {}),
    ...(policyArns.length ? { policyArns } : {}),
    ...(Object.keys(tags).length ? { tags } : {}),
    ...(transitive.length ? { transitiveTagKeys: transitive } : {}),
    ...(sourceIdentity ? { sourceIdentity } : {}),
    ...(chained ? { chained } : {}),
  });
  return { credentials, assumedRoleUser: { assumedRoleId: userId, arn }, packedPolicySize: packed, sourceIdentity };
}

/**
 * Issues a session for an IAM user or the root, acting with the caller's own permissions
 * (GetSessionToken). Users' sessions last 900..129,600 s (12 h by default); the root's at most
 * an hour (longer requests are cut to it, as STS does). Sessions cannot make sessions.
 */
export async function getSessionToken(env: StsEnv, caller: Principal, durationSeconds: number | undefined): Promise<{ credentials: TemporaryCredentials }> {
  if (caller.kind === 'assumed-role' || caller.accessKeyId?.startsWith('ASIA')) {
    throw StsErrors.accessDenied('Cannot call GetSessionToken with session credentials');
  }
  let duration = durationSeconds ?? SessionLimits.defaultUserSession;
  if (caller.kind === 'root') duration = Math.min(duration, SessionLimits.rootMax);
  const now = env.clock.now();
  const name = caller.arn.slice(caller.arn.lastIndexOf('/') + 1);
  return issueSession(env, {
    account: caller.account,
    kind: caller.kind === 'root' ? 'root' : 'user',
    arn: caller.arn,
    userId: caller.userId,
    ...(caller.kind === 'user' ? { user: { name, id: caller.userId } } : {}),
    issuedAt: now,
    expiresAt: now + duration * 1000,
  });
}
