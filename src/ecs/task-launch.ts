/**
 * Launching tasks: resolve the task definition, place with the scheduler and stage the new
 * tasks together with the instances' reserved resources in one transaction, so racing launches
 * never oversubscribe an instance (a lost race re-places from scratch). RunTask and StartTask
 * (the API adapter reads their requests into a `LaunchRequest`) and the service controller
 * (`stageServiceLaunch`) all launch this one way.
 */
import type { Failure, NetworkConfiguration, Tag, TaskOverride } from '@aws-sdk/client-ecs';
import { checkAssociated, distribute, isFargateStrategy, type StrategyItem } from './capacity-providers.ts';
import {
  reserve, validatePlacement, type InstanceSnapshot, type PlacementConstraint, type PlacementStrategy, type PlaceRequest, type PlaceResult, type Resources,
} from '../scheduler/index.ts';
import { transact, type Doc, type Tx } from '../state/index.ts';
import { activeCluster } from './cluster-record.ts';
import type { EcsDeps } from './deps.ts';
import { EcsErrors } from './errors.ts';
import { arns, keys, parseArn, withGroupCount, type ClusterRecord, type ContainerInstanceRecord, type Scope, type TaskDefinitionRecord, type TaskRecord } from './records.ts';
import { resolveTaskDefinition } from './task-definition-refs.ts';
import { refuseUnhonoured, type Honoured } from './task-definition-support.ts';
import { checkEfsVolumes, resolveEfsVolumes, type EfsResolution } from './efs-volumes.ts';
import { checkTaskRoles } from './task-roles.ts';
import { FARGATE_POOL, checkFargateLaunch, fargatePlatformVersion } from './fargate.ts';
import { TASK_INDEX } from './informers.ts';
import { resolveTaskNetwork, stageTaskEni } from './task-network.ts';
import { checkOverrides, taskDemand, taskSpec } from './task-spec.ts';
import type { TaskSpec } from '../common/index.ts';

/** What a launch asks for: the members RunTask and StartTask share, read from the request by the API adapter. */
export interface LaunchRequest {
  clusterRef?: string;
  taskDefinitionRef: string;
  startedBy?: string;
  group?: string;
  tags?: Tag[];
  enableExecuteCommand: boolean;
  /** RunTask's placement (StartTask has none: it names its instances). */
  constraints: { type?: string; expression?: string }[];
  strategy: { type?: string; field?: string }[];
  /** Container and task overrides, as read; checked against the task definition once it is resolved. */
  overrides: TaskOverride;
  /** An awsvpc task's subnets and security groups (required for awsvpc, refused for the other modes). */
  networkConfiguration?: NetworkConfiguration;
  /** FARGATE runs the tasks on the Fargate pool (EC2 when absent). */
  launchType?: 'EC2' | 'FARGATE';
  /** Fargate's platform version, resolved (`1.4.0`). */
  platformVersion?: string;
  /** The capacity provider a strategy chose (`FARGATE`), shown on the task. */
  capacityProviderName?: string;
  /** A capacity provider strategy: each task's provider is chosen by it (overriding `capacityProviderName`). */
  capacityProviderStrategy?: StrategyItem[];
  /** The tasks each provider of the strategy runs already (a service's), so new tasks keep the distribution. */
  providerCounts?: ReadonlyMap<string, number>;
  /** A task waiting in PROVISIONING that this launch places (it keeps its id, ARNs and creation time). */
  replaces?: TaskRecord;
}

/** The tasks a launch staged, and the placement failures for those it could not place. */
export interface LaunchResult {
  tasks: TaskRecord[];
  failures: Failure[];
}

/**
 * The ACTIVE task definition a launch names, usable with the EC2 launch type and honoured in full
 * by the agent: what RunTask, StartTask and a service's deployments may run.
 */
export async function launchableTaskDefinition(
  tx: Tx, scope: Scope, ref: string, launchType: 'EC2' | 'FARGATE' = 'EC2', honoured: Honoured = {},
): Promise<TaskDefinitionRecord> {
  const td = await resolveTaskDefinition(tx, scope, ref);
  if (td.status !== 'ACTIVE') throw EcsErrors.client('TaskDefinition is inactive');
  const compat = td.requiresCompatibilities ?? [];
  if (launchType === 'EC2' && compat.length && !compat.includes('EC2')) throw EcsErrors.client('Task definition does not support launch_type EC2.');
  refuseUnhonoured(td, honoured);
  if (honoured.efsVolumes) checkEfsVolumes(td.volumes);
  return td;
}

