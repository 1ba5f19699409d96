/**
 * The filter-pattern language on the examples of AWS's "Filter pattern syntax for metric
 * filters, subscription filters, filter log events, and Live Tail" page (its sample events and
 * what each pattern returns), refused patterns, and properties: a conjunction of terms matches
 * iff each term does; `?a ?b` iff either does; `-t` never matches an event containing t.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileFilterPattern, delimitedFields, FilterPatternError } from './filter-pattern.ts';

/** The unstructured sample events of AWS's page. */
const TEXT = [
  '[ERROR 400] BAD REQUEST',
  '[ERROR 401] UNAUTHORIZED REQUEST',
  '[ERROR 419] MISSING ARGUMENTS',
  '[ERROR 420] INVALID ARGUMENTS',
  '[WARN] BAD REQUEST',
  '[INFO] OK',
];

/** JSON sample events in the shape of AWS's examples. */
const JSON_EVENTS = [
  JSON.stringify({ eventType: 'UpdateTrail', sourceIPAddress: '123.123.123.123', arrayKey: ['value', 'another value'], objectList: [{ name: 'a', id: 1 }, { name: 'b', id: 2 }], SomeObject: null, ThisFlag: true, latency: 700, user: { id: 1, email: 'John.Doe@example.com' } }),
  JSON.stringify({ eventType: 'CreateTrail', sourceIPAddress: '10.0.0.1', arrayKey: ['other'], objectList: [], SomeObject: { a: 1 }, ThisFlag: false, latency: 40, level: 'ERROR', user: { id: 2 } }),
  'not json at all',
];

/** Apache access-log lines, as the space-delimited examples use. */
const ACCESS = [
  '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
  '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
  '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /index.html HTTP/1.0" 404 2100',
  '10.1.1.1 - alice [10/Oct/2000:13:55:01 -0700] "POST /login.html HTTP/1.0" 403 210',
];

const cases: Array<[string, string[], number[]]> = [
  ['', TEXT, [0, 1, 2, 3, 4, 5]],
  ['ERROR', TEXT, [0, 1, 2, 3]],
  ['ERROR ARGUMENTS', TEXT, [2, 3]],
  ['?ERROR ?WARN', TEXT, [0, 1, 2, 3, 4]],
  ['"INTERNAL SERVER ERROR"', [...TEXT, '[ERROR 500] INTERNAL SERVER ERROR'], [6]],
  ['"BAD REQUEST"', TEXT, [0, 4]],
  ['ERROR -ARGUMENTS', TEXT, [0, 1]],
  ['error', TEXT, []],
  ['{ $.eventType = "UpdateTrail" }', JSON_EVENTS, [0]],
  ['{ $.eventType = UpdateTrail }', JSON_EVENTS, [0]],
  ['{ $.sourceIPAddress != 123.123.* }', JSON_EVENTS, [1]],
  ['{ $.eventType = "*Trail" }', JSON_EVENTS, [0, 1]],
  ['{ $.arrayKey[0] = "value" }', JSON_EVENTS, [0]],
  ['{ $.objectList[1].id = 2 }', JSON_EVENTS, [0]],
  ['{ $.SomeObject IS NULL }', JSON_EVENTS, [0]],
  ['{ $.SomeOtherObject NOT EXISTS }', JSON_EVENTS, [0, 1]],
  ['{ $.level NOT EXISTS }', JSON_EVENTS, [0]],
  ['{ $.ThisFlag IS TRUE }', JSON_EVENTS, [0]],
  ['{ $.ThisFlag IS FALSE }', JSON_EVENTS, [1]],
  ['{ $.level = "ERROR" }', JSON_EVENTS, [1]],
  ['{ $.latency > 500 }', JSON_EVENTS, [0]],
  ['{ $.latency <= 40 }', JSON_EVENTS, [1]],
  ['{ ($.user.id = 1) && ($.user.email = "John.Doe@example.com") }', JSON_EVENTS, [0]],
  ['{ ($.user.id = 2 && $.user.email = "nonmatch") || $.arrayKey[0] = "other" }', JSON_EVENTS, [1]],
  ['{ $.latency > 500 || $.level = "ERROR" }', JSON_EVENTS, [0, 1]],
  ['[ip, user, username, timestamp, request, status_code, bytes]', ACCESS, [0, 1, 2, 3]],
  ['[ip, user, username, timestamp, request, status_code = 4*, bytes]', ACCESS, [2, 3]],
  ['[ip, user, username, timestamp, request = *.html*, status_code = 4*, bytes]', ACCESS, [2, 3]],
  ['[ip, user, ..., status_code = 5*, bytes]', ACCESS, [1]],
  ['[ip, user, ..., status_code, bytes > 1000]', ACCESS, [0, 1, 2]],
  ['[ip, user, ..., status_code = 4*, bytes > 1000]', ACCESS, [2]],
  ['[ip = 10.1.1.1, ...]', ACCESS, [3]],
  ['[ip, user, username = frank, ..., status_code != 200 && status_code != 404, bytes]', ACCESS, [1]],
  ['[a, b]', ACCESS, []],
  ['%ERROR 4[0-9]{2}%', TEXT, [0, 1, 2, 3]],
];

