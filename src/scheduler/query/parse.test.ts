import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MAX_QUERY_DEPTH, MAX_QUERY_LENGTH, QuerySyntaxError, parseQuery, type QueryCondition, type QueryExpr, type QueryOperator,
} from './index.ts';

const attr = (name: string) => ({ kind: 'attribute', name }) as const;
const cond = (subject: QueryCondition['subject'], operator: QueryOperator, ...values: string[]): QueryCondition => ({
  type: 'condition', subject, operator, values,
});
const stack = (operator: QueryOperator, ...values: string[]) => cond(attr('stack'), operator, ...values);

/** Asserts `text` is rejected at 1-based `position` with a reason matching `reason`. */
function rejects(text: string, position: number, reason: RegExp) {
  assert.throws(
    () => parseQuery(text),
    (e: unknown) => {
      assert.ok(e instanceof QuerySyntaxError, `expected QuerySyntaxError, got ${String(e)}`);
      assert.equal(e.position, position, `position of: ${e.message}`);
      assert.match(e.reason, reason);
      assert.equal(e.message, `Invalid expression at position ${position}: ${e.reason}`);
      return true;
    },
  );
}

describe('parseQuery: operators', () => {
  const cases: [string, QueryOperator][] = [
    ['==', 'equals'], ['equals', 'equals'], ['!=', 'not_equals'], ['not_equals', 'not_equals'],
    ['>', 'greater_than'], ['greater_than', 'greater_than'], ['>=', 'greater_than_equal'], ['greater_than_equal', 'greater_than_equal'],
    ['<', 'less_than'], ['less_than', 'less_than'], ['<=', 'less_than_equal'], ['less_than_equal', 'less_than_equal'],
    ['=~', 'matches'], ['matches', 'matches'], ['!~', 'not_matches'], ['not_matches', 'not_matches'],
  ];
  for (const [spelling, op] of cases) {
    test(`'${spelling}' is ${op}`, () => {
      assert.deepEqual(parseQuery(`attribute:stack ${spelling} prod`), stack(op, 'prod'));
    });
  }

  test('symbols need no spaces around them', () => {
    assert.deepEqual(parseQuery('attribute:stack==prod'), stack('equals', 'prod'));
    assert.deepEqual(parseQuery('attribute:n>=10'), cond(attr('n'), 'greater_than_equal', '10'));
    assert.deepEqual(parseQuery('attribute:n<10'), cond(attr('n'), 'less_than', '10'));
  });

  test('exists, !exists, not_exists take no argument', () => {
    assert.deepEqual(parseQuery('attribute:stack exists'), stack('exists'));
    assert.deepEqual(parseQuery('attribute:stack !exists'), stack('not_exists'));
    assert.deepEqual(parseQuery('attribute:stack ! exists'), stack('not_exists'));
    assert.deepEqual(parseQuery('attribute:stack not_exists'), stack('not_exists'));
  });

  test('in, !in, not_in take a list', () => {
    assert.deepEqual(parseQuery('attribute:stack in [prod, dev]'), stack('in', 'prod', 'dev'));
    assert.deepEqual(parseQuery('attribute:stack in [prod]'), stack('in', 'prod'));
    assert.deepEqual(parseQuery('attribute:stack !in [prod,dev]'), stack('not_in', 'prod', 'dev'));
    assert.deepEqual(parseQuery('attribute:stack not_in [ prod , dev ]'), stack('not_in', 'prod', 'dev'));
  });

  test('word operators and keywords are case-insensitive', () => {
    assert.deepEqual(parseQuery('attribute:stack EXISTS'), stack('exists'));
    assert.deepEqual(parseQuery('attribute:stack Not_In [a]'), stack('not_in', 'a'));
    assert.deepEqual(parseQuery('NOT attribute:stack exists AND attribute:stack exists OR attribute:stack exists'), {
      type: 'or', left: { type: 'and', left: { type: 'not', expr: stack('exists') }, right: stack('exists') }, right: stack('exists'),
    });
  });
});

