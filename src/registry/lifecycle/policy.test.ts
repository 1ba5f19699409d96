import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AwsError } from '../../aws/index.ts';
import { LIFECYCLE_POLICY_TEXT_LENGTH, parseLifecyclePolicy } from './policy.ts';

type Json = Record<string, unknown>;

const expire = { type: 'expire' };
const rule = (rulePriority: number, selection: Json, over: Json = {}): Json => ({ rulePriority, selection, action: expire, ...over });
const untaggedCount = (n = 1): Json => ({ tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: n });
const text = (document: unknown) => JSON.stringify(document, null, 2);
const policy = (...rules: Json[]) => text({ rules });
/** A one-rule policy whose selection is `selection`. */
const withSelection = (selection: Json) => policy(rule(1, selection));

const PREFIX = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";

function rejects(input: string, message: RegExp | string): void {
  assert.throws(
    () => parseLifecyclePolicy(input),
    (err: unknown) => {
      assert.ok(err instanceof AwsError, `expected an AwsError, got ${String(err)}`);
      assert.equal(err.code, 'InvalidParameterException');
      assert.equal(err.status, 400);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

/** Rejected by the policy validator, with ECR's framing around `detail` (which, as a string, starts the detail). */
function refused(input: string, detail: RegExp | string): void {
  const source = typeof detail === 'string' ? `${escape(detail)}.*` : `.*${detail.source}.*`;
  rejects(input, new RegExp(`^${escape(PREFIX)}${source}'$`));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Pads a valid policy text with trailing whitespace (which JSON allows) to exactly `length` characters. */
function padTo(input: string, length: number): string {
  assert.ok(input.length <= length);
  return input + ' '.repeat(length - input.length);
}

describe('parseLifecyclePolicy: accepted forms', () => {
  test('every documented rule form parses to the typed policy', () => {
    const parsed = parseLifecyclePolicy(policy(
      rule(1, { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 5 }, { description: 'keep 5 prod' }),
      rule(2, { tagStatus: 'tagged', tagPatternList: ['beta*', '*-rc*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }),
      rule(3, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }),
      rule(4, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 }),
    ));
    assert.deepEqual(parsed, {
      rules: [
        { rulePriority: 1, description: 'keep 5 prod', selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 5 }, action: expire },
        { rulePriority: 2, selection: { tagStatus: 'tagged', tagPatternList: ['beta*', '*-rc*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: expire },
        { rulePriority: 3, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: expire },
        { rulePriority: 4, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 }, action: expire },
      ],
    });
  });

  test('rules come back in ascending rulePriority; priorities need not be sequential', () => {
    const parsed = parseLifecyclePolicy(policy(
      rule(30, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 3 }),
      rule(7, untaggedCount()),
      rule(20, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 3 }),
    ));
    assert.deepEqual(parsed.rules.map((r) => r.rulePriority), [7, 20, 30]);
  });

  test('storageClass "standard", the documented default, is accepted and changes nothing', () => {
    const parsed = parseLifecyclePolicy(withSelection({ ...untaggedCount(), storageClass: 'standard' }));
    assert.deepEqual(parsed.rules[0].selection, untaggedCount());
  });

  test('the documentation\'s wildcard examples: ["*test*1*2*3", "test*1*2*3*"] is valid', () => {
    const parsed = parseLifecyclePolicy(withSelection({ tagStatus: 'tagged', tagPatternList: ['*test*1*2*3', 'test*1*2*3*'], countType: 'imageCountMoreThan', countNumber: 1 }));
    assert.deepEqual(parsed.rules[0].selection.tagPatternList, ['*test*1*2*3', 'test*1*2*3*']);
  });

  test('an untagged rule and an any rule may coexist (the documentation\'s "Filtering on all images" Example B)', () => {
    const parsed = parseLifecyclePolicy(policy(
      rule(1, { tagStatus: 'tagged', tagPrefixList: ['alpha'], countType: 'imageCountMoreThan', countNumber: 1 }),
      rule(2, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }),
      rule(3, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }),
    ));
    assert.equal(parsed.rules.length, 3);
  });

  test('a prefix list and a pattern list with the same strings are different filters', () => {
    const parsed = parseLifecyclePolicy(policy(
      rule(1, { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 }),
      rule(2, { tagStatus: 'tagged', tagPatternList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 }),
      rule(3, { tagStatus: 'tagged', tagPrefixList: ['prod', 'beta'], countType: 'imageCountMoreThan', countNumber: 1 }),
    ));
    assert.equal(parsed.rules.length, 3);
  });

  test('the text may be 30720 characters long', () => {
    const compact = JSON.stringify({ rules: [rule(1, untaggedCount())] });
    assert.equal(parseLifecyclePolicy(padTo(compact, 30_720)).rules.length, 1);
  });
});

describe('parseLifecyclePolicy: the text', () => {
  test('shorter than 100 or longer than 30720 characters is refused with the API constraint', () => {
    // No valid policy is shorter than 100 characters, so the lower bound shows in which check
    // refuses a short document: 99 characters fail the length constraint, 100 reach the schema.
    const short = padTo(JSON.stringify({ rules: [] }), LIFECYCLE_POLICY_TEXT_LENGTH.min - 1);
    rejects(short, "Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: 'Member must have length greater than or equal to 100'");
    refused(`${short} `, 'array is too short');
    rejects('', /length greater than or equal to 100'$/);
    const compact = JSON.stringify({ rules: [rule(1, untaggedCount())] });
    rejects(padTo(compact, 30_721), "Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: 'Member must have length less than or equal to 30720'");
  });

  test('length counts characters, not UTF-16 code units', () => {
    // 25 astral characters are 50 code units; with them the text is 100 characters but 125 units.
    const base = JSON.stringify({ rules: [] });
    const astral = `${base}${' '.repeat(100 - base.length - 25)}${'\u{1F433}'.repeat(25)}`;
    assert.equal([...astral].length, 100);
    assert.equal(astral.length, 125);
    rejects(astral.replace('\u{1F433}', ''), /length greater than or equal to 100'$/);
    refused(astral, 'Could not map policyString');
  });

  test('text that is not a JSON object is refused as ECR does', () => {
    const notJson = `{"rules": [${'x'.repeat(120)}`;
    for (const input of [notJson, JSON.stringify([rule(1, untaggedCount())], null, 4), JSON.stringify('x'.repeat(120)), `null${' '.repeat(100)}`]) {
      rejects(input, `${PREFIX}Could not map policyString into LifecyclePolicy.'`);
    }
  });

  test('the document must be {"rules": [at least one rule]} and nothing else', () => {
    refused(text({ noRules: 'x'.repeat(100) }), 'object has missing required properties (["rules"])');
    refused(text({ rules: rule(1, untaggedCount()) }), 'instance type (object) does not match any allowed primitive type (allowed: ["array"]) (pointer: /rules)');
    refused(text({ rules: [], padding: 'x'.repeat(100) }), 'object instance has properties which are not allowed by the schema: (["padding"])');
    refused(padTo(text({ rules: [] }), 100), 'array is too short: must have at least 1 elements but instance has 0 elements (pointer: /rules)');
  });
});

describe('parseLifecyclePolicy: rules', () => {
  test('a rule must be an object with rulePriority, selection and action', () => {
    refused(text({ rules: ['x'.repeat(100)] }), 'instance type (string) does not match any allowed primitive type (allowed: ["object"]) (pointer: /rules/0)');
    const full = rule(1, untaggedCount());
    for (const key of ['rulePriority', 'selection', 'action']) {
      const { [key]: _, ...partial } = full;
      refused(policy({ ...partial, description: 'x'.repeat(60) }), `object has missing required properties (["${key}"]) (pointer: /rules/0)`);
    }
    refused(policy({ ...full, unknown: 123 }), 'object instance has properties which are not allowed by the schema: (["unknown"]) (pointer: /rules/0)');
  });

  test('rulePriority is an integer of at least 1, named by its pointer', () => {
    refused(policy(rule(0, untaggedCount())), 'numeric instance is lower than the required minimum (minimum: 1, found: 0) (pointer: /rules/0/rulePriority)');
    refused(policy(rule(-1, untaggedCount())), /numeric instance is lower than the required minimum \(minimum: 1, found: -1\)/);
    refused(policy(rule(1.5, untaggedCount())), 'instance type (number) does not match any allowed primitive type (allowed: ["integer"]) (pointer: /rules/0/rulePriority)');
    refused(policy({ ...rule(1, untaggedCount()), rulePriority: '1' }), /instance type \(string\) .*\(allowed: \["integer"\]\) \(pointer: \/rules\/0\/rulePriority\)/);
  });

  test('description, when given, is a string', () => {
    refused(policy(rule(1, untaggedCount(), { description: 7 })), /instance type \(integer\) .*\(allowed: \["string"\]\) \(pointer: \/rules\/0\/description\)/);
  });

  test('the action is {"type": "expire"}', () => {
    refused(policy(rule(1, untaggedCount(), { action: {} })), 'object has missing required properties (["type"]) (pointer: /rules/0/action)');
    refused(policy(rule(1, untaggedCount(), { action: { type: 'transition', targetStorageClass: 'archive' } })),
      'object instance has properties which are not allowed by the schema: (["targetStorageClass"]) (pointer: /rules/0/action)');
    refused(policy(rule(1, untaggedCount(), { action: { type: 'keep' } })), 'instance value ("keep") not found in enum (possible values: ["expire"]) (pointer: /rules/0/action/type)');
  });

  test('errors point into the rule that is wrong, not the first one', () => {
    refused(policy(rule(1, untaggedCount()), rule(2, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 0 })),
      /found: 0\) \(pointer: \/rules\/1\/selection\/countNumber\)/);
  });
});

describe('parseLifecyclePolicy: selection', () => {
  test('tagStatus, countType and countNumber are required; nothing unknown is allowed', () => {
    for (const key of ['tagStatus', 'countType', 'countNumber']) {
      const { [key]: _, ...partial } = untaggedCount();
      refused(policy(rule(1, partial, { description: 'x'.repeat(40) })), `object has missing required properties (["${key}"]) (pointer: /rules/0/selection)`);
    }
    refused(withSelection({ ...untaggedCount(), unknown: 123 }), 'object instance has properties which are not allowed by the schema: (["unknown"])');
  });

  test('tagStatus is tagged, untagged or any', () => {
    refused(withSelection({ ...untaggedCount(), tagStatus: 'TAGGED' }),
      'instance value ("TAGGED") not found in enum (possible values: ["tagged", "untagged", "any"]) (pointer: /rules/0/selection/tagStatus)');
  });

  test('countType is imageCountMoreThan or sinceImagePushed', () => {
    refused(withSelection({ ...untaggedCount(), countType: 'newest' }),
      'instance failed to match exactly one schema (matched 0 out of 2): countType "newest" is not one of ["imageCountMoreThan", "sinceImagePushed"]');
    refused(withSelection({ tagStatus: 'untagged', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 }),
      /matched 0 out of 2\): countType sinceImagePulled applies to the archive storage class, which is not supported/);
    refused(withSelection({ ...untaggedCount(), storageClass: 'archive' }),
      'instance value ("archive") not found in enum (possible values: ["standard"]) (pointer: /rules/0/selection/storageClass)');
  });

  test('countUnit "days" is required for sinceImagePushed and refused for imageCountMoreThan', () => {
    refused(withSelection({ tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 14 }),
      'instance failed to match exactly one schema (matched 0 out of 2): countUnit is required when countType is sinceImagePushed (pointer: /rules/0/selection)');
    refused(withSelection({ ...untaggedCount(), countUnit: 'days' }),
      'instance failed to match exactly one schema (matched 0 out of 2): countUnit is only allowed when countType is sinceImagePushed (pointer: /rules/0/selection/countUnit)');
    refused(withSelection({ tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'hours', countNumber: 14 }),
      'instance value ("hours") not found in enum (possible values: ["days"]) (pointer: /rules/0/selection/countUnit)');
  });

  test('countNumber is a positive integer ("0 is not an accepted value")', () => {
    refused(withSelection(untaggedCount(0)), 'numeric instance is lower than the required minimum (minimum: 1, found: 0) (pointer: /rules/0/selection/countNumber)');
    refused(withSelection(untaggedCount(-3)), /found: -3\)/);
    refused(withSelection(untaggedCount(2.5)), /instance type \(number\) .*\["integer"\]\) \(pointer: \/rules\/0\/selection\/countNumber\)/);
    refused(withSelection({ tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 0 }), /found: 0\)/);
  });

  test('tagged needs tagPrefixList or tagPatternList, but not both', () => {
    refused(withSelection({ tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 }), 'Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.');
    refused(withSelection({ tagStatus: 'tagged', tagPrefixList: ['a'], tagPatternList: ['b*'], countType: 'imageCountMoreThan', countNumber: 1 }),
      'A rule may specify either tagPatternList or tagPrefixList, but not both.');
  });

  test('the tag lists hold at least one string', () => {
    refused(withSelection({ tagStatus: 'tagged', tagPrefixList: [], countType: 'imageCountMoreThan', countNumber: 1 }),
      'array is too short: must have at least 1 elements but instance has 0 elements (pointer: /rules/0/selection/tagPrefixList)');
    refused(withSelection({ tagStatus: 'tagged', tagPatternList: ['a*', 3], countType: 'imageCountMoreThan', countNumber: 1 }),
      /instance type \(integer\) .*\["string"\]\) \(pointer: \/rules\/0\/selection\/tagPatternList\/1\)/);
    refused(withSelection({ tagStatus: 'tagged', tagPrefixList: 'prod', countType: 'imageCountMoreThan', countNumber: 1 }),
      /instance type \(string\) .*\["array"\]\) \(pointer: \/rules\/0\/selection\/tagPrefixList\)/);
  });

  test('untagged and any rules must omit both tag lists', () => {
    refused(withSelection({ ...untaggedCount(), tagPrefixList: ['prod'] }), 'Cannot specify tagPrefixList or tagPatternList when tagStatus=UNTAGGED.');
    refused(withSelection({ tagStatus: 'any', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 1 }),
      'Cannot specify tagPrefixList or tagPatternList when tagStatus=ANY.');
  });

  test('at most four wildcards per pattern: the documentation\'s ["test*1*2*3*4*5*6"] is invalid', () => {
    refused(withSelection({ tagStatus: 'tagged', tagPatternList: ['ok*', 'test*1*2*3*4*5*6'], countType: 'imageCountMoreThan', countNumber: 1 }),
      'tagPatternList entry "test*1*2*3*4*5*6" has 6 wildcards (*); at most 4 are allowed per string (pointer: /rules/0/selection/tagPatternList/1)');
    refused(withSelection({ tagStatus: 'tagged', tagPatternList: ['*a*b*c*d*'], countType: 'imageCountMoreThan', countNumber: 1 }), /has 5 wildcards/);
  });
});

