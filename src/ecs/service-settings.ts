/**
 * The settings that change a service in place — ECS documents that they "don't trigger a new
 * service deployment": desiredCount, deploymentConfiguration, placement, the health check grace
 * period and the tag and execute-command settings. One change for every writer: UpdateService
 * (ECS, EXTERNAL and CODE_DEPLOY services alike) and Application Auto Scaling's desiredCount.
 * The PRIMARY deployment follows the service; task sets follow desiredCount through their
 * computed counts, which are read from it.
 */
import { sameJson } from '../common/index.ts';
import type { Tx } from '../state/index.ts';
import type { EcsDeps } from './deps.ts';
import { putService } from './service-deployment.ts';
import { usesTaskSets, type DeploymentRecord, type ServiceRecord } from './service-records.ts';

/** The in-place settings a change gives (members left undefined keep the service's). */
export type InPlaceSettings = Partial<Pick<ServiceRecord,
  'desiredCount' | 'deploymentConfiguration' | 'placementConstraints' | 'placementStrategy' | 'healthCheckGracePeriodSeconds'
  | 'propagateTags' | 'enableECSManagedTags' | 'enableExecuteCommand'>>;

/** The service's settings with `change` applied, its deployments as they are (a new deployment is about to snapshot them). */
export function withSettings(service: ServiceRecord, change: InPlaceSettings): ServiceRecord {
  return { ...service, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) };
}

/** The service with `change` applied and its PRIMARY deployment following; the service itself when nothing changes. */
export function withInPlaceSettings(service: ServiceRecord, change: InPlaceSettings, now: number): ServiceRecord {
  const settings = withSettings(service, change);
  if (sameJson(settings, service)) return service;
  return {
    ...settings,
    deployments: usesTaskSets(settings) ? settings.deployments : settings.deployments.map((d) => (d.status === 'PRIMARY' ? following(d, settings, now) : d)),
    steadySince: undefined,
    version: service.version + 1,
  };
}

/** The PRIMARY deployment with the service's desiredCount, placement and deployment configuration. */
function following(d: DeploymentRecord, service: ServiceRecord, now: number): DeploymentRecord {
  const updated: DeploymentRecord = {
    ...d,
    // A DAEMON deployment's desiredCount is the controller's to keep.
    desiredCount: service.schedulingStrategy === 'DAEMON' ? d.desiredCount : service.desiredCount,
    placementConstraints: service.placementConstraints,
    placementStrategy: service.placementStrategy,
    deploymentConfiguration: service.deploymentConfiguration,
  };
  return sameJson(updated, d) ? d : { ...updated, updatedAt: now };
}

/** Stages `desiredCount` on a REPLICA service (a DAEMON's is the controller's); returns the service as written (itself when unchanged). */
export async function stageDesiredCount(tx: Tx, deps: Pick<EcsDeps, 'clock' | 'changes'>, service: ServiceRecord, desiredCount: number): Promise<ServiceRecord> {
  if (service.schedulingStrategy === 'DAEMON') return service;
  const now = deps.clock.now();
  const next = withInPlaceSettings(service, { desiredCount }, now);
  if (next === service) return service;
  putService(tx, next);
  await deps.changes?.serviceChanged?.(tx, { before: service, after: next }, now);
  return next;
}
