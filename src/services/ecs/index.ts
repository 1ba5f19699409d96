/**
 * Amazon ECS, as served by Wharf: the AWS JSON 1.1 operations under
 * `AmazonEC2ContainerServiceV20141113` on the platform. The platform decodes each request by
 * ECS's model, authenticates it, authorizes it with IAM (each operation's `authorization`:
 * the resources and condition keys ECS documents) and validates it against the model; the
 * handlers here keep only the rules the model lacks, then call the ECS domain (src/ecs) and
 * shape its records as the SDK's responses. The agent link that runs tasks on hosts is src/link.
 */
import { ecsModel, type EcsOperations, type ServiceDefinition } from '../../aws/index.ts';
import type { EcsDeps } from '../../ecs/index.ts';
import { accountSettingOperations } from './account-settings.ts';
import { attributeOperations } from './attributes.ts';
import { capacityProviderOperations } from './capacity-providers.ts';
import { clusterOperations } from './clusters.ts';
import { containerInstanceOperations } from './container-instances.ts';
import { serviceDeploymentOperations } from './service-deployments.ts';
import { serviceOperations } from './services.ts';
import { tagOperations } from './tags.ts';
import { taskSetOperations } from './task-sets.ts';
import { taskOperations } from './tasks.ts';
import { taskDefinitionOperations } from './task-definitions.ts';
import { ecsValidationError } from './validation.ts';

/** The ECS API over the given store, clock, ids and placement. */
export function ecsService(deps: EcsDeps): ServiceDefinition<EcsOperations> {
  return {
    model: ecsModel,
    iamPrefix: 'ecs',
    operations: {
      ...clusterOperations(deps),
      ...taskDefinitionOperations(deps),
      ...taskOperations(deps),
      ...containerInstanceOperations(deps),
      ...attributeOperations(deps),
      ...tagOperations(deps),
      ...serviceOperations(deps),
      ...serviceDeploymentOperations(deps),
      ...taskSetOperations(deps),
      ...accountSettingOperations(deps),
      ...capacityProviderOperations(deps),
    },
    validationError: ecsValidationError,
    partly: {
      CreateCluster: 'without settings, containerInsights follows the caller\'s containerInsights account setting; capacity providers, Service Connect defaults and execute-command settings are stored and shown, not acted on.',
      RunTask: 'the EC2 and FARGATE launch types; of capacity providers only FARGATE and FARGATE_SPOT (a local host is never reclaimed: Spot interruptions come from `wharf interrupt-spot-task`), tasks spread by the strategy\'s base and weights; '
        + 'secrets, task roles, the task endpoints and volumes are honoured; task definitions using awslogs, environment files and other features the agent does not honour yet are refused by name.',
      StartTask: 'as RunTask, on the named instances; unhonoured task-definition features are refused by name.',
      CreateService: 'the ECS deployment controller with ROLLING, BLUE_GREEN, LINEAR and CANARY strategies (PAUSE lifecycle hooks only; '
        + 'deployment alarms fail and roll back deployments); the EXTERNAL and CODE_DEPLOY controllers run task sets; service registries register each running task in Cloud Map; EC2 or FARGATE (by launch type or a FARGATE and FARGATE_SPOT strategy, whose base and weights the controller keeps as it replaces tasks).',
      CreateTaskSet: 'EC2 or FARGATE launch types; authorized on the service ARN.',
      UpdateService: 'as CreateService; a Fargate service\'s capacity provider strategy may change (a new deployment), an EC2 service\'s may not.',
      CreateCapacityProvider: 'Auto Scaling group providers (no Managed Instances). Managed scaling and managed termination protection act; managedDraining and instanceWarmupPeriod are stored, not acted on; ECS\'s scaling policy and alarms are not made on the group (Wharf sets its desired capacity directly).',
      UpdateCapacityProvider: 'as CreateCapacityProvider.',
      PutAccountSetting: 'every setting is stored and resolved as ECS resolves it; containerInsights is new clusters\' default and awsvpcTrunking gives newly registered instances 5 times the task ENIs; the others are stored, not acted on.',
      PutAccountSettingDefault: 'as PutAccountSetting.',
      ContinueServiceDeployment: 'PAUSE hooks of BLUE_GREEN, LINEAR and CANARY deployments.',
      RegisterTaskDefinition: 'every field is accepted and stored; features the agent does not honour yet are refused when a task is run.',
      StopServiceDeployment: 'ROLLBACK only (ABORT is refused, as ECS documents for rolling deployments); a BLUE_GREEN, LINEAR or CANARY deployment gives traffic back to blue.',
      DescribeClusters: 'managed-instances and EXTERNAL service statistics are always 0.',
      RegisterContainerInstance: 'the identity document\'s instanceId, account and region are checked, its type, zone and image become attributes; a signature given is verified with Wharf\'s key (documents Wharf signed for its instances\' hosts); platformDevices are not kept. The instance is ACTIVE with agentConnected false until an agent links as that EC2 instance and takes it.',
    },
  };
}
