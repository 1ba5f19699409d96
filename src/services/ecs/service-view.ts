/**
 * Stored services as the ECS API shows them. Task counts are never stored: they are counted
 * here from the service's tasks (group `service:<name>`, startedBy one of its deployments'
 * ids), for the service and for each deployment.
 */
import type { Deployment, DeploymentConfiguration, Service, TaskSet } from '@aws-sdk/client-ecs';
import { toDate } from './common.ts';
import {
  computedDesiredCount, serviceGroup, usesTaskSets, type DeploymentConfigurationRecord, type DeploymentRecord, type ServiceRecord, type TaskRecord, type TaskSetRecord,
} from '../../ecs/index.ts';

const PENDING_STATUSES = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

/** A service's or a deployment's runningCount and pendingCount. */
export interface TaskCounts {
  /** Tasks RUNNING and meant to stay so. */
  running: number;
  /** Tasks on their way to RUNNING (PROVISIONING, PENDING, ACTIVATING) and meant to get there. */
  pending: number;
}

/** Counts tasks as ECS's runningCount and pendingCount do: only those whose desiredStatus is RUNNING. */
export function countTasks(tasks: Iterable<TaskRecord>): TaskCounts {
  const counts: TaskCounts = { running: 0, pending: 0 };
  for (const t of tasks) {
    if (t.desiredStatus !== 'RUNNING') continue;
    if (t.lastStatus === 'RUNNING') counts.running++;
    else if (PENDING_STATUSES.has(t.lastStatus)) counts.pending++;
  }
  return counts;
}

/** The service's tasks among `tasks` (any tasks of its cluster), by deployment id. */
export function tasksByDeployment(service: ServiceRecord, tasks: Iterable<TaskRecord>): Map<string, TaskRecord[]> {
  const group = serviceGroup(service.name);
  const byId = new Map<string, TaskRecord[]>([...service.deployments, ...(service.taskSets ?? [])].map((d) => [d.id, []]));
  for (const t of tasks) {
    if (t.group !== group || t.startedBy === undefined) continue;
    byId.get(t.startedBy)?.push(t);
  }
  return byId;
}

/** A stored deploymentConfiguration as the API shows it. */
export function toApiDeploymentConfiguration(c: DeploymentConfigurationRecord): DeploymentConfiguration {
  const out: DeploymentConfiguration = {
    deploymentCircuitBreaker: { enable: c.deploymentCircuitBreaker.enable, rollback: c.deploymentCircuitBreaker.rollback },
    maximumPercent: c.maximumPercent,
    minimumHealthyPercent: c.minimumHealthyPercent,
  };
  if (c.alarms) out.alarms = structuredClone(c.alarms);
  out.strategy = c.strategy ?? 'ROLLING';
  if (c.bakeTimeInMinutes !== undefined) out.bakeTimeInMinutes = c.bakeTimeInMinutes;
  if (c.linearConfiguration) out.linearConfiguration = { ...c.linearConfiguration };
  if (c.canaryConfiguration) out.canaryConfiguration = { ...c.canaryConfiguration };
  if (c.lifecycleHooks?.length) {
    out.lifecycleHooks = c.lifecycleHooks.map((h) => ({
      targetType: h.targetType, ...(h.hookTargetArn && { hookTargetArn: h.hookTargetArn }), ...(h.roleArn && { roleArn: h.roleArn }),
      lifecycleStages: [...h.lifecycleStages], timeoutConfiguration: { timeoutInMinutes: h.timeoutInMinutes, action: h.timeoutAction },
    }));
  }
  return out;
}

function toApiDeployment(d: DeploymentRecord, counts: TaskCounts, service: ServiceRecord): Deployment {
  return {
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDefinition,
    desiredCount: d.desiredCount,
    pendingCount: counts.pending,
    runningCount: counts.running,
    failedTasks: d.failedTasks,
    createdAt: toDate(d.createdAt),
    updatedAt: toDate(d.updatedAt),
    ...(service.capacityProviderStrategy
      ? { capacityProviderStrategy: service.capacityProviderStrategy.map((s) => ({ ...s })) }
      : { launchType: service.launchType }),
    ...(service.platformVersion && { platformVersion: service.platformVersion, platformFamily: 'Linux' }),
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
  };
}

/**
 * The API `Service` for a stored service, its counts taken from `tasks` (any tasks of its
 * cluster: the service's own are picked out); tags only when asked for (include TAGS).
 */
