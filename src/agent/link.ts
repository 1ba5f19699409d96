/**
 * The agent's end of the agent link: a WebSocket to `<server>/_wharf/agent` that says `hello`,
 * heartbeats, passes `tasks` to the engine and reports task state. When the server goes away it
 * reconnects with backoff and, once registered again, re-sends the latest state of every task
 * (reports are level-based, so re-sending is safe and fills whatever was lost).
 */
import WebSocket from 'ws';
import {
  AGENT_LINK_PATH, AGENT_RECONNECT_MAX_MS, type AgentMessage, type DesiredTask, type ServerMessage, type TaskStateChange,
} from '../common/index.ts';
import type { AgentHello } from './host-info.ts';

/** What the link needs from the agent around it. */
export interface AgentLinkOptions {
  /** The control plane: http(s):// or ws(s)://, with or without a trailing slash. */
  serverUrl: string;
  /** The hello to send on each connect. */
  hello: () => AgentHello;
  /** The latest state of every known task, sent after each registration. */
  stateChanges: () => TaskStateChange[];
  onTasks: (tasks: DesiredTask[], complete: boolean) => void;
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
  private ws?: WebSocket;
  private registered = false;
  private closed = false;
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private lastHeard = 0;
  private readonly log: (message: string) => void;
  private readonly heartbeatMs: number;
  /** The container instances the server registered this agent as. */
  containerInstanceArns: string[] = [];

  constructor(private readonly o: AgentLinkOptions) {
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
    if (this.ready) this.write({ type: 'taskStateChange', change });
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
    const url = agentLinkUrl(this.o.serverUrl);
    const ws = new WebSocket(url, { handshakeTimeout: 10_000, maxPayload: 64 * 1024 * 1024 });
    this.ws = ws;
    this.registered = false;
    ws.on('open', () => {
      this.lastHeard = Date.now();
      this.log(`agent link connected to ${url}`);
      this.write(this.o.hello());
      this.startHeartbeat(ws);
    });
    ws.on('message', (data) => {
      this.lastHeard = Date.now();
      this.onMessage(String(data));
    });
    ws.on('pong', () => {
      this.lastHeard = Date.now();
    });
    ws.on('error', (err) => this.log(`agent link: ${err.message}`));
    ws.on('close', () => {
      if (this.ws !== ws) return;
      clearInterval(this.heartbeatTimer);
      this.registered = false;
      this.scheduleReconnect();
    });
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
        this.containerInstanceArns = message.containerInstanceArns;
        this.attempt = 0;
        this.log(`registered as ${message.containerInstanceArns.join(', ') || 'no container instance'}`);
        this.o.onRegistered?.(message.containerInstanceArns);
        if (!this.registered) {
          this.registered = true;
          for (const change of this.o.stateChanges()) this.write({ type: 'taskStateChange', change });
        }
        break;
      case 'tasks':
        this.o.onTasks(message.tasks, message.complete);
        break;
      case 'error':
        this.log(`control plane says: ${message.message}`);
        break;
      default:
        this.log(`agent link: ignoring message type ${String((message as { type?: unknown }).type)}`);
    }
  }

  private startHeartbeat(ws: WebSocket): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => {
      if (Date.now() - this.lastHeard > 3 * this.heartbeatMs) {
        this.log('agent link: no answer from the control plane; reconnecting');
        ws.terminate();
        return;
      }
      this.write({ type: 'heartbeat' });
      ws.ping();
    }, this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
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
