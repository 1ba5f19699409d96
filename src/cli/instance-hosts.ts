/**
 * The hosts of Wharf's EC2 instances, in the control plane's process: each running instance is a
 * Wharf agent (`startAgent`, as `wharf dev` starts its local one) with the instance type's CPU
 * and memory, registering as the instance (its id, type, zone and image) in the cluster its user
 * data names (`ecs-config.ts`), and signing its link with a session of its instance profile's
 * role, as the ECS agent uses the instance role. Its containers run on this machine's Docker
 * Engine, or on one of the operator's Docker hosts (`dockerHosts`, in turn).
 *
 *   instances controller ──start(spec)──▶ agent <dataDir>/<instanceId> ──link──▶ control plane
 *                        ──stop(id)────▶ tasks' containers stopped (reported), agent stopped
 *                        ──terminate──▶ and its containers and data removed
 *
 * Hosts on this machine share one task endpoints listener and resolver (169.254.170.2,
 * 169.254.169.253) and one awsvpc network plumber, so one host does not take another's.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ECSClient, TagResourceCommand } from '@aws-sdk/client-ecs';
import {
  CONTAINER_LABELS, DockerRuntime, SharedTaskServices, TASK_DNS_ADDRESS, TASK_ENDPOINT_ADDRESS, localTaskNetworks, startAgent,
  type AgentOptions, type RunningAgent,
} from '../agent/index.ts';
import type { Credentials } from '../common/index.ts';
import type { InstanceHostSpec, InstanceHostsPort } from '../instances/index.ts';
import { instanceIdentityDocument } from '../identity/index.ts';
import { parseEcsUserData } from './ecs-config.ts';

/** A role session's credentials, with when they expire. */
export type RoleSession = Credentials & { expiration: Date };

/** What the hosts are started with. */
export interface LocalInstanceHostsOptions {
  /** The control plane the agents link to (resolves once it listens). */
  serverUrl: () => Promise<string> | string;
  /** Each host keeps its agent's state in `<dataDir>/<instanceId>`. */
  dataDir: string;
  /** A session of the instance profile's role as EC2 takes it (the role must trust ec2.amazonaws.com); named after the instance. */
  roleSession: (roleArn: string, sessionName: string) => Promise<RoleSession>;
  /** DOCKER_HOST URLs of the machines hosts run on, one per instance in turn; none: this machine's Docker Engine. */
  dockerHosts?: readonly string[];
  /** Where the control plane's DNS server is, for the tasks' resolver on this machine (none: tasks keep Docker's resolvers). */
  dnsServer?: { address: string; port: number };
  /** Serve task endpoints and the resolver on this machine (default: when running as root). */
  taskServices?: boolean;
  /** Signs each host's instance identity document (given, the host's data directory holds the document and its signature). */
  identityDocuments?: { sign(document: string): string };
  /** Agent settings for every host (tests shorten heartbeats and cleanup waits). */
  agent?: Pick<AgentOptions, 'heartbeatMs' | 'telemetryMs' | 'cleanupWaitMs' | 'reconnect' | 'hostIp'>;
  log: (message: string) => void;
}

/** A started host: its agent (none without an instance profile: nothing to sign with) and where its containers run. */
interface Host {
  spec: InstanceHostSpec;
  dataDir: string;
  runtime: DockerRuntime;
  agent?: RunningAgent & { engine: { tasks(): Map<string, string> } };
}

/** What a host's data dir remembers: which Docker Engine its containers are on, and its agent. */
interface HostRecord {
  dockerHost?: string;
  agentId?: string;
}

const HOST_FILE = 'instance-host.json';
/** How long a stop waits for the tasks' containers to stop and be reported. */
const STOP_TASKS_MS = 45_000;
/** Credentials are renewed this long before they expire. */
const RENEW_BEFORE_MS = 5 * 60_000;

/** The hosts of Wharf instances, as agents in this process (see the file's comment). */
export class LocalInstanceHosts implements InstanceHostsPort {
  private readonly hosts = new Map<string, Host>();
  /** Starts and stops in progress, one at a time per instance. */
  private readonly busy = new Map<string, Promise<void>>();
  private next = 0;
  private shared?: SharedTaskServices;
  private networks?: ReturnType<typeof localTaskNetworks>;

  constructor(private readonly o: LocalInstanceHostsOptions) {}

  start(instance: InstanceHostSpec): Promise<void> {
    return this.serially(instance.instanceId, () => this.startHost(instance));
  }

  stop(instanceId: string, how: 'stop' | 'terminate'): Promise<void> {
    return this.serially(instanceId, () => this.stopHost(instanceId, how));
  }

  running(): string[] {
    return [...this.hosts.keys()];
  }

