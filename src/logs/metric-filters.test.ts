/**
 * Metric filters' pure core: the fields a match extracts (JSON paths, space-delimited names),
 * AWS's rules for a transformation over its pattern, TestMetricFilter's matches, and a batch
 * aggregated into one datum per metric, dimension set, unit and minute.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsError } from '../aws/index.ts';
import { parseFilterPattern } from './filter-pattern.ts';
import { checkTransformation, metricFilterData, testMetricFilter } from './metric-filters.ts';
import type { MetricFilterRecord, MetricTransformationRecord } from './records.ts';

const ACCESS = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 500 1534';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function filter(filterPattern: string, t: Partial<MetricTransformationRecord>): MetricFilterRecord {
  return {
    filterName: 'f', filterPattern, logGroupName: 'g', creationTime: 0,
    metricTransformations: [{ metricName: 'M', metricNamespace: 'App', metricValue: '1', ...t }],
  };
}

const refusal = (pattern: string, t: Partial<MetricTransformationRecord>) => () =>
  checkTransformation(parseFilterPattern(pattern), filter(pattern, t).metricTransformations[0]!);

const invalid = (message: RegExp) => (error: AwsError) => {
  assert.equal(error.code, 'InvalidParameterException');
  assert.match(error.message, message);
  return true;
};

describe('fields a match extracts', () => {
  it('space-delimited: each named field as $name', () => {
    const p = parseFilterPattern('[ip, id, user, timestamp, request, status_code = 5*, size]');
    const m = p.match(ACCESS)!;
    assert.deepEqual(m.extracted, {
      $ip: '127.0.0.1', $id: '-', $user: 'frank', $timestamp: '10/Oct/2000:13:25:15 -0700', $request: 'GET /index.html HTTP/1.0', $status_code: '500', $size: '1534',
    });
    assert.equal(m.field('$size'), '1534');
    assert.equal(m.field('$nope'), undefined);
    assert.equal(p.match(ACCESS.replace(' 500 ', ' 200 ')), undefined);
  });

  it('space-delimited with an ellipsis: the fields before and after it', () => {
    const m = parseFilterPattern('[ip, ..., status, bytes > 1000]').match(ACCESS)!;
    assert.deepEqual(m.extracted, { $ip: '127.0.0.1', $status: '500', $bytes: '1534' });
  });

  it('JSON: the compared paths, and any path by lookup', () => {
    const p = parseFilterPattern('{ $.latency > 100 && $.user.name = "a*" }');
    assert.deepEqual(p.fields, ['$.latency', '$.user.name']);
    const m = p.match(JSON.stringify({ latency: 250, user: { name: 'alice', admin: true }, tags: ['x'] }))!;
    assert.deepEqual(m.extracted, { '$.latency': '250', '$.user.name': 'alice' });
    assert.equal(m.field('$.user.admin'), 'true');
    assert.equal(m.field('$.tags[0]'), 'x');
    assert.equal(m.field('$.user'), undefined, 'an object is no field value');
    assert.equal(p.match(JSON.stringify({ latency: 50, user: { name: 'alice' } })), undefined);
  });

  it('terms and regular expressions extract nothing', () => {
    assert.deepEqual(parseFilterPattern('ERROR').match('an ERROR here')!.extracted, {});
    assert.deepEqual(parseFilterPattern('%5\\d\\d%').match('got 503')!.extracted, {});
  });
});

describe('transformation rules', () => {
  it('metricValue: a number, or a field the pattern names', () => {
    for (const [pattern, value] of [['ERROR', '1'], ['ERROR', '-2.5'], ['{ $.latency > 0 }', '$.latency'], ['{ $.a = * }', '$.b.c'], ['[a, b]', '$b']]) {
      assert.doesNotThrow(refusal(pattern!, { metricValue: value }), `${pattern} ${value}`);
    }
    assert.throws(refusal('ERROR', { metricValue: '$.latency' }), invalid(/Invalid metricValue '\$\.latency'/));
    assert.throws(refusal('[a, b]', { metricValue: '$c' }), invalid(/Invalid metricValue/));
    assert.throws(refusal('{ $.a = 1 }', { metricValue: 'one' }), invalid(/Invalid metricValue/));
  });

  it('dimensions: at most 3, fields of a JSON or space-delimited pattern, never with a defaultValue', () => {
    assert.doesNotThrow(refusal('[ip, user, status]', { dimensions: { Ip: '$ip', User: '$user', Status: '$status' } }));
    assert.throws(refusal('[a, b, c, d]', { dimensions: { A: '$a', B: '$b', C: '$c', D: '$d' } }), invalid(/at most 3 dimensions/));
    assert.throws(refusal('{ $.a = 1 }', { dimensions: { A: '$.a' }, defaultValue: 0 }), invalid(/cannot have a defaultValue/));
    assert.throws(refusal('ERROR', { dimensions: { A: '$a' } }), invalid(/only for JSON and space-delimited/));
    assert.throws(refusal('[a, b]', { dimensions: { A: 'constant' } }), invalid(/Invalid dimension 'A'/));
  });
});

describe('TestMetricFilter', () => {
  it('numbers the matching messages from 1 and shows their extracted values', () => {
    assert.deepEqual(testMetricFilter('[ip, ..., status = 5*, bytes]', ['x', ACCESS, ACCESS.replace(' 500 ', ' 200 ')]), [
      { eventNumber: 2, eventMessage: ACCESS, extractedValues: { $ip: '127.0.0.1', $status: '500', $bytes: '1534' } },
    ]);
    assert.throws(() => testMetricFilter('{ $.x >', ['a']), invalid(/Invalid metric filter pattern/));
  });
});

describe('a batch as metric data', () => {
  const json = (o: object) => JSON.stringify(o);

  it('values from a field, counted per distinct value, per dimension set and per minute', () => {
    const events = [
      { timestamp: T0, message: json({ latency: 100, route: '/a' }) },
      { timestamp: T0 + 1000, message: json({ latency: 100, route: '/a' }) },
      { timestamp: T0 + 2000, message: json({ latency: 300, route: '/a' }) },
      { timestamp: T0 + 3000, message: json({ latency: 50, route: '/b' }) },
      { timestamp: T0 + 61_000, message: json({ latency: 70, route: '/a' }) },
      { timestamp: T0 + 62_000, message: json({ latency: 'slow', route: '/a' }) },
      { timestamp: T0 + 63_000, message: json({ latency: 9 }) },
      { timestamp: T0 + 64_000, message: 'not json' },
    ];
    const data = metricFilterData([filter('{ $.latency = * }', { metricName: 'Latency', metricValue: '$.latency', unit: 'Milliseconds', dimensions: { Route: '$.route' } })], events);
    assert.deepEqual(data, [
      { namespace: 'App', metricName: 'Latency', dimensions: [{ name: 'Route', value: '/a' }], timestamp: T0, values: [100, 300], counts: [2, 1], unit: 'Milliseconds' },
      { namespace: 'App', metricName: 'Latency', dimensions: [{ name: 'Route', value: '/b' }], timestamp: T0 + 3000, values: [50], counts: [1], unit: 'Milliseconds' },
      { namespace: 'App', metricName: 'Latency', dimensions: [{ name: 'Route', value: '/a' }], timestamp: T0 + 61_000, values: [70], counts: [1], unit: 'Milliseconds' },
    ]);
  });

  it('a literal value for each match, the default value for each event that does not match', () => {
    const events = ['ERROR a', 'INFO b', 'ERROR c', 'INFO d', 'INFO e'].map((message, i) => ({ timestamp: T0 + i, message }));
    assert.deepEqual(metricFilterData([filter('ERROR', { metricName: 'Errors', defaultValue: 0 })], events), [
      { namespace: 'App', metricName: 'Errors', dimensions: [], timestamp: T0, values: [1, 0], counts: [2, 3] },
    ]);
    assert.deepEqual(metricFilterData([filter('ERROR', { metricName: 'Errors' })], events.filter((e) => e.message.startsWith('INFO'))), []);
  });

  it('a flood of distinct values: at most 150 values per datum', () => {
    const events = Array.from({ length: 400 }, (_, i) => ({ timestamp: T0, message: `${i} x` }));
    const data = metricFilterData([filter('[n, x]', { metricValue: '$n' })], events);
    assert.deepEqual(data.map((d) => d.values.length), [150, 150, 100]);
    assert.equal(data.flatMap((d) => d.counts).reduce((a, b) => a + b), 400);
  });
});
