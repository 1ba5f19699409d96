/**
 * The container runtime the agent drives: the few Docker Engine operations the task engine
 * needs, behind a small interface so the engine runs against real Docker (`docker-runtime.ts`)
 * or an in-memory fake (`fake-runtime.testing.ts`) that simulates thousands of hosts.
 *
 * The create options are a subset of Docker's own `POST /containers/create` body, in Docker's
 * field names, so the Docker runtime passes them through and the fake emulates exactly them.
 */

/** One published port as Docker reports it (`NetworkSettings.Ports`). */
export interface PublishedPort {
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
}

/** A host port to publish a container port on: `HostPort` '' lets Docker choose one. */
export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

/** A resource limit (`ulimit`), as Docker takes it. */
export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

/** Docker's health check settings (durations in nanoseconds). */
export interface HealthConfig {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
}

/** Docker's `HostConfig`: the parts the agent sets. */
export interface HostConfig {
  NetworkMode: string;
  PortBindings?: Record<string, PortBinding[]>;
  Links?: string[];
  CpuShares?: number;
  /** Hard memory limit, bytes. */
  Memory?: number;
  /** Soft memory limit, bytes. */
  MemoryReservation?: number;
  Ulimits?: Ulimit[];
  Privileged?: boolean;
  ReadonlyRootfs?: boolean;
  ExtraHosts?: string[];
  Dns?: string[];
  DnsSearch?: string[];
  SecurityOpt?: string[];
  Sysctls?: Record<string, string>;
  Init?: boolean;
  /** Bytes. */
  ShmSize?: number;
  CapAdd?: string[];
  CapDrop?: string[];
  LogConfig?: { Type: string; Config: Record<string, string> };
  /** Host devices mapped into the container (`CgroupPermissions` of `r`, `w`, `m`). */
  Devices?: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[];
  /** tmpfs mounts: container path → mount options (`size=64m,noexec`). */
  Tmpfs?: Record<string, string>;
  /** Memory plus swap, bytes (equal to Memory: no swap). */
  MemorySwap?: number;
  MemorySwappiness?: number;
  /** The cgroup the container's own is made under (a task's, when the task's resources are limits on the whole task). */
  CgroupParent?: string;
  /** Mounts as `source:containerPath[:ro]`: a host path (absolute) or a Docker volume's name. */
  Binds?: string[];
  /** Containers whose volumes this one mounts too, as `name[:ro]`. */
  VolumesFrom?: string[];
  /** PID namespace: `host`, or `container:<id>` to share another container's. */
  PidMode?: string;
  /** IPC namespace: `host`, `none`, `shareable` (others may join it), or `container:<id>`. */
  IpcMode?: string;
}

/** The body of Docker's container create call (plus its `name` query parameter). */
export interface ContainerCreateOptions {
  name: string;
  Image: string;
  Labels: Record<string, string>;
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  User?: string;
  Hostname?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  /** Seconds Docker waits after the stop signal before SIGKILL, for stops without a timeout. */
  StopTimeout?: number;
  Healthcheck?: HealthConfig;
  NetworkDisabled?: boolean;
  OpenStdin?: boolean;
  Tty?: boolean;
  HostConfig: HostConfig;
}

/** A container's output being followed: its timestamped lines, as many at a time as have come. */
export interface LogFollow extends AsyncIterable<string[]> {
  close(): void;
}

/** Docker's container states. */
export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** A container as `list` reports it: enough to find the agent's own containers. */
export interface ContainerSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
  state: ContainerState;
}

/** A container as `inspect` reports it. Timestamps are epoch ms, absent when never set. */
export interface ContainerInfo extends ContainerSummary {
  image: string;
  /** Set once the container has exited. */
  exitCode?: number;
  startedAt?: number;
  finishedAt?: number;
  /** Why the runtime could not run it (Docker's `State.Error`), when it says. */
  error?: string;
  oomKilled: boolean;
  /** The main process's id on the host, while it runs (a pause container's names the task's network namespace). */
  pid?: number;
  health?: 'starting' | 'healthy' | 'unhealthy';
  ports: PublishedPort[];
  /** The image's id (`sha256:…`). */
  imageId?: string;
  createdAt?: number;
  /** Its address on its Docker network (bridge), while it runs on one. */
  ipAddress?: string;
}

