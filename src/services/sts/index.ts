/**
 * AWS Security Token Service, as served by Wharf: GetCallerIdentity, AssumeRole and
 * GetSessionToken over the identity domain's sessions. Whether the caller may assume a role is
 * the platform's authorize stage (the authority evaluates the role's trust policy with the
 * caller's own policies); sessions are sealed tokens, so issuing one writes nothing.
 */
import { AwsError, coralValidationMessage, requestTagConditions, stsModel, type StsOperations, type ConditionValues, type ServiceDefinition } from '../../aws/index.ts';
import type { AssumeRoleRequest } from '@aws-sdk/client-sts';
import type { Clock, Ids } from '../../common/index.ts';
import * as identity from '../../identity/index.ts';
import type { Store } from '../../state/index.ts';

/** What the STS API runs on: the store (roles), clock, ids, and the authority (token key, calling sessions). */
export interface StsDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  authority: identity.IamAuthority;
}

/** The condition keys an AssumeRole request carries, for the trust policy and the caller's policies. */
function assumeRoleConditions(i: Partial<AssumeRoleRequest>): ConditionValues {
  return {
    ...(i.ExternalId !== undefined ? { 'sts:ExternalId': i.ExternalId } : {}),
    ...(i.RoleSessionName !== undefined ? { 'sts:RoleSessionName': i.RoleSessionName } : {}),
    ...(i.SourceIdentity !== undefined ? { 'sts:SourceIdentity': i.SourceIdentity } : {}),
    ...(i.TransitiveTagKeys?.length ? { 'sts:TransitiveTagKeys': i.TransitiveTagKeys } : {}),
    ...requestTagConditions(i.Tags),
  };
}

const need = <T>(value: T | undefined, member: string): T => {
  if (value === undefined) throw identity.StsErrors.validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
};

/** The STS API. */
export function stsService(deps: StsDeps): ServiceDefinition<StsOperations> {
  const env = (): identity.StsEnv => ({ store: deps.store, clock: deps.clock, ids: deps.ids, tokens: deps.authority.tokens });
  return {
    model: stsModel,
    iamPrefix: 'sts',
    operations: {
      GetCallerIdentity: {
        authorization: { public: true },
        handler: async (_i, ctx) => ({ UserId: ctx.principal.userId, Account: ctx.principal.account, Arn: ctx.principal.arn }),
      },
      AssumeRole: {
        authorization: { resources: (i) => (i.RoleArn ? [i.RoleArn] : ['*']), conditions: (i) => assumeRoleConditions(i) },
        handler: async (i, ctx) => {
          const roleArn = need(i.RoleArn, 'roleArn');
          const conditions = assumeRoleConditions(i);
          // Passing tags or a source identity needs the trust policy's leave for those too.
          if (i.Tags?.length || i.TransitiveTagKeys?.length) await ctx.authorize({ action: 'sts:TagSession', resource: roleArn, conditions });
          if (i.SourceIdentity !== undefined) await ctx.authorize({ action: 'sts:SetSourceIdentity', resource: roleArn, conditions });
          const result = await identity.assumeRole(env(), ctx.principal, deps.authority.sessionOf(ctx.principal.accessKeyId), {
            roleArn,
            roleSessionName: need(i.RoleSessionName, 'roleSessionName'),
            durationSeconds: i.DurationSeconds,
            policy: i.Policy,
            policyArns: (i.PolicyArns ?? []).flatMap((p) => (p.arn ? [p.arn] : [])),
            tags: (i.Tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' })),
            transitiveTagKeys: i.TransitiveTagKeys,
            externalId: i.ExternalId,
            sourceIdentity: i.SourceIdentity,
          });
          const c = result.credentials;
          return {
            Credentials: { AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken, Expiration: c.expiration },
            AssumedRoleUser: { AssumedRoleId: result.assumedRoleUser.assumedRoleId, Arn: result.assumedRoleUser.arn },
            ...(result.packedPolicySize !== undefined ? { PackedPolicySize: result.packedPolicySize } : {}),
            ...(result.sourceIdentity !== undefined ? { SourceIdentity: result.sourceIdentity } : {}),
          };
        },
      },
      GetSessionToken: {
        // STS needs no permission for a user to get a session of its own.
        authorization: { public: true },
        handler: async (i, ctx) => {
          const { credentials: c } = await identity.getSessionToken(env(), ctx.principal, i.DurationSeconds);
          return { Credentials: { AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken, Expiration: c.expiration } };
        },
      },
    },
    validationError: (violations) => new AwsError('ValidationError', coralValidationMessage(violations), 400),
    partly: {
      AssumeRole: 'no MFA (SerialNumber, TokenCode) and no ProvidedContexts; PackedPolicySize is Wharf\'s own measure.',
    },
  };
}
