import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AwsError } from '../aws/index.ts';
import { PUNCTUATION, randomPassword } from './password.ts';

const bytes = () => randomBytes(16);

describe('GetRandomPassword', () => {
  it('32 characters by default, one of each class, none excluded', () => {
    for (let n = 0; n < 50; n++) {
      const p = randomPassword({}, bytes);
      assert.equal(p.length, 32);
      assert.match(p, /[a-z]/);
      assert.match(p, /[A-Z]/);
      assert.match(p, /[0-9]/);
      assert.ok([...p].some((c) => PUNCTUATION.includes(c)), p);
      assert.ok(!p.includes(' '));
    }
  });

  it('honours exclusions, spaces and the length', () => {
    const p = randomPassword({ length: 200, excludePunctuation: true, excludeUppercase: true, excludeCharacters: 'abc0', includeSpace: true }, bytes);
    assert.equal(p.length, 200);
    assert.match(p, /^[d-z1-9 ]+$/);
    assert.ok(p.includes(' '));
    assert.throws(() => randomPassword({ length: 2 }, bytes), (e: AwsError) => e.code === 'InvalidParameterException');
    assert.equal(randomPassword({ length: 2, requireEachIncludedType: false }, bytes).length, 2);
    assert.throws(() => randomPassword({ excludeLowercase: true, excludeUppercase: true, excludeNumbers: true, excludePunctuation: true }, bytes),
      (e: AwsError) => e.code === 'InvalidParameterException');
  });
});