/** What launches through `deps` can honour: EFS volumes when EFS is wired. */
export const honouredBy = (deps: Pick<EcsDeps, 'efs'>): Honoured => ({ efsVolumes: deps.efs !== undefined });

/** The task's EFS volumes resolved, when it has any (a failure stops the task as it is created). */
async function resolveEfs(deps: EcsDeps, scope: Scope, spec: TaskSpec): Promise<EfsResolution> {
  if (!deps.efs || !spec.volumes?.some((v) => v.efsVolumeConfiguration)) return {};
  return resolveEfsVolumes(deps.efs, scope, spec);
}

/**
 * A new task record on `instance`, charging it `reserved`; or, when its EFS volumes failed to
 * resolve, one already STOPPED (TaskFailedToStart) that charges nothing, as ECS shows a task
 * its agent could not start.
 */
function newTask(
  deps: EcsDeps, scope: Scope, cluster: ClusterRecord, td: TaskDefinitionRecord, req: LaunchRequest, overrides: TaskOverride,
  instance: ContainerInstanceRecord | undefined, reserved: Resources, efs: EfsResolution,
): TaskRecord {
  const failure = 'failure' in efs ? efs.failure : undefined;
  const spec = { ...taskSpec(td, overrides), ...('efsVolumes' in efs && efs.efsVolumes && { efsVolumes: efs.efsVolumes }) };
  const was = req.replaces;
  const id = was?.id ?? deps.ids.hex32();
  const now = deps.clock.now();
  const task: TaskRecord = {
    id,
    arn: arns.task(scope, cluster.name, id),
    clusterName: cluster.name,
    clusterArn: cluster.arn,
    taskDefinitionArn: td.taskDefinitionArn,
    ...(instance && { containerInstanceId: instance.id, containerInstanceArn: instance.arn }),
    launchType: req.launchType ?? 'EC2',
    ...(req.platformVersion && { platformVersion: req.platformVersion }),
    ...(req.capacityProviderName && { capacityProviderName: req.capacityProviderName }),
    ...(req.launchType === 'FARGATE' && { ephemeralStorageGiB: td.ephemeralStorage?.sizeInGiB ?? 20 }),
    lastStatus: spec.networkMode === 'awsvpc' || !instance ? 'PROVISIONING' : 'PENDING',
    desiredStatus: 'RUNNING',
    cpu: overrides.cpu ?? td.cpu,
    memory: overrides.memory ?? td.memory,
    group: groupOf(req, td),
    startedBy: req.startedBy,
    overrides,
    tags: req.tags ?? [],
    containers: spec.containers.map((c, i) => ({
      containerArn: was?.containers[i]?.containerArn ?? arns.container(scope, cluster.name, id, deps.ids.uuid()),
      name: c.name!,
      image: c.image!,
      lastStatus: 'PENDING',
      networkBindings: [],
      cpu: String(c.cpu ?? 0),
      memory: c.memory === undefined ? undefined : String(c.memory),
      memoryReservation: c.memoryReservation === undefined ? undefined : String(c.memoryReservation),
      essential: c.essential ?? true,
    })),
    enableExecuteCommand: req.enableExecuteCommand,
    availabilityZone: instance?.attributes.find((a) => a.name === 'ecs.availability-zone')?.value,
    cpuArchitecture: instance?.attributes.find((a) => a.name === 'ecs.cpu-architecture')?.value,
    version: (was?.version ?? 0) + 1,
    createdAt: was?.createdAt ?? now,
    spec,
    reserved,
    // A task no instance could take yet waits with what placing it later needs.
    ...(!instance && { placement: { constraints: req.constraints, strategy: req.strategy, ...(req.networkConfiguration && { networkConfiguration: req.networkConfiguration }) } }),
  };
  if (failure === undefined) return task;
  return {
    ...task,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stopCode: 'TaskFailedToStart',
    stoppedReason: failure,
    stoppingAt: now,
    executionStoppedAt: now,
    stoppedAt: now,
    containers: task.containers.map((c) => ({ ...c, lastStatus: 'STOPPED' })),
    reserved: { cpu: 0, memory: 0, ports: [], portsUdp: [] },
  };
}

