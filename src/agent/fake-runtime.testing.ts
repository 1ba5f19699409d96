/**
 * An in-memory container runtime that behaves like Docker for what the agent uses: names,
 * labels, dynamic host ports, exit codes, stop signal then SIGKILL after the timeout, events.
 * For the engine's tests and for simulating thousands of hosts in one process.
 *
 * What a container "does" comes from its command, read by a tiny model of `sh` scripts
 * (`exit N`, `sleep N`, `trap "" TERM`, `trap "exit N" TERM`; anything else runs until
 * stopped), or from the `behaviour` option. As in Docker, a process that installs no TERM
 * handler ignores SIGTERM as PID 1 (unless `Init` is set) and is SIGKILLed (137) at the timeout.
 */
import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '../common/index.ts';
import {
  RuntimeError,
  hasLabels,
  normalizeImage,
  type ContainerCreateOptions,
  type ContainerInfo,
  type ContainerRuntime,
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

/** What a fake container's process does. */
export interface FakeBehaviour {
  /** Exits by itself after this many ms with `exitCode`; absent = runs until stopped. */
  exitAfterMs?: number;
  exitCode?: number;
  /** On SIGTERM: exit with this code, or 'ignore' it (then SIGKILL, 137, at the timeout). */
  onTerm: number | 'ignore';
  /**
   * Where the container's health check ends up, when it has one: 'healthy' after the first
   * interval, 'unhealthy' after `Retries` failed intervals, or 'starting' for good (until a
   * test calls `setHealth`). Default: from the check's command (`exit 1`, `false` fail).
   */
  health?: 'starting' | 'healthy' | 'unhealthy';
}

/** Options of the fake: which images exist and how time passes. */
export interface FakeRuntimeOptions {
  /** Images present locally. */
  images?: string[];
  /** Images a pull can fetch ('any': every image, as for simulated hosts); pulling anything else fails like an unreachable registry. */
  registry?: string[] | 'any';
  clock?: Clock;
  /** Multiplies stop timeouts and sleeps (0 makes simulated hosts instant). */
  timeScale?: number;
  /** Multiplies stop timeouts alone (default: timeScale): 0 with timeScale 1 keeps `sleep 3600` running but stops at once. */
  stopTimeScale?: number;
  /** First dynamic host port (Docker's ephemeral range starts at 32768). */
  firstDynamicPort?: number;
  behaviour?: (options: ContainerCreateOptions) => FakeBehaviour | undefined;
}

interface FakeContainer {
  info: ContainerInfo;
  options: ContainerCreateOptions;
  behaviour: FakeBehaviour;
  timers: NodeJS.Timeout[];
  /** Resolvers of stop() calls waiting for the exit. */
  waiting: (() => void)[];
  /** What it printed (`<timestamp> <text>` lines), and who waits for more. */
  output: string[];
  outputWaiters: (() => void)[];
}

/** The in-memory runtime. Test controls: `exit`, `setHealth`, `breakEvents`, `addImage`. */
export class FakeRuntime implements ContainerRuntime {
  private readonly images = new Set<string>();
  private readonly registry = new Set<string>();
  private readonly containers = new Map<string, FakeContainer>();
  private readonly statsReads = new Map<string, number>();
  private readonly volumes = new Map<string, VolumeInfo>();
  private readonly listeners = new Set<{ labels: Record<string, string>; listener: (e: RuntimeEvent) => void }>();
  private readonly usedPorts = new Set<string>();
  private nextPort: number;
  private seq = 0;
  private readonly clock: Clock;
  private readonly scale: number;
  private readonly stopScale: number;
  /** Counts of calls, for tests that assert what the agent did. */
  readonly calls = { pull: 0, create: 0, start: 0, stop: 0, remove: 0 };

  constructor(private readonly options: FakeRuntimeOptions = {}) {
    for (const i of options.images ?? []) this.images.add(normalizeImage(i));
    if (options.registry !== 'any') for (const i of options.registry ?? []) this.registry.add(normalizeImage(i));
    this.clock = options.clock ?? systemClock;
    this.scale = options.timeScale ?? 1;
    this.stopScale = options.stopTimeScale ?? this.scale;
    this.nextPort = options.firstDynamicPort ?? 32768;
  }

  async version(): Promise<RuntimeVersion> {
    return { version: '20.10.24-fake', apiVersion: '1.41' };
  }

  async imageExists(image: string): Promise<boolean> {
    return this.images.has(normalizeImage(image));
  }

  /** Credentials each pull was given, in order (tests check what the agent passed). */
  readonly pullAuth: Array<RegistryAuth | undefined> = [];

  async pullImage(image: string, auth?: RegistryAuth): Promise<void> {
    this.calls.pull++;
    this.pullAuth.push(auth);
    const ref = normalizeImage(image);
    if (this.options.registry !== 'any' && !this.registry.has(ref)) {
      throw new RuntimeError('pull', `Error response from daemon: pull access denied for ${image}, repository does not exist or may require 'docker login'`);
    }
    this.images.add(ref);
  }

  async createContainer(options: ContainerCreateOptions): Promise<string> {
    this.calls.create++;
    if (!this.images.has(normalizeImage(options.Image))) throw new RuntimeError('create', `No such image: ${options.Image}`);
    for (const c of this.containers.values()) {
      if (c.info.name === options.name) {
        throw new RuntimeError('create', `Conflict. The container name "/${options.name}" is already in use by container "${c.info.id}".`);
      }
    }
    for (const from of options.HostConfig.VolumesFrom ?? []) {
      const source = from.split(':')[0];
      if (![...this.containers.values()].some((c) => c.info.name === source || c.info.id === source)) throw new RuntimeError('create', `No such container: ${source}`);
    }
    // As Docker: a bind that names a volume (not a host path) creates it when missing.
    for (const bind of options.HostConfig.Binds ?? []) {
      const source = bind.split(':')[0];
      if (!source.startsWith('/') && !this.volumes.has(source)) this.volumes.set(source, { name: source, driver: 'local', labels: {}, options: {} });
    }
    const id = (++this.seq).toString(16).padStart(12, '0').padEnd(64, '0');
    this.containers.set(id, {
      options: structuredClone(options),
      behaviour: this.options.behaviour?.(options) ?? behaviourOf(options),
      timers: [],
      waiting: [],
      output: [],
      outputWaiters: [],
      info: {
        id, name: options.name, labels: { ...options.Labels }, state: 'created', image: options.Image,
        oomKilled: false, ports: [], imageId: `sha256:${createHash('sha256').update(options.Image).digest('hex')}`, createdAt: this.clock.now(),
      },
    });
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.calls.start++;
    const c = this.get(id, 'start');
    if (c.info.state === 'running') return;
    const ports = this.allocatePorts(c.options);
    c.info = { ...c.info, state: 'running', startedAt: this.clock.now(), finishedAt: undefined, exitCode: undefined, ports };
    const b = c.behaviour;
    const check = c.options.Healthcheck;
    if (check) {
      // As Docker: 'starting' from the start, then a result per interval; failures inside the
      // start period do not count, and `Retries` failures in a row make it unhealthy.
      c.info.health = 'starting';
      const result = b.health ?? 'healthy';
      const intervalMs = (check.Interval || 30 * NS_PER_S) / NS_PER_MS;
      const ms = result === 'healthy' ? intervalMs : (check.StartPeriod ?? 0) / NS_PER_MS + intervalMs * (check.Retries || 3);
      if (result !== 'starting') this.later(c, ms * this.scale, () => this.setHealth(id, result)).unref();
    }
    // A container's own exit is no reason to keep the process alive; a pending stop is.
    if (b.exitAfterMs !== undefined) this.later(c, b.exitAfterMs * this.scale, () => this.exit(id, b.exitCode ?? 0)).unref();
  }

  async inspectContainer(id: string): Promise<ContainerInfo | undefined> {
    const c = this.containers.get(id);
    return c ? structuredClone(c.info) : undefined;
  }

  /** Test control: the container prints `text` now (a line of its output, timestamped by the clock). */
  print(id: string, text: string): void {
    const c = this.containers.get(id);
    if (!c) return;
    c.output.push(`${new Date(this.clock.now()).toISOString().replace('Z', '000000Z')} ${text}`);
    for (const wake of c.outputWaiters.splice(0)) wake();
  }

  /** Its output from `since` (`seconds.nanoseconds`), then each new line until it exits or is closed. */
  followLogs(id: string, since?: string): LogFollow {
    let closed = false;
    const self = this;
    const wakeAll = () => {
      for (const wake of self.containers.get(id)?.outputWaiters.splice(0) ?? []) wake();
    };
    async function* lines(): AsyncGenerator<string[]> {
      const from = since ? Number(since.split('.')[0]) * 1000 : -Infinity;
      for (let i = 0; ; ) {
        const c = self.containers.get(id);
        if (!c || closed) return;
        if (i < c.output.length) {
          // What was printed since the last read, up to a read's worth, together, as Docker's reads bring it.
          const end = Math.min(c.output.length, i + 1000);
          const ready = c.output.slice(i, end).filter((line) => Date.parse(line.slice(0, 23) + 'Z') >= from);
          i = end;
          if (ready.length) yield ready;
          continue;
        }
        if (c.info.state !== 'running') return;
        await new Promise<void>((resolve) => c.outputWaiters.push(resolve));
      }
    }
    const iterable = lines();
    return { [Symbol.asyncIterator]: () => iterable, close: () => ((closed = true), wakeAll()) };
  }

  /** Stats shaped as Docker's, counting up with each read (a running container's only). */
  async containerStats(id: string): Promise<Record<string, unknown> | undefined> {
    const c = this.containers.get(id);
    if (!c) return undefined;
    const reads = (this.statsReads.get(id) ?? 0) + 1;
    this.statsReads.set(id, reads);
    const running = c.info.state === 'running';
    return {
      read: new Date(this.clock.now()).toISOString(),
      id, name: `/${c.info.name}`,
      cpu_stats: { cpu_usage: { total_usage: running ? reads * 1_000_000 : 0 }, system_cpu_usage: reads * 10_000_000, online_cpus: 1 },
      memory_stats: running ? { usage: 4 * 1024 * 1024, limit: c.options.HostConfig.Memory ?? 1024 * 1024 * 1024 } : {},
    };
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    this.calls.stop++;
    const c = this.containers.get(id);
    if (!c || c.info.state !== 'running') return;
    const exited = new Promise<void>((resolve) => c.waiting.push(resolve));
    const onTerm = c.options.HostConfig.Init && c.behaviour.onTerm === 'ignore' ? 143 : c.behaviour.onTerm;
    if (onTerm === 'ignore') this.later(c, timeoutSeconds * 1000 * this.stopScale, () => this.exit(id, 137));
    else this.later(c, 0, () => this.exit(id, onTerm));
    await exited;
  }

  async removeContainer(id: string): Promise<void> {
    this.calls.remove++;
    const c = this.containers.get(id);
    if (!c) return;
    if (c.info.state === 'running') this.exit(id, 137);
    this.clearTimers(c);
    this.containers.delete(id);
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    return [...this.containers.values()]
      .filter((c) => hasLabels(c.info.labels, labels))
      .map((c) => ({ id: c.info.id, name: c.info.name, labels: { ...c.info.labels }, state: c.info.state }));
  }

  async subscribe(labels: Record<string, string>, listener: (event: RuntimeEvent) => void): Promise<Subscription> {
    const entry = { labels, listener };
    this.listeners.add(entry);
    return { close: () => this.listeners.delete(entry) };
  }

  async createVolume(options: VolumeCreateOptions): Promise<VolumeInfo> {
    const driver = options.Driver ?? 'local';
    const existing = this.volumes.get(options.Name);
    if (existing && existing.driver !== driver) {
      throw new RuntimeError('volume', `create volume ${options.Name}: a volume with the name ${options.Name} already exists with driver "${existing.driver}"`);
    }
    if (existing) return structuredClone(existing);
    if (driver !== 'local') throw new RuntimeError('volume', `create volume ${options.Name}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    const volume = { name: options.Name, driver, labels: { ...options.Labels }, options: { ...options.DriverOpts } };
    this.volumes.set(options.Name, volume);
    return structuredClone(volume);
  }

  async inspectVolume(name: string): Promise<VolumeInfo | undefined> {
    const v = this.volumes.get(name);
    return v && structuredClone(v);
  }

  async removeVolume(name: string): Promise<void> {
    if (!this.volumes.has(name)) return;
    // As Docker: a volume any container (running or not) mounts is in use.
    const user = [...this.containers.values()].find((c) => (c.options.HostConfig.Binds ?? []).some((b) => b.split(':')[0] === name));
    if (user) throw new RuntimeError('volume', `remove volume ${name}: volume is in use - [${user.info.id}]`);
    this.volumes.delete(name);
  }

  async listVolumes(labels: Record<string, string>): Promise<VolumeInfo[]> {
    return [...this.volumes.values()].filter((v) => hasLabels(v.labels, labels)).map((v) => structuredClone(v));
  }

  /** Test control: the container's process exits with `exitCode` now (`silent`: the event is lost). */
  exit(id: string, exitCode: number, silent = false): void {
    const c = this.containers.get(id);
    if (!c || c.info.state !== 'running') return;
    this.clearTimers(c);
    for (const p of c.info.ports) this.usedPorts.delete(portKey(p));
    // Docker keeps the last health check result of an exited container.
    c.info = { ...c.info, state: 'exited', exitCode, finishedAt: this.clock.now() };
    for (const resolve of c.waiting.splice(0)) resolve();
    for (const wake of c.outputWaiters.splice(0)) wake();
    if (!silent) this.emit(c, { type: 'exit', id, exitCode });
  }

  /** Test control: the running container's health check status changes (emits a health event, as Docker's `health_status`). */
  setHealth(id: string, health: 'starting' | 'healthy' | 'unhealthy'): void {
    const c = this.containers.get(id);
    if (!c || c.info.state !== 'running' || c.info.health === health) return;
    c.info.health = health;
    this.emit(c, { type: 'health', id, health });
  }

  /** Test control: as if the event stream broke and came back (events may be lost). */
  breakEvents(): void {
    for (const l of this.listeners) setImmediate(() => l.listener({ type: 'resync' }));
  }

  /** Test control: an image becomes present locally. */
  addImage(image: string): void {
    this.images.add(normalizeImage(image));
  }

  /** Test view: the create options a container was made with. */
  createOptions(id: string): ContainerCreateOptions | undefined {
    const c = this.containers.get(id);
    return c ? structuredClone(c.options) : undefined;
  }

  private emit(c: FakeContainer, event: RuntimeEvent): void {
    for (const l of this.listeners) {
      if (hasLabels(c.info.labels, l.labels)) setImmediate(() => l.listener(event));
    }
  }

  private allocatePorts(options: ContainerCreateOptions): PublishedPort[] {
    if (options.HostConfig.NetworkMode !== 'bridge' && options.HostConfig.NetworkMode !== 'default') return [];
    const out: PublishedPort[] = [];
    for (const [key, bindings] of Object.entries(options.HostConfig.PortBindings ?? {})) {
      const [port, proto] = key.split('/');
      const protocol = proto === 'udp' ? 'udp' : 'tcp';
      for (const b of bindings) {
        const hostIp = b.HostIp || '0.0.0.0';
        let hostPort = Number(b.HostPort || 0);
        if (hostPort === 0) {
          do hostPort = this.nextPort++;
          while (this.usedPorts.has(portKey({ hostIp, hostPort, protocol })));
        }
        out.push({ containerPort: Number(port), protocol, hostIp, hostPort });
      }
    }
    const keys = out.map(portKey);
    const taken = keys.find((k, i) => this.usedPorts.has(k) || keys.indexOf(k) !== i);
    if (taken) {
      const p = out[keys.indexOf(taken)]!;
      throw new RuntimeError('start', `driver failed programming external connectivity: Bind for ${p.hostIp}:${p.hostPort} failed: port is already allocated`);
    }
    for (const k of keys) this.usedPorts.add(k);
    return out;
  }

  private later(c: FakeContainer, ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      c.timers = c.timers.filter((x) => x !== t);
      fn();
    }, ms);
    c.timers.push(t);
    return t;
  }

  private clearTimers(c: FakeContainer): void {
    for (const t of c.timers) clearTimeout(t);
    c.timers = [];
  }

  private get(id: string, kind: 'start'): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError(kind, `No such container: ${id}`);
    return c;
  }
}

const NS_PER_MS = 1_000_000;
const NS_PER_S = 1_000_000_000;

function portKey(p: { hostIp: string; hostPort: number; protocol: string }): string {
  return `${p.hostIp}:${p.hostPort}/${p.protocol}`;
}

const FINITE_COMMANDS = new Set(['true', 'echo', 'printf', 'test', '[', 'touch', 'mkdir', 'ls', 'cat', 'date', ':']);

/** Reads a container's command as the model in the module comment describes. */
export function behaviourOf(options: ContainerCreateOptions): FakeBehaviour {
  const argv = [...(options.Entrypoint ?? []), ...(options.Cmd ?? [])];
  const script = argv[0] === 'sh' && argv[1] === '-c' ? (argv[2] ?? '') : argv.join(' ');
  const test = (options.Healthcheck?.Test ?? []).slice(1).join(' ');
  const health = /^(exit [1-9]|false)/.test(test) ? 'unhealthy' : 'healthy';
  let onTerm: FakeBehaviour['onTerm'] = 'ignore';
  let elapsed = 0;
  for (const raw of script.split(/;|&&|\n/)) {
    const words = raw.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    const [cmd, ...args] = words;
    if (cmd === 'trap') {
      const handler = raw.trim().slice(4).trim();
      if (/^(""|'')\s+TERM/.test(handler)) onTerm = 'ignore';
      const m = /^["']exit\s+(\d+)["']\s+TERM/.exec(handler);
      if (m) onTerm = Number(m[1]);
      continue;
    }
    if (cmd === 'exit') return { exitAfterMs: elapsed, exitCode: Number(args[0] ?? 0), onTerm, health };
    if (cmd === 'false') return { exitAfterMs: elapsed, exitCode: 1, onTerm, health };
    if (cmd === 'sleep' && args.length === 1 && Number.isFinite(Number(args[0])) && Number(args[0]) < 1e6) {
      elapsed += Number(args[0]) * 1000;
      continue;
    }
    if (cmd !== undefined && FINITE_COMMANDS.has(cmd)) continue;
    return { onTerm, health };
  }
  return { exitAfterMs: elapsed, exitCode: 0, onTerm, health };
}
