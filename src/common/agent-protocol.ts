/**
 * The agent link: the messages on the WebSocket between a Wharf agent and the control plane
 * (`/_wharf/agent`). JSON text frames, one message each. Timestamps are epoch milliseconds.
 *
 * Level-triggered: the control plane sends the tasks an agent should be running; the agent
 * converges its containers to them and reports what it observed. A `tasks` message with
 * `complete: true` is the whole set for the agent, so anything else it runs is stopped.
 */
import type { ContainerDefinition, NetworkBinding } from '@aws-sdk/client-ecs';

/** ECS task and container lifecycle states, in order. */
export const TASK_STATUSES = [
  'PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** What an agent runs for one task: the task definition with RunTask overrides applied. */
export interface TaskSpec {
  family: string;
  revision: number;
  networkMode: 'bridge' | 'host' | 'awsvpc' | 'none';
  /** Task-level CPU units and memory MiB, when the task definition sets them. */
  cpu?: number;
  memory?: number;
  containers: ContainerDefinition[];
}

/** One task an agent should run (desiredStatus RUNNING) or stop (STOPPED). */
export interface DesiredTask {
  taskArn: string;
  clusterArn: string;
  containerInstanceArn: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
  spec: TaskSpec;
  /** Container ARNs by container name, for the metadata the agent reports back. */
  containerArns: Record<string, string>;
  /** Credentials for pulling the task's images from Wharf's registry (user `AWS`, a registry token). */
  registryAuth?: { username: string; password: string };
  /** Why the control plane wants the task stopped (StopTask reason), when it does. */
  stopCode?: string;
  stoppedReason?: string;
}

/** What an agent observed of one container. */
export interface ContainerStateChange {
  name: string;
  /** Docker container id. */
  runtimeId?: string;
  lastStatus: TaskStatus;
  exitCode?: number;
  reason?: string;
  networkBindings?: NetworkBinding[];
  imageDigest?: string;
  /** From the container's health check (Docker's); absent or UNKNOWN when it has none. */
  healthStatus?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
}

/** What an agent observed of one task. Only moves forward through TASK_STATUSES. */
export interface TaskStateChange {
  taskArn: string;
  lastStatus: TaskStatus;
  containers: ContainerStateChange[];
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  stopCode?: 'TaskFailedToStart' | 'EssentialContainerExited' | 'UserInitiated' | 'ServiceSchedulerInitiated' | 'SpotInterruption' | 'TerminationNotice';
  stoppedReason?: string;
}

/** Agent → control plane. */
export type AgentMessage =
  | {
      type: 'hello';
      /** Stable across restarts (kept in the agent's state file). */
      agentId: string;
      /** Register into this cluster (name or ARN) in `region`... */
      cluster?: string;
      region?: string;
      account?: string;
      /** ...or, for `wharf dev`'s local agent, into every cluster there is. */
      followAllClusters?: boolean;
      hostname: string;
      ec2InstanceId: string;
      /** CPU units and memory MiB this host offers. */
      cpu: number;
      memory: number;
      /** Host ports taken before any task runs (ECS reserves 22, 2375, 2376, 51678, 51679). */
      reservedPorts: number[];
      /** GPU ids this host offers (simulated sizes; none by default). */
      gpus?: string[];
      /** ENI attachment points for awsvpc tasks (the instance's limit less its primary interface). */
      eniLimit?: number;
      attributes: { name: string; value?: string }[];
      versionInfo: { agentVersion: string; agentHash: string; dockerVersion: string };
    }
  | { type: 'heartbeat' }
  | { type: 'taskStateChange'; change: TaskStateChange };

/** Control plane → agent. */
export type ServerMessage =
  | { type: 'registered'; containerInstanceArns: string[] }
  | { type: 'tasks'; tasks: DesiredTask[]; complete: boolean }
  | { type: 'error'; message: string };

/**
 * The longest an agent waits between reconnect attempts: a restarted control plane hears from
 * every live agent within this, so it does not take an agent's silence meanwhile for loss.
 */
export const AGENT_RECONNECT_MAX_MS = 5_000;

/** The path of the agent link on the control plane's port. */
export const AGENT_LINK_PATH = '/_wharf/agent';
