/** How launch parameters merge: a version over its source, a request over its template. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeLaunchData } from './launch-data.ts';

describe('launch parameters', () => {
  it('the later one\'s members win whole; absent ones are the earlier\'s', () => {
    const merged = mergeLaunchData(
      { imageId: 'ami-1', instanceType: 't3.micro', userData: 'eA==', securityGroupIds: ['sg-1'], placement: { availabilityZone: 'us-east-1a' } },
      { instanceType: 'm5.large', placement: { availabilityZone: 'us-east-1b' }, keyName: 'ops' },
    );
    assert.deepEqual(merged, {
      imageId: 'ami-1', instanceType: 'm5.large', userData: 'eA==', securityGroupIds: ['sg-1'], placement: { availabilityZone: 'us-east-1b' }, keyName: 'ops',
    });
  });

  it('tags merge per resource type, the later value winning', () => {
    const merged = mergeLaunchData(
      { tagSpecifications: [{ resourceType: 'instance', tags: [{ key: 'a', value: '1' }, { key: 'b', value: '1' }] }, { resourceType: 'volume', tags: [{ key: 'v', value: '1' }] }] },
      { tagSpecifications: [{ resourceType: 'instance', tags: [{ key: 'b', value: '2' }, { key: 'c', value: '2' }] }] },
    );
    assert.deepEqual(merged.tagSpecifications, [
      { resourceType: 'instance', tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }, { key: 'c', value: '2' }] },
      { resourceType: 'volume', tags: [{ key: 'v', value: '1' }] },
    ]);
  });

  it('interfaces given replace instance-level groups; groups given drop the interfaces\' groups', () => {
    const viaInterfaces = mergeLaunchData({ securityGroupIds: ['sg-1'] }, { networkInterfaces: [{ deviceIndex: 0, subnetId: 'subnet-1', groupIds: ['sg-2'] }] });
    assert.deepEqual(viaInterfaces, { networkInterfaces: [{ deviceIndex: 0, subnetId: 'subnet-1', groupIds: ['sg-2'] }] });
    const viaGroups = mergeLaunchData({ networkInterfaces: [{ deviceIndex: 0, subnetId: 'subnet-1', groupIds: ['sg-2'] }] }, { securityGroupIds: ['sg-3'] });
    assert.deepEqual(viaGroups.networkInterfaces?.[0]?.groupIds, undefined);
    assert.deepEqual(viaGroups.securityGroupIds, ['sg-3']);
  });
});
