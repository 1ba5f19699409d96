/**
 * Task sets: the writes that create, scale, promote and delete the task sets of an EXTERNAL or
 * CODE_DEPLOY service. The ECS API adapter (CreateTaskSet, UpdateTaskSet,
 * UpdateServicePrimaryTaskSet, DeleteTaskSet, and CreateService of a CODE_DEPLOY service) and
 * whatever drives a CODE_DEPLOY deployment both call these, inside their own transaction: each
 * takes the service as read through that transaction, stages the service record with its
 * changed task sets, and returns both, so several can be chained in one commit. The service
 * controller then keeps each task set at its computedDesiredCount (src/controllers/service).
 */
import { isFargateProvider, type StrategyItem } from './capacity-providers.ts';
import type { CapacityProviderStrategyItem, LoadBalancer, NetworkConfiguration, ServiceRegistry, Tag } from '@aws-sdk/client-ecs';
import type { Ids } from '../common/index.ts';
import type { Tx } from '../state/index.ts';
import type { EcsDeps } from './deps.ts';
import { EcsErrors } from './errors.ts';
import { checkFargateLaunch } from './fargate.ts';
import { checkServiceLoadBalancers } from './load-balancers.ts';
import { putService, scopeOfService } from './service-deployment.ts';
import { serviceArns, usesTaskSets, type ServiceRecord, type TaskSetRecord } from './service-records.ts';
import { honouredBy, launchableTaskDefinition } from './task-launch.ts';
import { resolveTaskNetwork } from './task-network.ts';

/** ECS keeps at most this many task sets (deployments) on a service. */
export const MAX_TASK_SETS = 5;

/** ECS's words for what task sets refuse. */
export const taskSetMessages = {
  notExternal: 'Amazon ECS only supports task set management on services configured to use external deployment controllers.',
  tooMany: (n: number) => `${n} deployments exist on the service. Unable to create new TaskSet since this exceeds the maximum limit.`,
  scaledAboveZero: 'The task set cannot be deleted while it is scaled above 0; scale it to 0 first or delete it with force.',
  draining: (id: string) => `The task set ${id} is being deleted.`,
};

/** What a new task set runs, and how much of the service it takes. */
export interface TaskSetSpec {
  /** A task definition family, family:revision or ARN. */
  taskDefinition: string;
  loadBalancers?: LoadBalancer[];
  serviceRegistries?: ServiceRegistry[];
  networkConfiguration?: NetworkConfiguration;
  /** EC2 when neither this nor a capacity provider names Fargate. */
  launchType?: 'EC2' | 'FARGATE';
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  /** The Fargate capacity provider its tasks are launched with (read from capacityProviderStrategy). */
  capacityProviderName?: string;
  platformVersion?: string;
  /** Percent of the service's desiredCount (default 100). */
  scale?: number;
  externalId?: string;
  startedBy?: string;
  tags?: Tag[];
  /** Makes the request idempotent: a task set of the service made with this token is returned instead of a new one. */
  clientToken?: string;
}

/** A staged write's outcome: the service as staged and the task set it concerns. */
export interface TaskSetWrite {
  service: ServiceRecord;
  taskSet: TaskSetRecord;
}

/** 19 decimal digits from the id source, as ECS's task set ids have. */
function digits19(ids: Ids): string {
  return (BigInt(`0x${ids.hex32().slice(0, 16)}`) % 10n ** 19n).toString().padStart(19, '1');
}

/**
 * The task set a `taskSet` member names among the service's: its id (`ecs-svc/…`) or its ARN.
 * TaskSetNotFoundException when none (a deleted one that has drained is gone).
 */
export function findTaskSet(service: ServiceRecord, ref: string): TaskSetRecord {
  const found = (service.taskSets ?? []).find((t) => t.id === ref || t.arn === ref);
  if (!found) throw EcsErrors.taskSetNotFound();
  return found;
}

/** The service must be ACTIVE and run task sets; EXTERNAL only when `externalOnly` (the API's task set actions). */
function checkService(service: ServiceRecord, externalOnly: boolean): void {
  if (service.status !== 'ACTIVE') throw EcsErrors.serviceNotActive();
  if (externalOnly ? service.deploymentController.type !== 'EXTERNAL' : !usesTaskSets(service)) throw EcsErrors.invalidParameter(taskSetMessages.notExternal);
}

