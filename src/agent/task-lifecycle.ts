/**
 * The pure core of one task on the agent: its in-memory model, how observations and action
 * results change it (`reduce`), what to do next (`plan`), and what to report
 * (`toStateChange`). No I/O and no clock: the task's owner (`task-manager.ts`) feeds it events
 * with the time, runs the actions it asks for, and feeds back their results.
 *
 *   container: NONE ─pull─▶ PULLED ─create─▶ CREATED ─start─▶ RUNNING ─stop/exit─▶ STOPPED
 *   task:      NONE ──▶ PENDING ──(all containers up)──▶ RUNNING ──(all stopped)──▶ STOPPED
 *   awsvpc:    network NONE ─setupNetwork─▶ READY (containers are created only now) ─releaseNetwork─▶ RELEASED
 *              (released once every container has stopped; the task is STOPPED only after)
 *
 * Statuses only move forward. Once the task is stopping (server said STOPPED, an essential
 * container exited, a container failed to start) it never starts anything again. Health is not
 * a status: Docker's check may flip a RUNNING container between healthy and unhealthy any
 * number of times, each flip is a new report, and the agent never stops a task for it (in ECS
 * the service scheduler replaces unhealthy service tasks; a standalone task keeps running).
 */
import type { ContainerDefinition, NetworkBinding } from '@aws-sdk/client-ecs';
import type { ContainerStateChange, DesiredTask, TaskStateChange, TaskStatus } from '../common/index.ts';
import { networkBindings } from './container-config.ts';
import { buildDependencyGraph, startReadiness, stopReady, type DependencyGraph, type DependencyProgress } from './depends-on.ts';
import type { ContainerInfo } from './runtime.ts';
import type { LogCursor } from './log-lines.ts';
import type { InFlightBatch } from './log-shipper.ts';
import { volumesFromCreated } from './task-volumes.ts';

/** How far the agent has brought one container. */
export type ContainerKnown = 'NONE' | 'PULLED' | 'CREATED' | 'RUNNING' | 'STOPPED';
/** How far the agent has brought the task. */
export type TaskKnown = 'NONE' | 'PENDING' | 'RUNNING' | 'STOPPED';
/** ECS's health of a container, as reported to the control plane. */
export type ContainerHealthStatus = NonNullable<ContainerStateChange['healthStatus']>;
/** The stop codes the agent reports. */
export type StopCode = NonNullable<TaskStateChange['stopCode']>;

const CONTAINER_ORDER: readonly ContainerKnown[] = ['NONE', 'PULLED', 'CREATED', 'RUNNING', 'STOPPED'];
const STOP_CODES: readonly string[] = ['TaskFailedToStart', 'EssentialContainerExited', 'UserInitiated', 'ServiceSchedulerInitiated', 'SpotInterruption', 'TerminationNotice'];

/** One container of the task, as the agent knows it. */
export interface ContainerModel {
  name: string;
  def: ContainerDefinition;
  known: ContainerKnown;
  /** An action on it is under way; no other is started until its result comes back. */
  busy?: 'pull' | 'create' | 'start' | 'stop';
  runtimeId?: string;
  dockerName?: string;
  /** It has run at some point (a container that exits ran). */
  started: boolean;
  exitCode?: number;
  reason?: string;
  /** Docker's health check status while it runs; once it has stopped, the last one seen. */
  health?: 'starting' | 'healthy' | 'unhealthy';
  networkBindings?: NetworkBinding[];
  /** Its address on the Docker bridge while it runs there (the source of its requests to the task endpoints). */
  ipAddress?: string;
  /** awslogs: how far its output is in CloudWatch Logs, and whether all of it is (it stopped and the rest was shipped). */
  logCursor?: LogCursor;
  logsDone?: boolean;
  /** awslogs: the batch being sent, checkpointed before it is (cleared once it is acknowledged). */
  logInFlight?: InFlightBatch;
}

/**
 * The ids in a task's endpoint URLs, given to its containers in their environment: the
 * credentials id (`/v2/credentials/<id>`) and each container's metadata id (`/v4/<id>`).
 */
export interface TaskEndpointIds {
  credentialsId: string;
  containers: Record<string, string>;
}

/** Why the task is stopping; the first reason wins. */
export interface StopReason {
  stopCode?: StopCode;
  stoppedReason?: string;
}

/**
 * An awsvpc task's network namespace, held by its pause container: NONE until the pause
 * container runs with the task's interface and firewall (READY), RELEASED once it is gone.
 */
