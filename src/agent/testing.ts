/**
 * Helpers the agent's tests share: desired tasks, an engine wired to a recorder of its reports,
 * and waiting for a report. Not used by the agent itself.
 */
import type { AddressInfo } from 'node:net';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  AGENT_LINK_PATH, type AgentMessage, type DesiredTask, type ServerMessage, type TaskSpec, type TaskStateChange,
} from '../common/index.ts';
import type { ContainerRuntime } from './runtime.ts';
import { MemoryCheckpointStore, type CheckpointStore } from './checkpoint.ts';
import { TaskEngine } from './task-engine.ts';

/** Credentials the agent tests sign their links with (the in-test server records, never checks, them). */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIAWHARFAGENTTEST01', secretAccessKey: 'wharf-agent-test-secret-000000000000000' };

/** A cluster ARN for tests. */
export const TEST_CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/default';

/** A desired task with the given containers. */
export function desiredTask(id: string, containers: ContainerDefinition[], over: Partial<DesiredTask> & { networkMode?: TaskSpec['networkMode'] } = {}): DesiredTask {
  const { networkMode, ...rest } = over;
  return {
    taskArn: `arn:aws:ecs:us-east-1:123456789012:task/default/${id}`,
    clusterArn: TEST_CLUSTER,
    containerInstanceArn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/default/ci',
    desiredStatus: 'RUNNING',
    spec: { family: 'wharf-test', revision: 1, networkMode: networkMode ?? 'bridge', containers },
    containerArns: {},
    ...rest,
  };
}

/** An engine and everything it reported. */
export interface EngineHarness {
  engine: TaskEngine;
  store: CheckpointStore;
  changes: TaskStateChange[];
  /** The latest report for a task. */
  last(taskArn: string): TaskStateChange | undefined;
  /** Waits until a report for `taskArn` satisfies `test`; returns it. */
  waitFor(taskArn: string, test: (c: TaskStateChange) => boolean, ms?: number): Promise<TaskStateChange>;
}

/** Starts an engine on `runtime` (and `store`, to restart one on the same state). */
export async function startEngine(runtime: ContainerRuntime, o: { agentId: string; store?: CheckpointStore; cleanupWaitMs?: number; efsDir?: string }): Promise<EngineHarness> {
  const store = o.store ?? new MemoryCheckpointStore();
  const saved = await store.load();
  const changes: TaskStateChange[] = [];
  const engine = new TaskEngine({
    runtime,
    agentId: o.agentId,
    store,
    restored: saved && { tasks: saved.tasks, forgotten: saved.forgotten },
    onStateChange: (c) => changes.push(c),
    cleanupWaitMs: o.cleanupWaitMs ?? 60_000,
    retryMs: 50,
    efsDir: o.efsDir,
  });
  await engine.start();
  const last = (arn: string) => changes.filter((c) => c.taskArn === arn).at(-1);
  return {
    engine,
    store,
    changes,
    last,
    waitFor: (arn, test, ms = 20_000) => waitUntil(() => `a report of ${arn} that passes the test (last: ${JSON.stringify(last(arn))})`, () => changes.find((c) => c.taskArn === arn && test(c)), ms),
  };
}

/** Polls `probe` until it returns a value. */
export async function waitUntil<T>(what: string | (() => string), probe: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * GETs `url` until it answers. Right after RUNNING the container's server may not listen yet, and
 * Docker's port proxy then closes the connection; each attempt is bounded, so none can hang a test.
 */
export async function getWhenServing(url: string, attempts = 50): Promise<Response> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fetch(url, { signal: AbortSignal.timeout(5_000) });
    } catch (error) {
      last = error;
      await sleep(100);
    }
  }
  throw last;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const INSTANCE = 'arn:aws:ecs:eu-west-1:123456789012:container-instance/prod/0123456789abcdef0123456789abcdef';

/** A control plane that registers every agent and records what each connection said (and its upgrade's headers). */
export class TestServer {
  wss!: WebSocketServer;
  port = 0;
  connections: { ws: WebSocket; messages: AgentMessage[]; headers: Record<string, string | string[] | undefined> }[] = [];
  /** Sent as `agentSecret` in `registered` to an agent whose hello has none, when set. */
  issueSecret?: string;

  async listen(port = 0): Promise<void> {
    this.wss = new WebSocketServer({ port, host: '127.0.0.1', path: AGENT_LINK_PATH });
    await new Promise<void>((resolve) => this.wss.once('listening', () => resolve()));
    this.port = (this.wss.address() as AddressInfo).port;
    this.wss.on('connection', (ws, req) => {
      const conn = { ws, messages: [] as AgentMessage[], headers: req.headers };
      this.connections.push(conn);
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as AgentMessage;
        conn.messages.push(m);
        if (m.type === 'hello') {
          const issue = this.issueSecret !== undefined && m.agentSecret === undefined;
          this.send(ws, { type: 'registered', containerInstanceArns: [INSTANCE], ...(issue && { agentSecret: this.issueSecret }) });
          this.send(ws, { type: 'tasks', tasks: [], complete: false });
        }
      });
    });
  }

  send(ws: WebSocket, m: ServerMessage): void {
    ws.send(JSON.stringify(m));
  }

  get current() {
    return this.connections.at(-1)!;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