/** Stages `service` with `taskSets`, its steady state cleared, and tells the change hooks. */
async function stage(
  tx: Tx, deps: Pick<EcsDeps, 'changes'>, before: ServiceRecord, taskSets: TaskSetRecord[], now: number, settings: Partial<ServiceRecord> = {}, creating = false,
): Promise<ServiceRecord> {
  const after: ServiceRecord = { ...before, ...settings, taskSets, steadySince: undefined, version: before.version + 1 };
  putService(tx, after);
  await deps.changes?.serviceChanged?.(tx, creating ? { after } : { before, after }, now);
  return after;
}

/** Options of the staging functions: `externalOnly` refuses services whose controller is not EXTERNAL (the API's rule). */
export interface TaskSetOptions {
  externalOnly?: boolean;
  /** Make the new task set PRIMARY (a CODE_DEPLOY service's first one). */
  primary?: boolean;
  /** The service is being created in this transaction (not stored before): the change hooks hear of a new service. */
  creating?: boolean;
}

/**
 * Creates a task set of `spec` in `service` (ACTIVE, EXTERNAL or CODE_DEPLOY) and stages it:
 * the task definition must be launchable with the launch type, the network and load balancers
 * are checked as CreateService checks them. It starts ACTIVE (PRIMARY when `options.primary`)
 * and STABILIZING.
 */
export async function stageCreateTaskSet(
  tx: Tx, deps: EcsDeps, service: ServiceRecord, spec: TaskSetSpec, options: TaskSetOptions = {},
): Promise<TaskSetWrite> {
  checkService(service, options.externalOnly ?? false);
  const existing = service.taskSets ?? [];
  const retried = spec.clientToken !== undefined ? existing.find((t) => t.clientToken === spec.clientToken) : undefined;
  if (retried) return { service, taskSet: retried };
  if (existing.length >= MAX_TASK_SETS) throw EcsErrors.invalidParameter(taskSetMessages.tooMany(existing.length));
  const scope = scopeOfService(service);
  const launchType: 'EC2' | 'FARGATE' = spec.launchType ?? (spec.capacityProviderName && isFargateProvider(spec.capacityProviderName) ? 'FARGATE' : 'EC2');
  const td = await launchableTaskDefinition(tx, scope, spec.taskDefinition, launchType, honouredBy(deps));
  if (launchType === 'FARGATE') checkFargateLaunch(td, td.cpu, td.memory, { constraints: service.placementConstraints.length, strategies: service.placementStrategy.length });
  const now = deps.clock.now();
  await resolveTaskNetwork(tx, scope, td, spec.networkConfiguration, now);
  const loadBalancers = spec.loadBalancers ?? [];
  if (deps.targets) await checkServiceLoadBalancers(tx, deps.targets, scope, loadBalancers, td);
  const { service: after0, taskSet } = withNewTaskSet(service, { ...spec, taskDefinition: td.taskDefinitionArn, loadBalancers, launchType }, deps.ids, now, options.primary ?? false);
  const after = await stage(tx, deps, service, after0.taskSets!, now, options.primary ? primarySettings(taskSet) : {}, options.creating);
  return { service: after, taskSet };
}

/**
 * Pure: the service with a new task set of `spec` (its task definition an ARN already checked),
 * ACTIVE or PRIMARY, STABILIZING. What `stageCreateTaskSet` stages; test harnesses build with it.
 */
