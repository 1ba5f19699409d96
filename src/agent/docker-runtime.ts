/**
 * The container runtime on the local Docker Engine, through dockerode. Connects to DOCKER_HOST
 * when set, otherwise to /var/run/docker.sock.
 */
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import {
  RuntimeError,
  type ContainerCreateOptions,
  type ContainerInfo,
  type ContainerRuntime,
  type ContainerState,
  type ContainerSummary,
  type LogFollow,
  type PublishedPort,
  type RuntimeEvent,
  type RuntimeVersion,
  type RegistryAuth,
  type Subscription,
  type VolumeCreateOptions,
  type VolumeInfo,
} from './runtime.ts';
import { outputLines } from './docker-logs.ts';

/** How to reach Docker: by default DOCKER_HOST or the local socket. */
export interface DockerRuntimeOptions {
  socketPath?: string;
  /** A DOCKER_HOST-style URL (`unix:///var/run/docker.sock`, `tcp://10.0.0.5:2375`) instead of this process's DOCKER_HOST. */
  dockerHost?: string;
  /** Milliseconds `version()` waits before calling Docker unreachable. */
  connectTimeoutMs?: number;
  /** Milliseconds between attempts to re-open a broken event stream. */
  eventsRetryMs?: number;
}

/** dockerode's connection options for a DOCKER_HOST-style URL. */
export function dockerHostOptions(url: string): Docker.DockerOptions {
  if (url.startsWith('unix://')) return { socketPath: url.slice('unix://'.length) };
  const u = new URL(url.replace(/^tcp:/, 'http:'));
  const protocol = u.protocol === 'https:' ? 'https' : 'http';
  return { protocol, host: u.hostname, port: Number(u.port || (protocol === 'https' ? 2376 : 2375)) };
}

/** Docker Engine, as a ContainerRuntime. */
export class DockerRuntime implements ContainerRuntime {
  /** The Docker Engine client, for what the runtime contract does not cover (importing the pause image). */
  readonly docker: Docker;
  /** Where the runtime connects, for error messages. */
  readonly endpoint: string;

  constructor(private readonly options: DockerRuntimeOptions = {}) {
    this.docker = options.socketPath ? new Docker({ socketPath: options.socketPath }) : options.dockerHost ? new Docker(dockerHostOptions(options.dockerHost)) : new Docker();
    this.endpoint = options.socketPath ?? options.dockerHost ?? process.env.DOCKER_HOST ?? '/var/run/docker.sock';
  }

