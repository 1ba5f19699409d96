import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsError } from '../aws/index.ts';
import { computeExpression, parseExpression, referencedIds, type MathContext, type Series } from './math.ts';

const T = [0, 60_000, 120_000, 180_000];
const s = (label: string, timestamps: number[], values: number[]): Series => ({ label, timestamps, values });
const ctx: MathContext = {
  results: new Map([
    ['m1', s('Errors', [0, 60_000, 180_000], [2, 4, 6])],
    ['m2', s('Requests', T, [10, 20, 30, 40])],
  ]),
  metricIds: ['m1', 'm2'],
  grid: T,
};
const run = (text: string) => computeExpression('e1', text, ctx);

describe('metric math', () => {
  it('arithmetic on series keeps the timestamps both have; scalars apply everywhere; precedence as usual', () => {
    assert.deepEqual(run('100 * m1 / m2'), s('', [0, 60_000, 180_000], [20, 20, 15]));
    assert.deepEqual(run('m2 - 2 * 3 ^ 2'), s('', T, [-8, 2, 12, 22]));
    assert.deepEqual(run('-(m1 + 1)'), s('', [0, 60_000, 180_000], [-3, -5, -7]));
  });

  it('SUM, AVG, MIN, MAX across METRICS() per timestamp, and over one series to a scalar', () => {
    assert.deepEqual(run('SUM(METRICS())'), s('SUM', T, [12, 24, 30, 46]));
    assert.deepEqual(run('MAX([m1, m2])'), s('MAX', T, [10, 20, 30, 40]));
    assert.deepEqual(run('MIN(METRICS("Err"))'), s('MIN', [0, 60_000, 180_000], [2, 4, 6]));
    assert.equal(run('AVG(m2)'), 25);
    assert.deepEqual(run('m2 - AVG(m2)'), s('', T, [-15, -5, 5, 15]));
  });

  it('FILL with a value, REPEAT and LINEAR over the period grid', () => {
    assert.deepEqual(run('FILL(m1, 0)'), s('Errors', T, [2, 4, 0, 6]));
    assert.deepEqual(run('FILL(m1, REPEAT)'), s('Errors', T, [2, 4, 4, 6]));
    assert.deepEqual(run('FILL(m1, LINEAR)'), s('Errors', T, [2, 4, 5, 6]));
    assert.deepEqual((run('FILL(METRICS(), 1)') as Series[]).map((x) => x.values), [[2, 4, 1, 6], [10, 20, 30, 40]]);
  });

  it('IF with comparisons and AND/OR picks per timestamp; without an else, the rest is left out', () => {
    assert.deepEqual(run('IF(m2 > 15, m2, 0)'), s('', T, [0, 20, 30, 40]));
    assert.deepEqual(run('IF(m2 >= 20 AND m2 < 40, 1)'), s('', [60_000, 120_000], [1, 1]));
    assert.deepEqual(run('IF(m2 == 10 || m2 != m2, m1, m2)'), s('', T, [2, 20, 30, 40]));
  });

  it('refuses what it cannot read or compute, naming the query', () => {
    const refused = (text: string, message: RegExp) => assert.throws(() => run(text), (e: AwsError) => e.code === 'ValidationException' && message.test(e.message));
    refused('m1 +', /^Error in expression e1: Unexpected end of expression\.$/);
    refused('m3 * 2', /Unrecognized metric or expression id: m3/);
    refused('STDDEV(m1)', /Unsupported function: STDDEV/);
    refused('FILL(m1)', /FILL takes 2 argument/);
    refused('m1 $ 2', /Unexpected character/);
    assert.deepEqual(referencedIds(parseExpression('FILL(m1, REPEAT) + SUM([m2, e0])')), ['m1', 'REPEAT', 'm2', 'e0']);
  });
});