describe('parseQuery: subjects', () => {
  test('attribute:<name> with the characters ECS allows in names', () => {
    assert.deepEqual(parseQuery('attribute:ecs.instance-type exists'), cond(attr('ecs.instance-type'), 'exists'));
    assert.deepEqual(parseQuery('attribute:com.amazonaws.ecs.capability.docker-remote-api.1.17 exists'),
      cond(attr('com.amazonaws.ecs.capability.docker-remote-api.1.17'), 'exists'));
    assert.deepEqual(parseQuery('attribute:team/sub_team\\x exists'), cond(attr('team/sub_team\\x'), 'exists'));
  });

  test('task:group and the instance fields', () => {
    assert.deepEqual(parseQuery('task:group == service:web'), cond({ kind: 'taskGroup' }, 'equals', 'service:web'));
    for (const [text, name, op, value] of [
      ['agentConnected == false', 'agentConnected', 'equals', 'false'],
      ['agentVersion >= 1.14.5', 'agentVersion', 'greater_than_equal', '1.14.5'],
      ['ec2InstanceId =~ i-0.*', 'ec2InstanceId', 'matches', 'i-0.*'],
      ['registeredAt <= 2018-06-18T22:28:28+00:00', 'registeredAt', 'less_than_equal', '2018-06-18T22:28:28+00:00'],
      ['runningTasksCount > 3', 'runningTasksCount', 'greater_than', '3'],
    ] as const) {
      assert.deepEqual(parseQuery(text), cond({ kind: 'field', name }, op, value), text);
    }
  });
});

describe('parseQuery: values', () => {
  test('quoted with single or double quotes, holding spaces, commas and brackets', () => {
    assert.deepEqual(parseQuery('attribute:team == "data science"'), cond(attr('team'), 'equals', 'data science'));
    assert.deepEqual(parseQuery("attribute:team in ['data science', \"it's\", 'a,b]']"), cond(attr('team'), 'in', 'data science', "it's", 'a,b]'));
    assert.deepEqual(parseQuery("attribute:team == ''"), cond(attr('team'), 'equals', ''));
  });

  test('a bare value may hold colons, wildcards, slashes and balanced parentheses', () => {
    assert.deepEqual(parseQuery('attribute:t =~ t2.(micro|small)'), cond(attr('t'), 'matches', 't2.(micro|small)'));
    assert.deepEqual(parseQuery('attribute:t =~ [tm]5.*'), cond(attr('t'), 'matches', '[tm]5.*'));
    assert.deepEqual(parseQuery('attribute:t =~ a{1,3}'), cond(attr('t'), 'matches', 'a{1,3}'));
    assert.deepEqual(parseQuery('attribute:arn == arn:aws:ecs:us-east-1:1/x'), cond(attr('arn'), 'equals', 'arn:aws:ecs:us-east-1:1/x'));
  });

  test("a closing parenthesis that isn't the value's ends it", () => {
    assert.deepEqual(parseQuery('not(task:group == database)'), { type: 'not', expr: cond({ kind: 'taskGroup' }, 'equals', 'database') });
    assert.deepEqual(parseQuery('(attribute:t =~ t2.(a|b))'), cond(attr('t'), 'matches', 't2.(a|b)'));
  });

  test('&& and || end a bare value', () => {
    assert.deepEqual(parseQuery('attribute:a == x&&attribute:b == y'), { type: 'and', left: cond(attr('a'), 'equals', 'x'), right: cond(attr('b'), 'equals', 'y') });
    assert.deepEqual(parseQuery('attribute:a == x||attribute:b exists'), { type: 'or', left: cond(attr('a'), 'equals', 'x'), right: cond(attr('b'), 'exists') });
  });
});

