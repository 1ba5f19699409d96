/**
 * The task engine: keeps one owner (`TaskManager`) per task, routes the control plane's task
 * sets and the runtime's events to them, re-adopts containers after a restart, and saves the
 * agent's state. It changes no task itself; each task's owner does.
 */
import { randomIds, systemClock, type Clock, type DesiredTask, type Ids, type TaskStateChange } from '../common/index.ts';
import { DEFAULT_STOP_TIMEOUT_SECONDS, LABEL } from './container-config.ts';
import type { ContainerRuntime, ContainerSummary, RuntimeEvent, Subscription } from './runtime.ts';
import type { TaskCgroups } from './task-cgroups.ts';
import type { TaskNetworks } from './task-networks.ts';
import { CHECKPOINT_FORMAT, CheckpointWriter, decodeTask, type CheckpointStore, type StoredTask } from './checkpoint.ts';
import { TaskManager, type TaskManagerDeps } from './task-manager.ts';
import { newTask, type TaskModel } from './task-lifecycle.ts';
import type { TaskCredentials } from './task-credentials.ts';
import type { SampledContainer } from './telemetry.ts';

/** ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION's default: 3 hours. */
export const DEFAULT_CLEANUP_WAIT_MS = 3 * 60 * 60 * 1000;
/** How many cleaned-up task ARNs are remembered so they never start again. */
const FORGOTTEN_LIMIT = 1000;

/** What the engine runs with. */
export interface TaskEngineOptions {
  runtime: ContainerRuntime;
  agentId: string;
  store: CheckpointStore;
  /** Tasks and forgotten ARNs from the checkpoint, when there was one. */
  restored?: { tasks: StoredTask[]; forgotten: string[] };
  /** Called with each new state of a task, in order per task. */
  onStateChange: (change: TaskStateChange) => void;
  hostIp?: string;
  cleanupWaitMs?: number;
  clock?: Clock;
  ids?: Ids;
  log?: (message: string) => void;
  /** Milliseconds before failed stops and cleanups are retried. */
  retryMs?: number;
  /** host:port of Wharf's registry, for images there or named in ECR's host form (the replica the agent uses now). */
  registryHost?: () => string;
  /** The secret the control plane issued this agent, saved with its checkpoint (none until its first registration). */
  agentSecret?: () => string | undefined;
  /** How awsvpc tasks get their network namespaces (none: they fail to start). */
  networks?: TaskNetworks;
  /** Task cgroups for tasks limited as a whole (Fargate); none: only their containers' own limits apply. */
  cgroups?: TaskCgroups;
  /** The task endpoints' base URL, when this host serves them. */
  taskEndpointsUrl?: string;
  /** The tasks' resolver's address, when this host serves it. */
  taskResolver?: string;
  /** Sessions of the tasks' roles. */
  credentials?: TaskCredentials;
  /** Wharf's API, for the agent's calls for a task (secrets). */
  apiServer?: () => string;
  /** Where awslogs containers' output goes. */
  logSink?: TaskManagerDeps['logSink'];
  /** The directory every host of the cluster mounts, holding the EFS file systems (none: EFS volumes fail). */
  efsDir?: string;
}

