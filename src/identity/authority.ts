/**
 * IAM as the endpoint uses it (the `Authority` port): who signed a request, and whether that
 * principal may do what it asks. Keys are the root's and users' long-term keys (from the
 * store, cached) and STS sessions (opened from their token, no store read). Authorization
 * gathers the principal's compiled policies from the cache, the resource's policy and tags from
 * a pluggable provider (a role's trust policy for sts:AssumeRole), the condition keys, and asks
 * the policy engine; a refusal carries AWS's message.
 */
import type { Authority, AuthorizationDecision, KeyLookup, SigningKey, AuthorizationRequest, ConditionValues, Principal } from '../aws/index.ts';
import type { Clock, Ids } from '../common/index.ts';
import type { Store } from '../state/index.ts';
import { noteAccessKeyUsed } from './access-keys.ts';
import type { IamEnv } from './env.ts';
import { parseIamArn, rootArn } from './identifiers.ts';
import { denialMessage, evaluate, PolicyDocumentError, type EvaluationResult, type Policy, type RequestPrincipal } from './policy/index.ts';
import { PrincipalCache, type PrincipalPolicies } from './principal-cache.ts';
import { noteRoleUsed } from './roles.ts';
import { checkSession, loadSessionTokens, type SessionClaims, type SessionTokens } from './sessions.ts';
import { managedPolicyByArn } from './managed-policies/index.ts';
import { iamKeys, type PolicyRecord } from './records.ts';

/** What a resource's owner says about it: its resource-based policy, its tags, its account. */
export interface ResourceInfo {
  policy?: string;
  tags?: Record<string, string>;
  account?: string;
}

/** Finds a resource's policy and tags by ARN (ECR repositories, ...); undefined for none. */
export type ResourceInfoProvider = (arn: string) => Promise<ResourceInfo | undefined>;

/** How an IamAuthority is built. */
export interface IamAuthorityOptions {
  store: Store;
  clock: Clock;
  ids: Ids;
  tokens: SessionTokens;
  resourceInfo?: ResourceInfoProvider;
  /** `wharf dev`: `lookupKey` admits an access key IAM does not know as the root of `account`. */
  unknownKeysAsRoot?: boolean;
  /** The account unknown keys act in. */
  account?: string;
  /** Receives failures of background usage stamps (never the caller's concern). */
  onError?: (error: unknown) => void;
}

/** KeyLookup with the dev-mode outcome: an unknown key admitted as root, to be trusted unverified. */
export type IdentityKeyLookup = KeyLookup | { status: 'admitted-as-root'; key: SigningKey };

/** The key an unknown access key stands for in `wharf dev`: the account root, with no secret to verify. */
export function devRootKey(accessKeyId: string, account: string): SigningKey {
  return { accessKeyId, secretAccessKey: '', principal: rootPrincipalOf(account, accessKeyId) };
}

function rootPrincipalOf(account: string, accessKeyId?: string): Principal {
  return { arn: rootArn(account), account, userId: account, kind: 'root', ...(accessKeyId ? { accessKeyId } : {}) };
}

/** Actions whose resource is a role and whose resource policy is the role's trust policy. */
const TRUST_ACTIONS = new Set(['sts:assumerole', 'sts:tagsession', 'sts:setsourceidentity']);
/** How often one key's or role's use is stamped, at most. */
const USAGE_INTERVAL_MS = 60_000;
/** Sessions remembered between their lookup and their authorization. */
const MAX_SESSIONS = 100_000;

interface SessionEntry {
  claims: SessionClaims;
  /** The session token the key was presented with (a registry token carries it, to reopen the session later). */
  token: string;
  policies?: Policy[];
}

/** IAM's implementation of the endpoint's Authority port. */
export class IamAuthority implements Authority {
  /** The compiled principals; exposed for the IAM API's simulation. */
  readonly cache: PrincipalCache;
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly stamped = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();
  private readonly env: IamEnv;

