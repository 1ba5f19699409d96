/**
 * RunTask and StartTask at the edge: the request (already checked against the model) read into
 * the domain's `LaunchRequest`, what IAM sees of it, the launch left to the ECS domain
 * (`launchTasks`, `launchTasksOn`), and the staged tasks shown as the API's `Task`s. What the
 * agent would not honour is refused here (request members) or by the domain (the task
 * definition), never dropped.
 */
import type {
  ContainerOverride, RunTaskRequest, RunTaskResponse, StartTaskRequest, StartTaskResponse, TaskOverride,
} from '@aws-sdk/client-ecs';
import type { ConditionValues, OperationAuthorization, RequestContext } from '../../aws/index.ts';
import {
  EcsErrors, TASK_CPU_RANGE, launchTasks, launchTasksOn, parseTaskCpu, parseTaskMemory, type EcsDeps, type LaunchRequest,
} from '../../ecs/index.ts';
import {
  capacityProviders, clusterCondition, flag, inClusterArn, passRole, tagConditions, taskDefinitionArnOf,
} from './authorization.ts';
import { checkInt, checkItems, checkString, checkTags, present, scopeOf } from './common.ts';
import { readLaunchType } from './launch-type.ts';
import { readNetworkConfiguration } from './service-validate.ts';
import { toApiTask } from './task-view.ts';

const invalid = EcsErrors.invalidParameter;
const notYet = (what: string, path: string) => invalid(`Wharf does not support ${what} yet: ${path}.`);

/** The members RunTask and StartTask share, as IAM and the launch read them. */
type LaunchInput = Partial<Pick<RunTaskRequest & StartTaskRequest, 'tags' | 'cluster' | 'enableExecuteCommand' | 'enableECSManagedTags' | 'propagateTags' | 'overrides'>>;

/**
 * Reads the members RunTask and StartTask share; `startedBy` may be 128 characters on RunTask,
 * 36 on StartTask. FARGATE, capacity providers and EBS volumes are refused.
 */
function readLaunch(input: RunTaskRequest | StartTaskRequest, startedByMax: number): Omit<LaunchRequest, 'overrides' | 'constraints' | 'strategy'> {
  const run: Partial<RunTaskRequest> = input;
  if (input.volumeConfigurations?.length) throw notYet('Amazon EBS volumes for tasks', 'volumeConfigurations');
  return {
    clusterRef: input.cluster,
    taskDefinitionRef: present(input.taskDefinition, 'taskDefinition'),
    startedBy: checkString(input.startedBy, 'startedBy', {
      max: startedByMax, pattern: /^[A-Za-z0-9_/-]+$/, patternText: `up to ${startedByMax} letters, numbers, hyphens, forward slashes and underscores.`,
    }),
    group: checkString(input.group, 'group', { max: 255 }),
    tags: checkTags(input.tags),
    enableExecuteCommand: input.enableExecuteCommand ?? false,
    networkConfiguration: readNetworkConfiguration(input.networkConfiguration),
    ...readLaunchType(run),
  };
}


/** One container override: it names its container (checked against the task definition by the domain). */
function readContainerOverride(c: ContainerOverride, i: number): ContainerOverride {
  const at = `overrides.containerOverrides[${i}]`;
  if (c.environmentFiles?.length) throw notYet('environment files', `${at}.environmentFiles`);
  if (c.resourceRequirements?.length) throw notYet('resource requirement overrides', `${at}.resourceRequirements`);
  return {
    name: present(c.name, `${at}.name`),
    command: c.command,
    environment: c.environment?.map((e, j) => ({ name: present(e.name, `${at}.environment[${j}].name`), value: e.value ?? '' })),
    cpu: checkInt(c.cpu, `${at}.cpu`, { min: 0 }),
    memory: checkInt(c.memory, `${at}.memory`, { min: 6 }),
    memoryReservation: checkInt(c.memoryReservation, `${at}.memoryReservation`, { min: 6 }),
  };
}

/**
 * Reads a RunTask/StartTask `overrides` member: container overrides and task-level cpu and
 * memory, normalized to units / MiB. A task role override is refused (the agent serves no role
 * credentials yet), as are the overrides of features Wharf does not have.
 */