describe('parseQuery: compound expressions', () => {
  const [a, b, c] = ['a', 'b', 'c'].map((n) => cond(attr(n), 'exists'));
  const A = 'attribute:a exists';
  const B = 'attribute:b exists';
  const C = 'attribute:c exists';

  test('and binds tighter than or, in every spelling', () => {
    const expected: QueryExpr = { type: 'or', left: a, right: { type: 'and', left: b, right: c } };
    assert.deepEqual(parseQuery(`${A} or ${B} and ${C}`), expected);
    assert.deepEqual(parseQuery(`${A} || ${B} && ${C}`), expected);
    assert.deepEqual(parseQuery(`${A} or ${B} && ${C}`), expected);
  });

  test('and / or are left-associative', () => {
    assert.deepEqual(parseQuery(`${A} and ${B} and ${C}`), { type: 'and', left: { type: 'and', left: a, right: b }, right: c });
    assert.deepEqual(parseQuery(`${A} or ${B} or ${C}`), { type: 'or', left: { type: 'or', left: a, right: b }, right: c });
  });

  test('parentheses set precedence', () => {
    assert.deepEqual(parseQuery(`(${A} or ${B}) and ${C}`), { type: 'and', left: { type: 'or', left: a, right: b }, right: c });
    assert.deepEqual(parseQuery(`${A} and (${B} or ${C})`), { type: 'and', left: a, right: { type: 'or', left: b, right: c } });
    assert.deepEqual(parseQuery(`((${A}))`), a);
  });

  test('not and ! bind tighter than and', () => {
    assert.deepEqual(parseQuery(`not ${A} and ${B}`), { type: 'and', left: { type: 'not', expr: a }, right: b });
    assert.deepEqual(parseQuery(`!(${A} and ${B})`), { type: 'not', expr: { type: 'and', left: a, right: b } });
    assert.deepEqual(parseQuery(`!!${A}`), { type: 'not', expr: { type: 'not', expr: a } });
    assert.deepEqual(parseQuery(`not not(${A})`), { type: 'not', expr: { type: 'not', expr: a } });
  });

  test('white space of any kind separates', () => {
    assert.deepEqual(parseQuery(`\t${A}\nand\r\n${B}  `), { type: 'and', left: a, right: b });
  });
});

