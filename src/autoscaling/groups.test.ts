import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../common/index.ts';
import { SqliteStore, transact } from '../state/index.ts';
import { newActivity, stageActivity } from './activities.ts';
import type { AutoScalingEnv } from './env.ts';
import { createGroup, deleteGroup, describeGroups, getGroup, setDesiredCapacity, updateGroup } from './groups.ts';
import { FakeInstances } from './ports.testing.ts';
import type { Scope } from './records.ts';
import { createOrUpdateTags, deleteTags, describeTags, groupMatches } from './tags.ts';

const scope: Scope = { account: '123456789012', region: 'eu-west-1' };
const cleanup: (() => unknown)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

function env(): AutoScalingEnv & { clock: ManualClock } {
  const store = SqliteStore.open(':memory:');
  cleanup.push(() => store.close());
  return { store, clock: new ManualClock(Date.UTC(2026, 0, 1)), ids: { hex32: () => randomUUID().replace(/-/g, ''), uuid: randomUUID }, instances: new FakeInstances(store) };
}

const web = { name: 'web', minSize: 1, maxSize: 5, desiredCapacity: 2, launchTemplate: { launchTemplateName: 'web' }, availabilityZones: ['eu-west-1a', 'eu-west-1b'] };

describe('Auto Scaling groups', () => {
  it('create: AWS defaults, the default subnet of each zone given, the desired capacity defaulting to the minimum', async () => {
    const e = env();
    const g = await createGroup(e, scope, { ...web, desiredCapacity: undefined });
    assert.equal(g.desiredCapacity, 1);
    assert.deepEqual([g.defaultCooldown, g.healthCheckType, g.healthCheckGracePeriod, g.terminationPolicies], [300, 'EC2', 0, ['Default']]);
    assert.deepEqual(g.placements.map((p) => p.availabilityZone), ['eu-west-1a', 'eu-west-1b']);
    assert.ok(g.placements.every((p) => p.subnetId.startsWith('subnet-')));
    assert.deepEqual(g.launchTemplate, { launchTemplateId: 'lt-0123456789abcdef0', launchTemplateName: 'web', version: '$Default' });
    assert.deepEqual(g.lastChange, { at: e.clock.now(), text: 'a user request created an AutoScalingGroup changing the desired capacity from 0 to 1' });
  });

  it('create refuses, naming what is wrong, and writes nothing', async () => {
    const e = env();
    const refuses = (req: Record<string, unknown>, message: string) =>
      assert.rejects(createGroup(e, scope, { ...web, ...req } as never), (err: Error) => err.name === 'ValidationError' && err.message === message);
    await refuses({ minSize: 3, maxSize: 2 }, 'Max bound, 2, must be greater than or equal to min bound, 3');
    await refuses({ launchTemplate: {} }, 'Valid requests must contain either launchTemplateId or LaunchTemplateName');
    await refuses({ availabilityZones: [] }, 'At least one Availability Zone or VPC Subnet is required.');
    await refuses({ availabilityZones: ['mars-1a'] }, 'Invalid Availability Zone: mars-1a');
    await refuses({ launchTemplate: { launchTemplateId: 'lt-0123456789abcdef0', version: '7' } }, 'You must use a valid fully-formed launch template. The specified launch template, with template ID lt-0123456789abcdef0, does not exist.');
    await refuses({ otherLaunchSource: 'LaunchConfigurationName' }, "LaunchConfigurationName: Wharf launches Auto Scaling groups' instances from launch templates only; use LaunchTemplate.");
    assert.deepEqual(await describeGroups(e, scope), []);
  });

  it('update: a new minimum above desired raises it, a new maximum below lowers it, and says so in the cause', async () => {
    const e = env();
    await createGroup(e, scope, web);
    let g = await updateGroup(e, scope, { name: 'web', minSize: 3 });
    assert.equal(g.desiredCapacity, 3);
    assert.equal(g.lastChange!.text, 'a user request update of AutoScalingGroup constraints to min: 3, max: 5, desired: 3 changing the desired capacity from 2 to 3');
    g = await updateGroup(e, scope, { name: 'web', minSize: 0, maxSize: 1 });
    assert.equal(g.desiredCapacity, 1);
    await assert.rejects(updateGroup(e, scope, { name: 'web', desiredCapacity: 4 }), { message: 'Desired capacity:4 must be between the specified min size:0 and max size:1' });
    await assert.rejects(updateGroup(e, scope, { name: 'nope', minSize: 0 }), { message: 'AutoScalingGroup name not found - AutoScalingGroup nope not found' });
  });

  it('SetDesiredCapacity with HonorCooldown waits out an activity in progress and the cooldown after it; without, it never waits', async () => {
    const e = env();
    const g = await createGroup(e, scope, { ...web, defaultCooldown: 60 });
    const activity = newActivity(g, 'a-1', e.clock.now(), 'Launching a new EC2 instance: i-1', 'why', {});
    await transact(e.store, async (tx) => stageActivity(tx, scope, activity));
    await assert.rejects(setDesiredCapacity(e, scope, 'web', 3, true), { name: 'ScalingActivityInProgress', message: 'Scaling activity a-1 is in progress and blocks this action' });
    await setDesiredCapacity(e, scope, 'web', 3);
    assert.equal((await getGroup(e, scope, 'web')).desiredCapacity, 3);
    await transact(e.store, async (tx) => stageActivity(tx, scope, { ...activity, endTime: e.clock.now(), statusCode: 'Successful' }));
    e.clock.advance(30_000);
    await assert.rejects(setDesiredCapacity(e, scope, 'web', 4, true), { name: 'ScalingActivityInProgress' });
    e.clock.advance(31_000);
    await setDesiredCapacity(e, scope, 'web', 4, true);
    assert.equal((await getGroup(e, scope, 'web')).desiredCapacity, 4);
    await assert.rejects(setDesiredCapacity(e, scope, 'web', 0), { message: 'New SetDesiredCapacity value 0 is below min value 1 for the AutoScalingGroup.' });
  });

  it('delete: a group without instances goes at once; a missing one is named', async () => {
    const e = env();
    await createGroup(e, scope, web);
    await deleteGroup(e, scope, 'web');
    assert.deepEqual(await describeGroups(e, scope), []);
    await assert.rejects(deleteGroup(e, scope, 'web'), { name: 'ValidationError', message: 'AutoScalingGroup name not found - AutoScalingGroup web not found' });
  });

  it('tags: merged by key, deleted by key (and value when given), filtered as DescribeTags and DescribeAutoScalingGroups do', async () => {
    const e = env();
    await createGroup(e, scope, { ...web, tags: [{ key: 'team', value: 'a', propagateAtLaunch: true }] });
    await createGroup(e, scope, { ...web, name: 'api' });
    await createOrUpdateTags(e, scope, [{ resourceId: 'web', key: 'team', value: 'b' }, { resourceId: 'api', key: 'env', value: 'prod', propagateAtLaunch: true }]);
    assert.deepEqual((await getGroup(e, scope, 'web')).tags, [{ key: 'team', value: 'b', propagateAtLaunch: false }]);
    assert.deepEqual((await describeTags(e, scope, [{ name: 'propagate-at-launch', values: ['true'] }])).map((t) => t.groupName), ['api']);
    assert.ok(groupMatches(await getGroup(e, scope, 'api'), [{ name: 'tag:env', values: ['prod'] }, { name: 'tag-key', values: ['env'] }]));
    assert.ok(!groupMatches(await getGroup(e, scope, 'web'), [{ name: 'tag-value', values: ['prod'] }]));
    await deleteTags(e, scope, [{ resourceId: 'web', key: 'team', value: 'other' }]);
    assert.equal((await getGroup(e, scope, 'web')).tags.length, 1);
    await deleteTags(e, scope, [{ resourceId: 'web', key: 'team' }]);
    assert.equal((await getGroup(e, scope, 'web')).tags.length, 0);
    await assert.rejects(createOrUpdateTags(e, scope, [{ resourceId: 'nope', key: 'k' }]), { message: 'AutoScalingGroup not found - AutoScaling Group nope not found' });
    await assert.rejects(describeTags(e, scope, [{ name: 'colour', values: ['x'] }]), { name: 'ValidationError' });
  });
});