  constructor(private readonly o: IamAuthorityOptions) {
    this.cache = new PrincipalCache(o.store);
    this.env = { store: o.store, clock: o.clock, ids: o.ids };
  }

  /** Builds an authority, loading (or creating) the STS token key from the store. */
  static async open(options: Omit<IamAuthorityOptions, 'tokens'>): Promise<IamAuthority> {
    return new IamAuthority({ ...options, tokens: await loadSessionTokens(options.store, options.ids, options.clock) });
  }

  /** The sealer of STS session tokens (the STS API issues with it). */
  get tokens(): SessionTokens {
    return this.o.tokens;
  }

  /** Stops following the store. */
  close(): void {
    this.cache.close();
  }

  /** Resolves once every background usage stamp has been written (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  async findSigningKey(accessKeyId: string, sessionToken: string | undefined, now: number): Promise<KeyLookup> {
    if (accessKeyId.startsWith('ASIA')) return this.findSession(accessKeyId, sessionToken, now);
    const record = await this.cache.accessKey(accessKeyId);
    if (!record) return { status: 'unknown' };
    if (sessionToken !== undefined) return { status: 'invalid-token' };
    if (record.status !== 'Active') return { status: 'inactive' };
    if (record.root) return { status: 'found', key: { accessKeyId, secretAccessKey: record.secretAccessKey, principal: rootPrincipalOf(record.account, accessKeyId) } };
    const user = await this.cache.policiesOf('user', record.account, record.userName ?? '');
    if (!user || user.id !== record.userId) return { status: 'unknown' };
    const principal: Principal = { arn: user.arn, account: record.account, userId: user.id, kind: 'user', accessKeyId };
    return { status: 'found', key: { accessKeyId, secretAccessKey: record.secretAccessKey, principal } };
  }

  /** `findSigningKey` with `wharf dev`'s rule: an unknown long-term key is admitted as the root. */
  async lookupKey(accessKeyId: string, sessionToken: string | undefined, now: number): Promise<IdentityKeyLookup> {
    const found = await this.findSigningKey(accessKeyId, sessionToken, now);
    if (found.status === 'unknown' && this.o.unknownKeysAsRoot && this.o.account && sessionToken === undefined) {
      return { status: 'admitted-as-root', key: devRootKey(accessKeyId, this.o.account) };
    }
    return found;
  }

  private async findSession(accessKeyId: string, token: string | undefined, now: number): Promise<KeyLookup> {
    const check = checkSession(this.o.tokens, accessKeyId, token, now);
    if (check.status !== 'valid') return check;
    const { claims } = check;
    // The session's role (or user) must still be the one it was issued for.
    const owner = claims.role
      ? await this.cache.policiesOf('role', claims.account, claims.role.name)
      : claims.user
        ? await this.cache.policiesOf('user', claims.account, claims.user.name)
        : undefined;
    if (claims.kind !== 'root' && (!owner || owner.id !== (claims.role?.id ?? claims.user?.id))) return { status: 'invalid-token' };
    this.remember(claims, token!);
    const principal: Principal = {
      arn: claims.arn,
      account: claims.account,
      userId: claims.userId,
      kind: claims.kind === 'assumed-role' ? 'assumed-role' : claims.kind,
      accessKeyId,
    };
    return { status: 'found', key: { accessKeyId, secretAccessKey: claims.secretAccessKey, principal, expiresAt: claims.expiresAt } };
  }

  private remember(claims: SessionClaims, token: string): void {
    if (this.sessions.has(claims.accessKeyId)) return;
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    this.sessions.set(claims.accessKeyId, { claims, token });
  }

  /** The session a temporary key belongs to, once its request was authenticated. */
  sessionOf(accessKeyId: string | undefined): SessionClaims | undefined {
    return accessKeyId ? this.sessions.get(accessKeyId)?.claims : undefined;
  }

