/** The instances domain on a real store: launches, the state machine's writes, completions guarded on what was read, visibility, templates. */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../common/index.ts';
import { createSubnet, createVpc, ensureDefaultVpc } from '../network/index.ts';
import { SqliteStore, getDoc } from '../state/index.ts';
import type { InstancesEnv } from './env.ts';
import {
  changeInstances, clusterOfUserData, completeTransition, describeInstances, forgetInstance, hostSpec,
} from './instances.ts';
import { createLaunchTemplate, createLaunchTemplateVersion, describeLaunchTemplateVersions } from './launch-templates.ts';
import { instanceKeys, type InstanceRecord } from './records.ts';
import { runInstances, type InstanceProfilesPort } from './run.ts';

const scope = { account: '123456789012', region: 'eu-west-1' };
const AMI = 'ami-0123456789abcdef0';
const noProfiles: InstanceProfilesPort = async () => undefined;
const stores: SqliteStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

async function world(): Promise<InstancesEnv & { clock: ManualClock }> {
  const store = SqliteStore.open(':memory:');
  stores.push(store);
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 9));
  await ensureDefaultVpc(store, scope, clock.now());
  return { store, clock, ids: { hex32: () => randomUUID().replace(/-/g, ''), uuid: randomUUID } };
}

const doc = async (env: InstancesEnv, id: string) => (await getDoc<InstanceRecord>(env.store, instanceKeys.instance(scope, id)))!;

