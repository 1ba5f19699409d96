/**
 * What the agent tells the control plane about its host when it registers (the link's `hello`):
 * identity, resources and the attributes ECS placement matches task definitions against.
 * Pure given its inputs; `index.ts` reads the real host (os, Docker) and passes them in.
 */
import { createHash } from 'node:crypto';
import type { AgentMessage } from '../common/index.ts';

/** The `hello` message. */
export type AgentHello = Extract<AgentMessage, { type: 'hello' }>;

/** Host ports ECS reserves on every container instance (SSH, Docker, the agent's own). */
export const RESERVED_PORTS: readonly number[] = [22, 2375, 2376, 51678, 51679];

const CAP = 'com.amazonaws.ecs.capability';
/** Newest Docker Remote API version ECS advertises. */
const NEWEST_REMOTE_API_MINOR = 44;
const OLDEST_REMOTE_API_MINOR = 17;

/**
 * Capabilities this agent has beyond the Docker API versions, named as the ECS agent names
 * them. Logging drivers: json-file and none run locally; awslogs containers run with Docker's
 * default driver, their logs left for Wharf's log shipping. Execution roles are the agent's
 * own to use (secrets, registry logins); task roles need the task endpoints (TASK_ROLE_CAPABILITIES).
 */
export const AGENT_CAPABILITIES: readonly string[] = [
  `${CAP}.privileged-container`,
  // Images named in ECR's host form are pulled from Wharf's registry with the task's credentials.
  `${CAP}.ecr-auth`,
  'ecs.capability.execution-role-ecr-pull',
  // Secrets are fetched by the agent with the task's execution role (env vars, log options, registry logins).
  'ecs.capability.secrets.asm.environment-variables',
  'ecs.capability.secrets.ssm.environment-variables',
  'ecs.capability.secrets.asm.bootstrap.log-driver',
  'ecs.capability.secrets.ssm.bootstrap.log-driver',
  `${CAP}.private-registry-authentication.secretsmanager`,
  'ecs.capability.execution-role-awslogs',
  'ecs.capability.container-health-check',
  'ecs.capability.container-ordering',
  'ecs.capability.task-cpu-mem-limit',
  // Docker volumes with Docker's built-in driver, and pidMode/ipcMode (task-volumes.ts).
  'ecs.capability.docker-plugin.local',
  'ecs.capability.pid-ipc-namespace-sharing',
];

/** What task definitions with a task role require: advertised only by an agent that serves the credentials endpoint. */
export const TASK_ROLE_CAPABILITIES: readonly string[] = [`${CAP}.task-iam-role`, `${CAP}.task-iam-role-network-host`];

/** What task definitions with EFS volumes require (`efsAuth`: with an access point or IAM): advertised by an agent with an EFS directory. */
export const EFS_CAPABILITIES: readonly string[] = ['ecs.capability.efs', 'ecs.capability.efsAuth'];

/** The capability awsvpc task definitions require: advertised only by an agent that can give tasks their namespaces. */
export const TASK_ENI_CAPABILITY = 'ecs.capability.task-eni';

/** Logging drivers advertised by default (ECS_AVAILABLE_LOGGING_DRIVERS). */
export const DEFAULT_LOGGING_DRIVERS: readonly string[] = ['json-file', 'none', 'awslogs'];

/** The host facts `helloMessage` needs. */
export interface HostFacts {
  agentId: string;
  hostname: string;
  /** Logical CPUs and total memory in bytes, as os.cpus() and os.totalmem() report. */
  cpuCount: number;
  totalMemoryBytes: number;
  /** Node's `process.arch`. */
  arch: string;
  dockerVersion: string;
  dockerApiVersion: string;
  agentVersion: string;
}

/** Where and as what the host registers; everything optional has an ECS-like default. */
export interface RegistrationOptions {
  cluster?: string;
  region?: string;
  account?: string;
  followAllClusters?: boolean;
  /** CPU units offered (default: cores × 1024). */
  cpu?: number;
  /** Memory MiB offered (default: total memory less `reservedMemory`). */
  memory?: number;
  /** GPUs to offer, as ids `gpu-0`... (for simulated sizes: the agent does not pin real GPUs yet). */
  gpus?: number;
  /** ENI attachment points to offer for awsvpc tasks; unset, ENIs are not counted. */
  eniLimit?: number;
  /** Whether this host can run awsvpc tasks (it says `ecs.capability.task-eni`); default true. */
  taskEni?: boolean;
  /** Whether this host serves the task endpoints, so tasks with a task role may run here; default true. */
  taskIamRole?: boolean;
  /** Whether this host mounts the cluster's EFS directory, so tasks with EFS volumes may run here. */
  efs?: boolean;
  /** MiB kept back for the OS, Docker and the agent (ECS_RESERVED_MEMORY); default 256. */
  reservedMemory?: number;
  /** The EC2 instance this host is (a Wharf instance's host); default: one derived from the agent id. */
  ec2InstanceId?: string;
  instanceType?: string;
  availabilityZone?: string;
  amiId?: string;
  loggingDrivers?: readonly string[];
  /** Extra custom attributes. */
  attributes?: { name: string; value?: string }[];
}