const groupOf = (req: LaunchRequest, td: TaskDefinitionRecord) => req.group ?? `family:${td.family}`;

/** Fargate spreads a launch over the pool's hosts. */
const FARGATE_SPREAD = [{ type: 'spread', field: 'instanceId' }];

/** An instance as the scheduler sees it. */
export const snapshotOf = (i: ContainerInstanceRecord): InstanceSnapshot => ({
  id: i.id,
  arn: i.arn,
  status: i.status,
  agentConnected: i.agentConnected,
  remaining: i.remainingResources,
  attributes: i.attributes,
  ec2InstanceId: i.ec2InstanceId,
  taskGroups: new Map(Object.entries(i.taskGroups ?? {})),
  agentVersion: i.versionInfo.agentVersion,
  registeredAt: i.registeredAt,
});

/**
 * The placement request for a launch: RunTask's constraints merged with the task
 * definition's (at most 10 together), its strategies, the task group and the attributes the
 * task definition requires (a Fargate launch, which takes no strategy, spreads over the pool's
 * hosts). A bad constraint or strategy is an InvalidParameterException.
 */
function placeRequest(req: LaunchRequest, td: TaskDefinitionRecord, overrides: TaskOverride, count: number): PlaceRequest {
  const constraints = [...req.constraints, ...(td.placementConstraints ?? []).map((c) => ({ type: c.type, expression: c.expression }))];
  const strategy = req.launchType === 'FARGATE' ? FARGATE_SPREAD : req.strategy;
  const problem = validatePlacement(constraints, strategy);
  if (problem) throw EcsErrors.invalidParameter(problem);
  return {
    count,
    demand: taskDemand(taskSpec(td, overrides)),
    group: groupOf(req, td),
    constraints: constraints as PlacementConstraint[],
    strategy: strategy as PlacementStrategy[],
    requiredAttributes: (td.requiresAttributes ?? []).map((a) => ({ name: a.name!, value: a.value })),
  };
}

/**
 * Places the request over `candidates` and stages the tasks and the instances' new remaining
 * resources and groups. Candidates not read through `tx` are guarded by `guard` once chosen.
 */
async function stageLaunch(
  tx: Tx, deps: EcsDeps, scope: Scope, cluster: ClusterRecord, td: TaskDefinitionRecord, req: LaunchRequest, overrides: TaskOverride,
  candidates: ContainerInstanceRecord[], request: PlaceRequest, guard?: (instanceId: string) => void,
): Promise<LaunchResult> {
  const spec = taskSpec(td, overrides);
  await checkTaskRoles(deps.roles, spec);
  const network = await resolveTaskNetwork(tx, scope, td, req.networkConfiguration, deps.clock.now());
  const efs = await resolveEfs(deps, scope, spec);
  const { placements, failures, providers, waiting } = placeByProvider(deps, req, candidates, request);
  // An awsvpc group's tasks go round the subnets (and so the zones) they were given, counting those already running.
  const running = network
    ? deps.informers.tasks.byIndex(TASK_INDEX.group, `${scope.account}/${scope.region}/${cluster.name}/${request.group}`)
      .filter((d) => d.value.lastStatus !== 'STOPPED').length
    : 0;
  const byId = new Map(candidates.map((i) => [i.id, i]));
  const tasks: TaskRecord[] = [];
  const changed = new Set<string>();
  for (const [n, { instanceId, reserved }] of placements.entries()) {
    const instance = byId.get(instanceId)!;
    guard?.(instanceId);
    const taskReq = providers ? { ...req, capacityProviderName: providers[n] } : req;
    const task = newTask(deps, scope, cluster, td, taskReq, overrides, instance, reserved, efs);
    if (task.lastStatus === 'STOPPED') {
      // Failed to start: it holds nothing on the instance (no resources, group or interface).
      tx.put(keys.task(scope, cluster.name, task.id), task);
      tasks.push(task);
      continue;
    }
    if (network) {
      // A Fargate task is in its subnet's zone (the pool's hosts serve every zone); an EC2 task in its instance's.
      if (task.launchType === 'FARGATE') task.availabilityZone = undefined;
      task.eni = await stageTaskEni(tx, scope, network, task, running + tasks.length, deps.ids, deps.clock.now());
      task.availabilityZone = task.eni.availabilityZone;
    }
    const updated = withGroupCount(
      { ...instance, remainingResources: reserve(instance.remainingResources, reserved), version: instance.version + 1 },
      task.group, 1,
    );
    byId.set(instanceId, updated);
    tx.put(keys.instance(scope, instance.clusterName, instanceId), updated);
    tx.put(keys.task(scope, cluster.name, task.id), task);
    tasks.push(task);
    changed.add(instanceId);
  }
  // Each instance's change once, as it ends up (its remaining resources after all its new tasks).
  for (const id of changed) await deps.changes?.instanceChanged?.(tx, byId.get(id)!, deps.clock.now());
  // Tasks an Auto Scaling group provider cannot take yet wait in PROVISIONING for its group to grow (a task being placed again stays as it is).
  if (!req.replaces) {
    for (const provider of waiting) {
      const task = newTask(deps, scope, cluster, td, { ...req, capacityProviderName: provider }, overrides, undefined, NOTHING, efs);
      tx.put(keys.task(scope, cluster.name, task.id), task);
      tasks.push(task);
    }
  }
  return { tasks, failures: failures as Failure[] };
}

