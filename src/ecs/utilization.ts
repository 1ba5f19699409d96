/**
 * Pure: the `AWS/ECS` metrics ECS publishes, from what the running containers use (the agents'
 * telemetry) and what the tasks and instances reserve, as ECS computes them:
 *
 *   service CPUUtilization    = CPU units the service's tasks use / CPU units they reserve × 100
 *   service MemoryUtilization = memory they use / memory they reserve × 100
 *   cluster CPUUtilization    = CPU units tasks use on an instance / the instance's registered units × 100
 *   cluster CPUReservation    = units reserved by tasks on an instance / its registered units × 100
 *
 * One datapoint per task (service metrics) or per instance (cluster metrics) each sample: the
 * Average over a period is then the service's or cluster's figure, and Minimum and Maximum the
 * least and most loaded task or instance, as in ECS.
 */
import type { ContainerInstanceRecord, TaskRecord } from './records.ts';

/** One datapoint to publish. */
export interface EcsDatapoint {
  metricName: 'CPUUtilization' | 'MemoryUtilization' | 'CPUReservation' | 'MemoryReservation';
  dimensions: Record<string, string>;
  value: number;
  unit: 'Percent';
  timestamp: number;
}

/** A running task's use: its containers' CPU units and memory MiB together. */
export interface TaskUse {
  task: TaskRecord;
  cpuUnits: number;
  memoryMiB: number;
}

const SERVICE_GROUP = 'service:';
const percent = (used: number, of: number) => Math.round((used / of) * 100 * 1000) / 1000;

/** The datapoints for one telemetry sample of `uses` on `instances`, at `now`. */
export function utilizationDatapoints(uses: readonly TaskUse[], instances: readonly ContainerInstanceRecord[], now: number): EcsDatapoint[] {
  const out: EcsDatapoint[] = [];
  const point = (metricName: EcsDatapoint['metricName'], dimensions: Record<string, string>, value: number) =>
    out.push({ metricName, dimensions, value, unit: 'Percent', timestamp: now });
  const byInstance = new Map<string, { cpu: number; memory: number }>();
  for (const { task, cpuUnits, memoryMiB } of uses) {
    if (task.lastStatus !== 'RUNNING') continue;
    if (task.containerInstanceId) {
      const sum = byInstance.get(task.containerInstanceId) ?? { cpu: 0, memory: 0 };
      byInstance.set(task.containerInstanceId, { cpu: sum.cpu + cpuUnits, memory: sum.memory + memoryMiB });
    }
    if (!task.group.startsWith(SERVICE_GROUP)) continue;
    const dimensions = { ClusterName: task.clusterName, ServiceName: task.group.slice(SERVICE_GROUP.length) };
    if (task.reserved.cpu > 0) point('CPUUtilization', dimensions, percent(cpuUnits, task.reserved.cpu));
    if (task.reserved.memory > 0) point('MemoryUtilization', dimensions, percent(memoryMiB, task.reserved.memory));
  }
  for (const instance of instances) {
    const registered = instance.registeredResources;
    if (instance.status !== 'ACTIVE' || registered.cpu <= 0 || registered.memory <= 0) continue;
    const dimensions = { ClusterName: instance.clusterName };
    const used = byInstance.get(instance.id) ?? { cpu: 0, memory: 0 };
    point('CPUUtilization', dimensions, percent(used.cpu, registered.cpu));
    point('MemoryUtilization', dimensions, percent(used.memory, registered.memory));
    point('CPUReservation', dimensions, percent(registered.cpu - instance.remainingResources.cpu, registered.cpu));
    point('MemoryReservation', dimensions, percent(registered.memory - instance.remainingResources.memory, registered.memory));
  }
  return out;
}
