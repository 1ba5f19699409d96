/**
 * Agent identity over a real in-memory store: the first registration issues a secret (only
 * its hash is kept); a bound agentId needs the same secret and principal; a role session is
 * bound to its role; keys written before agent secrets bind nothing; unreadable keys are never
 * trusted.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Principal } from '../aws/index.ts';
import { keys } from '../ecs/index.ts';
import { SqliteStore } from '../state/index.ts';
import {
  AgentIdentityRefused, agentRefsPrefix, checkRef, establishIdentity, hashAgentSecret, principalBinding, sameHash,
} from './identity.ts';

const ACCOUNT = '123456789012';
const user = (name: string): Principal => ({ arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, account: ACCOUNT, userId: `AIDA${name}`, kind: 'user' });
const session = (name: string): Principal => ({ arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ecsInstanceRole/${name}`, account: ACCOUNT, userId: `AROA:${name}`, kind: 'assumed-role' });
const scope = { account: ACCOUNT, region: 'us-east-1' };

describe('agent identity', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = SqliteStore.open(':memory:');
  });
  afterEach(() => store.close());

  const put = (key: string, value: unknown) => store.txn([], [{ type: 'put', key, value: typeof value === 'string' ? value : JSON.stringify(value) }]);

  it('binds a role session to its role, anything else to its ARN', () => {
    assert.equal(principalBinding(session('i-0abc')), `arn:aws:sts::${ACCOUNT}:assumed-role/ecsInstanceRole`);
    assert.equal(principalBinding(session('i-0abc')), principalBinding(session('refreshed')));
    assert.equal(principalBinding(user('agent')), `arn:aws:iam::${ACCOUNT}:user/agent`);
  });

  it('issues a secret at the first registration and keeps only its hash', async () => {
    const identity = await establishIdentity(store, 'agent-1', undefined, user('agent'), () => 'the-secret');
    assert.equal(identity.issued, 'the-secret');
    assert.equal(identity.secretHash, hashAgentSecret('the-secret'));
    assert.notEqual(identity.secretHash, 'the-secret');
    assert.equal(identity.principal, `arn:aws:iam::${ACCOUNT}:user/agent`);
  });

  it('a bound agentId needs its secret and its principal', async () => {
    await put(keys.agentInstance('agent-1', scope, 'default'), { instanceId: 'i1', principal: principalBinding(user('agent')), secretHash: hashAgentSecret('s1') });
    const proven = await establishIdentity(store, 'agent-1', 's1', user('agent'), () => 'unused');
    assert.equal(proven.issued, undefined, 'no new secret for a proven agent');
    await assert.rejects(establishIdentity(store, 'agent-1', undefined, user('agent'), () => 'x'), AgentIdentityRefused);
    await assert.rejects(establishIdentity(store, 'agent-1', 's2', user('agent'), () => 'x'), AgentIdentityRefused);
    await assert.rejects(establishIdentity(store, 'agent-1', 's1', user('other'), () => 'x'), AgentIdentityRefused, 'another principal, even with the secret');
    const other = await establishIdentity(store, 'agent-10', undefined, user('agent'), () => 'fresh');
    assert.equal(other.issued, 'fresh', 'agent-10 is not agent-1: the prefix ends at the id');
  });

  it('keys from before agent secrets, and unreadable ones, bind nothing', async () => {
    await put(keys.agentInstance('old', scope, 'default'), { instanceId: 'i1' });
    await put(keys.agentInstance('old', scope, 'other'), 'not json');
    const identity = await establishIdentity(store, 'old', undefined, user('agent'), () => 'new');
    assert.equal(identity.issued, 'new');
    assert.equal(checkRef({ instanceId: 'i1' }, identity), 'unbound');
    assert.equal(checkRef({ instanceId: 'i1', principal: identity.principal, secretHash: identity.secretHash }, identity), 'bound');
    assert.throws(() => checkRef({ instanceId: 'i1', principal: identity.principal, secretHash: hashAgentSecret('other') }, identity), AgentIdentityRefused);
  });

  it('compares hashes of any length safely, and finds every key of one agent', () => {
    assert.equal(sameHash('abc', 'abc'), true);
    assert.equal(sameHash('abc', 'abd'), false);
    assert.equal(sameHash('abc', 'abcd'), false);
    assert.ok(keys.agentInstance('a/b', scope, 'c').startsWith(agentRefsPrefix('a/b')));
    assert.equal(keys.agentInstance('a', scope, 'c').startsWith(agentRefsPrefix('a/b')), false);
  });
});
