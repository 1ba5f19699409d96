/**
 * Container health checks through the task engine on the real Docker Engine: the check runs
 * as Docker's own (`Healthcheck` at create), a passing one makes the container HEALTHY, a
 * failing one UNHEALTHY, and the agent leaves the unhealthy task RUNNING. Only containers
 * carrying this run's agent id are removed afterwards.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TaskStateChange } from '../common/index.ts';
import { LABEL } from './container-config.ts';
import { DockerRuntime } from './docker-runtime.ts';
import { TEST_IMAGE } from './runtime-contract.testing.ts';
import { desiredTask, sleep, startEngine, type EngineHarness } from './testing.ts';

const AGENT = `test-health-${randomUUID()}`;
const rt = new DockerRuntime();
const healthOf = (c: TaskStateChange, name: string) => c.containers.find((x) => x.name === name)?.healthStatus;

describe('health checks (Docker)', () => {
  let h: EngineHarness;

  before(async () => {
    h = await startEngine(rt, { agentId: AGENT });
  });

  after(async () => {
    await h.engine.close();
    for (const c of await rt.listContainers({ [LABEL.agentId]: AGENT })) await rt.removeContainer(c.id);
  });

  it('a passing check makes the container and its report HEALTHY; a failing one UNHEALTHY, and the task keeps running', async () => {
    const good = desiredTask(`good-${randomUUID().slice(0, 8)}`, [{
      name: 'web', image: TEST_IMAGE, command: ['sleep', '1000'], stopTimeout: 1,
      healthCheck: { command: ['CMD-SHELL', 'exit 0'], interval: 5, timeout: 2, retries: 3 },
    }]);
    const bad = desiredTask(`bad-${randomUUID().slice(0, 8)}`, [{
      name: 'web', image: TEST_IMAGE, command: ['sleep', '1000'], stopTimeout: 1,
      healthCheck: { command: ['CMD', 'false'], interval: 1, timeout: 2, retries: 2 },
    }]);
    h.engine.applyTasks([good, bad], false);

    const starting = await h.waitFor(good.taskArn, (c) => c.lastStatus === 'RUNNING');
    assert.equal(healthOf(starting, 'web'), 'UNKNOWN', 'UNKNOWN until the first check has run');
    const id = starting.containers[0]!.runtimeId!;
    const config = JSON.parse(execFileSync('docker', ['inspect', '-f', '{{json .Config.Healthcheck}}', id], { encoding: 'utf8' }));
    const { Test, Interval, Timeout, Retries } = config;
    assert.deepEqual({ Test, Interval, Timeout, Retries }, { Test: ['CMD-SHELL', 'exit 0'], Interval: 5e9, Timeout: 2e9, Retries: 3 }, 'Docker runs the check itself');

    const healthy = await h.waitFor(good.taskArn, (c) => healthOf(c, 'web') === 'HEALTHY', 30_000);
    assert.equal(healthy.lastStatus, 'RUNNING');
    assert.equal((await rt.inspectContainer(id))?.health, 'healthy');

    const unhealthy = await h.waitFor(bad.taskArn, (c) => healthOf(c, 'web') === 'UNHEALTHY', 30_000);
    assert.equal(unhealthy.lastStatus, 'RUNNING');
    await sleep(1500);
    const last = h.last(bad.taskArn)!;
    assert.equal(last.lastStatus, 'RUNNING', 'the agent does not stop an unhealthy task');
    assert.equal(healthOf(last, 'web'), 'UNHEALTHY');
    assert.equal((await rt.inspectContainer(unhealthy.containers[0]!.runtimeId!))?.state, 'running');
  });
});
