/**
 * What an agent may say on the link, checked before anything else reads it: every message is
 * decoded here into a fresh object holding only the fields the protocol names, each
 * type-checked and bounded (`AGENT_LINK_LIMITS`). Nothing an agent sends reaches the store
 * without passing through this file. Pure: no I/O, no clock.
 *
 *   text ──JSON──▶ decodeAgentMessage ──▶ hello (decodeHello) | heartbeat | taskStateChange (decodeReport)
 *                                     │     | credentialsRequest
 *                                     └─▶ { refused: code, message }
 */
import {
  AGENT_LINK_LIMITS as L, TASK_STATUSES, type AgentLinkErrorCode, type AgentMessage, type ContainerStateChange, type TaskStateChange,
  type TaskStatus,
} from '../common/index.ts';
import { isRegion } from '../aws/index.ts';
import { FARGATE_POOL, NAME_PATTERN, isAgentAttribute } from '../ecs/index.ts';

/** A `hello` as the link read it. */
export type Hello = Extract<AgentMessage, { type: 'hello' }>;

/** A message the link accepted, or why it refused it. */
export type Decoded =
  | { ok: true; message: Hello | { type: 'heartbeat' } | { type: 'taskStateChange'; change: TaskStateChange } | CredentialsRequestMessage | TelemetryMessage }
  | { ok: false; code: AgentLinkErrorCode; message: string; taskArn?: string };

/** A `credentialsRequest` as the link read it. */
export type CredentialsRequestMessage = Extract<AgentMessage, { type: 'credentialsRequest' }>;

/** A `telemetry` message as the link read it. */
export type TelemetryMessage = Extract<AgentMessage, { type: 'telemetry' }>;

/** At most this many container samples in one telemetry message (10 containers × the tasks of a large host). */
const MAX_SAMPLES = 2000;

/** Refuses with `code`, naming the field. */
class Refusal extends Error {
  constructor(readonly code: AgentLinkErrorCode, message: string) {
    super(message);
  }
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads one object's fields, refusing with `code` and the field's path. A class, not closures:
 * a hello has ~50 attributes, each read through one of these, on every agent's every connect.
 */
class Reader {
  constructor(private readonly o: Obj, private readonly at: string, private readonly code: AgentLinkErrorCode) {}

  fail(field: string, what: string): never {
    throw new Refusal(this.code, `${this.at}${field} ${what}.`);
  }

  string(field: string, max: number, pattern?: RegExp): string {
    const v = this.o[field];
    if (typeof v !== 'string') return this.fail(field, 'must be a string');
    if (v.length === 0 || v.length > max) return this.fail(field, `must have 1 to ${max} characters`);
    if (pattern && !pattern.test(v)) return this.fail(field, 'has characters it may not have');
    return v;
  }

  optString(field: string, max: number, pattern?: RegExp): string | undefined {
    return this.o[field] === undefined ? undefined : this.string(field, max, pattern);
  }

  int(field: string, min: number, max: number): number {
    const v = this.o[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return this.fail(field, `must be an integer from ${min} to ${max}`);
    return v;
  }

  optInt(field: string, min: number, max: number): number | undefined {
    return this.o[field] === undefined ? undefined : this.int(field, min, max);
  }

  list(field: string, max: number): unknown[] {
    const v = this.o[field];
    if (!Array.isArray(v)) return this.fail(field, 'must be a list');
    if (v.length > max) return this.fail(field, `may have at most ${max} items`);
    return v;
  }

  oneOf<T extends string>(field: string, values: readonly T[]): T {
    const v = this.o[field];
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) return this.fail(field, `must be one of ${values.join(', ')}`);
    return v as T;
  }

