/**
 * AWS Secrets Manager, as served by Wharf, over the secrets domain: secrets with versions and
 * staging labels, values sealed at rest, deletion with a recovery window, resource policies,
 * tags and batch reads. The platform decodes AWS JSON 1.1, authenticates, authorizes each
 * operation as `secretsmanager:<Action>` on the secret's ARN (CreateSecret on the ARN-to-be
 * without its suffix; ListSecrets and BatchGetSecretValue on `*`, the latter also
 * GetSecretValue on each secret), validates against the model and encodes.
 */
import { secretsmanagerModel, type SecretsmanagerOperations, type ServiceDefinition } from '../../aws/index.ts';
import type { SecretsManagerDeps } from './common.ts';
import { policyOperations } from './policies.ts';
import { secretOperations } from './secrets.ts';
import { secretsManagerValidationError } from './validation.ts';

export type { SecretsManagerDeps } from './common.ts';

/** The Secrets Manager API over the given store, clock, ids and sealer. */
export function secretsManagerService(deps: SecretsManagerDeps): ServiceDefinition<SecretsmanagerOperations> {
  return {
    model: secretsmanagerModel,
    iamPrefix: 'secretsmanager',
    operations: { ...secretOperations(deps), ...policyOperations(deps) },
    validationError: secretsManagerValidationError,
    partly: {
      CreateSecret: 'no replication (AddReplicaRegions is refused); KmsKeyId is kept and shown, values are sealed with Wharf\'s own key.',
      DescribeSecret: 'no rotation, replication or LastAccessedDate.',
      ListSecrets: 'the primary-region and owning-service filters match nothing; sorting by last-accessed-date sorts by creation.',
      PutResourcePolicy: 'BlockPublicPolicy is not checked.',
      ValidateResourcePolicy: 'checks the policy\'s syntax as IAM reads it, not the public-access checks.',
      RotateSecret: 'refused: Wharf runs no Lambda rotation functions.',
      ListSecretVersionIds: 'no LastAccessedDate or KmsKeyIds per version.',
    },
  };
}
