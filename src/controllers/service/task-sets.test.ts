/**
 * The reconciler for services running task sets (EXTERNAL, CODE_DEPLOY), on the virtual-clock
 * simulator: each task set keeps ceil(desiredCount × scale / 100) tasks whatever the others do,
 * reports STEADY_STATE or STABILIZING, drains to nothing and goes when deleted; tasks of no task
 * set are stopped; a deleted service ends INACTIVE. Random operation sequences check that every
 * task set settles on its computed count and that reconciling twice does nothing the second time.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { computedDesiredCount } from '../../ecs/index.ts';
import { messages } from './messages.ts';
import { ServiceSim } from './simulator.testing.ts';

/** Active tasks of the task set `id`. */
const of = (sim: ServiceSim, id: string) => sim.active().filter((t) => t.deploymentId === id);

describe('reconcileService: task sets', () => {
  test('an EXTERNAL service with no task set runs nothing and is steady', () => {
    const sim = new ServiceSim({ deploymentController: 'EXTERNAL', desiredCount: 4 });
    sim.runUntilSteady();
    assert.equal(sim.live().length, 0);
  });

  test('a task set keeps its computed count; scaling it to 50 % stops half; its stability follows', () => {
    const sim = new ServiceSim({ deploymentController: 'EXTERNAL', desiredCount: 4 });
    const a = sim.addTaskSet(sim.revision(1));
    assert.equal(a.stabilityStatus, 'STABILIZING');
    sim.runUntilSteady();
    assert.equal(of(sim, a.id).length, 4);
    assert.equal(sim.healthy().length, 4);
    const steadyAt = sim.taskSet(a.id)!.stabilityStatusAt;
    assert.equal(sim.taskSet(a.id)!.stabilityStatus, 'STEADY_STATE');
    assert.equal(sim.messages().filter((m) => m === messages.steadyState(sim.service.name)).length, 1);

    sim.setScale(a.id, 50);
    const plan = sim.step();
    assert.equal(plan.stop.length, 2);
    assert.equal(plan.service.taskSets![0].stabilityStatus, 'STABILIZING');
    sim.runUntilSteady();
    assert.equal(of(sim, a.id).length, 2);
    assert.equal(sim.taskSet(a.id)!.stabilityStatus, 'STEADY_STATE');
    assert.ok(sim.taskSet(a.id)!.stabilityStatusAt > steadyAt);
  });

  test('two task sets run side by side with no rollout between them; the deleted one drains and goes', () => {
    const sim = new ServiceSim({ deploymentController: 'EXTERNAL', desiredCount: 3, maximumPercent: 100 });
    const blue = sim.addTaskSet(sim.revision(1));
    sim.makePrimary(blue.id);
    sim.runUntilSteady();
    const green = sim.addTaskSet(sim.revision(2), 100);
    // maximumPercent is no bound between task sets: green starts all 3 at once beside blue's 3.
    const plan = sim.step();
    assert.deepEqual(plan.start, [{ deploymentId: green.id, count: 3 }]);
    sim.runUntilSteady();
    assert.equal(of(sim, blue.id).length, 3);
    assert.equal(of(sim, green.id).length, 3);

    sim.makePrimary(green.id);
    assert.equal(sim.service.taskSets![0].id, green.id);
    assert.equal(sim.taskSet(blue.id)!.status, 'ACTIVE');
    assert.equal(sim.service.taskDefinition, sim.revision(2));
    sim.deleteTaskSet(blue.id);
    sim.runUntilSteady();
    assert.equal(sim.taskSet(blue.id), undefined, 'a drained task set is gone');
    assert.equal(of(sim, blue.id).length, 0);
    assert.equal(sim.live().length, 3);
    assert.equal(sim.service.taskSets!.length, 1);
  });

  test("desiredCount changes every task set's computed count (rounded up)", () => {
    const sim = new ServiceSim({ deploymentController: 'EXTERNAL', desiredCount: 4 });
    const a = sim.addTaskSet(sim.revision(1), 50);
    const b = sim.addTaskSet(sim.revision(2), 10);
    sim.runUntilSteady();
    assert.deepEqual([of(sim, a.id).length, of(sim, b.id).length], [2, 1]);
    sim.setDesiredCount(3);
    sim.runUntilSteady();
    assert.deepEqual([of(sim, a.id).length, of(sim, b.id).length], [2, 1]);
    sim.setDesiredCount(11);
    sim.runUntilSteady();
    assert.deepEqual([of(sim, a.id).length, of(sim, b.id).length], [6, 2]);
    sim.setDesiredCount(0);
    sim.runUntilSteady();
    assert.equal(sim.live().length, 0);
  });

  test('a task that fails its health check or exits is replaced within its task set', () => {
    const sim = new ServiceSim({ deploymentController: 'EXTERNAL', desiredCount: 2 });
    const a = sim.addTaskSet(sim.revision(1));
    sim.runUntilSteady();
    const [first, second] = of(sim, a.id);
    sim.setHealth(first.id, 'UNHEALTHY');
    sim.crash(second.id);
    sim.runUntilSteady();
    assert.equal(of(sim, a.id).length, 2);
    assert.ok(!of(sim, a.id).some((t) => t.id === first.id || t.id === second.id));
  });

  test("tasks on a draining instance are replaced before they stop, within their task set", () => {
    const sim = new ServiceSim({ deploymentController: 'EXTERNAL', desiredCount: 3, instances: 4 });
    const a = sim.addTaskSet(sim.revision(1));
    sim.runUntilSteady();
    const onI1 = of(sim, a.id).filter((t) => t.instanceId === 'i1');
    assert.ok(onI1.length > 0);
    sim.instance('i1').status = 'DRAINING';
    sim.onApplied = () => assert.ok(sim.healthy().length >= 3 || sim.live().some((t) => t.instanceId === 'i1'), 'a draining task stopped before its replacement ran');
    sim.runUntilSteady();
    assert.equal(sim.active().filter((t) => t.instanceId === 'i1').length, 0);
    assert.equal(of(sim, a.id).length, 3);
  });

  test('a deleted service (its task sets DRAINING) stops every task and ends INACTIVE', () => {
    const sim = new ServiceSim({ deploymentController: 'CODE_DEPLOY', desiredCount: 2 });
    const a = sim.addTaskSet(sim.revision(1), 100, true);
    sim.runUntilSteady();
    sim.service = { ...sim.service, status: 'DRAINING', desiredCount: 0, taskSets: sim.service.taskSets!.map((t) => ({ ...t, status: 'DRAINING' })) };
    sim.run(5);
    assert.equal(sim.service.status, 'INACTIVE');
    assert.equal(sim.live().length, 0);
    assert.equal(sim.taskSet(a.id), undefined);
  });

  test('random scale, primary, delete and desiredCount changes settle every task set on its computed count', () => {
    type Op = { kind: 'add' | 'scale' | 'primary' | 'delete' | 'desired'; n: number; pick: number };
    const op = fc.record({ kind: fc.constantFrom('add', 'scale', 'primary', 'delete', 'desired'), n: fc.integer({ min: 0, max: 100 }), pick: fc.nat() }) as fc.Arbitrary<Op>;
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 6 }), (ops, desired) => {
      const sim = new ServiceSim({ deploymentController: 'EXTERNAL', desiredCount: desired, instances: 4 });
      sim.revision(1);
      sim.revision(2);
      for (const o of ops) {
        const live = (sim.service.taskSets ?? []).filter((t) => t.status !== 'DRAINING');
        const target = live[o.pick % Math.max(live.length, 1)];
        if (o.kind === 'add' && (sim.service.taskSets ?? []).length < 5) sim.addTaskSet(sim.revision(1 + (o.pick % 2)), o.n);
        else if (o.kind === 'scale' && target) sim.setScale(target.id, o.n);
        else if (o.kind === 'primary' && target) sim.makePrimary(target.id);
        else if (o.kind === 'delete' && target) sim.deleteTaskSet(target.id);
        else if (o.kind === 'desired') sim.setDesiredCount(o.n % 7);
        sim.run(1 + (o.pick % 3));
      }
      sim.runUntilSteady(100);
      for (const ts of sim.service.taskSets ?? []) {
        assert.notEqual(ts.status, 'DRAINING', 'a deleted task set outlives its tasks');
        assert.equal(of(sim, ts.id).length, computedDesiredCount(sim.service, ts));
        assert.equal(ts.stabilityStatus, 'STEADY_STATE');
      }
      const ids = new Set((sim.service.taskSets ?? []).map((t) => t.id));
      assert.ok(sim.live().every((t) => ids.has(t.deploymentId)), 'a task of no task set lives on');
    }), { numRuns: 60, seed: 7 });
  });
});
