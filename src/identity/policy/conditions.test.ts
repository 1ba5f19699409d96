import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition, parseDate } from './conditions.ts';
import { RequestContext } from './context.ts';
import { request, user } from './testing.ts';
import type { EvaluationRequest, RequestPrincipal } from './types.ts';

/** Evaluates a Condition element against a context, as a statement would (all tests ANDed). */
function holds(condition: object, context: EvaluationRequest['context'] = {}, principal: RequestPrincipal = user('alice'), variables = true): boolean {
  const { tests } = compileCondition(condition, variables);
  const ctx = new RequestContext(request({ principal, action: 'ecs:RunTask', context }));
  return tests.every((t) => t(ctx));
}

describe('conditions: string operators', () => {
  it('StringEquals is exact and case-sensitive; values are ORed', () => {
    const c = { StringEquals: { 'aws:RequestTag/team': ['web', 'api'] } };
    assert.equal(holds(c, { 'aws:RequestTag/team': 'api' }), true);
    assert.equal(holds(c, { 'aws:RequestTag/team': 'Web' }), false);
    assert.equal(holds(c, {}), false);
  });

  it('StringNotEquals is NOR over the values, and true when the key is missing', () => {
    const c = { StringNotEquals: { 'aws:RequestTag/team': ['web', 'api'] } };
    assert.equal(holds(c, { 'aws:RequestTag/team': 'db' }), true);
    assert.equal(holds(c, { 'aws:RequestTag/team': 'web' }), false);
    assert.equal(holds(c, {}), true);
  });

  it('StringEqualsIgnoreCase / StringNotEqualsIgnoreCase fold case', () => {
    assert.equal(holds({ StringEqualsIgnoreCase: { 'ecs:cluster': 'Prod' } }, { 'ecs:cluster': 'PROD' }), true);
    assert.equal(holds({ StringNotEqualsIgnoreCase: { 'ecs:cluster': 'Prod' } }, { 'ecs:cluster': 'prod' }), false);
    assert.equal(holds({ StringNotEqualsIgnoreCase: { 'ecs:cluster': 'Prod' } }, { 'ecs:cluster': 'dev' }), true);
    assert.equal(holds({ StringNotEqualsIgnoreCase: { 'ecs:cluster': 'Prod' } }, {}), true);
  });

  it('StringLike / StringNotLike take * and ? and are case-sensitive', () => {
    const like = { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/*'] } };
    assert.equal(holds(like, { 's3:prefix': 'home/alice/docs' }), true);
    assert.equal(holds(like, { 's3:prefix': 'home/bob/docs' }), false);
    assert.equal(holds(like, { 's3:prefix': '' }), true);
    assert.equal(holds({ StringLike: { 'ec2:InstanceType': 't?.*' } }, { 'ec2:InstanceType': 't2.micro' }), true);
    assert.equal(holds({ StringLike: { 'ec2:InstanceType': 't?.*' } }, { 'ec2:InstanceType': 'T2.micro' }), false);
    assert.equal(holds({ StringNotLike: { 'ec2:InstanceType': 't*' } }, { 'ec2:InstanceType': 'm5.large' }), true);
    assert.equal(holds({ StringNotLike: { 'ec2:InstanceType': 't*' } }, { 'ec2:InstanceType': 't3.large' }), false);
    assert.equal(holds({ StringNotLike: { 'ec2:InstanceType': 't*' } }, {}), true);
  });

  it('StringEquals treats * literally', () => {
    assert.equal(holds({ StringEquals: { 'aws:RequestTag/x': 'a*' } }, { 'aws:RequestTag/x': 'abc' }), false);
    assert.equal(holds({ StringEquals: { 'aws:RequestTag/x': 'a*' } }, { 'aws:RequestTag/x': 'a*' }), true);
  });
});

describe('conditions: numeric, date, bool, binary, IP, ARN', () => {
  it('Numeric operators compare numbers, integer or decimal; a value that is not a number never matches', () => {
    const ctx = { 's3:max-keys': '10' };
    assert.equal(holds({ NumericEquals: { 's3:max-keys': '10.0' } }, ctx), true);
    assert.equal(holds({ NumericNotEquals: { 's3:max-keys': '10' } }, ctx), false);
    assert.equal(holds({ NumericNotEquals: { 's3:max-keys': ['9', '11'] } }, ctx), true);
    assert.equal(holds({ NumericLessThan: { 's3:max-keys': '10' } }, ctx), false);
    assert.equal(holds({ NumericLessThanEquals: { 's3:max-keys': '10' } }, ctx), true);
    assert.equal(holds({ NumericGreaterThan: { 's3:max-keys': '9.5' } }, ctx), true);
    assert.equal(holds({ NumericGreaterThanEquals: { 's3:max-keys': 11 } }, ctx), false);
    assert.equal(holds({ NumericLessThan: { 's3:max-keys': '100' } }, { 's3:max-keys': 'ten' }), false);
    assert.equal(holds({ NumericLessThan: { 's3:max-keys': '100' } }, {}), false);
  });

  it('Date operators compare ISO 8601 times and epoch seconds (the time comes in aws:CurrentTime / aws:EpochTime)', () => {
    const now = { 'aws:CurrentTime': '2024-06-01T12:00:00Z', 'aws:EpochTime': String(Date.UTC(2024, 5, 1, 12) / 1000) };
    assert.equal(holds({ DateGreaterThan: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' } }, now), true);
    assert.equal(holds({ DateLessThan: { 'aws:CurrentTime': '2024-06-01T12:00:00Z' } }, now), false);
    assert.equal(holds({ DateLessThanEquals: { 'aws:CurrentTime': '2024-06-01T12:00:00Z' } }, now), true);
    assert.equal(holds({ DateEquals: { 'aws:CurrentTime': '2024-06-01T14:00:00+02:00' } }, now), true);
    assert.equal(holds({ DateNotEquals: { 'aws:CurrentTime': '2024-06-01T12:00:00Z' } }, now), false);
    assert.equal(holds({ DateGreaterThanEquals: { 'aws:EpochTime': '2024-06-01' } }, now), true);
    assert.equal(holds({ DateLessThan: { 'aws:EpochTime': String(Date.UTC(2025, 0, 1) / 1000) } }, now), true);
    assert.equal(holds({ DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } }, now), false);
  });

  it('parses the W3C date forms, a time without a zone as UTC', () => {
    assert.equal(parseDate('2024'), 2024 * 1000);
    assert.equal(parseDate('2024-06'), Date.UTC(2024, 5, 1));
    assert.equal(parseDate('2024-06-01T12:00'), Date.UTC(2024, 5, 1, 12));
    assert.equal(parseDate('2024-06-01T12:00:00.5Z'), Date.UTC(2024, 5, 1, 12, 0, 0, 500));
    assert.equal(parseDate('2024-06-01T12:00:00-0130'), Date.UTC(2024, 5, 1, 13, 30));
    assert.equal(parseDate('June 1st'), undefined);
  });

  it('Bool compares true/false, whatever the case', () => {
    assert.equal(holds({ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'false' }), true);
    assert.equal(holds({ Bool: { 'aws:SecureTransport': false } }, { 'aws:SecureTransport': 'true' }), false);
    assert.equal(holds({ Bool: { 'aws:MultiFactorAuthPresent': 'TRUE' } }, { 'aws:MultiFactorAuthPresent': 'true' }), true);
    assert.equal(holds({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }, {}), false);
  });

  it('BinaryEquals compares the bytes of base64 values', () => {
    const v = Buffer.from('BinaryValueInBase64').toString('base64');
    assert.equal(holds({ BinaryEquals: { 'x:blob': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }, { 'x:blob': v }), true);
    assert.equal(holds({ BinaryEquals: { 'x:blob': 'QmluYXJ5VmFsdWVJbkJhc2U2NA' } }, { 'x:blob': v }), true);
    assert.equal(holds({ BinaryEquals: { 'x:blob': 'QQ==' } }, { 'x:blob': v }), false);
  });

  it('IpAddress / NotIpAddress test IPv4 and IPv6 ranges', () => {
    const c = { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678::/64'] } };
    assert.equal(holds(c, { 'aws:SourceIp': '203.0.113.9' }), true);
    assert.equal(holds(c, { 'aws:SourceIp': '2001:db8:1234:5678:abcd::1' }), true);
    assert.equal(holds(c, { 'aws:SourceIp': '198.51.100.1' }), false);
    assert.equal(holds(c, {}), false);
    assert.equal(holds({ NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '198.51.100.1' }), true);
    assert.equal(holds({ NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '203.0.113.1' }), false);
    assert.equal(holds({ NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, {}), true);
  });

  it('ArnEquals/ArnLike (identical) match part by part; ArnNotEquals/ArnNotLike negate', () => {
    const topic = { 'aws:SourceArn': 'arn:aws:sns:us-east-2:123456789012:TOPIC-ID' };
    for (const op of ['ArnEquals', 'ArnLike']) {
      assert.equal(holds({ [op]: { 'aws:SourceArn': 'arn:aws:sns:*:123456789012:TOPIC-*' } }, topic), true, op);
      assert.equal(holds({ [op]: { 'aws:SourceArn': 'arn:aws:sns:*:999999999999:*' } }, topic), false, op);
    }
    for (const op of ['ArnNotEquals', 'ArnNotLike']) {
      assert.equal(holds({ [op]: { 'aws:SourceArn': 'arn:aws:sns:*:999999999999:*' } }, topic), true, op);
      assert.equal(holds({ [op]: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } }, topic), false, op);
      assert.equal(holds({ [op]: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } }, {}), true, op);
    }
    assert.equal(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:*' } }, { 'aws:SourceArn': 'not-an-arn' }), false);
    assert.equal(holds({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/${aws:username}' } }), true);
  });
});

describe('conditions: Null, IfExists, qualifiers, blocks', () => {
  it('Null "true" wants the key absent, "false" present', () => {
    assert.equal(holds({ Null: { 'aws:TokenIssueTime': 'true' } }, {}), true);
    assert.equal(holds({ Null: { 'aws:TokenIssueTime': 'true' } }, { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }), false);
    assert.equal(holds({ Null: { 'aws:ResourceTag/AmazonECSManaged': 'false' } }, { 'aws:ResourceTag/AmazonECSManaged': 'true' }), true);
    assert.equal(holds({ Null: { 'aws:ResourceTag/AmazonECSManaged': 'false' } }, {}), false);
    assert.equal(holds({ Null: { 'aws:TagKeys': 'true' } }, { 'aws:TagKeys': [] }), true);
  });

  it('...IfExists is true when the key is missing and the operator otherwise (negated ones included)', () => {
    const c = { StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } };
    assert.equal(holds(c, {}), true);
    assert.equal(holds(c, { 'ec2:InstanceType': 't2.micro' }), true);
    assert.equal(holds(c, { 'ec2:InstanceType': 'c5.large' }), false);
    assert.equal(holds({ StringNotEqualsIfExists: { 'aws:RequestTag/env': 'prod' } }, {}), true);
    assert.equal(holds({ StringNotEqualsIfExists: { 'aws:RequestTag/env': 'prod' } }, { 'aws:RequestTag/env': 'prod' }), false);
    for (const op of ['NumericLessThanIfExists', 'DateLessThanIfExists', 'BoolIfExists', 'BinaryEqualsIfExists', 'IpAddressIfExists', 'NotIpAddressIfExists', 'ArnLikeIfExists', 'ArnNotEqualsIfExists', 'StringEqualsIgnoreCaseIfExists']) {
      assert.equal(holds({ [op]: { 'x:missing': '1' } }, {}), true, op);
    }
    assert.equal(holds({ NumericLessThanIfExists: { 'x:n': '5' } }, { 'x:n': '7' }), false);
  });

  it('ForAllValues: every request value matches some policy value; true with no values', () => {
    const c = { 'ForAllValues:StringLike': { 'dynamodb:requestedAttributes': ['PostDateTime', 'Message', 'Tags'] } };
    assert.equal(holds(c, { 'dynamodb:requestedAttributes': ['PostDateTime', 'Message'] }), true);
    assert.equal(holds(c, { 'dynamodb:requestedAttributes': ['PostDateTime', 'UserName'] }), false);
    assert.equal(holds(c, {}), true);
    assert.equal(holds(c, { 'dynamodb:requestedAttributes': [] }), true);
  });

  it('ForAnyValue: some request value matches; false with no values', () => {
    const c = { 'ForAnyValue:StringLike': { 'dynamodb:requestedAttributes': ['ID', 'PostDateTime'] } };
    assert.equal(holds(c, { 'dynamodb:requestedAttributes': ['UserName', 'Message', 'PostDateTime'] }), true);
    assert.equal(holds(c, { 'dynamodb:requestedAttributes': ['UserName'] }), false);
    assert.equal(holds(c, {}), false);
  });

  it('qualifiers with negated operators: ForAllValues:StringNotLike (the IAM "deny restricted tag keys" example)', () => {
    const c = { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'key1*' } };
    assert.equal(holds(c, { 'aws:TagKeys': ['key1:legal'] }), false);
    assert.equal(holds(c, { 'aws:TagKeys': ['key1:hr', 'key1:personnel'] }), false);
    assert.equal(holds(c, { 'aws:TagKeys': ['key2:audit'] }), true);
    assert.equal(holds(c, {}), true);
    const any = { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['a', 'b'] } };
    assert.equal(holds(any, { 'aws:TagKeys': ['a', 'c'] }), true);
    assert.equal(holds(any, { 'aws:TagKeys': ['a', 'b'] }), false);
    assert.equal(holds(any, {}), false);
  });

  it('a multi-valued key without a qualifier matches when any value does (a negated operator when none does)', () => {
    assert.equal(holds({ StringEquals: { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': ['b', 'a'] }), true);
    assert.equal(holds({ StringNotEquals: { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': ['b', 'a'] }), false);
  });

  it('ANDs operators and the keys of one operator; key names are case-insensitive', () => {
    const c = { StringEquals: { 'aws:PrincipalTag/department': 'finance', 'AWS:RequestTag/Project': 'x' }, IpAddress: { 'aws:sourceip': '10.0.0.0/8' } };
    const principal = user('alice', undefined, { Department: 'finance' });
    assert.equal(holds(c, { 'aws:requesttag/project': 'x', 'aws:SourceIp': '10.1.1.1' }, principal), true);
    assert.equal(holds(c, { 'aws:requesttag/project': 'x', 'aws:SourceIp': '11.1.1.1' }, principal), false);
    assert.equal(holds(c, { 'aws:requesttag/project': 'y', 'aws:SourceIp': '10.1.1.1' }, principal), false);
    assert.equal(holds(c, { 'aws:requesttag/project': 'x', 'aws:SourceIp': '10.1.1.1' }, user('alice')), false);
  });

  it('operator names may carry any case, as IAM stores them', () => {
    assert.equal(holds({ stringequals: { 'x:k': 'v' } }, { 'x:k': 'v' }), true);
    assert.equal(holds({ 'forallvalues:StringEquals': { 'x:k': 'v' } }, { 'x:k': ['v'] }), true);
  });
});

describe('conditions: policy variables', () => {
  it('substitutes principal keys (aws:username, aws:userid, aws:PrincipalTag/*) in String, ARN and Bool values', () => {
    const alice = user('alice', undefined, { team: 'web', admin: 'true' });
    assert.equal(holds({ StringEquals: { 'aws:RequestTag/owner': '${aws:username}' } }, { 'aws:RequestTag/owner': 'alice' }, alice), true);
    assert.equal(holds({ StringEquals: { 'aws:RequestTag/owner': '${aws:userid}' } }, { 'aws:RequestTag/owner': alice.userId }, alice), true);
    assert.equal(holds({ StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }, { 'aws:ResourceTag/team': 'web' }, alice), true);
    assert.equal(holds({ Bool: { 'x:flag': '${aws:PrincipalTag/admin}' } }, { 'x:flag': 'true' }, alice), true);
  });

  it('substitutes any context key, and uses a default when the key has no value', () => {
    assert.equal(holds({ StringEquals: { 'x:ip': '${aws:SourceIp}' } }, { 'x:ip': '1.2.3.4', 'aws:SourceIp': '1.2.3.4' }), true);
    assert.equal(holds({ StringEquals: { 'x:who': "${aws:PrincipalTag/nick, 'none'}" } }, { 'x:who': 'none' }), true);
  });

  it('a variable with no value makes the condition false, negated or not', () => {
    assert.equal(holds({ StringEquals: { 'x:k': '${aws:PrincipalTag/missing}' } }, { 'x:k': '' }), false);
    assert.equal(holds({ StringNotEquals: { 'x:k': '${aws:PrincipalTag/missing}' } }, { 'x:k': 'v' }), false);
  });

  it('are literal text in a 2008-10-17 document and in Numeric conditions', () => {
    assert.equal(holds({ StringEquals: { 'x:k': '${aws:username}' } }, { 'x:k': '${aws:username}' }, user('alice'), false), true);
    assert.equal(holds({ StringEquals: { 'x:k': '${aws:username}' } }, { 'x:k': 'alice' }, user('alice'), false), false);
    assert.equal(holds({ NumericEquals: { 'x:n': '${x:m}' } }, { 'x:n': '1', 'x:m': '1' }), false);
  });
});
