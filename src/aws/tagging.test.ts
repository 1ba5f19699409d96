import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestTagConditions, tagKeyConditions } from './tagging.ts';

test('request tags become aws:RequestTag/* and aws:TagKeys in either spelling', () => {
  assert.deepEqual(requestTagConditions([{ key: 'team', value: 'a' }, { key: 'env' }]), { 'aws:RequestTag/team': 'a', 'aws:RequestTag/env': '', 'aws:TagKeys': ['team', 'env'] });
  assert.deepEqual(requestTagConditions([{ Key: 'team', Value: 'b' }]), { 'aws:RequestTag/team': 'b', 'aws:TagKeys': ['team'] });
  assert.deepEqual(requestTagConditions(undefined), {});
  assert.deepEqual(requestTagConditions([]), {});
  assert.deepEqual(tagKeyConditions(['a']), { 'aws:TagKeys': ['a'] });
  assert.deepEqual(tagKeyConditions([]), {});
});
