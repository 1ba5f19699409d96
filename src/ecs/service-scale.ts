/**
 * A service's desiredCount set from outside its API (Application Auto Scaling): the same
 * in-place change UpdateService makes for a desiredCount alone — the service and its PRIMARY
 * deployment (or, for task sets, the computed counts that follow it) — staged in the caller's
 * transaction for the service controller to reconcile.
 */
import type { Tx } from '../state/index.ts';
import type { EcsDeps } from './deps.ts';
import { putService } from './service-deployment.ts';
import { usesTaskSets, type ServiceRecord } from './service-records.ts';

/** Stages `desiredCount` on an ACTIVE REPLICA service; returns the service as written (itself when unchanged). */
export async function stageDesiredCount(tx: Tx, deps: Pick<EcsDeps, 'clock' | 'changes'>, service: ServiceRecord, desiredCount: number): Promise<ServiceRecord> {
  if (service.desiredCount === desiredCount || service.schedulingStrategy === 'DAEMON') return service;
  const now = deps.clock.now();
  const next: ServiceRecord = {
    ...service,
    desiredCount,
    deployments: usesTaskSets(service) ? service.deployments : service.deployments.map((d) => (d.status === 'PRIMARY' ? { ...d, desiredCount, updatedAt: now } : d)),
    steadySince: undefined,
    version: service.version + 1,
  };
  putService(tx, next);
  await deps.changes?.serviceChanged?.(tx, { before: service, after: next }, now);
  return next;
}
