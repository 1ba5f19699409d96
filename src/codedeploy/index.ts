/**
 * The CodeDeploy domain, for ECS blue/green deployments: applications, deployment groups,
 * deployment configurations, deployments and the AppSpecs they carry, tags; the pure stage
 * machine the deployment engine (controllers/codedeploy) runs, and the ports it runs through
 * (ECS task sets, listener forwards). The CodeDeploy adapter (`services/codedeploy`) is its API.
 */
export {
  ECS_LIFECYCLE_EVENTS, applicationArn, configArn, deploymentIdOf, groupArn, keys, parseCodeDeployArn, parseDeploymentKey, uuidOf,
  type ApplicationRecord, type AutoRollbackRecord, type BlueGreenRecord, type CodeDeployTag, type ComputePlatform, type DeploymentConfigRecord,
  type DeploymentGroupRecord, type DeploymentRecord, type DeploymentStatus, type DeploymentSummary, type EcsAppSpec, type EcsServiceRef,
  type EngineState, type LifecycleEventRecord, type Scope, type TargetGroupPairRecord, type TrafficRoutingRecord,
} from './records.ts';
export type { CodeDeployEnv } from './env.ts';
export { CodeDeployErrors } from './errors.ts';
export { parseEcsAppSpec } from './appspec.ts';
export { BUILT_IN_CONFIGS, DEFAULT_ECS_CONFIG, checkTrafficRouting, createConfig, deleteConfig, getConfig, listConfigs, type CreateConfigRequest } from './configs.ts';
export { createApplication, deleteApplication, getApplication, listApplications, renameApplication } from './applications.ts';
export { DEFAULT_BLUE_GREEN, createGroup, deleteGroup, getGroup, listGroups, updateGroup, type GroupSpec } from './groups.ts';
export {
  batchGetDeployments, continueDeployment, createDeployment, ecsTargetId, findDeployment, getDeployment, getTarget, isActive, listDeployments,
  stageDeploymentProgress, stopDeployment, type CreateDeploymentRequest, type DeploymentFilter,
} from './deployments.ts';
export { MAX_TAGS, checkTags, codeDeployResourceInfo, listTags, tagResource, untagResource } from './tags.ts';
export { INSTALL_TIMEOUT_MS, advanceDeployment, initialEngine, nextShift, type Observed, type StageStep } from './stages.ts';
export type { AlarmStatesPort, ForwardWeight, ServiceView, TaskSetView, TaskSetsPort, TrafficPort } from './ports.ts';
export { MAX_ALARMS, alarmStop, checkAlarmConfiguration, watchedAlarms, type AlarmConfigurationRecord, type AlarmState } from './alarms.ts';