  /** Epoch milliseconds, when present. */
  time(field: string): number | undefined {
    return this.optInt(field, 0, 8.64e15);
  }
}

const reader = (o: Obj, at: string, code: AgentLinkErrorCode): Reader => new Reader(o, at, code);

/** Printable ASCII without spaces. */
const TOKEN = /^[\x21-\x7e]+$/;
/** Printable ASCII with spaces (hostnames, versions). */
const TEXT = /^[\x20-\x7e]+$/;
/** ECS's attribute name and value characters (PutAttributes). */
const ATTRIBUTE_NAME = /^[A-Za-z0-9_./\\-]+$/;
const ATTRIBUTE_VALUE = /^[A-Za-z0-9_.@/\\: -]+$/;
const ACCOUNT = /^\d{12}$/;
const EC2_INSTANCE_ID = /^i-[0-9a-f]{8,32}$/;
const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):cluster\/([A-Za-z0-9_-]{1,255})$/;

/** A `hello`: every field the control plane stores or acts on, typed and bounded. */
export function decodeHello(raw: Obj): Hello {
  const r = reader(raw, 'hello.', 'InvalidHello');
  const agentId = r.string('agentId', L.maxAgentIdLength, TOKEN);
  const agentSecret = r.optString('agentSecret', L.maxAgentSecretLength, TOKEN);
  const region = r.optString('region', 32);
  if (region !== undefined && !isRegion(region)) r.fail('region', `is not a region Wharf serves: ${JSON.stringify(region)}`);
  const account = r.optString('account', 12, ACCOUNT);
  const cluster = r.optString('cluster', 2048);
  if (cluster !== undefined) {
    const arn = CLUSTER_ARN.exec(cluster);
    if (cluster.startsWith('arn:') ? !arn || !isRegion(arn[1]) : !NAME_PATTERN.test(cluster) && cluster !== FARGATE_POOL) r.fail('cluster', 'must be a cluster name or cluster ARN');
  }
  const follow = raw.followAllClusters;
  if (follow !== undefined && typeof follow !== 'boolean') r.fail('followAllClusters', 'must be true or false');
  const hostname = r.string('hostname', L.maxShortString, TEXT);
  const ec2InstanceId = r.string('ec2InstanceId', 34, EC2_INSTANCE_ID);
  const cpu = r.int('cpu', 1, L.maxCpu);
  const memory = r.int('memory', 1, L.maxMemory);
  const reservedPorts = r.list('reservedPorts', L.maxReservedPorts).map((p, i) => {
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 65535) r.fail(`reservedPorts[${i}]`, 'must be a port (0 to 65535)');
    return p as number;
  });
  const gpus = raw.gpus === undefined ? undefined : r.list('gpus', L.maxGpus).map((g, i) => {
    if (typeof g !== 'string' || !g || g.length > L.maxShortString || !TOKEN.test(g)) r.fail(`gpus[${i}]`, 'must be a GPU id');
    return g as string;
  });
  const eniLimit = r.optInt('eniLimit', 0, L.maxEniLimit);
  const attributes = decodeAttributes(r.list('attributes', L.maxAgentAttributes + L.maxCustomAttributes));
  const versionInfo = raw.versionInfo;
  if (!isObject(versionInfo)) return r.fail('versionInfo', 'must be an object');
  const v = reader(versionInfo, 'hello.versionInfo.', 'InvalidHello');
  return {
    type: 'hello',
    agentId,
    ...(agentSecret !== undefined && { agentSecret }),
    ...(cluster !== undefined && { cluster }),
    ...(region !== undefined && { region }),
    ...(account !== undefined && { account }),
    ...(follow === true && { followAllClusters: true }),
    hostname,
    ec2InstanceId,
    cpu,
    memory,
    reservedPorts,
    ...(gpus !== undefined && { gpus }),
    ...(eniLimit !== undefined && { eniLimit }),
    attributes,
    versionInfo: {
      agentVersion: v.string('agentVersion', 64, TEXT),
      agentHash: v.string('agentHash', 64, TOKEN),
      dockerVersion: v.string('dockerVersion', 128, TEXT),
    },
  };
}

