/**
 * The whole agent in its own process against real Docker and an in-test control plane:
 * `kill -9` while a task runs, start again, and the task is the same container, still
 * RUNNING, never duplicated. Only containers carrying this agent's id are removed afterwards.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { AgentMessage } from '../common/index.ts';
import { LABEL } from './container-config.ts';
import { DockerRuntime } from './docker-runtime.ts';
import { TEST_IMAGE } from './runtime-contract.testing.ts';
import { TEST_CREDENTIALS, TestServer, desiredTask, getWhenServing, waitUntil } from './testing.ts';

const MAIN = fileURLToPath(new URL('./agent-main.testing.ts', import.meta.url));
const rt = new DockerRuntime();

describe('agent process (Docker)', () => {
  const server = new TestServer();
  let dataDir: string;
  let child: ChildProcess | undefined;
  let agentId: string | undefined;

  const spawnAgent = (): ChildProcess => {
    const options = {
      serverUrl: `http://127.0.0.1:${server.port}`, credentials: TEST_CREDENTIALS, dataDir, heartbeatMs: 200, reconnect: { initialMs: 50, maxMs: 200 },
    };
    const p = spawn(process.execPath, ['--import', 'tsx', MAIN, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stderr?.on('data', (d: Buffer) => process.env.WHARF_TEST_VERBOSE && process.stderr.write(d));
    return p;
  };

  before(async () => {
    await server.listen();
    dataDir = await mkdtemp(join(tmpdir(), 'wharf-agent-kill-'));
  });

  after(async () => {
    child?.kill('SIGKILL');
    await server.close();
    if (agentId) for (const c of await rt.listContainers({ [LABEL.agentId]: agentId })) await rt.removeContainer(c.id);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('after kill -9 and a restart: the same container, still RUNNING, none duplicated', async () => {
    child = spawnAgent();
    const first = await waitUntil('hello', () => server.connections[0]?.messages.find((m) => m.type === 'hello'), 30_000);
    assert.ok(first.type === 'hello');
    agentId = first.agentId;

    const t = desiredTask('killed', [{ name: 'web', image: TEST_IMAGE, command: ['httpd', '-f', '-p', '80', '-h', '/www'], portMappings: [{ containerPort: 80 }], stopTimeout: 1 }]);
    server.send(server.current.ws, { type: 'tasks', tasks: [t], complete: true });
    const running = (m: AgentMessage) => m.type === 'taskStateChange' && m.change.taskArn === t.taskArn && m.change.lastStatus === 'RUNNING' ? m.change : undefined;
    const up = await waitUntil('RUNNING', () => server.current.messages.map(running).find(Boolean), 30_000);
    const runtimeId = up.containers[0]?.runtimeId;
    assert.ok(runtimeId, 'the container has a runtime id');

    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    assert.equal((await rt.inspectContainer(runtimeId))?.state, 'running', 'the container outlives the agent');

    const before = server.connections.length;
    child = spawnAgent();
    const conn = await waitUntil('reconnect', () => server.connections.slice(before).find((c) => c.messages.some((m) => m.type === 'hello')), 30_000);
    const hello = conn.messages.find((m) => m.type === 'hello');
    assert.ok(hello?.type === 'hello' && hello.agentId === agentId, 'same agent id after restart');
    const again = await waitUntil('RUNNING re-sent', () => conn.messages.map(running).find(Boolean), 30_000);
    assert.equal(again.containers[0]?.runtimeId, runtimeId);

    server.send(conn.ws, { type: 'tasks', tasks: [t], complete: true });
    await new Promise((r) => setTimeout(r, 500));
    const containers = await rt.listContainers({ [LABEL.agentId]: agentId, [LABEL.taskArn]: t.taskArn });
    assert.deepEqual(containers.map((c) => [c.id, c.state]), [[runtimeId, 'running']]);
    const stillRunning = conn.messages.filter((m) => m.type === 'taskStateChange' && m.change.taskArn === t.taskArn);
    assert.ok(stillRunning.every((m) => m.type === 'taskStateChange' && m.change.lastStatus === 'RUNNING'));
    const res = await getWhenServing(`http://127.0.0.1:${again.containers[0]!.networkBindings![0]!.hostPort}/`);
    assert.equal(res.status, 200);
  });
});
