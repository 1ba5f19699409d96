/**
 * A harness for the link's tests: an `AgentLinkServer` on a real in-memory store and the ECS
 * informers, behind a plain HTTP server, with an Authority that knows a few access keys and
 * denies what a test says; and a raw link client that signs (or not) its upgrade and records
 * what it is told. Not used by the link itself.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import type { Authority, AuthorizationDecision, KeyLookup, Principal } from '../aws/index.ts';
import {
  AGENT_LINK_PATH, randomIds, signRequest, systemClock, type AgentMessage, type Credentials, type ServerMessage,
} from '../common/index.ts';
import { EcsInformers } from '../ecs/index.ts';
import { NetworkInformers } from '../network/index.ts';
import { SqliteStore } from '../state/index.ts';
import { AgentLinkServer, type AgentLinkOptions } from './agent-link.ts';

export const ACCOUNT = '123456789012';

/** An access key the test authority knows, and whose it is (a temporary one has a session token and an end). */
export interface TestKey extends Credentials {
  principal: Principal;
  expiresAt?: number;
}

/** A key of the root, and of an IAM user `name`. */
export const rootKey: TestKey = {
  accessKeyId: 'AKIAROOTROOTROOT0001', secretAccessKey: 'root-secret-0000000000000000000000000000',
  principal: { arn: `arn:aws:iam::${ACCOUNT}:root`, account: ACCOUNT, userId: ACCOUNT, kind: 'root', accessKeyId: 'AKIAROOTROOTROOT0001' },
};
export const userKey = (name: string): TestKey => {
  const accessKeyId = `AKIA${name.toUpperCase().padEnd(16, '0').slice(0, 16)}`;
  return {
    accessKeyId, secretAccessKey: `${name}-secret-000000000000000000000000`,
    principal: { arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, account: ACCOUNT, userId: `AIDA${name.toUpperCase()}`, kind: 'user', accessKeyId },
  };
};

/** Knows `keys`; allows everything except the actions listed in `denied` for a principal ARN. */
export class TestAuthority implements Authority {
  readonly denied = new Map<string, Set<string>>();
  readonly asked: Array<{ principal: string; action: string; resource: string }> = [];
  /** Milliseconds each key lookup takes (to hold an upgrade in authentication). */
  lookupDelayMs = 0;
  constructor(private readonly keys: TestKey[]) {}
  async findSigningKey(accessKeyId: string, sessionToken: string | undefined): Promise<KeyLookup> {
    if (this.lookupDelayMs) await new Promise((r) => setTimeout(r, this.lookupDelayMs));
    const key = this.keys.find((k) => k.accessKeyId === accessKeyId);
    if (!key) return { status: 'unknown' };
    if (key.sessionToken !== sessionToken) return { status: 'invalid-token' };
    return { status: 'found', key: { accessKeyId, secretAccessKey: key.secretAccessKey, principal: key.principal, expiresAt: key.expiresAt } };
  }
  /** Knows one more key from now on. */
  add(key: TestKey): void {
    this.keys.push(key);
  }
  /** Milliseconds each authorization takes (to hold a hello in registration). */
  authorizeDelayMs = 0;
  async authorize(principal: Principal, request: { action: string; resource: string }): Promise<AuthorizationDecision> {
    if (this.authorizeDelayMs) await new Promise((r) => setTimeout(r, this.authorizeDelayMs));
    this.asked.push({ principal: principal.arn, action: request.action, resource: request.resource });
    if (this.denied.get(principal.arn)?.has(request.action)) {
      return { allowed: false, message: `User: ${principal.arn} is not authorized to perform: ${request.action} on resource: ${request.resource}` };
    }
    return { allowed: true };
  }
}

/** A link server on 127.0.0.1 with its store, informers and authority. */
export interface LinkWorld {
  url: string;
  store: SqliteStore;
  informers: EcsInformers;
  /** The security groups and interfaces the link resolves awsvpc tasks' firewalls from. */
  network: NetworkInformers;
  authority: TestAuthority;
  link: AgentLinkServer;
  log: string[];
  close(): Promise<void>;
}

