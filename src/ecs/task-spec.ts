/**
 * Pure: what a task runs and what it takes from its instance, from a task definition and the
 * RunTask overrides (read from the request by the API adapter, checked here against the task
 * definition). The agent gets the spec; placement gets the demand.
 */
import type { ContainerDefinition, KeyValuePair, TaskOverride } from '@aws-sdk/client-ecs';
import type { TaskSpec } from '../common/index.ts';
import type { Demand } from '../scheduler/index.ts';
import { EcsErrors } from './errors.ts';
import type { TaskDefinitionRecord } from './records.ts';

/**
 * Checks RunTask/StartTask `overrides` (already read from the request) against the task
 * definition they override: every container override must name one of its containers.
 */
export function checkOverrides(overrides: TaskOverride, td: TaskDefinitionRecord): void {
  const names = new Set((td.containerDefinitions ?? []).map((c) => c.name));
  for (const { name } of overrides.containerOverrides ?? []) {
    if (!names.has(name)) throw EcsErrors.invalidParameter(`Override for container named ${name} is not a container in the TaskDefinition.`);
  }
}

function mergeEnvironment(base: KeyValuePair[] | undefined, extra: KeyValuePair[] | undefined): KeyValuePair[] | undefined {
  if (!extra?.length) return base;
  const byName = new Map((base ?? []).map((e) => [e.name, e]));
  for (const e of extra) byName.set(e.name, e);
  return [...byName.values()];
}

const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The task definition with overrides applied: container command/env/cpu/memory, task cpu/memory. */
export function taskSpec(td: TaskDefinitionRecord, overrides: TaskOverride): TaskSpec {
  const containers = (td.containerDefinitions ?? []).map((c): ContainerDefinition => {
    const o = overrides.containerOverrides?.find((x) => x.name === c.name);
    if (!o) return c;
    return {
      ...c,
      ...defined({ command: o.command, cpu: o.cpu, memory: o.memory, memoryReservation: o.memoryReservation }),
      environment: mergeEnvironment(c.environment, o.environment),
    };
  });
  const number = (s: string | undefined) => (s === undefined || s === '' ? undefined : Number(s));
  return {
    family: td.family,
    revision: td.revision,
    networkMode: (td.networkMode ?? 'bridge') as TaskSpec['networkMode'],
    cpu: number(overrides.cpu ?? td.cpu),
    memory: number(overrides.memory ?? td.memory),
    ...defined({ taskRoleArn: overrides.taskRoleArn ?? td.taskRoleArn, executionRoleArn: overrides.executionRoleArn ?? td.executionRoleArn }),
    containers,
    ...defined({ volumes: td.volumes?.length ? td.volumes : undefined, pidMode: td.pidMode, ipcMode: td.ipcMode }),
  };
}

/**
 * What a task takes from its instance, as ECS counts it: task-level cpu/memory when set,
 * else the sum over containers (memoryReservation where given, as the soft limit is what is
 * reserved); static host ports (bridge: hostPort > 0; host: the containerPort); GPUs from
 * the containers' `resourceRequirements`; one ENI for an awsvpc task.
 */
export function taskDemand(spec: TaskSpec): Demand {
  const sum = (f: (c: ContainerDefinition) => number) => spec.containers.reduce((n, c) => n + f(c), 0);
  const ports: number[] = [];
  const portsUdp: number[] = [];
  for (const c of spec.containers) {
    for (const pm of c.portMappings ?? []) {
      const host = spec.networkMode === 'host' ? pm.containerPort : spec.networkMode === 'bridge' ? pm.hostPort : undefined;
      if (!host) continue;
      (pm.protocol === 'udp' ? portsUdp : ports).push(host);
    }
  }
  const gpus = sum((c) => (c.resourceRequirements ?? []).filter((r) => r.type === 'GPU').reduce((n, r) => n + Number(r.value), 0));
  return {
    cpu: spec.cpu ?? sum((c) => c.cpu ?? 0),
    memory: spec.memory ?? sum((c) => c.memoryReservation ?? c.memory ?? 0),
    ports,
    portsUdp,
    ...(gpus > 0 ? { gpus } : {}),
    ...(spec.networkMode === 'awsvpc' ? { enis: 1 } : {}),
  };
}
