/**
 * The `wharf` command.
 *
 *   wharf dev    [--port N] [--host IP] [--data-dir DIR] [--instance-lost-after S] [--enforce-iam] [--task-cleanup-wait S] [--efs-dir DIR] [--telemetry-interval S] [--scaling-period S]   control plane + a local agent, one process
 *   wharf server [--port N] [--host IP] [--data-dir DIR] [--instance-lost-after S] [--scaling-period S] [--store etcd://H:P,...] [--replica NAME]
 *                the control plane alone; with etcd, one of several replicas (one leads the controllers)
 *   wharf import-osv-feed FILE [--server URL]   load the vulnerability feed image scans use
 *   wharf cluster [--members 3] [--replicas 3] [--agents 1] [--port 8040] [--data-dir DIR] [--no-namespaces]   a local distributed Wharf: etcd, replicas, agents
 *   wharf backup (--data-dir DIR | --store etcd://...) --out FILE [--etcd-snapshot FILE]   a backup of either store
 *   wharf restore FILE (--data-dir DIR | --store etcd://...)   into an empty store (SQLite or etcd: backups move between them)
 *   wharf logs TASK [--cluster NAME] [--follow] [--endpoint-url URL]   a task's awslogs output, merged by time, a colour per container
 *   wharf interrupt-spot-task TASK [--cluster NAME]                    a FARGATE_SPOT task interrupted as AWS reclaiming Spot capacity would
 *   wharf agent  --server URL[,URL...] [--cluster NAME | --fargate] [--vpc-address IP] [--registry HOST:PORT] [--data-dir DIR] [--cpu UNITS] [--memory MIB] [--gpus N] [--eni-limit N] [--host-ip IP] [--task-cleanup-wait S] [--efs-dir DIR]
 *
 * The agent signs its link with AWS credentials from the environment or the AWS profile chain
 * (as the ECS agent uses its instance role); `wharf dev`'s local agent with the root key.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { startAgent, type CredentialsProvider } from '../agent/index.ts';
import { randomIds, signRequest } from '../common/index.ts';
import { FARGATE_POOL, ensureFargatePool } from '../ecs/index.ts';
import { flag, intFlag, parseArgs, type ParsedArgs } from './args.ts';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { parseUpstreams } from './dns-dataplane.ts';
import { backup, restore } from './backup.ts';
import { startLocalCluster } from './local-cluster.ts';
import { localClusterRootKey } from './root-key.ts';
import { showTaskLogs } from './logs-command.ts';
import { sealingKeyIn } from './sealing-key.ts';
import { parseStoreSpec } from './store-spec.ts';
import { waitForInstance } from './wait.ts';

const USAGE = `Usage:
  wharf dev    [--port 8040] [--host 127.0.0.1] [--data-dir ./.wharf] [--instance-lost-after 30] [--enforce-iam] [--task-cleanup-wait 10800]
               [--telemetry-interval 20] [--scaling-period 60 (10 or 30: high-resolution target tracking)]
               [--efs-dir <data-dir>/efs] [--dns-port 8053] [--dns-host <host>] [--dns-upstream IP[:PORT],...] [--no-dns]
  wharf server [--port 8040] [--host 127.0.0.1] [--data-dir ./.wharf] [--instance-lost-after 30] [--scaling-period 60]
               [--store sqlite | etcd://HOST:PORT,HOST:PORT[/ROOT] | etcds://...] [--replica NAME] [--registry-dir DIR] [--logs-dir DIR]
               [--etcd-ca FILE] [--etcd-cert FILE --etcd-key FILE] [--etcd-user NAME] (password: WHARF_ETCD_PASSWORD)
               [--dns-port 8053] [--dns-host <host>] [--dns-upstream IP[:PORT],...] [--no-dns]
  wharf import-osv-feed FILE [--server http://127.0.0.1:8040]
  wharf cluster [--members 3] [--replicas 3] [--agents 1] [--port 8040] [--data-dir ./.wharf-cluster] [--no-namespaces]
  wharf backup  [--data-dir ./.wharf | --store etcd://HOST:PORT,...] --out FILE [--etcd-snapshot FILE]
  wharf restore FILE [--data-dir ./.wharf | --store etcd://HOST:PORT,...]
  wharf logs TASK [--cluster default] [--follow] [--endpoint-url http://127.0.0.1:8040]
  wharf interrupt-spot-task TASK [--cluster default] [--endpoint-url http://127.0.0.1:8040]
  wharf agent  --server http://HOST:PORT[,http://HOST2:PORT...] [--cluster default | --fargate] [--vpc-address IP] [--registry HOST:PORT] [--region us-east-1] [--data-dir ./.wharf/agent]
               [--cpu UNITS] [--memory MIB] [--gpus N] [--eni-limit N] [--host-ip 127.0.0.1] [--task-cleanup-wait 10800] [--efs-dir DIR]
               [--dns-server IP:PORT (default: the server's host, 8053) | --no-dns]
               (signs its link with AWS credentials: environment, AWS profile, or instance role)`;

const log = (message: string) => console.log(`[wharf] ${message}`);

/** Stops `parts` in order on SIGINT/SIGTERM; task containers keep running for the next start. */
function onShutdown(parts: Array<() => Promise<void>>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down (task containers keep running)`);
    for (const part of parts) await part().catch((error: unknown) => log(`shutdown: ${String(error)}`));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

function controlPlaneOptions(args: ParsedArgs, allowReset: boolean, unknownKeysAsRoot: boolean) {
  return {
    host: flag(args, 'host', process.env.WHARF_HOST ?? '127.0.0.1')!,
    port: intFlag(args, 'port', Number(process.env.WHARF_PORT ?? 8040))!,
    dataDir: resolve(flag(args, 'data-dir', process.env.WHARF_DATA_DIR ?? '.wharf')!),
    account: flag(args, 'account', process.env.WHARF_ACCOUNT ?? '123456789012')!,
    region: flag(args, 'region', process.env.AWS_REGION ?? 'us-east-1')!,
    allowReset,
    instanceLostAfterMs: 1000 * intFlag(args, 'instance-lost-after', 30)!,
    // Target tracking's alarm period: 10 or 30 s for high-resolution scaling (60 as AWS's by default).
    scalingPeriodSeconds: intFlag(args, 'scaling-period'),
    dns: dnsOptions(args),
    unknownKeysAsRoot,
    env: process.env,
    log,
  };
}

/** The DNS server's flags: --no-dns, --dns-host IP, --dns-port N (0: a free one), --dns-upstream IP[:PORT],... */
function dnsOptions(args: ParsedArgs) {
  if (args.flags.has('no-dns')) return false as const;
  const upstreams = flag(args, 'dns-upstream');
  return {
    ...(flag(args, 'dns-host') !== undefined && { address: flag(args, 'dns-host')! }),
    ...(intFlag(args, 'dns-port') !== undefined && { port: intFlag(args, 'dns-port')! }),
    ...(upstreams !== undefined && { upstreams: parseUpstreams(upstreams) }),
  };
}

/** `HOST:PORT` of the control plane's DNS server (--dns-server), for an agent's tasks' resolver. */
function dnsServerFlag(args: ParsedArgs): { address: string; port: number } | undefined {
  const value = flag(args, 'dns-server');
  if (value === undefined) return undefined;
  const [server] = parseUpstreams(value);
  if (!server) throw new Error('--dns-server needs IP:PORT');
  return server;
}

function agentOptions(args: ParsedArgs, serverUrl: string | string[], dataDir: string, credentials: CredentialsProvider) {
  return {
    serverUrl,
    dataDir,
    credentials,
    // A Fargate host serves the pool, not a cluster of the user's.
    cluster: args.flags.has('fargate') ? FARGATE_POOL : flag(args, 'cluster'),
    region: flag(args, 'region'),
    hostIp: flag(args, 'host-ip', '127.0.0.1')!,
    cpu: intFlag(args, 'cpu'),
    memory: intFlag(args, 'memory'),
    gpus: intFlag(args, 'gpus'),
    eniLimit: intFlag(args, 'eni-limit'),
    vpcAddress: flag(args, 'vpc-address'),
    registryHost: flag(args, 'registry'),
    // ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: how long a stopped task's containers (and task volumes) are kept.
    cleanupWaitMs: flag(args, 'task-cleanup-wait') === undefined ? undefined : 1000 * intFlag(args, 'task-cleanup-wait')!,
    telemetryMs: flag(args, 'telemetry-interval') === undefined ? undefined : 1000 * intFlag(args, 'telemetry-interval')!,
    // The directory every host mounts, holding EFS file systems: without it the host takes no EFS volumes.
    efsDir: flag(args, 'efs-dir') === undefined ? undefined : resolve(flag(args, 'efs-dir')!),
    dnsServer: dnsServerFlag(args),
    // No DNS server to relay to: tasks keep Docker's resolvers.
    ...(args.flags.has('no-dns') && { taskResolver: false as const }),
    log,
  };
}

async function dev(args: ParsedArgs): Promise<void> {
  const options = controlPlaneOptions(args, true, !args.flags.has('enforce-iam'));
  const plane: ControlPlane = await startControlPlane(options);
  let agent;
  try {
    // The local host is also the Fargate capacity: its agent joins the pool as it joins every cluster.
    await ensureFargatePool(plane.store, { account: options.account, region: options.region }, Date.now());
    // The local agent signs its link as the account root, with the key handed over in-process.
    const root = { accessKeyId: plane.rootKey.accessKeyId, secretAccessKey: plane.rootKey.secretAccessKey };
    agent = await startAgent({
      ...agentOptions(args, plane.url, resolve(options.dataDir, 'agent'), async () => root), region: options.region, followAllClusters: true,
      // One host: its EFS file systems live in the data dir unless told otherwise.
      efsDir: resolve(flag(args, 'efs-dir') ?? resolve(options.dataDir, 'efs')),
      // The tasks' resolver relays to this process's DNS server.
      ...(plane.dns ? { dnsServer: { address: reachableAddress(plane.dns.address), port: plane.dns.port } } : { taskResolver: false as const }),
      // The task endpoints and resolver are shared with the hosts of EC2 instances in this process.
      ...(plane.instanceHosts.taskServices() && { sharedTaskServices: plane.instanceHosts.taskServices() }),
    });
  } catch (error) {
    await plane.stop();
    throw error;
  }
  onShutdown([() => agent.stop(), () => plane.stop()]);
  await waitForInstance(plane.store, agent.agentId);
  if (!options.unknownKeysAsRoot) log(`IAM is enforced; the account root's access key is in ${plane.rootKey.file}`);
  if (plane.dns) log(`DNS server (tasks' names) at ${plane.dns.address}:${plane.dns.port}`);
  log(`Wharf ready at ${plane.url}`);
}

