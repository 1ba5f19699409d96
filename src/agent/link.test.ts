/**
 * The agent link against a small in-test control plane (a `ws` server): hello, heartbeats,
 * task assignment, reconnects that re-send hello and every task's latest state, and a
 * restarted agent keeping its id. The agent runs on the fake runtime.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AGENT_LINK_LIMITS, type AgentMessage } from '../common/index.ts';
import { DockerRuntime } from './docker-runtime.ts';
import { FakeRuntime } from './fake-runtime.testing.ts';
import { startAgent } from './index.ts';
import { agentLinkUrl, fitToLimits } from './link.ts';
import { TEST_CREDENTIALS, TestServer, desiredTask, waitUntil } from './testing.ts';

const IMAGE = 'wharf-test/busybox:latest';
describe('agent link', () => {
  const server = new TestServer();
  let dataDir: string;

  before(async () => {
    await server.listen();
    dataDir = await mkdtemp(join(tmpdir(), 'wharf-agent-link-'));
  });

  after(async () => {
    await server.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('builds the link URL from the server URL', () => {
    assert.equal(agentLinkUrl('http://127.0.0.1:8040'), 'ws://127.0.0.1:8040/_wharf/agent');
    assert.equal(agentLinkUrl('https://wharf.example/'), 'wss://wharf.example/_wharf/agent');
    assert.equal(agentLinkUrl('ws://h:1'), 'ws://h:1/_wharf/agent');
  });

  it('says hello, heartbeats, runs assigned tasks, and re-syncs after reconnecting', async () => {
    const runtime = new FakeRuntime({ images: [IMAGE], timeScale: 0.01 });
    server.issueSecret = 'issued-secret-0001';
    const agent = await startAgent({
      serverUrl: `http://127.0.0.1:${server.port}`, credentials: async () => TEST_CREDENTIALS, dataDir, runtime,
      cluster: 'prod', region: 'eu-west-1', account: '123456789012',
      cpu: 2048, memory: 4096, heartbeatMs: 50, reconnect: { initialMs: 20, maxMs: 100 }, log: () => undefined,
    });
    try {
      const hello = await waitUntil('hello', () => server.connections[0]?.messages.find((m) => m.type === 'hello'));
      assert.ok(hello.type === 'hello');
      assert.equal(hello.agentId, agent.agentId);
      assert.equal(hello.cluster, 'prod');
      assert.equal(hello.region, 'eu-west-1');
      assert.equal(hello.account, '123456789012');
      assert.match(hello.ec2InstanceId, /^i-[0-9a-f]{17}$/);
      assert.equal(hello.cpu, 2048);
      assert.equal(hello.memory, 4096);
      assert.deepEqual(hello.reservedPorts, [22, 2375, 2376, 51678, 51679]);
      const attrs = new Map(hello.attributes.map((a) => [a.name, a.value]));
      assert.equal(attrs.get('ecs.os-type'), 'linux');
      assert.equal(attrs.get('ecs.availability-zone'), 'eu-west-1a');
      assert.equal(attrs.get('ecs.instance-type'), 'wharf.local');
      assert.match(attrs.get('ecs.cpu-architecture') ?? '', /^(x86_64|arm64)$/);
      assert.match(attrs.get('ecs.ami-id') ?? '', /^ami-[0-9a-f]{17}$/);
      for (const cap of ['docker-remote-api.1.17', 'docker-remote-api.1.41', 'logging-driver.json-file', 'privileged-container']) {
        assert.ok(attrs.has(`com.amazonaws.ecs.capability.${cap}`), cap);
      }
      assert.equal(attrs.has('com.amazonaws.ecs.capability.docker-remote-api.1.42'), false, 'not beyond what the daemon speaks');
      assert.match(hello.versionInfo.dockerVersion, /20\.10\.24-fake/);
      assert.equal(hello.agentSecret, undefined, 'no secret before the first registration');
      const signed = server.connections[0]!.headers;
      assert.match(String(signed.authorization), /^AWS4-HMAC-SHA256 Credential=AKIAWHARFAGENTTEST01\/\d{8}\/eu-west-1\/ecs\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/);
      assert.ok(signed['x-amz-date'], 'the upgrade request is signed (SigV4, service ecs, the agent\'s region)');

      await waitUntil('two heartbeats', () => server.current.messages.filter((m) => m.type === 'heartbeat').length >= 2);

      const t = desiredTask('linked', [{ name: 'web', image: IMAGE, command: ['httpd', '-f'], portMappings: [{ containerPort: 80 }] }]);
      server.send(server.current.ws, { type: 'tasks', tasks: [t], complete: false });
      const isRunning = (m: AgentMessage) => m.type === 'taskStateChange' && m.change.taskArn === t.taskArn && m.change.lastStatus === 'RUNNING';
      await waitUntil('RUNNING report', () => server.current.messages.find(isRunning));

      // The connection drops: the agent reconnects, says hello again (with its secret, signed anew), and re-sends the task's state.
      server.current.ws.terminate();
      await waitUntil('reconnect', () => server.connections.length === 2 && server.current.messages.find(isRunning));
      const again = server.current.messages;
      assert.equal(again[0]?.type, 'hello', 'hello comes first');
      assert.ok(again[0]?.type === 'hello' && again[0].agentId === agent.agentId);
      assert.equal(again[0].agentSecret, 'issued-secret-0001');
      assert.notEqual(server.current.headers.authorization, undefined);

      // The server goes away entirely and comes back on the same port.
      const port = server.port;
      await server.close();
      await new Promise((r) => setTimeout(r, 150));
      await server.listen(port);
      await waitUntil('reconnect to the restarted server', () => server.current?.messages.find(isRunning));
      assert.equal(runtime.calls.create, 1, 'reconnects never re-create containers');
    } finally {
      await agent.stop();
    }

    // A restarted agent keeps its identity (from the checkpoint in dataDir).
    const before = server.connections.length;
    const restarted = await startAgent({
      serverUrl: `http://127.0.0.1:${server.port}`, credentials: async () => TEST_CREDENTIALS, dataDir, runtime: new FakeRuntime({ images: [IMAGE] }),
      log: () => undefined,
    });
    try {
      assert.equal(restarted.agentId, agent.agentId);
      const hello = await waitUntil('hello after restart', () => server.connections.slice(before).flatMap((c) => c.messages).find((m) => m.type === 'hello'));
      assert.ok(hello.type === 'hello' && hello.agentId === agent.agentId && hello.cluster === 'default');
      assert.equal(hello.agentSecret, 'issued-secret-0001', 'the secret issued at the first registration is kept in the checkpoint and said again');
    } finally {
      await restarted.stop();
    }
  });

  it('refuses to start when Docker Engine is not reachable, saying how to start it', async () => {
    await assert.rejects(
      startAgent({
        serverUrl: 'http://127.0.0.1:1', credentials: async () => TEST_CREDENTIALS, dataDir,
        runtime: new DockerRuntime({ socketPath: join(dataDir, 'no-docker.sock') }), log: () => undefined,
      }),
      /Docker Engine is not reachable.*sudo bash scripts\/install-docker\.sh/,
    );
  });
});

describe('reports fit the link limits', () => {
  it('cuts reasons longer than the control plane takes, and leaves the rest as it is', () => {
    const long = 'x'.repeat(AGENT_LINK_LIMITS.maxReasonLength + 500);
    const change = { taskArn: 'arn', lastStatus: 'STOPPED' as const, stoppedReason: long, containers: [{ name: 'a', lastStatus: 'STOPPED' as const, reason: long }, { name: 'b', lastStatus: 'STOPPED' as const }] };
    const fitted = fitToLimits(change);
    assert.equal(fitted.stoppedReason?.length, AGENT_LINK_LIMITS.maxReasonLength);
    assert.equal(fitted.containers[0].reason?.length, AGENT_LINK_LIMITS.maxReasonLength);
    assert.ok(fitted.containers[0].reason?.endsWith('…'));
    assert.deepEqual(fitted.containers[1], change.containers[1]);
    const short = { ...change, stoppedReason: 'ok', containers: [] };
    assert.equal(fitToLimits(short), short, 'unchanged when it fits');
  });
});

describe('a refused link', () => {
  it("says why the control plane refused it, and tries again with credentials asked for anew", async () => {
    const server = http.createServer();
    let upgrades = 0;
    server.on('upgrade', (_req, socket) => {
      upgrades++;
      socket.on('error', () => {}); // the agent may reset the connection once it has read the refusal
      const body = JSON.stringify({ __type: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' });
      socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dataDir = await mkdtemp(join(tmpdir(), 'wharf-agent-refused-'));
    const lines: string[] = [];
    let asked = 0;
    const agent = await startAgent({
      serverUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, dataDir, runtime: new FakeRuntime({ images: [IMAGE] }),
      credentials: async () => (asked++, TEST_CREDENTIALS), reconnect: { initialMs: 10, maxMs: 20 }, log: (m) => lines.push(m),
    });
    try {
      await waitUntil('two refusals', () => upgrades >= 2);
      await waitUntil('the reason logged', () => lines.find((l) => /refused by the control plane \(HTTP 401\): InvalidClientTokenId: The security token/.test(l)));
      assert.ok(asked >= 2, 'credentials are asked for on every connection');
    } finally {
      await agent.stop();
      server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
