import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { changeKind } from './console-routes.ts';

describe('changeKind', () => {
  const account = '123456789012';
  it("names the kind of the caller's keys in their region", () => {
    assert.equal(changeKind(`ecs/tasks/${account}/us-east-1/default/abc`, account, 'us-east-1'), 'ecs/tasks');
    assert.equal(changeKind(`logs/${account}/us-east-1/stream/g:s`, account, 'us-east-1'), 'logs/stream');
    assert.equal(changeKind(`iam/${account}/user/alice`, account, 'us-east-1'), 'iam/user');
    assert.equal(changeKind(`alarms/${account}/us-east-1/high-cpu`, account, 'us-east-1'), 'alarms');
    assert.equal(changeKind(`lb/loadbalancer/${account}/eu-west-1/x`, account, 'eu-west-1'), 'lb/loadbalancer');
  });
  it("says nothing of another account's or region's keys, or of Wharf's own", () => {
    assert.equal(changeKind('ecs/tasks/210987654321/us-east-1/default/abc', account, 'us-east-1'), undefined);
    assert.equal(changeKind(`ecs/tasks/${account}/eu-west-1/default/abc`, account, 'us-east-1'), undefined);
    assert.equal(changeKind(`logs/210987654321/us-east-1/stream/g:s`, account, 'us-east-1'), undefined);
    assert.equal(changeKind(`alarms/${account}/eu-west-1/high-cpu`, account, 'us-east-1'), undefined);
    assert.equal(changeKind('iam/210987654321/user/alice', account, 'us-east-1'), undefined);
    assert.equal(changeKind('iam/instance-identity-key', account, 'us-east-1'), undefined);
    assert.equal(changeKind('ecs/agent-instances/agent-1/x', account, 'us-east-1'), undefined);
    assert.equal(changeKind(`ecs/clusters/${account}/us-east-1`, account, 'us-east-1'), undefined);
  });
});