export interface NetworkModel {
  known: 'NONE' | 'READY' | 'RELEASED';
  busy?: 'setup' | 'firewall' | 'release';
  pauseId?: string;
  /** The firewall loaded in the namespace (JSON), to see when the desired one differs. */
  firewall?: string;
}

/** One task, as the agent knows it. */
export interface TaskModel {
  taskArn: string;
  desired: DesiredTask;
  known: TaskKnown;
  /** An awsvpc task's namespace (absent for the other network modes). */
  network?: NetworkModel;
  /** Its endpoint ids, fixed when the agent first takes the task (containers keep them in their environment). */
  endpoints?: TaskEndpointIds;
  stopping?: StopReason;
  containers: ContainerModel[];
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
}

/** Something that happened to the task: an instruction, an observation, an action's result. */
export type TaskEvent =
  | { type: 'desired'; desired: DesiredTask }
  | { type: 'unassigned' }
  | { type: 'pulled'; container: string }
  | { type: 'created'; container: string; runtimeId: string; dockerName: string }
  /**
   * A step failed; `resources`: what the task needs before its containers (secrets, registry
   * credentials) could not be had. `reason`, when given, is the whole stop reason (a task resource's, in ECS's words).
   */
  | { type: 'failed'; container: string; step: 'pull' | 'create' | 'start' | 'resources'; message: string; reason?: string }
  | { type: 'stopFailed'; container: string }
  /** What the runtime says of a container; `ends` when it is the result of that action. */
  | { type: 'observed'; container: string; info: ContainerInfo | undefined; ends?: 'create' | 'start' | 'stop' }
  | { type: 'exited'; container: string; exitCode: number }
  | { type: 'health'; container: string; health: 'starting' | 'healthy' | 'unhealthy' }
  /** The pause container runs (`pauseId`) with the interface and `firewall` in place; or it could not be set up. */
  | { type: 'networkReady'; pauseId: string; firewall: string }
  | { type: 'networkFailed'; pauseId?: string; message: string }
  | { type: 'firewallApplied'; firewall: string }
  /** Loading a firewall or releasing the namespace failed: it is planned again. */
  | { type: 'networkRetry' }
  | { type: 'networkReleased' }
  /** After a restart: the pause container is no longer running, so the namespace is gone. */
  | { type: 'networkLost' }
  /** awslogs: a batch of the container's output was acknowledged up to `cursor`; or all of it was (`done`). */
  | { type: 'logsShipped'; container: string; cursor?: LogCursor; done?: boolean }
  /** awslogs: a batch up to `batch.cursor` is about to be sent. */
  | { type: 'logsInFlight'; container: string; batch: InFlightBatch };

/** Something the owner should do: to a container, or to an awsvpc task's namespace. */
export type TaskAction =
  | { kind: 'pull' | 'create' | 'start' | 'stop'; container: string }
  | { kind: 'setupNetwork' | 'applyFirewall' | 'releaseNetwork' };

const FAILURE_PREFIX = {
  pull: 'CannotPullContainerError', create: 'CannotCreateContainerError', start: 'CannotStartContainerError', resources: 'ResourceInitializationError',
};

/** A new task for a desired task the agent has not seen before. */
export function newTask(desired: DesiredTask): TaskModel {
  return {
    taskArn: desired.taskArn,
    desired,
    known: 'NONE',
    stopping: desired.desiredStatus === 'STOPPED' ? serverStopReason(desired) : undefined,
    containers: desired.spec.containers.map((def) => ({ name: def.name ?? '', def, known: 'NONE', started: false })),
    ...(desired.networkInterface && { network: { known: 'NONE' as const } }),
  };
}

/** The firewall the control plane wants now, as compared with the one loaded. */
export const desiredFirewall = (t: TaskModel): string => JSON.stringify(t.desired.networkInterface?.firewall ?? null);

/** The dependency graph of the task's containers, or why there cannot be one. */
export function taskGraph(task: TaskModel): { graph: DependencyGraph } | { error: string } {
  return buildDependencyGraph(task.desired.spec.containers);
}

