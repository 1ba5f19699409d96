/**
 * The ECS service operations: CreateService, UpdateService, DeleteService, DescribeServices,
 * ListServices. They record intent only: the service controller (src/controllers) launches
 * and stops the tasks, moves deployments along, writes events, and turns a DRAINING service
 * INACTIVE once its tasks are gone. Task counts are read from the tasks when a service is shown.
 */
import { sameJson } from '../../common/index.ts';
import type {
  CreateServiceRequest, CreateServiceResponse, DeleteServiceResponse, DescribeServicesResponse, ListServicesResponse, Service,
  UpdateServiceRequest, UpdateServiceResponse,
} from '@aws-sdk/client-ecs';
import { describeByReferences, paginate, type ConditionValues, type RequestContext } from '../../aws/index.ts';
import { getDoc, listDocs, transact, type Store, type Tx } from '../../state/index.ts';
import {
  EcsErrors, activeCluster, checkAssociated, checkServiceLoadBalancers, checkFargateLaunch, clusterNameOf, honouredBy, keys, launchableTaskDefinition, parseArn, putService, resolveTaskDefinition, resolveTaskNetwork, serviceArns, serviceKeys, specOf,
  stageCreateTaskSet, startDeployment, usesTaskSets, withClusterStrategy, withInPlaceSettings, withSettings, type InPlaceSettings, type EcsDeps, type Scope, type ServiceRecord, type TaskDefinitionRecord, type TaskRecord,
} from '../../ecs/index.ts';
import {
  capacityProviders, clusterCondition, flag, inClusterArn, passRole, tagConditions, taskDefinitionArnOf,
} from './authorization.ts';
import { checkInt, checkStrings, need, present, scopeOf, type EcsOperationTable } from './common.ts';
import {
  checkPlacementLimit, checkUpdateForController, checkUpdateForStrategy, createRequestDigest, mergeDeploymentConfiguration, readCreateService,
  readUpdateService, SERVICE_NAME, type NewService, type ServiceUpdate,
} from './service-validate.ts';
import { toApiService } from './service-view.ts';

const NOT_IDEMPOTENT = 'Creation of service was not idempotent.';
const STILL_DRAINING = 'Unable to Start a service that is still Draining.';
const SCALED_ABOVE_ZERO = 'The service cannot be stopped while it is scaled above 0.';

/** DescribeServices takes at most this many services. */
const MAX_DESCRIBE = 10;
/** ListServices returns this many when maxResults is not given. */
const DEFAULT_LIST_RESULTS = 10;

/**
 * What CreateService remembers of the request that created a service, so that a retry with
 * the same clientToken and the same members returns the service rather than failing.
 */
interface ServiceCreation {
  serviceArn: string;
  createdAt: number;
  clientToken?: string;
  digest: string;
}

/** Where a service's ServiceCreation lives, beside (not inside) the service record. */
export const serviceCreationKey = (s: Scope, cluster: string, name: string): string =>
  `ecs/service-creations/${s.account}/${s.region}/${cluster}/${name}`;

/**
 * The cluster and service name an UpdateService or DeleteService request names: `service` is a
 * name or a service ARN (long form, with its cluster, or the old short form); `cluster` defaults
 * to the ARN's cluster, else `default`. Undefined when it can name no service of this scope.
 */
export function serviceTarget(scope: Scope, serviceRef: string, clusterRef: string | undefined): { cluster: string; name: string } | undefined {
  if (!serviceRef.startsWith('arn:')) return SERVICE_NAME.test(serviceRef) ? { cluster: clusterNameOf(clusterRef, scope), name: serviceRef } : undefined;
  const arn = parseArn(serviceRef);
  if (!arn || arn.resourceType !== 'service' || arn.resource.length > 2) throw EcsErrors.invalidParameter(`Invalid service ARN: ${serviceRef}.`);
  if (arn.account !== scope.account || arn.region !== scope.region) return undefined;
  const name = arn.resource[arn.resource.length - 1];
  const arnCluster = arn.resource.length === 2 ? arn.resource[0] : undefined;
  const cluster = clusterRef === undefined || clusterRef === '' ? (arnCluster ?? 'default') : clusterNameOf(clusterRef, scope);
  if (arnCluster !== undefined && arnCluster !== cluster) throw EcsErrors.invalidParameter(`service ${serviceRef} is not in cluster ${cluster}.`);
  return SERVICE_NAME.test(name) ? { cluster, name } : undefined;
}