describe('the instances domain', () => {
  it('a launch takes the lowest free addresses of the default subnet, and the host spec has the type\'s resources and the decoded user data', async () => {
    const env = await world();
    const userData = Buffer.from('#!/bin/bash\necho "ECS_CLUSTER=blue" >> /etc/ecs/ecs.config').toString('base64');
    const r = await runInstances(env, scope, { imageId: AMI, instanceType: 'c5.large', minCount: 2, maxCount: 2, userData }, noProfiles);
    assert.deepEqual(r.instances.map((i) => [i.privateIpAddress, i.availabilityZone, i.state]), [
      ['172.31.0.4', 'eu-west-1a', 'pending'], ['172.31.0.5', 'eu-west-1a', 'pending'],
    ]);
    const spec = hostSpec(scope, r.instances[0]!);
    assert.deepEqual([spec.cpu, spec.memoryMiB, spec.maxNetworkInterfaces], [2048, 4096, 3]);
    assert.equal(clusterOfUserData(spec.userData), 'blue');
    assert.equal(clusterOfUserData(undefined), 'default');
    assert.equal(clusterOfUserData('ECS_CLUSTER=prod-1\nECS_ENABLE_TASK_IAM_ROLE=true'), 'prod-1');
  });

  it('a ClientToken gives back its reservation; another request with it is refused; MinCount above the limit is refused', async () => {
    const env = await world();
    const request = { imageId: AMI, instanceType: 't3.micro', minCount: 1, maxCount: 2, clientToken: 'once' };
    const first = await runInstances(env, scope, request, noProfiles);
    const again = await runInstances(env, scope, request, noProfiles);
    assert.deepEqual(again, first);
    await assert.rejects(runInstances(env, scope, { ...request, maxCount: 3 }, noProfiles), { code: 'IdempotentParameterMismatch' });
    await assert.rejects(runInstances(env, scope, { imageId: AMI, instanceType: 't3.micro', minCount: 101, maxCount: 200 }, noProfiles), { code: 'InstanceLimitExceeded' });
  });

  it('MinCount is met or nothing is made: a full subnet launches what it can above it', async () => {
    const env = await world();
    const vpc = await createVpc(env, scope, { cidrBlock: '10.9.0.0/16', tags: [] });
    const subnet = await createSubnet(env, scope, { vpcId: vpc.vpcId, cidrBlock: '10.9.0.0/28', tags: [] }); // 11 addresses
    const launch = (min: number, max: number) => runInstances(env, scope, { imageId: AMI, instanceType: 't3.nano', minCount: min, maxCount: max, subnetId: subnet.subnetId }, noProfiles);
    assert.equal((await launch(1, 8)).instances.length, 8);
    await assert.rejects(launch(4, 4), { code: 'InsufficientFreeAddressesInSubnet' });
    assert.equal((await launch(1, 10)).instances.length, 3);
    assert.equal((await describeInstances(env.store, scope, {}, env.clock.now())).length, 11);
  });

  it('completions are guarded on the record read: a terminate in between wins; terminated ones go an hour on', async () => {
    const env = await world();
    const [i] = (await runInstances(env, scope, { imageId: AMI, instanceType: 't3.micro', minCount: 1, maxCount: 1 }, noProfiles)).instances;
    const read = await doc(env, i!.instanceId);
    await changeInstances(env, scope, [i!.instanceId], 'terminate');
    assert.equal(await completeTransition(env, scope, read), false);
    assert.equal((await doc(env, i!.instanceId)).value.state, 'shutting-down');
    assert.equal(await completeTransition(env, scope, await doc(env, i!.instanceId)), true);
    const done = await doc(env, i!.instanceId);
    assert.equal(done.value.state, 'terminated');
    assert.equal(done.value.terminatedAt, env.clock.now());
    // Its address is free for the next launch.
    const [next] = (await runInstances(env, scope, { imageId: AMI, instanceType: 't3.micro', minCount: 1, maxCount: 1 }, noProfiles)).instances;
    assert.equal(next!.privateIpAddress, i!.privateIpAddress);
    assert.equal(await forgetInstance(env.store, scope, done, env.clock.now()), false);
    env.clock.advance(60 * 60_000);
    assert.deepEqual((await describeInstances(env.store, scope, {}, env.clock.now())).map((x) => x.instanceId), [next!.instanceId]);
    await assert.rejects(changeInstances(env, scope, [i!.instanceId], 'terminate'), { code: 'InvalidInstanceID.NotFound' });
    assert.equal(await forgetInstance(env.store, scope, done, env.clock.now()), true);
    assert.equal(await getDoc(env.store, instanceKeys.instance(scope, i!.instanceId)), undefined);
  });

  it('a batch is all or none: one instance that cannot start refuses them all', async () => {
    const env = await world();
    const ids = (await runInstances(env, scope, { imageId: AMI, instanceType: 't3.micro', minCount: 2, maxCount: 2 }, noProfiles)).instances.map((i) => i.instanceId);
    for (const id of ids) await completeTransition(env, scope, await doc(env, id));
    await changeInstances(env, scope, [ids[0]!], 'stop');
    await assert.rejects(changeInstances(env, scope, ids, 'start'), { code: 'IncorrectInstanceState', message: `The instance '${ids[0]}' is not in a state from which it can be started.` });
    assert.deepEqual(await Promise.all(ids.map(async (id) => (await doc(env, id)).value.state)), ['stopping', 'running']);
  });

  it('launch templates: versions from a source, and $Latest / $Default across templates', async () => {
    const env = await world();
    const a = await createLaunchTemplate(env, scope, { name: 'a', data: { imageId: AMI, instanceType: 't3.micro', keyName: 'k' }, tags: [], createdBy: 'me' });
    const v2 = await createLaunchTemplateVersion(env, scope, { id: a.template.launchTemplateId, sourceVersion: '$Latest', data: { instanceType: 'm5.large' }, createdBy: 'me' });
    assert.deepEqual(v2.version.data, { imageId: AMI, instanceType: 'm5.large', keyName: 'k' });
    await createLaunchTemplate(env, scope, { name: 'b', data: { imageId: AMI }, tags: [], createdBy: 'me' });
    const latest = await describeLaunchTemplateVersions(env.store, scope, { versions: ['$Latest'] });
    assert.deepEqual(latest.map((v) => [v.template.launchTemplateName, v.version.versionNumber]).sort(), [['a', 2], ['b', 1]]);
    const range = await describeLaunchTemplateVersions(env.store, scope, { name: 'a', minVersion: '2' });
    assert.deepEqual(range.map((v) => v.version.versionNumber), [2]);
    await assert.rejects(describeLaunchTemplateVersions(env.store, scope, { versions: ['1'] }), { code: 'InvalidParameterValue' });
    const r = await runInstances(env, scope, { minCount: 1, maxCount: 1, launchTemplate: { name: 'a', version: '$Latest' } }, noProfiles);
    assert.deepEqual([r.instances[0]!.instanceType, r.instances[0]!.keyName, r.instances[0]!.launchTemplate?.version], ['m5.large', 'k', '2']);
  });
});
