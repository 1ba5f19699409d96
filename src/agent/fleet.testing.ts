/**
 * A simulated fleet: `count` container instances in this process, each a real agent
 * (`startAgent`) speaking the real WebSocket link to a control plane, with an in-memory
 * container runtime (`FakeRuntime`) and an in-memory checkpoint store. The control plane cannot
 * tell them from hosts; tests and benchmarks use them to run thousands of container instances
 * and their tasks on one machine.
 *
 *   startFleet ──▶ agent 0 … agent n-1, `concurrency` connecting at a time
 *                    │ each: FakeRuntime (every image pullable, stops at once) + MemoryCheckpointStore
 *                    └─ AgentLink ──ws──▶ control plane /_wharf/agent  (hello → registered)
 *
 * Each agent has a stable id (`<idPrefix>-<i>`), so a fleet started again with the same prefix
 * comes back as the same container instances (each keeps the secret the control plane issued
 * it, for as long as this process runs, though not its tasks); its EC2 instance id is derived from that id, and its
 * availability zone is `availabilityZones[i % length]`. Every agent signs its link with the
 * fleet's `credentials` (one signature per connection: cheap). On Linux, against a loopback
 * control plane, agent `i` connects from its own loopback address (127.16.0.0 + i), as hosts
 * do from theirs, so the link's per-address limits see a fleet, not a flood. Logs are dropped
 * unless `log` is given.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomIds, type Credentials } from '../common/index.ts';
import { FakeRuntime, type FakeRuntimeOptions } from './fake-runtime.testing.ts';
import { ec2InstanceId } from './host-info.ts';
import { startAgent } from './index.ts';
import { MemoryCheckpointStore, CHECKPOINT_FORMAT } from './checkpoint.ts';

/** What a fleet is made of. */
export interface FleetOptions {
  /** The control plane, e.g. http://127.0.0.1:8040; or its replicas, used in turn when one is lost. */
  serverUrl: string | string[];
  /** Cluster every agent registers in (it must exist unless it is `default`). */
  cluster: string;
  /** What every agent signs its link with: a principal allowed ecs:RegisterContainerInstance and ecs:Poll. */
  credentials: Credentials;
  /** How many simulated container instances. */
  count: number;
  /** CPU units and memory MiB of instance `i` (default 2048 units, 4096 MiB). */
  sizes?: (i: number) => { cpu: number; memory: number };
  /** Zones the instances are spread over, round robin (default `<region>a`, `b`, `c`). */
  availabilityZones?: string[];
  /** Custom attributes of instance `i`, registered with the agent's own. */
  attributes?: (i: number) => { name: string; value?: string }[];
  /** `ecs.instance-type` of instance `i` (default `wharf.simulated`). */
  instanceType?: (i: number) => string;
  region?: string;
  account?: string;
  /** Agent ids are `<idPrefix>-<i>` (default: a fresh random prefix). */
  idPrefix?: string;
  /** Index of the first agent (default 0): with `idPrefix`, brings back agents of an earlier fleet. */
  firstIndex?: number;
  /** Agents connecting at once; the next starts when one is registered (default 100). */
  concurrency?: number;
  /**
   * Link heartbeat (default 15 s). The control plane closes a link silent for 3 of its own
   * heartbeat intervals (10 s by default), so keep this under 30 s.
   */
  heartbeatMs?: number;
  /** Multiplies simulated sleeps (default 1: `sleep 3600` runs an hour; `exit 1` exits at once). */
  timeScale?: number;
  /** Multiplies stop timeouts (default 0: a stopped task's containers exit at once). */
  stopTimeScale?: number;
  /** How long a stopped task's containers are kept on its simulated host (default 10 s). */
  cleanupWaitMs?: number;
  /** What a container does, instead of reading its command (see FakeRuntime). */
  behaviour?: FakeRuntimeOptions['behaviour'];
  /** Registration of the whole fleet must finish within this (default 120 s). */
  timeoutMs?: number;
  /** Receives every agent's log lines, prefixed with its index (default: dropped). */
  log?: (message: string) => void;
}

