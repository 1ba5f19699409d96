import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inCidr, parseAddress, parseCidr } from './ip.ts';

const within = (address: string, cidr: string) => inCidr(parseAddress(address)!, parseCidr(cidr)!);

describe('IP ranges', () => {
  it('tests IPv4 ranges, a bare address being a /32', () => {
    assert.equal(within('203.0.113.7', '203.0.113.0/24'), true);
    assert.equal(within('203.0.114.7', '203.0.113.0/24'), false);
    assert.equal(within('10.1.2.3', '0.0.0.0/0'), true);
    assert.equal(within('192.0.2.1', '192.0.2.1'), true);
    assert.equal(within('192.0.2.2', '192.0.2.1'), false);
    assert.equal(within('192.0.2.130', '192.0.2.128/25'), true);
  });

  it('tests IPv6 ranges, with :: and either case', () => {
    assert.equal(within('2001:db8:1234:5678::1', '2001:DB8:1234:5678::/64'), true);
    assert.equal(within('2001:db8:1234:5679::1', '2001:DB8:1234:5678::/64'), false);
    assert.equal(within('::1', '::1/128'), true);
    assert.equal(within('2001:db8::ffff:1.2.3.4', '2001:db8::/32'), true);
    assert.equal(within('fe80::1', '::/0'), true);
  });

  it('never matches across families', () => {
    assert.equal(within('203.0.113.7', '::/0'), false);
    assert.equal(within('::1', '0.0.0.0/0'), false);
  });

  it('refuses what is not an address or a range', () => {
    for (const bad of ['256.0.0.1', '1.2.3', 'abc', '1.2.3.4/33', '::1/129', '1::2::3', '1:2:3:4:5:6:7:8:9']) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
  });
});
