/**
 * Amazon ECS, as served by Wharf: the AWS JSON 1.1 actions under
 * `AmazonEC2ContainerServiceV20141113`. This adapter reads requests and shapes responses; what
 * they mean (records, launches, deployments) is the ECS domain's (src/ecs), and the agent link
 * that runs tasks on hosts is src/link.
 */
import type { JsonService } from '../../aws/index.ts';
import type { EcsDeps } from '../../ecs/index.ts';
import { attributeActions } from './attributes.ts';
import { clusterActions } from './clusters.ts';
import { containerInstanceActions } from './container-instances.ts';
import { serviceDeploymentActions } from './service-deployments.ts';
import { serviceActions } from './services.ts';
import { tagActions } from './tags.ts';
import { taskActions } from './tasks.ts';
import { taskDefinitionActions } from './task-definitions.ts';

/** The ECS API over the given store, clock, ids and placement. */
export function ecsService(deps: EcsDeps): JsonService {
  return {
    targetPrefix: 'AmazonEC2ContainerServiceV20141113',
    jsonVersion: '1.1',
    actions: {
      ...clusterActions(deps),
      ...taskDefinitionActions(deps),
      ...taskActions(deps),
      ...containerInstanceActions(deps),
      ...attributeActions(deps),
      ...tagActions(deps),
      ...serviceActions(deps),
      ...serviceDeploymentActions(deps),
    },
  };
}
