/**
 * Pure: task-level `cpu` and `memory` as RegisterTaskDefinition reads them (CPU units or
 * vCPUs; MiB or GB), the task sizes Fargate offers, and the checks that tie container-level
 * cpu and memory to the task's. ECS converts the strings to integer units when it registers a
 * task definition, so `"1 vCPU"` is stored and returned as `"1024"` and `"0.5GB"` as `"512"`.
 */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { EcsErrors } from './errors.ts';

/** The task-level CPU range ECS accepts outside Fargate: 0.125 to 192 vCPUs. */
export const TASK_CPU_RANGE = { min: 128, max: 196608 } as const;

/**
 * Task-level `cpu` in CPU units: an integer (`"1024"`) or vCPUs (`"1 vCPU"`, `"0.5 vcpu"`,
 * `"2vCPU"`). Undefined when the string is not one of those or not a whole number of units.
 */
export function parseTaskCpu(raw: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(raw);
  if (!m) return undefined;
  const units = m[2] ? Number(m[1]) * 1024 : Number(m[1]);
  return Number.isInteger(units) ? units : undefined;
}

/**
 * Task-level `memory` in MiB: an integer (`"1024"`), or with a unit: `"1GB"`, `"1 GB"`,
 * `"0.5GiB"` (×1024), `"512 MiB"`, `"512MB"`. Undefined when malformed or not whole MiB.
 */
export function parseTaskMemory(raw: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(gb|gib|mb|mib)?\s*$/i.exec(raw);
  if (!m) return undefined;
  const unit = m[2]?.toLowerCase();
  const mib = unit === 'gb' || unit === 'gib' ? Number(m[1]) * 1024 : Number(m[1]);
  return Number.isInteger(mib) ? mib : undefined;
}

/** Reads task-level `cpu`; ClientException `Invalid 'cpu' setting for task.` when it is not valid. */
export function readTaskCpu(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const units = parseTaskCpu(raw);
  if (units === undefined || units < TASK_CPU_RANGE.min || units > TASK_CPU_RANGE.max) throw EcsErrors.client(`Invalid 'cpu' setting for task.`);
  return units;
}

/** Reads task-level `memory`; ClientException `Invalid 'memory' setting for task.` when it is not valid. */
export function readTaskMemory(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const mib = parseTaskMemory(raw);
  if (mib === undefined || mib < 6) throw EcsErrors.client(`Invalid 'memory' setting for task.`);
  return mib;
}

const gb = (n: number) => n * 1024;
const steps = (from: number, to: number, step: number) => {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
};

/** Fargate task sizes (Developer Guide, "Task CPU and memory"): CPU units → the memory MiB it allows. */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, gb(1), gb(2)]],
  [512, steps(gb(1), gb(4), gb(1))],
  [1024, steps(gb(2), gb(8), gb(1))],
  [2048, steps(gb(4), gb(16), gb(1))],
  [4096, steps(gb(8), gb(30), gb(1))],
  [8192, steps(gb(16), gb(60), gb(4))],
  [16384, steps(gb(32), gb(120), gb(8))],
]);

/** True when `cpu` units and `memory` MiB are one of the Fargate task sizes. */
export function isFargateSize(cpu: number, memory: number): boolean {
  return FARGATE_SIZES.get(cpu)?.includes(memory) ?? false;
}

/**
 * The rules between container and task resources, with ECS's messages: without task-level
 * memory every container needs `memory` or `memoryReservation`; with it, no container's hard
 * limit may exceed it and the reservations together may not either; with task-level cpu, the
 * containers' cpu together may not exceed it.
 */
export function checkContainerResources(containers: ContainerDefinition[], taskCpu: number | undefined, taskMemory: number | undefined): void {
  if (taskMemory === undefined) {
    for (const c of containers) {
      if (c.memory === undefined && c.memoryReservation === undefined) {
        throw EcsErrors.client(`Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`);
      }
    }
  } else {
    for (const c of containers) {
      if (c.memory !== undefined && c.memory > taskMemory) throw EcsErrors.client(`The 'memory' setting for container '${c.name}' is greater than for the task.`);
    }
    const reserved = containers.reduce((n, c) => n + (c.memoryReservation ?? c.memory ?? 0), 0);
    if (reserved > taskMemory) {
      const member = containers.some((c) => c.memoryReservation !== undefined) ? 'memoryReservation' : 'memory';
      throw EcsErrors.client(`The sum of all container '${member}' values cannot be greater than the value of the task 'memory'.`);
    }
  }
  if (taskCpu !== undefined) {
    const cpu = containers.reduce((n, c) => n + (c.cpu ?? 0), 0);
    if (cpu > taskCpu) throw EcsErrors.client(`The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.`);
  }
}
