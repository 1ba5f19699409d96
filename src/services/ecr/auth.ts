/**
 * GetAuthorizationToken: the password `docker login` (and `aws ecr get-login-password`) uses
 * for the registry. The token is base64 of `AWS:<password>`, the password being a registry
 * token for the caller's account and region, good for 12 hours. `registryIds` is deprecated
 * in ECR and does not change what the token grants: as ECR does, one authorization data entry
 * comes back per id given, each for the same caller.
 */
import type { AuthorizationData, GetAuthorizationTokenResponse } from '@aws-sdk/client-ecr';
import type { ActionHandler } from '../../aws/index.ts';
import { checkCount, ecrFields, scopeOf } from './common.ts';
import type { EcrDeps } from './deps.ts';
import { EcrErrors } from './errors.ts';

const REGISTRY_ID = /^[0-9]{12}$/;

/** The authorization action, bound to its dependencies. */
export function authActions(deps: EcrDeps): Record<string, ActionHandler> {
  return {
    async GetAuthorizationToken(input, ctx): Promise<GetAuthorizationTokenResponse> {
      const f = ecrFields(input);
      const registryIds = f.strings('registryIds');
      if (registryIds) {
        checkCount(f.at('registryIds'), registryIds.length, 1, 10);
        registryIds.forEach((id, i) => {
          if (!REGISTRY_ID.test(id)) throw EcrErrors.constraint(`${f.at('registryIds')}[${i}]`, "must satisfy regular expression '[0-9]{12}'");
        });
      }
      const scope = scopeOf(ctx);
      const { password, expiresAt } = deps.tokens.issue(scope);
      const data: AuthorizationData = {
        authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
        expiresAt: new Date(expiresAt),
        proxyEndpoint: `http://${deps.registryHost()}`,
      };
      return { authorizationData: (registryIds ?? [scope.account]).map(() => ({ ...data })) };
    },
  };
}
