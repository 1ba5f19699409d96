/**
 * The examples of AWS's IAM User Guide, as a table: each row is a request against the policies
 * of one documented example, and the decision the page says AWS makes. The page each comes
 * from is named in the row's `doc`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate } from './evaluate.ts';
import { ACCOUNT, OTHER, policy, request, session, user } from './testing.ts';
import type { Decision, EvaluationRequest, PolicyType } from './types.ts';

interface Row {
  readonly doc: string;
  readonly what: string;
  readonly req: EvaluationRequest;
  readonly decision: Decision;
  readonly deniedBy?: PolicyType;
}

// "Policy evaluation logic", example identity-based and resource-based policy evaluation (Carlos).
const carlosIdentity = policy([
  { Sid: 'AllowS3ListRead', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:GetAccountPublicAccessBlock', 's3:ListAccessPoints', 's3:ListAllMyBuckets'], Resource: 'arn:aws:s3:::*' },
  { Sid: 'AllowS3Self', Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'] },
  { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::*log*' },
]);
const carlosBucket = policy(
  { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/carlossalazar` }, Action: 's3:*', Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'] },
  'resource',
);
const carlos = user('carlossalazar');

// "Policy evaluation logic", the difference between explicit and implicit denies.
const getList = policy([
  { Sid: 'AllowGetList', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
  { Sid: 'DenyReports', Effect: 'Deny', Action: 'iam:*Report', Resource: '*' },
]);
const reports = policy({ Effect: 'Allow', Action: 'iam:GenerateCredentialReport', Resource: '*' });

// "Permissions boundaries for IAM entities": ShirleyRodriguez.
const shirleyBoundary = policy({ Effect: 'Allow', Action: ['s3:*', 'cloudwatch:*', 'ec2:*'], Resource: '*' });
const createUser = policy({ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' });
// "Permissions boundaries for IAM entities": XCompanyBoundaries (part).
const xCompany = policy([
  { Sid: 'ServiceBoundaries', Effect: 'Allow', Action: ['s3:*', 'cloudwatch:*', 'ec2:*', 'dynamodb:*'], Resource: '*' },
  { Sid: 'AllowManageOwnPasswordAndAccessKeys', Effect: 'Allow', Action: ['iam:*AccessKey*', 'iam:ChangePassword', 'iam:GetUser'], Resource: ['arn:aws:iam::*:user/${aws:username}'] },
  { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: ['arn:aws:s3:::logs', 'arn:aws:s3:::logs/*'] },
  { Sid: 'DenyEC2Production', Effect: 'Deny', Action: 'ec2:*', Resource: 'arn:aws:ec2:*:*:instance/i-1234567890abcdef0' },
]);
const allowAll = policy({ Effect: 'Allow', Action: '*', Resource: '*' });

// "Condition operators": the IpAddress, Bool, Null and IfExists examples.
const fromRange = policy({ Effect: 'Allow', Action: 'iam:*AccessKey*', Resource: `arn:aws:iam::${ACCOUNT}:user/*`, Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } });
const sslOnly = policy({ Sid: 'BooleanExample', Action: 's3:*', Effect: 'Deny', Resource: ['arn:aws:s3:::DOC-EXAMPLE-BUCKET', 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
const noTemporary = policy({ Action: 'ec2:*', Effect: 'Allow', Resource: '*', Condition: { Null: { 'aws:TokenIssueTime': 'true' } } });
const instanceTypes = policy([
  { Sid: 'RunInstance', Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*', Condition: { StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } } },
  { Sid: 'DescribeActions', Effect: 'Allow', Action: ['ec2:DescribeImages', 'ec2:DescribeInstances'], Resource: '*' },
]);
const notWorking = policy({ Sid: 'THISPOLICYDOESNOTWORK', Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*', Condition: { StringLike: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } } });
const issued2020 = policy({ Effect: 'Allow', Action: 'iam:*AccessKey*', Resource: `arn:aws:iam::${ACCOUNT}:user/*`, Condition: { DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } } });

// "IAM policy elements: Variables and tags".
const ownQueue = policy([
  { Sid: 'ListForConsole', Effect: 'Allow', Action: 'sqs:ListQueues', Resource: '*' },
  { Sid: 'AllQueueActions', Effect: 'Allow', Action: 'sqs:*', Resource: 'arn:aws:sqs:us-east-2:*:${aws:username}-queue' },
]);
const homeDir = policy([
  { Action: ['s3:ListBucket'], Effect: 'Allow', Resource: ['arn:aws:s3:::mybucket'], Condition: { StringLike: { 's3:prefix': ['${aws:username}/*'] } } },
  { Action: ['s3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: ['arn:aws:s3:::mybucket/${aws:username}/*'] },
]);
const byDepartment = policy({ Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::bucket/${aws:PrincipalTag/department}'] });
const withDefault = policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:Resource': "arn:aws:s3:::/bucket/${aws:userid, 'anonymous'}" } } });

// "Creating a condition with multiple keys or values" (set operators).
const onlyAttributes = policy({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/Thread', Condition: { 'ForAllValues:StringLike': { 'dynamodb:requestedAttributes': ['PostDateTime', 'Message', 'Tags'] } } });
const denyAttributes = policy({ Effect: 'Deny', Action: 'dynamodb:PutItem', Resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/Thread', Condition: { 'ForAnyValue:StringLike': { 'dynamodb:requestedAttributes': ['ID', 'PostDateTime'] } } });
const putAll = policy({ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' });
const THREAD = 'arn:aws:dynamodb:us-east-1:123456789012:table/Thread';

// "Cross-account policy evaluation logic" and "AWS JSON policy elements: Principal" (account principals delegate).
const queueGrant = policy({ Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:us-east-2:${ACCOUNT}:queue1` }, 'resource');
const sendAny = policy({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' });
const QUEUE = `arn:aws:sqs:us-east-2:${ACCOUNT}:queue1`;

const r = (over: Partial<EvaluationRequest> & Pick<EvaluationRequest, 'principal' | 'action'>) => request(over);

const ROWS: readonly Row[] = [
  { doc: 'Policy evaluation logic', what: 'Carlos saves a file to carlossalazar-logs: explicit deny', req: r({ principal: carlos, action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar-logs/file.txt', identityPolicies: [carlosIdentity], resourcePolicy: carlosBucket }), decision: 'ExplicitDeny', deniedBy: 'identity' },
  { doc: 'Policy evaluation logic', what: 'Carlos saves a file to carlossalazar: both allow', req: r({ principal: carlos, action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar/file.txt', identityPolicies: [carlosIdentity], resourcePolicy: carlosBucket }), decision: 'Allow' },
  { doc: 'Policy evaluation logic', what: 'one allowing is enough: the bucket policy alone', req: r({ principal: carlos, action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar/file.txt', resourcePolicy: carlosBucket }), decision: 'Allow' },
  { doc: 'Policy evaluation logic', what: 'one allowing is enough: the identity policy alone', req: r({ principal: carlos, action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar/file.txt', identityPolicies: [carlosIdentity] }), decision: 'Allow' },
  { doc: 'Policy evaluation logic', what: 'Carlos lists all buckets', req: r({ principal: carlos, action: 's3:ListAllMyBuckets', resource: 'arn:aws:s3:::*', identityPolicies: [carlosIdentity] }), decision: 'Allow' },
  { doc: 'Policy evaluation logic', what: 'AllowGetList: iam:GetUser allowed', req: r({ principal: user('u'), action: 'iam:GetUser', identityPolicies: [getList] }), decision: 'Allow' },
  { doc: 'Policy evaluation logic', what: 'AllowGetList: iam:CreatePolicy implicitly denied', req: r({ principal: user('u'), action: 'iam:CreatePolicy', identityPolicies: [getList] }), decision: 'ImplicitDeny', deniedBy: 'identity' },
  { doc: 'Policy evaluation logic', what: 'DenyReports: iam:GetOrganizationsAccessReport explicitly denied', req: r({ principal: user('u'), action: 'iam:GetOrganizationsAccessReport', identityPolicies: [getList] }), decision: 'ExplicitDeny', deniedBy: 'identity' },
  { doc: 'Policy evaluation logic', what: 'DenyReports: still denied when another policy allows iam:GenerateCredentialReport', req: r({ principal: user('u'), action: 'iam:GenerateCredentialReport', identityPolicies: [reports, getList] }), decision: 'ExplicitDeny', deniedBy: 'identity' },
  { doc: 'Permissions boundaries for IAM entities', what: 'Shirley cannot create a user: the boundary does not allow it', req: r({ principal: user('ShirleyRodriguez'), action: 'iam:CreateUser', identityPolicies: [createUser], permissionsBoundary: shirleyBoundary }), decision: 'ImplicitDeny', deniedBy: 'boundary' },
  { doc: 'Permissions boundaries for IAM entities', what: 'the boundary grants nothing by itself', req: r({ principal: user('ShirleyRodriguez'), action: 's3:ListAllMyBuckets', permissionsBoundary: shirleyBoundary }), decision: 'ImplicitDeny', deniedBy: 'identity' },
  { doc: 'Permissions boundaries for IAM entities', what: 'XCompanyBoundaries: own access keys allowed', req: r({ principal: user('nikki'), action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/nikki`, identityPolicies: [allowAll], permissionsBoundary: xCompany }), decision: 'Allow' },
  { doc: 'Permissions boundaries for IAM entities', what: "XCompanyBoundaries: another user's access keys not allowed", req: r({ principal: user('nikki'), action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/zhang`, identityPolicies: [allowAll], permissionsBoundary: xCompany }), decision: 'ImplicitDeny', deniedBy: 'boundary' },
  { doc: 'Permissions boundaries for IAM entities', what: 'XCompanyBoundaries: the logs bucket is denied', req: r({ principal: user('nikki'), action: 's3:GetObject', resource: 'arn:aws:s3:::logs/a', identityPolicies: [allowAll], permissionsBoundary: xCompany }), decision: 'ExplicitDeny', deniedBy: 'boundary' },
  { doc: 'Permissions boundaries for IAM entities', what: 'XCompanyBoundaries: the production instance is denied', req: r({ principal: user('nikki'), action: 'ec2:StopInstances', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1234567890abcdef0`, identityPolicies: [allowAll], permissionsBoundary: xCompany }), decision: 'ExplicitDeny', deniedBy: 'boundary' },
  { doc: 'Condition operators', what: 'IpAddress: request from 203.0.113.0/24 allowed', req: r({ principal: user('u'), action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/u`, context: { 'aws:SourceIp': '203.0.113.10' }, identityPolicies: [fromRange] }), decision: 'Allow' },
  { doc: 'Condition operators', what: 'IpAddress: request from elsewhere not allowed', req: r({ principal: user('u'), action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/u`, context: { 'aws:SourceIp': '198.51.100.10' }, identityPolicies: [fromRange] }), decision: 'ImplicitDeny' },
  { doc: 'Condition operators', what: 'IpAddress: no aws:SourceIp (VPC endpoint) not allowed', req: r({ principal: user('u'), action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/u`, identityPolicies: [fromRange] }), decision: 'ImplicitDeny' },
  { doc: 'Condition operators', what: 'Bool: S3 without SSL denied', req: r({ principal: user('u'), action: 's3:GetObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/x', context: { 'aws:SecureTransport': 'false' }, identityPolicies: [allowAll, sslOnly] }), decision: 'ExplicitDeny', deniedBy: 'identity' },
  { doc: 'Condition operators', what: 'Bool: S3 over SSL allowed by the other policy', req: r({ principal: user('u'), action: 's3:GetObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/x', context: { 'aws:SecureTransport': 'true' }, identityPolicies: [allowAll, sslOnly] }), decision: 'Allow' },
  { doc: 'Condition operators', what: 'Null: long-term credentials may use EC2', req: r({ principal: user('u'), action: 'ec2:DescribeInstances', identityPolicies: [noTemporary] }), decision: 'Allow' },
  { doc: 'Condition operators', what: 'Null: temporary credentials may not', req: r({ principal: session('r'), action: 'ec2:DescribeInstances', context: { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }, identityPolicies: [noTemporary] }), decision: 'ImplicitDeny' },
  { doc: 'Condition operators', what: 'IfExists: RunInstances on the instance, type t2', req: r({ principal: user('u'), action: 'ec2:RunInstances', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`, context: { 'ec2:InstanceType': 't2.micro' }, identityPolicies: [instanceTypes] }), decision: 'Allow' },
  { doc: 'Condition operators', what: 'IfExists: RunInstances on the image (no instance type key)', req: r({ principal: user('u'), action: 'ec2:RunInstances', resource: 'arn:aws:ec2:us-east-1::image/ami-1', identityPolicies: [instanceTypes] }), decision: 'Allow' },
  { doc: 'Condition operators', what: 'IfExists: type c5 refused', req: r({ principal: user('u'), action: 'ec2:RunInstances', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`, context: { 'ec2:InstanceType': 'c5.large' }, identityPolicies: [instanceTypes] }), decision: 'ImplicitDeny' },
  { doc: 'Condition operators', what: 'THISPOLICYDOESNOTWORK: the image has no instance type key', req: r({ principal: user('u'), action: 'ec2:RunInstances', resource: 'arn:aws:ec2:us-east-1::image/ami-1', identityPolicies: [notWorking] }), decision: 'ImplicitDeny' },
  { doc: 'Condition operators', what: 'DateGreaterThan aws:TokenIssueTime: credentials issued in 2024', req: r({ principal: session('r'), action: 'iam:ListAccessKeys', resource: `arn:aws:iam::${ACCOUNT}:user/u`, context: { 'aws:TokenIssueTime': '2024-03-01T10:00:00Z' }, identityPolicies: [issued2020] }), decision: 'Allow' },
  { doc: 'Condition operators', what: 'DateGreaterThan aws:TokenIssueTime: an IAM user with access keys has no such key', req: r({ principal: user('u'), action: 'iam:ListAccessKeys', resource: `arn:aws:iam::${ACCOUNT}:user/u`, identityPolicies: [issued2020] }), decision: 'ImplicitDeny' },
  { doc: 'Variables and tags', what: "own queue (Bob's name in the queue ARN)", req: r({ principal: user('bob'), action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-2:${ACCOUNT}:bob-queue`, identityPolicies: [ownQueue] }), decision: 'Allow' },
  { doc: 'Variables and tags', what: "someone else's queue", req: r({ principal: user('bob'), action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-2:${ACCOUNT}:alice-queue`, identityPolicies: [ownQueue] }), decision: 'ImplicitDeny' },
  { doc: 'Variables and tags', what: 'home directory: list own prefix', req: r({ principal: user('David'), action: 's3:ListBucket', resource: 'arn:aws:s3:::mybucket', context: { 's3:prefix': 'David/photos' }, identityPolicies: [homeDir] }), decision: 'Allow' },
  { doc: 'Variables and tags', what: "home directory: another user's prefix", req: r({ principal: user('David'), action: 's3:ListBucket', resource: 'arn:aws:s3:::mybucket', context: { 's3:prefix': 'Adele/' }, identityPolicies: [homeDir] }), decision: 'ImplicitDeny' },
  { doc: 'Variables and tags', what: 'home directory: put own object', req: r({ principal: user('David'), action: 's3:PutObject', resource: 'arn:aws:s3:::mybucket/David/a.txt', identityPolicies: [homeDir] }), decision: 'Allow' },
  { doc: 'Variables and tags', what: 'tag as variable: bucket of the department', req: r({ principal: user('u', ACCOUNT, { department: 'HumanResources' }), action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/HumanResources', identityPolicies: [byDepartment] }), decision: 'Allow' },
  { doc: 'Variables and tags', what: 'tag as variable: no tag, no match', req: r({ principal: user('u'), action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/HumanResources', identityPolicies: [byDepartment] }), decision: 'ImplicitDeny' },
  { doc: 'Variables and tags', what: "default value: anonymous when aws:userid has none", req: r({ principal: { ...user('u'), userId: '' }, action: 's3:GetObject', context: { 'aws:Resource': 'arn:aws:s3:::/bucket/anonymous' }, identityPolicies: [withDefault] }), decision: 'Allow' },
  { doc: 'Multiple keys or values', what: 'ForAllValues: only allowed attributes', req: r({ principal: user('u'), action: 'dynamodb:GetItem', resource: THREAD, context: { 'dynamodb:requestedAttributes': ['PostDateTime', 'Message'] }, identityPolicies: [onlyAttributes] }), decision: 'Allow' },
  { doc: 'Multiple keys or values', what: 'ForAllValues: UserName not in the list', req: r({ principal: user('u'), action: 'dynamodb:GetItem', resource: THREAD, context: { 'dynamodb:requestedAttributes': ['PostDateTime', 'UserName'] }, identityPolicies: [onlyAttributes] }), decision: 'ImplicitDeny' },
  { doc: 'Multiple keys or values', what: 'ForAnyValue deny: PostDateTime among the attributes', req: r({ principal: user('u'), action: 'dynamodb:PutItem', resource: THREAD, context: { 'dynamodb:requestedAttributes': ['UserName', 'Message', 'PostDateTime'] }, identityPolicies: [putAll, denyAttributes] }), decision: 'ExplicitDeny', deniedBy: 'identity' },
  { doc: 'Multiple keys or values', what: 'ForAnyValue deny: only UserName', req: r({ principal: user('u'), action: 'dynamodb:PutItem', resource: THREAD, context: { 'dynamodb:requestedAttributes': ['UserName'] }, identityPolicies: [putAll, denyAttributes] }), decision: 'Allow' },
  { doc: 'Cross-account policy evaluation logic', what: 'queue policy grants the other account, whose user is allowed by its identity policy', req: r({ principal: user('sender', OTHER), action: 'sqs:SendMessage', resource: QUEUE, resourceAccount: ACCOUNT, identityPolicies: [sendAny], resourcePolicy: queueGrant }), decision: 'Allow' },
  { doc: 'Cross-account policy evaluation logic', what: 'no identity policy in the trusted account', req: r({ principal: user('sender', OTHER), action: 'sqs:SendMessage', resource: QUEUE, resourceAccount: ACCOUNT, resourcePolicy: queueGrant }), decision: 'ImplicitDeny', deniedBy: 'identity' },
  { doc: 'Cross-account policy evaluation logic', what: 'no grant in the trusting account', req: r({ principal: user('sender', OTHER), action: 'sqs:SendMessage', resource: QUEUE, resourceAccount: ACCOUNT, identityPolicies: [sendAny] }), decision: 'ImplicitDeny', deniedBy: 'resource' },
  { doc: 'AWS JSON policy elements: Principal', what: 'an account principal does not grant to a user of that account by itself', req: r({ principal: user('sender', OTHER), action: 'sqs:SendMessage', resource: QUEUE, resourceAccount: OTHER, resourcePolicy: queueGrant }), decision: 'ImplicitDeny', deniedBy: 'identity' },
];

describe('evaluate: the IAM User Guide examples', () => {
  for (const row of ROWS) {
    it(`${row.doc}: ${row.what} → ${row.decision}`, () => {
      const result = evaluate(row.req);
      assert.equal(result.decision, row.decision);
      if (row.deniedBy) assert.equal(result.deniedBy, row.deniedBy);
    });
  }
});
