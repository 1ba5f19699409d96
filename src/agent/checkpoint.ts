/**
 * The agent's checkpoint (ECS's agent calls saving it `ECS_CHECKPOINT`): its agentId, the
 * secret the control plane issued it, and the tasks it knows, so a restarted agent keeps its identity and re-adopts its containers. Kept in
 * `agent-state.json` in the agent's data dir (the file's name predates the word). The stored records are their own versioned types,
 * encoded from and decoded into the in-memory task models at this edge, never the models
 * themselves. Writes are atomic (temp file, fsync, rename) and coalesced.
 */
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { NetworkBinding } from '@aws-sdk/client-ecs';
import type { DesiredTask } from '../common/index.ts';
import type { ContainerKnown, StopReason, TaskEndpointIds, TaskKnown, TaskModel } from './task-lifecycle.ts';
import type { LogCursor } from './log-lines.ts';
import type { InFlightBatch } from './log-shipper.ts';

/** The tag of the current checkpoint format (unchanged since the file was called the state file). */
export const CHECKPOINT_FORMAT = 'wharf-agent-state/1';

/** One container as stored. */
export interface StoredContainer {
  name: string;
  known: ContainerKnown;
  started: boolean;
  runtimeId?: string;
  dockerName?: string;
  exitCode?: number;
  reason?: string;
  networkBindings?: NetworkBinding[];
  ipAddress?: string;
  logCursor?: LogCursor;
  logsDone?: boolean;
  logInFlight?: InFlightBatch;
}

/** One task as stored. */
export interface StoredTask {
  desired: DesiredTask;
  known: TaskKnown;
  stopping?: StopReason;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  containers: StoredContainer[];
  /** An awsvpc task's namespace: whether it was set up, its pause container, the firewall loaded. */
  network?: { known: 'NONE' | 'READY' | 'RELEASED'; pauseId?: string; firewall?: string };
  /** The ids of its endpoint URLs, which its containers have in their environment. */
  endpoints?: TaskEndpointIds;
}

/** The whole checkpoint. */
export interface AgentCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  agentId: string;
  /**
   * The secret the control plane issued at the agent's first registration, said in every later
   * hello to prove the agent is the one that registered (absent before it, and in checkpoints
   * written before agent secrets: such an agent registers as a new container instance).
   */
  agentSecret?: string;
  tasks: StoredTask[];
  /** ARNs of tasks already stopped and cleaned up, so a late RUNNING never restarts them. */
  forgotten: string[];
}

/** Where the record lives: a file for real agents, memory for simulated ones. */
export interface CheckpointStore {
  load(): Promise<AgentCheckpoint | undefined>;
  save(record: AgentCheckpoint): Promise<void>;
}

/** The stored form of a task model (in-flight actions are not stored: they are re-observed). */
export function encodeTask(t: TaskModel): StoredTask {
  return {
    desired: t.desired,
    ...(t.endpoints && { endpoints: t.endpoints }),
    known: t.known,
    ...(t.stopping && { stopping: { ...t.stopping } }),
    ...(t.pullStartedAt !== undefined && { pullStartedAt: t.pullStartedAt }),
    ...(t.pullStoppedAt !== undefined && { pullStoppedAt: t.pullStoppedAt }),
    ...(t.startedAt !== undefined && { startedAt: t.startedAt }),
    ...(t.executionStoppedAt !== undefined && { executionStoppedAt: t.executionStoppedAt }),
    ...(t.stoppedAt !== undefined && { stoppedAt: t.stoppedAt }),
    containers: t.containers.map((c) => ({
      name: c.name,
      known: c.known,
      started: c.started,
      ...(c.runtimeId !== undefined && { runtimeId: c.runtimeId }),
      ...(c.dockerName !== undefined && { dockerName: c.dockerName }),
      ...(c.exitCode !== undefined && { exitCode: c.exitCode }),
      ...(c.reason !== undefined && { reason: c.reason }),
      ...(c.networkBindings && { networkBindings: c.networkBindings }),
      ...(c.ipAddress !== undefined && { ipAddress: c.ipAddress }),
      ...(c.logCursor && { logCursor: c.logCursor }),
      ...(c.logsDone && { logsDone: true }),
      ...(c.logInFlight && { logInFlight: c.logInFlight }),
    })),
    ...(t.network && {
      network: {
        known: t.network.known,
        ...(t.network.pauseId !== undefined && { pauseId: t.network.pauseId }),
        ...(t.network.firewall !== undefined && { firewall: t.network.firewall }),
      },
    }),
  };
}

/**
 * The task model of a stored task. A container stored as PULLED goes back to NONE, so its
 * image is checked again (it may have been removed while the agent was down).
 */
