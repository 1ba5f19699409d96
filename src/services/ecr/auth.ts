/**
 * GetAuthorizationToken: the password `docker login` (and `aws ecr get-login-password`) uses
 * for the registry. The token is base64 of `AWS:<password>`, the password being a registry
 * token bound to the principal that asked (for an STS session, with the session's token, so the
 * registry can reopen the session and check it has not expired), for the caller's account and
 * region, good for 12 hours. Every push and pull with it is then authorized as that principal.
 * `registryIds` is deprecated in ECR and does not change what the token grants: as ECR does, one
 * authorization data entry comes back per id given, each for the same caller.
 */
import type { AuthorizationData } from '@aws-sdk/client-ecr';
import { scopeOf, type EcrOperationTable } from './common.ts';
import type { EcrDeps } from './deps.ts';
import { EcrErrors } from './errors.ts';

/** The authorization operation, bound to its dependencies (IAM authorizes it on `*`). */
export function authOperations(deps: EcrDeps): EcrOperationTable {
  return {
    GetAuthorizationToken: {
      handler: async (i, ctx) => {
        const scope = scopeOf(ctx);
        const { principal } = ctx;
        let sessionToken: string | undefined;
        if (principal.accessKeyId?.startsWith('ASIA')) {
          sessionToken = deps.sessionToken?.(principal.accessKeyId);
          if (sessionToken === undefined) throw EcrErrors.server('The session of this request could not be bound to a registry token; try again.');
        }
        const { password, expiresAt } = deps.tokens.issue(scope, { principal, ...(sessionToken !== undefined ? { sessionToken } : {}) });
        const data: AuthorizationData = {
          authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
          expiresAt: new Date(expiresAt),
          proxyEndpoint: `http://${deps.registryHost()}`,
        };
        return { authorizationData: (i.registryIds ?? [scope.account]).map(() => ({ ...data })) };
      },
    },
  };
}
