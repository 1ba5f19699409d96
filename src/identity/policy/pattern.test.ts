import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileWildcard, matchTokens, QMARK, resolve, STAR, tokenize } from './pattern.ts';

/** A deliberately naive wildcard matcher (dynamic programming over both strings), the reference for the property test. */
function reference(pattern: string, s: string): boolean {
  const m = pattern.length;
  const n = s.length;
  const dp: boolean[][] = Array.from({ length: m + 1 }, () => new Array<boolean>(n + 1).fill(false));
  dp[0][0] = true;
  for (let i = 1; i <= m; i++) dp[i][0] = dp[i - 1][0] && pattern[i - 1] === '*';
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const p = pattern[i - 1];
      if (p === '*') dp[i][j] = dp[i - 1][j] || dp[i][j - 1];
      else dp[i][j] = dp[i - 1][j - 1] && (p === '?' || p === s[j - 1]);
    }
  }
  return dp[m][n];
}

describe('wildcard patterns', () => {
  it('match * as any run and ? as exactly one character', () => {
    const t = compileWildcard('ecs:*Task?');
    assert.equal(t('ecs:RunTasks'), true);
    assert.equal(t('ecs:RunTask'), false);
    assert.equal(t('ecs:Tasks'), true);
    assert.equal(compileWildcard('*')(''), true);
    assert.equal(compileWildcard('')(''), true);
    assert.equal(compileWildcard('')('x'), false);
    assert.equal(compileWildcard('a*b*c')('abxbc'), true);
    assert.equal(compileWildcard('a*b*c')('acb'), false);
    assert.equal(compileWildcard('*log*')('carlossalazar-logs'), true);
  });

  it('fold case when asked (actions are case-insensitive)', () => {
    const t = compileWildcard('Describe*', true);
    assert.equal(t('describeservices'), true);
    assert.equal(compileWildcard('Describe*')('describeservices'), false);
  });

  it('agree with a simple reference matcher on random strings', () => {
    const alphabet = fc.constantFrom('a', 'b', ':', '/');
    const pat = fc.array(fc.oneof(alphabet, fc.constantFrom('*', '?')), { maxLength: 8 }).map((a) => a.join(''));
    const str = fc.array(alphabet, { maxLength: 12 }).map((a) => a.join(''));
    fc.assert(
      fc.property(pat, str, (p, s) => {
        assert.equal(compileWildcard(p)(s), reference(p, s), `pattern ${JSON.stringify(p)} on ${JSON.stringify(s)}`);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('policy variables', () => {
  const vars = { wildcards: true, variables: true };

  it('tokenize ${key} as a variable, lower-casing the key', () => {
    assert.deepEqual(tokenize('home/${aws:username}/*', vars), ['home/', { key: 'aws:username' }, '/', STAR]);
  });

  it("read a default written as ${key, 'default'}", () => {
    assert.deepEqual(tokenize("${aws:userid, 'anonymous'}", vars), [{ key: 'aws:userid', fallback: 'anonymous' }]);
    assert.deepEqual(resolve(tokenize("a-${aws:userid, 'anonymous'}", vars), { variable: () => undefined }), ['a-', 'anonymous']);
  });

  it('read ${*} ${?} ${$} as the literal characters', () => {
    const tokens = tokenize('a${*}b${?}c${$}d?', vars);
    assert.deepEqual(tokens, ['a*b?c$d', QMARK]);
    assert.equal(matchTokens(tokens, 'a*b?c$dx'), true);
    assert.equal(matchTokens(tokens, 'aXb?c$dx'), false);
  });

  it('stay literal text when variables are off (2008-10-17 documents)', () => {
    assert.deepEqual(tokenize('${aws:username}', { wildcards: true, variables: false }), ['${aws:username}']);
  });

  it('resolve to the value, as literal text, or to nothing when the key has no value and no default', () => {
    const tokens = tokenize('bucket/${aws:PrincipalTag/team}/*', vars);
    assert.deepEqual(resolve(tokens, { variable: (k) => (k === 'aws:principaltag/team' ? 'a*b' : undefined) }), ['bucket/', 'a*b', '/', STAR]);
    assert.equal(matchTokens(resolve(tokens, { variable: () => 'a*b' })!, 'bucket/a*b/x'), true);
    assert.equal(matchTokens(resolve(tokens, { variable: () => 'a*b' })!, 'bucket/aXb/x'), false);
    assert.equal(resolve(tokens, { variable: () => undefined }), undefined);
  });

  it('leave unclosed or empty braces as text', () => {
    assert.deepEqual(tokenize('a${b', vars), ['a${b']);
    assert.deepEqual(tokenize('a${}', vars), ['a${}']);
  });
});
