/**
 * The ECS documents as stored in the key-value store, and where they are stored. Stored
 * records are not API shapes: timestamps are epoch ms, resources are plain numbers, and
 * counts that can be derived (running tasks, registered instances) are not stored at all.
 * The API adapter (`services/ecs`, its `toApi*` views) turns them into the API shapes.
 */
import type {
  ClusterConfiguration, ClusterServiceConnectDefaults, ClusterSetting, CapacityProviderStrategyItem,
  NetworkBinding, NetworkConfiguration, Tag, TaskDefinition, TaskOverride,
} from '@aws-sdk/client-ecs';
import { formatArn, parseArn as parseAwsArn, resourceOf } from '../aws/index.ts';
import type { TaskSpec, TaskStatus } from '../common/index.ts';
import type { InstanceAttribute, Resources } from '../scheduler/index.ts';

/** Resources and attributes are the scheduler's words: an instance's records use them as placement reads them. */
export type { InstanceAttribute, Resources };

/** Every ECS resource belongs to one account and one region. */
export interface Scope {
  account: string;
  region: string;
}

/** A cluster as stored (its counts of instances, tasks and services are read, never stored). */
export interface ClusterRecord {
  name: string;
  arn: string;
  status: 'ACTIVE' | 'INACTIVE';
  settings: ClusterSetting[];
  configuration?: ClusterConfiguration;
  serviceConnectDefaults?: ClusterServiceConnectDefaults;
  capacityProviders: string[];
  defaultCapacityProviderStrategy: CapacityProviderStrategyItem[];
  tags: Tag[];
  createdAt: number;
}

/** Per family: the last revision number handed out (revisions are never reused). */
export interface FamilyRecord {
  family: string;
  lastRevision: number;
}

/** A task definition revision: the API shape with epoch-ms timestamps and its tags. */
export type TaskDefinitionRecord = Omit<TaskDefinition, 'registeredAt' | 'deregisteredAt' | 'deleteRequestedAt'> & {
  family: string;
  revision: number;
  taskDefinitionArn: string;
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  registeredAt: number;
  deregisteredAt?: number;
  deleteRequestedAt?: number;
  tags: Tag[];
};

/** One container of a stored task, as the agent last reported it. */
export interface ContainerRecord {
  containerArn: string;
  name: string;
  image: string;
  imageDigest?: string;
  runtimeId?: string;
  lastStatus: TaskStatus;
  exitCode?: number;
  reason?: string;
  networkBindings: NetworkBinding[];
  cpu?: string;
  memory?: string;
  memoryReservation?: string;
  essential: boolean;
  /** From the container's health check, as the agent reports it (none: UNKNOWN). */
  healthStatus?: HealthStatus;
}

/**
 * An awsvpc task's ENI as the task keeps it: what DescribeTasks shows in its
 * `ElasticNetworkInterface` attachment (whose status follows the task's), and what the agent
 * needs to plumb it. The interface itself is the network domain's record.
 */
export interface TaskEni {
  attachmentId: string;
  networkInterfaceId: string;
  subnetId: string;
  availabilityZone: string;
  vpcId: string;
  subnetCidr: string;
  vpcCidr: string;
  privateIPv4Address: string;
  macAddress: string;
  privateDnsName: string;
  securityGroups: string[];
  assignPublicIp: boolean;
}

/** Container and task health, as ECS reports it. */
export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';

/** A task as stored: what it runs (`spec`), where, and its ECS lifecycle so far. */
export interface TaskRecord {
  id: string;
  arn: string;
  clusterName: string;
  clusterArn: string;
  taskDefinitionArn: string;
  containerInstanceId?: string;
  containerInstanceArn?: string;
  launchType: 'EC2' | 'FARGATE' | 'EXTERNAL';
  /** A Fargate task's platform version (`1.4.0`), and the capacity provider a strategy placed it with. */
  platformVersion?: string;
  capacityProviderName?: string;
  /** A Fargate task's ephemeral storage, GiB (its task definition's, else Fargate's 20). */
  ephemeralStorageGiB?: number;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  /** Task-level cpu and memory as the API shows them (strings of units / MiB). */
  cpu?: string;
  memory?: string;
  group: string;
  startedBy?: string;
  overrides: TaskOverride;
  tags: Tag[];
  containers: ContainerRecord[];
  enableExecuteCommand: boolean;
  /** From the instance the task was placed on (`ecs.availability-zone`, `ecs.cpu-architecture`). */
  availabilityZone?: string;
  cpuArchitecture?: string;
  /** Bumped on every change, as ECS's task `version` is. */
  version: number;
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  connectivityAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  /**
   * The task's health from its essential containers' health checks: UNHEALTHY if any is,
   * HEALTHY once all that have one are, UNKNOWN otherwise (and when none has a health check).
   */
  healthStatus?: HealthStatus;
  /** What the agent runs: the task definition with overrides applied. */
  spec: TaskSpec;
  /** An awsvpc task's interface (ENI), created with the task and released once it has stopped. */
  eni?: TaskEni;
  /** Resources charged to the instance from placement until the task is STOPPED. */
  reserved: Resources;
  /**
   * A task waiting in PROVISIONING (no instance of its Auto Scaling group provider could take it
   * yet): how it is to be placed when one can.
   */
  placement?: {
    constraints: { type?: string; expression?: string }[];
    strategy: { type?: string; field?: string }[];
    networkConfiguration?: NetworkConfiguration;
  };
}

/** Whether an attribute is one the agent sets (`ecs.*`, `com.amazonaws.ecs.*`) rather than a custom one. */
export const isAgentAttribute = (name: string): boolean => name.startsWith('ecs.') || name.startsWith('com.amazonaws.ecs.');