/** The hello's attributes: ECS's characters and lengths, at most 10 custom ones, no name twice. */
function decodeAttributes(list: unknown[]): Array<{ name: string; value?: string }> {
  const seen = new Set<string>();
  let custom = 0;
  let own = 0;
  return list.map((a, i) => {
    if (!isObject(a)) throw new Refusal('InvalidHello', `hello.attributes[${i}] must be an object.`);
    const r = reader(a, `hello.attributes[${i}].`, 'InvalidHello');
    const name = r.string('name', L.maxAttributeNameLength, ATTRIBUTE_NAME);
    const value = r.optString('value', L.maxAttributeValueLength, ATTRIBUTE_VALUE);
    if (seen.has(name)) r.fail('name', `repeats ${name}`);
    seen.add(name);
    if (isAgentAttribute(name) ? ++own > L.maxAgentAttributes : ++custom > L.maxCustomAttributes) {
      r.fail('name', `is one attribute too many (at most ${L.maxCustomAttributes} custom and ${L.maxAgentAttributes} of the agent's own)`);
    }
    return value === undefined ? { name } : { name, value };
  });
}

const STOP_CODES = [
  'TaskFailedToStart', 'EssentialContainerExited', 'UserInitiated', 'ServiceSchedulerInitiated', 'SpotInterruption', 'TerminationNotice',
] as const;
const HEALTH = ['HEALTHY', 'UNHEALTHY', 'UNKNOWN'] as const;
const PROTOCOLS = ['tcp', 'udp'] as const;
const TASK_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/[A-Za-z0-9_-]{1,255}\/[0-9a-f]{32}$/;

/** A `taskStateChange`'s report: the fields `stageTaskReport` merges, typed and bounded. */
export function decodeReport(raw: unknown): TaskStateChange {
  if (!isObject(raw)) throw new Refusal('InvalidReport', 'taskStateChange.change must be an object.');
  const r = reader(raw, 'change.', 'InvalidReport');
  const taskArn = r.string('taskArn', 2048, TASK_ARN);
  const lastStatus = r.oneOf<TaskStatus>('lastStatus', TASK_STATUSES);
  const containers = r.list('containers', L.maxContainersPerTask).map((c, i) => decodeContainer(c, i));
  const stopCode = raw.stopCode === undefined ? undefined : r.oneOf('stopCode', STOP_CODES);
  const stoppedReason = r.optString('stoppedReason', L.maxReasonLength);
  const change: TaskStateChange = { taskArn, lastStatus, containers };
  for (const field of ['pullStartedAt', 'pullStoppedAt', 'startedAt', 'executionStoppedAt', 'stoppedAt'] as const) {
    const t = r.time(field);
    if (t !== undefined) change[field] = t;
  }
  if (stopCode !== undefined) change.stopCode = stopCode;
  if (stoppedReason !== undefined) change.stoppedReason = stoppedReason;
  return change;
}

function decodeContainer(raw: unknown, i: number): ContainerStateChange {
  if (!isObject(raw)) throw new Refusal('InvalidReport', `change.containers[${i}] must be an object.`);
  const r = reader(raw, `change.containers[${i}].`, 'InvalidReport');
  const out: ContainerStateChange = { name: r.string('name', L.maxShortString), lastStatus: r.oneOf<TaskStatus>('lastStatus', TASK_STATUSES) };
  const runtimeId = r.optString('runtimeId', L.maxShortString, TOKEN);
  const exitCode = r.optInt('exitCode', -(2 ** 31), 2 ** 31 - 1);
  const reason = r.optString('reason', L.maxReasonLength);
  const imageDigest = r.optString('imageDigest', L.maxShortString, TOKEN);
  if (runtimeId !== undefined) out.runtimeId = runtimeId;
  if (exitCode !== undefined) out.exitCode = exitCode;
  if (reason !== undefined) out.reason = reason;
  if (imageDigest !== undefined) out.imageDigest = imageDigest;
  if (raw.healthStatus !== undefined) out.healthStatus = r.oneOf('healthStatus', HEALTH);
  if (raw.networkBindings !== undefined) {
    out.networkBindings = r.list('networkBindings', L.maxNetworkBindings).map((b, j) => {
      if (!isObject(b)) throw new Refusal('InvalidReport', `change.containers[${i}].networkBindings[${j}] must be an object.`);
      const n = reader(b, `change.containers[${i}].networkBindings[${j}].`, 'InvalidReport');
      const binding: NonNullable<ContainerStateChange['networkBindings']>[number] = {};
      const bindIP = n.optString('bindIP', 64, TOKEN);
      const containerPort = n.optInt('containerPort', 0, 65535);
      const hostPort = n.optInt('hostPort', 0, 65535);
      const containerPortRange = n.optString('containerPortRange', 11, /^\d{1,5}-\d{1,5}$/);
      const hostPortRange = n.optString('hostPortRange', 11, /^\d{1,5}-\d{1,5}$/);
      if (bindIP !== undefined) binding.bindIP = bindIP;
      if (containerPort !== undefined) binding.containerPort = containerPort;
      if (hostPort !== undefined) binding.hostPort = hostPort;
      if (b.protocol !== undefined) binding.protocol = n.oneOf('protocol', PROTOCOLS);
      if (containerPortRange !== undefined) binding.containerPortRange = containerPortRange;
      if (hostPortRange !== undefined) binding.hostPortRange = hostPortRange;
      return binding;
    });
  }
  return out;
}