/** A stable EC2-style instance id for the agent: `i-` and 17 hex characters of its id's hash. */
export function ec2InstanceId(agentId: string): string {
  return `i-${hash(agentId).slice(0, 17)}`;
}

/** The Docker Remote API capabilities for a daemon speaking `apiVersion` (1.17 up to 1.44). */
export function remoteApiCapabilities(apiVersion: string): string[] {
  const minor = Number(/^1\.(\d+)/.exec(apiVersion)?.[1] ?? NEWEST_REMOTE_API_MINOR);
  const newest = Math.min(minor, NEWEST_REMOTE_API_MINOR);
  const out: string[] = [];
  for (let m = OLDEST_REMOTE_API_MINOR; m <= newest; m++) out.push(`${CAP}.docker-remote-api.1.${m}`);
  return out;
}

/** ECS's name for the CPU architecture. */
export function cpuArchitecture(nodeArch: string): string {
  return nodeArch === 'arm64' ? 'arm64' : nodeArch === 'x64' ? 'x86_64' : nodeArch;
}

/** The `hello` the agent sends on every (re)connect. */
export function helloMessage(facts: HostFacts, o: RegistrationOptions): AgentHello {
  const region = o.region ?? 'us-east-1';
  const MiB = 1024 * 1024;
  const memory = o.memory ?? Math.max(0, Math.floor(facts.totalMemoryBytes / MiB) - (o.reservedMemory ?? 256));
  const attributes: { name: string; value?: string }[] = [
    { name: 'ecs.os-type', value: 'linux' },
    { name: 'ecs.os-family', value: 'LINUX' },
    { name: 'ecs.cpu-architecture', value: cpuArchitecture(facts.arch) },
    { name: 'ecs.instance-type', value: o.instanceType ?? 'wharf.local' },
    { name: 'ecs.availability-zone', value: o.availabilityZone ?? `${region}a` },
    { name: 'ecs.ami-id', value: o.amiId ?? `ami-${hash(`wharf:${facts.hostname}`).slice(0, 17)}` },
    ...remoteApiCapabilities(facts.dockerApiVersion).map((name) => ({ name })),
    ...(o.loggingDrivers ?? DEFAULT_LOGGING_DRIVERS).map((d) => ({ name: `${CAP}.logging-driver.${d}` })),
    ...AGENT_CAPABILITIES.map((name) => ({ name })),
    ...(o.taskEni === false ? [] : [{ name: TASK_ENI_CAPABILITY }]),
    ...(o.taskIamRole === false ? [] : TASK_ROLE_CAPABILITIES.map((name) => ({ name }))),
    ...(o.efs ? EFS_CAPABILITIES.map((name) => ({ name })) : []),
    ...(o.attributes ?? []),
  ];
  return {
    type: 'hello',
    agentId: facts.agentId,
    ...(o.followAllClusters ? { followAllClusters: true } : { cluster: o.cluster ?? 'default', region, ...(o.account && { account: o.account }) }),
    hostname: facts.hostname,
    ec2InstanceId: o.ec2InstanceId ?? ec2InstanceId(facts.agentId),
    cpu: o.cpu ?? facts.cpuCount * 1024,
    memory,
    reservedPorts: [...RESERVED_PORTS],
    ...(o.gpus ? { gpus: Array.from({ length: o.gpus }, (_, i) => `gpu-${i}`) } : {}),
    ...(o.eniLimit !== undefined ? { eniLimit: o.eniLimit } : {}),
    attributes,
    versionInfo: {
      agentVersion: facts.agentVersion,
      agentHash: hash(`wharf-agent:${facts.agentVersion}`).slice(0, 8),
      dockerVersion: `DockerVersion: ${facts.dockerVersion}`,
    },
  };
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
