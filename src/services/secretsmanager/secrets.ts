/**
 * Secrets and their values: CreateSecret, GetSecretValue, PutSecretValue, UpdateSecret,
 * UpdateSecretVersionStage, DescribeSecret, ListSecrets, ListSecretVersionIds, DeleteSecret,
 * RestoreSecret, GetRandomPassword, and RotateSecret refused (Wharf runs no Lambda to rotate with).
 */
import { paginate, requestTagConditions, type RequestContext } from '../../aws/index.ts';
import * as secrets from '../../secrets/index.ts';
import {
  describeShape, envOf, onSecret, scopeOf, secretIdCondition, tagsIn, valueShape, type SecretsManagerDeps, type SecretsOperationTable,
} from './common.ts';

/** A required member: present once validation passed. */
function need<T>(value: T | undefined, member: string): T {
  if (value === undefined) throw secrets.SecretsErrors.validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** The ARN a secret not made yet is authorized on: its partial ARN. */
const arnToBe = (i: { Name?: string }, ctx: RequestContext) => [i.Name !== undefined ? secrets.partialArn(scopeOf(ctx), i.Name) : '*'];

const invalidToken = () => secrets.SecretsErrors.invalidNextToken();

/** The secrets operations. */
export function secretOperations(deps: SecretsManagerDeps): SecretsOperationTable {
  const env = envOf(deps);
  return {
    CreateSecret: {
      authorization: {
        resources: arnToBe,
        conditions: (i) => ({ ...requestTagConditions(i.Tags), ...(i.Name !== undefined ? { 'secretsmanager:Name': i.Name } : {}) }),
      },
      handler: async (i, ctx) => {
        if (i.AddReplicaRegions?.length) throw secrets.SecretsErrors.invalidRequest('Wharf does not replicate secrets to other Regions.');
        const { record, versionId } = await secrets.createSecret(env, scopeOf(ctx), {
          name: need(i.Name, 'name'), description: i.Description, kmsKeyId: i.KmsKeyId, tags: tagsIn(i.Tags),
          value: secrets.oneValue(i.SecretString, i.SecretBinary), token: i.ClientRequestToken,
        });
        return { ARN: record.arn, Name: record.name, ...(versionId ? { VersionId: versionId } : {}) };
      },
    },
    GetSecretValue: {
      authorization: {
        resources: onSecret(deps),
        conditions: (i) => ({
          ...secretIdCondition(i),
          ...(i.VersionId !== undefined ? { 'secretsmanager:VersionId': i.VersionId } : {}),
          ...(i.VersionStage !== undefined ? { 'secretsmanager:VersionStage': i.VersionStage } : {}),
        }),
      },
      handler: async (i, ctx) => valueShape(await secrets.getSecretValue(env, scopeOf(ctx), need(i.SecretId, 'secretId'), { versionId: i.VersionId, versionStage: i.VersionStage })),
    },
    PutSecretValue: {
      authorization: { resources: onSecret(deps), conditions: secretIdCondition },
      handler: async (i, ctx) => {
        const value = secrets.oneValue(i.SecretString, i.SecretBinary);
        if (!value) throw secrets.SecretsErrors.invalidParameter('You must provide either SecretString or SecretBinary.');
        const r = await secrets.putSecretValue(env, scopeOf(ctx), need(i.SecretId, 'secretId'), { value, token: i.ClientRequestToken, stages: i.VersionStages });
        return { ARN: r.record.arn, Name: r.record.name, VersionId: r.versionId, VersionStages: r.stages };
      },
    },
    UpdateSecret: {
      authorization: { resources: onSecret(deps), conditions: secretIdCondition },
      handler: async (i, ctx) => {
        const { record, versionId } = await secrets.updateSecret(env, scopeOf(ctx), need(i.SecretId, 'secretId'), {
          description: i.Description, kmsKeyId: i.KmsKeyId, value: secrets.oneValue(i.SecretString, i.SecretBinary), token: i.ClientRequestToken,
        });
        return { ARN: record.arn, Name: record.name, ...(versionId ? { VersionId: versionId } : {}) };
      },
    },
    UpdateSecretVersionStage: {
      authorization: { resources: onSecret(deps), conditions: (i) => ({ ...secretIdCondition(i), ...(i.VersionStage ? { 'secretsmanager:VersionStage': i.VersionStage } : {}) }) },
      handler: async (i, ctx) => {
        const r = await secrets.updateSecretVersionStage(env, scopeOf(ctx), need(i.SecretId, 'secretId'), need(i.VersionStage, 'versionStage'), i.MoveToVersionId, i.RemoveFromVersionId);
        return { ARN: r.arn, Name: r.name };
      },
    },
    DescribeSecret: {
      authorization: { resources: onSecret(deps), conditions: secretIdCondition },
      handler: async (i, ctx) => {
        const { stages, ...shape } = describeShape(await secrets.describeSecret(env, scopeOf(ctx), need(i.SecretId, 'secretId')));
        return { ...shape, VersionIdsToStages: stages };
      },
    },
    ListSecrets: {
      handler: async (i, ctx) => {
        const all = await secrets.listSecrets(env, scopeOf(ctx), {
          filters: i.Filters?.map((f) => ({ key: f.Key ?? '', values: f.Values ?? [] })),
          includePlannedDeletion: i.IncludePlannedDeletion, sortOrder: i.SortOrder, sortBy: i.SortBy,
        });
        const page = paginate(all, (r) => r.name, i.NextToken, i.MaxResults, invalidToken, 100);
        return {
          SecretList: page.items.map((r) => {
            const { stages, ...shape } = describeShape(r);
            return { ...shape, SecretVersionsToStages: stages };
          }),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      },
    },
    ListSecretVersionIds: {
      authorization: { resources: onSecret(deps), conditions: secretIdCondition },
      handler: async (i, ctx) => {
        const record = await secrets.describeSecret(env, scopeOf(ctx), need(i.SecretId, 'secretId'));
        const versions = record.versions.filter((v) => i.IncludeDeprecated || v.stages.length > 0);
        const page = paginate(versions, (v) => v.versionId, i.NextToken, i.MaxResults, invalidToken, 100);
        return {
          Versions: page.items.map((v) => ({ VersionId: v.versionId, VersionStages: v.stages, CreatedDate: new Date(v.createdAt) })),
          ARN: record.arn, Name: record.name,
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      },
    },
    DeleteSecret: {
      authorization: { resources: onSecret(deps), conditions: secretIdCondition },
      handler: async (i, ctx) => {
        const r = await secrets.deleteSecret(env, scopeOf(ctx), need(i.SecretId, 'secretId'), {
          recoveryWindowInDays: i.RecoveryWindowInDays, force: i.ForceDeleteWithoutRecovery,
        });
        return { ARN: r.arn, Name: r.name, DeletionDate: new Date(r.deletionDate!) };
      },
    },
    RestoreSecret: {
      authorization: { resources: onSecret(deps), conditions: secretIdCondition },
      handler: async (i, ctx) => {
        const r = await secrets.restoreSecret(env, scopeOf(ctx), need(i.SecretId, 'secretId'));
        return { ARN: r.arn, Name: r.name };
      },
    },
    GetRandomPassword: {
      handler: async (i) => ({
        RandomPassword: secrets.randomPassword({
          length: i.PasswordLength, excludeCharacters: i.ExcludeCharacters, excludeNumbers: i.ExcludeNumbers, excludePunctuation: i.ExcludePunctuation,
          excludeUppercase: i.ExcludeUppercase, excludeLowercase: i.ExcludeLowercase, includeSpace: i.IncludeSpace, requireEachIncludedType: i.RequireEachIncludedType,
        }, () => Buffer.from(deps.ids.hex32(), 'hex')),
      }),
    },
    RotateSecret: {
      authorization: { resources: onSecret(deps), conditions: secretIdCondition },
      handler: async (i, ctx) => {
        // The secret must exist (and not be deleted) to be told more.
        await secrets.describeSecret(env, scopeOf(ctx), need(i.SecretId, 'secretId'));
        throw secrets.SecretsErrors.invalidRequest('Wharf does not rotate secrets: it runs no Lambda rotation functions. Put a new value with PutSecretValue instead.');
      },
    },
  };
}
