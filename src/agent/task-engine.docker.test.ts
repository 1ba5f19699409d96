/**
 * The task engine against the real Docker Engine: ports that answer HTTP, exit codes, the
 * stop timeout, and re-adoption after a restart. Every container these tests create carries
 * this run's agent id, and only those are removed afterwards.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { LABEL } from './container-config.ts';
import { DockerRuntime } from './docker-runtime.ts';
import { TEST_IMAGE } from './runtime-contract.testing.ts';
import { MemoryCheckpointStore } from './checkpoint.ts';
import { desiredTask, getWhenServing, startEngine, type EngineHarness } from './testing.ts';

const AGENT = `test-engine-${randomUUID()}`;
const rt = new DockerRuntime();
const httpd = { name: 'web', image: TEST_IMAGE, command: ['httpd', '-f', '-p', '80', '-h', '/www'], portMappings: [{ containerPort: 80 }], stopTimeout: 1 };

async function removeOurContainers(): Promise<void> {
  for (const c of await rt.listContainers({ [LABEL.agentId]: AGENT })) await rt.removeContainer(c.id);
}

describe('task engine (Docker)', () => {
  const store = new MemoryCheckpointStore();
  let h: EngineHarness;

  before(async () => {
    h = await startEngine(rt, { agentId: AGENT, store });
  });

  after(async () => {
    await h.engine.close();
    await removeOurContainers();
  });

  it('runs httpd: RUNNING with a network binding whose host port answers HTTP on 127.0.0.1', async () => {
    const t = desiredTask('http', [httpd]);
    h.engine.applyTasks([t], false);
    const up = await h.waitFor(t.taskArn, (c) => c.lastStatus === 'RUNNING');
    const [binding] = up.containers[0]?.networkBindings ?? [];
    assert.equal(binding?.bindIP, '127.0.0.1');
    assert.equal(binding?.containerPort, 80);
    assert.equal(binding?.protocol, 'tcp');
    assert.ok(binding?.hostPort && binding.hostPort > 0, 'a host port was chosen');
    const res = await getWhenServing(`http://127.0.0.1:${binding.hostPort}/`);
    assert.equal(res.status, 200);
    assert.equal((await res.text()).trim(), 'hello from wharf');
    const info = await rt.inspectContainer(up.containers[0]!.runtimeId!);
    assert.match(info!.name, /^ecs-wharf-test-1-web-[0-9a-f]{20}$/);
    assert.equal(info!.labels[LABEL.family], 'wharf-test');
    assert.equal(info!.labels[LABEL.version], '1');
  });

  it("a container running `sh -c 'exit 3'` stops the task: exit code 3, EssentialContainerExited", async () => {
    const t = desiredTask('exit3', [{ name: 'app', image: TEST_IMAGE, command: ['sh', '-c', 'exit 3'] }]);
    h.engine.applyTasks([t], false);
    const down = await h.waitFor(t.taskArn, (c) => c.lastStatus === 'STOPPED');
    assert.equal(down.containers[0]?.exitCode, 3);
    assert.equal(down.stopCode, 'EssentialContainerExited');
    assert.equal(down.stoppedReason, 'Essential container in task exited');
  });

  it('an image that is neither local nor pullable fails the task with CannotPullContainerError', async () => {
    const t = desiredTask('nopull', [{ name: 'app', image: 'wharf-test/no-such-image:1' }]);
    h.engine.applyTasks([t], false);
    const down = await h.waitFor(t.taskArn, (c) => c.lastStatus === 'STOPPED');
    assert.equal(down.stopCode, 'TaskFailedToStart');
    assert.match(down.stoppedReason ?? '', /^CannotPullContainerError: pull image wharf-test\/no-such-image:1: /);
    assert.equal(down.containers[0]?.runtimeId, undefined);
  });

  it('honours stopTimeout: SIGTERM first, SIGKILL (137) only after the timeout', async () => {
    const t = desiredTask('stop-timeout', [
      { name: 'stubborn', image: TEST_IMAGE, command: ['sh', '-c', 'trap "" TERM; sleep 1000'], stopTimeout: 2 },
      // With an init process TERM reaches the shell even before its trap is set: exit 0 or 143.
      { name: 'polite', image: TEST_IMAGE, command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1000 & wait $!; done'],
        stopTimeout: 2, linuxParameters: { initProcessEnabled: true } },
    ]);
    h.engine.applyTasks([t], false);
    await h.waitFor(t.taskArn, (c) => c.lastStatus === 'RUNNING');
    const askedAt = Date.now();
    h.engine.applyTasks([{ ...t, desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'test' }], false);
    const down = await h.waitFor(t.taskArn, (c) => c.lastStatus === 'STOPPED');
    const byName = Object.fromEntries(down.containers.map((c) => [c.name, c]));
    assert.equal(byName.stubborn?.exitCode, 137, 'SIGKILLed');
    assert.ok([0, 143].includes(byName.polite?.exitCode ?? -1), `polite got SIGTERM and exited (${byName.polite?.exitCode})`);
    const stubborn = await rt.inspectContainer(byName.stubborn!.runtimeId!);
    assert.ok(stubborn!.finishedAt! - askedAt >= 1900, `killed ${stubborn!.finishedAt! - askedAt} ms after the stop, not before the 2 s timeout`);
    assert.equal(down.stopCode, 'UserInitiated');
  });

  it('re-adopts its running containers after a restart: same container, still serving, none duplicated', async () => {
    const t = desiredTask('readopt', [httpd]);
    h.engine.applyTasks([t], false);
    const up = await h.waitFor(t.taskArn, (c) => c.lastStatus === 'RUNNING');
    await h.engine.close();

    h = await startEngine(rt, { agentId: AGENT, store });
    const again = await h.waitFor(t.taskArn, (c) => c.lastStatus === 'RUNNING');
    assert.equal(again.containers[0]?.runtimeId, up.containers[0]?.runtimeId);
    assert.deepEqual(again.containers[0]?.networkBindings, up.containers[0]?.networkBindings);
    h.engine.applyTasks([t], false);
    await new Promise((r) => setTimeout(r, 200));
    const containers = await rt.listContainers({ [LABEL.agentId]: AGENT, [LABEL.taskArn]: t.taskArn });
    assert.equal(containers.length, 1);
    const res = await getWhenServing(`http://127.0.0.1:${again.containers[0]!.networkBindings![0]!.hostPort}/`);
    assert.equal(res.status, 200);
  });
});
