import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { denialMessage } from './messages.ts';

const who = 'arn:aws:iam::123456789012:user/dev';
const on = 'arn:aws:ecs:us-east-1:123456789012:cluster/prod';
const say = (result: Parameters<typeof denialMessage>[3]) => denialMessage(who, 'ecs:RunTask', on, result);
const head = `User: ${who} is not authorized to perform: ecs:RunTask on resource: ${on}`;

describe('denialMessage', () => {
  it('words implicit denies as AWS does, by policy type', () => {
    assert.equal(say({ decision: 'ImplicitDeny', deniedBy: 'identity' }), `${head} because no identity-based policy allows the ecs:RunTask action`);
    assert.equal(say({ decision: 'ImplicitDeny', deniedBy: 'resource' }), `${head} because no resource-based policy allows the ecs:RunTask action`);
    assert.equal(say({ decision: 'ImplicitDeny', deniedBy: 'boundary' }), `${head} because no permissions boundary allows the ecs:RunTask action`);
    assert.equal(say({ decision: 'ImplicitDeny', deniedBy: 'session' }), `${head} because no session policy allows the ecs:RunTask action`);
    assert.equal(say({ decision: 'ImplicitDeny', deniedBy: 'scp' }), `${head} because no service control policy allows the ecs:RunTask action`);
    assert.equal(say({ decision: 'ImplicitDeny', deniedBy: 'trust' }), `${head} because no role trust policy allows the ecs:RunTask action`);
  });

  it('words explicit denies, naming the managed policy when known', () => {
    assert.equal(say({ decision: 'ExplicitDeny', deniedBy: 'identity', explicit: true }), `${head} with an explicit deny in an identity-based policy`);
    assert.equal(say({ decision: 'ExplicitDeny', deniedBy: 'resource', explicit: true }), `${head} with an explicit deny in a resource-based policy`);
    assert.equal(say({ decision: 'ExplicitDeny', deniedBy: 'boundary', explicit: true }), `${head} with an explicit deny in a permissions boundary`);
    assert.equal(say({ decision: 'ExplicitDeny', deniedBy: 'session', explicit: true }), `${head} with an explicit deny in a session policy`);
    assert.equal(say({ decision: 'ExplicitDeny', deniedBy: 'scp', explicit: true }), `${head} with an explicit deny in a service control policy`);
    assert.equal(say({ decision: 'ExplicitDeny', deniedBy: 'trust', explicit: true }), `${head} with an explicit deny in the role trust policy`);
    assert.equal(
      say({ decision: 'ExplicitDeny', deniedBy: 'boundary', explicit: true, policyArn: 'arn:aws:iam::123456789012:policy/b' }),
      `${head} with an explicit deny in a permissions boundary: arn:aws:iam::123456789012:policy/b`,
    );
  });

  it('has no ending when the policy type is unknown, and refuses an allowed request', () => {
    assert.equal(say({ decision: 'ImplicitDeny' }), head);
    assert.throws(() => say({ decision: 'Allow' }), RangeError);
  });
});
