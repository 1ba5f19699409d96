/**
 * Pure: the service events ECS sends to EventBridge's default bus, read from a service's change
 * (its record before and after one write, and what the scheduler noted while making it):
 *
 * - "ECS Service Action" (`eventType` INFO / WARN / ERROR, `eventName`, `clusterArn`, `createdAt`):
 *   SERVICE_STEADY_STATE when the service settles, SERVICE_DESIRED_COUNT_UPDATED when the
 *   scheduler (not a user) changed the desired count, and the scheduler's notes —
 *   SERVICE_TASK_PLACEMENT_FAILURE with its `reason`, SERVICE_TASK_START_IMPAIRED;
 * - "ECS Deployment State Change" (`eventType`, `eventName`, `deploymentId`, `updatedAt`,
 *   `reason`): SERVICE_DEPLOYMENT_IN_PROGRESS for each new deployment (a rollback too),
 *   SERVICE_DEPLOYMENT_COMPLETED and SERVICE_DEPLOYMENT_FAILED as its rollout state moves.
 *
 * The service's ARN is each event's one resource.
 */
import type { DeploymentRecord, ServiceRecord } from './service-records.ts';
import type { EcsEvent } from './task-events.ts';

/** What the scheduler met while acting for a service that its record does not show. */
export type ServiceActionNote =
  | { eventName: 'SERVICE_TASK_PLACEMENT_FAILURE'; reason: string }
  | { eventName: 'SERVICE_TASK_START_IMPAIRED' };

/** One write of a service: the record read (none when created), the record written, and why. */
export interface ServiceChange {
  before?: ServiceRecord;
  after: ServiceRecord;
  /** Deployments no longer live, written to the history with this change. */
  retired?: DeploymentRecord[];
  /** Notes of the scheduler (the service controller) in this change. */
  notes?: ServiceActionNote[];
  /** The service scheduler made the change (a user's UpdateService is not reported as SERVICE_DESIRED_COUNT_UPDATED). */
  byScheduler?: boolean;
}

/** ECS's event type for each service action it reports. */
const ACTION_TYPES: Record<string, 'INFO' | 'WARN' | 'ERROR'> = {
  SERVICE_STEADY_STATE: 'INFO',
  SERVICE_DESIRED_COUNT_UPDATED: 'INFO',
  SERVICE_TASK_START_IMPAIRED: 'WARN',
  SERVICE_TASK_PLACEMENT_FAILURE: 'ERROR',
};

/** The events ECS sends for `change`, in the order it sends them. */
export function serviceChangeEvents(change: ServiceChange, now: number): EcsEvent[] {
  const { before, after } = change;
  const createdAt = new Date(now).toISOString();
  const action = (eventName: string, extra: Record<string, unknown> = {}): EcsEvent => ({
    source: 'aws.ecs', detailType: 'ECS Service Action', resources: [after.arn],
    detail: { eventType: ACTION_TYPES[eventName], eventName, clusterArn: after.clusterArn, createdAt, ...extra },
  });
  const deployment = (d: DeploymentRecord, eventName: string, eventType: 'INFO' | 'ERROR'): EcsEvent => ({
    source: 'aws.ecs', detailType: 'ECS Deployment State Change', resources: [after.arn],
    detail: { eventType, eventName, deploymentId: d.id, updatedAt: new Date(d.updatedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'), reason: d.rolloutStateReason },
  });
  const out: EcsEvent[] = [];
  for (const note of change.notes ?? []) out.push(action(note.eventName, 'reason' in note ? { reason: note.reason } : {}));
  const seen = new Set<string>();
  for (const d of [...(change.retired ?? []), ...after.deployments]) {
    if (seen.has(d.id)) continue;
    seen.add(d.id);
    const was = before?.deployments.find((x) => x.id === d.id);
    if (!was && d.rolloutState === 'IN_PROGRESS') out.push(deployment(d, 'SERVICE_DEPLOYMENT_IN_PROGRESS', 'INFO'));
    if (was?.rolloutState === d.rolloutState) continue;
    if (d.rolloutState === 'COMPLETED') out.push(deployment(d, 'SERVICE_DEPLOYMENT_COMPLETED', 'INFO'));
    else if (d.rolloutState === 'FAILED') out.push(deployment(d, 'SERVICE_DEPLOYMENT_FAILED', 'ERROR'));
  }
  // IN_PROGRESS of a new deployment first: a rollback's start follows the failure it answers.
  out.sort((a, b) => order(a) - order(b));
  if (change.byScheduler && before && before.desiredCount !== after.desiredCount) out.push(action('SERVICE_DESIRED_COUNT_UPDATED'));
  if (after.steadySince !== undefined && before?.steadySince === undefined) out.push(action('SERVICE_STEADY_STATE'));
  return out;
}

/** Failures and completions of older deployments come before the start of a new one. */
function order(e: EcsEvent): number {
  return e.detail.eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS' ? 1 : 0;
}
