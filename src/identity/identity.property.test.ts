import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { randomIds } from '../common/index.ts';
import { pageOf } from './env.ts';
import { SessionTokens, type SessionClaims } from './sessions.ts';
import { mergeTags, removeTags } from './tags.ts';

describe('properties', () => {
  test('paging with Marker/MaxItems yields every item once, in order, whatever the page size', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 40 }), fc.integer({ min: 1, max: 12 }), (names, size) => {
        const items = [...names].sort();
        const seen: string[] = [];
        let marker: string | undefined;
        for (let pages = 0; pages <= items.length + 1; pages++) {
          const page = pageOf(items, (s) => s, { marker, maxItems: size });
          seen.push(...page.items);
          assert.ok(page.items.length <= size);
          if (!page.isTruncated) break;
          marker = page.marker;
        }
        assert.deepEqual(seen, items);
      }),
    );
  });

  test('a sealed session token opens to its claims; any altered byte makes it not open', () => {
    const tokens = new SessionTokens(Buffer.alloc(32, 9));
    const claims: SessionClaims = {
      accessKeyId: 'ASIAAAAAAAAAAAAAAAAA', secretAccessKey: 's'.repeat(40), account: '123456789012', kind: 'assumed-role',
      arn: 'arn:aws:sts::123456789012:assumed-role/r/s', userId: 'AROAAAAAAAAAAAAAAAAAA:s', issuedAt: 0, expiresAt: 1,
    };
    const token = tokens.seal(claims, randomIds);
    assert.deepEqual(tokens.open(token), claims);
    const raw = Buffer.from(token, 'base64');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: raw.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const altered = Buffer.from(raw);
        altered[at] ^= flip;
        assert.equal(tokens.open(altered.toString('base64')), undefined);
      }),
    );
    assert.equal(new SessionTokens(Buffer.alloc(32, 8)).open(token), undefined, 'another key does not open it');
  });

  test('tags: merging never keeps two keys that compare equal, and removing what was merged leaves none of it', () => {
    const tag = fc.record({ key: fc.stringMatching(/^[a-zA-Z]{1,3}$/), value: fc.string({ maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(tag, { maxLength: 10 }), fc.array(tag, { maxLength: 10 }), fc.constantFrom('insensitive' as const, 'sensitive' as const), (a, b, mode) => {
        const norm = (k: string) => (mode === 'insensitive' ? k.toLowerCase() : k);
        const dedupe = (list: typeof a) => list.filter((t, i) => list.findIndex((u) => norm(u.key) === norm(t.key)) === i);
        const merged = mergeTags(dedupe(a), dedupe(b), mode, 'TagsPerUser');
        assert.equal(new Set(merged.map((t) => norm(t.key))).size, merged.length);
        for (const t of dedupe(b)) assert.equal(merged.find((m) => norm(m.key) === norm(t.key))?.value, t.value);
        const left = removeTags(merged, dedupe(b).map((t) => t.key), mode);
        assert.ok(left.every((t) => !dedupe(b).some((u) => norm(u.key) === norm(t.key))));
      }),
    );
  });
});
