/**
 * RunTask and StartTask: validate, resolve the task definition, place with the scheduler and
 * commit the new tasks together with the instances' reserved resources in one transaction,
 * so racing launches never oversubscribe an instance (a lost race re-places from scratch).
 */
import type { Failure, RunTaskResponse, StartTaskResponse, Tag, TaskOverride } from '@aws-sdk/client-ecs';
import type { Fields } from '../../api/fields.ts';
import type { RequestContext } from '../../api/types.ts';
import {
  reserve, validatePlacement, type InstanceSnapshot, type PlacementConstraint, type PlacementStrategy, type PlaceRequest, type Resources,
} from '../../scheduler/index.ts';
import { transact, type Doc, type Tx } from '../../state/transact.ts';
import { activeCluster, ecsFields, readTags, scopeOf } from './common.ts';
import type { EcsDeps } from './deps.ts';
import { EcsErrors } from './errors.ts';
import { arns, keys, parseArn, withGroupCount, type ClusterRecord, type ContainerInstanceRecord, type Scope, type TaskDefinitionRecord, type TaskRecord } from './records.ts';
import { resolveTaskDefinition } from './task-definitions.ts';
import { readOverrides, taskDemand, taskSpec } from './task-spec.ts';
import { toApiTask } from './task-view.ts';

/** The members RunTask and StartTask share. */
interface LaunchRequest {
  clusterRef?: string;
  taskDefinitionRef: string;
  startedBy?: string;
  group?: string;
  tags?: Tag[];
  enableExecuteCommand: boolean;
  /** RunTask's placement (StartTask has none: it names its instances). */
  constraints: { type?: string; expression?: string }[];
  strategy: { type?: string; field?: string }[];
  fields: Fields;
}

/** Reads the members RunTask and StartTask share; `startedBy` may be 128 characters on RunTask, 36 on StartTask. */
function readLaunch(input: Record<string, unknown>, startedByMax: number): LaunchRequest {
  const f = ecsFields(input);
  f.enum('launchType', ['EC2', 'FARGATE', 'EXTERNAL'] as const);
  if (f.string('launchType') === 'FARGATE' || f.has('capacityProviderStrategy')) {
    throw EcsErrors.invalidParameter('launchType FARGATE and capacity provider strategies are not supported by this Wharf version; use the EC2 launch type.');
  }
  return {
    clusterRef: f.string('cluster'),
    taskDefinitionRef: f.string('taskDefinition', { required: true }),
    startedBy: f.string('startedBy', { max: startedByMax, pattern: /^[A-Za-z0-9_/-]+$/, patternText: `up to ${startedByMax} letters, numbers, hyphens, forward slashes and underscores.` }),
    group: f.string('group', { max: 255 }),
    tags: readTags(f),
    enableExecuteCommand: f.bool('enableExecuteCommand') ?? false,
    constraints: (f.objects('placementConstraints') ?? []).map((c) => ({ type: c.string('type'), expression: c.string('expression') })),
    strategy: (f.objects('placementStrategy') ?? []).map((p) => ({ type: p.string('type'), field: p.string('field') })),
    fields: f,
  };
}

/** The ACTIVE task definition a launch names, usable with the EC2 launch type. */
async function launchable(tx: Tx, scope: Scope, ref: string): Promise<TaskDefinitionRecord> {
  const td = await resolveTaskDefinition(tx, scope, ref);
  if (td.status !== 'ACTIVE') throw EcsErrors.client('TaskDefinition is inactive');
  const compat = td.requiresCompatibilities ?? [];
  if (compat.length && !compat.includes('EC2')) throw EcsErrors.client('Task definition does not support launch_type EC2.');
  return td;
}

