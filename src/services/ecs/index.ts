/**
 * Amazon ECS, as served by Wharf: the AWS JSON 1.1 actions under
 * `AmazonEC2ContainerServiceV20141113`, and the agent link that runs tasks on hosts.
 */
import type { JsonService } from '../../api/types.ts';
import { attributeActions } from './attributes.ts';
import { clusterActions } from './clusters.ts';
import { containerInstanceActions } from './container-instances.ts';
import type { EcsDeps } from './deps.ts';
import { serviceDeploymentActions } from './service-deployments.ts';
import { serviceActions } from './services.ts';
import { tagActions } from './tags.ts';
import { taskActions } from './tasks.ts';
import { taskDefinitionActions } from './task-definitions.ts';

export { AgentLinkServer } from './agent-link.ts';
export { InstanceCache } from './instance-cache.ts';
export type { EcsDeps } from './deps.ts';
// What the service controller (src/controllers) works with.
export { keys, type ClusterRecord, type ContainerInstanceRecord, type TaskRecord } from './records.ts';
export {
  serviceGroup, serviceKeys, type DeploymentRecord, type DeploymentSpec, type ServiceRecord,
} from './service-records.ts';
export { circuitBreakerThreshold, putService, scopeOfService, startDeployment, withEvent } from './service-deployment.ts';
export { snapshotOf, stageServiceLaunch } from './task-launch.ts';
export { stageStopTask } from './task-stop.ts';
export { resolveTaskDefinition } from './task-definitions.ts';

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
