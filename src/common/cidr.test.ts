/** IPv4 arithmetic: parsing, containment, overlap and the addresses a subnet hands out. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  assignable, assignableCount, containsCidr, containsIp, formatCidr, formatIp, gatewayOf, overlaps, parseCidr, parseIp, size,
} from './cidr.ts';

const cidr = (text: string) => {
  const parsed = parseCidr(text);
  assert.ok(parsed, text);
  return parsed;
};

describe('parseIp / formatIp', () => {
  it('reads dotted quads and writes them back', () => {
    assert.equal(parseIp('0.0.0.0'), 0);
    assert.equal(parseIp('255.255.255.255'), 2 ** 32 - 1);
    assert.equal(parseIp('172.31.16.1'), ((172 * 256 + 31) * 256 + 16) * 256 + 1);
    assert.equal(formatIp(parseIp('10.1.2.3')!), '10.1.2.3');
  });

  it('refuses what is not an address', () => {
    for (const bad of ['', '10.0.0', '10.0.0.0.0', '256.0.0.1', '10.0.0.01', '10.0.0.-1', 'a.b.c.d', '10.0.0.1 ', ' 10.0.0.1']) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });

  it('round-trips every address (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => parseIp(formatIp(n)) === n));
  });
});

describe('parseCidr', () => {
  it('reads network/prefix and writes it back', () => {
    assert.deepEqual(parseCidr('10.0.0.0/16'), { base: parseIp('10.0.0.0'), prefix: 16 });
    assert.equal(formatCidr(cidr('172.31.32.0/20')), '172.31.32.0/20');
    assert.deepEqual(parseCidr('0.0.0.0/0'), { base: 0, prefix: 0 });
    assert.equal(size(cidr('10.0.0.0/28')), 16);
  });

  it('refuses host bits, bad prefixes and junk', () => {
    for (const bad of ['10.0.0.1/16', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0', '10.0.0.0/16/1', '10.0.0.0/a', '10.0.0.0/016', 'x/16', '10.0.0.0/-1']) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
  });
});

describe('containment and overlap', () => {
  it('a block contains the blocks and addresses inside it', () => {
    const vpc = cidr('10.0.0.0/16');
    assert.ok(containsCidr(vpc, cidr('10.0.1.0/24')));
    assert.ok(containsCidr(vpc, vpc));
    assert.ok(!containsCidr(vpc, cidr('10.1.0.0/24')));
    assert.ok(!containsCidr(cidr('10.0.1.0/24'), vpc), 'a smaller block does not contain a larger one');
    assert.ok(containsIp(vpc, parseIp('10.0.255.255')!));
    assert.ok(!containsIp(vpc, parseIp('10.1.0.0')!));
  });

  it('blocks overlap when one holds the other, never when they are side by side', () => {
    assert.ok(overlaps(cidr('10.0.0.0/16'), cidr('10.0.4.0/22')));
    assert.ok(overlaps(cidr('10.0.4.0/22'), cidr('10.0.0.0/16')));
    assert.ok(overlaps(cidr('10.0.1.0/24'), cidr('10.0.1.0/24')));
    assert.ok(!overlaps(cidr('10.0.0.0/24'), cidr('10.0.1.0/24')));
    assert.ok(!overlaps(cidr('172.31.0.0/20'), cidr('172.31.16.0/20')));
  });

  it('overlap is symmetric and means a shared address (property)', () => {
    const block = fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 20, max: 32 }))
      .map(([ip, prefix]) => cidr(formatCidr({ base: ((ip >>> (32 - prefix)) * 2 ** (32 - prefix)) >>> 0, prefix })));
    fc.assert(fc.property(block, block, (a, b) => {
      const shared = [...Array(size(a)).keys()].some((i) => containsIp(b, a.base + i));
      return overlaps(a, b) === overlaps(b, a) && overlaps(a, b) === shared;
    }), { numRuns: 300 });
  });
});

describe('addresses of a subnet', () => {
  it('keeps the first four and the last one, as AWS does', () => {
    const subnet = cidr('10.0.0.0/28');
    const ips = [...assignable(subnet)].map(formatIp);
    assert.equal(ips[0], '10.0.0.4');
    assert.equal(ips.at(-1), '10.0.0.14');
    assert.equal(ips.length, 11);
    assert.equal(assignableCount(subnet), 11);
    assert.equal(assignableCount(cidr('172.31.0.0/20')), 4091);
    assert.equal(formatIp(gatewayOf(subnet)), '10.0.0.1');
  });
});