/** The body of Docker's volume create call. */
export interface VolumeCreateOptions {
  Name: string;
  /** Docker's default: `local`. */
  Driver?: string;
  DriverOpts?: Record<string, string>;
  Labels?: Record<string, string>;
}

/** A Docker volume as `inspect` and `list` report it. */
export interface VolumeInfo {
  name: string;
  driver: string;
  labels: Record<string, string>;
  options: Record<string, string>;
}

/**
 * What the runtime tells subscribers. `resync` means events may have been missed (the event
 * stream broke and was re-opened), so subscribers should re-inspect what they care about.
 */
export type RuntimeEvent =
  | { type: 'exit'; id: string; exitCode: number }
  | { type: 'health'; id: string; health: 'starting' | 'healthy' | 'unhealthy' }
  | { type: 'resync' };

/** An open event subscription. */
export interface Subscription {
  close(): void;
}

/** Version facts the agent reports when it registers. */
export interface RuntimeVersion {
  version: string;
  apiVersion: string;
}

/**
 * The operations the task engine needs from a container runtime. Missing containers are not
 * errors for `stop` and `remove` (they are already where the caller wants them); `inspect`
 * returns undefined for them.
 */
/** Credentials for one registry, as docker login would keep them. */
export interface RegistryAuth {
  username: string;
  password: string;
  /** host:port of the registry. */
  serveraddress: string;
}

export interface ContainerRuntime {
  /** Fails when the runtime is not reachable. */
  version(): Promise<RuntimeVersion>;
  imageExists(image: string): Promise<boolean>;
  /** Pulls `image`, with registry credentials when it needs them. */
  pullImage(image: string, auth?: RegistryAuth): Promise<void>;
  /** Creates a container and returns its id. */
  createContainer(options: ContainerCreateOptions): Promise<string>;
  startContainer(id: string): Promise<void>;
  inspectContainer(id: string): Promise<ContainerInfo | undefined>;
  /** Sends the stop signal, then SIGKILL after `timeoutSeconds`; resolves once it has stopped. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  /** One sample of Docker's container stats (its `GET /containers/{id}/stats?stream=false` answer), or undefined for a missing container. */
  containerStats(id: string): Promise<Record<string, unknown> | undefined>;
  /**
   * The container's output (stdout and stderr), each line `<RFC 3339 nano timestamp> <text>`,
   * from `since` (Docker's `<seconds>.<nanoseconds>`), following it until the container stops;
   * `close` ends it early.
   */
  followLogs(id: string, since?: string): LogFollow;
  /** Containers, running or not, carrying every one of `labels`. */
  listContainers(labels: Record<string, string>): Promise<ContainerSummary[]>;
  /**
   * Container exits and health changes for containers carrying every one of `labels`.
   * Resolves once the subscription is live, so nothing that happens after is missed.
   */
  subscribe(labels: Record<string, string>, listener: (event: RuntimeEvent) => void): Promise<Subscription>;
  /** Creates a volume; as Docker does, an existing volume of that name and driver is returned as it is. */
  createVolume(options: VolumeCreateOptions): Promise<VolumeInfo>;
  /** Undefined when there is no volume of that name. */
  inspectVolume(name: string): Promise<VolumeInfo | undefined>;
  /** A missing volume is already removed; one a container still uses is an error (kind `volume`). */
  removeVolume(name: string): Promise<void>;
  /** Volumes carrying every one of `labels`. */
  listVolumes(labels: Record<string, string>): Promise<VolumeInfo[]>;
}

/** A runtime call failed; `kind` says which step, for ECS's reason prefixes. */
export class RuntimeError extends Error {
  constructor(
    readonly kind: 'pull' | 'create' | 'start' | 'stop' | 'inspect' | 'remove' | 'connect' | 'volume',
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** True when `labels` carries every one of `wanted`. */
export function hasLabels(labels: Record<string, string>, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

/** Adds `:latest` to an image reference without a tag or digest, as Docker does. */
export function normalizeImage(image: string): string {
  if (image.includes('@')) return image;
  const lastSlash = image.lastIndexOf('/');
  const tail = image.slice(lastSlash + 1);
  return tail.includes(':') ? image : `${image}:latest`;
}
