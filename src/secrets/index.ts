/**
 * The secrets domain: Secrets Manager's secrets, their versions and staging labels, values
 * sealed at rest, which secret a name or (partial) ARN names, and ListSecrets' filters. The
 * Secrets Manager adapter (`services/secretsmanager`) is its user; nothing here reads a request
 * or shapes a response.
 */
export { arnSuffix, keys, partialArn, sealContext, secretArn, type Scope, type SecretRecord, type SecretTag, type ValueRecord, type VersionRecord } from './records.ts';
export { SecretsErrors } from './errors.ts';
export { AWSCURRENT, AWSPREVIOUS, MAX_VERSIONS, addVersion, moveStage, versionWithStage, type VersionChange } from './stages.ts';
export { candidatesFor, matchesFilters, words, type Candidate, type SecretFilter } from './select.ts';
export {
  createSecret, deleteSecret, describeSecret, getSecretValue, listSecrets, oneValue, putSecretValue, restoreSecret, secretArnFor, setResourcePolicy, tagSecret,
  untagSecret, updateSecret, updateSecretVersionStage,
  type CreateSecretRequest, type ListSecretsRequest, type SecretValue, type SecretsEnv, type UpdateSecretRequest,
} from './secrets.ts';
export { secretResourceInfo, type SecretResourceInfo } from './resource-info.ts';
export { PUNCTUATION, randomPassword, type PasswordOptions } from './password.ts';
