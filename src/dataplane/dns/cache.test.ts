/**
 * The forwarded answers' cache on a manual clock: TTLs honoured and counted down, negative
 * answers kept for the SOA's TTL bounded by its minimum, what may not be kept is not, bounds;
 * and the per-source rate limit and resolv.conf reading beside it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, type Answer, type Packet } from 'dns-packet';
import { ManualClock } from '../../common/index.ts';
import { AnswerCache, cacheKey } from './cache.ts';
import { SourceRateLimit } from './rate-limit.ts';
import { upstreamsFromResolvConf } from './upstreams.ts';

const q = (name: string, type: 'A' | 'AAAA' = 'A') => ({ type: 'query' as const, id: 1, flags: 1 << 8, questions: [{ name, type, class: 'IN' as const }] });
const response = (name: string, rcode: number, answers: Answer[], authorities: Answer[] = [], flags = 0) => decode(encode({
  ...q(name), type: 'response', flags: (1 << 8) | (1 << 7) | flags | rcode, answers, authorities,
} satisfies Packet));
const a = (name: string, ttl: number, data: string): Answer => ({ name, type: 'A', class: 'IN', ttl, data });
const soa = (ttl: number, minimum: number): Answer => ({ name: 'org', type: 'SOA', class: 'IN', ttl, data: { mname: 'ns.org', rname: 'h.org', serial: 1, refresh: 1, retry: 1, expire: 1, minimum } });

describe('answer cache', () => {
  it('keys by the question, case-insensitively, type apart', () => {
    assert.equal(cacheKey(q('Example.ORG')), cacheKey(q('example.org')));
    assert.notEqual(cacheKey(q('example.org')), cacheKey(q('example.org', 'AAAA')));
  });

  it('keeps a positive answer for its least TTL, counting TTLs down', () => {
    const clock = new ManualClock();
    const cache = new AnswerCache({ clock });
    const key = cacheKey(q('example.org'))!;
    cache.put(key, response('example.org', 0, [a('example.org', 30, '192.0.2.1'), a('example.org', 10, '192.0.2.2')]));
    clock.advance(4_000);
    assert.deepEqual(cache.get(key)?.answers.map((r) => 'ttl' in r && r.ttl), [26, 6]);
    clock.advance(6_000);
    assert.equal(cache.get(key), undefined, 'gone at the least TTL');
  });

  it('keeps NXDOMAIN for min(SOA TTL, minimum), capped; not SERVFAIL, truncated, or negative without SOA', () => {
    const clock = new ManualClock();
    const cache = new AnswerCache({ clock, maxNegativeTtl: 100 });
    cache.put('nx', response('nx.org', 3, [], [soa(60, 20)]));
    cache.put('cap', response('cap.org', 3, [], [soa(900, 900)]));
    cache.put('fail', response('fail.org', 2, []));
    cache.put('tc', response('tc.org', 0, [a('tc.org', 30, '192.0.2.9')], [], 1 << 9));
    cache.put('nosoa', response('nosoa.org', 3, []));
    assert.equal(cache.get('nx')?.rcode, 3);
    assert.deepEqual([cache.get('fail'), cache.get('tc'), cache.get('nosoa')], [undefined, undefined, undefined]);
    clock.advance(20_000);
    assert.equal(cache.get('nx'), undefined);
    clock.advance(79_000);
    assert.ok(cache.get('cap'));
    clock.advance(1_000);
    assert.equal(cache.get('cap'), undefined);
  });

  it('holds at most maxEntries, the oldest going first', () => {
    const cache = new AnswerCache({ clock: new ManualClock(), maxEntries: 2 });
    for (const n of ['a', 'b', 'c']) cache.put(n, response(`${n}.org`, 0, [a(`${n}.org`, 30, '192.0.2.1')]));
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a'), undefined);
    assert.ok(cache.get('c'));
  });
});

describe('per-source rate limit', () => {
  it('admits a burst, then perSecond, per source', () => {
    const clock = new ManualClock();
    const limit = new SourceRateLimit({ clock, perSecond: 10, burst: 5 });
    const admitted = () => Array.from({ length: 8 }, () => limit.admit('10.0.0.1')).filter(Boolean).length;
    assert.equal(admitted(), 5);
    assert.equal(limit.admit('10.0.0.2'), true, 'another source has its own bucket');
    clock.advance(300);
    assert.equal(admitted(), 3);
  });
});

describe('upstreams from resolv.conf', () => {
  it('reads nameserver lines, skipping the server itself, duplicates and non-addresses', () => {
    const text = '# generated\nsearch corp\nnameserver 10.0.0.2\nnameserver 169.254.169.253\n nameserver fe80::1%eth0\nnameserver 10.0.0.2\nnameserver bogus\noptions ndots:2\n';
    assert.deepEqual(upstreamsFromResolvConf(text, { address: '169.254.169.253', port: 53 }), [
      { address: '10.0.0.2', port: 53 }, { address: 'fe80::1', port: 53 },
    ]);
    assert.equal(upstreamsFromResolvConf(text, { address: '169.254.169.253', port: 5353 }).length, 3, 'the server on another port is no loop');
  });
});
