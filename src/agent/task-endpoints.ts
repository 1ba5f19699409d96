/**
 * The task endpoints, at 169.254.170.2:80 as ECS serves them, reached from every task's
 * network (bridge containers through the Docker bridge, awsvpc tasks through their subnet's
 * router, host-network tasks directly):
 *
 *   GET /v2/credentials/<id>          the task role's session (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)
 *   GET /v3|v4/<id>[/task|/taskWithTags|/stats|/task/stats]   task metadata (ECS_CONTAINER_METADATA_URI[_V4])
 *   anything else                     Wharf's API (AWS_ENDPOINT_URL), passed to the control plane the link uses
 *
 * A request is answered only for the task it comes from: its source address must be one of the
 * task's (its ENI's, its bridge containers', or this host's own for a host-network task), so a
 * task that learns another's id still gets nothing.
 */
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import { run } from './host-network.ts';
import type { ContainerRuntime, ContainerInfo } from './runtime.ts';
import type { TaskModel } from './task-lifecycle.ts';
import type { TaskCredentials } from './task-credentials.ts';
import { containerMetadata, metadataContainers, taskMetadata, type MetadataVersion } from './task-metadata.ts';

/** How the endpoints find the task behind an id. */
export interface EndpointTasks {
  byCredentialsId(id: string): TaskModel | undefined;
  byMetadataId(id: string): { task: TaskModel; container: string } | undefined;
}

/** What the endpoints are given. */
export interface TaskEndpointsOptions {
  tasks: EndpointTasks;
  runtime: ContainerRuntime;
  credentials: TaskCredentials;
  /** The control plane's URL (http or https) that API requests go on to: the one the link uses now. */
  apiServer(): string;
  availabilityZone: string;
  /** The task's and its instance's tags, for `/taskWithTags`. */
  tags?(task: TaskModel): Promise<{ task: Record<string, string>; containerInstance: Record<string, string> }>;
  log(message: string): void;
}

type Reply = { status: number; body: unknown };

const METADATA = /^\/v([34])\/([^/]+)(\/task|\/taskWithTags|\/stats|\/task\/stats)?\/?$/;
const CREDENTIALS = /^\/v2\/credentials\/?([^/]*)$/;

/** The addresses a request from `task` may come from; `host` for a host-network task (any of this host's). */
function sourcesOf(task: TaskModel): ReadonlySet<string> | 'host' {
  if (task.desired.networkInterface) return new Set([task.desired.networkInterface.privateIpAddress]);
  if (task.desired.spec.networkMode === 'host') return 'host';
  return new Set(task.containers.flatMap((c) => (c.ipAddress ? [c.ipAddress] : [])));
}

function hostAddresses(): Set<string> {
  return new Set(Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address)));
}

/**
 * Whether a request from `remote` may be answered for `task`. A bridge container may ask before
 * the agent has seen its address (it runs from the moment Docker starts it): then its
 * containers' addresses are looked up now.
 */
export async function fromTask(task: TaskModel, remote: string | undefined, runtime: ContainerRuntime): Promise<boolean> {
  const address = (remote ?? '').replace(/^::ffff:/, '');
  const sources = sourcesOf(task);
  if (sources === 'host') return hostAddresses().has(address);
  if (sources.has(address)) return true;
  if (task.desired.networkInterface) return false;
  const infos = await inspectAll(runtime, task.containers.map((c) => c.runtimeId));
  return [...infos.values()].some((info) => info.ipAddress === address);
}

/** The id a task endpoint's path names, and which kind it is (none: a request for Wharf's API). */
export function endpointIdOf(url: string | undefined): { kind: 'credentials' | 'metadata'; id: string } | undefined {
  const path = (url ?? '/').split('?')[0]!;
  const credentials = CREDENTIALS.exec(path);
  if (credentials) return { kind: 'credentials', id: credentials[1]! };
  const metadata = METADATA.exec(path);
  return metadata ? { kind: 'metadata', id: metadata[2]! } : undefined;
}

/** Handles the task endpoints' requests; everything else goes on to Wharf's API. */
export function taskEndpointsHandler(o: TaskEndpointsOptions): http.RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const credentials = CREDENTIALS.exec(path);
    const metadata = credentials ? null : METADATA.exec(path);
    if (!credentials && !metadata) return proxy(o, req, res);
    const answer = credentials ? credentialsReply(o, credentials[1]!, req) : metadataReply(o, Number(metadata![1]) as MetadataVersion, metadata![2]!, metadata![3] ?? '', req);
    answer
      .catch((error: unknown): Reply => {
        o.log(`task endpoint ${path.slice(0, 12)}…: ${error instanceof Error ? error.message : String(error)}`);
        return { status: 500, body: { code: 'InternalServerError', message: 'Unable to answer this request now.' } };
      })
      .then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
  };
}

async function credentialsReply(o: TaskEndpointsOptions, id: string, req: http.IncomingMessage): Promise<Reply> {
  if (req.method !== 'GET') return { status: 405, body: { code: 'InvalidRequest', message: 'Credentials are read with GET.' } };
  if (!id) return { status: 400, body: { code: 'NoIdInRequest', message: 'CredentialsV2Request: No ID in the request' } };
  const task = o.tasks.byCredentialsId(id);
  // Another task's id is answered as an unknown one: nothing says it exists.
  if (!task || !task.desired.spec.taskRoleArn || !(await fromTask(task, req.socket.remoteAddress, o.runtime))) {
    return { status: 400, body: { code: 'InvalidIdInRequest', message: 'CredentialsV2Request: Credentials not found' } };
  }
  try {
    const c = await o.credentials.get(task.taskArn, 'task');
    return { status: 200, body: { RoleArn: c.RoleArn, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, Token: c.Token, Expiration: c.Expiration } };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { status: 500, body: { code: 'InternalServerError', message: `CredentialsV2Request: ${e.code ?? 'Error'}: ${e.message ?? String(error)}` } };
  }
}