/** The service an UpdateService or DeleteService names, read through `tx`: it must exist and be ACTIVE. */
export async function activeService(tx: Tx, scope: Scope, serviceRef: string, clusterRef: string | undefined): Promise<ServiceRecord> {
  const target = serviceTarget(scope, serviceRef, clusterRef);
  const cluster = await activeCluster(tx, scope, target?.cluster ?? clusterRef);
  const service = target && (await tx.get<ServiceRecord>(serviceKeys.service(scope, cluster.name, target.name)));
  if (!service) throw EcsErrors.serviceNotFound();
  if (service.status !== 'ACTIVE') throw EcsErrors.serviceNotActive();
  return service;
}

/** The tasks of a cluster, read outside any transaction, for counting. */
async function clusterTasks(store: Store, scope: Scope, clusterName: string): Promise<TaskRecord[]> {
  return (await listDocs<TaskRecord>(store, keys.tasks(scope, clusterName))).map((d) => d.value);
}

/** The task definition a service runs now, whatever its status (a service may keep running an INACTIVE one). */
async function currentTaskDefinition(tx: Tx, scope: Scope, service: ServiceRecord): Promise<TaskDefinitionRecord> {
  return resolveTaskDefinition(tx, scope, service.taskDefinition);
}

/**
 * A service after UpdateService, or the service itself when the request changes nothing. A new
 * deployment starts when the task definition, load balancers, service registries or network
 * configuration change, or when forceNewDeployment asks; every other member (desiredCount,
 * deploymentConfiguration, placement, ...) is applied to the service and its PRIMARY deployment
 * in place, as ECS documents that they "don't trigger a new service deployment".
 */
function updatedService(
  tx: Tx, deps: EcsDeps, service: ServiceRecord, req: ServiceUpdate, td: TaskDefinitionRecord,
): ServiceRecord {
  const now = deps.clock.now();
  const change = inPlaceChange(service, req);
  const settings: ServiceRecord = {
    ...withSettings(service, change),
    loadBalancers: req.loadBalancers ?? service.loadBalancers,
    serviceRegistries: req.serviceRegistries ?? service.serviceRegistries,
    networkConfiguration: req.networkConfiguration ?? service.networkConfiguration,
    ...(req.capacityProviderStrategy && { capacityProviderStrategy: req.capacityProviderStrategy, capacityProviderName: req.capacityProviderStrategy[0].capacityProvider }),
  };
  checkPlacementLimit(settings.placementConstraints, td);
  const redeploy = req.forceNewDeployment ||
    td.taskDefinitionArn !== service.taskDefinition ||
    !sameJson(settings.loadBalancers, service.loadBalancers) ||
    !sameJson(settings.serviceRegistries, service.serviceRegistries) ||
    !sameJson(settings.capacityProviderStrategy, service.capacityProviderStrategy) ||
    !sameJson(settings.networkConfiguration, service.networkConfiguration);
  if (!redeploy) return withInPlaceSettings(service, change, now);
  const next = startDeployment(tx, settings, { ...specOf(settings), taskDefinition: td.taskDefinitionArn }, td, deps.ids, now);
  return { ...next, steadySince: undefined, version: service.version + 1 };
}

/** The settings of an UpdateService that apply in place (the deployment configuration merged into the service's). */
function inPlaceChange(service: ServiceRecord, req: ServiceUpdate): InPlaceSettings {
  return {
    desiredCount: req.desiredCount,
    deploymentConfiguration: mergeDeploymentConfiguration(service.deploymentConfiguration, req.deploymentConfiguration, service.schedulingStrategy),
    placementConstraints: req.placementConstraints,
    placementStrategy: req.placementStrategy,
    healthCheckGracePeriodSeconds: req.healthCheckGracePeriodSeconds,
    propagateTags: req.propagateTags,
    enableECSManagedTags: req.enableECSManagedTags,
    enableExecuteCommand: req.enableExecuteCommand,
  };
}

/**
 * Stages a new service: an ECS service with its first deployment; an EXTERNAL one with no task
 * set (they are created with CreateTaskSet); a CODE_DEPLOY one with its first task set, of the
 * service's own task definition, load balancers, network and launch type, at 100 % and PRIMARY.
 */
async function createdService(
  tx: Tx, deps: EcsDeps, base: ServiceRecord, req: NewService, td: TaskDefinitionRecord | undefined, now: number,
): Promise<ServiceRecord> {
  if (req.deploymentController === 'CODE_DEPLOY') {
    const first = await stageCreateTaskSet(tx, deps, { ...base, taskSets: [] }, {
      taskDefinition: td!.taskDefinitionArn,
      loadBalancers: req.loadBalancers,
      serviceRegistries: req.serviceRegistries,
      networkConfiguration: req.networkConfiguration,
      launchType: req.launch.launchType ?? 'EC2',
      capacityProviderName: req.launch.capacityProviderName,
      platformVersion: req.launch.platformVersion,
      scale: 100,
    }, { primary: true, creating: true });
    return first.service;
  }
  const service = req.deploymentController === 'EXTERNAL' ? { ...base, taskSets: [] } : startDeployment(tx, base, specOf(base), td!, deps.ids, now);
  putService(tx, service);
  await deps.changes?.serviceChanged?.(tx, { after: service }, now);
  return service;
}