function readOverrides(o: TaskOverride | undefined): TaskOverride {
  if (!o) return {};
  if (o.taskRoleArn) throw notYet('task role credentials', 'overrides.taskRoleArn');
  if (o.inferenceAcceleratorOverrides?.length) throw notYet('inference accelerators', 'overrides.inferenceAcceleratorOverrides');
  if (o.ephemeralStorage) throw notYet('ephemeral storage', 'overrides.ephemeralStorage');
  return {
    containerOverrides: o.containerOverrides?.map(readContainerOverride),
    cpu: taskSize(o.cpu, 'cpu', parseTaskCpu, TASK_CPU_RANGE.min, TASK_CPU_RANGE.max),
    memory: taskSize(o.memory, 'memory', parseTaskMemory, 6, Number.MAX_SAFE_INTEGER),
    executionRoleArn: o.executionRoleArn,
  };
}

/** A task-level cpu/memory override ("1 vCPU", "512", "2 GB"), normalized to units / MiB. */
function taskSize(raw: string | undefined, name: 'cpu' | 'memory', parse: (raw: string) => number | undefined, min: number, max: number): string | undefined {
  if (raw === undefined) return undefined;
  const n = parse(raw);
  if (n === undefined || n < min || n > max) throw invalid(`overrides.${name}: Invalid '${name}' setting for task: ${raw}.`);
  return String(n);
}

/** The condition keys RunTask and StartTask share. */
function launchConditions(i: LaunchInput, ctx: RequestContext): ConditionValues {
  return {
    ...tagConditions(i.tags),
    ...clusterCondition(ctx, i.cluster),
    'ecs:enable-execute-command': flag(i.enableExecuteCommand),
    'ecs:enable-ecs-managed-tags': flag(i.enableECSManagedTags),
    'ecs:propagate-tags': i.propagateTags,
    'ecs:task-cpu': i.overrides?.cpu,
    'ecs:task-memory': i.overrides?.memory,
  };
}

/** RunTask: authorized on the task definition it runs, in its cluster. */
export function runTaskAuthorization(deps: EcsDeps): OperationAuthorization<RunTaskRequest> {
  return {
    resources: async (i, ctx) => [await taskDefinitionArnOf(deps.store, ctx, i.taskDefinition)],
    conditions: (i, ctx) => ({ ...launchConditions(i, ctx), 'ecs:capacity-provider': capacityProviders(i.capacityProviderStrategy) }),
  };
}

/** StartTask: authorized on the task definition it runs, in its cluster, on the instances it names. */
export function startTaskAuthorization(deps: EcsDeps): OperationAuthorization<StartTaskRequest> {
  return {
    resources: async (i, ctx) => [await taskDefinitionArnOf(deps.store, ctx, i.taskDefinition)],
    conditions: (i, ctx) => ({
      ...launchConditions(i, ctx),
      'ecs:container-instances': i.containerInstances?.map((ref) => inClusterArn(ctx, 'container-instance', i.cluster, ref)),
    }),
  };
}

/** RunTask: up to 10 copies placed by the scheduler over the cluster's instances. */
export async function runTask(deps: EcsDeps, input: RunTaskRequest, ctx: RequestContext): Promise<RunTaskResponse> {
  const req = readLaunch(input, 128);
  const count = checkInt(input.count, 'count', { min: 1, max: 10 }) ?? 1;
  const overrides = readOverrides(input.overrides);
  await passRole(ctx, overrides.executionRoleArn);
  const launch: LaunchRequest = {
    ...req,
    overrides,
    constraints: (input.placementConstraints ?? []).map((c) => ({ type: c.type, expression: c.expression })),
    strategy: (input.placementStrategy ?? []).map((p) => ({ type: p.type, field: p.field })),
  };
  const result = await launchTasks(deps, scopeOf(ctx), launch, count);
  return { tasks: result.tasks.map((t) => toApiTask(t, true)), failures: result.failures };
}

/** StartTask: one task on each named container instance (1–10), where it fits. */
export async function startTask(deps: EcsDeps, input: StartTaskRequest, ctx: RequestContext): Promise<StartTaskResponse> {
  const req = readLaunch(input, 36);
  const refs = checkItems(input.containerInstances ?? [], 'containerInstances', { nonEmpty: true, max: 10 })!;
  const overrides = readOverrides(input.overrides);
  await passRole(ctx, overrides.executionRoleArn);
  const result = await launchTasksOn(deps, scopeOf(ctx), { ...req, overrides, constraints: [], strategy: [] }, refs);
  return { tasks: result.tasks.map((t) => toApiTask(t, true)), failures: result.failures };
}