/** Converges this host's containers to the tasks the control plane assigns. */
export class TaskEngine {
  private readonly managers = new Map<string, TaskManager>();
  private readonly byRuntimeId = new Map<string, TaskManager>();
  /** Task owners by the ids of their endpoint URLs: credentials id, and each container's metadata id (→ its name). */
  private readonly byCredentialsId = new Map<string, TaskManager>();
  private readonly byMetadataId = new Map<string, { manager: TaskManager; container: string }>();
  /** Containers with this agent's label whose task the agent does not know (lost state). */
  private readonly orphans = new Map<string, ContainerSummary[]>();
  private readonly forgotten: string[];
  private readonly writer: CheckpointWriter;
  private readonly log: (message: string) => void;
  private subscription?: Subscription;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly o: TaskEngineOptions) {
    this.log = o.log ?? (() => undefined);
    this.forgotten = [...(o.restored?.forgotten ?? [])];
    this.writer = new CheckpointWriter(o.store, () => {
      const agentSecret = o.agentSecret?.();
      return {
        format: CHECKPOINT_FORMAT,
        agentId: o.agentId,
        ...(agentSecret !== undefined && { agentSecret }),
        tasks: [...this.managers.values()].map((m) => m.record()),
        forgotten: this.forgotten,
      };
    });
  }

  /**
   * Subscribes to container events, then re-adopts: every restored task gets the containers
   * that carry its labels, and reports its current state.
   */
  async start(): Promise<void> {
    this.subscription = await this.o.runtime.subscribe({ [LABEL.agentId]: this.o.agentId }, (e) => this.onRuntimeEvent(e));
    const existing = await this.o.runtime.listContainers({ [LABEL.agentId]: this.o.agentId });
    const byTask = new Map<string, ContainerSummary[]>();
    for (const s of existing) {
      const arn = s.labels[LABEL.taskArn];
      if (arn) byTask.set(arn, [...(byTask.get(arn) ?? []), s]);
    }
    for (const stored of this.o.restored?.tasks ?? []) {
      const manager = this.add(decodeTask(stored));
      manager.adopt(byTask.get(manager.taskArn) ?? []);
      byTask.delete(manager.taskArn);
      manager.kick();
    }
    for (const [arn, found] of byTask) this.orphans.set(arn, found);
    if (this.orphans.size) this.log(`${this.orphans.size} task(s) have containers here but no saved state; waiting for the control plane's task set`);
    await this.writer.request();
  }

  /**
   * Applies a `tasks` message: each task goes to its owner (created when new); with
   * `complete`, tasks the agent runs that are not in the set are stopped.
   */
  applyTasks(tasks: readonly DesiredTask[], complete: boolean): void {
    if (this.closed) return;
    const inSet = new Set<string>();
    for (const desired of tasks) {
      inSet.add(desired.taskArn);
      const known = this.managers.get(desired.taskArn);
      if (known) {
        known.setDesired(desired);
        continue;
      }
      if (this.forgotten.includes(desired.taskArn)) continue;
      const manager = this.add(newTask(desired));
      const orphaned = this.orphans.get(desired.taskArn);
      if (orphaned) {
        manager.adopt(orphaned);
        this.orphans.delete(desired.taskArn);
      }
      manager.kick();
    }
    if (!complete) return;
    for (const m of this.managers.values()) {
      if (!inSet.has(m.taskArn) && m.status !== 'STOPPED') m.unassign();
    }
    for (const [arn, found] of this.orphans) {
      if (inSet.has(arn)) continue;
      this.orphans.delete(arn);
      void this.removeOrphans(arn, found);
    }
  }

  /** The latest state of every task the agent knows, for resending after a reconnect. */
  stateChanges(): TaskStateChange[] {
    return [...this.managers.values()].flatMap((m) => m.latest() ?? []);
  }

  /** Saves the checkpoint now (e.g. with a new agent secret); resolves once it is written. */
  saveCheckpoint(): Promise<void> {
    return this.writer.request();
  }

  /** Tasks by ARN and how far each has come (for logs and tests). */
  tasks(): Map<string, string> {
    return new Map([...this.managers].map(([arn, m]) => [arn, m.status]));
  }

  /** Stops acting and saves; containers keep running for the next start to re-adopt. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscription?.close();
    for (const t of this.timers) clearTimeout(t);
    await Promise.all([...this.managers.values()].map((m) => m.close()));
    await this.writer.request();
  }

  private add(model: ReturnType<typeof newTask>): TaskManager {
    const manager: TaskManager = new TaskManager(model, {
      runtime: this.o.runtime,
      clock: this.o.clock ?? systemClock,
      ids: this.o.ids ?? randomIds,
      agentId: this.o.agentId,
      hostIp: this.o.hostIp ?? '127.0.0.1',
      cleanupWaitMs: this.o.cleanupWaitMs ?? DEFAULT_CLEANUP_WAIT_MS,
      retryMs: this.o.retryMs,
      registryHost: this.o.registryHost,
      networks: this.o.networks,
      cgroups: this.o.cgroups,
      taskEndpointsUrl: this.o.taskEndpointsUrl,
      taskResolver: this.o.taskResolver,
      credentials: this.o.credentials,
      apiServer: this.o.apiServer,
      efsDir: this.o.efsDir,
      logSink: this.o.logSink,
      persist: () => this.writer.request(),
      report: (change) => {
        if (!this.closed) this.o.onStateChange(change);
      },
      track: (id) => this.byRuntimeId.set(id, manager),
      forget: (arn) => this.forget(arn, manager),
      log: this.log,
    });
    this.managers.set(model.taskArn, manager);
    const ids = manager.current.endpoints!;
    this.byCredentialsId.set(ids.credentialsId, manager);
    for (const [container, id] of Object.entries(ids.containers)) this.byMetadataId.set(id, { manager, container });
    return manager;
  }

  /** The containers running now, for telemetry. */
  runningContainers(): SampledContainer[] {
    const out: SampledContainer[] = [];
    for (const m of this.managers.values()) {
      for (const c of m.current.containers) if (c.known === 'RUNNING' && c.runtimeId) out.push({ taskArn: m.taskArn, container: c.name, runtimeId: c.runtimeId });
    }
    return out;
  }

  /** The task whose credentials URL has `id`. */
  taskByCredentialsId(id: string): TaskModel | undefined {
    return this.byCredentialsId.get(id)?.current;
  }

  /** The task and container whose metadata URL has `id`. */
  taskByMetadataId(id: string): { task: TaskModel; container: string } | undefined {
    const found = this.byMetadataId.get(id);
    return found && { task: found.manager.current, container: found.container };
  }

  private forget(arn: string, manager: TaskManager): void {
    if (this.managers.get(arn) !== manager) return;
    this.managers.delete(arn);
    for (const [id, m] of this.byRuntimeId) if (m === manager) this.byRuntimeId.delete(id);
    const ids = manager.current.endpoints!;
    this.byCredentialsId.delete(ids.credentialsId);
    for (const id of Object.values(ids.containers)) this.byMetadataId.delete(id);
    this.forgotten.push(arn);
    if (this.forgotten.length > FORGOTTEN_LIMIT) this.forgotten.splice(0, this.forgotten.length - FORGOTTEN_LIMIT);
    this.writer.request().catch((err: unknown) => this.log(`saving state: ${String(err)}`));
  }

  private onRuntimeEvent(event: RuntimeEvent): void {
    if (this.closed) return;
    if (event.type === 'resync') {
      for (const m of this.managers.values()) m.resync();
      return;
    }
    const manager = this.byRuntimeId.get(event.id);
    if (!manager) return;
    if (event.type === 'exit') manager.onExit(event.id, event.exitCode);
    else manager.onHealth(event.id, event.health);
  }

  /** Containers of a task nobody assigns: stopped now, removed after the cleanup wait. */
  private async removeOrphans(arn: string, found: ContainerSummary[]): Promise<void> {
    this.log(`task ${arn} is not assigned to this instance; stopping its ${found.length} container(s)`);
    try {
      await Promise.all(found.map((s) => this.o.runtime.stopContainer(s.id, DEFAULT_STOP_TIMEOUT_SECONDS)));
    } catch (err) {
      this.log(`stopping containers of ${arn}: ${String(err)}`);
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      for (const s of found) void this.o.runtime.removeContainer(s.id).catch(() => undefined);
    }, this.o.cleanupWaitMs ?? DEFAULT_CLEANUP_WAIT_MS);
    timer.unref();
    this.timers.add(timer);
  }
}
