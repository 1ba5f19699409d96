/**
 * The ECS domain: what a cluster, a task, a container instance, a service and a deployment
 * are, where their records are stored, and the writes that change them — shared by the ECS API
 * adapter (`services/ecs`), the service controller (`controllers/`) and the agent link
 * (`link/`). Nothing here reads a request or shapes a response. See README.md.
 */
export {
  arns, isAgentAttribute, keys, parseArn, withGroupCount,
  type ClusterRecord, type ContainerInstanceRecord, type ContainerRecord, type FamilyRecord, type HealthStatus, type InstanceAttribute,
  type ParsedArn, type Resources, type Scope, type TaskDefinitionRecord, type TaskRecord,
} from './records.ts';
export {
  LIFECYCLE_STAGES, computedDesiredCount, serviceArns, serviceGroup, serviceKeys, usesTaskSets,
  type DeploymentConfigurationRecord, type DeploymentControllerType, type TaskSetRecord, type DeploymentRecord, type DeploymentSpec, type DeploymentStrategy, type HookRunRecord, type HookStage, type LifecycleHookRecord,
  type LifecycleStage, type ServiceDeploymentStatus, type ServiceEventRecord, type ServiceRecord, type ServiceRevisionRecord, type TrafficShiftRecord,
} from './service-records.ts';
export {
  MAX_TASK_SETS, findTaskSet, launchSpecOf, stageCreateTaskSet, stageDeleteTaskSet, stagePrimaryTaskSet, stageTaskSetScale, taskSetMessages,
  withNewTaskSet, withPrimaryTaskSet, withTaskSetDeleted, withTaskSetScale,
  type LaunchSpec, type TaskSetOptions, type TaskSetSpec, type TaskSetWrite,
} from './task-sets.ts';
export { activeCluster, clusterNameOf, newCluster, requireActive } from './cluster-record.ts';
export {
  MAX_SERVICE_EVENTS, circuitBreakerThreshold, deploymentKeyId, putService, scopeOfService, specOf, startDeployment, withEvent,
} from './service-deployment.ts';
export {
  honouredBy, instanceIdOf, isWaiting, launchableTaskDefinition, launchTasks, launchTasksOn, placeWaitingTask, snapshotOf, stageServiceLaunch, type LaunchRequest, type LaunchResult, type ServiceLaunch,
} from './task-launch.ts';
export { withClusterStrategy } from './task-launch.ts';
export { heldForDraining, stageDrained, stageStopTask, type TaskStop } from './task-stop.ts';
export { leaveGroup, stageTaskReport, taskHealthStatus, taskKeyOfArn } from './task-reports.ts';
export { checkOverrides, taskDemand, taskSpec } from './task-spec.ts';
export {
  FAMILY_PATTERN, NAME_PATTERN, findTaskDefinition, parseTaskDefinitionRef, resolveTaskDefinition, type TaskDefinitionRef,
} from './task-definition-refs.ts';
export {
  FARGATE_SIZES, TASK_CPU_RANGE, checkContainerResources, isFargateSize, parseTaskCpu, parseTaskMemory, readTaskCpu, readTaskMemory,
} from './task-definition-resources.ts';
export { compatibilitiesFor, requiresAttributesFor, type DerivedFrom } from './task-definition-attributes.ts';
export { refuseUnhonoured, unhonouredFeature, type Honoured } from './task-definition-support.ts';
export { checkTaskRoles, type TaskRolesPort } from './task-roles.ts';
export { utilizationDatapoints, type EcsDatapoint, type TaskUse } from './utilization.ts';
export { toApiTask } from './task-view.ts';
export { taskStateChangeEvent, type EcsEvent } from './task-events.ts';
export { resourcesToApi, toApiInstance, type InstanceTaskCounts } from './instance-view.ts';
export { containerInstanceStateChangeEvent } from './instance-events.ts';
export { NO_AGENT, newContainerInstance, parseIdentityDocument, stageApiRegistration, untakenApiInstance, type ApiRegistration, type InstanceIdentity } from './instance-registration.ts';
export { serviceChangeEvents, type ServiceActionNote, type ServiceChange } from './service-events.ts';
export {
  checkEfsVolumes, efsMountFailure, efsPath, fileSystemArn, resolveEfsVolumes, type EfsPort, type EfsResolution, type ResolvedEfsVolume,
} from './efs-volumes.ts';
export { checkVolumeReferences } from './task-definition-volumes.ts';
export { ecsResourceInfo } from './resource-info.ts';
export {
  CLUSTER_INDEX, EcsInformers, TASK_INDEX, clusterPath, serviceIndexOf, serviceKeyOfIndex, type EcsInformersOptions,
} from './informers.ts';
export { EcsErrors } from './errors.ts';
export { stageDesiredCount, withInPlaceSettings, withSettings, type InPlaceSettings } from './service-settings.ts';
export type { EcsChangeHooks, EcsDeps } from './deps.ts';
export {
  FARGATE_PLATFORM_VERSION, FARGATE_POOL, checkFargateLaunch, ensureFargatePool, fargatePlatformVersion, isInternalCluster,
} from './fargate.ts';
export { resolveTaskNetwork, stageReleaseTaskEni } from './task-network.ts';
export {
  MAX_SERVICE_TARGET_GROUPS, checkServiceLoadBalancers, loadBalancerMessages, serviceNameOfTask, targetsOfTask, taskTargetsKeys, taskTargetsOf,
  type ServiceTarget, type TargetGroupInfo, type TargetHealth, type TargetsPort, type TaskTargetsRecord,
} from './load-balancers.ts';
export { advanceShift, greenLoadBalancers, initialShift, nextStep, pauseHookId, shiftsTraffic, type ShiftInput, type ShiftStep } from './traffic-shift.ts';
export { instanceAttributes, registryHealth, type RegisteredInstance, type RegistriesPort, type RegistryHealth } from './service-registries.ts';
export { watchedAlarms, type AlarmsPort, type DeploymentAlarm } from './deployment-alarms.ts';
export {
  SETTING_NAMES, accountSettingKeys, checkPrincipalArn, checkSettingValue, ecsDefault, effectiveSetting, partitionOf, principalSettings, resolveSetting,
  TRUNKING_MULTIPLIER, rootArn, settingPrincipalOf, trunkedEnis, type AccountSettingRecord, type EffectiveSetting, type SettingName,
} from './account-settings.ts';
export {
  FARGATE_PROVIDERS, MAX_STRATEGY_ITEMS, checkAssociated, distribute, fargateProvider, isFargateProvider, isFargateStrategy, nextProvider, refuseMixedStrategy, readStrategy as readCapacityProviderStrategy, type StrategyItem,
} from './capacity-providers.ts';
export {
  activeProvider, providerArn, providerKeys, providerNameOf, providerOfInstance, stageClusterProviders, stageCreateProvider, stageDeleteProvider, stageUpdateProvider, toApiProvider,
  type AsgProviderRecord, type AutoScalingGroupView, type AutoScalingGroupsPort, type ManagedScalingRecord,
} from './asg-providers.ts';
export { SPOT_INTERRUPTION_REASON, interruptSpotTask } from './spot-interruption.ts';
export { SCALE_IN_AFTER_MS, capacityProviderReservation, managedDesiredCapacity, scalingDecision, type ProviderLoad, type Reservation } from './managed-scaling.ts';