/** An address to reach a server listening on `address` at (the wildcard: loopback). */
const reachableAddress = (address: string) => (address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address);

async function server(args: ParsedArgs): Promise<void> {
  const store = storeOf(args).spec;
  const plane = await startControlPlane({
    ...controlPlaneOptions(args, args.flags.has('allow-reset'), false), store, replica: flag(args, 'replica'),
    registryDir: flag(args, 'registry-dir') && resolve(flag(args, 'registry-dir')!),
    logsDir: flag(args, 'logs-dir') && resolve(flag(args, 'logs-dir')!),
  });
  onShutdown([() => plane.stop()]);
  if (plane.dns) log(`DNS server (tasks' names) at ${plane.dns.address}:${plane.dns.port}`);
  log(`The account root's access key is in ${plane.rootKey.file}${plane.rootKey.created ? ' (created now; readable by its owner only)' : ''}`);
  log(`Wharf server ready at ${plane.url} (replica ${plane.replica}; store: ${store.kind === 'etcd' ? store.hosts.join(',') : 'sqlite'})`);
}

async function agent(args: ParsedArgs): Promise<void> {
  // Several replicas, comma-separated: the agent moves to the next when its replica is lost.
  const serverUrl = flag(args, 'server')?.split(',').filter(Boolean);
  if (!serverUrl?.length) throw new Error('wharf agent needs --server URL[,URL...]');
  // The AWS SDK's chain (environment, profile, SSO, container and instance roles), asked again
  // for each connection so refreshed credentials are used; asked once now to fail early.
  const credentials = defaultProvider();
  try {
    await credentials();
  } catch (error) {
    throw new Error(`wharf agent signs its link with AWS credentials and found none (${error instanceof Error ? error.message : String(error)}): `
      + 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) for a principal allowed ecs:RegisterContainerInstance and ecs:Poll');
  }
  const running = await startAgent(agentOptions(args, serverUrl, resolve(flag(args, 'data-dir', '.wharf/agent')!), credentials));
  onShutdown([() => running.stop()]);
  log(`Wharf agent ${running.agentId} started`);
}

