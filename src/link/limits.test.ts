/**
 * The link's rate limits on a virtual clock: a bucket's burst then its rate, upgrades counted
 * per source address (IPv6 per /64), open links per address, and idle addresses forgotten.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressLimiter, DEFAULT_LINK_LIMITS, TokenBucket, sourceOf } from './limits.ts';

describe('agent link limits', () => {
  it('a token bucket gives its burst, then its rate', () => {
    const bucket = new TokenBucket(3, 2, 0);
    assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, true, false]);
    assert.equal(bucket.waitMs(0), 500);
    assert.equal(bucket.take(499), false);
    assert.equal(bucket.take(500), true);
    assert.equal(bucket.full(500), false);
    assert.equal(bucket.full(2000), true, 'refilled, never above the burst');
    assert.equal(bucket.take(10_000) && bucket.take(10_000) && bucket.take(10_000) && !bucket.take(10_000), true);
  });

  it('counts IPv4 addresses as they are and IPv6 ones by /64', () => {
    assert.equal(sourceOf('127.0.0.1'), '127.0.0.1');
    assert.equal(sourceOf('::ffff:10.0.0.7'), '10.0.0.7');
    assert.equal(sourceOf('2001:db8:0:1:aaaa::1'), '2001:db8:0:1::/64');
    assert.equal(sourceOf('2001:db8:0:1:bbbb:cccc:dddd:eeee'), '2001:db8:0:1::/64');
    assert.equal(sourceOf('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(sourceOf('::1'), '0:0:0:0::/64');
    assert.equal(sourceOf(undefined), '');
  });

  it('refuses upgrades from one address beyond its burst and rate (429), others unaffected', () => {
    const limits = { ...DEFAULT_LINK_LIMITS, upgradeBurst: 5, upgradesPerSecond: 1, linksPerAddress: 100 };
    const limiter = new AddressLimiter(limits);
    for (let i = 0; i < 5; i++) assert.equal(limiter.refuse('10.0.0.1', 0), undefined);
    const refused = limiter.refuse('10.0.0.1', 0);
    assert.equal(refused?.status, 429);
    assert.equal(refused?.retryAfterS, 1);
    assert.equal(limiter.refuse('10.0.0.2', 0), undefined, 'another address has its own bucket');
    assert.equal(limiter.refuse('10.0.0.1', 1000), undefined, 'one more a second');
  });

  it('refuses more open links from one address than allowed, until one closes', () => {
    const limiter = new AddressLimiter({ ...DEFAULT_LINK_LIMITS, linksPerAddress: 2 });
    limiter.count('10.0.0.1', 1);
    limiter.count('10.0.0.1', 1);
    assert.match(limiter.refuse('10.0.0.1', 0)?.message ?? '', /Too many agent links from 10\.0\.0\.1 \(at most 2\)/);
    limiter.count('10.0.0.1', -1);
    assert.equal(limiter.refuse('10.0.0.1', 0), undefined);
  });

  it('forgets addresses whose bucket is full again', () => {
    const limiter = new AddressLimiter({ ...DEFAULT_LINK_LIMITS, upgradeBurst: 1, upgradesPerSecond: 1 });
    assert.equal(limiter.refuse('10.0.0.1', 0), undefined);
    assert.ok(limiter.refuse('10.0.0.1', 0));
    limiter.sweep(5000);
    assert.equal(limiter.refuse('10.0.0.1', 5000), undefined);
  });
});
