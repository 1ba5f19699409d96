import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  autoscalingKeys, createGroup, deleteGroup, describeActivities, getGroup, LAUNCH_RETRY_MS, setDesiredCapacity, setInstanceProtection, terminateInstanceInGroup,
  type AutoScalingEnv, type GroupRecord, type Scope,
} from '../../autoscaling/index.ts';
import { FakeInstances } from '../../autoscaling/ports.testing.ts';
import { getDoc, SqliteStore, transact } from '../../state/index.ts';
import { VirtualTime } from '../virtual-time.testing.ts';
import { AutoScalingController } from './controller.ts';

const scope: Scope = { account: '123456789012', region: 'eu-west-1' };
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A store, virtual time, store-backed instances and the controller on its timers. */
function world() {
  const store = SqliteStore.open(':memory:');
  const time = new VirtualTime(Date.UTC(2026, 5, 1, 12, 0, 0));
  const instances = new FakeInstances(store);
  const env: AutoScalingEnv = { store, clock: time, ids: { hex32: () => randomUUID().replace(/-/g, ''), uuid: randomUUID }, instances };
  const controller = new AutoScalingController({ ...env, timers: time, intervalMs: 10_000 });
  cleanup.push(() => store.close(), () => controller.close());
  /** Lets every pass the changes so far started finish. */
  const settle = async () => {
    for (let k = 0; k < 4; k++) {
      await controller.idle();
      await new Promise((r) => setImmediate(r));
    }
  };
  const advance = (ms: number) => time.advance(ms, settle);
  const group = () => getGroup(env, scope, 'web');
  return { env, store, time, instances, controller, settle, advance, group };
}

const create = (env: AutoScalingEnv, desired: number, extra: { newInstancesProtectedFromScaleIn?: boolean } = {}) => createGroup(env, scope, {
  name: 'web', minSize: 0, maxSize: 6, desiredCapacity: desired, launchTemplate: { launchTemplateName: 'web' }, availabilityZones: ZONES,
  tags: [{ key: 'team', value: 'blue', propagateAtLaunch: true }, { key: 'cost', value: 'x', propagateAtLaunch: false }], ...extra,
});