async function metadataReply(o: TaskEndpointsOptions, version: MetadataVersion, id: string, sub: string, req: http.IncomingMessage): Promise<Reply> {
  const notFound: Reply = { status: 404, body: { code: 'NotFound', message: `V${version} metadata handler: unable to get container for the id` } };
  if (req.method !== 'GET') return { status: 405, body: { code: 'InvalidRequest', message: 'Metadata is read with GET.' } };
  const found = o.tasks.byMetadataId(id);
  if (!found || !(await fromTask(found.task, req.socket.remoteAddress, o.runtime))) return notFound;
  const { task } = found;
  if (sub === '/taskWithTags' && version === 3) return notFound;
  const own = task.containers.find((c) => c.name === found.container);
  if (sub === '/stats') {
    const stats = own?.runtimeId ? await o.runtime.containerStats(own.runtimeId) : undefined;
    return { status: 200, body: stats ?? {} };
  }
  if (sub === '/task/stats') {
    const ids = task.containers.flatMap((c) => (c.runtimeId ? [c.runtimeId] : []));
    const all = await Promise.all(ids.map(async (rid) => [rid, (await o.runtime.containerStats(rid)) ?? null] as const));
    return { status: 200, body: Object.fromEntries(all) };
  }
  const infos = await inspectAll(o.runtime, [...task.containers.map((c) => c.runtimeId), task.network?.pauseId]);
  const containers = metadataContainers(task, infos);
  if (!sub) return { status: 200, body: containerMetadata(version, task, containers.find((c) => c.name === found.container)!) };
  const tags = sub === '/taskWithTags' && o.tags ? await o.tags(task).catch(() => undefined) : undefined;
  return { status: 200, body: taskMetadata(version, task, containers, { availabilityZone: o.availabilityZone, ...(tags && { tags }) }) };
}

async function inspectAll(runtime: ContainerRuntime, ids: readonly (string | undefined)[]): Promise<Map<string, ContainerInfo>> {
  const out = new Map<string, ContainerInfo>();
  await Promise.all(ids.map(async (id) => {
    const info = id ? await runtime.inspectContainer(id).catch(() => undefined) : undefined;
    if (info) out.set(id!, info);
  }));
  return out;
}

/** Passes an API request on unchanged (its Host header too, which its signature covers) to the control plane. */
function proxy(o: TaskEndpointsOptions, req: http.IncomingMessage, res: http.ServerResponse): void {
  const target = new URL(o.apiServer());
  const client = target.protocol === 'https:' ? https : http;
  const upstream = client.request({
    hostname: target.hostname, port: target.port || (target.protocol === 'https:' ? 443 : 80),
    method: req.method, path: req.url, headers: req.headers,
  }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', (error) => {
    o.log(`task endpoint: passing a request to ${target.host}: ${error.message}`);
    if (!res.headersSent) res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ __type: 'ServiceUnavailable', message: 'Wharf\'s API is not reachable from this host now.' }));
  });
  req.pipe(upstream);
}

/** Where the endpoints listen: ECS's address and port, or another (tests without the address). */
export interface EndpointListen {
  address: string;
  port: number;
}

/** The served endpoints. */
export interface ServedEndpoints {
  /** Where they listen (the port chosen, when asked for 0). */
  address: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves the task endpoints at `listen`, first giving this host the address (on `lo`) when it
 * has not got it; that needs root. Resolves undefined, having said why, when they cannot be
 * served here (then the agent offers no task roles).
 */
export async function serveTaskEndpoints(o: TaskEndpointsOptions, listen: EndpointListen): Promise<ServedEndpoints | undefined> {
  return listenTaskEndpoints(taskEndpointsHandler(o), listen, o.log);
}

/** Serves `handler` as the task endpoints at `listen` (one agent's, or several agents' sharing a host). */
export async function listenTaskEndpoints(handler: http.RequestListener, listen: EndpointListen, log: (message: string) => void): Promise<ServedEndpoints | undefined> {
  const o = { log };
  let added = false;
  try {
    if (!hostAddresses().has(listen.address)) {
      await run('ip', ['addr', 'add', `${listen.address}/32`, 'dev', 'lo']);
      added = true;
    }
  } catch (error) {
    o.log(`task endpoints: cannot give this host ${listen.address} (${error instanceof Error ? error.message : String(error)}): tasks get no role credentials or metadata endpoint here`);
    return undefined;
  }
  const server = http.createServer(handler);
  server.keepAliveTimeout = 5_000;
  const removeAddress = async () => {
    if (added) await run('ip', ['addr', 'del', `${listen.address}/32`, 'dev', 'lo']).catch(() => undefined);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.address, () => resolve());
    });
  } catch (error) {
    o.log(`task endpoints: cannot listen on ${listen.address}:${listen.port} (${error instanceof Error ? error.message : String(error)}): tasks get no role credentials or metadata endpoint here`);
    await removeAddress();
    return undefined;
  }
  // Listening, this agent holds the address: one an agent killed before it could remove it is this one's to remove now.
  added = added || !listen.address.startsWith('127.');
  const port = (server.address() as { port: number }).port;
  return {
    address: listen.address,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await removeAddress();
    },
  };
}
