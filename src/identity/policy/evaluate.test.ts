import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate } from './evaluate.ts';
import { parsePolicy } from './parse.ts';
import { ACCOUNT, OTHER, policy, request, root, service, session, user } from './testing.ts';
import type { EvaluationRequest, EvaluationResult } from './types.ts';

const CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`;
const allowRunTask = policy({ Effect: 'Allow', Action: 'ecs:RunTask', Resource: '*' });
const allowAll = policy({ Effect: 'Allow', Action: '*', Resource: '*' });
const allowEcr = policy({ Effect: 'Allow', Action: 'ecr:*', Resource: '*' });
const resourcePolicy = (principal: unknown, effect = 'Allow', action = 'ecs:RunTask') => policy({ Effect: effect, Principal: principal, Action: action }, 'resource');
const decide = (r: Partial<EvaluationRequest> & Pick<EvaluationRequest, 'principal'>): EvaluationResult =>
  evaluate(request({ action: 'ecs:RunTask', resource: CLUSTER, ...r }));

describe('evaluate: identity-based policies', () => {
  it('allows what an identity policy allows, and implicitly denies the rest', () => {
    assert.deepEqual(decide({ principal: user('dev'), identityPolicies: [allowRunTask] }), { decision: 'Allow', allowedBy: 'identity' });
    assert.deepEqual(decide({ principal: user('dev'), identityPolicies: [allowEcr] }), { decision: 'ImplicitDeny', deniedBy: 'identity', explicit: false });
    assert.equal(decide({ principal: user('dev') }).decision, 'ImplicitDeny');
  });

  it('matches actions case-insensitively and resources case-sensitively', () => {
    const p = policy({ Effect: 'Allow', Action: 'ECS:runtask', Resource: `arn:aws:ecs:*:*:cluster/prod` });
    assert.equal(decide({ principal: user('dev'), identityPolicies: [p] }).decision, 'Allow');
    assert.equal(decide({ principal: user('dev'), identityPolicies: [p], resource: CLUSTER.replace('prod', 'Prod') }).decision, 'ImplicitDeny');
  });

  it('lets an explicit deny in any policy win, naming the managed policy', () => {
    const deny = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: 'ecs:*', Resource: '*' } }), 'identity', { arn: `arn:aws:iam::${ACCOUNT}:policy/no-ecs` });
    assert.deepEqual(decide({ principal: user('dev'), identityPolicies: [allowAll, deny] }), {
      decision: 'ExplicitDeny', deniedBy: 'identity', explicit: true, policyArn: `arn:aws:iam::${ACCOUNT}:policy/no-ecs`,
    });
  });

  it('reads NotAction and NotResource as "everything but"', () => {
    const notEcs = policy({ Effect: 'Allow', NotAction: 'ecs:*', Resource: '*' });
    assert.equal(decide({ principal: user('dev'), identityPolicies: [notEcs] }).decision, 'ImplicitDeny');
    assert.equal(decide({ principal: user('dev'), identityPolicies: [notEcs], action: 'ecr:BatchGetImage' }).decision, 'Allow');
    const notProd = policy({ Effect: 'Allow', Action: 'ecs:*', NotResource: 'arn:aws:ecs:*:*:cluster/prod' });
    assert.equal(decide({ principal: user('dev'), identityPolicies: [notProd] }).decision, 'ImplicitDeny');
    assert.equal(decide({ principal: user('dev'), identityPolicies: [notProd], resource: CLUSTER.replace('prod', 'dev') }).decision, 'Allow');
  });

  it('matches a request on `*` (no resource-level permissions) only with Resource "*"', () => {
    const specific = policy({ Effect: 'Allow', Action: 'ecs:ListClusters', Resource: 'arn:aws:ecs:*:*:*' });
    assert.equal(decide({ principal: user('dev'), identityPolicies: [specific], action: 'ecs:ListClusters', resource: '*' }).decision, 'ImplicitDeny');
    const any = policy({ Effect: 'Allow', Action: 'ecs:ListClusters', Resource: '*' });
    assert.equal(decide({ principal: user('dev'), identityPolicies: [any], action: 'ecs:ListClusters', resource: '*' }).decision, 'Allow');
  });

  it('drops a statement whose Resource variable has no value (a role session has no aws:username)', () => {
    const own = policy({ Effect: 'Allow', Action: 'iam:*AccessKey*', Resource: 'arn:aws:iam::*:user/${aws:username}' });
    const own2 = policy({ Effect: 'Allow', Action: 'iam:*AccessKey*', NotResource: 'arn:aws:iam::*:user/${aws:username}' });
    const key = (principal: ReturnType<typeof user>, name: string) =>
      decide({ principal, identityPolicies: [own], action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/${name}` }).decision;
    assert.equal(key(user('alice'), 'alice'), 'Allow');
    assert.equal(key(user('alice'), 'bob'), 'ImplicitDeny');
    assert.equal(decide({ principal: session('ops'), identityPolicies: [own], action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/ops` }).decision, 'ImplicitDeny');
    assert.equal(decide({ principal: session('ops'), identityPolicies: [own2], action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/x` }).decision, 'ImplicitDeny');
  });

  it('treats variables as literal text in a 2008-10-17 policy', () => {
    const old = policy({ Effect: 'Allow', Action: 'iam:GetUser', Resource: 'arn:aws:iam::*:user/${aws:username}' }, 'identity', null);
    assert.equal(decide({ principal: user('alice'), identityPolicies: [old], action: 'iam:GetUser', resource: `arn:aws:iam::${ACCOUNT}:user/alice` }).decision, 'ImplicitDeny');
    assert.equal(decide({ principal: user('alice'), identityPolicies: [old], action: 'iam:GetUser', resource: `arn:aws:iam::${ACCOUNT}:user/\${aws:username}` }).decision, 'Allow');
  });
});

