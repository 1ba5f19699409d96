import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from './random.ts';

describe('seededRandom', () => {
  it('gives the same sequence for the same seed, a different one for another', () => {
    const take = (seed: number) => Array.from({ length: 100 }, seededRandom(seed));
    assert.deepEqual(take(1), take(1));
    assert.notDeepEqual(take(1), take(2));
  });

  it('returns numbers in [0, 1), spread evenly enough to choose among candidates', () => {
    const rng = seededRandom(123);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const x = rng();
      assert.ok(x >= 0 && x < 1);
      buckets[Math.floor(x * 10)]++;
    }
    for (const b of buckets) assert.ok(b > 9_500 && b < 10_500, `bucket of ${b}`);
  });
});
