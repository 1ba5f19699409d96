import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatArn, formatGlobalArn, parseArn, resourceOf } from './arn.ts';
import { isRegion, partitionOf } from './regions.ts';

describe('ARNs and regions', () => {
  it('writes the partition of the region', () => {
    assert.equal(formatArn('ecs', 'us-east-1', '123456789012', 'cluster/a'), 'arn:aws:ecs:us-east-1:123456789012:cluster/a');
    assert.equal(formatArn('ecs', 'cn-north-1', '123456789012', 'cluster/a'), 'arn:aws-cn:ecs:cn-north-1:123456789012:cluster/a');
    assert.equal(formatArn('ecr', 'us-gov-west-1', '123456789012', 'repository/x/y'), 'arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/x/y');
    assert.equal(formatGlobalArn('iam', '123456789012', 'user/dev'), 'arn:aws:iam::123456789012:user/dev');
  });

  it('reads back what it writes, and nothing that is not an ARN', () => {
    const arn = parseArn('arn:aws-cn:ecs:cn-north-1:123456789012:task/web/0123');
    assert.deepEqual(arn, { partition: 'aws-cn', service: 'ecs', region: 'cn-north-1', account: '123456789012', resource: 'task/web/0123' });
    assert.deepEqual(resourceOf(arn!), { type: 'task', path: ['web', '0123'] });
    assert.deepEqual(parseArn('arn:aws:iam::aws:policy/AdministratorAccess')?.account, 'aws');
    for (const bad of ['', 'arn:aws:ecs', 'arn:other:ecs:us-east-1:123456789012:cluster/a', 'arn:aws:ecs:us-east-1:12345:cluster/a', 'arn:aws:ecs:us-east-1:123456789012:']) {
      assert.equal(parseArn(bad), undefined, bad);
    }
  });

  it('serves exactly the regions it names: no case or separator variants', () => {
    for (const r of ['us-east-1', 'eu-west-1', 'ap-northeast-2', 'cn-north-1', 'us-gov-east-1']) assert.ok(isRegion(r), r);
    for (const r of ['x_y', 'US-EAST-1', 'a.b', 'us-east-1 ', 'us-east-9', '']) assert.equal(isRegion(r), false, r);
    assert.equal(partitionOf('cn-northwest-1'), 'aws-cn');
  });
});