describe('evaluate: permissions boundaries, session policies, SCPs', () => {
  const boundaryS3 = policy({ Effect: 'Allow', Action: ['s3:*', 'cloudwatch:*', 'ec2:*'], Resource: '*' });

  it('a boundary limits identity permissions (intersection) and never grants', () => {
    assert.deepEqual(decide({ principal: user('dev'), identityPolicies: [allowRunTask], permissionsBoundary: boundaryS3 }), { decision: 'ImplicitDeny', deniedBy: 'boundary', explicit: false });
    assert.equal(decide({ principal: user('dev'), identityPolicies: [allowRunTask], permissionsBoundary: allowAll }).decision, 'Allow');
    assert.deepEqual(decide({ principal: user('dev'), permissionsBoundary: allowAll }), { decision: 'ImplicitDeny', deniedBy: 'identity', explicit: false });
    const denyBoundary = policy([{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'ecs:RunTask', Resource: '*' }]);
    assert.equal(decide({ principal: user('dev'), identityPolicies: [allowAll], permissionsBoundary: denyBoundary }).deniedBy, 'boundary');
  });

  it('session policies limit a role session; with none, the role session has the role permissions', () => {
    const s = session('ops');
    assert.equal(decide({ principal: s, identityPolicies: [allowRunTask] }).decision, 'Allow');
    assert.deepEqual(decide({ principal: s, identityPolicies: [allowRunTask], sessionPolicies: [allowEcr] }), { decision: 'ImplicitDeny', deniedBy: 'session', explicit: false });
    assert.equal(decide({ principal: s, identityPolicies: [allowRunTask], sessionPolicies: [allowEcr, allowRunTask] }).decision, 'Allow');
    assert.equal(decide({ principal: s, identityPolicies: [allowEcr], sessionPolicies: [allowAll] }).deniedBy, 'identity');
    const denySession = policy({ Effect: 'Deny', Action: 'ecs:*', Resource: '*' });
    assert.equal(decide({ principal: s, identityPolicies: [allowAll], sessionPolicies: [denySession] }).deniedBy, 'session');
    // Session policies belong to sessions: an IAM user has none.
    assert.equal(decide({ principal: user('dev'), identityPolicies: [allowRunTask], sessionPolicies: [allowEcr] }).decision, 'Allow');
  });

  it('every SCP level must allow, for the root user too; an SCP deny is explicit', () => {
    assert.deepEqual(decide({ principal: user('dev'), identityPolicies: [allowAll], serviceControlPolicies: [allowAll, allowEcr] }), { decision: 'ImplicitDeny', deniedBy: 'scp', explicit: false });
    assert.equal(decide({ principal: user('dev'), identityPolicies: [allowAll], serviceControlPolicies: [allowAll, allowAll] }).decision, 'Allow');
    assert.equal(decide({ principal: root(), serviceControlPolicies: [allowEcr] }).deniedBy, 'scp');
    assert.equal(decide({ principal: root(), serviceControlPolicies: [policy({ Effect: 'Deny', Action: '*', Resource: '*' })] }).decision, 'ExplicitDeny');
  });
});

