/**
 * A task's own cgroup, for tasks whose cpu and memory are limits on the whole task (Fargate):
 * the task's containers (and its pause container) are created under it (Docker's CgroupParent),
 * so together they can use no more than the task's memory even where no container sets a limit.
 * Works with cgroup v2 (memory.max, cpu.max) and v1 (memory.limit_in_bytes, cpu.cfs_quota_us).
 */
import { access, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';

const ROOT = '/sys/fs/cgroup';
const PERIOD_US = 100_000;

/** What a task may use in all: CPU units (1024 a vCPU) and memory MiB. */
export interface TaskLimits {
  cpu?: number;
  memory?: number;
}

/** The agent's task cgroups: a port, so simulated hosts go without. */
export interface TaskCgroups {
  /** Makes (or keeps) the task's cgroup with `limits`; returns the CgroupParent its containers take. */
  create(taskId: string, limits: TaskLimits): Promise<string>;
  /** How many processes the kernel killed in the task's cgroup for lack of memory. */
  oomKills(taskId: string): Promise<number>;
  /** Removes the task's cgroup once nothing runs in it. */
  remove(taskId: string): Promise<void>;
}

/**
 * Makes one directory of a cgroup hierarchy whose parent must exist. Not `recursive`: where the
 * hierarchy is missing (a /sys without the cgroup mounts) that would never return.
 */
async function makeDir(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code === 'ENOENT') throw new Error(`no cgroup hierarchy at ${dir.slice(0, dir.lastIndexOf('/'))}: is ${ROOT} mounted here?`);
    throw error;
  }
}

/** The CgroupParent of a task's containers. */
export const taskCgroupParent = (taskId: string): string => `/wharf/${taskId}`;

/** Task cgroups on this host, under `/wharf` in every hierarchy that limits memory or CPU. */
export class HostTaskCgroups implements TaskCgroups {
  private v2?: Promise<boolean>;

  private unified(): Promise<boolean> {
    this.v2 ??= access(`${ROOT}/cgroup.controllers`).then(() => true, () => false);
    return this.v2;
  }

  /** The task's directories: one in v2, one per controller in v1. */
  private async dirs(taskId: string): Promise<{ memory: string; cpu: string }> {
    const parent = taskCgroupParent(taskId);
    if (await this.unified()) return { memory: `${ROOT}${parent}`, cpu: `${ROOT}${parent}` };
    return { memory: `${ROOT}/memory${parent}`, cpu: `${ROOT}/cpu${parent}` };
  }

  async create(taskId: string, limits: TaskLimits): Promise<string> {
    const v2 = await this.unified();
    const { memory, cpu } = await this.dirs(taskId);
    if (v2) {
      // Controllers must be handed down from the root to the task's cgroup.
      await writeFile(`${ROOT}/cgroup.subtree_control`, '+memory +cpu').catch(() => undefined);
      await makeDir(`${ROOT}/wharf`);
      await writeFile(`${ROOT}/wharf/cgroup.subtree_control`, '+memory +cpu').catch(() => undefined);
    }
    for (const dir of new Set([memory, cpu])) {
      await makeDir(dir.slice(0, dir.lastIndexOf('/')));
      await makeDir(dir);
    }
    if (limits.memory !== undefined) {
      const bytes = String(limits.memory * 1024 * 1024);
      await writeFile(v2 ? `${memory}/memory.max` : `${memory}/memory.limit_in_bytes`, bytes);
    }
    if (limits.cpu !== undefined) {
      const quota = Math.max(1000, Math.round((limits.cpu / 1024) * PERIOD_US));
      if (v2) await writeFile(`${cpu}/cpu.max`, `${quota} ${PERIOD_US}`);
      else {
        await writeFile(`${cpu}/cpu.cfs_period_us`, String(PERIOD_US));
        await writeFile(`${cpu}/cpu.cfs_quota_us`, String(quota));
      }
    }
    return taskCgroupParent(taskId);
  }

  async oomKills(taskId: string): Promise<number> {
    const { memory } = await this.dirs(taskId);
    const file = (await this.unified()) ? `${memory}/memory.events` : `${memory}/memory.oom_control`;
    const text = await readFile(file, 'utf8').catch(() => '');
    return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0);
  }

  async remove(taskId: string): Promise<void> {
    const { memory, cpu } = await this.dirs(taskId);
    for (const dir of new Set([memory, cpu])) {
      // The runtime removes a stopped container's own cgroup a moment after the stop returns.
      for (let attempt = 0; ; attempt++) {
        try {
          await rmdir(dir);
          break;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          if (code !== 'EBUSY' || attempt >= 30) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }
  }
}
