/**
 * The task lifecycle core with an awsvpc network: the namespace set up first (containers are
 * created in it only once it is READY, while images pull meanwhile), a failed setup stopping
 * the task, a changed firewall loaded once, the namespace released only after every container
 * has stopped and the task STOPPED only after that, and a namespace lost across a restart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { DesiredTask, TaskFirewall, TaskInterface } from '../common/index.ts';
import { decodeTask, encodeTask } from './checkpoint.ts';
import type { ContainerInfo } from './runtime.ts';
import { desiredFirewall, newTask, plan, reduce, toStateChange, type TaskAction, type TaskEvent, type TaskModel } from './task-lifecycle.ts';
import { desiredTask } from './testing.ts';

const FIREWALL: TaskFirewall = { ingress: [{ protocol: 'tcp', fromPort: 80, toPort: 80, cidrs: ['10.0.0.0/16'] }], egress: [{ protocol: 'all', cidrs: ['0.0.0.0/0'] }] };
const IFACE: TaskInterface = {
  networkInterfaceId: 'eni-0123456789abcdef0', subnetId: 'subnet-0123456789abcdef0', subnetCidr: '10.0.1.0/24', vpcCidr: '10.0.0.0/16',
  privateIpAddress: '10.0.1.4', macAddress: '0a:11:22:33:44:55', gateway: '10.0.1.1', firewall: FIREWALL,
};
const DEFS: ContainerDefinition[] = [{ name: 'app', image: 'x' }, { name: 'side', image: 'y' }];

const awsvpcTask = (defs = DEFS, iface = IFACE): DesiredTask => desiredTask('net', defs, { networkMode: 'awsvpc', networkInterface: iface });
const running = (id: string): ContainerInfo => ({ id, name: id, labels: {}, state: 'running', image: 'x', oomKilled: false, ports: [], startedAt: 1 });
const exited = (id: string): ContainerInfo => ({ ...running(id), state: 'exited', exitCode: 0 });

/** A model driven as its owner drives it: each event reduced, then planned; the actions of every plan kept. */
class Driver {
  actions: TaskAction[] = [];
  constructor(public t: TaskModel, private now = 1) {
    this.plan();
  }
  private plan(): TaskAction[] {
    const p = plan(this.t, this.now);
    this.t = p.task;
    this.actions.push(...p.actions);
    return p.actions;
  }
  /** Applies events one by one, planning after each; returns the actions planned along the way. */
  on(...events: TaskEvent[]): TaskAction[] {
    const planned: TaskAction[] = [];
    for (const e of events) {
      this.t = reduce(this.t, e, ++this.now);
      planned.push(...this.plan());
    }
    return planned;
  }
  count(kind: TaskAction['kind']): number {
    return this.actions.filter((a) => a.kind === kind).length;
  }
}

const created = (name: string): TaskEvent => ({ type: 'created', container: name, runtimeId: `r-${name}`, dockerName: `d-${name}` });
const started = (name: string): TaskEvent => ({ type: 'observed', container: name, info: running(`r-${name}`), ends: 'start' });
const ready = (firewall: TaskFirewall = FIREWALL): TaskEvent => ({ type: 'networkReady', pauseId: 'pause-1', firewall: JSON.stringify(firewall) });

/** An awsvpc task brought to RUNNING: namespace READY, both containers running. */
function runningTask(): Driver {
  const d = new Driver(newTask(awsvpcTask()));
  d.on({ type: 'pulled', container: 'app' }, { type: 'pulled', container: 'side' }, ready(), created('app'), created('side'), started('app'), started('side'));
  assert.equal(d.t.known, 'RUNNING');
  return d;
}

