import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyDocumentError, PolicyMessages } from './errors.ts';
import { parsePolicy } from './parse.ts';
import type { PolicyKind } from './types.ts';

const ok = { Effect: 'Allow', Action: 'ecs:ListClusters', Resource: '*' };
const text = (doc: unknown) => (typeof doc === 'string' ? doc : JSON.stringify(doc));
const withStatement = (statement: unknown, version: string | undefined = '2012-10-17') =>
  version === undefined ? { Statement: statement } : { Version: version, Statement: statement };

/** Asserts IAM's refusal, with its exact message. */
function refuses(doc: unknown, kind: PolicyKind, message: string) {
  assert.throws(
    () => parsePolicy(text(doc), kind),
    (e: unknown) => e instanceof PolicyDocumentError && e.message === message && e.code === 'MalformedPolicyDocument',
    `expected "${message}"`,
  );
}

describe('parsePolicy: documents IAM accepts', () => {
  it('reads a statement object or a list, normalising strings to lists', () => {
    const p = parsePolicy(text({ Version: '2012-10-17', Id: 'pol', Statement: { Sid: 'A1', ...ok } }), 'identity');
    assert.equal(p.version, '2012-10-17');
    assert.equal(p.id, 'pol');
    assert.equal(p.kind, 'identity');
    assert.deepEqual(p.statements, [{ sid: 'A1', effect: 'Allow', action: ['ecs:ListClusters'], resource: ['*'] }]);
  });

  it('assumes 2008-10-17 when Version is missing', () => {
    assert.equal(parsePolicy(text({ Statement: [ok] }), 'identity').version, '2008-10-17');
  });

  it('normalises Principal and Condition values', () => {
    const p = parsePolicy(
      text(withStatement({ ...ok, Principal: { AWS: '123456789012', Service: ['ecs-tasks.amazonaws.com'] }, Condition: { NumericLessThan: { 's3:max-keys': 10 }, Bool: { 'aws:SecureTransport': true } } })),
      'resource',
    );
    assert.deepEqual(p.statements[0].principal, { AWS: ['123456789012'], Service: ['ecs-tasks.amazonaws.com'] });
    assert.deepEqual(p.statements[0].condition, { NumericLessThan: { 's3:max-keys': ['10'] }, Bool: { 'aws:SecureTransport': ['true'] } });
  });

  it('accepts a resource policy without Resource (it covers the resource it is attached to) and with NotPrincipal', () => {
    parsePolicy(text(withStatement({ Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' })), 'resource');
    parsePolicy(text(withStatement({ Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::123456789012:user/a' }, Action: 'ecr:*' })), 'resource');
  });

  it('accepts a trust policy with STS actions and service, account, role and federated principals', () => {
    const p = parsePolicy(
      text(withStatement([
        { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::444455556666:root', 'arn:aws:iam::444455556666:role/ci'] }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
        { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.example.com' }, Action: 'sts:AssumeRoleWithWebIdentity' },
      ])),
      'trust',
    );
    assert.equal(p.statements.length, 3);
  });

  it('accepts condition keys whose tag key has colons, and empty Sids', () => {
    parsePolicy(text(withStatement({ ...ok, Sid: '', Condition: { StringLike: { 'ec2:ResourceTag/aws:cloudformation:stack-name': 'x-*' } } })), 'identity');
  });

  it('carries the ARN it is given, and refuses 2008-10-17 when the API requires the current version', () => {
    assert.equal(parsePolicy(text(withStatement(ok)), 'identity', { arn: 'arn:aws:iam::123456789012:policy/p' }).arn, 'arn:aws:iam::123456789012:policy/p');
    assert.throws(() => parsePolicy(text({ Statement: [ok] }), 'identity', { requireCurrentVersion: true }), { message: PolicyMessages.version });
    assert.throws(() => parsePolicy(text(withStatement(ok, '2008-10-17')), 'identity', { requireCurrentVersion: true }), { message: PolicyMessages.version });
  });
});

describe('parsePolicy: IAM refusals and their messages', () => {
  it('Syntax errors in policy.', () => {
    const cases: unknown[] = [
      '{not json',
      '[]',
      '"x"',
      { Version: '2012-10-17' },
      withStatement([]),
      withStatement('x'),
      withStatement([ok, 3]),
      { ...withStatement(ok), Extra: 1 },
      { Version: '2012-10-18', Statement: ok },
      { Version: 2012, Statement: ok },
      { Id: 5, Statement: ok },
      withStatement({ ...ok, Unknown: 1 }),
      withStatement({ Action: 'ecs:*', Resource: '*' }),
      withStatement({ ...ok, Effect: 'Permit' }),
      withStatement({ ...ok, Effect: true }),
      withStatement({ ...ok, NotAction: 'ecs:*' }),
      withStatement({ ...ok, NotResource: '*' }),
      withStatement({ ...ok, Action: 5 }),
      withStatement({ ...ok, Resource: ['*', 5] }),
      withStatement({ ...ok, Sid: 5 }),
      withStatement({ ...ok, Condition: [] }),
      withStatement({ ...ok, Condition: { StringEquals: 'x' } }),
      withStatement({ ...ok, Condition: { StringEquals: { 'aws:x': { a: 1 } } } }),
      withStatement({ ...ok, Condition: { StringEqualz: { 'aws:x': 'a' } } }),
      withStatement({ ...ok, Condition: { StringEqualz: {} } }),
      withStatement({ ...ok, Condition: { NullIfExists: { 'aws:x': 'true' } } }),
      withStatement({ ...ok, Condition: { 'ForSomeValues:StringEquals': { 'aws:x': 'a' } } }),
    ];
    for (const doc of cases) refuses(doc, 'identity', PolicyMessages.syntax);
    refuses(withStatement({ ...ok, Principal: { Group: 'x' } }), 'resource', PolicyMessages.syntax);
    refuses(withStatement({ ...ok, Principal: { AWS: [] } }), 'resource', PolicyMessages.syntax);
    refuses(withStatement({ ...ok, Principal: {} }), 'resource', PolicyMessages.syntax);
    refuses(withStatement({ ...ok, Principal: '*', NotPrincipal: '*' }), 'resource', PolicyMessages.syntax);
  });

  it('Policy document should not specify a principal.', () => {
    for (const kind of ['identity', 'boundary', 'session'] as const) {
      refuses(withStatement({ ...ok, Principal: '*' }), kind, PolicyMessages.principalNotAllowed);
      refuses(withStatement({ ...ok, NotPrincipal: { AWS: '123456789012' } }), kind, PolicyMessages.principalNotAllowed);
    }
  });

  it('Missing required field Principal / Has prohibited field ...', () => {
    refuses(withStatement({ Effect: 'Allow', Action: 'sts:AssumeRole' }), 'trust', 'Missing required field Principal');
    refuses(withStatement(ok), 'resource', 'Missing required field Principal');
    refuses(withStatement({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Resource: '*' }), 'trust', 'Has prohibited field Resource');
    refuses(withStatement({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', NotResource: '*' }), 'trust', 'Has prohibited field NotResource');
    refuses(withStatement({ Effect: 'Deny', NotPrincipal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }), 'trust', 'Has prohibited field NotPrincipal');
  });

  it('The policy failed legacy parsing', () => {
    refuses(withStatement({ ...ok, Effect: 'allow' }), 'identity', PolicyMessages.legacy);
    refuses(withStatement({ ...ok, Condition: { DateGreaterThan: { 'aws:CurrentTime': 'yesterday' } } }), 'identity', PolicyMessages.legacy);
    refuses(withStatement({ ...ok, Condition: { DateLessThan: { 'aws:CurrentTime': '2020-13-01T00:00:00Z' } } }), 'identity', PolicyMessages.legacy);
    refuses(withStatement({ ...ok, Resource: 'arn:aws:s3::bucket' }), 'identity', PolicyMessages.legacy);
    refuses(withStatement({ ...ok, Resource: 'arn:aws::us-east-1:1:x' }), 'identity', PolicyMessages.legacy);
  });

  it('Statement IDs (SID) in a single policy must be unique. / must be alpha-numeric', () => {
    refuses(withStatement([{ ...ok, Sid: 'A' }, { ...ok, Sid: 'A' }]), 'identity', PolicyMessages.sidUnique);
    refuses(withStatement({ ...ok, Sid: 'my-sid' }), 'identity', PolicyMessages.sidAlphanumeric);
    // Other services' resource policies allow free-form Sids.
    parsePolicy(text(withStatement({ ...ok, Principal: '*', Sid: 'allow pull' })), 'resource');
  });

  it('Policy statement must contain actions.', () => {
    refuses(withStatement({ Effect: 'Allow', Resource: '*' }), 'identity', PolicyMessages.actions);
    refuses(withStatement({ ...ok, Action: [] }), 'identity', PolicyMessages.actions);
  });

  it('Policy statement must contain resources.', () => {
    refuses(withStatement({ Effect: 'Allow', Action: 'ecs:*' }), 'identity', PolicyMessages.resources);
    refuses(withStatement({ ...ok, Resource: [] }), 'boundary', PolicyMessages.resources);
    refuses(withStatement({ Effect: 'Allow', Action: 'ecs:*' }), 'session', PolicyMessages.resources);
  });

  it('Resource formats', () => {
    refuses(withStatement({ ...ok, Resource: 'my-bucket' }), 'identity', 'Resource my-bucket must be in ARN format or "*".');
    refuses(withStatement({ ...ok, Resource: 'arn:aws1:s3:::b' }), 'identity', 'Partition "aws1" is not valid for resource "arn:aws1:s3:::b".');
    refuses(withStatement({ ...ok, Resource: 'arn:aws:iam:us-east-1:123456789012:user/x' }), 'identity', 'IAM resource arn:aws:iam:us-east-1:123456789012:user/x cannot contain region information.');
    refuses(withStatement({ ...ok, Resource: 'arn:aws' }), 'identity', PolicyMessages.resourceVendor);
  });

  it('Action vendors', () => {
    refuses(withStatement({ ...ok, Action: 'RunTask' }), 'identity', 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    refuses(withStatement({ ...ok, Action: 'ecs:Run:Task' }), 'identity', 'Actions/Condition can contain only one colon.');
    refuses(withStatement({ ...ok, Action: 'e*s:RunTask' }), 'identity', 'Vendor e*s is not valid');
    refuses(withStatement({ ...ok, Condition: { StringEquals: { SourceIp: 'x' } } }), 'identity', PolicyMessages.vendor);
  });

  it('AssumeRole policy may only specify STS AssumeRole actions.', () => {
    refuses(withStatement({ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: ['sts:AssumeRole', 'ecs:RunTask'] }), 'trust', PolicyMessages.trustActions);
  });

  it('Invalid principal in policy: ...', () => {
    refuses(withStatement({ Effect: 'Allow', Principal: { AWS: 'not-an-arn' }, Action: 'sts:AssumeRole' }), 'trust', 'Invalid principal in policy: "AWS":"not-an-arn"');
    refuses(withStatement({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:user/*' }, Action: 'sts:AssumeRole' }), 'trust', 'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/*"');
    refuses(withStatement({ Effect: 'Allow', Principal: { Service: 'ecs tasks' }, Action: 'sts:AssumeRole' }), 'trust', 'Invalid principal in policy: "SERVICE":"ecs tasks"');
    const exists = (arn: string) => arn.endsWith('/known');
    const doc = (who: string) => text(withStatement({ Effect: 'Allow', Principal: { AWS: who }, Action: 'sts:AssumeRole' }));
    parsePolicy(doc('arn:aws:iam::123456789012:role/known'), 'trust', { principalExists: exists });
    assert.throws(() => parsePolicy(doc('arn:aws:iam::123456789012:role/gone'), 'trust', { principalExists: exists }), {
      message: 'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/gone"',
    });
  });

  it('reports the earliest stage when several problems are present (syntax, then kind, then legacy, ...)', () => {
    refuses(withStatement([{ ...ok, Effect: 'allow', Principal: '*' }, { Bad: 1 }]), 'identity', PolicyMessages.syntax);
    refuses(withStatement({ ...ok, Effect: 'allow', Principal: '*' }), 'identity', PolicyMessages.principalNotAllowed);
    refuses(withStatement([{ ...ok, Effect: 'allow' }, { Effect: 'Allow', Resource: '*' }]), 'identity', PolicyMessages.legacy);
    refuses(withStatement([{ ...ok, Sid: 'a' }, { Sid: 'a', Effect: 'Allow', Resource: '*' }]), 'identity', PolicyMessages.sidUnique);
    refuses(withStatement([{ Effect: 'Allow', Action: 'ecs:*' }, { Effect: 'Allow', Resource: '*' }]), 'identity', PolicyMessages.actions);
    refuses(withStatement([{ ...ok, Action: 'bad' }, { ...ok, Resource: 'bad' }]), 'identity', 'Resource bad must be in ARN format or "*".');
  });
});
