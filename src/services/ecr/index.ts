/**
 * Amazon ECR, as served by Wharf: the AWS JSON 1.1 API under
 * `AmazonEC2ContainerRegistry_V20150921` for repositories, their policies, lifecycle policies
 * and tags, registry logins, and the images the registry holds: reading them, PutImage,
 * BatchDeleteImage and the layer operations, all through the registry core's records and blob
 * store. The platform decodes, authenticates, authorizes (each operation's `authorization`:
 * the repository's ARN, tag condition keys; the repository policy through identity's resource
 * provider), validates against ECR's model and encodes; the handlers keep only what the model
 * cannot say.
 */
import { ecrModel, type EcrOperations, type ServiceDefinition } from '../../aws/index.ts';
import { authOperations } from './auth.ts';
import type { EcrDeps } from './deps.ts';
import { imageWriteOperations } from './image-writes.ts';
import { imageOperations } from './images.ts';
import { layerOperations } from './layers.ts';
import { lifecycleOperations } from './lifecycle-actions.ts';
import { repositoryOperations } from './repositories.ts';
import { repositoryPolicyOperations } from './repository-policy.ts';
import { scanningOperations } from './scanning.ts';
import { tagOperations } from './tags.ts';
import { ecrValidationError } from './validation.ts';

export type { EcrDeps } from './deps.ts';
export { EcrErrors, type ImageRef } from './errors.ts';
export { checkRepositoryPolicy } from './repository-policy.ts';
export { toImageDetail } from './images.ts';
// What the push path calls for scan on push.
export { scanOnPush } from './scanning.ts';

/** The ECR API over the given store, clock, ids, registry tokens and registry host. */
export function ecrService(deps: EcrDeps): ServiceDefinition<EcrOperations> {
  return {
    model: ecrModel,
    iamPrefix: 'ecr',
    operations: {
      ...repositoryOperations(deps),
      ...repositoryPolicyOperations(deps),
      ...tagOperations(deps),
      ...authOperations(deps),
      ...imageOperations(deps),
      ...imageWriteOperations(deps),
      ...layerOperations(deps),
      ...lifecycleOperations(deps),
      ...scanningOperations(deps),
    },
    validationError: (violations) => ecrValidationError(violations),
    partly: {
      CreateRepository: 'KMS encryption is accepted and shown, not applied; the *_WITH_EXCLUSION tag mutabilities are refused.',
      PutImageTagMutability: 'the *_WITH_EXCLUSION tag mutabilities are refused.',
      StartImageScan: 'basic scanning: OS packages (dpkg, apk) matched against an operator-imported OSV feed.',
      DescribeImageScanFindings: 'basic scanning findings only (no enhanced scanning).',
      DescribeRegistry: 'no replication configuration.',
    },
  };
}
