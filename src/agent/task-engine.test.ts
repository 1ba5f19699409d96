/** The task engine against the fake runtime: the task lifecycle, stops, sets, restarts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TASK_STATUSES, type TaskStateChange } from '../common/index.ts';
import { LABEL } from './container-config.ts';
import { FakeRuntime } from './fake-runtime.testing.ts';
import { MemoryCheckpointStore } from './checkpoint.ts';
import { desiredTask, sleep, startEngine, waitUntil } from './testing.ts';

const IMAGE = 'wharf-test/busybox:latest';
const AGENT = 'agent-fake';
const fake = (o: ConstructorParameters<typeof FakeRuntime>[0] = {}) => new FakeRuntime({ images: [IMAGE], timeScale: 0.01, ...o });
const httpd = { name: 'web', image: IMAGE, command: ['httpd', '-f', '-p', '80', '-h', '/www'], portMappings: [{ containerPort: 80 }], stopTimeout: 2 };
const rank = (c: TaskStateChange) => TASK_STATUSES.indexOf(c.lastStatus);
const stopped = (c: TaskStateChange) => c.lastStatus === 'STOPPED';
const running = (c: TaskStateChange) => c.lastStatus === 'RUNNING';

describe('task engine (fake runtime)', () => {
  it('runs a task PENDING → RUNNING with its ports, stops it as the server asks, then cleans up', async () => {
    const rt = fake();
    const h = await startEngine(rt, { agentId: AGENT, cleanupWaitMs: 100 });
    const t = desiredTask('life', [httpd]);
    h.engine.applyTasks([t], true);

    const up = await h.waitFor(t.taskArn, running);
    const [web] = up.containers;
    assert.equal(web?.lastStatus, 'RUNNING');
    assert.ok(web?.runtimeId, 'the container has a runtime id');
    assert.deepEqual(web?.networkBindings, [{ bindIP: '127.0.0.1', containerPort: 80, hostPort: 32768, protocol: 'tcp' }]);
    assert.ok(up.pullStartedAt && up.pullStoppedAt && up.startedAt && up.pullStartedAt <= up.pullStoppedAt && up.pullStoppedAt <= up.startedAt, 'pull, then start');
    const mine = h.changes.filter((c) => c.taskArn === t.taskArn);
    assert.equal(mine[0]?.lastStatus, 'PENDING');
    assert.ok(mine.every((c, i) => i === 0 || rank(c) >= rank(mine[i - 1]!)), 'statuses only move forward');
    assert.equal(rt.calls.pull, 0, 'the image was present: no pull');

    const info = await rt.inspectContainer(web!.runtimeId!);
    assert.match(info!.name, /^ecs-wharf-test-1-web-[0-9a-f]{20}$/);
    assert.equal(info!.labels[LABEL.taskArn], t.taskArn);
    assert.equal(info!.labels[LABEL.agentId], AGENT);

    h.engine.applyTasks([{ ...t, desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' }], false);
    const down = await h.waitFor(t.taskArn, stopped);
    assert.equal(down.stopCode, 'UserInitiated');
    assert.equal(down.stoppedReason, 'Task stopped by user');
    assert.equal(down.containers[0]?.exitCode, 137, 'httpd ignores SIGTERM as PID 1, so it was killed at its stopTimeout');
    assert.ok(down.executionStoppedAt && down.stoppedAt && down.executionStoppedAt >= up.startedAt!, 'stop times are set, after the start');

    await waitUntil('cleanup', async () => (await rt.listContainers({ [LABEL.agentId]: AGENT })).length === 0);
    await waitUntil('forgotten', () => !h.engine.tasks().has(t.taskArn));
    h.engine.applyTasks([t], false);
    await sleep(50);
    assert.equal(h.engine.tasks().has(t.taskArn), false, 'a cleaned-up task never starts again');
    await h.engine.close();
  });

  it('an essential container exiting stops the task with EssentialContainerExited', async () => {
    const rt = fake();
    const h = await startEngine(rt, { agentId: AGENT });
    const t = desiredTask('essential', [
      { name: 'app', image: IMAGE, command: ['sh', '-c', 'sleep 0.05; exit 3'] },
      { name: 'side', image: IMAGE, command: ['sleep', '1000'], stopTimeout: 5 },
    ]);
    h.engine.applyTasks([t], true);
    const down = await h.waitFor(t.taskArn, stopped);
    assert.equal(down.stopCode, 'EssentialContainerExited');
    assert.equal(down.stoppedReason, 'Essential container in task exited');
    const byName = Object.fromEntries(down.containers.map((c) => [c.name, c]));
    assert.equal(byName.app?.exitCode, 3);
    assert.equal(byName.side?.lastStatus, 'STOPPED');
    assert.equal(byName.side?.exitCode, 137);
    await h.engine.close();
  });

  it('a non-essential container exiting leaves the task RUNNING', async () => {
    const rt = fake();
    const h = await startEngine(rt, { agentId: AGENT });
    const t = desiredTask('nonessential', [httpd, { name: 'job', image: IMAGE, essential: false, command: ['sh', '-c', 'sleep 0.05; exit 4'] }]);
    h.engine.applyTasks([t], true);
    const report = await h.waitFor(t.taskArn, (c) => c.containers.some((x) => x.name === 'job' && x.lastStatus === 'STOPPED'));
    assert.equal(report.lastStatus, 'RUNNING');
    assert.equal(report.containers.find((x) => x.name === 'job')?.exitCode, 4);
    await sleep(100);
    assert.equal(h.last(t.taskArn)?.lastStatus, 'RUNNING');
    await h.engine.close();
  });

  it('an image that cannot be pulled fails the task with CannotPullContainerError', async () => {
    const rt = fake({ registry: ['wharf-test/pullable:1'] });
    const h = await startEngine(rt, { agentId: AGENT });
    const bad = desiredTask('nopull', [{ name: 'app', image: 'wharf-test/missing:1', command: ['sleep', '100'] }]);
    const good = desiredTask('pull', [{ name: 'app', image: 'wharf-test/pullable:1', command: ['sleep', '100'] }]);
    h.engine.applyTasks([bad, good], true);
    const down = await h.waitFor(bad.taskArn, stopped);
    assert.equal(down.stopCode, 'TaskFailedToStart');
    assert.match(down.stoppedReason ?? '', /^CannotPullContainerError: /);
    assert.match(down.containers[0]?.reason ?? '', /^CannotPullContainerError: /);
    assert.ok(down.pullStartedAt && down.pullStoppedAt, 'pull times are set');
    await h.waitFor(good.taskArn, running);
    assert.equal(rt.calls.pull, 2);
    await h.engine.close();
  });

  it('a container that cannot start fails the task with CannotStartContainerError', async () => {
    const rt = fake();
    const h = await startEngine(rt, { agentId: AGENT });
    const fixed = { ...httpd, portMappings: [{ containerPort: 80, hostPort: 8080 }] };
    const a = desiredTask('port-a', [fixed]);
    h.engine.applyTasks([a], false);
    await h.waitFor(a.taskArn, running);
    const b = desiredTask('port-b', [fixed]);
    h.engine.applyTasks([b], false);
    const down = await h.waitFor(b.taskArn, stopped);
    assert.equal(down.stopCode, 'TaskFailedToStart');
    assert.match(down.stoppedReason ?? '', /^CannotStartContainerError: .*port is already allocated/);
    await h.engine.close();
  });

  it('a complete set stops running tasks not in it; an upsert stops nothing', async () => {
    const rt = fake();
    const h = await startEngine(rt, { agentId: AGENT });
    const a = desiredTask('set-a', [httpd]);
    const b = desiredTask('set-b', [httpd]);
    h.engine.applyTasks([a], true);
    h.engine.applyTasks([b], false);
    await h.waitFor(a.taskArn, running);
    await h.waitFor(b.taskArn, running);
    h.engine.applyTasks([b], true);
    const down = await h.waitFor(a.taskArn, stopped);
    assert.match(down.stoppedReason ?? '', /not assigned/);
    await sleep(50);
    assert.equal(h.last(b.taskArn)?.lastStatus, 'RUNNING');
    await h.engine.close();
  });

  it('a task first seen as desired STOPPED is reported STOPPED without creating anything', async () => {
    const rt = fake();
    const h = await startEngine(rt, { agentId: AGENT });
    const t = desiredTask('never', [httpd], { desiredStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Scaling down' });
    h.engine.applyTasks([t], true);
    const down = await h.waitFor(t.taskArn, stopped);
    assert.equal(down.stopCode, 'ServiceSchedulerInitiated');
    assert.equal(down.containers[0]?.lastStatus, 'STOPPED');
    assert.equal(rt.calls.create, 0);
    await h.engine.close();
  });

  it('dependsOn SUCCESS starts the app after its init container exits 0, and blocks it when init fails', async () => {
    const rt = fake();
    const h = await startEngine(rt, { agentId: AGENT });
    const spec = (code: number) => [
      { name: 'app', image: IMAGE, command: ['sleep', '1000'], dependsOn: [{ containerName: 'init', condition: 'SUCCESS' as const }] },
      { name: 'init', image: IMAGE, essential: false, command: ['sh', '-c', `sleep 0.05; exit ${code}`] },
    ];
    const ok = desiredTask('dep-ok', spec(0));
    const bad = desiredTask('dep-bad', spec(1));
    h.engine.applyTasks([ok, bad], true);
    const up = await h.waitFor(ok.taskArn, running);
    const app = await rt.inspectContainer(up.containers.find((c) => c.name === 'app')!.runtimeId!);
    const init = await rt.inspectContainer(up.containers.find((c) => c.name === 'init')!.runtimeId!);
    assert.ok(app!.startedAt! >= init!.finishedAt!, 'app started after init finished');

    const down = await h.waitFor(bad.taskArn, stopped);
    assert.equal(down.stopCode, 'TaskFailedToStart');
    assert.match(down.stoppedReason ?? '', /SUCCESS condition on init can no longer be met: it exited with code 1/);
    assert.equal(down.containers.find((c) => c.name === 'app')?.runtimeId, undefined, 'app was never created');
    await h.engine.close();
  });

  it('dependsOn HEALTHY waits for the health check', async () => {
    const rt = fake();
    const h = await startEngine(rt, { agentId: AGENT });
    const t = desiredTask('healthy', [
      { name: 'app', image: IMAGE, command: ['sleep', '1000'], dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] },
      { name: 'db', image: IMAGE, command: ['sleep', '1000'], healthCheck: { command: ['CMD-SHELL', 'true'] } },
    ]);
    h.engine.applyTasks([t], true);
    const up = await h.waitFor(t.taskArn, running);
    assert.deepEqual(up.containers.map((c) => c.lastStatus), ['RUNNING', 'RUNNING']);
    await h.engine.close();
  });

  it('stops containers dependents-first', async () => {
    const rt = fake({ timeScale: 1 });
    const h = await startEngine(rt, { agentId: AGENT });
    const t = desiredTask('stop-order', [
      { name: 'db', image: IMAGE, command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'] },
      { name: 'app', image: IMAGE, command: ['sh', '-c', 'trap "" TERM; sleep 1000'], stopTimeout: 0.2, links: ['db'] },
    ]);
    h.engine.applyTasks([t], true);
    await h.waitFor(t.taskArn, running);
    h.engine.applyTasks([{ ...t, desiredStatus: 'STOPPED' }], true);
    const down = await h.waitFor(t.taskArn, stopped);
    const [db, app] = await Promise.all(down.containers.map((c) => rt.inspectContainer(c.runtimeId!)));
    assert.equal(app!.exitCode, 137);
    assert.equal(db!.exitCode, 0);
    assert.ok(db!.finishedAt! >= app!.finishedAt!, 'db stopped only after app had stopped');
    await h.engine.close();
  });

  it('re-adopts running containers after a restart: same containers, none created again', async () => {
    const rt = fake();
    const store = new MemoryCheckpointStore();
    const first = await startEngine(rt, { agentId: AGENT, store });
    const a = desiredTask('adopt-a', [httpd]);
    const b = desiredTask('adopt-b', [httpd]);
    first.engine.applyTasks([a, b], true);
    const upA = await first.waitFor(a.taskArn, running);
    const upB = await first.waitFor(b.taskArn, running);
    await first.engine.close();
    const creates = rt.calls.create;
    rt.exit(upB.containers[0]!.runtimeId!, 7, true); // exits while the agent is down

    const second = await startEngine(rt, { agentId: AGENT, store });
    const againA = await second.waitFor(a.taskArn, running);
    assert.equal(againA.containers[0]?.runtimeId, upA.containers[0]?.runtimeId);
    assert.deepEqual(againA.containers[0]?.networkBindings, upA.containers[0]?.networkBindings);
    const downB = await second.waitFor(b.taskArn, stopped);
    assert.equal(downB.containers[0]?.exitCode, 7);
    assert.equal(downB.stopCode, 'EssentialContainerExited');

    second.engine.applyTasks([a], true); // the server's set after reconnect
    await sleep(50);
    assert.equal(rt.calls.create, creates, 'no container was created again');
    assert.equal((await rt.listContainers({ [LABEL.agentId]: AGENT, [LABEL.taskArn]: a.taskArn })).length, 1);
    await second.engine.close();
  });

  it('adopts containers it has no state for when the server assigns their task again', async () => {
    const rt = fake();
    const first = await startEngine(rt, { agentId: AGENT });
    const t = desiredTask('lost-state', [httpd]);
    const other = desiredTask('lost-other', [httpd]);
    first.engine.applyTasks([t, other], true);
    const up = await first.waitFor(t.taskArn, running);
    await first.waitFor(other.taskArn, running);
    await first.engine.close();
    const creates = rt.calls.create;

    const second = await startEngine(rt, { agentId: AGENT, store: new MemoryCheckpointStore() });
    second.engine.applyTasks([t], true);
    const again = await second.waitFor(t.taskArn, running);
    assert.equal(again.containers[0]?.runtimeId, up.containers[0]?.runtimeId);
    assert.equal(rt.calls.create, creates);
    await waitUntil('the unassigned orphan stopped', async () => {
      const [c] = await rt.listContainers({ [LABEL.taskArn]: other.taskArn });
      return c?.state === 'exited';
    });
    await second.engine.close();
  });

  it('a lost exit event is caught when the event stream comes back', async () => {
    const rt = fake();
    const h = await startEngine(rt, { agentId: AGENT });
    const t = desiredTask('resync', [httpd]);
    h.engine.applyTasks([t], true);
    const up = await h.waitFor(t.taskArn, running);
    rt.exit(up.containers[0]!.runtimeId!, 9, true);
    await sleep(30);
    assert.equal(h.last(t.taskArn)?.lastStatus, 'RUNNING', 'no event, nothing noticed yet');
    rt.breakEvents();
    const down = await h.waitFor(t.taskArn, stopped);
    assert.equal(down.containers[0]?.exitCode, 9);
    await h.engine.close();
  });

  it('keeps its tasks in the checkpoint store as stored records', async () => {
    const rt = fake();
    const store = new MemoryCheckpointStore();
    const h = await startEngine(rt, { agentId: AGENT, store });
    const t = desiredTask('stored', [httpd]);
    h.engine.applyTasks([t], true);
    const up = await h.waitFor(t.taskArn, running);
    await h.engine.close();
    const saved = await store.load();
    assert.equal(saved?.agentId, AGENT);
    const task = saved?.tasks.find((x) => x.desired.taskArn === t.taskArn);
    assert.equal(task?.known, 'RUNNING');
    assert.equal(task?.containers[0]?.runtimeId, up.containers[0]?.runtimeId);
    assert.equal('def' in (task?.containers[0] ?? {}), false, 'records are not the in-memory models');
  });
});
