/**
 * The pure parts of awsvpc on the host: the interface names it makes (Linux allows 15
 * characters) and the check that a subnet's bridge would not shadow a route the host has.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bridgeName, overlappingRoute, vethName } from './host-network.ts';

describe('host interface names', () => {
  it('a subnet\'s bridge and a task\'s veth end: a prefix and the id\'s last 12 characters, within 15', () => {
    assert.equal(bridgeName('subnet-0123456789abcdef0'), 'wb56789abcdef0');
    assert.equal(vethName('eni-0a1b2c3d4e5f60718'), 'wvc3d4e5f60718');
    for (const name of [bridgeName('subnet-0123456789abcdef0'), vethName('eni-0a1b2c3d4e5f60718'), bridgeName('subnet-01234567')]) {
      assert.ok(name.length <= 15, name);
    }
  });

  it('two subnets or interfaces differing only in their last characters get different names', () => {
    assert.notEqual(bridgeName('subnet-0123456789abcdef0'), bridgeName('subnet-0123456789abcdef1'));
    assert.notEqual(vethName('eni-0a1b2c3d4e5f60718'), vethName('eni-0a1b2c3d4e5f60719'));
  });
});

describe('overlappingRoute', () => {
  const own = bridgeName('subnet-0123456789abcdef0');

  it('ignores the default route', () => {
    assert.equal(overlappingRoute([{ dst: 'default', dev: 'eth0' }], '10.0.1.0/24', own), undefined);
  });

  it('ignores routes on the subnet\'s own bridge (made by an earlier task of the subnet)', () => {
    assert.equal(overlappingRoute([{ dst: '10.0.1.0/24', dev: own }], '10.0.1.0/24', own), undefined);
    assert.deepEqual(overlappingRoute([{ dst: '10.0.1.0/24', dev: 'wbother' }], '10.0.1.0/24', own), { dst: '10.0.1.0/24', dev: 'wbother' });
  });

  it('finds a host route that contains the subnet', () => {
    const routes = [{ dst: 'default', dev: 'eth0' }, { dst: '172.17.0.0/16', dev: 'docker0' }, { dst: '10.0.0.0/8', dev: 'tun0' }];
    assert.deepEqual(overlappingRoute(routes, '10.0.1.0/24', own), { dst: '10.0.0.0/8', dev: 'tun0' });
  });

  it('finds a host route inside the subnet', () => {
    assert.deepEqual(overlappingRoute([{ dst: '10.0.1.128/25', dev: 'eth1' }], '10.0.0.0/16', own), { dst: '10.0.1.128/25', dev: 'eth1' });
  });

  it('finds a route to one host (no prefix length: a /32) inside the subnet, and not one outside it', () => {
    assert.deepEqual(overlappingRoute([{ dst: '10.0.1.77', dev: 'eth0' }], '10.0.1.0/24', own), { dst: '10.0.1.77', dev: 'eth0' });
    assert.equal(overlappingRoute([{ dst: '10.0.2.77', dev: 'eth0' }, { dst: '10.0.0.255' }], '10.0.1.0/24', own), undefined);
  });

  it('lets through routes beside the subnet, however close', () => {
    const routes = [{ dst: '10.0.0.0/24', dev: 'eth0' }, { dst: '10.0.2.0/23', dev: 'eth1' }, { dst: '9.255.255.255/32', dev: 'lo' }, { dst: '172.31.0.0/16', dev: 'eth2' }];
    assert.equal(overlappingRoute(routes, '10.0.1.0/24', own), undefined);
  });

  it('returns the first overlapping route, in the host\'s order', () => {
    const routes = [{ dst: '10.0.0.0/8', dev: 'a' }, { dst: '10.0.1.0/24', dev: 'b' }];
    assert.deepEqual(overlappingRoute(routes, '10.0.1.0/24', own), { dst: '10.0.0.0/8', dev: 'a' });
  });

  it('compares whole addresses, high octets included (no sign trouble above 128.0.0.0)', () => {
    assert.deepEqual(overlappingRoute([{ dst: '192.168.0.0/16', dev: 'eth0' }], '192.168.5.0/24', own), { dst: '192.168.0.0/16', dev: 'eth0' });
    assert.equal(overlappingRoute([{ dst: '192.168.0.0/16', dev: 'eth0' }], '192.169.5.0/24', own), undefined);
    assert.equal(overlappingRoute([{ dst: '64.0.0.0/2', dev: 'eth0' }], '200.0.1.0/24', own), undefined);
  });
});