  /** The session token a temporary key was presented with, once its request was authenticated (for ECR's registry tokens). */
  sessionTokenOf(accessKeyId: string | undefined): string | undefined {
    return accessKeyId ? this.sessions.get(accessKeyId)?.token : undefined;
  }

  /**
   * Whether a principal seen earlier (the holder of a registry token) is still the one it was:
   * a user by its unique id, temporary credentials by reopening their session from its token
   * (its expiry, and its role or user, checked as when it signs a request). The root always is.
   */
  async checkPrincipal(principal: Principal, sessionToken: string | undefined, now: number): Promise<'valid' | 'gone' | 'expired'> {
    if (principal.accessKeyId?.startsWith('ASIA')) {
      const found = await this.findSigningKey(principal.accessKeyId, sessionToken, now);
      if (found.status === 'expired') return 'expired';
      return found.status === 'found' && found.key.principal.arn === principal.arn ? 'valid' : 'gone';
    }
    if (principal.kind === 'root') return 'valid';
    if (principal.kind !== 'user') return 'gone';
    const user = await this.cache.policiesOf('user', principal.account, principal.arn.slice(principal.arn.lastIndexOf('/') + 1));
    return user && user.arn === principal.arn && user.id === principal.userId ? 'valid' : 'gone';
  }

  async authorize(principal: Principal, request: AuthorizationRequest, globals: ConditionValues): Promise<AuthorizationDecision> {
    const deny = (result: EvaluationResult = { decision: 'ImplicitDeny' }) =>
      ({ allowed: false, message: denialMessage(principal.arn, request.action, request.resource, result) }) as const;
    const subject = await this.subjectOf(principal);
    if (!subject) return deny();
    const context: Record<string, string | string[] | undefined> = { ...globals, 'aws:MultiFactorAuthPresent': 'false', ...subject.context, ...request.conditions };

    let resourcePolicy: Policy | undefined;
    let resourceAccount: string | undefined;
    if (TRUST_ACTIONS.has(request.action.toLowerCase())) {
      if (principal.kind === 'root') return { allowed: false, message: 'Roles may not be assumed by root accounts.' };
      const parts = parseIamArn(request.resource);
      const role = parts?.type === 'role' ? await this.cache.policiesOf('role', parts.account, parts.name) : undefined;
      if (!role || role.arn !== request.resource) return deny();
      resourcePolicy = role.trust;
      resourceAccount = parts!.account;
    } else if (request.resource !== '*' && this.o.resourceInfo) {
      const info = await this.o.resourceInfo(request.resource);
      if (info?.policy) resourcePolicy = this.resourcePolicy(info.policy);
      // The service's own resource tag keys (ecr:ResourceTag/…, ecs:ResourceTag/…) mirror aws:ResourceTag/….
      const service = request.action.slice(0, request.action.indexOf(':'));
      for (const [k, v] of Object.entries(info?.tags ?? {})) {
        context[`aws:ResourceTag/${k}`] = v;
        if (service) context[`${service}:ResourceTag/${k}`] = v;
      }
      resourceAccount = info?.account;
    }

    const result = evaluate({
      principal: subject.principal,
      action: request.action,
      resource: request.resource,
      resourceAccount,
      context,
      identityPolicies: subject.policies?.identity ?? [],
      resourcePolicy,
      permissionsBoundary: subject.policies?.boundary,
      sessionPolicies: subject.sessionPolicies,
    });
    if (result.decision !== 'Allow') return deny(result);
    this.noteUse(principal, subject, request.action, String(globals['aws:RequestedRegion'] ?? ''));
    return { allowed: true };
  }

  /** A resource's stored policy, compiled; one the engine cannot read (stored before it was checked) grants nothing. */
  private resourcePolicy(text: string): Policy | undefined {
    try {
      return this.cache.compile(text, 'resource');
    } catch (error) {
      if (error instanceof PolicyDocumentError) return undefined;
      throw error;
    }
  }