/** What a task holds before it is placed. */
const NOTHING: Resources = { cpu: 0, memory: 0, ports: [], portsUdp: [] };

/**
 * Places a launch's tasks, each with its capacity provider when the launch has a strategy (by the
 * strategy's base and weights over what its providers run already): Fargate's providers share the
 * Fargate pool, so the tasks are placed together and given their providers after; an Auto Scaling
 * group provider's tasks go on its own instances only (those its group launched).
 */
function placeByProvider(
  deps: EcsDeps, req: LaunchRequest, candidates: ContainerInstanceRecord[], request: PlaceRequest,
): PlaceResult & { providers?: string[]; waiting: string[] } {
  const strategy = req.capacityProviderStrategy;
  if (!strategy || isFargateStrategy(strategy)) {
    const placed = deps.place(candidates.map(snapshotOf), request, deps.rng);
    return { ...placed, waiting: [], ...(strategy && { providers: distribute(strategy, placed.placements.length, req.providerCounts) }) };
  }
  const wanted = new Map<string, number>();
  for (const name of distribute(strategy, request.count, req.providerCounts)) wanted.set(name, (wanted.get(name) ?? 0) + 1);
  // Nothing fails to place: what a provider's instances cannot take waits for them.
  const out = { placements: [] as PlaceResult['placements'], failures: [], providers: [] as string[], waiting: [] as string[] };
  for (const [name, count] of wanted) {
    const own = candidates.filter((i) => i.capacityProviderName === name);
    const placed = deps.place(own.map(snapshotOf), { ...request, count }, deps.rng);
    out.placements.push(...placed.placements);
    out.providers.push(...placed.placements.map(() => name));
    out.waiting.push(...Array.from({ length: count - placed.placements.length }, () => name));
  }
  return out;
}

/**
 * RunTask: up to 10 copies (`count`) placed by the scheduler over the cluster's instances,
 * committed in one transaction.
 */