export function withNewTaskSet(service: ServiceRecord, spec: TaskSetSpec, ids: Ids, now: number, primary: boolean): TaskSetWrite {
  const scope = scopeOfService(service);
  const existing = service.taskSets ?? [];
  const id = `ecs-svc/${digits19(ids)}`;
  const taskSet: TaskSetRecord = {
    id,
    arn: serviceArns.taskSet(scope, service.clusterName, service.name, id),
    serviceArn: service.arn,
    clusterArn: service.clusterArn,
    status: primary ? 'PRIMARY' : 'ACTIVE',
    taskDefinition: spec.taskDefinition,
    scale: { value: spec.scale ?? 100, unit: 'PERCENT' },
    ...(spec.externalId !== undefined && { externalId: spec.externalId }),
    ...(spec.startedBy !== undefined && { startedBy: spec.startedBy }),
    ...(spec.clientToken !== undefined && { clientToken: spec.clientToken }),
    launchType: spec.launchType ?? 'EC2',
    ...(spec.capacityProviderStrategy && { capacityProviderStrategy: spec.capacityProviderStrategy }),
    ...(spec.capacityProviderName && { capacityProviderName: spec.capacityProviderName }),
    ...(spec.platformVersion && { platformVersion: spec.platformVersion }),
    ...(spec.networkConfiguration && { networkConfiguration: spec.networkConfiguration }),
    loadBalancers: spec.loadBalancers ?? [],
    serviceRegistries: spec.serviceRegistries ?? [],
    tags: spec.tags ?? [],
    stabilityStatus: 'STABILIZING',
    stabilityStatusAt: now,
    createdAt: now,
    updatedAt: now,
  };
  const taskSets = primary ? [taskSet, ...existing.map((t) => demoted(t, now))] : [...existing, taskSet];
  return { service: { ...service, ...(primary ? primarySettings(taskSet) : {}), taskSets }, taskSet };
}

/** A PRIMARY task set made ACTIVE (another became PRIMARY). */
const demoted = (t: TaskSetRecord, now: number): TaskSetRecord => (t.status === 'PRIMARY' ? { ...t, status: 'ACTIVE', updatedAt: now } : t);

/** What the service shows of its PRIMARY task set (DescribeServices returns the primary's fields). */
function primarySettings(t: TaskSetRecord): Partial<ServiceRecord> {
  return {
    taskDefinition: t.taskDefinition,
    launchType: t.launchType ?? 'EC2',
    platformVersion: t.platformVersion,
    capacityProviderName: t.capacityProviderName,
    loadBalancers: t.loadBalancers,
    serviceRegistries: t.serviceRegistries,
    networkConfiguration: t.networkConfiguration,
  };
}

/** Stages a new scale (percent of the service's desiredCount) for a task set that is not being deleted. */
export async function stageTaskSetScale(
  tx: Tx, deps: EcsDeps, service: ServiceRecord, taskSetRef: string, scale: number, options: TaskSetOptions = {},
): Promise<TaskSetWrite> {
  checkService(service, options.externalOnly ?? false);
  const current = findTaskSet(service, taskSetRef);
  if (current.status === 'DRAINING') throw EcsErrors.invalidParameter(taskSetMessages.draining(current.id));
  if (current.scale.value === scale) return { service, taskSet: current };
  const now = deps.clock.now();
  const next = withTaskSetScale(service, current.id, scale, now);
  return { service: await stage(tx, deps, service, next.service.taskSets!, now), taskSet: next.taskSet };
}

/** Pure: the service with the task set `id` at `scale` percent. */
export function withTaskSetScale(service: ServiceRecord, id: string, scale: number, now: number): TaskSetWrite {
  const taskSet: TaskSetRecord = { ...findTaskSet(service, id), scale: { value: scale, unit: 'PERCENT' }, updatedAt: now };
  return { service: { ...service, taskSets: (service.taskSets ?? []).map((t) => (t.id === id ? taskSet : t)) }, taskSet };
}

/**
 * Makes a task set PRIMARY (the previous PRIMARY becomes ACTIVE); the service then shows the
 * new primary's task definition, launch type, load balancers and network configuration.
 */
export async function stagePrimaryTaskSet(
  tx: Tx, deps: EcsDeps, service: ServiceRecord, taskSetRef: string, options: TaskSetOptions = {},
): Promise<TaskSetWrite> {
  checkService(service, options.externalOnly ?? false);
  const current = findTaskSet(service, taskSetRef);
  if (current.status === 'DRAINING') throw EcsErrors.invalidParameter(taskSetMessages.draining(current.id));
  if (current.status === 'PRIMARY') return { service, taskSet: current };
  const now = deps.clock.now();
  const next = withPrimaryTaskSet(service, current.id, now);
  return { service: await stage(tx, deps, service, next.service.taskSets!, now, primarySettings(next.taskSet)), taskSet: next.taskSet };
}