/** A request for a task's role session: an id to answer to, the task, and which role. */
function decodeCredentialsRequest(raw: Obj): CredentialsRequestMessage {
  const text = (field: string, max: number): string => {
    const v = raw[field];
    if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new Refusal('InvalidMessage', `credentialsRequest.${field} must be a string of 1 to ${max} characters.`);
    return v;
  };
  const role = raw.role;
  if (role !== 'task' && role !== 'execution') throw new Refusal('InvalidMessage', 'credentialsRequest.role must be task or execution.');
  return { type: 'credentialsRequest', requestId: text('requestId', 64), taskArn: text('taskArn', 2048), role };
}

/** Container samples: each a task ARN, a container name, and finite, non-negative CPU units and memory MiB. */
function decodeTelemetry(raw: Obj): TelemetryMessage {
  const samples = raw.samples;
  if (!Array.isArray(samples) || samples.length > MAX_SAMPLES) throw new Refusal('InvalidMessage', `telemetry.samples must be a list of at most ${MAX_SAMPLES}.`);
  return {
    type: 'telemetry',
    samples: samples.map((s: unknown, i) => {
      const at = `telemetry.samples[${i}]`;
      if (!isObject(s)) throw new Refusal('InvalidMessage', `${at} must be an object.`);
      const text = (v: unknown, field: string, max: number) => {
        if (typeof v !== 'string' || !v || v.length > max) throw new Refusal('InvalidMessage', `${at}.${field} must be a string of 1 to ${max} characters.`);
        return v;
      };
      const amount = (v: unknown, field: string) => {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1e9) throw new Refusal('InvalidMessage', `${at}.${field} must be a number from 0 to 1e9.`);
        return v;
      };
      return {
        taskArn: text(s.taskArn, 'taskArn', 2048), container: text(s.container, 'container', L.maxShortString),
        cpuUnits: amount(s.cpuUnits, 'cpuUnits'), memoryMiB: amount(s.memoryMiB, 'memoryMiB'),
      };
    }),
  };
}

/** Decodes one text frame. Only JSON objects of a known type pass; each is decoded as its type says. */
export function decodeAgentMessage(text: string): Decoded {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'InvalidMessage', message: 'Messages must be JSON.' };
  }
  if (!isObject(raw)) return { ok: false, code: 'InvalidMessage', message: 'Messages must be JSON objects.' };
  try {
    switch (raw.type) {
      case 'hello': return { ok: true, message: decodeHello(raw) };
      case 'heartbeat': return { ok: true, message: { type: 'heartbeat' } };
      case 'taskStateChange': return { ok: true, message: { type: 'taskStateChange', change: decodeReport(raw.change) } };
      case 'credentialsRequest': return { ok: true, message: decodeCredentialsRequest(raw) };
      case 'telemetry': return { ok: true, message: decodeTelemetry(raw) };
      default: return { ok: false, code: 'InvalidMessage', message: `Unknown message type: ${JSON.stringify(raw.type)?.slice(0, 64)}.` };
    }
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    const change = raw.change;
    const taskArn = isObject(change) && typeof change.taskArn === 'string' && change.taskArn.length <= 2048 ? change.taskArn : undefined;
    return { ok: false, code: error.code, message: error.message, ...(taskArn !== undefined && { taskArn }) };
  }
}