describe('task lifecycle with an awsvpc network', () => {
  it('a task without an interface has no network; one with an interface starts with NONE', () => {
    assert.equal(newTask(desiredTask('plain', DEFS)).network, undefined);
    assert.deepEqual(newTask(awsvpcTask()).network, { known: 'NONE' });
  });

  it('plans setupNetwork first, and the pulls beside it', () => {
    const { task, actions } = plan(newTask(awsvpcTask()), 1);
    assert.deepEqual(actions, [{ kind: 'setupNetwork' }, { kind: 'pull', container: 'app' }, { kind: 'pull', container: 'side' }]);
    assert.equal(task.known, 'PENDING');
    assert.equal(task.network?.busy, 'setup');
    assert.deepEqual(plan(task, 2).actions, [], 'setup under way is not asked for again');
  });

  it('containers pulled before the namespace is READY wait for it to be created', () => {
    const d = new Driver(newTask(awsvpcTask()));
    assert.deepEqual(d.on({ type: 'pulled', container: 'app' }, { type: 'pulled', container: 'side' }), []);
    assert.deepEqual(d.t.containers.map((c) => c.known), ['PULLED', 'PULLED']);
    assert.equal(d.t.pullStoppedAt, 3, 'pulling is over even though nothing is created yet');
    assert.deepEqual(d.on(ready()), [{ kind: 'create', container: 'app' }, { kind: 'create', container: 'side' }]);
    const { known, pauseId, firewall, busy } = d.t.network!;
    assert.deepEqual({ known, pauseId, firewall, busy }, { known: 'READY', pauseId: 'pause-1', firewall: JSON.stringify(FIREWALL), busy: undefined });
    assert.equal(d.count('setupNetwork'), 1);
  });

  it('the namespace ready before the pulls end: each container is created as its image arrives', () => {
    const d = new Driver(newTask(awsvpcTask()));
    assert.deepEqual(d.on(ready()), []);
    assert.deepEqual(d.on({ type: 'pulled', container: 'side' }), [{ kind: 'create', container: 'side' }]);
  });

  it('runs to RUNNING with the firewall it was set up with, and loads nothing more', () => {
    const d = runningTask();
    assert.equal(d.count('setupNetwork'), 1);
    assert.equal(d.count('applyFirewall'), 0);
    assert.deepEqual(plan(d.t, 99).actions, []);
  });

  it('a failed setup stops the task as ResourceInitializationError, TaskFailedToStart, once the pulls are back', () => {
    const d = new Driver(newTask(awsvpcTask()));
    d.on({ type: 'networkFailed', message: 'no bridge for you' });
    assert.equal(d.t.known, 'PENDING', 'the pulls are still under way');
    assert.equal(d.t.stopping?.stopCode, 'TaskFailedToStart');
    d.on({ type: 'pulled', container: 'app' }, { type: 'pulled', container: 'side' });
    assert.equal(d.t.known, 'STOPPED');
    const report = toStateChange(d.t)!;
    assert.equal(report.lastStatus, 'STOPPED');
    assert.equal(report.stopCode, 'TaskFailedToStart');
    assert.equal(report.stoppedReason, 'ResourceInitializationError: no bridge for you');
    assert.equal(d.count('create'), 0, 'no container is created outside its namespace');
    assert.equal(d.count('releaseNetwork'), 0, 'no pause container was made: nothing to release');
  });

  it('a failed setup that left a pause container releases it before the task is STOPPED', () => {
    const d = new Driver(newTask(awsvpcTask()));
    d.on({ type: 'pulled', container: 'app' }, { type: 'pulled', container: 'side' });
    const planned = d.on({ type: 'networkFailed', pauseId: 'pause-9', message: 'attach failed' });
    assert.deepEqual(planned, [{ kind: 'releaseNetwork' }]);
    assert.equal(d.t.network?.pauseId, 'pause-9');
    assert.equal(d.t.known, 'PENDING', 'not STOPPED while its pause container holds the address');
    d.on({ type: 'networkReleased' });
    assert.equal(d.t.known, 'STOPPED');
    assert.equal(toStateChange(d.t)!.stoppedReason, 'ResourceInitializationError: attach failed');
    assert.equal(d.count('releaseNetwork'), 1);
    assert.equal(d.count('create'), 0);
  });

  it('a desired task with a changed firewall plans applyFirewall once; the same firewall again plans nothing', () => {
    const d = runningTask();
    const opened: TaskFirewall = { ...FIREWALL, ingress: [...FIREWALL.ingress, { protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['10.0.2.4/32'] }] };
    const changed = { ...awsvpcTask(), networkInterface: { ...IFACE, firewall: opened } };
    assert.deepEqual(d.on({ type: 'desired', desired: changed }), [{ kind: 'applyFirewall' }]);
    assert.equal(desiredFirewall(d.t), JSON.stringify(opened));
    assert.deepEqual(d.on({ type: 'desired', desired: changed }), [], 'already being loaded');
    assert.deepEqual(d.on({ type: 'firewallApplied', firewall: JSON.stringify(opened) }), []);
    assert.equal(d.t.network?.firewall, JSON.stringify(opened));
    assert.deepEqual(d.on({ type: 'desired', desired: changed }), [], 'loaded: nothing to do');
    assert.equal(d.count('applyFirewall'), 1);
    assert.equal(d.t.known, 'RUNNING');
  });

  it('a load that failed is tried again', () => {
    const d = runningTask();
    const changed = { ...awsvpcTask(), networkInterface: { ...IFACE, firewall: { ingress: [], egress: [] } } };
    d.on({ type: 'desired', desired: changed });
    assert.deepEqual(d.on({ type: 'networkRetry' }), [{ kind: 'applyFirewall' }]);
    assert.equal(d.count('applyFirewall'), 2);
  });

  it('a desired task changes the firewall only: the interface and spec stay as launched', () => {
    const d = runningTask();
    const moved = { ...IFACE, privateIpAddress: '10.9.9.9', firewall: { ingress: [], egress: [] } };
    d.on({ type: 'desired', desired: { ...awsvpcTask([{ name: 'other', image: 'z' }]), networkInterface: moved } });
    assert.equal(d.t.desired.networkInterface?.privateIpAddress, '10.0.1.4');
    assert.deepEqual(d.t.desired.networkInterface?.firewall, { ingress: [], egress: [] });
    assert.deepEqual(d.t.desired.spec.containers.map((c) => c.name), ['app', 'side']);
  });

  it('stopping: the namespace is released only once every container has stopped, and the task is STOPPED only after', () => {
    const d = runningTask();
    const stop = d.on({ type: 'desired', desired: { ...awsvpcTask(), desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'bye' } });
    assert.deepEqual(stop, [{ kind: 'stop', container: 'app' }, { kind: 'stop', container: 'side' }]);
    assert.deepEqual(d.on({ type: 'observed', container: 'app', info: exited('r-app'), ends: 'stop' }), [], 'side still runs in the namespace');
    assert.deepEqual(d.on({ type: 'observed', container: 'side', info: exited('r-side'), ends: 'stop' }), [{ kind: 'releaseNetwork' }]);
    assert.equal(d.t.known, 'RUNNING', 'not STOPPED while the namespace holds the address');
    assert.equal(toStateChange(d.t)!.lastStatus, 'RUNNING');
    assert.deepEqual(plan(d.t, 50).actions, [], 'release under way is not asked for again');
    d.on({ type: 'networkReleased' });
    assert.equal(d.t.known, 'STOPPED');
    assert.equal(d.t.network?.known, 'RELEASED');
    const report = toStateChange(d.t)!;
    assert.deepEqual([report.lastStatus, report.stopCode, report.stoppedReason], ['STOPPED', 'UserInitiated', 'bye']);
    assert.equal(report.stoppedAt, d.t.stoppedAt);
    assert.equal(d.count('releaseNetwork'), 1);
    assert.deepEqual(plan(d.t, 60).actions, []);
  });

  it('an essential container exiting stops the others, then releases the namespace', () => {
    const d = runningTask();
    const planned = d.on({ type: 'exited', container: 'app', exitCode: 3 });
    assert.deepEqual(planned, [{ kind: 'stop', container: 'side' }]);
    assert.deepEqual(d.on({ type: 'observed', container: 'side', info: exited('r-side'), ends: 'stop' }), [{ kind: 'releaseNetwork' }]);
    d.on({ type: 'networkReleased' });
    assert.equal(toStateChange(d.t)!.stopCode, 'EssentialContainerExited');
    assert.equal(d.t.known, 'STOPPED');
  });

  it('a stop while the namespace is being set up waits for the setup, then releases what it made', () => {
    const d = new Driver(newTask(awsvpcTask()));
    d.on({ type: 'pulled', container: 'app' }, { type: 'pulled', container: 'side' });
    d.on({ type: 'desired', desired: { ...awsvpcTask(), desiredStatus: 'STOPPED' } });
    assert.equal(d.t.known, 'PENDING', 'setup under way');
    assert.deepEqual(d.on(ready()), [{ kind: 'releaseNetwork' }]);
    d.on({ type: 'networkReleased' });
    assert.equal(d.t.known, 'STOPPED');
    assert.equal(d.count('create'), 0);
  });

  it('after a restart, a namespace found gone stops the task; nothing is released twice', () => {
    const d = runningTask();
    const restored = decodeTask(JSON.parse(JSON.stringify(encodeTask(d.t))));
    const after = new Driver(restored, 100);
    assert.deepEqual(after.actions, [], 'a READY namespace is not set up again');
    const planned = after.on({ type: 'networkLost' });
    assert.deepEqual(planned, [{ kind: 'stop', container: 'app' }, { kind: 'stop', container: 'side' }]);
    assert.match(after.t.stopping?.stoppedReason ?? '', /^ResourceInitializationError: /);
    after.on({ type: 'observed', container: 'app', info: exited('r-app'), ends: 'stop' }, { type: 'observed', container: 'side', info: exited('r-side'), ends: 'stop' });
    assert.equal(after.t.known, 'STOPPED');
    assert.equal(after.count('releaseNetwork'), 0, 'the namespace is already gone');
    assert.match(toStateChange(after.t)!.stoppedReason ?? '', /network namespace is gone/);
  });

  it('a namespace that was never READY is not "lost"', () => {
    const d = new Driver(newTask(awsvpcTask()));
    d.on({ type: 'networkLost' });
    assert.equal(d.t.stopping, undefined);
    assert.equal(d.t.network?.known, 'NONE');
  });
});

