/**
 * The agent's end of the agent link: a WebSocket to `<server>/_wharf/agent` whose upgrade
 * request is signed with SigV4 (service `ecs`, the agent's region) with the agent's
 * credentials, fetched again for every connection so refreshed session credentials are used.
 * It says `hello`, heartbeats, passes `tasks` to the engine and reports task state. When the
 * server goes away it reconnects with backoff and, once registered again, re-sends the latest
 * state of every task (reports are level-based, so re-sending is safe and fills whatever was
 * lost). A secret issued in `registered` is handed to the agent to keep before anything else.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import {
  AGENT_LINK_LIMITS, AGENT_LINK_PATH, AGENT_RECONNECT_MAX_MS, elapsedMs, signRequest,
  type AgentMessage, type ContainerSample, type Credentials, type DesiredTask, type RoleCredentials, type ServerMessage, type TaskRoleKind, type TaskStateChange,
} from '../common/index.ts';
import type { AgentHello } from './host-info.ts';

/** Gives the agent's credentials; called before every connection (cache inside, as the AWS SDK providers do). */
export type CredentialsProvider = () => Promise<Credentials>;

/** What the link needs from the agent around it. */
export interface AgentLinkOptions {
  /**
   * The control plane: http(s):// or ws(s)://, with or without a trailing slash. Several
   * (replicas of one control plane): the link uses one, and moves to the next when it is lost.
   */
  serverUrl: string | readonly string[];
  /** The hello to send on each connect. */
  hello: () => AgentHello;
  /** Credentials the upgrade request is signed with, and the region it is signed for. */
  credentials: CredentialsProvider;
  region: string;
  /** Source address of the link's connection (default: the system's choice). */
  localAddress?: string;
  /** Called with the secret the control plane issued at the first registration; the link waits for it (save it). */
  onAgentSecret?: (secret: string) => Promise<void>;
  /** The latest state of every known task, sent after each registration. */
  stateChanges: () => TaskStateChange[];
  onTasks: (tasks: DesiredTask[], complete: boolean) => void;
  /** The other hosts' addresses, for subnets that span hosts. */
  onPeers?: (addresses: string[]) => void;
  onRegistered?: (containerInstanceArns: string[]) => void;
  heartbeatMs?: number;
  /** Reconnect delays grow from `initialMs`, doubling, to `maxMs` (with jitter). */
  backoff?: { initialMs: number; maxMs: number };
  log?: (message: string) => void;
  /** Random source for the jitter (0 ≤ x < 1). */
  random?: () => number;
}