/** Applies one event at time `now`. Returns a new model; the input is not changed. */
export function reduce(task: TaskModel, event: TaskEvent, now: number): TaskModel {
  const t: TaskModel = { ...task, containers: task.containers.map((c) => ({ ...c })), ...(task.network && { network: { ...task.network } }) };
  const network = t.network;
  const c = 'container' in event ? t.containers.find((x) => x.name === event.container) : undefined;
  switch (event.type) {
    case 'desired':
      // The spec and the interface are fixed at launch; the firewall follows the security groups.
      t.desired = {
        ...event.desired,
        spec: t.desired.spec,
        ...(t.desired.networkInterface && {
          networkInterface: { ...t.desired.networkInterface, firewall: event.desired.networkInterface?.firewall ?? t.desired.networkInterface.firewall },
        }),
      };
      if (event.desired.desiredStatus === 'STOPPED') stop(t, serverStopReason(event.desired));
      break;
    case 'unassigned':
      stop(t, { stoppedReason: 'Task is not assigned to this container instance any more' });
      break;
    case 'pulled':
      if (c) {
        c.busy = undefined;
        advance(c, 'PULLED');
      }
      break;
    case 'created':
      if (c) {
        c.busy = undefined;
        c.runtimeId = event.runtimeId;
        c.dockerName = event.dockerName;
        advance(c, 'CREATED');
      }
      break;
    case 'failed':
      if (c) {
        c.busy = undefined;
        const reason = event.reason ?? `${FAILURE_PREFIX[event.step]}: ${event.message}`;
        if (c.known !== 'STOPPED') {
          c.known = 'STOPPED';
          c.reason = reason;
        }
        stop(t, { stopCode: 'TaskFailedToStart', stoppedReason: reason });
      }
      break;
    case 'stopFailed':
      if (c) c.busy = undefined;
      break;
    case 'observed':
      if (c) {
        if (event.ends && c.busy === event.ends) c.busy = undefined;
        observe(c, event.info, t);
      }
      break;
    case 'exited':
      if (c && c.known !== 'STOPPED') {
        c.known = 'STOPPED';
        c.started = true;
        c.exitCode = event.exitCode;
      }
      break;
    case 'health':
      if (c && c.known !== 'STOPPED') c.health = event.health;
      break;
    case 'networkReady':
      if (network) Object.assign(network, { busy: undefined, known: 'READY', pauseId: event.pauseId, firewall: event.firewall });
      break;
    case 'networkFailed':
      if (network) {
        network.busy = undefined;
        network.pauseId ??= event.pauseId;
        stop(t, { stopCode: 'TaskFailedToStart', stoppedReason: `ResourceInitializationError: ${event.message}` });
      }
      break;
    case 'firewallApplied':
      if (network) Object.assign(network, { busy: undefined, firewall: event.firewall });
      break;
    case 'networkRetry':
      if (network) network.busy = undefined;
      break;
    case 'networkReleased':
      if (network) Object.assign(network, { busy: undefined, known: 'RELEASED' });
      break;
    case 'logsShipped':
      if (c) {
        if (event.cursor) {
          c.logCursor = event.cursor;
          c.logInFlight = undefined;
        }
        if (event.done) c.logsDone = true;
      }
      break;
    case 'logsInFlight':
      if (c) c.logInFlight = event.batch;
      break;
    case 'networkLost':
      if (network && network.known === 'READY') {
        network.known = 'RELEASED';
        stop(t, { stoppedReason: 'ResourceInitializationError: the task\'s network namespace is gone' });
      }
      break;
  }
  return settle(t, now);
}

/** Folds what the runtime says of a container into the model (forward only). */
function observe(c: ContainerModel, info: ContainerInfo | undefined, t: TaskModel): void {
  if (c.known === 'STOPPED') return;
  if (!info) {
    if (c.known === 'CREATED' || c.known === 'RUNNING') {
      c.known = 'STOPPED';
      c.reason = 'DockerStateError: the container no longer exists';
    }
    return;
  }
  c.runtimeId = info.id;
  c.dockerName = info.name;
  if (info.ipAddress) c.ipAddress = info.ipAddress;
  if (info.state === 'created') {
    advance(c, 'CREATED');
  } else if (info.state === 'running' || info.state === 'paused' || info.state === 'restarting') {
    c.started = true;
    // Health is a running container's: once it has exited, the last result seen stands.
    if (info.health) c.health = info.health;
    c.networkBindings = networkBindings(c.def, t.desired.spec.networkMode, info.ports);
    advance(c, 'RUNNING');
  } else if (info.state === 'exited' || info.state === 'dead') {
    c.known = 'STOPPED';
    c.started = c.started || info.startedAt !== undefined;
    c.exitCode = info.exitCode;
    if (info.oomKilled) c.reason = 'OutOfMemoryError: Container killed due to memory usage';
    else if (info.error) c.reason = info.error;
  }
}

