/**
 * How an ECS container definition becomes a Docker container: the create options (as the
 * amazon-ecs-agent builds them), the container's name and labels, and the network bindings
 * reported back. Pure functions, so every field mapping is tested without Docker.
 */
import type { ContainerDefinition, NetworkBinding } from '@aws-sdk/client-ecs';
import type { TaskSpec } from '../common/index.ts';
import type { ContainerCreateOptions, HostConfig, PortBinding, PublishedPort } from './runtime.ts';

/** The labels the ECS agent puts on task containers, plus Wharf's agent label. */
export const LABEL = {
  taskArn: 'com.amazonaws.ecs.task-arn',
  containerName: 'com.amazonaws.ecs.container-name',
  cluster: 'com.amazonaws.ecs.cluster',
  family: 'com.amazonaws.ecs.task-definition-family',
  version: 'com.amazonaws.ecs.task-definition-version',
  agentId: 'wharf.agent-id',
} as const;

/** ECS's default seconds between the stop signal and SIGKILL. */
export const DEFAULT_STOP_TIMEOUT_SECONDS = 30;

/** The least CPU shares Linux accepts; ECS gives containers with cpu 0 this. */
export const MIN_CPU_SHARES = 2;

/** Where a container belongs: what its create options depend on besides its definition. */
export interface ContainerContext {
  taskArn: string;
  clusterArn: string;
  agentId: string;
  spec: TaskSpec;
  /** The host address published ports bind to. */
  hostIp: string;
  /** This container's Docker name. */
  dockerName: string;
  /** Docker names of the task's containers by container name, for `links`. */
  dockerNames: Readonly<Record<string, string>>;
  /** An awsvpc task's pause container: the task's containers join its network namespace. */
  pauseId?: string;
  /** The task's cgroup, when its cpu and memory limit the whole task (Fargate). */
  cgroupParent?: string;
  /** The tasks' resolver this host serves (169.254.169.253): bridge and awsvpc tasks resolve names with it. */
  resolver?: string;
}

/** The container-name label of an awsvpc task's pause container (not a name a task definition can use). */
export const PAUSE_CONTAINER_NAME = '~internal~ecs~pause';

const MiB = 1024 * 1024;
const NS_PER_S = 1_000_000_000;
/** Log drivers Docker has built in; others (awslogs, awsfirelens, splunk) are Wharf's to ship. */
const LOCAL_LOG_DRIVERS = new Set(['json-file', 'local', 'none', 'syslog', 'journald', 'gelf', 'fluentd']);

/** ECS's container name: `ecs-<family>-<revision>-<container>-<random hex>`. */
export function dockerContainerName(family: string, revision: number, name: string, randomHex: string): string {
  const clean = (s: string): string => s.replace(/[^a-zA-Z0-9_.-]/g, '-');
  return `ecs-${clean(family)}-${revision}-${clean(name)}-${randomHex}`;
}

/** The Docker network mode a task's network mode runs as (awsvpc runs on the bridge here). */
export function dockerNetworkMode(mode: TaskSpec['networkMode']): 'bridge' | 'host' | 'none' {
  return mode === 'host' || mode === 'none' ? mode : 'bridge';
}

/** Seconds between the stop signal and SIGKILL for this container. */
export function stopTimeoutSeconds(def: ContainerDefinition): number {
  return def.stopTimeout !== undefined && def.stopTimeout >= 0 ? def.stopTimeout : DEFAULT_STOP_TIMEOUT_SECONDS;
}

/** Labels for a task container: the definition's dockerLabels, then ECS's and Wharf's. */
export function containerLabels(def: ContainerDefinition, ctx: Omit<ContainerContext, 'hostIp' | 'dockerName' | 'dockerNames'>): Record<string, string> {
  return {
    ...(def.dockerLabels ?? {}),
    [LABEL.taskArn]: ctx.taskArn,
    [LABEL.containerName]: def.name ?? '',
    [LABEL.cluster]: ctx.clusterArn,
    [LABEL.family]: ctx.spec.family,
    [LABEL.version]: String(ctx.spec.revision),
    [LABEL.agentId]: ctx.agentId,
  };
}

