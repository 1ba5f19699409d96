/**
 * What the Secrets Manager API's handlers share: their ports, the operation table's type, the
 * scope of a request, the ARN each operation is authorized on, and the records as API shapes.
 */
import type { OperationSpec, RequestContext, SecretsmanagerOperations } from '../../aws/index.ts';
import type { Tag } from '@aws-sdk/client-secrets-manager';
import type { Clock, Ids, Sealer } from '../../common/index.ts';
import * as secrets from '../../secrets/index.ts';
import type { Store } from '../../state/index.ts';

/** What the Secrets Manager API runs on: the store, the clock, ids, and the sealer of values at rest. */
export interface SecretsManagerDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  sealer: Sealer;
}

/** Some of Secrets Manager's operations, as one file of the adapter implements them. */
export type SecretsOperationTable = { [K in keyof SecretsmanagerOperations]?: OperationSpec<SecretsmanagerOperations[K]['input'], SecretsmanagerOperations[K]['output']> };

/** The account and region a request acts in. */
export const scopeOf = (ctx: RequestContext): secrets.Scope => ({ account: ctx.account, region: ctx.region });

/** The secrets domain's environment. */
export const envOf = (deps: SecretsManagerDeps): secrets.SecretsEnv => ({
  // Read when a request runs, not when the adapter is built (the coverage docs build it without ports).
  get store() { return deps.store; },
  get clock() { return deps.clock; },
  get ids() { return deps.ids; },
  get sealer() { return deps.sealer; },
});

/** The resources of an operation on one secret: the ARN of the secret its SecretId names. */
export const onSecret = (deps: SecretsManagerDeps) => async (i: { SecretId?: string }, ctx: RequestContext): Promise<string[]> =>
  [await secrets.secretArnFor(deps.store, scopeOf(ctx), i.SecretId ?? '', deps.clock.now())];

/** `secretsmanager:SecretId` for IAM conditions. */
export const secretIdCondition = (i: { SecretId?: string }) => (i.SecretId !== undefined ? { 'secretsmanager:SecretId': i.SecretId } : {});

/** SDK tags → domain tags. */
export const tagsIn = (tags: readonly Tag[] | undefined): secrets.SecretTag[] => (tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));

/** Domain tags → SDK tags. */
export const tagsOut = (tags: readonly secrets.SecretTag[]): Tag[] => tags.map((t) => ({ Key: t.key, Value: t.value }));

/** The versions that have staging labels, with them: DescribeSecret's VersionIdsToStages. */
export function versionsToStages(record: secrets.SecretRecord): Record<string, string[]> {
  return Object.fromEntries(record.versions.filter((v) => v.stages.length > 0).map((v) => [v.versionId, v.stages]));
}

/** What DescribeSecret and ListSecrets show of a secret: never its value. */
export function describeShape(record: secrets.SecretRecord) {
  const stages = versionsToStages(record);
  return {
    ARN: record.arn,
    Name: record.name,
    ...(record.description !== undefined ? { Description: record.description } : {}),
    ...(record.kmsKeyId !== undefined ? { KmsKeyId: record.kmsKeyId } : {}),
    LastChangedDate: new Date(record.lastChangedAt),
    ...(record.deletedAt !== undefined ? { DeletedDate: new Date(record.deletedAt) } : {}),
    ...(record.tags.length ? { Tags: tagsOut(record.tags) } : {}),
    CreatedDate: new Date(record.createdAt),
    stages,
  };
}

/** A version's value as GetSecretValue returns it. */
export function valueShape(result: Awaited<ReturnType<typeof secrets.getSecretValue>>) {
  return {
    ARN: result.record.arn,
    Name: result.record.name,
    VersionId: result.versionId,
    ...(result.value.kind === 'string' ? { SecretString: result.value.data.toString('utf8') } : { SecretBinary: new Uint8Array(result.value.data) }),
    VersionStages: result.stages,
    CreatedDate: new Date(result.createdAt),
  };
}
