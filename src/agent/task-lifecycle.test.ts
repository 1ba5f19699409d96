import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { ContainerInfo } from './runtime.ts';
import { newTask, plan, reduce, toStateChange, type TaskEvent, type TaskModel } from './task-lifecycle.ts';
import { desiredTask } from './testing.ts';

const info = (state: ContainerInfo['state'], over: Partial<ContainerInfo> = {}): ContainerInfo => ({
  id: `id-${state}`, name: 'n', labels: {}, state, image: 'x', oomKilled: false, ports: [], startedAt: 1, ...over,
});
const step = (t: TaskModel, ...events: TaskEvent[]): TaskModel => events.reduce((m, e) => plan(reduce(m, e, 5), 5).task, t);
const start = (defs: ContainerDefinition[]) => plan(newTask(desiredTask('t', defs)), 1);

describe('task lifecycle core', () => {
  it('a new task is PENDING and pulls every image at once', () => {
    const { task, actions } = start([{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }]);
    assert.equal(task.known, 'PENDING');
    assert.equal(task.pullStartedAt, 1);
    assert.deepEqual(actions, [{ kind: 'pull', container: 'a' }, { kind: 'pull', container: 'b' }]);
    assert.deepEqual(plan(task, 2).actions, [], 'busy containers get nothing new');
  });

  it('pull → create → start → RUNNING, with bindings from what the runtime published', () => {
    let t = start([{ name: 'a', image: 'x', portMappings: [{ containerPort: 80 }] }]).task;
    t = reduce(t, { type: 'pulled', container: 'a' }, 2);
    assert.equal(t.pullStoppedAt, 2);
    let p = plan(t, 2);
    assert.deepEqual(p.actions, [{ kind: 'create', container: 'a' }]);
    t = reduce(p.task, { type: 'created', container: 'a', runtimeId: 'r1', dockerName: 'd1' }, 3);
    p = plan(t, 3);
    assert.deepEqual(p.actions, [{ kind: 'start', container: 'a' }]);
    const ports = [{ containerPort: 80, protocol: 'tcp' as const, hostIp: '127.0.0.1', hostPort: 32768 }];
    t = reduce(p.task, { type: 'observed', container: 'a', info: info('running', { id: 'r1', ports }), ends: 'start' }, 4);
    assert.equal(t.known, 'RUNNING');
    assert.equal(t.startedAt, 4);
    const report = toStateChange(t)!;
    assert.deepEqual(report.containers[0], {
      name: 'a', runtimeId: 'r1', lastStatus: 'RUNNING', networkBindings: [{ bindIP: '127.0.0.1', containerPort: 80, hostPort: 32768, protocol: 'tcp' }],
    });
  });

  it('statuses only move forward: a late "running" never revives an exited container', () => {
    let t = start([{ name: 'a', image: 'x' }]).task;
    t = step(t, { type: 'pulled', container: 'a' }, { type: 'created', container: 'a', runtimeId: 'r', dockerName: 'd' });
    t = reduce(t, { type: 'exited', container: 'a', exitCode: 2 }, 6);
    t = reduce(t, { type: 'observed', container: 'a', info: info('running'), ends: 'start' }, 7);
    assert.equal(t.containers[0]!.known, 'STOPPED');
    assert.equal(t.containers[0]!.exitCode, 2);
    assert.equal(t.known, 'STOPPED');
    assert.equal(t.stopping?.stopCode, 'EssentialContainerExited');
  });

  it('a stop while an image is pulling waits for the pull, then stops without starting', () => {
    let t = start([{ name: 'a', image: 'x' }]).task;
    t = step(t, { type: 'desired', desired: { ...t.desired, desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'bye' } });
    assert.equal(t.known, 'PENDING', 'the pull is still under way');
    t = step(t, { type: 'pulled', container: 'a' });
    assert.equal(t.known, 'STOPPED');
    const report = toStateChange(t)!;
    assert.equal(report.stopCode, 'UserInitiated');
    assert.equal(report.stoppedReason, 'bye');
    assert.equal(report.containers[0]!.runtimeId, undefined);
  });

  it('the first stop reason wins', () => {
    let t = start([{ name: 'a', image: 'x' }]).task;
    t = step(t, { type: 'failed', container: 'a', step: 'pull', message: 'nope' });
    t = step(t, { type: 'desired', desired: { ...t.desired, desiredStatus: 'STOPPED', stopCode: 'UserInitiated' } });
    assert.equal(toStateChange(t)!.stopCode, 'TaskFailedToStart');
    assert.equal(toStateChange(t)!.stoppedReason, 'CannotPullContainerError: nope');
  });

  it('an OOM kill is the container reason', () => {
    let t = start([{ name: 'a', image: 'x' }]).task;
    t = step(t, { type: 'pulled', container: 'a' }, { type: 'created', container: 'a', runtimeId: 'r', dockerName: 'd' });
    t = step(t, { type: 'observed', container: 'a', info: info('exited', { exitCode: 137, oomKilled: true }) });
    assert.match(t.containers[0]!.reason ?? '', /^OutOfMemoryError/);
  });

  it('a dependency cycle fails the task before anything runs', () => {
    const { task, actions } = start([
      { name: 'a', image: 'x', dependsOn: [{ containerName: 'b', condition: 'START' }] },
      { name: 'b', image: 'x', dependsOn: [{ containerName: 'a', condition: 'START' }] },
    ]);
    assert.deepEqual(actions, []);
    assert.equal(task.known, 'STOPPED');
    assert.equal(task.stopping?.stopCode, 'TaskFailedToStart');
    assert.match(task.stopping?.stoppedReason ?? '', /cycle/);
  });

  describe('health', () => {
    const checked = { name: 'web', image: 'x', healthCheck: { command: ['CMD-SHELL', 'exit 0'], interval: 5, timeout: 2, retries: 1 } };
    const running = (defs: ContainerDefinition[]) => {
      let t = start(defs).task;
      for (const d of defs) {
        const name = d.name!;
        t = step(t, { type: 'pulled', container: name }, { type: 'created', container: name, runtimeId: `r-${name}`, dockerName: name });
      }
      for (const d of defs) {
        const name = d.name!;
        t = step(t, { type: 'observed', container: name, info: info('running', { id: `r-${name}`, health: d.healthCheck ? 'starting' : undefined }), ends: 'start' });
      }
      return t;
    };
    const healthOf = (t: TaskModel) => toStateChange(t)!.containers.map((c) => c.healthStatus);

    it('a container with a check reports UNKNOWN while starting, then what Docker says; one without reports none', () => {
      let t = running([checked, { name: 'side', image: 'x' }]);
      assert.equal(t.known, 'RUNNING');
      assert.deepEqual(healthOf(t), ['UNKNOWN', undefined]);
      assert.equal('healthStatus' in toStateChange(t)!.containers[1]!, false);
      t = step(t, { type: 'health', container: 'web', health: 'healthy' });
      assert.deepEqual(healthOf(t), ['HEALTHY', undefined]);
    });

    it('health goes back and forth while the task stays RUNNING: the agent stops nothing for it', () => {
      let t = running([checked]);
      const seen: string[] = [];
      for (const health of ['healthy', 'unhealthy', 'healthy', 'unhealthy'] as const) {
        const before = toStateChange(t);
        t = step(t, { type: 'health', container: 'web', health });
        assert.notDeepEqual(toStateChange(t), before, 'a health change is a new report');
        assert.equal(t.known, 'RUNNING');
        assert.equal(t.stopping, undefined);
        assert.deepEqual(plan(t, 9).actions, []);
        seen.push(toStateChange(t)!.containers[0]!.healthStatus!);
      }
      assert.deepEqual(seen, ['HEALTHY', 'UNHEALTHY', 'HEALTHY', 'UNHEALTHY']);
      assert.equal(toStateChange(t)!.lastStatus, 'RUNNING');
    });

    it('an inspect (resync) of a running container brings its health; a stopped one keeps its last', () => {
      let t = running([checked]);
      t = step(t, { type: 'observed', container: 'web', info: info('running', { id: 'r-web', health: 'unhealthy' }) });
      assert.deepEqual(healthOf(t), ['UNHEALTHY']);
      t = step(t, { type: 'health', container: 'web', health: 'healthy' });
      t = step(t, { type: 'observed', container: 'web', info: info('exited', { id: 'r-web', exitCode: 1, health: 'unhealthy' }) });
      t = step(t, { type: 'health', container: 'web', health: 'unhealthy' });
      assert.equal(t.known, 'STOPPED');
      assert.deepEqual(healthOf(t), ['HEALTHY'], 'health changes after the stop are not the running container’s');
    });

    it('dependsOn HEALTHY starts the dependent only once the check passes', () => {
      const app: ContainerDefinition = { name: 'app', image: 'x', dependsOn: [{ containerName: 'web', condition: 'HEALTHY' }] };
      let t = start([checked, app]).task;
      t = step(t, { type: 'pulled', container: 'web' }, { type: 'pulled', container: 'app' });
      t = step(t, { type: 'created', container: 'web', runtimeId: 'r-web', dockerName: 'web' });
      t = step(t, { type: 'observed', container: 'web', info: info('running', { id: 'r-web', health: 'starting' }), ends: 'start' });
      assert.deepEqual(plan(t, 6).actions, [], 'app waits while web is starting');
      assert.equal(t.known, 'PENDING');
      const p = plan(reduce(t, { type: 'health', container: 'web', health: 'healthy' }, 6), 6);
      assert.deepEqual(p.actions, [{ kind: 'create', container: 'app' }]);
    });
  });

  it('nothing is reported before the agent has acted', () => {
    assert.equal(toStateChange(newTask(desiredTask('t', [{ name: 'a' }]))), undefined);
  });
});
