/**
 * The agent link: the messages on the WebSocket between a Wharf agent and the control plane
 * (`/_wharf/agent`). JSON text frames, one message each. Timestamps are epoch milliseconds.
 *
 * Level-triggered: the control plane sends the tasks an agent should be running; the agent
 * converges its containers to them and reports what it observed. A `tasks` message with
 * `complete: true` is the whole set for the agent, so anything else it runs is stopped.
 */
import type { ContainerDefinition, IpcMode, NetworkBinding, PidMode, Volume } from '@aws-sdk/client-ecs';

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
  /** The role the task's containers get credentials of, and the one the agent acts with for the task (RunTask overrides applied). */
  taskRoleArn?: string;
  executionRoleArn?: string;
  containers: ContainerDefinition[];
  /** The task definition's volumes, which the containers' mountPoints name. */
  volumes?: Volume[];
  /** Namespaces the task's containers share: with each other (`task`) or with the host. */
  pidMode?: PidMode;
  ipcMode?: IpcMode;
  /** The task's EFS volumes by volume name, resolved by the control plane (file system and access point found). */
  efsVolumes?: Record<string, TaskEfsVolume>;
}

/**
 * One EFS volume of a task as the agent mounts it: the file system, the directory within it the
 * volume is (the access point's root directory, else the volume's `rootDirectory`, else `/`),
 * and the access point, whose root directory the agent creates with `creationInfo` when missing.
 */
export interface TaskEfsVolume {
  fileSystemId: string;
  rootDirectory: string;
  accessPoint?: {
    accessPointId: string;
    rootDirectory: string;
    posixUser?: { uid: number; gid: number; secondaryGids?: number[] };
    /** `permissions` is an octal string, e.g. `0755`. */
    creationInfo?: { ownerUid: number; ownerGid: number; permissions: string };
  };
}

/**
 * One security-group rule resolved for a task's firewall: traffic of `protocol` (`all`, `tcp`,
 * `udp`, `icmp`, `icmpv6` or an IP protocol number) on ports `fromPort`–`toPort` (for ICMP, the
 * type and code; -1 or absent for all) from (ingress) or to (egress) any of `cidrs`. Rules that
 * name a source group arrive here as the addresses of that group's interfaces.
 */
export interface FirewallRule {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
}

/** What a task's security groups allow, together: everything else is dropped; replies to allowed traffic pass. */
export interface TaskFirewall {
  ingress: FirewallRule[];
  egress: FirewallRule[];
}

/** An awsvpc task's interface (its ENI), as the agent plumbs it into the task's network namespace. */
export interface TaskInterface {
  networkInterfaceId: string;
  subnetId: string;
  /** The subnet's range and the VPC's (traffic leaving the VPC is NATed through the host). */
  subnetCidr: string;
  vpcCidr: string;
  privateIpAddress: string;
  macAddress: string;
  /** The subnet's router address (its first), the task's default route. */
  gateway: string;
  firewall: TaskFirewall;
}

/** The attribute by which an agent says the address other hosts reach it at, for subnets that span hosts. */
export const VPC_ADDRESS_ATTRIBUTE = 'wharf.vpc-address';

/** One running container's use: CPU units (1,024 a core) over the last sample interval, and memory MiB in use (page cache aside). */
export interface ContainerSample {
  taskArn: string;
  container: string;
  cpuUnits: number;
  memoryMiB: number;
}

/** Which of a task's roles: its task role or its execution role. */
export type TaskRoleKind = 'task' | 'execution';

/** A role session as the container credentials endpoint gives it (ECS's field names). */
export interface RoleCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
  /** ISO 8601. */
  Expiration: string;
  RoleArn: string;
}

