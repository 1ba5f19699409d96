/**
 * Starting deployments and keeping a service's record and its deployment history together.
 * Shared by the service actions (CreateService, UpdateService, StopServiceDeployment) and the
 * service controller (circuit-breaker rollbacks), so a deployment is made one way only.
 */
import type { Ids } from '../common/index.ts';
import type { Tx } from '../state/index.ts';
import { parseArn, type Scope, type TaskDefinitionRecord } from './records.ts';
import {
  serviceArns, serviceKeys, type DeploymentRecord, type DeploymentSpec, type ServiceEventRecord, type ServiceRecord, type ServiceRevisionRecord,
} from './service-records.ts';
import { greenLoadBalancers, initialShift, pauseHookId, shiftsTraffic } from './traffic-shift.ts';

/** ECS's circuit-breaker threshold: 0.5 × the desired count, at least 3 and at most 200. */
export const circuitBreakerThreshold = (desiredCount: number): number => Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));

/** Services keep their last 100 events, as ECS shows them. */
export const MAX_SERVICE_EVENTS = 100;

/** 19 decimal digits from the id source: the form of ECS deployment and revision ids. */
function digits19(ids: Ids): string {
  return (BigInt(`0x${ids.hex32().slice(0, 16)}`) % 10n ** 19n).toString().padStart(19, '1');
}

/** The service's account and region (from its ARN, which Wharf made). */
export const scopeOfService = (service: ServiceRecord): Scope => parseArn(service.arn)!;

/** The spec the service's current settings describe: what a new deployment rolls out. */
export function specOf(service: ServiceRecord): DeploymentSpec {
  return {
    taskDefinition: service.taskDefinition,
    placementConstraints: service.placementConstraints,
    placementStrategy: service.placementStrategy,
    deploymentConfiguration: service.deploymentConfiguration,
    loadBalancers: service.loadBalancers,
  };
}

/** The service with one more event, newest first, at most MAX_SERVICE_EVENTS kept. */
export function withEvent(service: ServiceRecord, message: string, ids: Ids, now: number): ServiceRecord {
  const event: ServiceEventRecord = { id: ids.uuid(), createdAt: now, message };
  return { ...service, events: [event, ...service.events].slice(0, MAX_SERVICE_EVENTS) };
}

/**
 * Stages a new PRIMARY deployment of `spec` (and its service revision): the previous PRIMARY
 * becomes ACTIVE and its tasks are replaced by the controller. Returns the updated service;
 * the caller stores it with `putService`.
 */
export function startDeployment(
  tx: Tx, service: ServiceRecord, spec: DeploymentSpec, td: TaskDefinitionRecord, ids: Ids, now: number,
  rollback?: DeploymentRecord['rollback'],
): ServiceRecord {
  const scope = scopeOfService(service);
  const revisionId = digits19(ids);
  const revision: ServiceRevisionRecord = {
    id: revisionId,
    arn: serviceArns.revision(scope, service.clusterName, service.name, revisionId),
    serviceArn: service.arn,
    clusterArn: service.clusterArn,
    taskDefinition: td.taskDefinitionArn,
    launchType: service.launchType,
    loadBalancers: service.loadBalancers,
    serviceRegistries: service.serviceRegistries,
    networkConfiguration: service.networkConfiguration,
    containerImages: (td.containerDefinitions ?? []).map((c) => ({ containerName: c.name!, image: c.image! })),
    createdAt: now,
  };
  tx.put(serviceKeys.revision(scope, service.clusterName, service.name, revisionId), revision);
  const id = `ecs-svc/${digits19(ids)}`;
  const deploymentArnId = ids.hex32().slice(0, 20);
  // BLUE_GREEN, LINEAR, CANARY: a deployment replacing another runs beside it on the other target group of each pair, then takes its traffic.
  const blue = service.deployments[0];
  const shifting = shiftsTraffic(spec.deploymentConfiguration) && blue !== undefined && !rollback;
  const deployment: DeploymentRecord = {
    ...spec,
    ...(shifting && {
      loadBalancers: greenLoadBalancers(spec.loadBalancers ?? service.loadBalancers, blue.loadBalancers ?? service.loadBalancers),
      shift: initialShift(spec.deploymentConfiguration, now, pauseHookId(() => ids.hex32())),
    }),
    taskDefinition: td.taskDefinitionArn,
    id,
    arn: serviceArns.deployment(scope, service.clusterName, service.name, deploymentArnId),
    serviceArn: service.arn,
    clusterArn: service.clusterArn,
    revisionArn: revision.arn,
    sourceRevisionArns: service.deployments.map((d) => d.revisionArn),
    status: 'PRIMARY',
    desiredCount: service.desiredCount,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: rollback ? rollback.reason : `ECS deployment ${id} in progress.`,
    deploymentStatus: rollback ? 'ROLLBACK_IN_PROGRESS' : 'IN_PROGRESS',
    failuresSince: now,
    failedTasks: 0,
    rollback,
    createdAt: now,
    startedAt: now,
    updatedAt: now,
  };
  const previous = service.deployments.map((d): DeploymentRecord => {
    if (d.status !== 'PRIMARY') return d;
    const superseded = d.rolloutState === 'IN_PROGRESS';
    return {
      ...d,
      status: 'ACTIVE',
      desiredCount: 0,
      updatedAt: now,
      ...(superseded && !rollback ? { deploymentStatus: 'STOPPED' as const, statusReason: `Superseded by deployment ${id}.`, stoppedAt: now } : {}),
    };
  });
  return {
    ...service,
    ...spec,
    taskDefinition: td.taskDefinitionArn,
    deployments: [deployment, ...previous],
    steadySince: undefined,
  };
}

/**
 * Stages the service record and mirrors each of its deployments (and any `retired` ones, no
 * longer live) to the deployment history, so both views always agree.
 */
export function putService(tx: Tx, service: ServiceRecord, retired: DeploymentRecord[] = []): void {
  const scope = scopeOfService(service);
  tx.put(serviceKeys.service(scope, service.clusterName, service.name), service);
  for (const d of [...service.deployments, ...retired]) {
    tx.put(serviceKeys.deployment(scope, service.clusterName, service.name, deploymentKeyId(d)), d);
  }
}

/** The last part of a deployment's service-deployment ARN: its key in the history. */
export const deploymentKeyId = (d: DeploymentRecord): string => d.arn.slice(d.arn.lastIndexOf('/') + 1);
