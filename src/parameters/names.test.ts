/** Parameter Store's pure rules: names and hierarchies, paths, references with selectors, labels, tiers and AllowedPattern. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsError } from '../aws/index.ts';
import { checkAllowedPattern, checkName, isUnder, isValidLabel, levelsOf, normalizePath, parseReference, tierFor } from './names.ts';

const scope = { account: '123456789012', region: 'eu-west-1' };
const code = (expected: string) => (e: AwsError) => {
  assert.equal(e.code, expected, e.message);
  return true;
};

describe('parameter names', () => {
  it('takes plain names and fully qualified hierarchies up to 15 levels', () => {
    for (const name of ['db-url', 'a.b_c-d', '/app/prod/db', `/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}`]) checkName(name);
    assert.equal(levelsOf('/a/b/c'), 3);
    assert.equal(levelsOf('plain'), 1);
    assert.throws(() => checkName(`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`), code('HierarchyLevelLimitExceededException'));
  });

  it('refuses aws and ssm prefixes, spaces, odd characters and unqualified paths', () => {
    for (const name of ['aws-thing', 'SSM.x', '/aws/x', '/Ssm/y', 'has space', 'semi;colon', '/a//b', '/a/', 'a/b']) {
      assert.throws(() => checkName(name), code('ValidationException'), name);
    }
    assert.throws(() => checkName('a/b'), /fully qualified/);
    checkName('/app/aws');
  });

  it('normalizes paths and tells what is under them', () => {
    assert.equal(normalizePath('/app/'), '/app');
    assert.equal(normalizePath('/'), '/');
    assert.throws(() => normalizePath('app'), code('ValidationException'));
    assert.throws(() => normalizePath('/aws/x'), code('ValidationException'));
    assert.equal(isUnder('/app/db', '/app', false), true);
    assert.equal(isUnder('/app/db/user', '/app', false), false);
    assert.equal(isUnder('/app/db/user', '/app', true), true);
    assert.equal(isUnder('/apple', '/app', true), false);
    assert.equal(isUnder('/x', '/', false), true);
    assert.equal(isUnder('/x/y', '/', false), false);
    assert.equal(isUnder('x', '/', true), false);
  });
});

describe('references', () => {
  it('parses names with version and label selectors', () => {
    assert.deepEqual(parseReference('/a/b', scope), { candidates: ['/a/b'], selector: { kind: 'latest' } });
    assert.deepEqual(parseReference('/a/b:3', scope), { candidates: ['/a/b'], selector: { kind: 'version', version: 3 }, selectorText: ':3' });
    assert.deepEqual(parseReference('x:prod', scope), { candidates: ['x'], selector: { kind: 'label', label: 'prod' }, selectorText: ':prod' });
    assert.throws(() => parseReference('x:', scope), code('ValidationException'));
  });

  it('parses ARNs of this account and region; a one-level ARN may mean either name form', () => {
    const arn = 'arn:aws:ssm:eu-west-1:123456789012:parameter';
    assert.deepEqual(parseReference(`${arn}/a/b:2`, scope).candidates, ['/a/b']);
    assert.deepEqual(parseReference(`${arn}/a/b:2`, scope).selector, { kind: 'version', version: 2 });
    assert.deepEqual(parseReference(`${arn}/x`, scope).candidates, ['x', '/x']);
    assert.deepEqual(parseReference('arn:aws:ssm:us-east-1:123456789012:parameter/x', scope).candidates, []);
    assert.deepEqual(parseReference('arn:aws:ssm:eu-west-1:999999999999:parameter/x', scope).candidates, []);
  });
});

describe('labels, tiers and patterns', () => {
  it('labels: letters, digits, ._- up to 100, not starting with a digit, aws or ssm', () => {
    for (const ok of ['prod', 'Release-1.2_x', 'a'.repeat(100)]) assert.equal(isValidLabel(ok), true, ok);
    for (const bad of ['1st', 'aws-x', 'SSMy', 'has space', 'a/b', 'a'.repeat(101), '']) assert.equal(isValidLabel(bad), false, bad);
  });

  it('tiers: Standard holds 4096 bytes, Advanced 8192, Intelligent-Tiering picks, Advanced never goes back', () => {
    assert.equal(tierFor(undefined, undefined, 4096), 'Standard');
    assert.throws(() => tierFor('Standard', undefined, 4097), /maximum parameter value of 4096/);
    assert.equal(tierFor('Intelligent-Tiering', undefined, 4097), 'Advanced');
    assert.equal(tierFor('Intelligent-Tiering', undefined, 10), 'Standard');
    assert.equal(tierFor('Advanced', undefined, 8192), 'Advanced');
    assert.throws(() => tierFor('Advanced', undefined, 8193), code('ValidationException'));
    assert.equal(tierFor(undefined, 'Advanced', 10), 'Advanced');
    assert.throws(() => tierFor('Standard', 'Advanced', 10), /can't downgrade/);
  });

  it('AllowedPattern: a mismatch and a broken pattern have their own errors', () => {
    checkAllowedPattern('^\\d+$', '42');
    checkAllowedPattern(undefined, 'anything');
    assert.throws(() => checkAllowedPattern('^\\d+$', 'x'), code('ParameterPatternMismatchException'));
    assert.throws(() => checkAllowedPattern('([', 'x'), code('InvalidAllowedPatternException'));
  });
});