/** A new task record on `instance`, charging it `demand`. */
function newTask(deps: EcsDeps, scope: Scope, cluster: ClusterRecord, td: TaskDefinitionRecord, req: LaunchRequest, overrides: TaskOverride, instance: ContainerInstanceRecord, reserved: Resources): TaskRecord {
  const spec = taskSpec(td, overrides);
  const id = deps.ids.hex32();
  return {
    id,
    arn: arns.task(scope, cluster.name, id),
    clusterName: cluster.name,
    clusterArn: cluster.arn,
    taskDefinitionArn: td.taskDefinitionArn,
    containerInstanceId: instance.id,
    containerInstanceArn: instance.arn,
    launchType: 'EC2',
    lastStatus: spec.networkMode === 'awsvpc' ? 'PROVISIONING' : 'PENDING',
    desiredStatus: 'RUNNING',
    cpu: overrides.cpu ?? td.cpu,
    memory: overrides.memory ?? td.memory,
    group: groupOf(req, td),
    startedBy: req.startedBy,
    overrides,
    tags: req.tags ?? [],
    containers: spec.containers.map((c) => ({
      containerArn: arns.container(scope, cluster.name, id, deps.ids.uuid()),
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
    availabilityZone: instance.attributes.find((a) => a.name === 'ecs.availability-zone')?.value,
    cpuArchitecture: instance.attributes.find((a) => a.name === 'ecs.cpu-architecture')?.value,
    version: 1,
    createdAt: deps.clock.now(),
    spec,
    reserved,
  };
}

const groupOf = (req: LaunchRequest, td: TaskDefinitionRecord) => req.group ?? `family:${td.family}`;

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
 * task definition requires. A bad constraint or strategy is an InvalidParameterException.
 */
function placeRequest(req: LaunchRequest, td: TaskDefinitionRecord, overrides: TaskOverride, count: number): PlaceRequest {
  const constraints = [...req.constraints, ...(td.placementConstraints ?? []).map((c) => ({ type: c.type, expression: c.expression }))];
  const problem = validatePlacement(constraints, req.strategy);
  if (problem) throw EcsErrors.invalidParameter(problem);
  return {
    count,
    demand: taskDemand(taskSpec(td, overrides)),
    group: groupOf(req, td),
    constraints: constraints as PlacementConstraint[],
    strategy: req.strategy as PlacementStrategy[],
    requiredAttributes: (td.requiresAttributes ?? []).map((a) => ({ name: a.name!, value: a.value })),
  };
}

/**
 * Places the request over `candidates` and stages the tasks and the instances' new remaining
 * resources and groups. Candidates not read through `tx` are guarded by `guard` once chosen.
 */
function stageLaunch(
  tx: Tx, deps: EcsDeps, scope: Scope, cluster: ClusterRecord, td: TaskDefinitionRecord, req: LaunchRequest, overrides: TaskOverride,
  candidates: ContainerInstanceRecord[], request: PlaceRequest, guard?: (instanceId: string) => void,
) {
  const { placements, failures } = deps.place(candidates.map(snapshotOf), request, deps.rng);
  const byId = new Map(candidates.map((i) => [i.id, i]));
  const tasks: TaskRecord[] = [];
  for (const { instanceId, reserved } of placements) {
    const instance = byId.get(instanceId)!;
    guard?.(instanceId);
    const task = newTask(deps, scope, cluster, td, req, overrides, instance, reserved);
    const updated = withGroupCount(
      { ...instance, remainingResources: reserve(instance.remainingResources, reserved), version: instance.version + 1 },
      task.group, 1,
    );
    byId.set(instanceId, updated);
    tx.put(keys.instance(scope, cluster.name, instanceId), updated);
    tx.put(keys.task(scope, cluster.name, task.id), task);
    tasks.push(task);
  }
  return { tasks, failures: failures as Failure[] };
}

/** RunTask: up to 10 copies placed by the scheduler over the cluster's instances. */
export async function runTask(deps: EcsDeps, input: Record<string, unknown>, ctx: RequestContext): Promise<RunTaskResponse> {
  const scope = scopeOf(ctx);
  const req = readLaunch(input, 128);
  const count = req.fields.int('count', { min: 1, max: 10 }) ?? 1;
  const result = await transact(deps.store, async (tx) => {
    const cluster = await activeCluster(tx, scope, req.clusterRef);
    const td = await launchable(tx, scope, req.taskDefinitionRef);
    const overrides = readOverrides(req.fields, td);
    const docs = await deps.instances.list(scope, cluster.name);
    if (!docs.some((d) => d.value.status === 'ACTIVE')) {
      throw EcsErrors.invalidParameter('No Container Instances were found in your cluster.');
    }
    // Placed against the cache; the commit is guarded on the chosen instances' revisions.
    const revisions = new Map(docs.map((d) => [d.value.id, d]));
    const guard = (id: string) => tx.guard(revisions.get(id)!.key, revisions.get(id)!.modRevision);
    return stageLaunch(tx, deps, scope, cluster, td, req, overrides, docs.map((d) => d.value), placeRequest(req, td, overrides, count), guard);
  });
  return { tasks: result.tasks.map((t) => toApiTask(t, true)), failures: result.failures };
}

/** StartTask: one task on each named container instance (1–10), where it fits. */
export async function startTask(deps: EcsDeps, input: Record<string, unknown>, ctx: RequestContext): Promise<StartTaskResponse> {
  const scope = scopeOf(ctx);
  const req = readLaunch(input, 36);
  const refs = req.fields.strings('containerInstances', { required: true, maxItems: 10 })!;
  const result = await transact(deps.store, async (tx) => {
    const cluster = await activeCluster(tx, scope, req.clusterRef);
    const td = await launchable(tx, scope, req.taskDefinitionRef);
    const overrides = readOverrides(req.fields, td);
    const request = placeRequest(req, td, overrides, 1);
    const tasks: TaskRecord[] = [];
    const failures: Failure[] = [];
    for (const ref of refs) {
      const id = instanceIdOf(ref, cluster.name);
      const instance = id && (await tx.get<ContainerInstanceRecord>(keys.instance(scope, cluster.name, id)));
      if (!instance) {
        failures.push({ arn: ref, reason: 'MISSING' });
        continue;
      }
      const staged = stageLaunch(tx, deps, scope, cluster, td, req, overrides, [instance], { ...request, strategy: [] });
      tasks.push(...staged.tasks);
      failures.push(...staged.failures);
    }
    return { tasks, failures };
  });
  return { tasks: result.tasks.map((t) => toApiTask(t, true)), failures: result.failures };
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
}

/**
 * Places and stages a service's tasks as RunTask would, over instance documents read outside
 * the transaction (the instance cache): the commit is guarded on the chosen instances' revisions.
 */
export function stageServiceLaunch(
  tx: Tx, deps: EcsDeps, scope: Scope, cluster: ClusterRecord, td: TaskDefinitionRecord, launch: ServiceLaunch,
  instances: Doc<ContainerInstanceRecord>[],
): { tasks: TaskRecord[]; failures: Failure[] } {
  const req: LaunchRequest = {
    taskDefinitionRef: td.taskDefinitionArn,
    startedBy: launch.startedBy,
    group: launch.group,
    tags: launch.tags,
    enableExecuteCommand: launch.enableExecuteCommand,
    constraints: launch.constraints,
    strategy: launch.strategy,
    fields: ecsFields({}),
  };
  const byId = new Map(instances.map((d) => [d.value.id, d]));
  const guard = (id: string) => tx.guard(byId.get(id)!.key, byId.get(id)!.modRevision);
  const request = placeRequest(req, td, {}, launch.count);
  return stageLaunch(tx, deps, scope, cluster, td, req, {}, instances.map((d) => d.value), request, guard);
}
