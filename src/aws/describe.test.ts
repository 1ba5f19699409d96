import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeByReferences } from './describe.ts';

test('each reference resolved once, in order; those naming nothing are MISSING failures', async () => {
  const records: Record<string, string> = { 'arn:a': 'A', 'arn:b': 'B' };
  const out = await describeByReferences(['a', 'x', 'b', 'arn:a', 'x'], async (ref) => {
    const arn = ref.startsWith('arn:') ? ref : `arn:${ref}`;
    return { arn, value: records[arn] };
  });
  assert.deepEqual(out, { found: ['A', 'B'], failures: [{ arn: 'arn:x', reason: 'MISSING' }] });
});