describe('parseLifecyclePolicy: the rule set', () => {
  const tagged = (prefixes: string[]): Json => ({ tagStatus: 'tagged', tagPrefixList: prefixes, countType: 'imageCountMoreThan', countNumber: 1 });
  const any: Json = { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 };

  test('each rule has a unique rulePriority', () => {
    refused(policy(rule(3, tagged(['a'])), rule(3, tagged(['b']))), 'rulePriority must be unique: more than one rule has rulePriority 3.');
  });

  test('a tagStatus any rule must have the highest rulePriority', () => {
    refused(policy(rule(2, any), rule(1, untaggedCount()), rule(3, tagged(['a']))), 'Rule for tagStatus=ANY must have the lowest priority per storage class');
    refused(policy(rule(1, any), rule(2, any)), 'Rule for tagStatus=ANY must have the lowest priority per storage class');
    assert.equal(parseLifecyclePolicy(policy(rule(9, any), rule(1, untaggedCount()), rule(3, tagged(['a'])))).rules[2].rulePriority, 9);
  });

  test('only one rule may select untagged images', () => {
    refused(policy(rule(1, untaggedCount()), rule(2, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3 })),
      'Only one rule can select Untagged images per storage class');
  });

  test('the set of rules must contain a unique set of tag prefixes (order and repeats do not matter)', () => {
    refused(policy(rule(1, tagged(['prod', 'beta'])), rule(2, { ...tagged(['beta', 'prod', 'beta']), countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3 })),
      'The set of rules must contain a unique set of tag prefixes: rules 1 and 2 have the same tagPrefixList ["beta", "prod", "beta"].');
    const patterns = (list: string[]): Json => ({ tagStatus: 'tagged', tagPatternList: list, countType: 'imageCountMoreThan', countNumber: 1 });
    refused(policy(rule(1, patterns(['v*'])), rule(5, patterns(['v*']))), /rules 1 and 5 have the same tagPatternList \["v\*"\]/);
  });
});