describe('evaluate: resource-based policies in the same account', () => {
  it('naming the IAM user grants without an identity policy, past a boundary', () => {
    const rp = resourcePolicy({ AWS: `arn:aws:iam::${ACCOUNT}:user/dev` });
    assert.deepEqual(decide({ principal: user('dev'), resourcePolicy: rp }), { decision: 'Allow', allowedBy: 'resource' });
    assert.equal(decide({ principal: user('dev'), resourcePolicy: rp, permissionsBoundary: policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) }).decision, 'Allow');
    assert.equal(decide({ principal: user('other'), resourcePolicy: rp }).decision, 'ImplicitDeny');
  });

  it('naming the role session grants past identity, boundary and session policies', () => {
    const rp = resourcePolicy({ AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/ops/sess` });
    assert.equal(decide({ principal: session('ops'), resourcePolicy: rp, permissionsBoundary: allowEcr, sessionPolicies: [allowEcr] }).decision, 'Allow');
    assert.equal(decide({ principal: session('ops', 'other'), resourcePolicy: rp }).decision, 'ImplicitDeny');
  });

  it('naming the role grants without an identity policy, but within the boundary and session policies', () => {
    const rp = resourcePolicy({ AWS: `arn:aws:iam::${ACCOUNT}:role/ops` });
    assert.equal(decide({ principal: session('ops'), resourcePolicy: rp }).decision, 'Allow');
    assert.deepEqual(decide({ principal: session('ops'), resourcePolicy: rp, permissionsBoundary: allowEcr }), { decision: 'ImplicitDeny', deniedBy: 'boundary', explicit: false });
    assert.deepEqual(decide({ principal: session('ops'), resourcePolicy: rp, sessionPolicies: [allowEcr] }), { decision: 'ImplicitDeny', deniedBy: 'session', explicit: false });
    assert.equal(decide({ principal: session('ops'), resourcePolicy: rp, permissionsBoundary: allowAll, sessionPolicies: [allowAll] }).decision, 'Allow');
  });

  it('derives the role from the session ARN when the caller does not give it', () => {
    const rp = resourcePolicy({ AWS: `arn:aws:iam::${ACCOUNT}:role/ops` });
    const { roleArn: _drop, ...bare } = session('ops');
    assert.equal(decide({ principal: bare, resourcePolicy: rp }).decision, 'Allow');
  });

  it('naming the account delegates to the account: the identity policies must allow', () => {
    for (const who of [ACCOUNT, `arn:aws:iam::${ACCOUNT}:root`]) {
      const rp = resourcePolicy({ AWS: who });
      assert.deepEqual(decide({ principal: user('dev'), resourcePolicy: rp }), { decision: 'ImplicitDeny', deniedBy: 'identity', explicit: false });
      assert.equal(decide({ principal: user('dev'), resourcePolicy: rp, identityPolicies: [allowRunTask] }).decision, 'Allow');
    }
  });

  it('"*" grants everyone directly', () => {
    assert.equal(decide({ principal: user('dev'), resourcePolicy: resourcePolicy('*') }).decision, 'Allow');
    assert.equal(decide({ principal: session('ops'), resourcePolicy: resourcePolicy({ AWS: '*' }), sessionPolicies: [allowEcr] }).decision, 'Allow');
  });

  it('an explicit deny in the resource policy beats any allow, for the root user too', () => {
    const deny = policy([{ Effect: 'Allow', Principal: '*', Action: '*' }, { Effect: 'Deny', Principal: { AWS: ACCOUNT }, Action: 'ecs:RunTask' }], 'resource');
    assert.deepEqual(decide({ principal: user('dev'), resourcePolicy: deny, identityPolicies: [allowAll] }), { decision: 'ExplicitDeny', deniedBy: 'resource', explicit: true });
    assert.equal(decide({ principal: root(), resourcePolicy: deny }).decision, 'ExplicitDeny');
  });

  it('NotPrincipal with Deny exempts a caller only when all its names are listed', () => {
    const exempt = (names: string[]) => policy([{ Effect: 'Allow', Principal: '*', Action: '*' }, { Effect: 'Deny', NotPrincipal: { AWS: names }, Action: '*' }], 'resource');
    const bob = `arn:aws:iam::${ACCOUNT}:user/bob`;
    assert.equal(decide({ principal: user('bob'), resourcePolicy: exempt([bob, ACCOUNT]) }).decision, 'Allow');
    assert.equal(decide({ principal: user('bob'), resourcePolicy: exempt([bob]) }).decision, 'ExplicitDeny');
    assert.equal(decide({ principal: user('eve'), resourcePolicy: exempt([bob, ACCOUNT]) }).decision, 'ExplicitDeny');
    const names = [`arn:aws:sts::${ACCOUNT}:assumed-role/ops/sess`, `arn:aws:iam::${ACCOUNT}:role/ops`, ACCOUNT];
    assert.equal(decide({ principal: session('ops'), resourcePolicy: exempt(names) }).decision, 'Allow');
    assert.equal(decide({ principal: session('ops'), resourcePolicy: exempt(names.slice(0, 1).concat(ACCOUNT)) }).decision, 'ExplicitDeny');
    // IAM: NotPrincipal with Deny always denies a user or role that has a permissions boundary.
    assert.equal(decide({ principal: user('bob'), resourcePolicy: exempt([bob, ACCOUNT]), identityPolicies: [allowAll], permissionsBoundary: allowAll }).decision, 'ExplicitDeny');
  });
});

describe('evaluate: the root user', () => {
  it('is allowed everything in its own account, without policies', () => {
    assert.deepEqual(decide({ principal: root() }), { decision: 'Allow', allowedBy: 'root' });
    assert.equal(decide({ principal: root(), action: 'iam:DeleteRole', resource: `arn:aws:iam::${ACCOUNT}:role/x` }).decision, 'Allow');
  });

  it('needs a resource policy grant in another account', () => {
    assert.deepEqual(decide({ principal: root(OTHER), resourceAccount: ACCOUNT }), { decision: 'ImplicitDeny', deniedBy: 'resource', explicit: false });
    assert.equal(decide({ principal: root(OTHER), resourceAccount: ACCOUNT, resourcePolicy: resourcePolicy({ AWS: OTHER }) }).decision, 'Allow');
  });
});

describe('evaluate: cross-account requests', () => {
  const elsewhere = { resourceAccount: OTHER };
  const grantAccount = resourcePolicy({ AWS: ACCOUNT });

  it('need both the resource policy and the identity side to allow', () => {
    assert.equal(decide({ principal: user('dev'), ...elsewhere, identityPolicies: [allowRunTask], resourcePolicy: grantAccount }).decision, 'Allow');
    assert.deepEqual(decide({ principal: user('dev'), ...elsewhere, identityPolicies: [allowRunTask] }), { decision: 'ImplicitDeny', deniedBy: 'resource', explicit: false });
    assert.deepEqual(decide({ principal: user('dev'), ...elsewhere, resourcePolicy: grantAccount }), { decision: 'ImplicitDeny', deniedBy: 'identity', explicit: false });
    assert.deepEqual(decide({ principal: user('dev'), ...elsewhere, resourcePolicy: resourcePolicy({ AWS: `arn:aws:iam::${ACCOUNT}:user/dev` }) }).deniedBy, 'identity');
  });

  it('keep the boundary and session policies on the identity side', () => {
    assert.equal(decide({ principal: user('dev'), ...elsewhere, identityPolicies: [allowRunTask], resourcePolicy: grantAccount, permissionsBoundary: allowEcr }).deniedBy, 'boundary');
    assert.equal(decide({ principal: session('ops'), ...elsewhere, identityPolicies: [allowRunTask], resourcePolicy: grantAccount, sessionPolicies: [allowEcr] }).deniedBy, 'session');
  });
});

describe('evaluate: role trust policies and service principals', () => {
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/task`;
  const assume = (r: Partial<EvaluationRequest> & Pick<EvaluationRequest, 'principal'>) => evaluate(request({ action: 'sts:AssumeRole', resource: roleArn, ...r }));
  const trust = (principal: unknown) => policy({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }, 'trust');

  it('a service may assume a role whose trust policy names it, and no other', () => {
    const t = trust({ Service: 'ecs-tasks.amazonaws.com' });
    assert.deepEqual(assume({ principal: service('ecs-tasks.amazonaws.com'), resourcePolicy: t }), { decision: 'Allow', allowedBy: 'resource' });
    assert.deepEqual(assume({ principal: service('ec2.amazonaws.com'), resourcePolicy: t }), { decision: 'ImplicitDeny', deniedBy: 'trust', explicit: false });
  });

  it('the trust policy must allow even when an identity policy does', () => {
    assert.deepEqual(assume({ principal: user('dev'), identityPolicies: [allowAll], resourcePolicy: trust({ Service: 'ecs-tasks.amazonaws.com' }) }), {
      decision: 'ImplicitDeny', deniedBy: 'trust', explicit: false,
    });
  });

  it('naming the user grants alone; naming the account needs the identity policy too', () => {
    assert.equal(assume({ principal: user('dev'), resourcePolicy: trust({ AWS: `arn:aws:iam::${ACCOUNT}:user/dev` }) }).decision, 'Allow');
    assert.equal(assume({ principal: user('dev'), resourcePolicy: trust({ AWS: ACCOUNT }) }).deniedBy, 'identity');
    assert.equal(assume({ principal: user('dev'), resourcePolicy: trust({ AWS: ACCOUNT }), identityPolicies: [allowAll] }).decision, 'Allow');
  });

  it('an explicit deny in the trust policy is reported as such', () => {
    const t = policy([{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }, { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/dev` }, Action: 'sts:AssumeRole' }], 'trust');
    assert.deepEqual(assume({ principal: user('dev'), resourcePolicy: t, identityPolicies: [allowAll] }), { decision: 'ExplicitDeny', deniedBy: 'trust', explicit: true });
  });

  it('a service is refused without a resource policy', () => {
    assert.deepEqual(decide({ principal: service('ecs.amazonaws.com'), identityPolicies: [allowAll] }), { decision: 'ImplicitDeny', deniedBy: 'resource', explicit: false });
  });
});

describe('evaluate: contract', () => {
  it('refuses policies that parsePolicy did not build', () => {
    const fake = { statements: [], version: '2012-10-17' as const, kind: 'identity' as const };
    assert.throws(() => decide({ principal: user('dev'), identityPolicies: [fake] }), TypeError);
  });
});
