/**
 * The sticky cookies' values: sealed and opened back, refused when forged, altered, of another
 * kind or expired; the request's cookies read; AWSALB/AWSALBCORS, AWSALBTG and AWSALBAPP-<n> as
 * Set-Cookie writes them; whether a target set its application cookie; and source_ip stickiness
 * that keeps each client on its target and moves only the clients of a target that left.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CookieSeal, appCookies, appEntries, bySourceIp, groupCookies, readCookies, setsCookie, stuckGroup, stuckTarget, targetCookies,
} from './stickiness.ts';

const now = Date.UTC(2025, 0, 1);
const seal = new CookieSeal();
const jarOf = (setCookies: string[]) => readCookies([setCookies.map((c) => c.split(';')[0]).join('; ')]);

describe('sticky cookies', () => {
  it('seals values that open only with the same key, for the same kind, before their expiry', () => {
    const value = seal.seal('target', now + 1000, ['tg', 'tg|i-1|80']);
    assert.match(value, /^[A-Za-z0-9_-]+$/, 'cookie-safe');
    assert.ok(!value.includes('i-1'), 'opaque');
    assert.deepEqual(seal.open('target', value, now), ['tg', 'tg|i-1|80']);
    assert.equal(seal.open('target', value, now + 1001), undefined, 'expired');
    assert.equal(seal.open('group', value, now), undefined, 'another kind');
    assert.equal(new CookieSeal().open('target', value, now), undefined, 'another key');
    const flipped = Buffer.from(value, 'base64url');
    flipped[flipped.length - 1]! ^= 1;
    assert.equal(seal.open('target', flipped.toString('base64url'), now), undefined, 'altered');
    assert.equal(seal.open('target', 'not-a-cookie', now), undefined);
    assert.equal(seal.open('target', '', now), undefined);
    assert.notEqual(seal.seal('target', now, ['x']), seal.seal('target', now, ['x']), 'a fresh IV each time');
  });

  it('reads cookies from one or several Cookie headers', () => {
    const jar = readCookies(['a=1; AWSALB=xyz', 'b="q"; a=2; junk']);
    assert.deepEqual([...jar], [['a', '1'], ['AWSALB', 'xyz'], ['b', 'q']]);
  });

  it('writes AWSALB and AWSALBCORS with the same value, the duration as Expires, and reads either back', () => {
    const cookies = targetCookies(seal, 'tg', 'tg|i-1|80', now, 86_400_000);
    assert.equal(cookies.length, 2);
    const [lb, cors] = cookies as [string, string];
    assert.match(lb, /^AWSALB=[A-Za-z0-9_-]+; Expires=Thu, 02 Jan 2025 00:00:00 GMT; Path=\/$/);
    assert.match(cors, /^AWSALBCORS=[A-Za-z0-9_-]+; Expires=Thu, 02 Jan 2025 00:00:00 GMT; Path=\/; SameSite=None; Secure$/);
    assert.equal(lb.split(';')[0]!.split('=')[1], cors.split(';')[0]!.split('=')[1]);
    assert.equal(stuckTarget(seal, jarOf([lb]), 'tg', now), 'tg|i-1|80');
    assert.equal(stuckTarget(seal, jarOf([cors]), 'tg', now), 'tg|i-1|80', 'the CORS twin alone');
    assert.equal(stuckTarget(seal, jarOf([lb]), 'other', now), undefined, 'another group');
    assert.equal(stuckTarget(seal, jarOf([lb]), 'tg', now + 86_400_001), undefined, 'past the duration');
  });

  it('sticks to a group of the forward that still weighs something', () => {
    const cookies = groupCookies(seal, 'blue', now, 60_000);
    assert.match(cookies[0]!, /^AWSALBTG=/);
    assert.match(cookies[1]!, /^AWSALBTGCORS=.*SameSite=None; Secure$/);
    const jar = jarOf(cookies);
    assert.equal(stuckGroup(seal, jar, [{ targetGroupArn: 'blue', weight: 1 }, { targetGroupArn: 'green', weight: 1 }], now), 'blue');
    assert.equal(stuckGroup(seal, jar, [{ targetGroupArn: 'blue', weight: 0 }, { targetGroupArn: 'green', weight: 1 }], now), undefined);
    assert.equal(stuckGroup(seal, jar, [{ targetGroupArn: 'green', weight: 1 }], now), undefined);
    assert.equal(stuckTarget(seal, jarOf(cookies.map((c) => c.replace('AWSALBTG', 'AWSALB'))), 'blue', now), undefined, 'a group cookie is no target cookie');
  });

  it('keeps one application-cookie entry per group, in shards, the unused ones removed', () => {
    const first = appCookies(seal, { group: 'a', target: 'a|i-1|80', until: now + 1000 }, [], now);
    assert.equal(first.length, 4);
    assert.match(first[0]!, /^AWSALBAPP-0=[A-Za-z0-9_-]+; Expires=Wed, 08 Jan 2025 00:00:00 GMT; Path=\/$/);
    assert.equal(first[1], 'AWSALBAPP-1=_remove_; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/');
    const entries = appEntries(seal, jarOf(first), now);
    assert.deepEqual(entries, [{ group: 'a', target: 'a|i-1|80', until: now + 1000 }]);
    const second = appCookies(seal, { group: 'b', target: 'b|i-2|80', until: now + 5000 }, entries, now);
    assert.deepEqual(appEntries(seal, jarOf(second), now).map((e) => e.group), ['b', 'a']);
    assert.deepEqual(appEntries(seal, jarOf(second), now + 2000).map((e) => e.group), ['b'], 'a group\'s entry expires on its own');
    const replaced = appCookies(seal, { group: 'a', target: 'a|i-3|80', until: now + 1000 }, appEntries(seal, jarOf(second), now), now);
    assert.deepEqual(appEntries(seal, jarOf(replaced), now).map((e) => e.target), ['a|i-3|80', 'b|i-2|80']);
  });

  it('sees when a target sets its application cookie, and not when it removes it', () => {
    assert.ok(setsCookie(['other=1', 'SESSION=abc; Path=/; HttpOnly'], 'SESSION', now));
    assert.ok(setsCookie('SESSION=abc', 'SESSION', now));
    assert.ok(!setsCookie(['SESSIONX=abc'], 'SESSION', now));
    assert.ok(!setsCookie(['SESSION=; Max-Age=0'], 'SESSION', now));
    assert.ok(!setsCookie(['SESSION=; Expires=Thu, 01 Jan 1970 00:00:00 GMT'], 'SESSION', now));
    assert.ok(!setsCookie(undefined, 'SESSION', now));
  });
});

describe('source_ip stickiness', () => {
  const targets = ['a', 'b', 'c', 'd'].map((key) => ({ key }));
  const clients = Array.from({ length: 400 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);

  it('sends each client to one target every time and spreads clients over all of them', () => {
    const counts = new Map<string, number>();
    for (const ip of clients) {
      const t = bySourceIp(targets, ip)!;
      assert.equal(bySourceIp([...targets].reverse(), ip), t, 'whatever the order');
      counts.set(t.key, (counts.get(t.key) ?? 0) + 1);
    }
    assert.equal(counts.size, 4);
    for (const n of counts.values()) assert.ok(n > 50, `${[...counts]}`);
  });

  it('moves only the clients of a target that left', () => {
    const without = targets.filter((t) => t.key !== 'b');
    for (const ip of clients) {
      const before = bySourceIp(targets, ip)!;
      const after = bySourceIp(without, ip)!;
      if (before.key !== 'b') assert.equal(after, before);
    }
    assert.equal(bySourceIp([], '10.0.0.1'), undefined);
  });
});
