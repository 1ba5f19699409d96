/**
 * Who a distribution API request is from and what they may do, bound to identity: the
 * `AWS:<password>` docker sends is a registry token (`tokens.ts`) naming the principal that
 * called GetAuthorizationToken. Each request reconfirms that principal (a deleted user or role,
 * or an expired session, is 401) and is authorized as ECR authorizes it: the ECR action of the
 * request (`permissions.ts`) on the repository's ARN, identity policies and the repository
 * policy alike (IAM's evaluation, through the `Authority` port). A refusal is 403 DENIED with
 * IAM's message.
 *
 *   Authorization: Basic AWS:<password> ──verify──▶ grant {scope, principal, session token}
 *        ──identity.checkPrincipal──▶ valid | gone | expired (401)
 *        ──identity.authorize(principal, ecr:<Action>, arn:aws:ecr:<region>:<account>:repository/<name>)──▶ allow | 403 DENIED
 */
import type { IncomingMessage } from 'node:http';
import { authorizationGlobals, type AuthorizationDecision, type AuthorizationRequest, type ConditionValues, type Principal } from '../aws/index.ts';
import type { Clock } from '../common/index.ts';
import { RegistryError } from './errors.ts';
import type { RegistryAction } from './permissions.ts';
import { registryArns, type RegistryScope } from './records.ts';
import type { RegistryTokens } from './tokens.ts';

/** Whether a token's holder is still the principal it was issued to. */
export type HolderStatus = 'valid' | 'gone' | 'expired';

/** What the registry needs of identity; `IamAuthority` provides both. */
export interface RegistryIdentity {
  /**
   * Whether `principal` still exists as the same entity (a user or role by its unique id) and,
   * for temporary credentials, whether its session (reopened from `sessionToken`) is still good.
   */
  checkPrincipal(principal: Principal, sessionToken: string | undefined, now: number): Promise<HolderStatus>;
  /** IAM's decision for one request of `principal`. */
  authorize(principal: Principal, request: AuthorizationRequest, globals: ConditionValues): Promise<AuthorizationDecision>;
}

/** The caller of one registry request: whose registry it opens, as whom it acts, and the request's condition keys. */
export interface RegistryCaller {
  scope: RegistryScope;
  principal: Principal;
  /** aws:SourceIp, aws:CurrentTime, ... of this request: read once, for every authorization it needs. */
  globals: ConditionValues;
}

/** Authentication and authorization of distribution API requests. */
export interface RegistryAccess {
  /** The caller, or a 401 RegistryError (no credentials, a bad or expired token, a principal that is gone). */
  authenticate(req: IncomingMessage): Promise<RegistryCaller>;
  /** IAM's decision for `action` on the repository `repository` of the caller's registry. */
  authorize(caller: RegistryCaller, action: RegistryAction, repository: string): Promise<AuthorizationDecision>;
}

const unauthorized = (message: string) => new RegistryError('UNAUTHORIZED', message, { detail: null });

/** ECR's message for a token it no longer takes. */
const EXPIRED_TOKEN_MESSAGE = 'Your authorization token has expired. Reauthenticate and try again.';

/** The caller's address as IAM's aws:SourceIp sees it (IPv4-mapped IPv6 unwrapped). */
function sourceIpOf(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** Registry access by registry tokens, authorized by `identity`. */
export function tokenAccess(o: { tokens: RegistryTokens; identity: RegistryIdentity; clock: Clock }): RegistryAccess {
  return {
    async authenticate(req) {
      const grant = o.tokens.openBasic(req.headers.authorization);
      if (grant === 'expired') throw unauthorized(EXPIRED_TOKEN_MESSAGE);
      if (!grant) throw unauthorized('authentication required');
      const now = o.clock.now();
      const status = await o.identity.checkPrincipal(grant.principal, grant.sessionToken, now);
      if (status === 'expired') throw unauthorized(EXPIRED_TOKEN_MESSAGE);
      if (status === 'gone') {
        throw unauthorized(`The principal this authorization token was issued to (${grant.principal.arn}) no longer exists. Reauthenticate and try again.`);
      }
      const globals = authorizationGlobals({ sourceIp: sourceIpOf(req), secure: false }, grant.scope.region, now);
      return { scope: grant.scope, principal: grant.principal, globals };
    },

    authorize(caller, action, repository) {
      return o.identity.authorize(caller.principal, { action, resource: registryArns.repository(caller.scope, repository) }, caller.globals);
    },
  };
}
