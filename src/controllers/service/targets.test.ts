/**
 * Services behind load balancers, the pure parts: the registration set as a function of the
 * tasks and the task-targets records (`planTargets`), drains on a virtual clock, a task's target
 * health, the targets of a task per network mode (`targetsOfTask`), and the reconciler waiting
 * for target health in a rolling deployment and replacing a task failing ELB health checks after
 * the grace period (driven through the simulator).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { targetsOfTask, type ServiceTarget, type TaskTargetsRecord } from '../../ecs/index.ts';
import type { TaskStatus } from '../../common/index.ts';
import { messages, stopReasons } from './messages.ts';
import { ServiceSim } from './simulator.testing.ts';
import { planTargets, taskTargetHealth, type TargetTask, type TargetsPlan } from './targets.ts';

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef';
const target = (port: number): ServiceTarget => ({ targetGroupArn: TG, id: 'i-0123456789abcdef0', port });
const task = (id: string, lastStatus: TaskStatus, desiredStatus: 'RUNNING' | 'STOPPED', port = 32768): TargetTask =>
  ({ id, arn: `arn:aws:ecs:us-east-1:123456789012:task/c/${id}`, lastStatus, desiredStatus, wanted: [target(port)] });
const record = (t: TargetTask, registeredAt = 0, drainingUntil?: number): TaskTargetsRecord =>
  ({ taskArn: t.arn, taskId: t.id, serviceName: 'web', targets: t.wanted!, registeredAt, ...(drainingUntil !== undefined && { drainingUntil }) });

/** The world after a plan, as the shell leaves it (deregistration drains for `delayMs`). */
function applyPlan(tasks: TargetTask[], records: TaskTargetsRecord[], plan: TargetsPlan, now: number, delayMs: number): { tasks: TargetTask[]; records: TaskTargetsRecord[] } {
  let next = records.filter((r) => !plan.forget.includes(r));
  for (const { record: r, hold } of plan.deregister) {
    next = next.filter((x) => x !== r);
    if (hold && delayMs > 0) next.push({ ...r, drainingUntil: now + delayMs });
    else if (hold) plan.finish.push(r.taskId);
  }
  for (const { task: t, targets } of plan.register) next.push({ taskArn: t.arn, taskId: t.id, serviceName: 'web', targets, registeredAt: now });
  const moved = tasks.map((t) => (plan.finish.includes(t.id) && t.lastStatus === 'DEACTIVATING' ? { ...t, lastStatus: 'STOPPING' as const } : t));
  return { tasks: moved, records: next };
}

