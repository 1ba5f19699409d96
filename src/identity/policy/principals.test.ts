import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { roleArnOf } from './context.ts';
import { compilePrincipal, matchPrincipal, notPrincipalApplies, PrincipalMatch, type Caller } from './principals.ts';
import { ACCOUNT, OTHER, root, service, session, user } from './testing.ts';
import type { RequestPrincipal } from './types.ts';

const caller = (p: RequestPrincipal): Caller => ({ kind: p.kind, arn: p.arn, account: p.account, roleArn: roleArnOf(p) });
const match = (element: unknown, p: RequestPrincipal) => matchPrincipal(compilePrincipal(element).matcher, caller(p));

describe('principals: matching', () => {
  it('"*" and {"AWS": "*"} name everyone directly', () => {
    for (const e of ['*', { AWS: '*' }]) {
      for (const p of [user('a'), session('r'), root(), service('ecs-tasks.amazonaws.com')]) assert.equal(match(e, p), PrincipalMatch.direct);
    }
  });

  it('an account id and the account root ARN are the same principal: the account', () => {
    for (const e of [{ AWS: ACCOUNT }, { AWS: `arn:aws:iam::${ACCOUNT}:root` }]) {
      assert.equal(match(e, user('a')), PrincipalMatch.account);
      assert.equal(match(e, session('r')), PrincipalMatch.account);
      assert.equal(match(e, root()), PrincipalMatch.direct);
      assert.equal(match(e, user('a', OTHER)), PrincipalMatch.none);
    }
  });

  it('a user ARN names that user (case-sensitively); a role ARN names its sessions; a session ARN names that session', () => {
    assert.equal(match({ AWS: `arn:aws:iam::${ACCOUNT}:user/a` }, user('a')), PrincipalMatch.direct);
    assert.equal(match({ AWS: `arn:aws:iam::${ACCOUNT}:user/A` }, user('a')), PrincipalMatch.none);
    assert.equal(match({ AWS: `arn:aws:iam::${ACCOUNT}:role/r` }, session('r', 's1')), PrincipalMatch.role);
    assert.equal(match({ AWS: `arn:aws:iam::${ACCOUNT}:role/r` }, user('r')), PrincipalMatch.none);
    assert.equal(match({ AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/r/s1` }, session('r', 's1')), PrincipalMatch.direct);
    assert.equal(match({ AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/r/s1` }, session('r', 's2')), PrincipalMatch.none);
  });

  it('a list ORs its principals, and the strongest name wins', () => {
    assert.equal(match({ AWS: [ACCOUNT, `arn:aws:iam::${ACCOUNT}:user/a`] }, user('a')), PrincipalMatch.direct);
    assert.equal(match({ AWS: [OTHER, `arn:aws:iam::${ACCOUNT}:role/r`] }, session('r')), PrincipalMatch.role);
  });

  it('Service names a service principal, case-insensitively; Federated names an identity provider', () => {
    assert.equal(match({ Service: ['ecs-tasks.amazonaws.com', 'ec2.amazonaws.com'] }, service('ECS-tasks.amazonaws.com')), PrincipalMatch.direct);
    assert.equal(match({ Service: 'ecs-tasks.amazonaws.com' }, service('ecs.amazonaws.com')), PrincipalMatch.none);
    assert.equal(match({ Service: 'ecs-tasks.amazonaws.com' }, user('a')), PrincipalMatch.none);
    const idp = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.example.com`;
    assert.equal(match({ Federated: idp }, { arn: idp, account: '', userId: '', kind: 'federated' }), PrincipalMatch.direct);
  });

  it('NotPrincipal applies unless every name of the caller is listed', () => {
    const not = (e: unknown, p: RequestPrincipal) => notPrincipalApplies(compilePrincipal(e).matcher, caller(p));
    assert.equal(not({ AWS: [`arn:aws:iam::${ACCOUNT}:user/a`, ACCOUNT] }, user('a')), false);
    assert.equal(not({ AWS: [`arn:aws:iam::${ACCOUNT}:user/a`] }, user('a')), true);
    assert.equal(not({ AWS: [ACCOUNT] }, user('a')), true);
    assert.equal(not({ AWS: [ACCOUNT] }, root()), false);
    assert.equal(not('*', user('a')), false);
    assert.equal(not({ Service: 'ecs.amazonaws.com' }, service('ecs.amazonaws.com')), false);
  });

  it('derives a session’s role ARN from the session ARN when none is given', () => {
    const { roleArn: _drop, ...bare } = session('deploy', 'ci');
    assert.equal(roleArnOf(bare), `arn:aws:iam::${ACCOUNT}:role/deploy`);
    assert.equal(roleArnOf(user('a')), undefined);
  });
});
