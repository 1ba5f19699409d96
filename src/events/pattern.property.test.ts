/**
 * Invariants of event patterns that examples miss: a pattern is the conjunction of its fields,
 * `$or` is the union of its alternatives, `anything-but` is the complement of the exact match
 * on a present value, and `exists` true and false split every event in two.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePattern } from './pattern.ts';
import { matchesPattern } from './pattern-match.ts';

const names = fc.constantFrom('a', 'b', 'c', 'd');
const scalar = fc.oneof(fc.constantFrom('x', 'y', 'xy', 'Xy', ''), fc.integer({ min: -3, max: 3 }), fc.constant(null), fc.boolean());
const eventValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(names, scalar, { maxKeys: 3 }));
const event = fc.dictionary(names, eventValue, { maxKeys: 4 });

const condition = fc.oneof(
  scalar,
  fc.record({ prefix: fc.constantFrom('x', 'X') }),
  fc.record({ suffix: fc.constantFrom('y', '') }),
  fc.record({ 'equals-ignore-case': fc.constantFrom('xy', 'X') }),
  fc.record({ 'anything-but': fc.oneof(fc.constantFrom('x', 'y'), fc.integer({ min: -3, max: 3 })) }),
  fc.record({ numeric: fc.constantFrom(['>', 0], ['<=', 1], ['>=', -1, '<', 2]) }),
  fc.record({ exists: fc.boolean() }),
  fc.record({ wildcard: fc.constantFrom('x*', '*y', '*') }),
);
const leaf = fc.array(condition, { minLength: 1, maxLength: 3 });
const fieldValue = fc.oneof(leaf, fc.dictionary(names, leaf, { minKeys: 1, maxKeys: 2 }));
const pattern = fc.dictionary(names, fieldValue, { minKeys: 1, maxKeys: 3 });

const matches = (p: object, e: object) => matchesPattern(parsePattern(JSON.stringify(p)), e);

describe('event patterns: properties', () => {
  it('a pattern matches an event iff each of its fields does', () => {
    fc.assert(fc.property(pattern, event, (p, e) => {
      const each = Object.entries(p).every(([k, v]) => matches({ [k]: v }, e));
      assert.equal(matches(p, e), each);
    }), { numRuns: 2000 });
  });

  it('$or matches iff one of its alternatives does', () => {
    fc.assert(fc.property(fc.array(pattern, { minLength: 2, maxLength: 3 }), event, (alternatives, e) => {
      assert.equal(matches({ $or: alternatives }, e), alternatives.some((p) => matches(p, e)));
    }), { numRuns: 2000 });
  });

  it('anything-but v matches a present single value iff the exact v does not', () => {
    fc.assert(fc.property(fc.oneof(fc.constantFrom('x', 'y'), fc.integer({ min: -2, max: 2 })), scalar, (v, actual) => {
      const e = { a: actual };
      assert.equal(matches({ a: [{ 'anything-but': v }] }, e), !matches({ a: [v] }, e));
    }), { numRuns: 500 });
  });

  it('exists true and exists false: exactly one matches', () => {
    fc.assert(fc.property(names, event, (name, e) => {
      assert.notEqual(matches({ [name]: [{ exists: true }] }, e), matches({ [name]: [{ exists: false }] }, e));
    }), { numRuns: 1000 });
  });

  it('a list of conditions matches iff one of them does', () => {
    fc.assert(fc.property(names, leaf, event, (name, conditions, e) => {
      assert.equal(matches({ [name]: conditions }, e), conditions.some((c) => matches({ [name]: [c] }, e)));
    }), { numRuns: 2000 });
  });
});
