/**
 * The Wharf agent: registers this host as an ECS container instance and runs the tasks the
 * control plane assigns as Docker containers. `startAgent` wires the parts (see README.md):
 * the checkpoint, the runtime, the task engine and the link.
 */
import { lookup } from 'node:dns/promises';
import { mkdir, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import os from 'node:os';
import { VPC_ADDRESS_ATTRIBUTE, formatIp, gatewayOf, parseCidr, randomIds, systemClock, type Clock, type Ids } from '../common/index.ts';
import { DockerRuntime } from './docker-runtime.ts';
import { helloMessage, type RegistrationOptions } from './host-info.ts';
import { AgentLink, type CredentialsProvider } from './link.ts';
import type { ContainerRuntime } from './runtime.ts';
import { CHECKPOINT_FORMAT, FileCheckpointStore, type CheckpointStore } from './checkpoint.ts';
import { DEFAULT_CLEANUP_WAIT_MS, TaskEngine } from './task-engine.ts';
import { HostTaskNetworks, run } from './host-network.ts';
import { HostTaskCgroups } from './task-cgroups.ts';
import { PAUSE_IMAGE, ensurePauseImage } from './pause-image.ts';
import type { TaskNetworks } from './task-networks.ts';
import { ECSClient, ListTagsForResourceCommand } from '@aws-sdk/client-ecs';
import { TaskCredentials } from './task-credentials.ts';
import { awslogsSink } from './awslogs-sink.ts';
import { sampleContainers } from './telemetry.ts';
import { serveTaskEndpoints, type EndpointListen, type TaskEndpointsOptions } from './task-endpoints.ts';
import type { SharedTaskServices } from './shared-task-services.ts';
import { TASK_ENDPOINT_ADDRESS } from './task-environment.ts';
import { TASK_DNS_ADDRESS, serveTaskDns, type DnsServerAddress, type TaskDnsListen } from './task-dns.ts';
import type { TaskModel } from './task-lifecycle.ts';

export { DockerRuntime } from './docker-runtime.ts';
export type { ContainerRuntime } from './runtime.ts';
export { MemoryCheckpointStore } from './checkpoint.ts';
export { SharedTaskServices } from './shared-task-services.ts';
export { LABEL as CONTAINER_LABELS } from './container-config.ts';
export { TASK_ENDPOINT_ADDRESS } from './task-environment.ts';
export { TASK_DNS_ADDRESS } from './task-dns.ts';
export { ec2InstanceId } from './host-info.ts';
export type { CredentialsProvider } from './link.ts';

/** How to start an agent. */
export interface AgentOptions extends Omit<RegistrationOptions, 'cpu' | 'memory' | 'efs'> {
  /** The control plane, e.g. http://127.0.0.1:8040; or its replicas, used in turn when one is lost. */
  serverUrl: string | readonly string[];
  /**
   * The credentials the agent signs its link with (as the ECS agent uses its instance role):
   * asked again for each connection, so refreshed session credentials are picked up. Their
   * principal needs ecs:RegisterContainerInstance, ecs:Poll and ecs:SubmitTaskStateChange
   * (AmazonEC2ContainerServiceforEC2Role has them).
   */
  credentials: CredentialsProvider;
  /** Source address of the link's connection, on a host with several (default: the system's choice). */
  localAddress?: string;
  /** Where the agent keeps its checkpoint file (created if missing). */
  dataDir: string;
  /** Host address published container ports bind to (default 127.0.0.1). */
  hostIp?: string;
  /** CPU units / memory MiB to offer instead of the host's (e.g. for simulated sizes). */
  cpu?: number;
  memory?: number;
  /** Heartbeat interval on the link (default 10 s). */
  heartbeatMs?: number;
  /** How long a stopped task's containers are kept (ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION, default 3 h). */
  cleanupWaitMs?: number;
  /** Container runtime (default: the local Docker Engine). */
  runtime?: ContainerRuntime;
  /** How awsvpc tasks get their network namespaces (default with the local Docker Engine: this host's, through iproute2 and nftables). */
  networks?: TaskNetworks;
  /** The address other hosts reach this one at: awsvpc subnets span the hosts that give one (VXLAN). */
  vpcAddress?: string;
  /**
   * The directory every host of the cluster mounts (NFS, a shared disk; one host: any directory),
   * holding each EFS file system as `<efsDir>/<fileSystemId>`; none: this host takes no EFS volumes.
   */
  efsDir?: string;
  /** host:port Docker pulls Wharf's registry images from (default: the replica the link uses). */
  registryHost?: string;
  /**
   * Where the task endpoints (credentials, metadata, Wharf's API) listen: ECS's 169.254.170.2:80
   * by default for an agent on Docker running as root, else nowhere; `false` for nowhere. Where
   * they are not served, tasks with a task role are not placed here.
   */
  taskEndpoints?: EndpointListen | false;
  /**
   * Where the tasks' resolver listens: AWS's resolver address 169.254.169.253:53 by default where
   * the task endpoints are served, else nowhere; `false` for nowhere. It relays to `dnsServer`.
   */
  taskResolver?: TaskDnsListen | false;
  /**
   * The task endpoints and resolver this agent shares with other agents in this process on this
   * machine (each address and port is served once); given, `taskEndpoints` and `taskResolver` are not used.
   */
  sharedTaskServices?: SharedTaskServices;
  /** The control plane's DNS server (default: the first server's host, port 8053). */
  dnsServer?: DnsServerAddress;
  /** Where the checkpoint is kept (default: a file in dataDir); simulations pass a MemoryCheckpointStore. */
  checkpointStore?: CheckpointStore;
  /** Called with the container instance ARNs each time the control plane registers the agent. */
  onRegistered?: (containerInstanceArns: string[]) => void;
  /** How often the running containers' use is sampled and sent (default 20 s; 0: never). */
  telemetryMs?: number;
  /** Link reconnect backoff (default 500 ms doubling to 30 s). */
  reconnect?: { initialMs: number; maxMs: number };
  log?: (message: string) => void;
  clock?: Clock;
  ids?: Ids;
}

/** awsvpc task networks on this machine, through `docker` (agents sharing a machine share one, so its changes take turns). */
export function localTaskNetworks(docker: DockerRuntime, underlay?: string): TaskNetworks {
  return new HostTaskNetworks({
    underlay,
    pauseImage: async () => {
      await ensurePauseImage(docker.docker);
      return PAUSE_IMAGE;
    },
  });
}

/** A running agent. */
export interface RunningAgent {
  agentId: string;
  /** Closes the link and saves; task containers keep running and are re-adopted next start. */
  stop(): Promise<void>;
}

/** The custom attributes the agent registers with, saying its VPC address when it has one. */
function withVpcAddress(options: AgentOptions): { name: string; value?: string }[] {
  const own = options.attributes ?? [];
  return options.vpcAddress ? [...own, { name: VPC_ADDRESS_ATTRIBUTE, value: options.vpcAddress }] : own;
}

/** Starts an agent; rejects when Docker Engine (or the given runtime) is not reachable. */
export async function startAgent(options: AgentOptions): Promise<RunningAgent & { engine: TaskEngine; link: AgentLink }> {
  const log = options.log ?? ((message: string) => console.error(`[wharf agent] ${message}`));
  const docker = options.runtime ? undefined : new DockerRuntime();
  const runtime = options.runtime ?? docker!;
  // A host says it takes awsvpc tasks only when it can plumb their namespaces (as root), so the
  // scheduler never places one where it would fail to start.
  const awsvpcReady = options.networks !== undefined || (docker !== undefined && process.getuid?.() === 0);
  if (docker && !awsvpcReady) log('awsvpc tasks need the agent to run as root: this host does not offer ecs.capability.task-eni');
  const networks = options.networks ?? (docker && localTaskNetworks(docker, options.vpcAddress));
  let runtimeVersion;
  try {
    runtimeVersion = await runtime.version();
  } catch (err) {
    throw new Error(
      `Docker Engine is not reachable (${err instanceof Error ? err.message : String(err)}). ` +
        'Start it with `sudo bash scripts/install-docker.sh` (installs Docker if needed and starts dockerd), ' +
        'or set DOCKER_HOST to a running Docker Engine.',
    );
  }

  await mkdir(options.dataDir, { recursive: true });
  const store = options.checkpointStore ?? FileCheckpointStore.inDataDir(options.dataDir);
  const saved = await store.load();
  const agentId = saved?.agentId ?? (options.ids ?? randomIds).uuid();
  if (!saved) await store.save({ format: CHECKPOINT_FORMAT, agentId, tasks: [], forgotten: [] });
  // Issued by the control plane at the first registration; proves this agent is the one that registered.
  let agentSecret = saved?.agentSecret;
  if (saved && !agentSecret && saved.tasks.length) {
    log(`agent ${agentId} has tasks but no agent secret (its checkpoint predates them): it registers as a new container instance`);
  }

  const servers = typeof options.serverUrl === 'string' ? [options.serverUrl] : [...options.serverUrl];
  let link: AgentLink | undefined;
  const clock = options.clock ?? systemClock;
  const region = options.region ?? 'us-east-1';
  const apiServer = () => link?.server ?? servers[0];
  const credentials = new TaskCredentials((taskArn, role) => link
    ? link.requestCredentials(taskArn, role)
    : Promise.reject(new Error('the agent is not connected to the control plane')), clock);
  let engine: TaskEngine | undefined;
  // ECS's address serves every task only where Docker's bridge is in this agent's own network (not in a host namespace of `wharf cluster`).
  const shared = options.sharedTaskServices;
  const servesTasks = !shared && docker !== undefined && process.getuid?.() === 0 && (options.taskEndpoints === undefined || options.taskResolver === undefined) && (await dockerBridgeHere(docker, log));
  const listen = shared ? false : options.taskEndpoints ?? (servesTasks ? { address: TASK_ENDPOINT_ADDRESS, port: 80 } : false);
  const resolverAt = shared ? false : options.taskResolver ?? (servesTasks ? { address: TASK_DNS_ADDRESS, port: 53 } : false);
  const resolver = shared ? await shared.joinResolver() : resolverAt ? await serveTaskDns({ server: options.dnsServer ?? (await defaultDnsServer(servers[0]!)), log }, resolverAt) : undefined;
  const endpointOptions: TaskEndpointsOptions = {
    tasks: {
      byCredentialsId: (id) => engine?.taskByCredentialsId(id),
      byMetadataId: (id) => engine?.taskByMetadataId(id),
    },
    runtime,
    credentials,
    apiServer,
    availabilityZone: options.availabilityZone ?? `${region}a`,
    tags: (task) => taskTags(apiServer(), region, options.credentials, task),
    log,
  };
  const endpoints = shared ? await shared.joinEndpoints(endpointOptions) : listen ? await serveTaskEndpoints(endpointOptions, listen) : undefined;
  engine = new TaskEngine({
    runtime,
    agentId,
    store,
    restored: saved && { tasks: saved.tasks, forgotten: saved.forgotten },
    onStateChange: (change) => link?.send(change),
    hostIp: options.hostIp ?? '127.0.0.1',
    // The registry is served on the control plane's own port: the replica the link uses.
    registryHost: () => options.registryHost ?? new URL(link?.server ?? servers[0]).host,
    cleanupWaitMs: options.cleanupWaitMs ?? DEFAULT_CLEANUP_WAIT_MS,
    clock,
    ids: options.ids ?? randomIds,
    agentSecret: () => agentSecret,
    networks,
    cgroups: docker && new HostTaskCgroups(),
    ...(endpoints && { taskEndpointsUrl: `http://${endpoints.address}${endpoints.port === 80 ? '' : `:${endpoints.port}`}` }),
    // Docker's resolv.conf names an address, not a port: only a resolver on 53 can be the tasks'.
    ...(resolver?.port === 53 && { taskResolver: resolver.address }),
    credentials,
    apiServer,
    efsDir: options.efsDir,
    // awslogs ships as the task's execution role, or (without one, as ECS on EC2 does) as the agent's own principal.
    logSink: (task, logRegion) => awslogsSink(apiServer, logRegion, () => (task.spec.executionRoleArn ? credentials.get(task.taskArn, 'execution') : options.credentials())),
    log,
  });
  await engine.start();

  const facts = {
    agentId,
    hostname: os.hostname(),
    cpuCount: os.cpus().length || 1,
    totalMemoryBytes: os.totalmem(),
    arch: process.arch,
    dockerVersion: runtimeVersion.version,
    dockerApiVersion: runtimeVersion.apiVersion,
    agentVersion: await agentVersion(),
  };
  link = new AgentLink({
    serverUrl: options.serverUrl,
    hello: () => ({
      ...helloMessage(facts, { ...options, region, attributes: withVpcAddress(options), taskEni: awsvpcReady, taskIamRole: endpoints !== undefined, efs: options.efsDir !== undefined }),
      ...(agentSecret !== undefined && { agentSecret }),
    }),
    credentials: options.credentials,
    region,
    localAddress: options.localAddress,
    onAgentSecret: async (secret) => {
      agentSecret = secret;
      await engine.saveCheckpoint();
    },
    stateChanges: () => engine.stateChanges(),
    onTasks: (tasks, complete) => engine.applyTasks(tasks, complete),
    onPeers: (addresses) => networks?.setPeers(addresses).catch((error: unknown) => log(`awsvpc peers: ${error instanceof Error ? error.message : String(error)}`)),
    onRegistered: options.onRegistered,
    heartbeatMs: options.heartbeatMs,
    backoff: options.reconnect,
    log,
  });
  link.start();
  const telemetryMs = options.telemetryMs ?? 20_000;
  let sampling = false;
  const telemetry = telemetryMs > 0 ? setInterval(() => {
    if (sampling || !link?.ready) return;
    sampling = true;
    sampleContainers(runtime, engine!.runningContainers())
      .then((samples) => link?.sendTelemetry(samples))
      .catch((error: unknown) => log(`telemetry: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => (sampling = false));
  }, telemetryMs) : undefined;
  telemetry?.unref();
  log(`agent ${agentId} started (Docker ${runtimeVersion.version}); connecting to ${servers.join(', ')}`);

  const running = link;
  let stopping: Promise<void> | undefined;
  return {
    agentId,
    engine: engine!,
    link: running,
    stop: () => (stopping ??= (async () => {
      clearInterval(telemetry);
      await running.close();
      await engine!.close();
      await endpoints?.close();
      await resolver?.close();
    })()),
  };
}

/** The control plane's DNS server where it listens by default: its API's host (an address, looked up when a name), port 8053. */
async function defaultDnsServer(serverUrl: string): Promise<DnsServerAddress> {
  const host = new URL(serverUrl).hostname.replace(/^\[|\]$/g, '');
  const address = isIP(host) ? host : (await lookup(host).catch(() => ({ address: '127.0.0.1' }))).address;
  return { address: address === '0.0.0.0' ? '127.0.0.1' : address, port: 8053 };
}

/** Whether Docker's default bridge has its gateway address in this process's network namespace (so bridge containers reach this agent's addresses). */
async function dockerBridgeHere(docker: DockerRuntime, log: (message: string) => void): Promise<boolean> {
  try {
    const bridge = (await docker.docker.getNetwork('bridge').inspect()) as { IPAM?: { Config?: { Gateway?: string; Subnet?: string }[] } };
    // Docker leaves the gateway out of the default bridge's IPAM where it took the subnet's first address itself.
    const gateways = (bridge.IPAM?.Config ?? []).flatMap((c) => {
      const subnet = c.Subnet ? parseCidr(c.Subnet) : undefined;
      return c.Gateway ? [c.Gateway] : subnet ? [formatIp(gatewayOf(subnet))] : [];
    });
    // From netlink, not os.networkInterfaces(): that leaves out a bridge with no container on it (no carrier).
    const addresses = JSON.parse(await run('ip', ['-j', 'addr', 'show'])) as { addr_info?: { local?: string }[] }[];
    const local = new Set(addresses.flatMap((i) => (i.addr_info ?? []).map((a) => a.local)));
    if (gateways.some((g) => local.has(g))) return true;
    log('task endpoints: Docker\'s bridge is not in this agent\'s network namespace, so its containers could not reach them: tasks get no role credentials or metadata endpoint here');
  } catch (error) {
    log(`task endpoints: cannot inspect Docker's bridge network (${error instanceof Error ? error.message : String(error)})`);
  }
  return false;
}

/** A task's tags and its container instance's, as ECS's ListTagsForResource gives them to the agent's own principal. */
async function taskTags(endpoint: string, region: string, credentials: CredentialsProvider, task: TaskModel) {
  const ecs = new ECSClient({ endpoint, region, credentials, maxAttempts: 2 });
  const tagsOf = async (resourceArn: string) => Object.fromEntries(
    ((await ecs.send(new ListTagsForResourceCommand({ resourceArn }))).tags ?? []).map((t) => [t.key ?? '', t.value ?? '']),
  );
  const [own, instance] = await Promise.all([tagsOf(task.taskArn), tagsOf(task.desired.containerInstanceArn)]);
  return { task: own, containerInstance: instance };
}

let version: Promise<string> | undefined;

/** Wharf's version from package.json, as the agent version (read once per process). */
function agentVersion(): Promise<string> {
  return (version ??= readAgentVersion());
}

async function readAgentVersion(): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