describe('AutoScalingController on virtual time', () => {
  it('launches to desired over the zones, moves Pending to InService when running, with AWS\'s activities', async () => {
    const w = world();
    await create(w.env, 3);
    await w.controller.start();
    await w.settle();
    let g = await w.group();
    assert.equal(g.instances.length, 3);
    assert.deepEqual(g.instances.map((i) => i.lifecycleState), ['Pending', 'Pending', 'Pending']);
    assert.deepEqual(new Set(g.instances.map((i) => i.availabilityZone)), new Set(ZONES));
    // Tags that propagate go onto the instances, with the group's name.
    const launched = await w.instances.get(g.instances[0]!.instanceId);
    assert.deepEqual(launched!.tags, [{ key: 'team', value: 'blue' }, { key: 'aws:autoscaling:groupName', value: 'web' }]);
    let activities = await describeActivities(w.env, scope, 'web');
    assert.equal(activities.length, 3);
    for (const a of activities) {
      assert.match(a.description, /^Launching a new EC2 instance: i-[0-9a-f]{17}$/);
      assert.match(a.cause, /^At 2026-06-01T12:00:00Z a user request created an AutoScalingGroup changing the desired capacity from 0 to 3\.  At 2026-06-01T12:00:00Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from [0-2] to [1-3]\.$/);
      assert.equal(a.statusCode, 'InProgress');
    }
    await w.instances.runAll();
    await w.advance(10_000);
    g = await w.group();
    assert.deepEqual(g.instances.map((i) => i.lifecycleState), ['InService', 'InService', 'InService']);
    activities = await describeActivities(w.env, scope, 'web');
    assert.deepEqual(activities.map((a) => [a.statusCode, a.progress]), [['Successful', 100], ['Successful', 100], ['Successful', 100]]);
    // A pass with nothing to do writes nothing.
    const rev = (await w.store.get(autoscalingKeys.group(scope, 'web')))!.modRevision;
    await w.advance(30_000);
    assert.equal((await w.store.get(autoscalingKeys.group(scope, 'web')))!.modRevision, rev);
    assert.equal(w.instances.launches, 3);
  });

  it('scale-in terminates unprotected instances only, zone-balanced, and says why', async () => {
    const w = world();
    await create(w.env, 3);
    await w.controller.start();
    await w.settle();
    await w.instances.runAll();
    await w.advance(10_000);
    const ids = (await w.group()).instances.map((i) => i.instanceId);
    await setInstanceProtection(w.env, scope, 'web', [ids[0]!, ids[1]!], true);
    await w.time.advance(60_000);
    await setDesiredCapacity(w.env, scope, 'web', 0);
    await w.settle();
    let g = await w.group();
    assert.deepEqual(g.instances.map((i) => [i.instanceId, i.lifecycleState]), [[ids[0], 'InService'], [ids[1], 'InService'], [ids[2], 'Terminating']]);
    const [last] = await describeActivities(w.env, scope, 'web');
    assert.equal(last!.description, `Terminating EC2 instance: ${ids[2]}`);
    assert.equal(last!.cause, 'At 2026-06-01T12:01:10Z a user request explicitly set group desired capacity changing the desired capacity from 3 to 0.  '
      + 'At 2026-06-01T12:01:10Z an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 3 to 2.');
    assert.equal((await w.instances.get(ids[2]!))!.state, 'shutting-down');
    await w.instances.runAll();
    await w.advance(10_000);
    g = await w.group();
    assert.deepEqual(g.instances.map((i) => i.instanceId), [ids[0], ids[1]]);
    assert.equal((await w.instances.get(ids[2]!))!.state, 'terminated');
    assert.equal((await describeActivities(w.env, scope, 'web'))[0]!.statusCode, 'Successful');
  });

  it('replaces an instance stopped or terminated outside the group, after an EC2 health check activity', async () => {
    const w = world();
    await create(w.env, 2);
    await w.controller.start();
    await w.settle();
    await w.instances.runAll();
    await w.advance(10_000);
    const [victim] = (await w.group()).instances;
    await w.instances.setState(victim!.instanceId, 'stopped');
    await w.advance(10_000);
    const g = await w.group();
    const out = g.instances.find((i) => i.instanceId === victim!.instanceId);
    assert.deepEqual([out?.lifecycleState, out?.healthStatus], ['Terminating', 'Unhealthy']);
    assert.equal(g.instances.filter((i) => i.lifecycleState === 'Pending').length, 1);
    const activities = await describeActivities(w.env, scope, 'web');
    assert.ok(activities.some((a) => a.cause === 'At 2026-06-01T12:00:20Z an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.'));
    // The replacement cites only its own cause: the group's creation was answered long ago.
    assert.ok(activities.some((a) => a.description.startsWith('Launching') && a.cause === 'At 2026-06-01T12:00:20Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 1 to 2.'));
    await w.instances.runAll();
    await w.advance(10_000);
    assert.deepEqual((await w.group()).instances.map((i) => i.lifecycleState), ['InService', 'InService']);
  });

  it('TerminateInstanceInAutoScalingGroup: replaced without decrement, not with it', async () => {
    const w = world();
    await create(w.env, 2);
    await w.controller.start();
    await w.settle();
    await w.instances.runAll();
    await w.advance(10_000);
    const [a, b] = (await w.group()).instances.map((i) => i.instanceId);
    const activity = await terminateInstanceInGroup(w.env, scope, a!, false);
    assert.equal(activity.cause, `At 2026-06-01T12:00:10Z instance ${a} was taken out of service in response to a user request.`);
    await w.settle();
    await w.instances.runAll();
    await w.advance(10_000);
    assert.equal((await w.group()).instances.filter((i) => i.lifecycleState === 'InService').length, 2);
    const decremented = await terminateInstanceInGroup(w.env, scope, b!, true);
    assert.match(decremented.cause, /a user request, shrinking the capacity from 2 to 1\.$/);
    await w.settle();
    await w.instances.runAll();
    await w.advance(10_000);
    const g = await w.group();
    assert.equal(g.desiredCapacity, 1);
    assert.equal(g.instances.length, 1);
  });

  it('a launch decided before a crash launches the same instance when retried', async () => {
    const w = world();
    await create(w.env, 0);
    // The group records a launch, as a pass does before it calls the port, then "crashes".
    await transact(w.store, async (tx) => {
      const g = (await tx.get<GroupRecord>(autoscalingKeys.group(scope, 'web')))!;
      tx.put(autoscalingKeys.group(scope, 'web'), { ...g, desiredCapacity: 1, launching: [{ clientToken: 'tok-1', availabilityZone: 'eu-west-1a', subnetId: g.placements[0]!.subnetId, from: 0, to: 1, decidedAt: w.time.now() }] });
    });
    const first = await w.instances.launch(scope, { launchTemplate: (await w.group()).launchTemplate, availabilityZone: 'eu-west-1a', subnetId: 'x', tags: [], clientToken: 'tok-1' });
    await w.controller.start();
    await w.settle();
    const g = await w.group();
    assert.deepEqual(g.instances.map((i) => i.instanceId), [first.instanceId]);
    assert.equal((await w.instances.all()).length, 1);
  });

  it('a failed launch is a Failed activity, tried again after a while', async () => {
    const w = world();
    await create(w.env, 1);
    let fail = true;
    const launch = w.instances.launch.bind(w.instances);
    w.instances.launch = async (s, r) => {
      if (fail) throw new Error('InsufficientInstanceCapacity');
      return launch(s, r);
    };
    await w.controller.start();
    await w.settle();
    const [failed] = await describeActivities(w.env, scope, 'web');
    assert.equal(failed!.statusCode, 'Failed');
    assert.match(failed!.description, /^Launching a new EC2 instance\.  Status Reason: InsufficientInstanceCapacity/);
    assert.equal((await w.group()).instances.length, 0);
    fail = false;
    await w.advance(LAUNCH_RETRY_MS);
    assert.equal((await w.group()).instances.length, 1);
  });

  it('a forced delete terminates every instance, protected ones too, then the group and its activities go', async () => {
    const w = world();
    await create(w.env, 2, { newInstancesProtectedFromScaleIn: true });
    await w.controller.start();
    await w.settle();
    await w.instances.runAll();
    await w.advance(10_000);
    await assert.rejects(deleteGroup(w.env, scope, 'web'), { name: 'ResourceInUse' });
    await deleteGroup(w.env, scope, 'web', true);
    await w.settle();
    assert.equal((await w.group()).status, 'Delete in progress');
    assert.deepEqual((await w.group()).instances.map((i) => i.lifecycleState), ['Terminating', 'Terminating']);
    await w.instances.runAll();
    await w.advance(10_000);
    assert.equal(await getDoc(w.store, autoscalingKeys.group(scope, 'web')), undefined);
    assert.deepEqual(await describeActivities(w.env, scope, 'web'), []);
    assert.ok((await w.instances.all()).every((i) => i.state === 'terminated'));
  });
});