function advance(c: ContainerModel, to: ContainerKnown): void {
  if (CONTAINER_ORDER.indexOf(to) > CONTAINER_ORDER.indexOf(c.known)) c.known = to;
}

function stop(t: TaskModel, reason: StopReason): void {
  if (!t.stopping && t.known !== 'STOPPED') t.stopping = reason;
}

function serverStopReason(d: DesiredTask): StopReason {
  return {
    stopCode: d.stopCode && STOP_CODES.includes(d.stopCode) ? (d.stopCode as StopCode) : undefined,
    stoppedReason: d.stoppedReason,
  };
}

/** Whether an awsvpc task's namespace is gone (or never was): its address is free only then. */
function networkDone(t: TaskModel): boolean {
  const n = t.network;
  return !n || (!n.busy && (n.known === 'RELEASED' || n.pauseId === undefined));
}

/** Task-level consequences of the containers' state: stop triggers, status, timestamps. */
function settle(t: TaskModel, now: number): TaskModel {
  if (t.known === 'STOPPED') return t;
  const essentialExit = t.containers.find((c) => c.known === 'STOPPED' && c.started && c.def.essential !== false);
  if (essentialExit) stop(t, { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' });
  const pulling = t.containers.some((c) => c.known === 'NONE' || c.busy === 'pull');
  if (t.pullStartedAt !== undefined && t.pullStoppedAt === undefined && !pulling) t.pullStoppedAt = now;
  const allDone = t.containers.every((c) => c.known === 'STOPPED' && !c.busy);
  if (allDone && t.containers.some((c) => c.started)) stop(t, { stoppedReason: 'All containers in task exited' });
  if (t.stopping && allDone && networkDone(t)) {
    t.known = 'STOPPED';
    t.executionStoppedAt = now;
    t.stoppedAt = now;
    return t;
  }
  const allUp = t.containers.every((c) => (c.known === 'RUNNING' || c.known === 'STOPPED') && !c.busy);
  if (!t.stopping && allUp && t.containers.some((c) => c.known === 'RUNNING') && t.known !== 'RUNNING') {
    t.known = 'RUNNING';
    t.startedAt = now;
  }
  return t;
}

/**
 * What to do next, at time `now`: the actions to start, and the model with those containers
 * marked busy (and with any container that can never start given up).
 */
export function plan(task: TaskModel, now: number): { task: TaskModel; actions: TaskAction[] } {
  let t: TaskModel = { ...task, containers: task.containers.map((c) => ({ ...c })), ...(task.network && { network: { ...task.network } }) };
  if (t.known === 'STOPPED') return { task: t, actions: [] };
  const built = taskGraph(t);
  if ('error' in built) {
    stop(t, { stopCode: 'TaskFailedToStart', stoppedReason: `CannotStartContainerError: ${built.error}` });
    for (const c of t.containers) if (!c.busy && !c.started && c.known !== 'STOPPED') c.known = 'STOPPED';
    return { task: settle(t, now), actions: [] };
  }
  const graph = built.graph;
  const actions: TaskAction[] = [];

  if (!t.stopping) {
    if (t.known === 'NONE') t.known = 'PENDING';
    const network = t.network;
    if (network && !network.busy) {
      if (network.known === 'NONE') {
        network.busy = 'setup';
        actions.push({ kind: 'setupNetwork' });
      } else if (network.known === 'READY' && network.firewall !== desiredFirewall(t)) {
        network.busy = 'firewall';
        actions.push({ kind: 'applyFirewall' });
      }
    }
    const progress = progressOf(t);
    for (const c of t.containers) {
      if (c.busy || c.known === 'RUNNING' || c.known === 'STOPPED') continue;
      if (c.known === 'NONE') {
        t.pullStartedAt ??= now;
        c.busy = 'pull';
        actions.push({ kind: 'pull', container: c.name });
        continue;
      }
      // An awsvpc task's containers are created in its namespace, so only once it is there.
      if (c.known === 'PULLED' && network && network.known !== 'READY') continue;
      // Docker mounts volumesFrom only from containers that exist.
      if (c.known === 'PULLED' && !volumesFromCreated(c.def, (n) => t.containers.some((x) => x.name === n && x.dockerName !== undefined))) continue;
      const readiness = startReadiness(graph, c.name, progress);
      if (readiness.kind === 'waiting') continue;
      if (readiness.kind === 'blocked') {
        c.known = 'STOPPED';
        c.reason = `DependencyConditionNotSatisfied: ${readiness.reason}`;
        if (c.def.essential !== false) {
          stop(t, { stopCode: 'TaskFailedToStart', stoppedReason: `CannotStartContainerError: container ${c.name}: ${readiness.reason}` });
        }
        continue;
      }
      c.busy = c.known === 'PULLED' ? 'create' : 'start';
      actions.push({ kind: c.busy, container: c.name });
    }
    t = settle(t, now);
    if (!t.stopping) return { task: t, actions };
  }

  // Stopping: containers that never ran are done; running ones stop dependents-first.
  for (const c of t.containers) {
    if (!c.busy && !c.started && c.known !== 'STOPPED') c.known = 'STOPPED';
  }
  const progress = progressOf(t);
  for (const c of t.containers) {
    if (c.busy || c.known !== 'RUNNING') continue;
    if (!stopReady(graph, c.name, progress)) continue;
    c.busy = 'stop';
    actions.push({ kind: 'stop', container: c.name });
  }
  // The namespace goes last, once nothing runs in it.
  const n = t.network;
  const containersDone = t.containers.every((c) => c.known === 'STOPPED' && !c.busy);
  if (n && containersDone && !n.busy && n.pauseId !== undefined && n.known !== 'RELEASED') {
    n.busy = 'release';
    actions.push({ kind: 'releaseNetwork' });
  }
  return { task: settle(t, now), actions };
}

function progressOf(t: TaskModel): Map<string, DependencyProgress> {
  return new Map(t.containers.map((c) => [c.name, {
    started: c.started,
    stopped: c.known === 'STOPPED',
    exitCode: c.exitCode,
    health: c.health,
    hasHealthCheck: hasHealthCheck(c.def),
  }]));
}

/** Whether the container definition has a health check (only those report a health). */
export function hasHealthCheck(def: ContainerDefinition): boolean {
  return Boolean(def.healthCheck?.command?.length);
}

/**
 * ECS's healthStatus of a container with a health check, from Docker's: UNKNOWN while its
 * check is starting or before it ran. Undefined for a container without a health check.
 */
export function containerHealthStatus(c: ContainerModel): ContainerHealthStatus | undefined {
  if (!hasHealthCheck(c.def)) return undefined;
  return c.health === 'healthy' ? 'HEALTHY' : c.health === 'unhealthy' ? 'UNHEALTHY' : 'UNKNOWN';
}

/** What ECS calls the container's lastStatus. */
function containerStatus(c: ContainerModel): TaskStatus {
  return c.known === 'RUNNING' ? 'RUNNING' : c.known === 'STOPPED' ? 'STOPPED' : 'PENDING';
}

/** The report for the control plane, or undefined while there is nothing to say yet. */
export function toStateChange(t: TaskModel): TaskStateChange | undefined {
  if (t.known === 'NONE') return undefined;
  const stopped = t.known === 'STOPPED';
  const change: TaskStateChange = {
    taskArn: t.taskArn,
    lastStatus: t.known,
    containers: t.containers.map((c) => {
      const status = containerStatus(c);
      const health = containerHealthStatus(c);
      return {
        name: c.name,
        ...(c.runtimeId !== undefined && { runtimeId: c.runtimeId }),
        lastStatus: status,
        ...(c.exitCode !== undefined && { exitCode: c.exitCode }),
        ...(c.reason !== undefined && { reason: c.reason }),
        ...(status === 'RUNNING' && c.networkBindings && { networkBindings: c.networkBindings }),
        ...(health !== undefined && { healthStatus: health }),
      };
    }),
  };
  if (t.pullStartedAt !== undefined) change.pullStartedAt = t.pullStartedAt;
  if (t.pullStoppedAt !== undefined) change.pullStoppedAt = t.pullStoppedAt;
  if (t.startedAt !== undefined) change.startedAt = t.startedAt;
  if (stopped) {
    change.executionStoppedAt = t.executionStoppedAt;
    change.stoppedAt = t.stoppedAt;
    if (t.stopping?.stopCode) change.stopCode = t.stopping.stopCode;
    if (t.stopping?.stoppedReason) change.stoppedReason = t.stopping.stoppedReason;
  }
  return change;
}
