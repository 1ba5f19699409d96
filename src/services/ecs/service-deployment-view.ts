/**
 * Stored deployments and service revisions as DescribeServiceDeployments,
 * ListServiceDeployments and DescribeServiceRevisions show them. Task counts are never
 * stored: they are derived here from the service's tasks each time a deployment is shown.
 */
import type {
  ServiceDeployment, ServiceDeploymentAlarms, ServiceDeploymentBrief, ServiceDeploymentCircuitBreaker,
  ServiceRevision, ServiceRevisionSummary,
} from '@aws-sdk/client-ecs';
import { toDate } from './common.ts';
import {
  circuitBreakerThreshold, serviceGroup, type DeploymentRecord, type ServiceDeploymentStatus, type ServiceRecord,
  type ServiceRevisionRecord, type TaskRecord,
} from '../../ecs/index.ts';
import { countTasks, toApiDeploymentConfiguration, type TaskCounts } from './service-view.ts';

/** The statuses of a service deployment that has finished, successfully or not (ECS's "Completed" stage). */
export const COMPLETED_DEPLOYMENT_STATUSES: readonly ServiceDeploymentStatus[] = ['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'];

/** Counts the tasks of `service` started by one of `deploymentIds` that are running or on their way to it. */
function countOf(tasks: TaskRecord[], service: ServiceRecord, deploymentIds: ReadonlySet<string>): TaskCounts {
  const group = serviceGroup(service.name);
  return countTasks(tasks.filter((t) => t.group === group && t.startedBy !== undefined && deploymentIds.has(t.startedBy)));
}

/** The target revision: the deployment's own tasks, and the tasks it wants. */
function targetSummary(d: DeploymentRecord, service: ServiceRecord, tasks: TaskRecord[]): ServiceRevisionSummary {
  const counts = countOf(tasks, service, new Set([d.id]));
  return { arn: d.revisionArn, requestedTaskCount: d.desiredCount, runningTaskCount: counts.running, pendingTaskCount: counts.pending };
}

/**
 * A source revision: the tasks of the service's live deployments that roll it out, and what
 * those deployments still want (0 once none is live).
 */
function sourceSummary(revisionArn: string, service: ServiceRecord, tasks: TaskRecord[]): ServiceRevisionSummary {
  const live = service.deployments.filter((d) => d.revisionArn === revisionArn);
  const counts = countOf(tasks, service, new Set(live.map((d) => d.id)));
  return {
    arn: revisionArn,
    requestedTaskCount: live.reduce((n, d) => n + d.desiredCount, 0),
    runningTaskCount: counts.running,
    pendingTaskCount: counts.pending,
  };
}

const finished = (d: DeploymentRecord): boolean =>
  d.finishedAt !== undefined || d.stoppedAt !== undefined || COMPLETED_DEPLOYMENT_STATUSES.includes(d.deploymentStatus);

/**
 * The circuit breaker's state for a deployment. The threshold is ECS's: half the service's
 * latest desired count, at least 3 and at most 200.
 */
function circuitBreaker(d: DeploymentRecord, service: ServiceRecord): ServiceDeploymentCircuitBreaker {
  const threshold = circuitBreakerThreshold(service.desiredCount);
  const status: ServiceDeploymentCircuitBreaker['status'] =
    !d.deploymentConfiguration.deploymentCircuitBreaker.enable ? 'DISABLED'
      : d.rolloutState === 'FAILED' && !d.alarmsTriggered?.length ? 'TRIGGERED'
        : d.circuitBreakerComplete || finished(d) ? 'MONITORING_COMPLETE'
          : 'MONITORING';
  return { status, failureCount: d.failedTasks, threshold };
}

