/**
 * The stored form of ECS services, their deployments and service revisions, and where they
 * live. A service record holds its live deployments (PRIMARY first, then ACTIVE ones still
 * draining) and its last 100 events; every deployment is also kept under its own key (the
 * service-deployment history that ListServiceDeployments reads), rewritten whenever it
 * changes. Task counts are never stored: they are read from the tasks when shown.
 *
 * A service's tasks are the tasks of group `service:<name>` whose `startedBy` is the id of one
 * of its deployments or task sets (`ecs-svc/<19 digits>`), as in ECS.
 */
import type { StrategyItem } from './capacity-providers.ts';
import type {
  CapacityProviderStrategyItem, DeploymentAlarms, LoadBalancer, NetworkConfiguration, PlacementConstraint, PlacementStrategy, ServiceRegistry, Tag,
} from '@aws-sdk/client-ecs';
import { formatArn } from '../aws/index.ts';
import type { Scope } from './records.ts';

/** A service's deploymentConfiguration with ECS's defaults filled in. */
export interface DeploymentConfigurationRecord {
  minimumHealthyPercent: number;
  maximumPercent: number;
  deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
  alarms?: DeploymentAlarms;
  /** How a deployment replaces tasks (absent: ROLLING). */
  strategy?: DeploymentStrategy;
  /** BLUE_GREEN, LINEAR, CANARY: how long blue keeps running once production traffic is on green. */
  bakeTimeInMinutes?: number;
  linearConfiguration?: { stepPercent: number; stepBakeTimeInMinutes: number };
  canaryConfiguration?: { canaryPercent: number; canaryBakeTimeInMinutes: number };
  lifecycleHooks?: LifecycleHookRecord[];
}

/** `deploymentConfiguration.strategy`. */
export type DeploymentStrategy = 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY';