export function toApiService(service: ServiceRecord, tasks: Iterable<TaskRecord>, withTags = false): Service {
  const byDeployment = tasksByDeployment(service, tasks);
  const total = countTasks([...byDeployment.values()].flat());
  const primary = service.deployments.find((d) => d.status === 'PRIMARY');
  const out: Service = {
    serviceArn: service.arn,
    serviceName: service.name,
    clusterArn: service.clusterArn,
    loadBalancers: structuredClone(service.loadBalancers),
    serviceRegistries: structuredClone(service.serviceRegistries),
    status: service.status,
    desiredCount: service.desiredCount,
    runningCount: total.running,
    pendingCount: total.pending,
    // A service on a capacity provider strategy shows the strategy, not a launch type, as ECS does.
    ...(service.capacityProviderStrategy
      ? { capacityProviderStrategy: service.capacityProviderStrategy.map((s) => ({ ...s })) }
      : { launchType: service.launchType }),
    ...(service.platformVersion && { platformVersion: service.platformVersion, platformFamily: 'Linux' }),
    // An EXTERNAL service without a PRIMARY task set has no task definition of its own.
    ...(service.taskDefinition && { taskDefinition: service.taskDefinition }),
    deploymentConfiguration: toApiDeploymentConfiguration(service.deploymentConfiguration),
    deployments: service.deployments.map((d) => toApiDeployment(d, countTasks(byDeployment.get(d.id) ?? []), service)),
    events: service.events.map((e) => ({ id: e.id, createdAt: toDate(e.createdAt), message: e.message })),
    createdAt: toDate(service.createdAt),
    currentServiceDeployment: primary?.arn,
    placementConstraints: structuredClone(service.placementConstraints),
    placementStrategy: structuredClone(service.placementStrategy),
    networkConfiguration: service.networkConfiguration && structuredClone(service.networkConfiguration),
    healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds,
    schedulingStrategy: service.schedulingStrategy,
    deploymentController: { type: service.deploymentController.type },
    createdBy: service.createdBy,
    enableECSManagedTags: service.enableECSManagedTags,
    propagateTags: service.propagateTags ?? 'NONE',
    enableExecuteCommand: service.enableExecuteCommand,
  };
  // EXTERNAL and CODE_DEPLOY services show their task sets (the deployments view stays empty).
  if (usesTaskSets(service)) out.taskSets = toApiTaskSets(service, [...byDeployment.values()].flat(), withTags);
  if (withTags) out.tags = service.tags.map((t) => ({ ...t }));
  return out;
}

/** The API `TaskSet` for a stored one, its counts taken from `byId` (the service's tasks by startedBy); tags when asked for. */
export function toApiTaskSet(ts: TaskSetRecord, service: ServiceRecord, byId: ReadonlyMap<string, TaskRecord[]>, withTags: boolean): TaskSet {
  const counts = countTasks(byId.get(ts.id) ?? []);
  const out: TaskSet = {
    id: ts.id,
    taskSetArn: ts.arn,
    serviceArn: ts.serviceArn,
    clusterArn: ts.clusterArn,
    ...(ts.startedBy !== undefined && { startedBy: ts.startedBy }),
    ...(ts.externalId !== undefined && { externalId: ts.externalId }),
    status: ts.status,
    taskDefinition: ts.taskDefinition,
    computedDesiredCount: ts.status === 'DRAINING' || service.status !== 'ACTIVE' ? 0 : computedDesiredCount(service, ts),
    pendingCount: counts.pending,
    runningCount: counts.running,
    createdAt: toDate(ts.createdAt),
    updatedAt: toDate(ts.updatedAt),
    ...(ts.capacityProviderStrategy ? { capacityProviderStrategy: structuredClone(ts.capacityProviderStrategy) } : { launchType: ts.launchType ?? 'EC2' }),
    ...(ts.platformVersion && { platformVersion: ts.platformVersion, platformFamily: 'Linux' }),
    ...(ts.networkConfiguration && { networkConfiguration: structuredClone(ts.networkConfiguration) }),
    loadBalancers: structuredClone(ts.loadBalancers),
    serviceRegistries: structuredClone(ts.serviceRegistries),
    scale: { ...ts.scale },
    stabilityStatus: ts.stabilityStatus,
    stabilityStatusAt: toDate(ts.stabilityStatusAt),
  };
  if (withTags) out.tags = ts.tags.map((t) => ({ ...t }));
  return out;
}

/** Every task set of the service as the API shows them, counted from `tasks` (any tasks of its cluster). */
export function toApiTaskSets(service: ServiceRecord, tasks: Iterable<TaskRecord>, withTags = false): TaskSet[] {
  const byId = tasksByDeployment(service, tasks);
  return (service.taskSets ?? []).map((ts) => toApiTaskSet(ts, service, byId, withTags));
}