/** The alarms check, only when the deployment's configuration names alarms: TRIGGERED with the alarms that failed it. */
function alarms(d: DeploymentRecord): ServiceDeploymentAlarms | undefined {
  const configured = d.deploymentConfiguration.alarms;
  if (!configured) return undefined;
  const triggered = d.alarmsTriggered ?? [];
  const status: ServiceDeploymentAlarms['status'] = !configured.enable ? 'DISABLED'
    : triggered.length ? 'TRIGGERED'
      : finished(d) ? 'MONITORING_COMPLETE' : 'MONITORING';
  return { status, alarmNames: [...(configured.alarmNames ?? [])], triggeredAlarmNames: [...triggered] };
}

/**
 * A deployment as DescribeServiceDeployments shows it, its counts derived from `tasks` (the
 * tasks of the service's cluster).
 */
export function toApiServiceDeployment(d: DeploymentRecord, service: ServiceRecord, tasks: TaskRecord[]): ServiceDeployment {
  const out: ServiceDeployment = {
    serviceDeploymentArn: d.arn,
    serviceArn: d.serviceArn,
    clusterArn: d.clusterArn,
    createdAt: toDate(d.createdAt),
    startedAt: toDate(d.startedAt),
    updatedAt: toDate(d.updatedAt),
    sourceServiceRevisions: d.sourceRevisionArns.map((arn) => sourceSummary(arn, service, tasks)),
    targetServiceRevision: targetSummary(d, service, tasks),
    status: d.deploymentStatus,
    deploymentConfiguration: toApiDeploymentConfiguration(d.deploymentConfiguration),
    deploymentCircuitBreaker: circuitBreaker(d, service),
  };
  if (d.finishedAt !== undefined) out.finishedAt = toDate(d.finishedAt);
  if (d.stoppedAt !== undefined) out.stoppedAt = toDate(d.stoppedAt);
  if (d.statusReason !== undefined) out.statusReason = d.statusReason;
  if (d.rollback) out.rollback = { reason: d.rollback.reason, startedAt: toDate(d.rollback.startedAt), serviceRevisionArn: d.rollback.serviceRevisionArn };
  const alarmCheck = alarms(d);
  if (alarmCheck) out.alarms = alarmCheck;
  if (d.shift) {
    out.lifecycleStage = d.shift.stage;
    out.lifecycleHookDetails = d.shift.hooks.map((h) => ({
      hookId: h.hookId, targetType: h.targetType, ...(h.targetArn && { targetArn: h.targetArn }),
      status: h.status, expiresAt: toDate(h.expiresAt), timeoutAction: h.timeoutAction,
    }));
  }
  return out;
}

/** A deployment as ListServiceDeployments shows it. */
export function toApiServiceDeploymentBrief(d: DeploymentRecord): ServiceDeploymentBrief {
  const out: ServiceDeploymentBrief = {
    serviceDeploymentArn: d.arn,
    serviceArn: d.serviceArn,
    clusterArn: d.clusterArn,
    startedAt: toDate(d.startedAt),
    createdAt: toDate(d.createdAt),
    targetServiceRevisionArn: d.revisionArn,
    status: d.deploymentStatus,
  };
  if (d.finishedAt !== undefined) out.finishedAt = toDate(d.finishedAt);
  if (d.statusReason !== undefined) out.statusReason = d.statusReason;
  return out;
}

/** A stored service revision as DescribeServiceRevisions shows it. */
export function toApiServiceRevision(r: ServiceRevisionRecord): ServiceRevision {
  const out: ServiceRevision = {
    serviceRevisionArn: r.arn,
    serviceArn: r.serviceArn,
    clusterArn: r.clusterArn,
    taskDefinition: r.taskDefinition,
    launchType: r.launchType,
    loadBalancers: structuredClone(r.loadBalancers),
    serviceRegistries: structuredClone(r.serviceRegistries),
    containerImages: r.containerImages.map((c) => ({ ...c })),
    createdAt: toDate(r.createdAt),
  };
  if (r.networkConfiguration) out.networkConfiguration = structuredClone(r.networkConfiguration);
  return out;
}
