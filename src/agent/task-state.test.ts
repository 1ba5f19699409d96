import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { ContainerInfo } from './runtime.ts';
import { newTask, plan, reduce, toStateChange, type TaskEvent, type TaskModel } from './task-state.ts';
import { desiredTask } from './testing.ts';

const info = (state: ContainerInfo['state'], over: Partial<ContainerInfo> = {}): ContainerInfo => ({
  id: `id-${state}`, name: 'n', labels: {}, state, image: 'x', oomKilled: false, ports: [], startedAt: 1, ...over,
});
const step = (t: TaskModel, ...events: TaskEvent[]): TaskModel => events.reduce((m, e) => plan(reduce(m, e, 5), 5).task, t);
const start = (defs: ContainerDefinition[]) => plan(newTask(desiredTask('t', defs)), 1);

describe('task state core', () => {
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

  it('nothing is reported before the agent has acted', () => {
    assert.equal(toStateChange(newTask(desiredTask('t', [{ name: 'a' }]))), undefined);
  });
});
