/**
 * One aggregate of a metric's values over a span of time: SampleCount, Sum, Minimum, Maximum,
 * and a sparse histogram for percentiles. The histogram's buckets are logarithmic with a
 * relative width of 2% (γ = 1.02/0.98, as DDSketch's), so a percentile is answered within ±2%
 * of a value that was put; aggregates merge by adding buckets, so rollups lose no accuracy.
 */

/** `(1 + α) / (1 − α)` with α = 2%: a bucket's upper bound over its lower. */
const GAMMA = 1.02 / 0.98;
const LOG_GAMMA = Math.log(GAMMA);
/** The bucket of zero (no logarithm). */
const ZERO = 'z';

/** An aggregate as stored. `buckets` is absent once percentiles cannot be answered (a negative value, or a statistic set). */
export interface Aggregate {
  n: number;
  sum: number;
  min: number;
  max: number;
  /** Bucket index (or `z`) → count. */
  buckets?: Record<string, number>;
}

const bucketOf = (value: number): string => (value === 0 ? ZERO : String(Math.ceil(Math.log(value) / LOG_GAMMA)));

/** A bucket's representative value: the point equally far, relatively, from both its bounds. */
const valueOf = (bucket: string): number => (bucket === ZERO ? 0 : (2 * GAMMA ** Number(bucket)) / (GAMMA + 1));

/** The aggregate of `value` seen `count` times. */
export function ofValue(value: number, count = 1): Aggregate {
  return { n: count, sum: value * count, min: value, max: value, ...(value >= 0 ? { buckets: { [bucketOf(value)]: count } } : {}) };
}

/**
 * The aggregate of a statistic set. As AWS says, percentiles are answered for it only when its
 * SampleCount is 1 or its Minimum equals its Maximum (all its values are then known).
 */
export function ofStatisticSet(s: { SampleCount: number; Sum: number; Minimum: number; Maximum: number }): Aggregate {
  const known = (s.SampleCount === 1 || s.Minimum === s.Maximum) && s.Minimum >= 0;
  return { n: s.SampleCount, sum: s.Sum, min: s.Minimum, max: s.Maximum, ...(known ? { buckets: { [bucketOf(s.Minimum)]: s.SampleCount } } : {}) };
}

/** The two aggregates as one (neither is changed). */
export function merge(a: Aggregate | undefined, b: Aggregate): Aggregate {
  if (!a) return { ...b, ...(b.buckets ? { buckets: { ...b.buckets } } : {}) };
  const out: Aggregate = { n: a.n + b.n, sum: a.sum + b.sum, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
  if (a.buckets && b.buckets) {
    const buckets = { ...a.buckets };
    for (const [k, c] of Object.entries(b.buckets)) buckets[k] = (buckets[k] ?? 0) + c;
    out.buckets = buckets;
  }
  return out;
}

/** The p-th percentile (0 < p ≤ 100), or undefined when the aggregate cannot answer it. */
export function percentile(a: Aggregate, p: number): number | undefined {
  if (!a.buckets || a.n <= 0) return undefined;
  const order = Object.keys(a.buckets).sort((x, y) => (x === ZERO ? -1 : y === ZERO ? 1 : Number(x) - Number(y)));
  const rank = Math.max(1, Math.ceil((p / 100) * a.n));
  let seen = 0;
  for (const bucket of order) {
    seen += a.buckets[bucket]!;
    if (seen >= rank) return Math.min(a.max, Math.max(a.min, valueOf(bucket)));
  }
  return a.max;
}

/** CloudWatch's statistics of an aggregate: `SampleCount`, `Average`, `Sum`, `Minimum`, `Maximum`, or `pNN(.NN)`. */
export function statistic(a: Aggregate, name: string): number | undefined {
  switch (name) {
    case 'SampleCount': return a.n;
    case 'Sum': return a.sum;
    case 'Average': return a.n > 0 ? a.sum / a.n : undefined;
    case 'Minimum': return a.min;
    case 'Maximum': return a.max;
  }
  const p = percentileOf(name);
  return p === undefined ? undefined : percentile(a, p);
}

/** The percentile an extended statistic names (`p99`, `p99.9`, `p0.1`), or undefined for another name. */
export function percentileOf(name: string): number | undefined {
  const m = /^p(\d{1,2}(?:\.\d{1,2})?|100)$/.exec(name);
  if (!m) return undefined;
  const p = Number(m[1]);
  return p > 0 && p <= 100 ? p : undefined;
}
