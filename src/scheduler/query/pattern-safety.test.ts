import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery, QuerySyntaxError } from './index.ts';
import { unboundedRepeatOfChoice } from './values.ts';

describe('pattern safety', () => {
  it('refuses groups that repeat a repetition or an alternation without bound', () => {
    for (const p of ['(a+)+b', '(a|a)*', '(x*){2,}', '((ab)*)+', '((a)+)+']) assert.equal(unboundedRepeatOfChoice(p), true, p);
  });

  it('accepts the patterns placement uses', () => {
    for (const p of ['t2.*', '(t2|t3).*', 'a+b*', '(abc)+', '[(a+)]+', 'm5\\.(large|xlarge)', '(a|b)?', '(a+)?', '(a|b){2}', '(a+)\\)+', '((a)+)']) {
      assert.equal(unboundedRepeatOfChoice(p), false, p);
    }
  });

  it('rejects such a pattern as a syntax error, naming where', () => {
    assert.throws(() => parseQuery('attribute:ecs.instance-type =~ (a+)+b'), (e: unknown) => e instanceof QuerySyntaxError && /exponential/.test(e.message));
  });
});
