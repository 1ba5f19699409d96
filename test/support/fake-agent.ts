/**
 * A stand-in for `wharf agent` that speaks only the agent link: it signs its upgrade request
 * (SigV4, service `ecs`) with the tests' root key unless told otherwise, says `hello`, so the
 * control plane registers a container instance, heartbeats, and never runs anything (tasks
 * placed on it stay PENDING) — unless a test sends reports itself (`send`). For tests that need
 * container instances in a `wharf server` without Docker: the ECS API is still exercised
 * through the SDK, only the host is fake.
 */
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import WebSocket from 'ws';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { credentials as rootCredentials, ecsClient, region as defaultRegion, spawnWharf, tempDir, type WharfProcess } from './wharf.ts';
import { AGENT_LINK_PATH, signRequest, type AgentMessage, type Credentials, type ServerMessage } from '../../src/common/index.ts';

/** A connected fake agent. */
export interface FakeAgent {
  agentId: string;
  /** The secret the control plane issued at its first registration (undefined when it presented one). */
  agentSecret?: string;
  /** The container instance ARNs the control plane registered for it. */
  containerInstanceArns: string[];
  /** Every message the control plane sent it, in order. */
  received: ServerMessage[];
  /** Sends a message as the agent (a report, or anything a test needs to say). */
  send(message: AgentMessage | Record<string, unknown>): void;
  close(): Promise<void>;
}

export interface FakeAgentOptions {
  /** Cluster name or ARN to register in (it must exist unless it is `default`). */
  cluster: string;
  /** Region of the cluster; the server's default region when absent. */
  region?: string;
  cpu?: number;
  memory?: number;
  /** GPU ids and ENI attachment points to offer. */
  gpus?: string[];
  eniLimit?: number;
  /** More attributes to register with (e.g. `ecs.availability-zone`). */
  attributes?: { name: string; value?: string }[];
  /** What the upgrade is signed with (default: the tests' root key); `null` sends it unsigned. */
  credentials?: Credentials | null;
  /** The agent id and secret to say in hello (default: a new id, no secret). */
  agentId?: string;
  agentSecret?: string;
  /** The EC2 instance id to say in hello (default: one made up). */
  ec2InstanceId?: string;
}

/** The headers of a signed upgrade request to the agent link at `url` (SigV4, service `ecs`). */
export function signedUpgradeHeaders(url: string, credentials: Credentials, region = defaultRegion): Promise<Record<string, string>> {
  return signRequest({ method: 'GET', url: new URL(url.replace(/^ws/, 'http') + AGENT_LINK_PATH), credentials, region, service: 'ecs' });
}

/** Connects to a running Wharf at `url` and resolves once its container instance is registered. */
export async function connectFakeAgent(url: string, o: FakeAgentOptions): Promise<FakeAgent> {
  const credentials = o.credentials === undefined ? rootCredentials : o.credentials;
  const headers = credentials ? await signedUpgradeHeaders(url, credentials, o.region) : {};
  const ws = new WebSocket(url.replace(/^http/, 'ws') + AGENT_LINK_PATH, { headers });
  const received: ServerMessage[] = [];
  const send = (m: AgentMessage | Record<string, unknown>) => ws.send(JSON.stringify(m));
  const heartbeat = setInterval(() => {
    if (ws.readyState === ws.OPEN) send({ type: 'heartbeat' });
  }, 1000);
  heartbeat.unref();
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const close = async () => {
    clearInterval(heartbeat);
    if (ws.readyState !== ws.CLOSED) ws.close();
    await closed;
  };
  const id = randomUUID();
  const agentId = o.agentId ?? `fake-${id}`;
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      clearInterval(heartbeat);
      reject(error);
    };
    ws.once('error', fail);
    ws.once('close', () => fail(new Error('agent link closed before registration')));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      received.push(message);
      if (message.type === 'registered') {
        resolve({ agentId, agentSecret: message.agentSecret, containerInstanceArns: message.containerInstanceArns, received, send, close });
      }
      if (message.type === 'error') fail(Object.assign(new Error(`agent link error: ${message.code}: ${message.message}`), { code: message.code }));
    });
    ws.once('open', () => {
      send({
        type: 'hello',
        agentId,
        ...(o.agentSecret !== undefined && { agentSecret: o.agentSecret }),
        cluster: o.cluster,
        region: o.region,
        hostname: `fake-${id.slice(0, 8)}`,
        ec2InstanceId: o.ec2InstanceId ?? `i-${id.replace(/-/g, '').slice(0, 17)}`,
        cpu: o.cpu ?? 2048,
        memory: o.memory ?? 4096,
        reservedPorts: [22, 2375, 2376, 51678, 51679],
        gpus: o.gpus,
        eniLimit: o.eniLimit,
        attributes: [{ name: 'ecs.os-type', value: 'linux' }, { name: 'ecs.cpu-architecture', value: 'x86_64' }, ...(o.attributes ?? [])],
        versionInfo: { agentVersion: '0.0.0-fake', agentHash: 'fake', dockerVersion: 'none' },
      });
    });
  });
}

/**
 * A `wharf server` for one test file — `start()` it in a `before` hook — and the fake agents
 * connected to it; both are stopped after the file's tests.
 */
export function fakeAgentServer(): {
  start: () => Promise<ECSClient>;
  connect: (o: FakeAgentOptions) => Promise<FakeAgent>;
  /** Closes the agent connected last (its instance becomes disconnected). */
  closeLast: () => Promise<void>;
  /** The server's URL, for the clients of other APIs. */
  url: () => string;
} {
  let server: WharfProcess | undefined;
  const agents: FakeAgent[] = [];
  after(async () => {
    for (const a of agents) await a.close();
    await server?.stop();
  });
  return {
    async start() {
      server = await spawnWharf(['server', '--port', '0', '--data-dir', tempDir()], /Wharf server ready at http:\/\//);
      return ecsClient(server.url);
    },
    async connect(o) {
      const agent = await connectFakeAgent(server!.url, o);
      agents.push(agent);
      return agent;
    },
    closeLast: () => agents.pop()!.close(),
    url: () => server!.url,
  };
}