describe('checkpoint of an awsvpc task', () => {
  it('keeps the namespace: READY, its pause container and the firewall loaded; in-flight work is not stored', () => {
    const d = runningTask();
    const changed = { ...awsvpcTask(), networkInterface: { ...IFACE, firewall: { ingress: [], egress: [] } } };
    d.on({ type: 'desired', desired: changed });
    assert.equal(d.t.network?.busy, 'firewall');
    const stored = JSON.parse(JSON.stringify(encodeTask(d.t)));
    assert.deepEqual(stored.network, { known: 'READY', pauseId: 'pause-1', firewall: JSON.stringify(FIREWALL) });
    const back = decodeTask(stored);
    assert.deepEqual(back.network, { known: 'READY', pauseId: 'pause-1', firewall: JSON.stringify(FIREWALL) });
    assert.deepEqual(back.desired.networkInterface, changed.networkInterface);
    assert.deepEqual(plan(back, 200).actions, [{ kind: 'applyFirewall' }], 'the load that was under way is planned again');
  });

  it('a namespace being set up is set up again after a restart (its pause container is found by label)', () => {
    const { task } = plan(newTask(awsvpcTask()), 1);
    const back = decodeTask(JSON.parse(JSON.stringify(encodeTask(task))));
    assert.deepEqual(back.network, { known: 'NONE' });
    assert.deepEqual(plan(back, 2).actions[0], { kind: 'setupNetwork' });
  });

  it('a released namespace stays released; a stored task without network state starts from NONE', () => {
    const d = runningTask();
    d.on({ type: 'desired', desired: { ...awsvpcTask(), desiredStatus: 'STOPPED' } });
    d.on({ type: 'observed', container: 'app', info: exited('r-app'), ends: 'stop' }, { type: 'observed', container: 'side', info: exited('r-side'), ends: 'stop' });
    d.on({ type: 'networkReleased' });
    const back = decodeTask(JSON.parse(JSON.stringify(encodeTask(d.t))));
    assert.equal(back.network?.known, 'RELEASED');
    assert.equal(back.known, 'STOPPED');
    const { network: _dropped, ...older } = encodeTask(runningTask().t);
    assert.deepEqual(decodeTask(older).network, { known: 'NONE' });
    assert.equal(decodeTask(encodeTask(newTask(desiredTask('plain', DEFS)))).network, undefined, 'a bridge task has none');
  });
});
