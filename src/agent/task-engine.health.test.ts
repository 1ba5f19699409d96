/**
 * Container health checks through the task engine on the fake runtime: every change of a
 * container's health is a new report (the task staying RUNNING), dependsOn HEALTHY waits for
 * the check to pass, and a health change the agent missed while it was down is found when it
 * re-adopts the container.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskStateChange } from '../common/index.ts';
import { FakeRuntime } from './fake-runtime.testing.ts';
import { desiredTask, sleep, startEngine } from './testing.ts';

const IMAGE = 'wharf-test/busybox:latest';
const AGENT = 'agent-health';
const check = { command: ['CMD-SHELL', 'exit 0'], interval: 5, timeout: 2, retries: 1 };
const running = (c: TaskStateChange) => c.lastStatus === 'RUNNING';
const healthOf = (c: TaskStateChange, name: string) => c.containers.find((x) => x.name === name)?.healthStatus;

/** A fake whose checks stay 'starting' until the test sets a result. */
const manualHealth = () => new FakeRuntime({ images: [IMAGE], timeScale: 0.01, behaviour: () => ({ onTerm: 0, health: 'starting' }) });

describe('task engine health checks (fake runtime)', () => {
  it('reports each health change as a new state of the RUNNING task, and never stops it for being unhealthy', async () => {
    const rt = manualHealth();
    const h = await startEngine(rt, { agentId: AGENT });
    const t = desiredTask('flip', [
      { name: 'web', image: IMAGE, command: ['sleep', '1000'], healthCheck: check },
      { name: 'side', image: IMAGE, command: ['sleep', '1000'] },
    ]);
    h.engine.applyTasks([t], true);
    const up = await h.waitFor(t.taskArn, running);
    assert.equal(healthOf(up, 'web'), 'UNKNOWN', 'starting');
    assert.equal(healthOf(up, 'side'), undefined, 'no health check, no health');
    const webId = up.containers.find((c) => c.name === 'web')!.runtimeId!;

    for (const [docker, ecs] of [['healthy', 'HEALTHY'], ['unhealthy', 'UNHEALTHY'], ['healthy', 'HEALTHY'], ['unhealthy', 'UNHEALTHY']] as const) {
      const before = h.changes.length;
      rt.setHealth(webId, docker);
      const report = await h.waitFor(t.taskArn, (c) => h.changes.indexOf(c) >= before && healthOf(c, 'web') === ecs);
      assert.equal(report.lastStatus, 'RUNNING');
    }
    await sleep(50);
    const last = h.last(t.taskArn)!;
    assert.equal(last.lastStatus, 'RUNNING', 'an unhealthy standalone task keeps running');
    assert.equal(healthOf(last, 'web'), 'UNHEALTHY');
    assert.equal((await rt.inspectContainer(webId))?.state, 'running');
    const reports = h.changes.filter((c) => c.taskArn === t.taskArn && running(c));
    assert.equal(reports.length, 5, 'RUNNING once, then one report per health change');
    await h.engine.close();
  });

  it('dependsOn HEALTHY starts the dependent only after the check passes', async () => {
    const rt = manualHealth();
    const h = await startEngine(rt, { agentId: AGENT });
    const t = desiredTask('gate', [
      { name: 'db', image: IMAGE, command: ['sleep', '1000'], healthCheck: check },
      { name: 'app', image: IMAGE, command: ['sleep', '1000'], dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] },
    ]);
    h.engine.applyTasks([t], true);
    const dbUp = await h.waitFor(t.taskArn, (c) => c.containers[0]?.lastStatus === 'RUNNING');
    await sleep(100);
    const waiting = h.last(t.taskArn)!;
    assert.equal(waiting.lastStatus, 'PENDING');
    assert.equal(waiting.containers[1]?.runtimeId, undefined, 'app is not even created while db is starting');
    rt.setHealth(dbUp.containers[0]!.runtimeId!, 'healthy');
    const up = await h.waitFor(t.taskArn, running);
    assert.deepEqual(up.containers.map((c) => [c.lastStatus, c.healthStatus]), [['RUNNING', 'HEALTHY'], ['RUNNING', undefined]]);
    await h.engine.close();
  });

  it('a health change while the agent was down is found when it re-adopts the container', async () => {
    const rt = manualHealth();
    const h = await startEngine(rt, { agentId: AGENT });
    const t = desiredTask('readopt', [{ name: 'web', image: IMAGE, command: ['sleep', '1000'], healthCheck: check }]);
    h.engine.applyTasks([t], true);
    const up = await h.waitFor(t.taskArn, running);
    await h.engine.close();
    rt.setHealth(up.containers[0]!.runtimeId!, 'unhealthy'); // nobody is listening: the event is lost
    const again = await startEngine(rt, { agentId: AGENT, store: h.store });
    const report = await again.waitFor(t.taskArn, (c) => healthOf(c, 'web') === 'UNHEALTHY');
    assert.equal(report.lastStatus, 'RUNNING');
    assert.equal(report.containers[0]?.runtimeId, up.containers[0]?.runtimeId);
    await again.engine.close();
  });
});
