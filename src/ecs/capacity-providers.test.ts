import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { distribute, nextProvider, readStrategy, type StrategyItem } from './capacity-providers.ts';

const tally = (names: string[]) => names.reduce((m, n) => m.set(n, (m.get(n) ?? 0) + 1), new Map<string, number>());

/** A valid Fargate strategy: one or both providers, at most one base, some weight. */
const strategyArb: fc.Arbitrary<StrategyItem[]> = fc.record({
  both: fc.boolean(),
  spotFirst: fc.boolean(),
  base: fc.integer({ min: 0, max: 5 }),
  baseOnFirst: fc.boolean(),
  w1: fc.integer({ min: 0, max: 6 }),
  w2: fc.integer({ min: 0, max: 6 }),
}).filter((r) => !r.both || r.w1 > 0 || r.w2 > 0).map((r) => {
  const [a, b] = r.spotFirst ? ['FARGATE_SPOT', 'FARGATE'] : ['FARGATE', 'FARGATE_SPOT'];
  const first = { capacityProvider: a, weight: r.w1, base: r.baseOnFirst ? r.base : 0 };
  if (!r.both) return [first];
  return [first, { capacityProvider: b, weight: r.w2, base: r.baseOnFirst ? 0 : r.base }];
});

describe('capacity provider strategy distribution', () => {
  it("puts the base first, then the rest by weight (ECS's example: base 1 weight 1 and weight 3, 9 tasks)", () => {
    const strategy = [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 0, weight: 3 }];
    const nine = distribute(strategy, 9);
    assert.equal(nine[0], 'FARGATE');
    assert.deepEqual(Object.fromEntries(tally(nine)), { FARGATE: 3, FARGATE_SPOT: 6 });
  });

  it('keeps each provider within one task of its share beyond the base, whatever the count', () => {
    fc.assert(fc.property(strategyArb, fc.integer({ min: 0, max: 60 }), (strategy, count) => {
      const counts = tally(distribute(strategy, count));
      const baseItem = strategy.find((s) => s.base > 0);
      const baseTaken = Math.min(baseItem?.base ?? 0, count);
      const beyondTotal = count - baseTaken;
      // A strategy without weights (one provider of weight 0) weighs its providers alike.
      const weightOf = (s: StrategyItem) => (strategy.some((x) => x.weight > 0) ? s.weight : 1);
      const weight = strategy.reduce((n, s) => n + weightOf(s), 0);
      let sum = 0;
      for (const s of strategy) {
        const n = counts.get(s.capacityProvider) ?? 0;
        sum += n;
        const beyond = n - (s === baseItem ? baseTaken : 0);
        const share = (beyondTotal * weightOf(s)) / weight;
        assert.ok(Math.abs(beyond - share) < 1 + 1e-9, `${s.capacityProvider}: ${beyond} beyond the base, share ${share}`);
        if (weightOf(s) === 0) assert.equal(beyond, 0);
      }
      assert.equal(sum, count);
    }));
  });

  it('decides the next task from the running counts alone, so replacing a stopped task restores the distribution', () => {
    fc.assert(fc.property(strategyArb, fc.integer({ min: 1, max: 40 }), fc.nat(), (strategy, count, pick) => {
      const placed = distribute(strategy, count);
      const counts = tally(placed);
      const stopped = placed[pick % placed.length];
      counts.set(stopped, counts.get(stopped)! - 1);
      // One batch of `count` and a batch of `count - 1` plus one more agree on the counts.
      const again = tally([...distribute(strategy, count - 1), nextProvider(strategy, tally(distribute(strategy, count - 1)))]);
      assert.deepEqual(again, tally(placed));
      // The replacement goes back to the stopped task's provider: the service keeps its distribution.
      assert.equal(nextProvider(strategy, counts), stopped);
    }));
  });

  it("refuses what ECS refuses in a strategy, naming the member", () => {
    const bad = (items: { capacityProvider: string; base?: number; weight?: number }[], message: RegExp) => assert.throws(() => readStrategy(items, 'capacityProviderStrategy'), (e: Error) => {
      assert.equal(e.name, 'InvalidParameterException');
      assert.match(e.message, message);
      return true;
    });
    bad([], /^capacityProviderStrategy: must name at least one/);
    bad([{ capacityProvider: 'mine', weight: 1 }, { capacityProvider: 'FARGATE', weight: 1 }], /cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers/);
    bad([{ capacityProvider: 'FARGATE', weight: 1 }, { capacityProvider: 'FARGATE', weight: 1 }], /duplicate capacity provider FARGATE/);
    bad([{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 2, weight: 1 }], /only one capacity provider in a strategy can have a base/);
    bad([{ capacityProvider: 'FARGATE', base: 1 }, { capacityProvider: 'FARGATE_SPOT' }], /at least one capacity provider must have a weight greater than 0/);
    assert.deepEqual(readStrategy([{ capacityProvider: 'FARGATE_SPOT', weight: 2 }], 'x'), [{ capacityProvider: 'FARGATE_SPOT', weight: 2, base: 0 }]);
    assert.deepEqual(distribute(readStrategy([{ capacityProvider: 'FARGATE_SPOT' }], 'x'), 3), ['FARGATE_SPOT', 'FARGATE_SPOT', 'FARGATE_SPOT']);
  });
});