/** A simulated agent's own source address, when the control plane is on IPv4 loopback and Linux routes all of 127/8 there. */
function sourceAddress(serverUrl: string, i: number): string | undefined {
  if (process.platform !== 'linux' || new URL(serverUrl).hostname !== '127.0.0.1' || i >= 1 << 20) return undefined;
  return `127.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

/** One simulated container instance. */
export interface SimulatedAgent {
  index: number;
  agentId: string;
  ec2InstanceId: string;
  availabilityZone: string;
  /** Its containers: test controls such as `exit` and `setHealth`. */
  runtime: FakeRuntime;
  /** The container instance ARN the control plane registered it as (set once registered). */
  containerInstanceArn: string;
  /** Closes its link (the control plane marks the instance disconnected) and stops it. */
  stop(): Promise<void>;
}

/** A running fleet. */
export interface Fleet {
  agents: SimulatedAgent[];
  /** Agent `i` is `<idPrefix>-<i>`; a fleet started with the same prefix re-registers as the same instances. */
  idPrefix: string;
  /** Milliseconds from the first connection to the last registration. */
  registrationMs: number;
  /** Stops every agent that is still running. */
  stop(): Promise<void>;
}

/** Simulated agents' checkpoints by agent id: where a returning agent finds its secret (see the file comment). */
const checkpoints = new Map<string, MemoryCheckpointStore>();

/**
 * Starts the fleet and resolves once every agent is registered. Rejects (with everything it
 * started stopped) when the fleet is not registered within `timeoutMs`.
 */
export async function startFleet(o: FleetOptions): Promise<Fleet> {
  if (!Number.isInteger(o.count) || o.count < 0) throw new RangeError('count must be a non-negative integer');
  const region = o.region ?? 'us-east-1';
  const zones = o.availabilityZones?.length ? o.availabilityZones : [`${region}a`, `${region}b`, `${region}c`];
  const prefix = o.idPrefix ?? `fleet-${randomIds.hex32().slice(0, 8)}`;
  const sizes = o.sizes ?? (() => ({ cpu: 2048, memory: 4096 }));
  const dataDir = await mkdtemp(join(tmpdir(), 'wharf-fleet-'));
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  const agents: SimulatedAgent[] = [];
  const started = performance.now();

  const startOne = async (i: number): Promise<SimulatedAgent> => {
    const agentId = `${prefix}-${i}`;
    // A simulated host starts with no tasks, but it keeps its secret for the life of this
    // process: a fleet started again with the same prefix brings back the same agents.
    const agentSecret = (await checkpoints.get(agentId)?.load())?.agentSecret;
    const store = new MemoryCheckpointStore();
    checkpoints.set(agentId, store);
    await store.save({ format: CHECKPOINT_FORMAT, agentId, ...(agentSecret && { agentSecret }), tasks: [], forgotten: [] });
    const runtime = new FakeRuntime({ registry: 'any', timeScale: o.timeScale ?? 1, stopTimeScale: o.stopTimeScale ?? 0, behaviour: o.behaviour });
    const availabilityZone = zones[i % zones.length];
    let registered!: (arns: string[]) => void;
    const registration = new Promise<string[]>((resolve) => (registered = resolve));
    const log = o.log;
    const credentials = o.credentials;
    const running = await startAgent({
      serverUrl: o.serverUrl,
      credentials: async () => credentials,
      localAddress: sourceAddress(typeof o.serverUrl === 'string' ? o.serverUrl : o.serverUrl[0], i),
      dataDir,
      cluster: o.cluster,
      region,
      account: o.account,
      ...sizes(i),
      availabilityZone,
      instanceType: o.instanceType?.(i) ?? 'wharf.simulated',
      attributes: o.attributes?.(i),
      runtime,
      checkpointStore: store,
      heartbeatMs: o.heartbeatMs ?? 15_000,
      cleanupWaitMs: o.cleanupWaitMs ?? 10_000,
      onRegistered: (arns) => registered(arns),
      log: log ? (m) => log(`[${i}] ${m}`) : () => undefined,
    });
    const agent: SimulatedAgent = {
      index: i, agentId, ec2InstanceId: ec2InstanceId(agentId), availabilityZone, runtime, containerInstanceArn: '',
      stop: () => running.stop(),
    };
    agents[i - first] = agent;
    const timeout = new Promise<never>((_, reject) => {
      const t = setTimeout(() => reject(new Error(`agent ${i} of ${o.count} was not registered in time`)), Math.max(0, deadline - Date.now()));
      void registration.finally(() => clearTimeout(t));
    });
    agent.containerInstanceArn = (await Promise.race([registration, timeout]))[0] ?? '';
    return agent;
  };

  const first = o.firstIndex ?? 0;
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < o.count) {
      const i = first + next++;
      try {
        await startOne(i);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.count, o.concurrency ?? 100) }, worker));
  const registrationMs = performance.now() - started;

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    for (let i = 0; i < agents.length; i += 500) {
      await Promise.all(agents.slice(i, i + 500).filter(Boolean).map((a) => a.stop()));
    }
    await rm(dataDir, { recursive: true, force: true });
  })());
  if (failure !== undefined) {
    await stop();
    throw failure;
  }
  return { agents, idPrefix: prefix, registrationMs, stop };
}