/**
 * Docker create options for an awsvpc task's pause container: it holds the task's network
 * namespace (no Docker networking: the agent plumbs the task's interface into it) and does
 * nothing else.
 */
export function pauseContainerOptions(image: string, ctx: Omit<ContainerContext, 'hostIp' | 'dockerNames' | 'pauseId'>): ContainerCreateOptions {
  return {
    name: ctx.dockerName,
    Image: image,
    Labels: containerLabels({ name: PAUSE_CONTAINER_NAME }, ctx),
    // Its resolv.conf is its task's containers' (they join its namespace): the host's resolver for tasks.
    HostConfig: { NetworkMode: 'none', CpuShares: MIN_CPU_SHARES, ...(ctx.cgroupParent && { CgroupParent: ctx.cgroupParent }), ...(ctx.resolver && { Dns: [ctx.resolver] }) },
  };
}

/** Docker create options for one container definition. */
export function containerCreateOptions(def: ContainerDefinition, ctx: ContainerContext): ContainerCreateOptions {
  // An awsvpc task's containers share its pause container's namespace (its localhost, its interface).
  const joined = ctx.pauseId !== undefined;
  const networkMode = joined ? `container:${ctx.pauseId}` : dockerNetworkMode(ctx.spec.networkMode);
  const host: HostConfig = { NetworkMode: networkMode, CpuShares: Math.max(def.cpu ?? 0, MIN_CPU_SHARES) };
  if (ctx.cgroupParent) host.CgroupParent = ctx.cgroupParent;
  const out: ContainerCreateOptions = {
    name: ctx.dockerName,
    Image: def.image ?? '',
    Labels: containerLabels(def, ctx),
    StopTimeout: stopTimeoutSeconds(def),
    HostConfig: host,
  };

  if (def.environment?.length) out.Env = def.environment.map((e) => `${e.name ?? ''}=${e.value ?? ''}`);
  if (def.command?.length) out.Cmd = [...def.command];
  if (def.entryPoint?.length) out.Entrypoint = [...def.entryPoint];
  if (def.workingDirectory) out.WorkingDir = def.workingDirectory;
  if (def.user) out.User = def.user;
  if (def.hostname && !joined) out.Hostname = def.hostname;
  if (def.disableNetworking) out.NetworkDisabled = true;
  if (def.interactive) out.OpenStdin = true;
  if (def.pseudoTerminal) out.Tty = true;

  if (networkMode === 'bridge') {
    const { exposed, bindings } = portBindings(def, ctx.hostIp);
    if (Object.keys(exposed).length) {
      out.ExposedPorts = exposed;
      host.PortBindings = bindings;
    }
    if (def.links?.length) {
      host.Links = def.links.map((link) => {
        const [target = '', alias] = link.split(':');
        return `${ctx.dockerNames[target] ?? target}:${alias ?? target}`;
      });
    }
  }

  if (def.memory !== undefined) host.Memory = def.memory * MiB;
  if (def.memoryReservation !== undefined) host.MemoryReservation = def.memoryReservation * MiB;
  if (def.ulimits?.length) {
    host.Ulimits = def.ulimits.map((u) => ({ Name: u.name ?? '', Soft: u.softLimit ?? 0, Hard: u.hardLimit ?? 0 }));
  }
  if (def.privileged) host.Privileged = true;
  if (def.readonlyRootFilesystem) host.ReadonlyRootfs = true;
  // Docker refuses these for a container in another's namespace: that namespace's own settings apply.
  if (!joined) {
    if (def.extraHosts?.length) host.ExtraHosts = def.extraHosts.map((h) => `${h.hostname ?? ''}:${h.ipAddress ?? ''}`);
    // The definition's own resolvers win; a bridge container otherwise gets the host's resolver for tasks (host ones keep the host's).
    if (def.dnsServers?.length) host.Dns = [...def.dnsServers];
    else if (ctx.resolver && networkMode === 'bridge') host.Dns = [ctx.resolver];
    if (def.dnsSearchDomains?.length) host.DnsSearch = [...def.dnsSearchDomains];
  }
  if (def.dockerSecurityOptions?.length) host.SecurityOpt = [...def.dockerSecurityOptions];
  if (def.systemControls?.length) {
    host.Sysctls = Object.fromEntries(def.systemControls.map((s) => [s.namespace ?? '', s.value ?? '']));
  }
  const linux = def.linuxParameters;
  if (linux?.initProcessEnabled) host.Init = true;
  if (linux?.devices?.length) {
    host.Devices = linux.devices.map((d) => ({
      PathOnHost: d.hostPath ?? '',
      PathInContainer: d.containerPath ?? d.hostPath ?? '',
      CgroupPermissions: (d.permissions ?? ['read', 'write', 'mknod']).map((p) => p[0]).join(''),
    }));
  }
  if (linux?.tmpfs?.length) {
    host.Tmpfs = Object.fromEntries(linux.tmpfs.map((t) => [t.containerPath ?? '', [`size=${t.size ?? 0}m`, ...(t.mountOptions ?? [])].join(',')]));
  }
  // ECS's maxSwap is the swap on top of the container's memory (0: none); Docker's MemorySwap is the two together.
  if (linux?.maxSwap !== undefined && def.memory !== undefined) host.MemorySwap = (def.memory + linux.maxSwap) * MiB;
  if (linux?.swappiness !== undefined) host.MemorySwappiness = linux.swappiness;
  if (linux?.sharedMemorySize !== undefined) host.ShmSize = linux.sharedMemorySize * MiB;
  if (linux?.capabilities?.add?.length) host.CapAdd = [...linux.capabilities.add];
  if (linux?.capabilities?.drop?.length) host.CapDrop = [...linux.capabilities.drop];
  const log = def.logConfiguration;
  if (log?.logDriver && LOCAL_LOG_DRIVERS.has(log.logDriver)) host.LogConfig = { Type: log.logDriver, Config: { ...(log.options ?? {}) } };

  if (def.healthCheck?.command?.length) {
    const h = def.healthCheck;
    out.Healthcheck = {
      Test: [...(h.command ?? [])],
      Interval: (h.interval ?? 30) * NS_PER_S,
      Timeout: (h.timeout ?? 5) * NS_PER_S,
      Retries: h.retries ?? 3,
      StartPeriod: (h.startPeriod ?? 0) * NS_PER_S,
    };
  }
  return out;
}

