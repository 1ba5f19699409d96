/**
 * Amazon ECR, as served by Wharf: the AWS JSON 1.1 actions under
 * `AmazonEC2ContainerRegistry_V20150921` for repositories, their policies, lifecycle policies and tags, registry
 * logins, and the images the registry holds: reading them, PutImage, BatchDeleteImage and the
 * layer actions, all through the registry core's records and blob store.
 */
import type { JsonService } from '../../aws/index.ts';
import { authActions } from './auth.ts';
import type { EcrDeps } from './deps.ts';
import { imageWriteActions } from './image-writes.ts';
import { imageActions } from './images.ts';
import { layerActions } from './layers.ts';
import { lifecycleActions } from './lifecycle-actions.ts';
import { repositoryActions } from './repositories.ts';
import { repositoryPolicyActions } from './repository-policy.ts';
import { scanningActions } from './scanning.ts';
import { tagActions } from './tags.ts';

export type { EcrDeps } from './deps.ts';
export { EcrErrors, type ImageRef } from './errors.ts';
// What the registry core and the lifecycle policy actions build on.
export {
  checkRepositoryName, ecrFields, findRepository, readRegistry, readRepositoryName, scopeOf, toApiRepository, updateRepository,
  REPOSITORY_NAME_PATTERN, type Registry,
} from './common.ts';
export { toImageDetail } from './images.ts';
// What the push path calls for scan on push.
export { scanOnPush } from './scanning.ts';

/** The target prefix the ECR SDK clients and the AWS CLI send in `X-Amz-Target`. */
export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921';

/** The ECR API over the given store, clock, ids, registry tokens and registry host. */
export function ecrService(deps: EcrDeps): JsonService {
  return {
    targetPrefix: ECR_TARGET_PREFIX,
    jsonVersion: '1.1',
    actions: {
      ...repositoryActions(deps),
      ...repositoryPolicyActions(deps),
      ...tagActions(deps),
      ...authActions(deps),
      ...imageActions(deps),
      ...imageWriteActions(deps), ...layerActions(deps),
      ...lifecycleActions(deps),
      ...scanningActions(deps),
    },
  };
}