/** The instance with one task of `group` more (`by` 1) or less (`by` -1). */
export function withGroupCount(instance: ContainerInstanceRecord, group: string, by: 1 | -1): ContainerInstanceRecord {
  const taskGroups = { ...instance.taskGroups };
  const n = (taskGroups[group] ?? 0) + by;
  if (n > 0) taskGroups[group] = n;
  else delete taskGroups[group];
  return { ...instance, taskGroups };
}

/** A container instance as stored: a host's agent registered in one cluster, and what it has left. */
export interface ContainerInstanceRecord {
  id: string;
  arn: string;
  clusterName: string;
  clusterArn: string;
  ec2InstanceId: string;
  /** The Auto Scaling group capacity provider of the EC2 instance, decided when it registered. */
  capacityProviderName?: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE' | 'REGISTERING' | 'DEREGISTERING';
  statusReason?: string;
  /** The agent that registered it; an agent restarting re-registers as the same instance. */
  agentId: string;
  /** Attached by `wharf dev`'s follow-all-clusters agent rather than registered by choice. */
  autoAttached: boolean;
  agentConnected: boolean;
  /** When the agent was last seen to go away (unset while connected): instance loss counts from here. */
  disconnectedAt?: number;
  /** The control-plane replica (its presence id) the agent is linked to: only it says the agent left. */
  linkedBy?: string;
  lastHeartbeatAt?: number;
  registeredAt: number;
  registeredResources: Resources;
  remainingResources: Resources;
  attributes: InstanceAttribute[];
  tags: Tag[];
  versionInfo: { agentVersion: string; agentHash: string; dockerVersion: string };
  /**
   * How many tasks of each task group are on the instance with desiredStatus not STOPPED:
   * what distinctInstance, spread and `task:group` read. Kept beside the resources, and
   * changed in the same transactions, so racing launches see each other's groups.
   */
  taskGroups?: Record<string, number>;
  /** Bumped on every change, as ECS's container instance `version` is. */
  version: number;
}

const pad = (n: number) => String(n).padStart(10, '0');

/** Where each record lives. Kind first, so one prefix ranges a kind across accounts and regions. */
export const keys = {
  allClusters: 'ecs/clusters/',
  clusters: (s: Scope) => `ecs/clusters/${s.account}/${s.region}/`,
  cluster: (s: Scope, name: string) => `ecs/clusters/${s.account}/${s.region}/${name}`,
  families: (s: Scope) => `ecs/families/${s.account}/${s.region}/`,
  family: (s: Scope, family: string) => `ecs/families/${s.account}/${s.region}/${family}`,
  taskDefinitions: (s: Scope) => `ecs/taskdefs/${s.account}/${s.region}/`,
  familyRevisions: (s: Scope, family: string) => `ecs/taskdefs/${s.account}/${s.region}/${family}/`,
  taskDefinition: (s: Scope, family: string, revision: number) => `ecs/taskdefs/${s.account}/${s.region}/${family}/${pad(revision)}`,
  allTasks: 'ecs/tasks/',
  tasks: (s: Scope, cluster: string) => `ecs/tasks/${s.account}/${s.region}/${cluster}/`,
  task: (s: Scope, cluster: string, id: string) => `ecs/tasks/${s.account}/${s.region}/${cluster}/${id}`,
  allInstances: 'ecs/instances/',
  instances: (s: Scope, cluster: string) => `ecs/instances/${s.account}/${s.region}/${cluster}/`,
  instance: (s: Scope, cluster: string, id: string) => `ecs/instances/${s.account}/${s.region}/${cluster}/${id}`,
  /**
   * Where the container instance an agent registered as in one cluster is found, so a `hello`
   * need not list the cluster: written with the instance, and only a hint (an instance
   * deregistered since, or gone, is not reused).
   */
  agentInstance: (agentId: string, s: Scope, cluster: string) =>
    `ecs/agent-instances/${encodeURIComponent(agentId)}/${s.account}/${s.region}/${cluster}`,
};

/** The ARN of an ECS resource in a scope (the partition follows from the region). */
const ecsArn = (s: Scope, resource: string): string => formatArn('ecs', s.region, s.account, resource);

/** ECS ARNs, in the forms ECS uses today (long ARN format, cluster name in task ARNs). */
export const arns = {
  cluster: (s: Scope, name: string) => ecsArn(s, `cluster/${name}`),
  taskDefinition: (s: Scope, family: string, revision: number) => ecsArn(s, `task-definition/${family}:${revision}`),
  task: (s: Scope, cluster: string, id: string) => ecsArn(s, `task/${cluster}/${id}`),
  containerInstance: (s: Scope, cluster: string, id: string) => ecsArn(s, `container-instance/${cluster}/${id}`),
  container: (s: Scope, cluster: string, taskId: string, uuid: string) => ecsArn(s, `container/${cluster}/${taskId}/${uuid}`),
};

/** An ECS ARN taken apart, or undefined when the string is not one. */
export interface ParsedArn extends Scope {
  /** `cluster`, `task-definition`, `task`, `container-instance`, `service`... */
  resourceType: string;
  /** The part after `resourceType/`, split on `/`. */
  resource: string[];
}

/** Takes an ECS ARN apart (any partition); undefined when the string is not one. */
export function parseArn(text: string): ParsedArn | undefined {
  const arn = parseAwsArn(text);
  if (!arn || arn.service !== 'ecs' || !arn.region || !/^\d{12}$/.test(arn.account)) return undefined;
  const { type, path } = resourceOf(arn);
  if (!/^[a-z-]+$/.test(type) || path.length === 0 || path.join('/') === '') return undefined;
  return { region: arn.region, account: arn.account, resourceType: type, resource: path };
}
