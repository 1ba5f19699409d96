import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Violation } from '../operation.ts';
import { coralPath, coralValidationMessage, coralValue, coralViolation, memberPath } from './messages.ts';

const pattern: Violation = {
  path: ['UserName'], value: 'bad name', constraint: 'pattern',
  message: 'Member must satisfy regular expression pattern: [\\w+=,.@-]+',
};
const missing: Violation = { path: ['PolicyArn'], value: undefined, constraint: 'required', message: 'Member must not be null' };

describe('AWS validation messages', () => {
  test('one violation', () => {
    assert.equal(
      coralValidationMessage([pattern]),
      "1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
  });

  test('several, joined by "; ", a missing member shown as null', () => {
    assert.equal(
      coralValidationMessage([pattern, missing]),
      "2 validation errors detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; " +
        "Value null at 'policyArn' failed to satisfy constraint: Member must not be null",
    );
  });

  test('a sensitive value is left out', () => {
    assert.equal(
      coralViolation({ path: ['Password'], value: 'abc', constraint: 'length', message: 'Member must have length greater than or equal to 8', sensitive: true }),
      "Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 8",
    );
  });

  test('paths: lowercase first letters, list elements 1-based with .member', () => {
    assert.equal(coralPath(['Tags', 5, 'Value']), 'tags.6.member.value');
    assert.equal(coralPath(['containerDefinitions', 0, 'portMappings', 1, 'protocol']), 'containerDefinitions.1.member.portMappings.2.member.protocol');
    assert.equal(coralPath(['include', 0]), 'include.1.member');
  });

  test('values as Java shows them', () => {
    assert.equal(coralValue(['a', 'b']), '[a, b]');
    assert.equal(coralValue({ k: 'v', n: 1 }), '{k=v, n=1}');
    assert.equal(coralValue(5), '5');
    assert.equal(coralValue(new Uint8Array(3)), 'java.nio.HeapByteBuffer[pos=0 lim=3 cap=3]');
    assert.equal(coralValue(null), 'null');
  });
});

describe('memberPath', () => {
  test('as a programmer writes it', () => {
    assert.equal(memberPath(['containerDefinitions', 0, 'name']), 'containerDefinitions[0].name');
    assert.equal(memberPath(['family']), 'family');
    assert.equal(memberPath(['volumes', 2, 'efsVolumeConfiguration', 'rootDirectory']), 'volumes[2].efsVolumeConfiguration.rootDirectory');
    assert.equal(memberPath([]), '');
  });
});