export function decodeTask(s: StoredTask): TaskModel {
  return {
    taskArn: s.desired.taskArn,
    desired: s.desired,
    known: s.known,
    stopping: s.stopping,
    pullStartedAt: s.pullStartedAt,
    pullStoppedAt: s.pullStoppedAt,
    startedAt: s.startedAt,
    executionStoppedAt: s.executionStoppedAt,
    stoppedAt: s.stoppedAt,
    ...(s.desired.networkInterface && { network: s.network ? { ...s.network } : { known: 'NONE' as const } }),
    containers: s.desired.spec.containers.map((def) => {
      const stored = s.containers.find((c) => c.name === def.name);
      const known = stored?.known === 'PULLED' || !stored ? 'NONE' : stored.known;
      return {
        name: def.name ?? '',
        def,
        known,
        started: stored?.started ?? false,
        runtimeId: stored?.runtimeId,
        dockerName: stored?.dockerName,
        exitCode: stored?.exitCode,
        reason: stored?.reason,
        networkBindings: stored?.networkBindings,
        ipAddress: stored?.ipAddress,
        logCursor: stored?.logCursor,
        logsDone: stored?.logsDone,
        logInFlight: stored?.logInFlight,
      };
    }),
    ...(s.endpoints && { endpoints: s.endpoints }),
  };
}

/** Checks that parsed JSON is a checkpoint this agent can read; throws saying what is wrong. */
export function decodeCheckpoint(raw: unknown): AgentCheckpoint {
  const fail = (what: string): never => {
    throw new Error(`not a Wharf agent checkpoint: ${what}`);
  };
  if (!raw || typeof raw !== 'object') return fail('not an object');
  const r = raw as Partial<AgentCheckpoint>;
  if (r.format !== CHECKPOINT_FORMAT) return fail(`format is ${JSON.stringify(r.format)}, expected ${CHECKPOINT_FORMAT}`);
  if (typeof r.agentId !== 'string' || !r.agentId) return fail('agentId missing');
  if (!Array.isArray(r.tasks)) return fail('tasks missing');
  for (const t of r.tasks) {
    if (!t || typeof t !== 'object' || typeof t.desired?.taskArn !== 'string' || !Array.isArray(t.desired.spec?.containers)) {
      return fail('a task without its desired spec');
    }
    if (!Array.isArray(t.containers)) return fail(`task ${t.desired.taskArn} without containers`);
  }
  return {
    format: CHECKPOINT_FORMAT,
    agentId: r.agentId,
    ...(typeof r.agentSecret === 'string' && r.agentSecret && { agentSecret: r.agentSecret }),
    tasks: r.tasks,
    forgotten: Array.isArray(r.forgotten) ? r.forgotten.filter((a) => typeof a === 'string') : [],
  };
}

/** The checkpoint file in the agent's data dir. */
export class FileCheckpointStore implements CheckpointStore {
  private seq = 0;

  constructor(readonly path: string) {}

  /** The checkpoint file's usual place in a data dir. */
  static inDataDir(dataDir: string): FileCheckpointStore {
    return new FileCheckpointStore(join(dataDir, 'agent-state.json'));
  }

  async load(): Promise<AgentCheckpoint | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      return decodeCheckpoint(JSON.parse(text));
    } catch (err) {
      throw new Error(`Cannot read the agent checkpoint ${this.path}: ${(err as Error).message}`);
    }
  }

  async save(record: AgentCheckpoint): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.${++this.seq}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(record));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, this.path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    const dir = await open(dirname(this.path), 'r').catch(() => undefined);
    await dir?.sync().catch(() => undefined);
    await dir?.close();
  }
}

/**
 * A checkpoint store in memory, for simulated hosts and tests. A save keeps the record as built
 * (the engine builds a fresh one for each save from immutable task models) and the JSON round
 * trip happens on load instead, so thousands of simulated agents in one process do not encode
 * their whole checkpoint on every task change.
 */
export class MemoryCheckpointStore implements CheckpointStore {
  private record?: AgentCheckpoint;
  async load(): Promise<AgentCheckpoint | undefined> {
    return this.record === undefined ? undefined : decodeCheckpoint(JSON.parse(JSON.stringify(this.record)));
  }
  async save(record: AgentCheckpoint): Promise<void> {
    this.record = { ...record, tasks: [...record.tasks], forgotten: [...record.forgotten] };
  }
}

/**
 * Coalesces saves: at most one write runs and at most one waits; a request made while a
 * write runs is served by the next one, which encodes the checkpoint as it is then.
 */
export class CheckpointWriter {
  private current?: Promise<void>;
  private pending?: Promise<void>;

  constructor(private readonly store: CheckpointStore, private readonly build: () => AgentCheckpoint) {}

  /** Resolves once a write that includes everything changed before this call is on disk. */
  request(): Promise<void> {
    if (this.pending) return this.pending;
    const prior = (this.current ?? Promise.resolve()).catch(() => undefined);
    const next = prior.then(async () => {
      this.pending = undefined;
      const write = this.store.save(this.build());
      this.current = write;
      try {
        await write;
      } finally {
        if (this.current === write) this.current = undefined;
      }
    });
    this.pending = next;
    return next;
  }
}