/** The stages of a blue/green, linear or canary deployment, in order (ServiceDeployment.lifecycleStage). */
export const LIFECYCLE_STAGES = [
  'RECONCILE_SERVICE', 'PRE_SCALE_UP', 'SCALE_UP', 'POST_SCALE_UP', 'TEST_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME', 'CLEAN_UP',
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
/** The stages a hook may wait at (PRE_PRODUCTION_TRAFFIC_SHIFT: before each production traffic step). */
export type HookStage =
  | 'RECONCILE_SERVICE' | 'PRE_SCALE_UP' | 'POST_SCALE_UP' | 'TEST_TRAFFIC_SHIFT' | 'POST_TEST_TRAFFIC_SHIFT'
  | 'PRE_PRODUCTION_TRAFFIC_SHIFT' | 'PRODUCTION_TRAFFIC_SHIFT' | 'POST_PRODUCTION_TRAFFIC_SHIFT';

/** A lifecycle hook: at each of its stages the deployment waits for it (PAUSE: for ContinueServiceDeployment). */
export interface LifecycleHookRecord {
  targetType: 'PAUSE';
  hookTargetArn?: string;
  roleArn?: string;
  lifecycleStages: HookStage[];
  timeoutInMinutes: number;
  timeoutAction: 'CONTINUE' | 'ROLLBACK';
}

/** One hook waited on at one stage of a deployment (DeploymentLifecycleHookDetail). */
export interface HookRunRecord {
  hookId: string;
  stage: HookStage;
  /** PRE_PRODUCTION_TRAFFIC_SHIFT: the production traffic step it comes before (0: the first). */
  step?: number;
  targetType: 'PAUSE';
  targetArn?: string;
  status: 'AWAITING_ACTION' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  expiresAt: number;
  timeoutAction: 'CONTINUE' | 'ROLLBACK';
  /** What ContinueServiceDeployment said, until the controller acts on it. */
  action?: 'CONTINUE' | 'ROLLBACK';
}

/** Where a blue/green, linear or canary deployment is: its stage and the traffic green has. */
export interface TrafficShiftRecord {
  stage: LifecycleStage;
  stageSince: number;
  /** Production traffic on green, in percent (multiples of 0.1). */
  greenPercent: number;
  /** Production traffic steps taken, and when the next may be taken. */
  steps: number;
  nextShiftAt?: number;
  /** Whether the test listener rule forwards to green. */
  testOnGreen: boolean;
  /** Hooks of the stages reached so far. */
  hooks: HookRunRecord[];
  /** StopServiceDeployment asked for a rollback, with this reason. */
  rollbackRequested?: string;
}

/** The service-deployment status ECS reports in DescribeServiceDeployments. */
export type ServiceDeploymentStatus =
  | 'PENDING' | 'IN_PROGRESS' | 'SUCCESSFUL' | 'STOPPED' | 'STOP_REQUESTED'
  | 'ROLLBACK_REQUESTED' | 'ROLLBACK_IN_PROGRESS' | 'ROLLBACK_SUCCESSFUL' | 'ROLLBACK_FAILED';

/** What a deployment runs: the part of a service a new deployment snapshots. */
export interface DeploymentSpec {
  taskDefinition: string;
  placementConstraints: PlacementConstraint[];
  placementStrategy: PlacementStrategy[];
  deploymentConfiguration: DeploymentConfigurationRecord;
  /** The target groups its tasks are registered in (absent in records written before: the service's). */
  loadBalancers?: LoadBalancer[];
}

/**
 * One deployment of a service: `Deployment` in DescribeServices and `ServiceDeployment` in
 * DescribeServiceDeployments are two views of it.
 */
export interface DeploymentRecord extends DeploymentSpec {
  /** `ecs-svc/` and 19 digits: the `startedBy` of the deployment's tasks. */
  id: string;
  /** The service-deployment ARN (…:service-deployment/<cluster>/<service>/<id>). */
  arn: string;
  serviceArn: string;
  clusterArn: string;
  /** The service revision this deployment rolls out. */
  revisionArn: string;
  /** The service revisions that were running when it started. */
  sourceRevisionArns: string[];
  /** PRIMARY: the one being rolled out; ACTIVE: older, still with tasks; INACTIVE: done with. */
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  /** The tasks this deployment wants (the service's desiredCount while PRIMARY, then 0). */
  desiredCount: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  deploymentStatus: ServiceDeploymentStatus;
  statusReason?: string;
  /** Circuit breaker: failures are counted from tasks stopped after this time. */
  failuresSince: number;
  /** The failed tasks the circuit breaker counted (Deployment.failedTasks). */
  failedTasks: number;
  /** Set once a task of this deployment ran healthy: the circuit breaker stops counting. */
  circuitBreakerComplete?: boolean;
  /** The deployment alarms found in ALARM while it was watched: what failed it (ServiceDeploymentAlarms.triggeredAlarmNames). */
  alarmsTriggered?: string[];
  /** Its alarms that were in ALARM when it was first looked at and have not left ALARM since: not held against it. */
  alarmsAtStart?: string[];
  /** A rolling deployment watched by alarms: when its tasks were all up, so its alarm bake time began. */
  alarmsBakeSince?: number;
  /** BLUE_GREEN, LINEAR, CANARY deployments that replace another: their stage and traffic. */
  shift?: TrafficShiftRecord;
  /** Set when this deployment is a rollback (circuit breaker or StopServiceDeployment). */
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
  createdAt: number;
  startedAt: number;
  updatedAt: number;
  finishedAt?: number;
  stoppedAt?: number;
}

/** One entry of a service's `events`, newest first in the record. */
export interface ServiceEventRecord {
  id: string;
  createdAt: number;
  message: string;
}

/** A service as stored: its settings, live deployments (PRIMARY first) and last 100 events. */
export interface ServiceRecord {
  name: string;
  arn: string;
  clusterName: string;
  clusterArn: string;
  /** DRAINING after DeleteService until its tasks are gone, then INACTIVE. */
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  schedulingStrategy: 'REPLICA' | 'DAEMON';
  launchType: 'EC2' | 'FARGATE';
  /** A Fargate service's platform version, and the Fargate capacity provider its strategy named. */
  platformVersion?: string;
  capacityProviderName?: string;
  /** The capacity provider strategy its tasks are spread by (base, then weights), when it has one. */
  capacityProviderStrategy?: StrategyItem[];
  /** REPLICA: as set; DAEMON: the number of instances that should run the daemon, kept by the controller. */
  desiredCount: number;
  /** The PRIMARY deployment's spec: what UpdateService changes and a new deployment snapshots. */
  taskDefinition: string;
  placementConstraints: PlacementConstraint[];
  placementStrategy: PlacementStrategy[];
  deploymentConfiguration: DeploymentConfigurationRecord;
  /** ECS: Wharf rolls deployments out; EXTERNAL and CODE_DEPLOY: the service runs its `taskSets`. */
  deploymentController: { type: DeploymentControllerType };
  healthCheckGracePeriodSeconds?: number;
  loadBalancers: LoadBalancer[];
  serviceRegistries: ServiceRegistry[];
  networkConfiguration?: NetworkConfiguration;
  propagateTags?: 'TASK_DEFINITION' | 'SERVICE' | 'NONE';
  enableECSManagedTags: boolean;
  enableExecuteCommand: boolean;
  tags: Tag[];
  createdAt: number;
  createdBy?: string;
  /** Live deployments, PRIMARY first (none for EXTERNAL and CODE_DEPLOY services). */
  deployments: DeploymentRecord[];
  /** EXTERNAL and CODE_DEPLOY services: their task sets, DRAINING ones until their tasks are gone. */
  taskSets?: TaskSetRecord[];
  /** The last deployment that completed: what a circuit-breaker rollback returns to. */
  lastCompleted?: { deploymentId: string; revisionArn: string; spec: DeploymentSpec };
  /** The last 100 events, newest first. */
  events: ServiceEventRecord[];
  /** When the service last reported a steady state, cleared when it leaves it. */
  steadySince?: number;
  /** Bumped on every change. */
  version: number;
}

/** Who moves a service's tasks from one configuration to the next. */
export type DeploymentControllerType = 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL';

/**
 * A task set of an EXTERNAL or CODE_DEPLOY service: a set of tasks of one configuration that the
 * service controller keeps at `computedDesiredCount` (the service's desiredCount × scale, rounded
 * up), with its own load balancers and registries. No rollout moves it: whoever manages the
 * service scales it, makes it PRIMARY and deletes it (then it is DRAINING until its tasks are gone).
 */
export interface TaskSetRecord {
  /** `ecs-svc/` and 19 digits: the `startedBy` of its tasks. */
  id: string;
  /** …:task-set/<cluster>/<service>/<id>. */
  arn: string;
  serviceArn: string;
  clusterArn: string;
  status: 'PRIMARY' | 'ACTIVE' | 'DRAINING';
  taskDefinition: string;
  /** Percent of the service's desiredCount. */
  scale: { value: number; unit: 'PERCENT' };
  externalId?: string;
  /** The CreateTaskSet clientToken that made it: a retry with the same token gets it back. */
  clientToken?: string;
  /** Who created it (CODE_DEPLOY: the deployment's creator), as the request's `startedBy` would say. */
  startedBy?: string;
  launchType?: 'EC2' | 'FARGATE';
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  /** The Fargate capacity provider its tasks are launched with (from capacityProviderStrategy). */
  capacityProviderName?: string;
  platformVersion?: string;
  networkConfiguration?: NetworkConfiguration;
  loadBalancers: LoadBalancer[];
  serviceRegistries: ServiceRegistry[];
  tags: Tag[];
  /** STEADY_STATE once it runs its computedDesiredCount healthy tasks and nothing else, kept by the controller. */
  stabilityStatus: 'STEADY_STATE' | 'STABILIZING';
  stabilityStatusAt: number;
  createdAt: number;
  updatedAt: number;
}

/** ECS's computedDesiredCount: the service's desiredCount × the task set's scale percent, rounded up. */
export const computedDesiredCount = (service: Pick<ServiceRecord, 'desiredCount'>, ts: Pick<TaskSetRecord, 'scale'>): number =>
  Math.ceil(Number(((service.desiredCount * ts.scale.value) / 100).toFixed(6)));

/** Whether a service runs task sets (EXTERNAL and CODE_DEPLOY controllers) rather than deployments. */
export const usesTaskSets = (service: Pick<ServiceRecord, 'deploymentController'>): boolean => service.deploymentController.type !== 'ECS';

/** An immutable snapshot of a service's configuration, one per deployment (DescribeServiceRevisions). */
export interface ServiceRevisionRecord {
  id: string;
  arn: string;
  serviceArn: string;
  clusterArn: string;
  taskDefinition: string;
  launchType: 'EC2' | 'FARGATE';
  loadBalancers: LoadBalancer[];
  serviceRegistries: ServiceRegistry[];
  networkConfiguration?: NetworkConfiguration;
  containerImages: { containerName: string; image: string; imageDigest?: string }[];
  createdAt: number;
}

/** The task group of a service's tasks. */
export const serviceGroup = (serviceName: string): string => `service:${serviceName}`;

/** Where services and their history live. */
export const serviceKeys = {
  allServices: 'ecs/services/',
  services: (s: Scope, cluster: string) => `ecs/services/${s.account}/${s.region}/${cluster}/`,
  service: (s: Scope, cluster: string, name: string) => `ecs/services/${s.account}/${s.region}/${cluster}/${name}`,
  deployments: (s: Scope, cluster: string, service: string) => `ecs/service-deployments/${s.account}/${s.region}/${cluster}/${service}/`,
  deployment: (s: Scope, cluster: string, service: string, id: string) =>
    `ecs/service-deployments/${s.account}/${s.region}/${cluster}/${service}/${id}`,
  revisions: (s: Scope, cluster: string, service: string) => `ecs/service-revisions/${s.account}/${s.region}/${cluster}/${service}/`,
  revision: (s: Scope, cluster: string, service: string, id: string) =>
    `ecs/service-revisions/${s.account}/${s.region}/${cluster}/${service}/${id}`,
};

/** Service ARNs in ECS's long format (cluster name included). */
export const serviceArns = {
  service: (s: Scope, cluster: string, name: string) => formatArn('ecs', s.region, s.account, `service/${cluster}/${name}`),
  deployment: (s: Scope, cluster: string, service: string, id: string) =>
    formatArn('ecs', s.region, s.account, `service-deployment/${cluster}/${service}/${id}`),
  revision: (s: Scope, cluster: string, service: string, id: string) =>
    formatArn('ecs', s.region, s.account, `service-revision/${cluster}/${service}/${id}`),
  taskSet: (s: Scope, cluster: string, service: string, id: string) => formatArn('ecs', s.region, s.account, `task-set/${cluster}/${service}/${id}`),
};