  /** Stops every agent, leaving the tasks' containers running (the next start re-adopts them): the control plane is shutting down. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.busy.values()]);
    await Promise.all([...this.hosts.values()].map((h) => h.agent?.stop()));
    this.hosts.clear();
  }

  private serially(instanceId: string, work: () => Promise<void>): Promise<void> {
    const before = this.busy.get(instanceId) ?? Promise.resolve();
    const done = before.catch(() => undefined).then(work);
    const settled = done.catch(() => undefined);
    this.busy.set(instanceId, settled);
    void settled.then(() => {
      if (this.busy.get(instanceId) === settled) this.busy.delete(instanceId);
    });
    return done;
  }

  private hostLog(instanceId: string): (message: string) => void {
    return (message) => this.o.log(`instance ${instanceId}: ${message}`);
  }

  private async startHost(spec: InstanceHostSpec): Promise<void> {
    if (this.hosts.has(spec.instanceId)) return;
    const log = this.hostLog(spec.instanceId);
    const dataDir = join(this.o.dataDir, spec.instanceId);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const record = await readRecord(dataDir);
    // A host comes back on the Docker Engine its containers are on.
    const pool = this.o.dockerHosts ?? [];
    const dockerHost = record.dockerHost ?? (pool.length ? pool[this.next++ % pool.length] : undefined);
    const runtime = new DockerRuntime(dockerHost ? { dockerHost } : {});
    const host: Host = { spec, dataDir, runtime };
    if (this.o.identityDocuments) await this.writeIdentity(spec, dataDir, this.o.identityDocuments);
    const config = parseEcsUserData(spec.userData);
    for (const problem of config.problems) log(`ecs.config: ${problem} (left out)`);
    if (!spec.instanceProfileRoleArn) {
      // As on EC2: the instance runs, but its agent has no credentials to register with.
      log(`no IAM instance profile: the host runs but its agent cannot register in cluster ${config.cluster}`);
      this.hosts.set(spec.instanceId, host);
      await writeRecord(dataDir, { ...record, ...(dockerHost && { dockerHost }) });
      return;
    }
    const credentials = this.instanceCredentials(spec.instanceProfileRoleArn, spec.instanceId, log);
    const local = dockerHost === undefined;
    const shared = local && config.enableTaskIamRole ? this.taskServices() : undefined;
    let tagged = false;
    const agent = await startAgent({
      serverUrl: await this.o.serverUrl(),
      credentials,
      dataDir,
      ...(dockerHost && { runtime }),
      cluster: config.cluster,
      region: spec.region,
      account: spec.account,
      cpu: spec.cpu,
      // ECS_RESERVED_MEMORY is kept back for the instance's own processes, as the agent does.
      memory: Math.max(0, spec.memoryMiB - (config.reservedMemory ?? 0)),
      // Without ENI trunking an instance runs one awsvpc task per interface beyond its primary one.
      eniLimit: Math.max(0, spec.maxNetworkInterfaces - 1),
      ec2InstanceId: spec.instanceId,
      instanceType: spec.instanceType,
      availabilityZone: spec.availabilityZone,
      amiId: spec.imageId,
      attributes: config.instanceAttributes,
      ...(config.loggingDrivers && { loggingDrivers: config.loggingDrivers }),
      ...(config.taskCleanupWaitMs !== undefined && { cleanupWaitMs: config.taskCleanupWaitMs }),
      ...this.o.agent,
      ...(local && process.getuid?.() === 0 && { networks: (this.networks ??= localTaskNetworks(runtime)) }),
      ...(shared ? { sharedTaskServices: shared } : { taskEndpoints: false as const, taskResolver: false as const }),
      // Tagged at the first registration of this start (as the ECS agent tags at RegisterContainerInstance), not at every reconnect.
      onRegistered: (arns) => {
        if (tagged) return;
        tagged = true;
        void this.tagInstances(spec, arns, config.instanceTags, credentials, log);
      },
      log,
    });
    host.agent = agent;
    this.hosts.set(spec.instanceId, host);
    await writeRecord(dataDir, { agentId: agent.agentId, ...(dockerHost && { dockerHost }) });
  }

  /**
   * The instance identity document and its signature, where the metadata service would give
   * them: `<dataDir>/instance-identity/document` and `.../signature` (for an agent that calls
   * RegisterContainerInstance itself).
   */
  private async writeIdentity(spec: InstanceHostSpec, dataDir: string, signer: { sign(document: string): string }): Promise<void> {
    const dir = join(dataDir, 'instance-identity');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const document = instanceIdentityDocument({
      accountId: spec.account, region: spec.region, availabilityZone: spec.availabilityZone, instanceId: spec.instanceId, instanceType: spec.instanceType,
      imageId: spec.imageId, privateIp: spec.privateIpAddress, architecture: process.arch === 'arm64' ? 'arm64' : 'x86_64', pendingTime: Date.now(),
    });
    await writeFile(join(dir, 'document'), document, { mode: 0o600 });
    await writeFile(join(dir, 'signature'), signer.sign(document), { mode: 0o600 });
  }