/** ExposedPorts and PortBindings for the bridge: hostPort 0 or absent lets Docker choose. */
function portBindings(def: ContainerDefinition, hostIp: string): {
  exposed: Record<string, Record<string, never>>;
  bindings: Record<string, PortBinding[]>;
} {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, PortBinding[]> = {};
  for (const m of def.portMappings ?? []) {
    if (m.containerPort === undefined) continue;
    const key = `${m.containerPort}/${m.protocol === 'udp' ? 'udp' : 'tcp'}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: hostIp, HostPort: m.hostPort ? String(m.hostPort) : '' });
  }
  return { exposed, bindings };
}

/**
 * The network bindings ECS reports for a running container: on the bridge, the host ports
 * Docker actually published; on the host network, the container ports themselves.
 */
export function networkBindings(def: ContainerDefinition, networkMode: TaskSpec['networkMode'], published: readonly PublishedPort[]): NetworkBinding[] {
  const mode = dockerNetworkMode(networkMode);
  if (mode === 'none') return [];
  if (mode === 'host') {
    return (def.portMappings ?? [])
      .filter((m) => m.containerPort !== undefined)
      .map((m) => ({
        bindIP: '0.0.0.0',
        containerPort: m.containerPort,
        hostPort: m.hostPort || m.containerPort,
        protocol: m.protocol === 'udp' ? 'udp' : 'tcp',
      }));
  }
  return published.map((p) => ({ bindIP: p.hostIp, containerPort: p.containerPort, hostPort: p.hostPort, protocol: p.protocol }));
}