/** The WebSocket URL of the agent link on a control plane. */
export function agentLinkUrl(serverUrl: string): string {
  const base = serverUrl.replace(/\/+$/, '').replace(/^http(s?):\/\//, 'ws$1://');
  return `${base}${AGENT_LINK_PATH}`;
}

/** One agent's link to the control plane. */
export class AgentLink {
  private readonly servers: readonly string[];
  /** The server in use (an index of `servers`). */
  private current = 0;
  private ws?: WebSocket;
  private registered = false;
  private closed = false;
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  /** Credentials requests awaiting their answer, by request id. */
  private readonly pending = new Map<string, { resolve: (c: RoleCredentials) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private requests = 0;
  private lastHeard = 0;
  private readonly log: (message: string) => void;
  private readonly heartbeatMs: number;
  /** The container instances the server registered this agent as. */
  containerInstanceArns: string[] = [];

  constructor(private readonly o: AgentLinkOptions) {
    this.servers = typeof o.serverUrl === 'string' ? [o.serverUrl] : [...o.serverUrl];
    if (this.servers.length === 0) throw new RangeError('the agent link needs a server URL');
    this.log = o.log ?? (() => undefined);
    this.heartbeatMs = o.heartbeatMs ?? 10_000;
  }

  /** True while connected and registered. */
  get ready(): boolean {
    return this.registered && this.ws?.readyState === WebSocket.OPEN;
  }

  /** Connects (in the background; failures are retried until `close`). */
  start(): void {
    this.connect();
  }

  /** Reports a task's state now if registered; otherwise it goes with the next re-sync. */
  send(change: TaskStateChange): void {
    if (this.ready) this.write({ type: 'taskStateChange', change: fitToLimits(change) });
  }

  /** Sends what the running containers use (dropped while not registered: the next sample follows). */
  sendTelemetry(samples: ContainerSample[]): void {
    if (this.ready && samples.length) this.write({ type: 'telemetry', samples });
  }

  /**
   * A session of a task's role, asked of the control plane now. Rejects when the link is not
   * registered, when no answer comes within `timeoutMs`, or with the control plane's refusal
   * (its `code` on the error).
   */
  requestCredentials(taskArn: string, role: TaskRoleKind, timeoutMs = 10_000): Promise<RoleCredentials> {
    if (!this.ready) return Promise.reject(Object.assign(new Error('the agent is not connected to the control plane'), { code: 'NotConnected' }));
    const requestId = `${++this.requests}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(Object.assign(new Error('the control plane did not answer in time'), { code: 'Timeout' }));
      }, timeoutMs);
      timer.unref();
      this.pending.set(requestId, { resolve, reject, timer });
      this.write({ type: 'credentialsRequest', requestId, taskArn, role });
    });
  }

  private onCredentials(message: Extract<ServerMessage, { type: 'credentials' }>): void {
    const waiting = this.pending.get(message.requestId);
    if (!waiting) return;
    this.pending.delete(message.requestId);
    clearTimeout(waiting.timer);
    if (message.credentials) waiting.resolve(message.credentials);
    else waiting.reject(Object.assign(new Error(message.error?.message ?? 'no credentials'), { code: message.error?.code ?? 'InternalError' }));
  }

  /** Closes the link for good. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeatTimer);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000);
      ws.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'agent stopping');
    });
  }

  private connect(): void {
    if (this.closed) return;
    this.open().catch((err: unknown) => {
      this.log(`agent link: cannot sign the connection: ${err instanceof Error ? err.message : String(err)}`);
      this.scheduleReconnect();
    });
  }

  /** Signs the upgrade request with fresh credentials and opens the WebSocket. */
  private async open(): Promise<void> {
    const url = agentLinkUrl(this.server);
    const credentials = await this.o.credentials();
    const headers = await signRequest({ method: 'GET', url: new URL(url.replace(/^ws/, 'http')), credentials, region: this.o.region, service: 'ecs' });
    if (this.closed) return;
    const ws = new WebSocket(url, {
      handshakeTimeout: 10_000, maxPayload: 64 * 1024 * 1024, headers, ...(this.o.localAddress && { localAddress: this.o.localAddress }),
    });
    this.ws = ws;
    this.registered = false;
    ws.on('open', () => {
      this.lastHeard = elapsedMs();
      this.log(`agent link connected to ${url}`);
      this.write(this.o.hello());
      this.startHeartbeat(ws);
    });
    ws.on('message', (data) => {
      this.lastHeard = elapsedMs();
      this.onMessage(String(data));
    });
    ws.on('pong', () => {
      this.lastHeard = elapsedMs();
    });
    ws.on('unexpected-response', (_req: ClientRequest, res: IncomingMessage) => this.onRefused(ws, res));
    ws.on('error', (err) => this.log(`agent link: ${err.message}`));
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      if (code === 1008 || code === 1011) this.log(`agent link closed by the control plane: ${String(reason) || code}`);
      clearInterval(this.heartbeatTimer);
      this.registered = false;
      this.scheduleReconnect();
    });
  }

  /** The control plane refused the upgrade (401 unsigned or bad signature, 403, 429): says why, then retries later. */
  private onRefused(ws: WebSocket, res: IncomingMessage): void {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      if (body.length < 4096) body += chunk;
    });
    const done = () => {
      let said = body.slice(0, 512);
      try {
        const parsed = JSON.parse(body) as { __type?: string; message?: string };
        said = [parsed.__type, parsed.message].filter(Boolean).join(': ');
      } catch {
        // not JSON: shown as sent
      }
      this.log(`agent link refused by the control plane (HTTP ${res.statusCode}): ${said}`);
      ws.terminate();
    };
    res.once('end', done);
    res.once('error', done);
  }

  private onMessage(text: string): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      this.log('agent link: ignoring a message that is not JSON');
      return;
    }
    switch (message.type) {
      case 'registered':
        void this.onRegistered(message.containerInstanceArns, message.agentSecret);
        break;
      case 'tasks':
        this.o.onTasks(message.tasks, message.complete);
        break;
      case 'peers':
        this.o.onPeers?.(message.addresses);
        break;
      case 'credentials':
        this.onCredentials(message);
        break;
      case 'error':
        this.log(`control plane says${message.code ? ` (${message.code})` : ''}: ${message.message}`);
        break;
      default:
        this.log(`agent link: ignoring message type ${String((message as { type?: unknown }).type)}`);
    }
  }

  /** Keeps an issued secret first, then re-sends every task's state (once per connection). */
  private async onRegistered(containerInstanceArns: string[], agentSecret: string | undefined): Promise<void> {
    const ws = this.ws;
    if (agentSecret !== undefined) {
      try {
        await this.o.onAgentSecret?.(agentSecret);
      } catch (err) {
        this.log(`agent link: could not save the agent secret: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (this.ws !== ws) return;
    this.containerInstanceArns = containerInstanceArns;
    this.attempt = 0;
    this.log(`registered as ${containerInstanceArns.join(', ') || 'no container instance'}`);
    this.o.onRegistered?.(containerInstanceArns);
    if (!this.registered) {
      this.registered = true;
      for (const change of this.o.stateChanges()) this.write({ type: 'taskStateChange', change: fitToLimits(change) });
    }
  }

  private startHeartbeat(ws: WebSocket): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => {
      if (elapsedMs() - this.lastHeard > 3 * this.heartbeatMs) {
        this.log('agent link: no answer from the control plane; reconnecting');
        ws.terminate();
        return;
      }
      this.write({ type: 'heartbeat' });
      ws.ping();
    }, this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  /** The control plane the link uses now (or will on its next connection). */
  get server(): string {
    return this.servers[this.current];
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    // A lost or refused connection moves to the next replica: any of them serves the agent.
    this.current = (this.current + 1) % this.servers.length;
    const { initialMs, maxMs } = this.o.backoff ?? { initialMs: 500, maxMs: AGENT_RECONNECT_MAX_MS };
    const base = Math.min(maxMs, initialMs * 2 ** this.attempt);
    const delay = Math.round(base * (0.5 + (this.o.random ?? Math.random)() / 2));
    this.attempt++;
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private write(message: AgentMessage): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify(message), (err) => {
      if (err) this.log(`agent link: send failed: ${err.message}`);
    });
  }
}

/** Cuts free text to what the control plane takes (`AGENT_LINK_LIMITS`), so a long Docker error never costs the whole report. */
export function fitToLimits(change: TaskStateChange): TaskStateChange {
  const max = AGENT_LINK_LIMITS.maxReasonLength;
  const cut = (text: string | undefined) => (text !== undefined && text.length > max ? `${text.slice(0, max - 1)}…` : text);
  if ((change.stoppedReason?.length ?? 0) <= max && change.containers.every((c) => (c.reason?.length ?? 0) <= max)) return change;
  return {
    ...change,
    ...(change.stoppedReason !== undefined && { stoppedReason: cut(change.stoppedReason) }),
    containers: change.containers.map((c) => (c.reason !== undefined ? { ...c, reason: cut(c.reason) } : c)),
  };
}