  /**
   * The task endpoints and resolver the hosts on this machine share (none when not served here):
   * `wharf dev`'s own agent joins them too, so that it and the hosts do not take each other's address.
   */
  taskServices(): SharedTaskServices | undefined {
    if (!(this.o.taskServices ?? process.getuid?.() === 0)) return undefined;
    return (this.shared ??= new SharedTaskServices({
      endpoints: { address: TASK_ENDPOINT_ADDRESS, port: 80 },
      ...(this.o.dnsServer && { resolver: { listen: { address: TASK_DNS_ADDRESS, port: 53 }, server: this.o.dnsServer } }),
      log: (message) => this.o.log(`instance hosts: ${message}`),
    }));
  }

  /** The instance role's session, taken again when it nears its expiry (as the instance metadata service renews it). */
  private instanceCredentials(roleArn: string, instanceId: string, log: (message: string) => void): () => Promise<Credentials> {
    let session: RoleSession | undefined;
    return async () => {
      if (!session || session.expiration.getTime() - Date.now() < RENEW_BEFORE_MS) {
        try {
          session = await this.o.roleSession(roleArn, instanceId);
        } catch (error) {
          throw new Error(`no credentials from the instance profile's role ${roleArn}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, ...(session.sessionToken && { sessionToken: session.sessionToken }) };
    };
  }

  /** ECS_CONTAINER_INSTANCE_TAGS on the container instances, as the instance's principal (it needs ecs:TagResource). */
  private async tagInstances(spec: InstanceHostSpec, arns: string[], tags: { key: string; value: string }[], credentials: () => Promise<Credentials>, log: (message: string) => void): Promise<void> {
    if (!tags.length) return;
    try {
      const ecs = new ECSClient({ endpoint: await this.o.serverUrl(), region: spec.region, credentials, maxAttempts: 3 });
      for (const resourceArn of arns) await ecs.send(new TagResourceCommand({ resourceArn, tags }));
    } catch (error) {
      log(`cannot tag its container instance with ECS_CONTAINER_INSTANCE_TAGS: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async stopHost(instanceId: string, how: 'stop' | 'terminate'): Promise<void> {
    const log = this.hostLog(instanceId);
    const dataDir = join(this.o.dataDir, instanceId);
    const host = this.hosts.get(instanceId);
    const record = host ? undefined : await readRecord(dataDir);
    const runtime = host?.runtime ?? new DockerRuntime(record?.dockerHost ? { dockerHost: record.dockerHost } : {});
    const agentId = host?.agent?.agentId ?? record?.agentId;
    if (host?.agent) {
      // The tasks stop with the instance: their containers are stopped while the agent still reports it.
      await this.stopTasks(host.agent, runtime, log);
      await host.agent.stop();
    } else if (agentId) {
      await stopContainers(runtime, agentId);
    }
    this.hosts.delete(instanceId);
    if (how === 'stop') return;
    if (agentId) {
      for (const c of await runtime.listContainers({ [CONTAINER_LABELS.agentId]: agentId })) {
        await runtime.removeContainer(c.id).catch((error: unknown) => log(`cannot remove container ${c.id.slice(0, 12)}: ${String(error)}`));
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  }

  /** Stops the agent's containers until every task it knows has stopped (reported up its link), or a while has passed. */
  private async stopTasks(agent: NonNullable<Host['agent']>, runtime: DockerRuntime, log: (message: string) => void): Promise<void> {
    const deadline = Date.now() + STOP_TASKS_MS;
    for (;;) {
      await stopContainers(runtime, agent.agentId);
      const open = [...agent.engine.tasks().values()].filter((status) => status !== 'STOPPED').length;
      if (!open) return;
      if (Date.now() > deadline) {
        log(`${open} task(s) had not stopped when the instance stopped`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Stops every running container of the agent's (its tasks' and their pause containers). */
async function stopContainers(runtime: DockerRuntime, agentId: string): Promise<void> {
  const running = (await runtime.listContainers({ [CONTAINER_LABELS.agentId]: agentId })).filter((c) => c.state === 'running' || c.state === 'restarting' || c.state === 'paused');
  await Promise.all(running.map((c) => runtime.stopContainer(c.id, 10).catch(() => undefined)));
}

async function readRecord(dataDir: string): Promise<HostRecord> {
  try {
    const r = JSON.parse(await readFile(join(dataDir, HOST_FILE), 'utf8')) as HostRecord;
    return { ...(typeof r.dockerHost === 'string' && { dockerHost: r.dockerHost }), ...(typeof r.agentId === 'string' && { agentId: r.agentId }) };
  } catch {
    return {};
  }
}

async function writeRecord(dataDir: string, record: HostRecord): Promise<void> {
  await writeFile(join(dataDir, HOST_FILE), JSON.stringify(record), { mode: 0o600 });
}