export async function launchTasks(deps: EcsDeps, scope: Scope, request: LaunchRequest, count: number): Promise<LaunchResult> {
  const { informers } = deps;
  await informers.start();
  let attempt = 0;
  return transact(deps.store, async (tx) => {
    // A lost race means an instance changed under the placement: place again once the informer has caught up.
    if (attempt++ > 0) await informers.catchUp();
    const cluster = await activeCluster(tx, scope, request.clusterRef);
    const req = withClusterStrategy(request, cluster);
    const fargate = req.launchType === 'FARGATE';
    // The strategy's providers first: an unknown provider is the error, not the launch type it implies.
    if (req.capacityProviderStrategy) checkAssociated(req.capacityProviderStrategy, cluster.capacityProviders, cluster.name);
    const td = await launchableTaskDefinition(tx, scope, req.taskDefinitionRef, req.launchType, honouredBy(deps));
    checkOverrides(req.overrides, td);
    if (fargate) {
      checkFargateLaunch(td, req.overrides.cpu ?? td.cpu, req.overrides.memory ?? td.memory, {
        constraints: req.constraints.length, strategies: req.strategy.length,
      });
    }
    const pool = fargate ? FARGATE_POOL : cluster.name;
    const active = () => informers.instancesOf(scope, pool).some((d) => d.value.status === 'ACTIVE');
    // An instance registered a moment ago may not have reached the informer yet: look again before saying there is none.
    // (Tasks of Auto Scaling group providers wait for instances instead.)
    const waits = req.capacityProviderStrategy !== undefined && !fargate;
    if (!waits && !active()) await informers.catchUp();
    if (!waits && !active()) {
      throw EcsErrors.invalidParameter(fargate
        ? 'No Fargate capacity is available: start an agent with `wharf agent --fargate` (wharf dev has one).'
        : 'No Container Instances were found in your cluster.');
    }
    const docs = informers.instancesOf(scope, pool);
    // Placed against the informer; the commit is guarded on the chosen instances' revisions.
    const revisions = new Map(docs.map((d) => [d.value.id, d]));
    const guard = (id: string) => tx.guard(revisions.get(id)!.key, revisions.get(id)!.modRevision);
    return stageLaunch(tx, deps, scope, cluster, td, req, req.overrides, docs.map((d) => d.value), placeRequest(req, td, req.overrides, count), guard);
  });
}

/**
 * Places a task waiting in PROVISIONING for its Auto Scaling group provider, if one of the
 * provider's instances can take it now, as its launch would have placed it; returns the task as
 * placed, or undefined when it still waits (or no longer does: placed, stopped or gone).
 */
export async function placeWaitingTask(deps: EcsDeps, scope: Scope, clusterName: string, taskId: string): Promise<TaskRecord | undefined> {
  await deps.informers.start();
  return transact(deps.store, async (tx) => {
    const task = await tx.get<TaskRecord>(keys.task(scope, clusterName, taskId));
    if (!task || !isWaiting(task)) return undefined;
    const cluster = await tx.get<ClusterRecord>(keys.cluster(scope, clusterName));
    if (cluster?.status !== 'ACTIVE') return undefined;
    const td = await resolveTaskDefinition(tx, scope, task.taskDefinitionArn);
    const req: LaunchRequest = {
      clusterRef: clusterName, taskDefinitionRef: td.taskDefinitionArn, startedBy: task.startedBy, group: task.group, tags: task.tags,
      enableExecuteCommand: task.enableExecuteCommand, constraints: task.placement!.constraints, strategy: task.placement!.strategy,
      overrides: task.overrides, networkConfiguration: task.placement!.networkConfiguration, launchType: 'EC2',
      capacityProviderStrategy: [{ capacityProvider: task.capacityProviderName!, weight: 1, base: 0 }], replaces: task,
    };
    const docs = deps.informers.instancesOf(scope, clusterName).filter((d) => d.value.capacityProviderName === task.capacityProviderName);
    const revisions = new Map(docs.map((d) => [d.value.id, d]));
    const guard = (id: string) => tx.guard(revisions.get(id)!.key, revisions.get(id)!.modRevision);
    tx.guard(keys.task(scope, clusterName, taskId), await tx.revisionOf(keys.task(scope, clusterName, taskId)));
    const { tasks } = await stageLaunch(tx, deps, scope, cluster, td, req, task.overrides, docs.map((d) => d.value), placeRequest(req, td, task.overrides, 1), guard);
    return tasks[0];
  });
}

/** Whether a task waits in PROVISIONING for an instance of its capacity provider. */
export const isWaiting = (t: TaskRecord): boolean =>
  t.lastStatus === 'PROVISIONING' && t.desiredStatus === 'RUNNING' && t.containerInstanceId === undefined && t.placement !== undefined;

/**
 * A launch that names neither a launch type nor a strategy uses the cluster's default capacity
 * provider strategy, when it has one (ECS's rule); else it stays an EC2 launch.
 */
export function withClusterStrategy<R extends Pick<LaunchRequest, 'launchType' | 'capacityProviderStrategy' | 'platformVersion'>>(req: R, cluster: ClusterRecord): R {
  if (req.launchType !== undefined || req.capacityProviderStrategy || !cluster.defaultCapacityProviderStrategy.length) return req;
  const strategy = cluster.defaultCapacityProviderStrategy.map((s) => ({ capacityProvider: s.capacityProvider!, weight: s.weight ?? 0, base: s.base ?? 0 }));
  if (!isFargateStrategy(strategy)) return { ...req, launchType: 'EC2', capacityProviderStrategy: strategy };
  return { ...req, launchType: 'FARGATE', platformVersion: fargatePlatformVersion(req.platformVersion), capacityProviderStrategy: strategy };
}