  /** The principal as the policy engine sees it, with its policies and its own condition keys. */
  private async subjectOf(principal: Principal): Promise<
    | { principal: RequestPrincipal; policies?: PrincipalPolicies; sessionPolicies?: Policy[]; context: Record<string, string>; session?: SessionClaims }
    | undefined
  > {
    const session = this.sessionOf(principal.accessKeyId);
    const context: Record<string, string> = {};
    if (session) {
      context['aws:TokenIssueTime'] = new Date(session.issuedAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
      if (session.sourceIdentity) context['aws:SourceIdentity'] = session.sourceIdentity;
    }
    if (principal.kind === 'root') {
      return { principal: { arn: principal.arn, account: principal.account, userId: principal.account, kind: 'root' }, context, session };
    }
    if (principal.kind === 'user') {
      const name = principal.arn.slice(principal.arn.lastIndexOf('/') + 1);
      const user = await this.cache.policiesOf('user', principal.account, name);
      if (!user || user.arn !== principal.arn) return undefined;
      const subject: RequestPrincipal = { arn: user.arn, account: principal.account, userId: user.id, username: user.name, kind: 'user', tags: user.tags };
      return { principal: subject, policies: user, context, session };
    }
    // A role session: its claims were remembered when its key was looked up.
    if (!session?.role) return undefined;
    const role = await this.cache.policiesOf('role', session.account, session.role.name);
    if (!role || role.id !== session.role.id) return undefined;
    const tags = { ...role.tags };
    for (const [k, v] of Object.entries(session.tags ?? {})) {
      for (const existing of Object.keys(tags)) if (existing.toLowerCase() === k.toLowerCase()) delete tags[existing];
      tags[k] = v;
    }
    const subject: RequestPrincipal = { arn: principal.arn, account: principal.account, userId: principal.userId, kind: 'assumed-role', roleArn: role.arn, tags };
    return { principal: subject, policies: role, sessionPolicies: await this.sessionPolicies(session), context, session };
  }

  /** A session's inline and managed session policies, compiled once per session. */
  private async sessionPolicies(claims: SessionClaims): Promise<Policy[] | undefined> {
    if (!claims.policy && !claims.policyArns?.length) return undefined;
    const entry = this.sessions.get(claims.accessKeyId);
    if (entry?.policies) return entry.policies;
    const policies: Policy[] = [];
    if (claims.policy) policies.push(this.cache.compile(claims.policy, 'session'));
    for (const arn of claims.policyArns ?? []) {
      const shipped = managedPolicyByArn(arn);
      if (shipped) {
        policies.push(shipped.policy);
        continue;
      }
      const parts = parseIamArn(arn);
      const kv = parts && (await this.o.store.get(iamKeys.policy(parts.account, parts.name)));
      const record = kv ? (JSON.parse(kv.value) as PolicyRecord) : undefined;
      const version = record?.versions.find((v) => v.versionId === record.defaultVersionId);
      // A managed session policy that is gone grants nothing (session policies only ever narrow).
      policies.push(this.cache.compile(version?.document ?? '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}', 'session', arn));
    }
    if (entry) entry.policies = policies;
    return policies;
  }

  /** Stamps the key's and the role's last use in the background, at most once a minute each. */
  private noteUse(principal: Principal, subject: { session?: SessionClaims }, action: string, region: string): void {
    const now = this.o.clock.now();
    const due = (key: string) => {
      const last = this.stamped.get(key);
      if (last !== undefined && now - last < USAGE_INTERVAL_MS) return false;
      this.stamped.set(key, now);
      return true;
    };
    const id = principal.accessKeyId;
    if (id?.startsWith('AKIA') && due(`key/${id}`)) this.track(noteAccessKeyUsed(this.env, id, action.split(':')[0], region));
    const role = subject.session?.role;
    if (role && due(`role/${subject.session!.account}/${role.name}`)) this.track(noteRoleUsed(this.env, subject.session!.account, role.name, region));
  }

  private track(write: Promise<void>): void {
    const p = write.catch((error: unknown) => this.o.onError?.(error)).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }
}