describe('planTargets: the registration set from tasks and records', () => {
  test('registers RUNNING tasks once, not pending ones nor those whose host port is not known yet', () => {
    const running = task('a', 'RUNNING', 'RUNNING');
    const pending = task('b', 'PENDING', 'RUNNING');
    const unbound = { ...task('c', 'RUNNING', 'RUNNING'), wanted: undefined };
    const plan = planTargets({ tasks: [running, pending, unbound], records: [], now: 0 });
    assert.deepEqual(plan.register, [{ task: running, targets: running.wanted }]);
    assert.deepEqual(planTargets({ tasks: [running], records: [record(running)], now: 0 }).register, []);
  });

  test('a task asked to stop is deregistered and held DEACTIVATING until the delay has passed, then STOPPING', () => {
    let tasks = [task('a', 'DEACTIVATING', 'STOPPED')];
    let records = [record(tasks[0]!)];
    const delay = 2_000;
    let now = 10_000;
    const first = planTargets({ tasks, records, now });
    assert.deepEqual(first.deregister.map((d) => d.hold), [true]);
    assert.deepEqual(first.finish, []);
    ({ tasks, records } = applyPlan(tasks, records, first, now, delay));
    for (const at of [now, now + 1_000, now + 1_999]) {
      const plan = planTargets({ tasks, records, now: at });
      assert.deepEqual([plan.register, plan.deregister, plan.finish], [[], [], []], `nothing before the delay ends (${at - now} ms)`);
      assert.equal(plan.wakeAt, now + delay);
    }
    now += delay;
    const last = planTargets({ tasks, records, now });
    assert.deepEqual(last.finish, ['a']);
    ({ tasks, records } = applyPlan(tasks, records, last, now, delay));
    assert.equal(tasks[0]!.lastStatus, 'STOPPING');
    assert.deepEqual(records, []);
  });

  test('a DEACTIVATING task never registered stops at once; a task gone or STOPPED is deregistered and forgotten', () => {
    const never = task('a', 'DEACTIVATING', 'STOPPED');
    assert.deepEqual(planTargets({ tasks: [never], records: [], now: 0 }).finish, ['a']);
    const stopped = task('b', 'STOPPED', 'STOPPED');
    const plan = planTargets({ tasks: [stopped], records: [record(stopped), record(task('gone', 'RUNNING', 'RUNNING', 1))], now: 0 });
    assert.deepEqual(plan.deregister.map((d) => [d.record.taskId, d.hold]), [['b', false], ['gone', false]]);
    const drained = planTargets({ tasks: [stopped], records: [record(stopped, 0, 5)], now: 0 });
    assert.deepEqual(drained.forget.map((r) => r.taskId), ['b']);
  });

  test('property: one pass converges (a second pass at the same time does nothing) and a crash between passes loses nothing', () => {
    const status = fc.constantFrom<TaskStatus>('PENDING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'STOPPED');
    const arbTask = fc.record({ n: fc.nat(20), lastStatus: status, stop: fc.boolean(), bound: fc.boolean() });
    const arbRecord = fc.record({ n: fc.nat(25), draining: fc.option(fc.nat(10_000), { nil: undefined }) });
    fc.assert(fc.property(fc.array(arbTask, { maxLength: 10 }), fc.array(arbRecord, { maxLength: 10 }), fc.nat(10_000), (ts, rs, now) => {
      const byId = new Map<string, TargetTask>();
      for (const t of ts) {
        const desired = t.lastStatus === 'DEACTIVATING' || t.lastStatus === 'STOPPING' || t.lastStatus === 'STOPPED' || t.stop ? 'STOPPED' : 'RUNNING';
        byId.set(`t${t.n}`, { ...task(`t${t.n}`, t.lastStatus, desired, 30000 + t.n), ...(!t.bound && { wanted: undefined }) });
      }
      const tasks = [...byId.values()];
      const seen = new Set<string>();
      const records = rs.filter((r) => !seen.has(`t${r.n}`) && seen.add(`t${r.n}`))
        .map((r) => ({ ...record(task(`t${r.n}`, 'RUNNING', 'RUNNING', 30000 + r.n)), ...(r.draining !== undefined && { drainingUntil: r.draining }) }));
      const first = planTargets({ tasks, records, now });
      const after = applyPlan(tasks, records, first, now, 0);
      const second = planTargets({ tasks: after.tasks, records: after.records, now });
      assert.deepEqual([second.register, second.deregister, second.forget, second.finish], [[], [], [], []]);
      // Every running task that can be registered is; no record is left for a task gone or STOPPED.
      for (const t of after.tasks) {
        if (t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING' && t.wanted) assert.ok(after.records.some((r) => r.taskId === t.id));
      }
      for (const r of after.records) {
        const t = after.tasks.find((x) => x.id === r.taskId);
        assert.ok(t && t.lastStatus !== 'STOPPED', `record of ${r.taskId} kept`);
      }
    }), { numRuns: 300 });
  });
});

describe('taskTargetHealth', () => {
  test('healthy only when every target is; unhealthy names the first failing target', () => {
    const two = [target(1), { ...target(2), targetGroupArn: `${TG}x` }];
    assert.equal(taskTargetHealth(two, [{ state: 'healthy' }, { state: 'initial' }]).state, 'initial');
    assert.equal(taskTargetHealth(two, [{ state: 'healthy' }, { state: 'healthy' }]).state, 'healthy');
    assert.deepEqual(taskTargetHealth(two, [{ state: 'healthy' }, { state: 'unhealthy', description: 'Request timed out' }]),
      { state: 'unhealthy', unhealthy: { ...two[1]!, description: 'Request timed out' } });
    assert.equal(taskTargetHealth([], []).state, 'initial');
  });
});

describe('targetsOfTask', () => {
  const lbs = [{ targetGroupArn: TG, containerName: 'app', containerPort: 80 }];
  const container = { containerArn: 'c', name: 'app', image: 'x', lastStatus: 'RUNNING' as const, essential: true,
    networkBindings: [{ containerPort: 80, hostPort: 32771, protocol: 'tcp' as const }] };
  const spec = (networkMode: 'bridge' | 'host' | 'awsvpc') => ({ networkMode }) as never;
  test('bridge: the instance and the host port the agent bound', () => {
    assert.deepEqual(targetsOfTask({ spec: spec('bridge'), containers: [container] }, { ec2InstanceId: 'i-1' }, lbs), [{ targetGroupArn: TG, id: 'i-1', port: 32771 }]);
    assert.equal(targetsOfTask({ spec: spec('bridge'), containers: [{ ...container, networkBindings: [] }] }, { ec2InstanceId: 'i-1' }, lbs), undefined);
  });
  test('host: the instance and the container port', () => {
    assert.deepEqual(targetsOfTask({ spec: spec('host'), containers: [] }, { ec2InstanceId: 'i-1' }, lbs), [{ targetGroupArn: TG, id: 'i-1', port: 80 }]);
  });
  test('awsvpc: the interface address and the container port', () => {
    const eni = { privateIPv4Address: '10.0.1.7' } as never;
    assert.deepEqual(targetsOfTask({ spec: spec('awsvpc'), containers: [], eni }, undefined, lbs), [{ targetGroupArn: TG, id: '10.0.1.7', port: 80 }]);
    assert.equal(targetsOfTask({ spec: spec('awsvpc'), containers: [] }, undefined, lbs), undefined);
  });
});

describe('reconcileService with load balancers', () => {
  /** A steady service of `n` whose tasks are behind a load balancer, all healthy in it. */
  function behindLoadBalancer(n: number, options: { grace?: number; min?: number; max?: number } = {}): ServiceSim {
    const sim = new ServiceSim({ desiredCount: n, minimumHealthyPercent: options.min ?? 100, maximumPercent: options.max ?? 200 });
    sim.service.healthCheckGracePeriodSeconds = options.grace ?? 0;
    sim.deploy(sim.revision(1, { healthCheck: false }));
    for (let i = 0; i < 20 && sim.active().filter((t) => t.lastStatus === 'RUNNING').length < n; i++) sim.step();
    for (const t of sim.tasks) Object.assign(t, { loadBalanced: true, targetHealth: { state: 'healthy' } });
    sim.runUntilSteady();
    return sim;
  }
  const balance = (sim: ServiceSim, state: 'initial' | 'healthy') => {
    for (const t of sim.tasks) if (!t.loadBalanced) Object.assign(t, { loadBalanced: true, targetHealth: { state } });
  };

  test('a rolling deployment stops no old task before new ones are healthy in their target groups', () => {
    const sim = behindLoadBalancer(3);
    const old = sim.active().map((t) => t.id);
    sim.deploy(sim.revision(2, { healthCheck: false }));
    for (let i = 0; i < 10; i++) {
      sim.step();
      balance(sim, 'initial');
      assert.deepEqual(old.filter((id) => sim.task(id).desiredStatus === 'STOPPED'), [], `step ${i}: no old task stopped while targets are initial`);
    }
    assert.ok(sim.live().length <= 6);
    for (const t of sim.tasks) if (!old.includes(t.id)) t.targetHealth = { state: 'healthy' };
    sim.runUntilSteady();
    assert.equal(sim.primary().rolloutState, 'COMPLETED');
    assert.ok(old.every((id) => sim.task(id).desiredStatus === 'STOPPED'));
  });

  test('a task unhealthy in its target group is replaced once the grace period from its start has passed', () => {
    const sim = behindLoadBalancer(2, { grace: 30 });
    const [victim] = sim.active();
    const startedAt = victim!.startedAt!;
    sim.now = startedAt + 10_000;
    victim!.targetHealth = { state: 'unhealthy', unhealthy: { targetGroupArn: TG, id: 'i-0000000000000001', port: 32768, description: 'Request timed out' } };
    const early = sim.reconcile();
    assert.deepEqual(early.stop, []);
    assert.equal(early.wakeAt, startedAt + 30_000);
    sim.now = startedAt + 30_000;
    const plan = sim.reconcile();
    assert.deepEqual(plan.stop, [{ taskArn: victim!.arn, stopCode: 'ServiceSchedulerInitiated', reason: stopReasons.elbHealthCheck(TG) }]);
    assert.ok(plan.service.events.some((e) => e.message === messages.unhealthyTarget('web', '(instance i-0000000000000001)', 32768, TG, 'Request timed out')));
  });
});