/** Sends an OSV feed file to a running control plane, which replaces its feed with it. */
async function importFeed(args: ParsedArgs): Promise<void> {
  const file = args.positional[0];
  if (!file) throw new Error('wharf import-osv-feed needs a FILE (OSV JSON: an array of records, or one per line)');
  const server = flag(args, 'server', process.env.WHARF_SERVER ?? 'http://127.0.0.1:8040')!;
  // Signed like an AWS call with the caller's credentials (environment, profile, ...): IAM decides.
  const url = new URL('/_wharf/registry/osv-feed', server);
  const body = await readFile(file);
  const credentials = await defaultProvider()();
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const headers = await signRequest({ method: 'PUT', url, body, credentials, region, service: 'ecr' });
  const res = await fetch(url, { method: 'PUT', body, headers });
  const answer = await res.text();
  if (!res.ok) throw new Error(`import failed (${res.status}): ${answer}`);
  log(`imported ${(JSON.parse(answer) as { advisories: number }).advisories} advisories from ${file}`);
}

/** `wharf interrupt-spot-task TASK [--cluster C]`: a FARGATE_SPOT task interrupted as AWS reclaiming Spot capacity would, signed as the caller. */
async function interruptSpotTaskCommand(args: ParsedArgs): Promise<void> {
  const task = args.positional[0];
  if (!task) throw new Error('wharf interrupt-spot-task needs a TASK (its id or ARN)');
  const server = flag(args, 'endpoint-url', process.env.AWS_ENDPOINT_URL ?? process.env.WHARF_SERVER ?? 'http://127.0.0.1:8040')!;
  const url = new URL('/_wharf/ecs/interrupt-spot-task', server);
  const cluster = flag(args, 'cluster', task.startsWith('arn:') ? task.split('/')[1] : undefined);
  const body = Buffer.from(JSON.stringify({ cluster, task }));
  const region = flag(args, 'region', process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1')!;
  const headers = await signRequest({ method: 'POST', url, body, headers: { 'content-type': 'application/json' }, credentials: await defaultProvider()(), region, service: 'ecs' });
  const res = await fetch(url, { method: 'POST', body, headers });
  const answer = await res.text();
  if (!res.ok) throw new Error(`interruption refused (${res.status}): ${answer}`);
  process.stdout.write(`${answer}\n`);
}

/** `wharf logs TASK`: the task's awslogs output through Wharf's API, as the caller (their credentials from the environment or profile). */
async function logsCommand(args: ParsedArgs): Promise<void> {
  const task = args.positional[0];
  if (!task) throw new Error('wharf logs needs a TASK (its id or ARN)');
  await showTaskLogs({
    endpoint: flag(args, 'endpoint-url', process.env.AWS_ENDPOINT_URL ?? process.env.WHARF_SERVER ?? 'http://127.0.0.1:8040')!,
    region: flag(args, 'region', process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1')!,
    credentials: defaultProvider(),
    cluster: flag(args, 'cluster', task.startsWith('arn:') ? task.split('/')[1] : 'default')!,
    task,
    follow: args.flags.has('follow'),
    colour: process.stdout.isTTY === true && !process.env.NO_COLOR,
    write: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${line}\n`),
  });
}

/** The store `--store` (and its companion flags) or `--data-dir` names, for the commands that open it themselves. */
function storeOf(args: ParsedArgs) {
  return {
    spec: parseStoreSpec({
      store: flag(args, 'store', process.env.WHARF_STORE), etcdCa: flag(args, 'etcd-ca'), etcdCert: flag(args, 'etcd-cert'),
      etcdKey: flag(args, 'etcd-key'), etcdUser: flag(args, 'etcd-user'), env: process.env,
    }),
    dataDir: resolve(flag(args, 'data-dir', process.env.WHARF_DATA_DIR ?? '.wharf')!),
  };
}

/**
 * Runs a one-shot command on a store and exits when it is done. gRPC neither holds the process
 * open while it connects (Node would exit mid-command) nor always lets it go after (it would
 * never exit), so the command holds it open itself, and ends it.
 */
async function oneShot(run: () => Promise<string>): Promise<void> {
  setInterval(() => undefined, 60_000);
  log(await run());
  process.exit(0);
}

async function backupCommand(args: ParsedArgs): Promise<void> {
  const out = flag(args, 'out');
  if (!out) throw new Error('wharf backup needs --out FILE (it holds secrets: it is written readable by its owner only)');
  const { spec, dataDir } = storeOf(args);
  await oneShot(async () => {
    const done = await backup(spec, dataDir, resolve(out), flag(args, 'etcd-snapshot') && resolve(flag(args, 'etcd-snapshot')!));
    return `backed up ${done.keys} keys at revision ${done.revision} to ${out}${done.snapshotBytes !== undefined ? `; etcd snapshot of ${done.snapshotBytes} bytes` : ''}`;
  });
}

async function restoreCommand(args: ParsedArgs): Promise<void> {
  const file = args.positional[0];
  if (!file) throw new Error('wharf restore needs the backup FILE');
  const { spec, dataDir } = storeOf(args);
  await oneShot(async () => {
    const done = await restore(spec, dataDir, resolve(file));
    return `restored ${done.keys} keys from ${file} (the store is at revision ${done.revision})`;
  });
}

function withoutAwsCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { AWS_SESSION_TOKEN: _token, AWS_PROFILE: _profile, ...rest } = env;
  return rest;
}

async function cluster(args: ParsedArgs): Promise<void> {
  const dataDir = resolve(flag(args, 'data-dir', '.wharf-cluster')!);
  const key = localClusterRootKey(dataDir, randomIds);
  const running = await startLocalCluster({
    members: intFlag(args, 'members', 3)!,
    replicas: intFlag(args, 'replicas', 3)!,
    agents: intFlag(args, 'agents', 1)!,
    port: intFlag(args, 'port', 8040)!,
    dataDir,
    wharf: fileURLToPath(new URL('../../bin/wharf.js', import.meta.url)),
    namespaces: !args.flags.has('no-namespaces'),
    // The agents sign with the root key, whatever AWS credentials this shell has.
    env: {
      ...withoutAwsCredentials(process.env),
      WHARF_ROOT_ACCESS_KEY_ID: key.accessKeyId, WHARF_ROOT_SECRET_ACCESS_KEY: key.secretAccessKey,
      // Every replica seals secret values with the same key.
      WHARF_SEALING_KEY: sealingKeyIn(dataDir),
      AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    },
    log,
  });
  onShutdown([() => running.stop()]);
  log(`The root access key is in ${key.file}`);
  log(`Wharf cluster ready at ${running.urls.join(', ')}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!['import-osv-feed', 'restore', 'logs'].includes(args.command ?? '') && args.positional.length) throw new Error(`Unexpected argument: ${args.positional[0]}`);
  switch (args.command) {
    case 'dev': return dev(args);
    case 'server': return server(args);
    case 'agent': return agent(args);
    case 'import-osv-feed': return importFeed(args);
    case 'cluster': return cluster(args);
    case 'backup': return backupCommand(args);
    case 'restore': return restoreCommand(args);
    case 'logs': return logsCommand(args);
    case 'interrupt-spot-task': return interruptSpotTaskCommand(args);
    default:
      console.log(USAGE);
      process.exitCode = args.command === undefined || args.command === 'help' ? 0 : 2;
  }
}

main().catch((error: unknown) => {
  console.error(`wharf: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