/** Pure: the service with the task set `id` PRIMARY (first), the previous PRIMARY ACTIVE, showing the new primary's settings. */
export function withPrimaryTaskSet(service: ServiceRecord, id: string, now: number): TaskSetWrite {
  const taskSet: TaskSetRecord = { ...findTaskSet(service, id), status: 'PRIMARY', updatedAt: now };
  const rest = (service.taskSets ?? []).filter((t) => t.id !== id).map((t) => demoted(t, now));
  return { service: { ...service, ...primarySettings(taskSet), taskSets: [taskSet, ...rest] }, taskSet };
}

/**
 * Deletes a task set: it turns DRAINING, its tasks are stopped (and deregistered) by the
 * service controller, and it is gone once they are. Without `force`, one still scaled above 0
 * is refused.
 */
export async function stageDeleteTaskSet(
  tx: Tx, deps: EcsDeps, service: ServiceRecord, taskSetRef: string, force: boolean, options: TaskSetOptions = {},
): Promise<TaskSetWrite> {
  checkService(service, options.externalOnly ?? false);
  const current = findTaskSet(service, taskSetRef);
  if (current.status === 'DRAINING') return { service, taskSet: current };
  if (!force && current.scale.value > 0) throw EcsErrors.invalidParameter(taskSetMessages.scaledAboveZero);
  const now = deps.clock.now();
  const next = withTaskSetDeleted(service, current.id, now);
  return { service: await stage(tx, deps, service, next.service.taskSets!, now), taskSet: next.taskSet };
}

/** Pure: the service with the task set `id` DRAINING (its tasks to be stopped; it goes once they have). */
export function withTaskSetDeleted(service: ServiceRecord, id: string, now: number): TaskSetWrite {
  const taskSet: TaskSetRecord = { ...findTaskSet(service, id), status: 'DRAINING', stabilityStatus: 'STABILIZING', stabilityStatusAt: now, updatedAt: now };
  return { service: { ...service, taskSets: (service.taskSets ?? []).map((t) => (t.id === id ? taskSet : t)) }, taskSet };
}

/** What the tasks of one deployment or task set of a service are launched with and registered in. */
export interface LaunchSpec {
  taskDefinition: string;
  placementConstraints: ServiceRecord['placementConstraints'];
  placementStrategy: ServiceRecord['placementStrategy'];
  loadBalancers: LoadBalancer[];
  serviceRegistries: ServiceRegistry[];
  networkConfiguration?: NetworkConfiguration;
  launchType: 'EC2' | 'FARGATE';
  platformVersion?: string;
  capacityProviderName?: string;
  /** A deployment's strategy (the service's): each new task's provider is chosen by it. */
  capacityProviderStrategy?: StrategyItem[];
}

/**
 * The launch spec of the deployment or task set whose id is `startedBy` (a task's), or undefined
 * when the service has none by that id. Task sets carry their own launch type, network, load
 * balancers and registries; deployments take the service's (their own load balancers aside).
 */
export function launchSpecOf(service: ServiceRecord, startedBy: string | undefined): LaunchSpec | undefined {
  const placement = { placementConstraints: service.placementConstraints, placementStrategy: service.placementStrategy };
  const ts = service.taskSets?.find((t) => t.id === startedBy);
  if (ts) {
    return {
      ...placement,
      taskDefinition: ts.taskDefinition,
      loadBalancers: ts.loadBalancers,
      serviceRegistries: ts.serviceRegistries,
      networkConfiguration: ts.networkConfiguration,
      launchType: ts.launchType ?? 'EC2',
      platformVersion: ts.platformVersion,
      capacityProviderName: ts.capacityProviderName,
    };
  }
  const d = service.deployments.find((x) => x.id === startedBy);
  if (!d) return undefined;
  return {
    taskDefinition: d.taskDefinition,
    placementConstraints: d.placementConstraints,
    placementStrategy: d.placementStrategy,
    loadBalancers: d.loadBalancers ?? service.loadBalancers,
    serviceRegistries: service.serviceRegistries,
    networkConfiguration: service.networkConfiguration,
    launchType: service.launchType,
    platformVersion: service.platformVersion,
    capacityProviderName: service.capacityProviderName,
    ...(service.capacityProviderStrategy && { capacityProviderStrategy: service.capacityProviderStrategy }),
  };
}