/** Starts a link server; `options` override the link's (limits, ...). */
export async function linkWorld(options: Partial<AgentLinkOptions> = {}, store = SqliteStore.open(':memory:')): Promise<LinkWorld> {
  const informers = new EcsInformers(store, { onError: () => undefined });
  await informers.start();
  const network = new NetworkInformers(store, () => undefined);
  const authority = new TestAuthority([rootKey, userKey('agent'), userKey('other'), userKey('nobody')]);
  const log: string[] = [];
  const link = new AgentLinkServer({
    store, clock: systemClock, ids: randomIds, defaultScope: { account: ACCOUNT, region: 'us-east-1' }, authority,
    unknownKeysAsRoot: false, informers, network, log: (m) => log.push(m), ...options,
  });
  const server = http.createServer((_req, res) => res.end());
  server.on('upgrade', (req, socket, head) => link.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, store, informers, network, authority, link, log,
    async close() {
      await link.close();
      informers.close();
      network.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

/** A raw link client: refused (HTTP status and body) or open, with everything it was told. */
export interface LinkClient {
  status?: number;
  body?: string;
  ws: WebSocket;
  messages: ServerMessage[];
  closed: Promise<{ code: number; reason: string }>;
  send(message: AgentMessage | Record<string, unknown> | string): void;
  /** The first message (from now on or already received) that passes `test`. */
  next<T extends ServerMessage>(test: (m: ServerMessage) => m is T, ms?: number): Promise<T>;
}

/** Opens a link to `url` signed with `credentials` (null: unsigned), with extra upgrade headers. */
export async function connectLink(
  url: string, credentials: Credentials | null, o: { region?: string; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<LinkClient> {
  const signed = credentials
    ? await signRequest({ method: 'GET', url: new URL(AGENT_LINK_PATH, url), credentials, region: o.region ?? 'us-east-1', service: 'ecs' })
    : {};
  const ws = new WebSocket(url.replace(/^http/, 'ws') + AGENT_LINK_PATH, { headers: { ...signed, ...o.headers }, localAddress: o.localAddress });
  const messages: ServerMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as ServerMessage);
    for (const w of waiters) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  const client: LinkClient = {
    ws, messages, closed,
    send: (m) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)),
    next: (test, ms = 5000) => new Promise((resolve, reject) => {
      const check = () => {
        const found = messages.find(test);
        if (!found) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no such message in ${ms} ms; got ${JSON.stringify(messages).slice(0, 500)}`));
      }, ms);
      if (!check()) waiters.add(check);
    }),
  };
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => {
      client.status = res.statusCode;
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        client.body = body;
        ws.terminate();
        resolve();
      });
    });
    ws.once('error', (error) => (client.status === undefined ? reject(error) : undefined));
  });
  return client;
}

/** A hello as `wharf agent` sends it, with `over` applied. */
export function helloOf(agentId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'hello', agentId, cluster: 'default', region: 'us-east-1', hostname: 'host', ec2InstanceId: 'i-0123456789abcdef0',
    cpu: 2048, memory: 4096, reservedPorts: [22], attributes: [{ name: 'ecs.os-type', value: 'linux' }],
    versionInfo: { agentVersion: '1.0.0', agentHash: 'abc', dockerVersion: 'DockerVersion: 24.0.0' }, ...over,
  };
}

/** Type guards for `next`. */
export const isRegistered = (m: ServerMessage): m is Extract<ServerMessage, { type: 'registered' }> => m.type === 'registered';
export const isError = (m: ServerMessage): m is Extract<ServerMessage, { type: 'error' }> => m.type === 'error';
export const isTasks = (m: ServerMessage): m is Extract<ServerMessage, { type: 'tasks' }> => m.type === 'tasks';
