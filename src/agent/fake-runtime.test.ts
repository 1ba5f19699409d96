/** The runtime contract against the in-memory fake, plus the fake's own command model. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeRuntime, behaviourOf } from './fake-runtime.testing.ts';
import { TEST_IMAGE, runtimeContract } from './runtime-contract.testing.ts';
import type { ContainerCreateOptions, RuntimeEvent } from './runtime.ts';

runtimeContract('fake', async () => new FakeRuntime({ images: [TEST_IMAGE] }));

describe('fake runtime command model', () => {
  const opts = (cmd: string[], extra: Partial<ContainerCreateOptions> = {}): ContainerCreateOptions =>
    ({ name: 'x', Image: TEST_IMAGE, Labels: {}, Cmd: cmd, HostConfig: { NetworkMode: 'bridge' }, ...extra });

  it('reads exit codes, sleeps and TERM traps', () => {
    assert.deepEqual(behaviourOf(opts(['sh', '-c', 'exit 3'])), { exitAfterMs: 0, exitCode: 3, onTerm: 'ignore', health: 'healthy' });
    assert.equal(behaviourOf(opts(['sh', '-c', 'sleep 0.5; exit 2'])).exitAfterMs, 500);
    assert.equal(behaviourOf(opts(['sh', '-c', 'echo hi'])).exitCode, 0);
    assert.equal(behaviourOf(opts(['httpd', '-f'])).exitAfterMs, undefined, 'servers run until stopped');
    assert.equal(behaviourOf(opts(['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'])).onTerm, 0);
    assert.equal(behaviourOf(opts(['sh', '-c', 'trap "" TERM; sleep 1000'])).onTerm, 'ignore');
  });

  it('reads a health check that fails from its command', () => {
    const check = (test: string[]) => behaviourOf(opts(['sleep', '1000'], { Healthcheck: { Test: test } })).health;
    assert.equal(check(['CMD-SHELL', 'exit 1']), 'unhealthy');
    assert.equal(check(['CMD', 'false']), 'unhealthy');
    assert.equal(check(['CMD-SHELL', 'exit 0']), 'healthy');
    assert.equal(check(['CMD', 'true']), 'healthy');
  });

  it('setHealth moves a running container between healthy and unhealthy, with an event each time', async () => {
    const rt = new FakeRuntime({ images: [TEST_IMAGE], behaviour: () => ({ onTerm: 0, health: 'starting' }) });
    const events: RuntimeEvent[] = [];
    await rt.subscribe({}, (e) => events.push(e));
    const id = await rt.createContainer(opts(['sleep', '1000'], { Healthcheck: { Test: ['CMD', 'true'], Interval: 1_000_000 } }));
    await rt.startContainer(id);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await rt.inspectContainer(id))?.health, 'starting', "behaviour 'starting' waits for the test");
    rt.setHealth(id, 'healthy');
    rt.setHealth(id, 'healthy');
    rt.setHealth(id, 'unhealthy');
    rt.setHealth(id, 'healthy');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(events.map((e) => e.type === 'health' && e.health), ['healthy', 'unhealthy', 'healthy'], 'only changes are events');
    assert.equal((await rt.inspectContainer(id))?.health, 'healthy');
    await rt.stopContainer(id, 0);
    rt.setHealth(id, 'unhealthy');
    await new Promise((r) => setImmediate(r));
    assert.equal(events.length, 4, 'the exit, and no health change once stopped');
    assert.equal((await rt.inspectContainer(id))?.health, 'healthy', 'an exited container keeps its last result');
  });

  it('publishes fixed host ports once and refuses a second claim', async () => {
    const rt = new FakeRuntime({ images: [TEST_IMAGE] });
    const hc = { NetworkMode: 'bridge', PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] } };
    const a = await rt.createContainer({ ...opts(['httpd']), name: 'a', HostConfig: hc });
    const b = await rt.createContainer({ ...opts(['httpd']), name: 'b', HostConfig: hc });
    await rt.startContainer(a);
    await assert.rejects(rt.startContainer(b), /port is already allocated/);
    await rt.stopContainer(a, 0);
    await rt.startContainer(b);
    assert.equal((await rt.inspectContainer(b))?.ports[0]?.hostPort, 8080);
  });
});