/**
 * UpdateService of an EXTERNAL or CODE_DEPLOY service (what it may change was checked): the
 * settings change in place, no deployment starts, and every task set's computedDesiredCount
 * follows the new desiredCount.
 */
async function updatedTaskSetService(tx: Tx, deps: EcsDeps, current: ServiceRecord, req: ServiceUpdate): Promise<ServiceRecord> {
  const now = deps.clock.now();
  const after = withInPlaceSettings(current, inPlaceChange(current, req), now);
  if (after === current) return current;
  putService(tx, after);
  await deps.changes?.serviceChanged?.(tx, { before: current, after }, now);
  return after;
}

/** The service a request names by name or ARN, in the cluster it names, as IAM sees it. */
const serviceNamed = (i: { cluster?: string; service?: string }, ctx: RequestContext) => [i.service ? inClusterArn(ctx, 'service', i.cluster, i.service) : '*'];
const inCluster = (i: { cluster?: string; service?: string }, ctx: RequestContext) => clusterCondition(ctx, i.cluster, i.service);

/** The service operations, bound to their dependencies. */
export function serviceOperations(deps: EcsDeps): EcsOperationTable {
  /** The condition keys CreateService and UpdateService share. */
  const serviceConditions = async (i: Partial<CreateServiceRequest & UpdateServiceRequest>, ctx: RequestContext): Promise<ConditionValues> => ({
    ...tagConditions(i.tags),
    ...clusterCondition(ctx, i.cluster, i.service),
    'ecs:task-definition': i.taskDefinition ? await taskDefinitionArnOf(deps.store, ctx, i.taskDefinition) : undefined,
    'ecs:capacity-provider': capacityProviders(i.capacityProviderStrategy),
    'ecs:enable-execute-command': flag(i.enableExecuteCommand),
    'ecs:enable-ecs-managed-tags': flag(i.enableECSManagedTags),
    'ecs:propagate-tags': i.propagateTags,
  });

  /** The API shape of a service just written, its counts read from the store. */
  const shown = async (scope: Scope, service: ServiceRecord, withTags: boolean): Promise<Service> =>
    toApiService(service, await clusterTasks(deps.store, scope, service.clusterName), withTags);

  return {
    CreateService: {
      authorization: {
        resources: (i, ctx) => [i.serviceName ? inClusterArn(ctx, 'service', i.cluster, i.serviceName) : '*'],
        conditions: serviceConditions,
      },
      async handler(input, ctx): Promise<CreateServiceResponse> {
        const scope = scopeOf(ctx);
        const req = readCreateService(input);
        // The role ECS would call load balancers with: the caller must be allowed to pass it.
        await passRole(ctx, input.role, 'ecs.amazonaws.com');
        const result = await transact(deps.store, async (tx) => {
          const cluster = await activeCluster(tx, scope, req.clusterRef);
          // Neither a launch type nor a strategy: the cluster's default capacity provider strategy, when it has one.
          req.launch = withClusterStrategy(req.launch, cluster);
          const key = serviceKeys.service(scope, cluster.name, req.serviceName);
          const creationKey = serviceCreationKey(scope, cluster.name, req.serviceName);
          const digest = createRequestDigest(cluster.name, req);
          const existing = await tx.get<ServiceRecord>(key);
          if (existing?.status === 'DRAINING') throw EcsErrors.invalidParameter(STILL_DRAINING);
          if (existing?.status === 'ACTIVE') {
            const creation = await tx.get<ServiceCreation>(creationKey);
            const retry = req.clientToken !== undefined && creation?.clientToken === req.clientToken &&
              creation.digest === digest && creation.createdAt === existing.createdAt;
            if (!retry) throw EcsErrors.invalidParameter(NOT_IDEMPOTENT);
            return { service: existing, created: false };
          }
          const now = deps.clock.now();
          const td = req.taskDefinitionRef === undefined ? undefined : await launchableTaskDefinition(tx, scope, req.taskDefinitionRef, req.launch.launchType, honouredBy(deps));
          if (td) {
            checkPlacementLimit(req.placementConstraints, td);
            if (req.launch.launchType === 'FARGATE') checkFargateLaunch(td, td.cpu, td.memory, { constraints: 0, strategies: 0 });
            if (req.launch.capacityProviderStrategy) checkAssociated(req.launch.capacityProviderStrategy, cluster.capacityProviders, cluster.name);
            // The network is checked now, as ECS does, not first when a task would launch.
            await resolveTaskNetwork(tx, scope, td, req.networkConfiguration, now);
            if (deps.targets) await checkServiceLoadBalancers(tx, deps.targets, scope, req.loadBalancers, td);
          }
          const base: ServiceRecord = {
            name: req.serviceName,
            arn: serviceArns.service(scope, cluster.name, req.serviceName),
            clusterName: cluster.name,
            clusterArn: cluster.arn,
            status: 'ACTIVE',
            schedulingStrategy: req.schedulingStrategy,
            launchType: req.launch.launchType ?? 'EC2',
            ...(req.launch.platformVersion && { platformVersion: req.launch.platformVersion }),
            ...(req.launch.capacityProviderName && { capacityProviderName: req.launch.capacityProviderName }),
            ...(req.launch.capacityProviderStrategy && { capacityProviderStrategy: req.launch.capacityProviderStrategy }),
            desiredCount: req.desiredCount,
            taskDefinition: td?.taskDefinitionArn ?? '',
            placementConstraints: req.placementConstraints,
            placementStrategy: req.placementStrategy,
            deploymentConfiguration: req.deploymentConfiguration,
            deploymentController: { type: req.deploymentController },
            healthCheckGracePeriodSeconds: req.healthCheckGracePeriodSeconds,
            loadBalancers: req.loadBalancers,
            serviceRegistries: req.serviceRegistries,
            networkConfiguration: req.networkConfiguration,
            propagateTags: req.propagateTags,
            enableECSManagedTags: req.enableECSManagedTags,
            enableExecuteCommand: req.enableExecuteCommand,
            tags: req.tags,
            createdAt: now,
            createdBy: ctx.principal.arn,
            deployments: [],
            events: [],
            version: 1,
          };
          const service = await createdService(tx, deps, base, req, td, now);
          tx.put<ServiceCreation>(creationKey, { serviceArn: service.arn, createdAt: now, clientToken: req.clientToken, digest });
          return { service, created: true };
        });
        // A new service has no tasks yet (its deployment ids are new); a retry shows the live counts.
        const service = result.created ? toApiService(result.service, [], true) : await shown(scope, result.service, true);
        return { service };
      },
    },

    UpdateService: {
      authorization: { resources: serviceNamed, conditions: serviceConditions },
      async handler(input, ctx): Promise<UpdateServiceResponse> {
        const scope = scopeOf(ctx);
        const req = readUpdateService(input);
        const service = await transact(deps.store, async (tx) => {
          const current = await activeService(tx, scope, req.serviceRef, req.clusterRef);
          checkUpdateForStrategy(req, current.schedulingStrategy);
          checkUpdateForController(req, current.deploymentController.type);
          if (req.capacityProviderStrategy && current.launchType !== 'FARGATE') {
            throw EcsErrors.invalidParameter("capacityProviderStrategy: only a Fargate service's capacity provider strategy can be changed by this Wharf version (Wharf has no EC2 capacity providers yet).");
          }
          if (req.capacityProviderStrategy) {
            const cluster = await activeCluster(tx, scope, current.clusterName);
            checkAssociated(req.capacityProviderStrategy, cluster.capacityProviders, cluster.name);
          }
          if (usesTaskSets(current)) return updatedTaskSetService(tx, deps, current, req);
          const td = req.taskDefinitionRef !== undefined
            ? await launchableTaskDefinition(tx, scope, req.taskDefinitionRef, 'EC2', honouredBy(deps))
            : await currentTaskDefinition(tx, scope, current);
          // Load balancers are checked when they change, and against a new task definition.
          if (deps.targets && (req.loadBalancers !== undefined || td.taskDefinitionArn !== current.taskDefinition)) {
            await checkServiceLoadBalancers(tx, deps.targets, scope, req.loadBalancers ?? current.loadBalancers, td);
          }
          const next = updatedService(tx, deps, current, req, td);
          if (next !== current) {
            putService(tx, next);
            await deps.changes?.serviceChanged?.(tx, { before: current, after: next }, deps.clock.now());
          }
          return next;
        });
        return { service: await shown(scope, service, true) };
      },
    },

    DeleteService: {
      authorization: { resources: serviceNamed, conditions: inCluster },
      async handler(input, ctx): Promise<DeleteServiceResponse> {
        const scope = scopeOf(ctx);
        const clusterRef = input.cluster;
        const serviceRef = present(input.service, 'service');
        const force = input.force ?? false;
        const service = await transact(deps.store, async (tx) => {
          const current = await activeService(tx, scope, serviceRef, clusterRef);
          if (current.schedulingStrategy === 'REPLICA' && current.desiredCount > 0 && !force) {
            throw EcsErrors.invalidParameter(SCALED_ABOVE_ZERO);
          }
          const now = deps.clock.now();
          const draining: ServiceRecord = {
            ...current,
            status: 'DRAINING',
            desiredCount: 0,
            deployments: current.deployments.map((d) => (d.desiredCount === 0 ? d : { ...d, desiredCount: 0, updatedAt: now })),
            // Task sets drain with the service: the controller stops their tasks, then lets them go.
            ...(current.taskSets && { taskSets: current.taskSets.map((t) => (t.status === 'DRAINING' ? t : { ...t, status: 'DRAINING' as const, updatedAt: now })) }),
            steadySince: undefined,
            version: current.version + 1,
          };
          putService(tx, draining);
          await deps.changes?.serviceChanged?.(tx, { before: current, after: draining }, now);
          return draining;
        });
        return { service: await shown(scope, service, true) };
      },
    },

    DescribeServices: {
      authorization: {
        resources: (i, ctx) => (i.services ?? []).map((ref) => inClusterArn(ctx, 'service', i.cluster, ref)),
        conditions: inCluster,
      },
      async handler(input, ctx): Promise<DescribeServicesResponse> {
        const scope = scopeOf(ctx);
        const clusterRef = input.cluster;
        const refs = checkStrings(need(input.services, 'services'), 'services', { nonEmpty: true, maxItems: MAX_DESCRIBE, min: 1 })!;
        const withTags = (input.include ?? []).includes('TAGS');
        const cluster = await transact(deps.store, (tx) => activeCluster(tx, scope, clusterRef));
        const { found, failures } = await describeByReferences(refs, async (ref) => {
          const name = describedName(ref, scope, cluster.name);
          const arn = ref.startsWith('arn:') ? ref : serviceArns.service(scope, cluster.name, ref);
          const doc = name === undefined ? undefined : await getDoc<ServiceRecord>(deps.store, serviceKeys.service(scope, cluster.name, name));
          return { arn, value: doc?.value };
        });
        const tasks = found.length ? await clusterTasks(deps.store, scope, cluster.name) : [];
        return { services: found.map((s) => toApiService(s, tasks, withTags)), failures };
      },
    },

    ListServices: {
      authorization: { conditions: inCluster },
      async handler(input, ctx): Promise<ListServicesResponse> {
        const scope = scopeOf(ctx);
        const { cluster: clusterRef, nextToken, launchType, schedulingStrategy, resourceManagementType } = input;
        const maxResults = checkInt(input.maxResults, 'maxResults', { min: 1, max: 100 });
        const cluster = await transact(deps.store, (tx) => activeCluster(tx, scope, clusterRef));
        const services = (await listDocs<ServiceRecord>(deps.store, serviceKeys.services(scope, cluster.name)))
          .map((d) => d.value)
          .filter((s) =>
            (s.status === 'ACTIVE' || s.status === 'DRAINING') &&
            (launchType === undefined || s.launchType === launchType) &&
            (schedulingStrategy === undefined || s.schedulingStrategy === schedulingStrategy) &&
            // Every Wharf service is managed by its user; none is an ECS-managed Express service.
            resourceManagementType !== 'ECS');
        const page = paginate(services, (s) => s.name, nextToken, maxResults, EcsErrors.invalidParameter, DEFAULT_LIST_RESULTS);
        return { serviceArns: page.items.map((s) => s.arn), nextToken: page.nextToken };
      },
    },
  };
}

/**
 * The service name a DescribeServices entry names in `clusterName`: a name, or a service ARN
 * of this scope and cluster (or the short form without one). Undefined otherwise: reported MISSING.
 */
function describedName(ref: string, scope: Scope, clusterName: string): string | undefined {
  if (!ref.startsWith('arn:')) return SERVICE_NAME.test(ref) ? ref : undefined;
  const arn = parseArn(ref);
  if (!arn || arn.resourceType !== 'service' || arn.account !== scope.account || arn.region !== scope.region) return undefined;
  if (arn.resource.length === 2 && arn.resource[0] !== clusterName) return undefined;
  if (arn.resource.length > 2) return undefined;
  const name = arn.resource[arn.resource.length - 1];
  return SERVICE_NAME.test(name) ? name : undefined;
}