/** One task an agent should run (desiredStatus RUNNING) or stop (STOPPED). */
export interface DesiredTask {
  taskArn: string;
  clusterArn: string;
  containerInstanceArn: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
  spec: TaskSpec;
  /** An awsvpc task's interface: its own network namespace, address and firewall. */
  networkInterface?: TaskInterface;
  /** FARGATE: the task's cpu and memory are limits on the whole task. */
  launchType?: 'FARGATE';
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
      /** Stable across restarts (kept in the agent's checkpoint). */
      agentId: string;
      /**
       * The secret the control plane issued this agent at its first registration (`registered`),
       * kept in its checkpoint: proves that a reconnecting agent is the one that registered.
       */
      agentSecret?: string;
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
  | { type: 'taskStateChange'; change: TaskStateChange }
  /**
   * Asks for a session of a task's role (`task`: taskRoleArn, for its containers) or its
   * execution role (`execution`, for the agent's own calls: secrets, registry credentials).
   * Answered by a `credentials` message with the same `requestId`.
   */
  | { type: 'credentialsRequest'; requestId: string; taskArn: string; role: TaskRoleKind }
  /** What the running containers use now (telemetry, kept apart from task state: nothing is stored from it but metrics). */
  | { type: 'telemetry'; samples: ContainerSample[] };

/** Control plane → agent. */
export type ServerMessage =
  | {
      type: 'registered';
      containerInstanceArns: string[];
      /** Issued once, at the agent's first registration: the agent keeps it and says it in every later hello. */
      agentSecret?: string;
    }
  | { type: 'tasks'; tasks: DesiredTask[]; complete: boolean }
  /** The answer to a `credentialsRequest`: the session, or why there is none (ECS's words, for the task's stop reason). */
  | { type: 'credentials'; requestId: string; taskArn: string; credentials?: RoleCredentials; error?: { code: string; message: string } }
  /** The addresses of the other hosts whose awsvpc tasks may share a subnet with this host's (the whole set, each time it changes). */
  | { type: 'peers'; addresses: string[] }
  | {
      type: 'error';
      message: string;
      /** What was refused, for agents (and tests) to act on without reading `message`. */
      code?: AgentLinkErrorCode;
      /** The task of a refused `taskStateChange`. */
      taskArn?: string;
    };

/**
 * Why the control plane refused something on the link. After `AccessDenied`,
 * `AgentIdentityRefused`, `InvalidHello` and `HelloRepeated` it closes the link (code 1008).
 */
export type AgentLinkErrorCode =
  /** The link's principal may not register here (ecs:RegisterContainerInstance, ecs:Poll, ...). */
  | 'AccessDenied'
  /** The agentId is registered, and this hello did not prove it is that agent (secret or principal). */
  | 'AgentIdentityRefused'
  /** A hello that breaks the link's limits or types. */
  | 'InvalidHello'
  /** A second hello on one connection. */
  | 'HelloRepeated'
  /** A message before hello, not JSON, of an unknown type, or breaking the link's limits. */
  | 'InvalidMessage'
  /** A malformed taskStateChange (refused alone; the link stays). */
  | 'InvalidReport'
  /** A taskStateChange for a task not placed on this link's container instances. */
  | 'TaskNotOnInstance'
  /** The cluster named in hello does not exist (or is not ACTIVE). */
  | 'ClusterNotFound'
  /** Anything else: the message says. */
  | 'InternalError';

/**
 * The link's limits on what an agent sends, the same on both ends: the control plane refuses
 * what breaks them and the agent shortens free text to fit. ECS's own limits where it has them.
 */
export const AGENT_LINK_LIMITS = {
  /** Largest message an agent may send (a hello is ~3 KiB, a report of a 10-container task a few KiB). */
  maxMessageBytes: 256 * 1024,
  /** agentId: printable ASCII without spaces (a UUID, or `<prefix>-<n>` in simulations). */
  maxAgentIdLength: 128,
  /** The secret the control plane issues (base64url of 32 bytes is 43). */
  maxAgentSecretLength: 128,
  /** ECS: "You can apply up to 10 custom attributes for each resource". */
  maxCustomAttributes: 10,
  /** The agent's own (`ecs.*`, `com.amazonaws.ecs.*`): today ~50 (capabilities, Docker API versions, logging drivers). */
  maxAgentAttributes: 100,
  /** ECS attribute names are up to 128 characters, values up to 128. */
  maxAttributeNameLength: 128,
  maxAttributeValueLength: 128,
  /** ECS reserves at most 100 ports per container instance. */
  maxReservedPorts: 100,
  maxGpus: 64,
  maxEniLimit: 1024,
  /** CPU units and memory MiB of one host: far above the largest EC2 instance (192 vCPUs, 24 TiB). */
  maxCpu: 1024 * 1024,
  maxMemory: 32 * 1024 * 1024,
  /** Hostnames (RFC 1035), version strings, GPU ids, container names, runtime ids, image digests. */
  maxShortString: 255,
  /** A container's `reason` and a task's `stoppedReason` (the agent cuts longer ones). */
  maxReasonLength: 1024,
  /** ECS allows 10 containers per task definition. */
  maxContainersPerTask: 10,
  /** Network bindings of one container (port ranges expand to one binding per port). */
  maxNetworkBindings: 1000,
} as const;

/**
 * The longest an agent waits between reconnect attempts: a restarted control plane hears from
 * every live agent within this, so it does not take an agent's silence meanwhile for loss.
 */
export const AGENT_RECONNECT_MAX_MS = 5_000;

/** The path of the agent link on the control plane's port. */
export const AGENT_LINK_PATH = '/_wharf/agent';
