/**
 * The agent's telemetry: every interval, what each running task container uses (CPU units and
 * memory MiB, from Docker's stats), sent on the link apart from task state. The control plane
 * turns it into the `AWS/ECS` CPUUtilization and MemoryUtilization metrics.
 */
import type { ContainerSample } from '../common/index.ts';
import type { ContainerRuntime } from './runtime.ts';

/** Docker's stats, the parts read here. */
interface DockerStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; stats?: { cache?: number; inactive_file?: number; total_inactive_file?: number } };
}

/**
 * CPU units and memory MiB from one stats answer, as `docker stats` computes them: the share of
 * the host's CPU time over the sample (× cores × 1,024), and usage less the page cache.
 */
export function usageOf(raw: Record<string, unknown>): { cpuUnits: number; memoryMiB: number } {
  const s = raw as DockerStats;
  const cpu = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const system = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const cores = s.cpu_stats?.online_cpus ?? 1;
  const cpuUnits = cpu > 0 && system > 0 ? (cpu / system) * cores * 1024 : 0;
  const m = s.memory_stats;
  const cache = m?.stats?.total_inactive_file ?? m?.stats?.inactive_file ?? m?.stats?.cache ?? 0;
  return { cpuUnits: Math.round(cpuUnits * 100) / 100, memoryMiB: Math.round((Math.max(0, (m?.usage ?? 0) - cache) / 2 ** 20) * 100) / 100 };
}

/** A running container to sample. */
export interface SampledContainer {
  taskArn: string;
  container: string;
  runtimeId: string;
}

/** Samples every container now (a container gone meanwhile is left out). */
export async function sampleContainers(runtime: ContainerRuntime, containers: readonly SampledContainer[]): Promise<ContainerSample[]> {
  const samples = await Promise.all(containers.map(async (c) => {
    const stats = await runtime.containerStats(c.runtimeId).catch(() => undefined);
    return stats ? { taskArn: c.taskArn, container: c.container, ...usageOf(stats) } : undefined;
  }));
  return samples.filter((s): s is ContainerSample => s !== undefined);
}