  async version(): Promise<RuntimeVersion> {
    const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const v = await Promise.race([this.docker.version(), timeout]);
      return { version: v.Version, apiVersion: v.ApiVersion };
    } catch (err) {
      throw new RuntimeError('connect', `Docker Engine at ${this.endpoint}: ${messageOf(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async imageExists(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw new RuntimeError('pull', messageOf(err));
    }
  }

  async pullImage(image: string, auth?: RegistryAuth): Promise<void> {
    try {
      const stream = await this.docker.pull(image, auth ? { authconfig: auth } : {});
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve()));
      });
    } catch (err) {
      throw new RuntimeError('pull', messageOf(err));
    }
  }

  async createContainer(options: ContainerCreateOptions): Promise<string> {
    try {
      const container = await this.docker.createContainer(options);
      return container.id;
    } catch (err) {
      throw new RuntimeError('create', messageOf(err));
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if (statusOf(err) === 304) return;
      throw new RuntimeError('start', messageOf(err));
    }
  }

  async inspectContainer(id: string): Promise<ContainerInfo | undefined> {
    try {
      return toInfo(await this.docker.getContainer(id).inspect());
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw new RuntimeError('inspect', messageOf(err));
    }
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.round(timeoutSeconds)) });
    } catch (err) {
      const status = statusOf(err);
      if (status === 304 || status === 404) return;
      throw new RuntimeError('stop', messageOf(err));
    }
  }

  followLogs(id: string, since?: string): LogFollow {
    const abort = new AbortController();
    const container = this.docker.getContainer(id);
    async function* lines(): AsyncGenerator<string[]> {
      const tty = (await container.inspect()).Config.Tty;
      const stream = (await container.logs({
        follow: true, stdout: true, stderr: true, timestamps: true, ...(since && { since }), abortSignal: abort.signal,
      })) as unknown as Readable;
      try {
        yield* outputLines(stream, !tty);
      } catch (err) {
        if (!abort.signal.aborted) throw err;
      } finally {
        stream.destroy();
      }
    }
    const iterable = lines();
    return { [Symbol.asyncIterator]: () => iterable, close: () => abort.abort() };
  }

  async containerStats(id: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.docker.getContainer(id).stats({ stream: false })) as unknown as Record<string, unknown>;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw new RuntimeError('inspect', messageOf(err));
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const status = statusOf(err);
      if (status === 404) return;
      if (status === 409 && /already in progress/i.test(messageOf(err))) return;
      throw new RuntimeError('remove', messageOf(err));
    }
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: labelFilter(labels) } });
    return list.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      labels: c.Labels ?? {},
      state: c.State as ContainerState,
    }));
  }

  async createVolume(options: VolumeCreateOptions): Promise<VolumeInfo> {
    try {
      // dockerode resolves create with a handle, not Docker's answer: the volume is inspected.
      await this.docker.createVolume({ Driver: 'local', ...options });
      return toVolume(await this.docker.getVolume(options.Name).inspect());
    } catch (err) {
      throw new RuntimeError('volume', `create volume ${options.Name}: ${messageOf(err)}`);
    }
  }

  async inspectVolume(name: string): Promise<VolumeInfo | undefined> {
    try {
      return toVolume(await this.docker.getVolume(name).inspect());
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw new RuntimeError('volume', `inspect volume ${name}: ${messageOf(err)}`);
    }
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.docker.getVolume(name).remove();
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw new RuntimeError('volume', `remove volume ${name}: ${messageOf(err)}`);
    }
  }

  async listVolumes(labels: Record<string, string>): Promise<VolumeInfo[]> {
    const list = await this.docker.listVolumes({ filters: { label: labelFilter(labels) } });
    return (list.Volumes ?? []).map(toVolume);
  }

  async subscribe(labels: Record<string, string>, listener: (event: RuntimeEvent) => void): Promise<Subscription> {
    const retryMs = this.options.eventsRetryMs ?? 1000;
    let closed = false;
    let current: NodeJS.ReadableStream | undefined;
    let retry: NodeJS.Timeout | undefined;

    const open = async (): Promise<void> => {
      const stream = await this.docker.getEvents({
        filters: { type: ['container'], event: ['die', 'health_status'], label: labelFilter(labels) },
      });
      if (closed) {
        destroy(stream);
        return;
      }
      current = stream;
      let buffered = '';
      stream.on('data', (chunk: Buffer | string) => {
        buffered += chunk.toString();
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          const event = line ? parseEvent(line) : undefined;
          if (event) listener(event);
        }
      });
      const broken = (): void => {
        if (closed || current !== stream) return;
        current = undefined;
        scheduleReopen();
      };
      stream.on('end', broken);
      stream.on('close', broken);
      stream.on('error', broken);
    };

    const scheduleReopen = (): void => {
      retry = setTimeout(() => {
        open().then(
          () => {
            if (!closed) listener({ type: 'resync' });
          },
          () => {
            if (!closed) scheduleReopen();
          },
        );
      }, retryMs);
    };

    try {
      await open();
    } catch (err) {
      throw new RuntimeError('connect', `Docker events: ${messageOf(err)}`);
    }
    return {
      close: () => {
        closed = true;
        clearTimeout(retry);
        if (current) destroy(current);
        current = undefined;
      },
    };
  }
}

/** Docker's inspect answer, the parts read here. */
interface DockerInspect {
  Id: string;
  Name: string;
  /** The image's id (`sha256:…`) and when the container was created. */
  Image?: string;
  Created?: string;
  Config: { Image: string; Labels?: Record<string, string> | null };
  State: {
    Status: string;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
    Error?: string;
    OOMKilled: boolean;
    Pid?: number;
    Health?: { Status: string };
  };
  NetworkSettings: {
    Ports?: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
    Networks?: Record<string, { IPAddress?: string }> | null;
  };
}

function toInfo(c: DockerInspect): ContainerInfo {
  const state = c.State.Status as ContainerState;
  const health = c.State.Health?.Status;
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    labels: c.Config.Labels ?? {},
    state,
    image: c.Config.Image,
    exitCode: state === 'exited' || state === 'dead' ? c.State.ExitCode : undefined,
    startedAt: dockerTime(c.State.StartedAt),
    finishedAt: dockerTime(c.State.FinishedAt),
    error: c.State.Error || undefined,
    oomKilled: c.State.OOMKilled,
    ...(state === 'running' && (c.State.Pid ?? 0) > 0 && { pid: c.State.Pid }),
    health: health === 'starting' || health === 'healthy' || health === 'unhealthy' ? health : undefined,
    ports: publishedPorts(c.NetworkSettings.Ports ?? {}),
    ...(c.Image && { imageId: c.Image }),
    ...(dockerTime(c.Created) !== undefined && { createdAt: dockerTime(c.Created) }),
    ...(ipAddressOf(c) && { ipAddress: ipAddressOf(c) }),
  };
}

/** The container's address on its Docker network (the bridge's), while it has one. */
function ipAddressOf(c: DockerInspect): string | undefined {
  return Object.values(c.NetworkSettings.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress || undefined;
}

function toVolume(v: { Name: string; Driver: string; Labels?: Record<string, string> | null; Options?: Record<string, string> | null }): VolumeInfo {
  return { name: v.Name, driver: v.Driver, labels: v.Labels ?? {}, options: v.Options ?? {} };
}

function publishedPorts(ports: Record<string, { HostIp: string; HostPort: string }[] | null>): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(ports)) {
    const [port, proto] = key.split('/');
    if (proto !== 'tcp' && proto !== 'udp') continue;
    for (const b of bindings ?? []) {
      out.push({ containerPort: Number(port), protocol: proto, hostIp: b.HostIp, hostPort: Number(b.HostPort) });
    }
  }
  return out;
}

/** Docker writes the zero time `0001-01-01T00:00:00Z` for "never". */
function dockerTime(value: string | undefined): number | undefined {
  if (!value || value.startsWith('0001-')) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function parseEvent(line: string): RuntimeEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object') return undefined;
  const e = raw as { Action?: string; status?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
  const action = e.Action ?? e.status ?? '';
  const id = e.Actor?.ID ?? e.id;
  if (!id) return undefined;
  if (action === 'die') {
    const code = Number(e.Actor?.Attributes?.exitCode);
    return { type: 'exit', id, exitCode: Number.isFinite(code) ? code : -1 };
  }
  if (action.startsWith('health_status')) {
    const health = action.split(':')[1]?.trim();
    if (health === 'starting' || health === 'healthy' || health === 'unhealthy') return { type: 'health', id, health };
  }
  return undefined;
}

function labelFilter(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
}

function destroy(stream: NodeJS.ReadableStream): void {
  const s = stream as NodeJS.ReadableStream & { destroy?: () => void };
  s.destroy?.();
}

function statusOf(err: unknown): number | undefined {
  return err && typeof err === 'object' && 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : undefined;
}

/** Docker's own message when it sent one, without dockerode's `(HTTP code N) ...` prefix. */
function messageOf(err: unknown): string {
  if (err && typeof err === 'object') {
    const json = 'json' in err ? err.json : undefined;
    if (json && typeof json === 'object' && 'message' in json && typeof json.message === 'string') return json.message;
    if ('message' in err && typeof err.message === 'string') return err.message;
  }
  return String(err);
}