describe('filter patterns', () => {
  for (const [pattern, events, expected] of cases) {
    it(`${JSON.stringify(pattern)} matches ${JSON.stringify(expected)}`, () => {
      const match = compileFilterPattern(pattern);
      assert.deepEqual(events.flatMap((e, i) => (match(e) ? [i] : [])), expected);
    });
  }

  it('splits space-delimited lines with "…" and […] as one field each', () => {
    assert.deepEqual(delimitedFields(ACCESS[0]!), ['127.0.0.1', '-', 'frank', '10/Oct/2000:13:25:15 -0700', 'GET /apache_pb.gif HTTP/1.0', '200', '1534']);
  });

  it('refuses malformed patterns', () => {
    for (const bad of ['{ $.a = }', '{ $.a = 1', '{ a = 1 }', '{ $.a >> 1 }', '{ $.a > abc }', '[a,, b]', '[a, ..., ..., b]', '[a > x]', '%(%', '{ ($.a = 1 }', '{ $.a IS MAYBE }']) {
      assert.throws(() => compileFilterPattern(bad), FilterPatternError, bad);
    }
  });

  const word = fc.stringMatching(/^[A-Za-z0-9]{1,6}$/);
  const message = fc.array(fc.oneof(word, fc.constantFrom(' ', '-', ':', '[', ']')), { maxLength: 12 }).map((p) => p.join(''));

  it('a conjunction of terms matches iff each term does', () => {
    fc.assert(fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), message, (terms, m) => {
      const each = terms.every((t) => compileFilterPattern(t)(m));
      assert.equal(compileFilterPattern(terms.join(' '))(m), each);
    }));
  });

  it('?a ?b matches iff a or b does; -t never matches a message containing t', () => {
    fc.assert(fc.property(word, word, message, (a, b, m) => {
      assert.equal(compileFilterPattern(`?${a} ?${b}`)(m), compileFilterPattern(a)(m) || compileFilterPattern(b)(m));
      assert.equal(compileFilterPattern(`${a} -${b}`)(m), m.includes(a) && !m.includes(b));
    }));
  });

  it('JSON && and || are the conjunction and disjunction of their sides', () => {
    fc.assert(fc.property(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 }), (x, y, k) => {
      const m = JSON.stringify({ x, y });
      const left = compileFilterPattern(`{ $.x > ${k} }`)(m);
      const right = compileFilterPattern(`{ $.y = ${k} }`)(m);
      assert.equal(compileFilterPattern(`{ $.x > ${k} && $.y = ${k} }`)(m), left && right);
      assert.equal(compileFilterPattern(`{ $.x > ${k} || $.y = ${k} }`)(m), left || right);
    }));
  });
});
