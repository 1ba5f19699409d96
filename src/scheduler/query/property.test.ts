/** Invariants of the query language checked over generated expressions and instances. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  QUERY_OPERATORS, evaluateQuery, parseQuery, printQuery, type QueryCondition, type QueryExpr, type QuerySubject,
} from './index.ts';
import { instance } from './testing.ts';

const NAMES = ['stack', 'ecs.instance-type', 'zone', 'n'];
const VALUES = ['prod', 'dev', 't2.micro', '10', '9', '', 'a b', "it's", 'x,y', '(p)', '[q]', 'a&&b', 'or', 'and', 'not'];
const PATTERNS = ['t2.*', '.*', '(prod|dev)', '[0-9]+', 'a b', '(?i)PROD'];
const FIELD_CONDITIONS = [
  'agentConnected == true', 'agentConnected in [false]', 'agentVersion < 1.14.5', 'agentVersion >= 1.80',
  'registeredAt < 2018-02-13', 'registeredAt >= 2018-02-13T10:00:00Z', 'runningTasksCount > 1',
  'ec2InstanceId in [i-1, i-2]', 'ec2InstanceId =~ i-[12]',
].map(parseQuery);

const value = fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 6 }).filter((v) => !(v.includes("'") && v.includes('"'))));
const subjectRef = fc.oneof(
  fc.constantFrom(...NAMES).map((name) => ({ kind: 'attribute', name }) as const),
  fc.constant({ kind: 'taskGroup' } as const),
);
const condition: fc.Arbitrary<QueryExpr> = fc.oneof(
  fc.record({ subject: subjectRef, operator: fc.constantFrom(...QUERY_OPERATORS), list: fc.array(value, { minLength: 1, maxLength: 3 }), pattern: fc.constantFrom(...PATTERNS) })
    .map(({ subject, operator, list, pattern }): QueryCondition => {
      const values = operator === 'exists' || operator === 'not_exists' ? []
        : operator === 'in' || operator === 'not_in' ? list
        : operator === 'matches' || operator === 'not_matches' ? [pattern] : [list[0]];
      return { type: 'condition', subject, operator, values };
    }),
  fc.constantFrom(...FIELD_CONDITIONS),
);
const { expr } = fc.letrec<{ expr: QueryExpr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    condition,
    fc.record({ type: fc.constantFrom('and' as const, 'or' as const), left: tie('expr'), right: tie('expr') }, { noNullPrototype: true }),
    fc.record({ type: fc.constant('not' as const), expr: tie('expr') }, { noNullPrototype: true }),
  ),
}));

const subject: fc.Arbitrary<QuerySubject> = fc.record({
  attrs: fc.dictionary(fc.constantFrom(...NAMES), fc.option(fc.constantFrom(...VALUES, 'PROD', '123'), { nil: undefined })),
  groups: fc.array(fc.constantFrom(...VALUES), { maxLength: 3 }),
  ec2InstanceId: fc.constantFrom('', 'i-1', 'i-3'),
  agentConnected: fc.option(fc.boolean(), { nil: undefined }),
  agentVersion: fc.option(fc.constantFrom('1.9.0', '1.14.5', '1.80.0'), { nil: undefined }),
  registeredAt: fc.option(fc.integer({ min: Date.parse('2018-02-12T00:00:00Z'), max: Date.parse('2018-02-15T00:00:00Z') }), { nil: undefined }),
  runningTasksCount: fc.option(fc.nat(3), { nil: undefined }),
}).map(({ attrs, groups, ...fields }) => instance(attrs, { ...fields, taskGroups: groups }));

const run = (prop: fc.IPropertyWithHooks<[QueryExpr, QuerySubject]> | fc.IProperty<[QueryExpr, QuerySubject]>) =>
  fc.assert(prop, { numRuns: 500 });

describe('query language properties', () => {
  test('printing then parsing gives back the same expression', () => {
    fc.assert(fc.property(expr, (e) => {
      assert.deepEqual(parseQuery(printQuery(e)), e, printQuery(e));
    }), { numRuns: 1000 });
  });

  test('not(X) is the negation of X', () => {
    run(fc.property(expr, subject, (e, s) => evaluateQuery({ type: 'not', expr: e }, s) === !evaluateQuery(e, s)));
  });

  test("De Morgan: not(A and B) = not A or not B; not(A or B) = not A and not B", () => {
    fc.assert(fc.property(expr, expr, subject, (a, b, s) => {
      const not = (x: QueryExpr): QueryExpr => ({ type: 'not', expr: x });
      assert.equal(evaluateQuery(not({ type: 'and', left: a, right: b }), s), evaluateQuery({ type: 'or', left: not(a), right: not(b) }, s));
      assert.equal(evaluateQuery(not({ type: 'or', left: a, right: b }), s), evaluateQuery({ type: 'and', left: not(a), right: not(b) }, s));
    }), { numRuns: 500 });
  });

  test('an expression and its printed form select the same instances', () => {
    run(fc.property(expr, subject, (e, s) => evaluateQuery(parseQuery(printQuery(e)), s) === evaluateQuery(e, s)));
  });

  test('exists and !exists are complements; every other operator is false on a missing attribute', () => {
    fc.assert(fc.property(fc.constantFrom(...QUERY_OPERATORS), value, subject, (operator, v, s) => {
      const c = (op: typeof operator): QueryExpr => ({
        type: 'condition', subject: { kind: 'attribute', name: 'absent' }, operator: op,
        values: op === 'exists' || op === 'not_exists' ? [] : op === 'matches' || op === 'not_matches' ? ['.*'] : [v],
      });
      assert.equal(evaluateQuery(c(operator), s), operator === 'not_exists');
    }));
  });

  test('the parser never throws anything but QuerySyntaxError, and a result always evaluates', () => {
    const pieces = fc.constantFrom('attribute:a', 'task:group', 'agentVersion', '==', '!=', '=~', 'in', '!', 'not', 'and', '||',
      '(', ')', '[', ']', ',', "'", '"', 'x', '1.2', 'exists', ' ');
    fc.assert(fc.property(fc.array(pieces, { maxLength: 12 }), subject, (parts, s) => {
      const text = parts.join(' ');
      let parsed: QueryExpr;
      try {
        parsed = parseQuery(text);
      } catch (e) {
        assert.equal((e as Error).name, 'QuerySyntaxError', `${text}: ${String(e)}`);
        return;
      }
      assert.equal(typeof evaluateQuery(parsed, s), 'boolean');
    }), { numRuns: 2000 });
  });
});