/** StartTask: one task on each named container instance (`instanceRefs`, ids or ARNs), where it fits. */
export async function launchTasksOn(deps: EcsDeps, scope: Scope, req: LaunchRequest, instanceRefs: string[]): Promise<LaunchResult> {
  return transact(deps.store, async (tx) => {
    const cluster = await activeCluster(tx, scope, req.clusterRef);
    const td = await launchableTaskDefinition(tx, scope, req.taskDefinitionRef, 'EC2', honouredBy(deps));
    checkOverrides(req.overrides, td);
    const request = placeRequest(req, td, req.overrides, 1);
    const tasks: TaskRecord[] = [];
    const failures: Failure[] = [];
    for (const ref of instanceRefs) {
      const id = instanceIdOf(ref, cluster.name);
      const instance = id && (await tx.get<ContainerInstanceRecord>(keys.instance(scope, cluster.name, id)));
      if (!instance) {
        failures.push({ arn: ref, reason: 'MISSING' });
        continue;
      }
      const staged = await stageLaunch(tx, deps, scope, cluster, td, req, req.overrides, [instance], { ...request, strategy: [] });
      tasks.push(...staged.tasks);
      failures.push(...staged.failures);
    }
    return { tasks, failures };
  });
}

/** The instance id a container-instance reference (id or ARN) names, if it is in `clusterName`. */
export function instanceIdOf(ref: string, clusterName: string): string | undefined {
  if (!ref.startsWith('arn:')) return /^[a-f0-9]{32}$/.test(ref) ? ref : undefined;
  const arn = parseArn(ref);
  if (!arn || arn.resourceType !== 'container-instance') return undefined;
  if (arn.resource.length === 2) return arn.resource[0] === clusterName ? arn.resource[1] : undefined;
  return arn.resource.length === 1 ? arn.resource[0] : undefined;
}

/** What the service scheduler launches: RunTask's placement, with the service's group and deployment. */
export interface ServiceLaunch {
  group: string;
  /** The deployment id (`ecs-svc/...`). */
  startedBy: string;
  count: number;
  constraints: { type?: string; expression?: string }[];
  strategy: { type?: string; field?: string }[];
  tags?: Tag[];
  enableExecuteCommand: boolean;
  networkConfiguration?: NetworkConfiguration;
  launchType?: 'EC2' | 'FARGATE';
  platformVersion?: string;
  capacityProviderName?: string;
  capacityProviderStrategy?: StrategyItem[];
  /** The tasks of the service each provider runs now. */
  providerCounts?: ReadonlyMap<string, number>;
}

/**
 * Places and stages a service's tasks as RunTask would, over instance documents read outside
 * the transaction (the instances informer): the commit is guarded on the chosen instances' revisions.
 */
export function stageServiceLaunch(
  tx: Tx, deps: EcsDeps, scope: Scope, cluster: ClusterRecord, td: TaskDefinitionRecord, launch: ServiceLaunch,
  instances: Doc<ContainerInstanceRecord>[],
): Promise<LaunchResult> {
  const req: LaunchRequest = {
    taskDefinitionRef: td.taskDefinitionArn,
    startedBy: launch.startedBy,
    group: launch.group,
    tags: launch.tags,
    enableExecuteCommand: launch.enableExecuteCommand,
    constraints: launch.constraints,
    strategy: launch.strategy,
    overrides: {},
    networkConfiguration: launch.networkConfiguration,
    launchType: launch.launchType,
    platformVersion: launch.platformVersion,
    capacityProviderName: launch.capacityProviderName,
    capacityProviderStrategy: launch.capacityProviderStrategy,
    providerCounts: launch.providerCounts,
  };
  const byId = new Map(instances.map((d) => [d.value.id, d]));
  const guard = (id: string) => tx.guard(byId.get(id)!.key, byId.get(id)!.modRevision);
  const request = placeRequest(req, td, {}, launch.count);
  return stageLaunch(tx, deps, scope, cluster, td, req, {}, instances.map((d) => d.value), request, guard);
}