describe('parseQuery: syntax errors say where and what', () => {
  test('empty expression', () => rejects('   ', 1, /^empty expression$/));
  test('missing operator', () => rejects('attribute:stack', 16, /^expected an operator \(==, .*\), found end of expression$/));
  test('unknown operator word', () => rejects('attribute:stack is prod', 17, /^expected an operator .*, found 'is'$/));
  test('single =', () => rejects('attribute:stack = prod', 17, /'=' is not an operator; use '==' or 'equals'/));
  test('missing value', () => rejects('attribute:stack == ', 20, /^expected a value after '==', found end of expression$/));
  test('missing value before and', () => rejects('attribute:stack == && attribute:x exists', 20, /^expected a value after '==', found '&&'$/));
  test('unclosed parenthesis', () => rejects('(attribute:stack exists', 24, /^expected 'and', 'or' or '\)' to close the '\(' at position 1, found end of expression$/));
  test('stray closing parenthesis', () => rejects('attribute:stack exists)', 23, /^expected 'and', 'or' or end of expression, found '\)'$/));
  test('two conditions without and/or', () => rejects('attribute:a exists attribute:b exists', 20, /found 'attribute:b'/));
  test('in without a list', () => rejects('attribute:stack in prod', 20, /^expected '\[' to start the value list after 'in', found 'prod'$/));
  test('unterminated list', () => rejects('attribute:stack in [a, b', 25, /^expected ',' or '\]', found end of expression$/));
  test('empty list', () => rejects('attribute:stack in []', 21, /^expected a value after '\[', found '\]'$/));
  test('list item missing after a comma', () => rejects('attribute:stack in [a, ]', 24, /^expected a value after ',', found '\]'$/));
  test('list items without a comma', () => rejects('attribute:stack in [a b]', 23, /^expected ',' or '\]', found 'b'$/));
  test('empty attribute name', () => rejects('attribute: exists', 1, /needs an attribute name/));
  test('attribute name with a character ECS does not allow', () => rejects('attribute:a:b exists', 1, /'a:b' is not an attribute name/));
  test('attribute name over 128 characters', () => rejects(`attribute:${'n'.repeat(129)} exists`, 1, /at most 128 characters/));
  test('unknown subject', () => rejects('instanceType == t2.micro', 1, /^unknown subject 'instanceType'/));
  test('subjects are case-sensitive', () => rejects('AgentConnected == true', 1, /^unknown subject 'AgentConnected'/));
  test('a value where a subject belongs', () => rejects('attribute:a exists and == b', 24, /^expected a subject such as attribute:<name> or task:group, found '=='$/));
  test('dangling and', () => rejects('attribute:stack exists and', 27, /^expected a subject .* found end of expression$/));
  test('! followed by something else', () => rejects('attribute:stack ! prod', 19, /^expected 'exists' or 'in' after '!', found 'prod'$/));
  test('unterminated quote', () => rejects('attribute:team == "data', 19, /^unterminated quoted value$/));
  test('a parenthesized value', () => rejects('attribute:team == (a)', 19, /can't start with '\('/));
  test('an invalid pattern', () => rejects('attribute:t =~ "t2.(micro"', 16, /^invalid pattern 't2.\(micro': /));
  test('a pattern that would escape its anchoring', () => rejects("attribute:t =~ 'a)|(b'", 16, /^invalid pattern/));

  test('operators the documentation does not list for a field', () => {
    rejects('agentVersion exists', 14, /^operator 'exists' is not valid for agentVersion \(valid: ==, !=, >, >=, <, <=\)$/);
    rejects('agentVersion =~ 1.*', 14, /not valid for agentVersion/);
    rejects('agentConnected > true', 16, /^operator '>' is not valid for agentConnected \(valid: ==, !=, in, !in, =~, !~\)$/);
    rejects('ec2InstanceId  <= i-1', 16, /not valid for ec2InstanceId/);
    rejects('registeredAt in [2018-01-01]', 14, /not valid for registeredAt/);
    rejects('runningTasksCount !exists', 19, /not valid for runningTasksCount/);
  });

  test('field arguments of the wrong kind', () => {
    rejects('agentVersion < latest', 16, /^agentVersion takes a version such as 1.14.5, found 'latest'$/);
    rejects('runningTasksCount == one', 22, /^runningTasksCount takes a whole number, found 'one'$/);
    rejects('runningTasksCount > -1', 21, /whole number/);
    rejects('agentConnected == yes', 19, /^agentConnected takes true or false, found 'yes'$/);
    rejects('agentConnected in [true, maybe]', 26, /true or false/);
    for (const date of ['2018-02-30', '2018-13-01', '18-02-01', '2018-02-13T25:00:00', '2018-02-13T10:00', '2018-02-13 10:00:00Z', '2018-02-13T10:00:00+0000']) {
      rejects(`registeredAt < '${date}'`, 16, /^registeredAt takes a date such as 2018-06-18/);
    }
  });

  test(`more than ${MAX_QUERY_LENGTH} characters`, () => {
    const clause = 'attribute:stack exists';
    const atLimit = `${clause}${' '.repeat(MAX_QUERY_LENGTH - clause.length)}`;
    assert.deepEqual(parseQuery(atLimit), stack('exists'));
    rejects(`${atLimit} `, MAX_QUERY_LENGTH + 1, /^the expression is 2001 characters long; the maximum is 2000$/);
  });

  test(`nesting deeper than ${MAX_QUERY_DEPTH}`, () => {
    const nest = (n: number) => `${'('.repeat(n)}attribute:a exists${')'.repeat(n)}`;
    assert.deepEqual(parseQuery(nest(MAX_QUERY_DEPTH)), cond(attr('a'), 'exists'));
    rejects(nest(MAX_QUERY_DEPTH + 1), MAX_QUERY_DEPTH + 1, /nest more than 100 deep/);
    rejects(`${'!'.repeat(MAX_QUERY_DEPTH + 1)}attribute:a exists`, MAX_QUERY_DEPTH + 1, /nest more than 100 deep/);
  });

  test('the message names the position and the reason', () => {
    assert.throws(() => parseQuery('attribute:ecs.instance-type == '), { message: "Invalid expression at position 32: expected a value after '==', found end of expression" });
  });
});

describe('parseQuery: patterns', () => {
  test('a bare pattern may start with a parenthesis', () => {
    assert.deepEqual(parseQuery('attribute:t =~ (t2|t3).*'), cond(attr('t'), 'matches', '(t2|t3).*'));
    assert.deepEqual(parseQuery('not(attribute:t !~ (t2|t3).*)'), { type: 'not', expr: cond(attr('t'), 'not_matches', '(t2|t3).*') });
  });
});
