import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { merge, ofStatisticSet, ofValue, percentile, percentileOf, statistic, type Aggregate } from './aggregate.ts';

describe('aggregates', () => {
  it('merge adds counts and sums, keeps extremes; percentiles are within 2% of a value put', () => {
    let a: Aggregate | undefined;
    for (let v = 1; v <= 1000; v++) a = merge(a, ofValue(v));
    assert.deepEqual([a!.n, a!.sum, a!.min, a!.max, statistic(a!, 'Average')], [1000, 500500, 1, 1000, 500.5]);
    for (const [p, want] of [[50, 500], [90, 900], [99, 990], [100, 1000]] as const) {
      const got = percentile(a!, p)!;
      assert.ok(Math.abs(got - want) / want <= 0.021, `p${p}: ${got} for ${want}`);
    }
    assert.equal(statistic(ofValue(0, 3), 'p50'), 0);
  });

  it('no percentiles once a negative value or a statistic set of unknown values is in', () => {
    assert.equal(percentile(merge(ofValue(5), ofValue(-1)), 50), undefined);
    assert.equal(percentile(ofStatisticSet({ SampleCount: 4, Sum: 10, Minimum: 1, Maximum: 4 }), 50), undefined);
    assert.equal(percentile(ofStatisticSet({ SampleCount: 4, Sum: 12, Minimum: 3, Maximum: 3 }), 50), 3);
  });

  it('reads extended statistics as AWS names them', () => {
    assert.deepEqual(['p99', 'p99.9', 'p0.1', 'p100', 'p0', 'p101', 'p99.999', 'tm99'].map(percentileOf), [99, 99.9, 0.1, 100, undefined, undefined, undefined, undefined]);
  });
});
