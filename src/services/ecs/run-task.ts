/**
 * RunTask and StartTask at the edge: the request read and checked into the domain's
 * `LaunchRequest`, the launch left to the ECS domain (`launchTasks`, `launchTasksOn`), and the
 * staged tasks shown as the API's `Task`s.
 */
import type { ContainerOverride, RunTaskResponse, StartTaskResponse, TaskOverride } from '@aws-sdk/client-ecs';
import type { Fields, JsonRequestContext as RequestContext } from '../../aws/index.ts';
import {
  EcsErrors, TASK_CPU_RANGE, launchTasks, launchTasksOn, parseTaskCpu, parseTaskMemory, type EcsDeps, type LaunchRequest,
} from '../../ecs/index.ts';
import { ecsFields, readTags, scopeOf } from './common.ts';
import { toApiTask } from './task-view.ts';

/**
 * Reads the members RunTask and StartTask share; `startedBy` may be 128 characters on RunTask,
 * 36 on StartTask. Returns the request's fields too, for the members only one of them has.
 */
function readLaunch(input: Record<string, unknown>, startedByMax: number): { req: Omit<LaunchRequest, 'overrides'>; f: Fields } {
  const f = ecsFields(input);
  f.enum('launchType', ['EC2', 'FARGATE', 'EXTERNAL'] as const);
  if (f.string('launchType') === 'FARGATE' || f.has('capacityProviderStrategy')) {
    throw EcsErrors.invalidParameter('launchType FARGATE and capacity provider strategies are not supported by this Wharf version; use the EC2 launch type.');
  }
  const req = {
    clusterRef: f.string('cluster'),
    taskDefinitionRef: f.string('taskDefinition', { required: true }),
    startedBy: f.string('startedBy', { max: startedByMax, pattern: /^[A-Za-z0-9_/-]+$/, patternText: `up to ${startedByMax} letters, numbers, hyphens, forward slashes and underscores.` }),
    group: f.string('group', { max: 255 }),
    tags: readTags(f),
    enableExecuteCommand: f.bool('enableExecuteCommand') ?? false,
    constraints: (f.objects('placementConstraints') ?? []).map((c) => ({ type: c.string('type'), expression: c.string('expression') })),
    strategy: (f.objects('placementStrategy') ?? []).map((p) => ({ type: p.string('type'), field: p.string('field') })),
  };
  return { req, f };
}

/**
 * Reads a RunTask/StartTask `overrides` member: container overrides (each naming its container;
 * the domain checks the names against the task definition) and task-level cpu and memory,
 * normalized to units / MiB.
 */
function readOverrides(fields: Fields): TaskOverride {
  const o = fields.object('overrides');
  if (!o) return {};
  const containerOverrides = o.objects('containerOverrides')?.map((c): ContainerOverride => ({
    name: c.string('name', { required: true }),
    command: c.strings('command'),
    environment: c.objects('environment')?.map((e) => ({ name: e.string('name', { required: true }), value: e.string('value') ?? '' })),
    cpu: c.int('cpu', { min: 0 }),
    memory: c.int('memory', { min: 6 }),
    memoryReservation: c.int('memoryReservation', { min: 6 }),
  }));
  return {
    containerOverrides,
    cpu: taskSize(o, 'cpu', parseTaskCpu, TASK_CPU_RANGE.min, TASK_CPU_RANGE.max),
    memory: taskSize(o, 'memory', parseTaskMemory, 6, Number.MAX_SAFE_INTEGER),
    taskRoleArn: o.string('taskRoleArn'),
    executionRoleArn: o.string('executionRoleArn'),
  };
}

/** A task-level cpu/memory override ("1 vCPU", "512", "2 GB"), normalized to units / MiB. */
function taskSize(o: Fields, name: 'cpu' | 'memory', parse: (raw: string) => number | undefined, min: number, max: number): string | undefined {
  const raw = o.string(name);
  if (raw === undefined) return undefined;
  const n = parse(raw);
  if (n === undefined || n < min || n > max) throw EcsErrors.invalidParameter(`${o.at(name)}: Invalid '${name}' setting for task: ${raw}.`);
  return String(n);
}

/** RunTask: up to 10 copies placed by the scheduler over the cluster's instances. */
export async function runTask(deps: EcsDeps, input: Record<string, unknown>, ctx: RequestContext): Promise<RunTaskResponse> {
  const { req, f } = readLaunch(input, 128);
  const count = f.int('count', { min: 1, max: 10 }) ?? 1;
  const result = await launchTasks(deps, scopeOf(ctx), { ...req, overrides: readOverrides(f) }, count);
  return { tasks: result.tasks.map((t) => toApiTask(t, true)), failures: result.failures };
}

/** StartTask: one task on each named container instance (1–10), where it fits. */
export async function startTask(deps: EcsDeps, input: Record<string, unknown>, ctx: RequestContext): Promise<StartTaskResponse> {
  const { req, f } = readLaunch(input, 36);
  const refs = f.strings('containerInstances', { required: true, maxItems: 10 })!;
  const result = await launchTasksOn(deps, scopeOf(ctx), { ...req, overrides: readOverrides(f) }, refs);
  return { tasks: result.tasks.map((t) => toApiTask(t, true)), failures: result.failures };
}
