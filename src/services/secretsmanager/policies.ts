/**
 * Resource policies, tags and BatchGetSecretValue: GetResourcePolicy, PutResourcePolicy,
 * DeleteResourcePolicy, ValidateResourcePolicy, TagResource, UntagResource, BatchGetSecretValue.
 * IAM evaluates a secret's resource policy with the caller's own (identity's authority reads it).
 */
import { AwsError, paginate, requestTagConditions, tagKeyConditions } from '../../aws/index.ts';
import type { APIErrorType, SecretValueEntry } from '@aws-sdk/client-secrets-manager';
import { parsePolicy, PolicyDocumentError } from '../../identity/index.ts';
import * as secrets from '../../secrets/index.ts';
import { envOf, onSecret, scopeOf, secretIdCondition, tagsIn, valueShape, type SecretsManagerDeps, type SecretsOperationTable } from './common.ts';

/** The problem IAM's policy engine finds with a resource policy, or undefined when it reads it. */
function policyProblem(text: string): string | undefined {
  try {
    parsePolicy(text, 'resource');
    return undefined;
  } catch (error) {
    if (error instanceof PolicyDocumentError) return error.message;
    throw error;
  }
}

/** Policies, tags and batch reads. */
export function policyOperations(deps: SecretsManagerDeps): SecretsOperationTable {
  const env = envOf(deps);
  const id = (i: { SecretId?: string }) => i.SecretId ?? '';
  return {
    GetResourcePolicy: {
      authorization: { resources: onSecret(deps), conditions: secretIdCondition },
      handler: async (i, ctx) => {
        const r = await secrets.describeSecret(env, scopeOf(ctx), id(i));
        return { ARN: r.arn, Name: r.name, ...(r.resourcePolicy !== undefined ? { ResourcePolicy: r.resourcePolicy } : {}) };
      },
    },
    PutResourcePolicy: {
      authorization: { resources: onSecret(deps), conditions: secretIdCondition },
      handler: async (i, ctx) => {
        const problem = policyProblem(i.ResourcePolicy ?? '');
        if (problem !== undefined) throw secrets.SecretsErrors.malformedPolicy(problem);
        const r = await secrets.setResourcePolicy(env, scopeOf(ctx), id(i), i.ResourcePolicy ?? '');
        return { ARN: r.arn, Name: r.name };
      },
    },
    ValidateResourcePolicy: {
      authorization: { resources: (i, ctx) => (i.SecretId !== undefined ? onSecret(deps)(i, ctx) : ['*']), conditions: secretIdCondition },
      handler: async (i, ctx) => {
        if (i.SecretId !== undefined) await secrets.describeSecret(env, scopeOf(ctx), i.SecretId);
        const problem = policyProblem(i.ResourcePolicy ?? '');
        return problem === undefined
          ? { PolicyValidationPassed: true, ValidationErrors: [] }
          : { PolicyValidationPassed: false, ValidationErrors: [{ CheckName: 'IAM_POLICY_SYNTAX', ErrorMessage: problem }] };
      },
    },
    DeleteResourcePolicy: {
      authorization: { resources: onSecret(deps), conditions: secretIdCondition },
      handler: async (i, ctx) => {
        const r = await secrets.setResourcePolicy(env, scopeOf(ctx), id(i), undefined);
        return { ARN: r.arn, Name: r.name };
      },
    },
    TagResource: {
      authorization: { resources: onSecret(deps), conditions: (i) => ({ ...secretIdCondition(i), ...requestTagConditions(i.Tags) }) },
      handler: async (i, ctx) => {
        await secrets.tagSecret(env, scopeOf(ctx), id(i), tagsIn(i.Tags));
        return {};
      },
    },
    UntagResource: {
      authorization: { resources: onSecret(deps), conditions: (i) => ({ ...secretIdCondition(i), ...tagKeyConditions(i.TagKeys) }) },
      handler: async (i, ctx) => {
        await secrets.untagSecret(env, scopeOf(ctx), id(i), i.TagKeys ?? []);
        return {};
      },
    },
    BatchGetSecretValue: {
      handler: async (i, ctx) => {
        if (i.SecretIdList && i.Filters) throw secrets.SecretsErrors.invalidParameter('Either SecretIdList or Filters must be specified, but not both.');
        if (!i.SecretIdList && !i.Filters) throw secrets.SecretsErrors.invalidParameter('Either SecretIdList or Filters must be specified.');
        if (i.SecretIdList && (i.MaxResults !== undefined || i.NextToken !== undefined)) {
          throw secrets.SecretsErrors.invalidParameter('MaxResults and NextToken are only valid with Filters.');
        }
        if (i.MaxResults !== undefined && (i.MaxResults < 1 || i.MaxResults > 20)) throw secrets.SecretsErrors.invalidParameter('MaxResults must be between 1 and 20.');
        let ids: string[];
        let nextToken: string | undefined;
        if (i.SecretIdList) {
          ids = i.SecretIdList;
        } else {
          const all = await secrets.listSecrets(env, scopeOf(ctx), { filters: i.Filters!.map((f) => ({ key: f.Key ?? '', values: f.Values ?? [] })) });
          const page = paginate(all, (r) => r.name, i.NextToken, i.MaxResults, () => secrets.SecretsErrors.invalidNextToken(), 20);
          ids = page.items.map((r) => r.arn);
          nextToken = page.nextToken;
        }
        const values: SecretValueEntry[] = [];
        const errors: APIErrorType[] = [];
        for (const secretId of ids) {
          try {
            const arn = await secrets.secretArnFor(deps.store, scopeOf(ctx), secretId, deps.clock.now());
            // Each secret needs leave for GetSecretValue too; a refusal is that secret's error.
            await ctx.authorize({ action: 'secretsmanager:GetSecretValue', resource: arn, conditions: { 'secretsmanager:SecretId': secretId } });
            values.push(valueShape(await secrets.getSecretValue(env, scopeOf(ctx), secretId, {})));
          } catch (error) {
            if (!(error instanceof AwsError)) throw error;
            errors.push({ SecretId: secretId, ErrorCode: error.code, Message: error.message });
          }
        }
        return { SecretValues: values, Errors: errors, ...(nextToken ? { NextToken: nextToken } : {}) };
      },
    },
  };
}
