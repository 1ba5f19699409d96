import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileJavaPattern } from './pattern.ts';

/** Whether the Java pattern accepts the whole value (throws when it cannot be converted). */
function matches(pattern: string, value: string): boolean {
  const compiled = compileJavaPattern(pattern);
  if (!compiled.ok) throw new Error(`${pattern}: ${compiled.reason}`);
  const viaSource = new RegExp(compiled.source, 'u').test(value);
  // The automaton and the JavaScript form must agree on every value.
  assert.equal(compiled.test(value), viaSource, `${pattern} on ${JSON.stringify(value)}`);
  return viaSource;
}

function reason(pattern: string): string {
  const compiled = compileJavaPattern(pattern);
  assert.ok(!compiled.ok, `${pattern} should not convert`);
  return compiled.reason;
}

describe('compileJavaPattern', () => {
  test('matches the whole value, as AWS applies a pattern', () => {
    assert.ok(matches('[\\w+=,.@-]+', 'alice.smith@example'));
    assert.ok(!matches('[\\w+=,.@-]+', 'alice smith'));
    assert.ok(!matches('[\\w+=,.@-]+', ''));
    assert.ok(matches('[a-z]+|[0-9]+', '123'));
    assert.ok(!matches('[a-z]+|[0-9]+', 'abc123'), 'alternation is grouped before anchoring');
    assert.ok(matches('^(range|count|sum)', 'count'));
    assert.ok(!matches('^(range|count|sum)', 'counter'));
  });

  test('escapes Java allows and unicode-mode JavaScript does not (\\: \\- outside classes)', () => {
    assert.ok(matches('[\\w+=,.@\\:-]*', 'a:b=c'));
    assert.ok(matches('[\\w-]+', 'a-b_c'), 'a dash after a class escape is a literal');
    assert.ok(matches('[a-zA-Z0-9-_+.]+', 'a-_+.'));
    assert.ok(matches('a\\-b\\#c', 'a-b#c'));
    assert.ok(matches('x]y}', 'x]y}'));
  });

  test('Unicode properties and Java POSIX classes', () => {
    const tag = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*';
    assert.ok(matches(tag, 'Équipe 42 ünd:x/y'));
    assert.ok(!matches(tag, 'semi;colon'));
    assert.ok(matches('\\p{Print}+', 'Hello, World!'));
    assert.ok(!matches('\\p{Print}+', 'tab\there'));
    assert.ok(!matches('\\p{Print}+', 'é'), 'POSIX classes are ASCII in Java');
    assert.ok(matches('\\p{Alpha}\\p{Digit}', 'a1'));
    assert.ok(matches('\\P{Digit}+', 'abc'));
    assert.ok(matches('\\p{IsAlphabetic}+', 'Zoë'));
    assert.ok(matches('\\p{IsLatin}+', 'abc'));
    assert.ok(matches('\\pL+', 'abc'));
  });

  test('\\s is ASCII whitespace in Java, not every Unicode space', () => {
    assert.ok(matches('a\\sb', 'a\tb'));
    assert.ok(!matches('a\\sb', 'a\u00a0b'));
    assert.ok(matches('[\\s\\S]*\\S[\\s\\S]*', ' x '));
    assert.ok(!matches('[\\s\\S]*\\S[\\s\\S]*', ' \n '));
    assert.ok(matches('a\\Sb', 'a\u00a0b'));
  });

  test('hex, \\x{..}, \\u, surrogate pairs and octal escapes', () => {
    assert.ok(matches('[\\x20-\\x7E]+', 'ok ~'));
    assert.ok(matches('\\x{1F600}', '😀'));
    assert.ok(matches('[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+', 'line\nnext ÿ'));
    assert.ok(!matches('[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+', 'Ā'));
    const xmlChars = '[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\r\\n\\t]*';
    assert.ok(matches(xmlChars, 'emoji 😀 ok'), 'a surrogate pair in escapes is one code point');
    assert.ok(!matches(xmlChars, '\u0001'));
    assert.ok(matches('\\0101', 'A'));
    assert.ok(matches('[^\\x00-\\x1F\\x7F]+', 'printable'));
    assert.ok(!matches('[^\\x00-\\x1F\\x7F]+', 'bell\u0007'));
  });

  test('possessive quantifiers and atomic groups do not backtrack', () => {
    assert.ok(!matches('a*+a', 'aaa'));
    assert.ok(matches('a*+b', 'aaab'));
    assert.ok(!matches('(?>a|ab)c', 'abc'));
    assert.ok(matches('(?>ab|a)c', 'abc'));
    assert.ok(matches('x{2,3}+', 'xxx'));
    assert.ok(!matches('[a-z]++[a-z]', 'abc'));
  });

  test('groups, backreferences, lookarounds and quantified lookarounds', () => {
    assert.ok(matches('(a|b)\\1', 'bb'));
    assert.ok(!matches('(a|b)\\1', 'ab'));
    assert.ok(matches('(?<first>x)\\k<first>', 'xx'));
    assert.ok(matches('^(?!\\s*$).+', ' a'));
    assert.ok(!matches('^(?!\\s*$).+', '   '));
    assert.ok(matches('(?<=a)b|ab', 'ab'));
    assert.ok(matches('^(\\/|(\\/(?!\\.)+[^$#<>;`|&?{}^*/\\n]+){1,4})$', '/mnt/data'));
    assert.ok(!matches('^(\\/|(\\/(?!\\.)+[^$#<>;`|&?{}^*/\\n]+){1,4})$', '/mnt/.hidden'));
  });

  test('inline flags: (?i) is ASCII case-insensitive, scoped to its group', () => {
    assert.ok(matches('(?i)all|[0-9]{12}', 'ALL'));
    assert.ok(matches('(?i)[a-c]+', 'AbC'));
    assert.ok(matches('a(?i:b)c', 'aBc'));
    assert.ok(!matches('a(?i:b)c', 'aBC'));
    assert.ok(matches('(?s)a.b', 'a\nb'));
    assert.ok(!matches('a.b', 'a\nb'));
    assert.ok(matches('(?x) a b # comment\n c', 'abc'));
  });

  test('quoting and nested classes', () => {
    assert.ok(matches('\\Qa.b*\\E', 'a.b*'));
    assert.ok(!matches('\\Qa.b*\\E', 'axbb'));
    assert.ok(matches('[a-c[x-z]]+', 'abxz'));
    assert.ok(!matches('[a-c[x-z]]+', 'm'));
  });

  test('what JavaScript cannot express is reported, not guessed', () => {
    assert.match(reason('[a-z&&[^aeiou]]'), /intersection/);
    assert.match(reason('\\p{InGreek}'), /InGreek/);
    assert.match(reason('\\Gabc'), /\\G/);
    assert.match(reason('(?U)\\w'), /flag/);
    assert.match(reason('[a-z[^x]]'), /negated nested/);
  });

  test('malformed patterns are reported', () => {
    assert.match(reason('(abc'), /unclosed group/);
    assert.match(reason('*a'), /dangling/);
    assert.match(reason('a{x}'), /repetition/);
    assert.match(reason('[z-a]'), /range/);
    assert.match(reason('\\1(a)'), /backreference/);
  });

  test('regular patterns run in linear time, even those that backtrack exponentially', () => {
    const ecrFilter = compileJavaPattern('^[a-z0-9*](?:[._\\-/a-z0-9*]?[a-z0-9*]+)*$');
    const eventsHeader = compileJavaPattern('^[ \\t]*[\\x20-\\x7E]+([ \\t]+[\\x20-\\x7E]+)*[ \\t]*$');
    assert.ok(ecrFilter.ok && ecrFilter.linear && eventsHeader.ok && eventsHeader.linear);
    const started = performance.now();
    assert.equal(ecrFilter.test(`${'a'.repeat(5000)}!`), false);
    assert.equal(eventsHeader.test(`${'a '.repeat(5000)}\u0000`), false);
    assert.equal(ecrFilter.test('team/app*'), true);
    assert.ok(performance.now() - started < 2000, 'no exponential backtracking');
  });

  test('backreferences and atomic groups are not regular: matched by JavaScript\'s engine', () => {
    const backref = compileJavaPattern('(a|b)\\1');
    const atomic = compileJavaPattern('(?>a|ab)c');
    assert.ok(backref.ok && !backref.linear && atomic.ok && !atomic.linear);
    assert.equal(backref.test('aa'), true);
    assert.equal(atomic.test('abc'), false);
  });
});
