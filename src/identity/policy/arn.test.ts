import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileArnPattern, splitArn } from './arn.ts';
import { compileWildcard, tokenize } from './pattern.ts';

const arnLike = (pattern: string, value: string) => compileArnPattern(tokenize(pattern, { wildcards: true, variables: true })).match(splitArn(value)!, { variable: () => undefined });

describe('ARN matching', () => {
  it('splits at the first five colons, keeping colons in the resource part', () => {
    assert.deepEqual(splitArn('arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:log-stream:x'), [
      'arn', 'aws', 'logs', 'us-east-1', '123456789012', 'log-group:/ecs/web:log-stream:x',
    ]);
    assert.equal(splitArn('*'), undefined);
    assert.equal(splitArn('arn:aws:s3::bucket'), undefined);
  });

  // IAM User Guide, "Condition operators", ARN condition operators: StringLike matches across
  // colons where ArnLike, which matches part by part, does not.
  it('keeps each wildcard inside its part, as the ArnLike example in the IAM User Guide shows', () => {
    const pattern = 'arn:aws:someservice:*:111122223333:finance/*';
    const value = 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt';
    assert.equal(compileWildcard(pattern)(value), true);
    assert.equal(arnLike(pattern, value), false);
  });

  it('matches wildcards within the resource part, and short patterns as if padded with *', () => {
    assert.equal(arnLike('arn:aws:s3:::*log*', 'arn:aws:s3:::carlossalazar-logs'), true);
    assert.equal(arnLike('arn:aws:ecs:*', 'arn:aws:ecs:us-east-1:123456789012:cluster/default'), true);
    assert.equal(arnLike('arn:aws:ecs:*:*:cluster/?ev', 'arn:aws:ecs:eu-west-1:1:cluster/dev'), true);
    assert.equal(arnLike('arn:aws:ecs:*:*:cluster/?ev', 'arn:aws:ecs:eu-west-1:1:cluster/prod'), false);
  });

  it('is case-sensitive', () => {
    assert.equal(arnLike('arn:aws:iam::*:user/Bob', 'arn:aws:iam::1:user/bob'), false);
  });

  it('resolves variables, and reports one with no value', () => {
    const m = compileArnPattern(tokenize('arn:aws:iam::*:user/${aws:username}', { wildcards: true, variables: true }));
    const parts = splitArn('arn:aws:iam::1:user/alice')!;
    assert.equal(m.match(parts, { variable: (k) => (k === 'aws:username' ? 'alice' : undefined) }), true);
    assert.equal(m.match(parts, { variable: () => 'bob' }), false);
    assert.equal(m.match(parts, { variable: () => undefined }), undefined);
  });
});
