/**
 * Property tests for the REPLICA rolling update, through the simulator: for random desired
 * counts, minimumHealthyPercent / maximumPercent and random schedules of world events (task
 * crashes, deployments of good revisions, scale changes, waits), at every step
 *
 *   - live tasks ≤ floor(desired × maximumPercent / 100), once that holds with the desired
 *     count unchanged (a scale-in is allowed the steps it takes to stop the extra tasks);
 *   - healthy tasks ≥ ceil(desired × minimumHealthyPercent / 100) once reached, except right
 *     after a crash the test injected or a scale-up;
 *   - reconciling twice changes nothing the second time (the simulator checks it);
 *
 * and in the end the service converges: one deployment, COMPLETED, exactly desiredCount
 * healthy tasks of its task definition, nothing else live.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ServiceSim } from './simulator.testing.ts';

const maxLive = (desired: number, max: number) => Math.floor((desired * max) / 100);
const minHealthy = (desired: number, min: number) => Math.ceil((desired * min) / 100);
/** Whether a rollout can make a step at all (ECS rounds max down and min up). */
const canProgress = (desired: number, min: number, max: number) => maxLive(desired, max) > desired || minHealthy(desired, min) < desired;

const configArb = fc.record({
  desired: fc.integer({ min: 1, max: 12 }),
  min: fc.integer({ min: 0, max: 100 }),
  max: fc.integer({ min: 100, max: 200 }),
  healthCheck: fc.boolean(),
  grace: fc.constantFrom(0, 0, 30),
}).filter((c) => c.max > c.min);

type WorldEvent =
  | { kind: 'crash'; pick: number }
  | { kind: 'deploy' }
  | { kind: 'scale'; desired: number }
  | { kind: 'wait' };

const eventArb: fc.Arbitrary<WorldEvent> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('crash' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('deploy' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('scale' as const), desired: fc.integer({ min: 0, max: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const) }) },
);
/** Each event, then 0..6 steps before the next. */
const scheduleArb = fc.array(fc.tuple(eventArb, fc.integer({ min: 0, max: 6 })), { maxLength: 14 });

interface Watch {
  /** The max bound is checked (desired unchanged since it last held). */
  maxWindow: boolean;
  /** The min bound was reached since the last crash or scale-up. */
  minReached: boolean;
}

/** Checks the bounds on the current state, opening the windows when they start to hold. */
function check(sim: ServiceSim, watch: Watch, where: string): void {
  const { desiredCount: d, deploymentConfiguration: c } = sim.service;
  const live = sim.live().length;
  const healthy = sim.healthy().length;
  if (watch.maxWindow) assert.ok(live <= maxLive(d, c.maximumPercent), `${where}: ${live} live > max ${maxLive(d, c.maximumPercent)}: ${sim.describe()}`);
  else if (live <= maxLive(d, c.maximumPercent)) watch.maxWindow = true;
  if (watch.minReached) assert.ok(healthy >= minHealthy(d, c.minimumHealthyPercent), `${where}: ${healthy} healthy < min ${minHealthy(d, c.minimumHealthyPercent)}: ${sim.describe()}`);
  else if (healthy >= minHealthy(d, c.minimumHealthyPercent)) watch.minReached = true;
}

type Config = typeof configArb extends fc.Arbitrary<infer T> ? T : never;

function scenario(config: Config, schedule: [WorldEvent, number][]): void {
  const sim = new ServiceSim({
    desiredCount: config.desired, minimumHealthyPercent: config.min, maximumPercent: config.max,
    healthCheckGracePeriodSeconds: config.grace, instances: 3,
  });
  let revision = 1;
  sim.deploy(sim.revision(revision, { healthCheck: config.healthCheck }));
  sim.runUntilSteady();
  const watch: Watch = { maxWindow: true, minReached: true };
  check(sim, watch, 'steady start');
  sim.onApplied = () => check(sim, watch, 'after a plan');
  const stepChecked = () => {
    sim.step();
    check(sim, watch, 'after the world moved');
  };

  for (const [event, steps] of schedule) {
    switch (event.kind) {
      case 'crash': {
        const running = sim.active().filter((t) => t.lastStatus === 'RUNNING');
        if (running.length === 0) break;
        sim.crash(running[event.pick % running.length].id);
        watch.minReached = false;
        break;
      }
      case 'deploy':
        sim.deploy(sim.revision(++revision, { healthCheck: config.healthCheck }));
        break;
      case 'scale':
        if (event.desired === sim.service.desiredCount) break;
        if (event.desired > sim.service.desiredCount) watch.minReached = false;
        watch.maxWindow = false;
        sim.setDesiredCount(event.desired);
        break;
      case 'wait':
        break;
    }
    check(sim, watch, `after ${event.kind}`);
    for (let i = 0; i < steps; i++) stepChecked();
  }

  // In the end the rollout converges (when its shape lets it move at all).
  const { desiredCount: d } = sim.service;
  if (!canProgress(d, config.min, config.max) && sim.service.deployments.length > 1) return;
  for (let i = 0; i < 300 && (i === 0 || !sim.isSteady()); i++) stepChecked(); // at least one step: the record may not know of the last event yet
  assert.ok(sim.isSteady(), `not steady: ${sim.describe()}`);
  const primary = sim.primary();
  assert.equal(sim.service.deployments.length, 1);
  assert.equal(primary.rolloutState, 'COMPLETED');
  assert.equal(primary.taskDefinition, sim.service.taskDefinition);
  assert.equal(sim.active().length, d);
  assert.equal(sim.healthy().length, d);
  assert.equal(sim.live().length, d);
  assert.ok(sim.live().every((t) => t.deploymentId === primary.id));
}

describe('rolling update properties (REPLICA)', () => {
  test('bounds hold at every step and the service converges, for random shapes and schedules', () => {
    fc.assert(fc.property(configArb, scheduleArb, (config, schedule) => scenario(config, schedule)), { numRuns: 300 });
  });

  test('the examples the properties are built on', () => {
    // Deploy during a scale-in, crash during a rollout, and a stuck shape (1 task, 50/150) that a scale-up frees.
    scenario({ desired: 10, min: 50, max: 200, healthCheck: true, grace: 0 }, [[{ kind: 'scale', desired: 2 }, 0], [{ kind: 'deploy' }, 3]]);
    scenario({ desired: 4, min: 100, max: 150, healthCheck: false, grace: 0 }, [[{ kind: 'deploy' }, 2], [{ kind: 'crash', pick: 0 }, 1], [{ kind: 'deploy' }, 1]]);
    scenario({ desired: 1, min: 50, max: 150, healthCheck: true, grace: 0 }, [[{ kind: 'deploy' }, 3], [{ kind: 'scale', desired: 4 }, 0]]);
  });
});
