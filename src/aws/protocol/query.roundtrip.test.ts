/**
 * The awsQuery codec against the real @aws-sdk/client-iam and client-sts, on IAM's and STS's
 * generated models: what the SDK serializes, the codec decodes to the command's input; what a
 * handler returns, the SDK hands back unchanged; a thrown error arrives as the SDK's modeled
 * exception class with its code, message and status.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreatePolicyCommand, CreateUserCommand, GetAccountSummaryCommand, GetUserCommand, IAMClient, IAMServiceException, ListUsersCommand,
  NoSuchEntityException, ServiceFailureException, SimulatePrincipalPolicyCommand,
  type CreatePolicyCommandInput, type CreateUserCommandInput, type SimulatePolicyResponse, type SimulatePrincipalPolicyCommandInput,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand, ExpiredTokenException, GetCallerIdentityCommand, MalformedPolicyDocumentException, STSClient, STSServiceException,
  type AssumeRoleCommandInput,
} from '@aws-sdk/client-sts';
import { AwsError } from '../errors.ts';
import { iamModel } from '../models/iam.ts';
import { stsModel } from '../models/sts.ts';
import { clientConfig, startCodecServer, type CodecServer, type DecodedCall } from './roundtrip.testing.ts';

/** What the next request is answered with. */
let answer: (call: DecodedCall) => object = () => ({});
let iamServer: CodecServer;
let stsServer: CodecServer;
let iam: IAMClient;
let sts: STSClient;

before(async () => {
  iamServer = await startCodecServer(iamModel, (call) => answer(call));
  stsServer = await startCodecServer(stsModel, (call) => answer(call));
  iam = new IAMClient(clientConfig(iamServer.url));
  sts = new STSClient(clientConfig(stsServer.url));
});

after(async () => {
  iam.destroy();
  sts.destroy();
  await iamServer.close();
  await stsServer.close();
});

/** The SDK's output without its `$metadata`. */
function body<T extends { $metadata?: unknown }>(output: T): Omit<T, '$metadata'> {
  const { $metadata: _, ...rest } = output;
  return rest;
}

/** The last decoded call. */
const lastCall = (server: CodecServer) => server.calls.at(-1);

const arn = (path: string) => `arn:aws:iam::123456789012:${path}`;

/** Sends a command that must fail, and returns the error the SDK threw. */
async function failure(send: () => Promise<unknown>): Promise<Error & { name: string; $fault: string; $metadata: { httpStatusCode?: number; requestId?: string } }> {
  const caught = await send().then(() => assert.fail('the request succeeded'), (error: unknown) => error);
  assert.ok(caught instanceof Error);
  return caught as Error & { name: string; $fault: string; $metadata: { httpStatusCode?: number; requestId?: string } };
}

describe('IAM through @aws-sdk/client-iam', () => {
  it('CreateUser: Tags (with empty and awkward values) in, a User with its CreateDate out', async () => {
    const input: CreateUserCommandInput = {
      UserName: 'alice', Path: '/eng/', PermissionsBoundary: arn('policy/boundary'),
      Tags: [{ Key: 'team', Value: 'a&b <c> "d" \'e\' é ü 😀' }, { Key: 'empty', Value: '' }, { Key: 'spaces', Value: ' padded + plus ' }],
    };
    const output = {
      User: {
        Path: '/eng/', UserName: 'alice', UserId: 'AIDAEXAMPLE', Arn: arn('user/eng/alice'), CreateDate: new Date('2026-12-03T06:50:01Z'),
        PermissionsBoundary: { PermissionsBoundaryType: 'Policy' as const, PermissionsBoundaryArn: arn('policy/boundary') }, Tags: input.Tags,
      },
    };
    answer = () => output;
    const got = await iam.send(new CreateUserCommand(input));
    assert.deepEqual(lastCall(iamServer), { operation: 'CreateUser', input });
    assert.deepEqual(body(got), output);
    assert.equal(got.$metadata.httpStatusCode, 200);
    assert.match(got.$metadata.requestId ?? '', /^00000000-/);
  });

  it('ListUsers: MaxItems and Marker in; Users, IsTruncated and Marker out, also when empty', async () => {
    const users = [
      { Path: '/', UserName: 'a', UserId: 'AIDA1', Arn: arn('user/a'), CreateDate: new Date('2026-01-01T00:00:00Z'), PasswordLastUsed: new Date('2026-12-03T06:50:01.123Z') },
      { Path: '/', UserName: 'b', UserId: 'AIDA2', Arn: arn('user/b'), CreateDate: new Date('2025-06-30T23:59:59Z') },
    ];
    answer = () => ({ Users: users, IsTruncated: true, Marker: 'page-2' });
    const got = await iam.send(new ListUsersCommand({ PathPrefix: '/', Marker: 'page-1', MaxItems: 2 }));
    assert.deepEqual(lastCall(iamServer)?.input, { PathPrefix: '/', Marker: 'page-1', MaxItems: 2 });
    assert.deepEqual(body(got), { Users: users, IsTruncated: true, Marker: 'page-2' });

    answer = () => ({ Users: [], IsTruncated: false });
    assert.deepEqual(body(await iam.send(new ListUsersCommand({}))), { Users: [], IsTruncated: false });
    assert.deepEqual(lastCall(iamServer)?.input, {});
  });

  it('GetUser: no input members; dates and a nested structure out', async () => {
    const user = {
      Path: '/', UserName: 'root-ish', UserId: 'AIDA3', Arn: arn('user/root-ish'), CreateDate: new Date('2026-12-03T06:50:01.999Z'),
      Tags: [{ Key: 'k', Value: 'v' }],
    };
    answer = () => ({ User: user });
    assert.deepEqual(body(await iam.send(new GetUserCommand({}))), { User: user });
    assert.deepEqual(lastCall(iamServer), { operation: 'GetUser', input: {} });
  });

  it('CreatePolicy: a JSON policy document survives form encoding and XML escaping both ways', async () => {
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringLike: { 's3:prefix': ['a&b', '<c>', "'\"", '100%', 'x+y=z'] } } }],
    }, null, 2).replace(/\n/g, '\r\n');
    const input: CreatePolicyCommandInput = { PolicyName: 'p', PolicyDocument: document, Description: 'line 1\r\nline 2\ttab', Path: '/', Tags: [{ Key: 'a', Value: 'b' }] };
    const policy = {
      PolicyName: 'p', PolicyId: 'ANPA1', Arn: arn('policy/p'), Path: '/', DefaultVersionId: 'v1', AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0, IsAttachable: true, Description: input.Description, CreateDate: new Date('2026-12-03T06:50:01Z'),
      UpdateDate: new Date('2026-12-03T06:50:02Z'), Tags: [{ Key: 'a', Value: 'b' }],
    };
    answer = () => ({ Policy: policy });
    const got = await iam.send(new CreatePolicyCommand(input));
    assert.deepEqual(lastCall(iamServer)?.input, input);
    assert.deepEqual(body(got), { Policy: policy });
  });

  it('SimulatePrincipalPolicy: lists of structures holding lists, an empty list, maps and nested positions', async () => {
    const input: SimulatePrincipalPolicyCommandInput = {
      PolicySourceArn: arn('user/alice'),
      ActionNames: ['s3:GetObject', 'iam:PassRole'],
      ResourceArns: [],
      PolicyInputList: ['{"Version":"2012-10-17"}'],
      ContextEntries: [
        { ContextKeyName: 'aws:username', ContextKeyValues: ['alice', 'bob'], ContextKeyType: 'stringList' },
        { ContextKeyName: 'aws:MultiFactorAuthPresent', ContextKeyValues: ['true'], ContextKeyType: 'boolean' },
      ],
      MaxItems: 10,
    };
    const output: SimulatePolicyResponse = {
      EvaluationResults: [{
        EvalActionName: 's3:GetObject', EvalResourceName: '*', EvalDecision: 'allowed',
        MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'user', StartPosition: { Line: 1, Column: 2 }, EndPosition: { Line: 3, Column: 40 } }],
        MissingContextValues: [],
        EvalDecisionDetails: { 'arn:aws:iam::aws:policy/A': 'allowed', other: 'implicitDeny' },
        ResourceSpecificResults: [{ EvalResourceName: 'arn:aws:s3:::b/k', EvalResourceDecision: 'explicitDeny', MatchedStatements: [], MissingContextValues: ['aws:SourceIp'], EvalDecisionDetails: {} }],
        OrganizationsDecisionDetail: { AllowedByOrganizations: true },
      }],
      IsTruncated: false,
    };
    answer = () => output;
    const got = await iam.send(new SimulatePrincipalPolicyCommand(input));
    assert.deepEqual(lastCall(iamServer)?.input, input);
    assert.deepEqual(body(got), output);
  });

  it('GetAccountSummary: a map of integers out', async () => {
    answer = () => ({ SummaryMap: { Users: 3, UsersQuota: 5000, AccessKeysPerUserQuota: 2 } });
    assert.deepEqual(body(await iam.send(new GetAccountSummaryCommand({}))), { SummaryMap: { Users: 3, UsersQuota: 5000, AccessKeysPerUserQuota: 2 } });
  });

  it('errors: a modeled error thrown by shape name or wire code arrives as its class, with the model status', async () => {
    for (const code of ['NoSuchEntityException', 'NoSuchEntity']) {
      answer = () => { throw new AwsError(code, 'The user with name bob cannot be found.'); };
      const error = await failure(() => iam.send(new GetUserCommand({ UserName: 'bob' })));
      assert.ok(error instanceof NoSuchEntityException, `${code} → ${error.name}`);
      assert.equal(error.name, 'NoSuchEntityException');
      assert.equal(error.message, 'The user with name bob cannot be found.');
      assert.equal(error.$fault, 'client');
      assert.equal(error.$metadata.httpStatusCode, 404);
      assert.match(error.$metadata.requestId ?? '', /^00000000-/);
    }
    answer = () => { throw new AwsError('ServiceFailureException', 'Something broke.', 500); };
    const failed = await failure(() => iam.send(new GetUserCommand({})));
    assert.ok(failed instanceof ServiceFailureException);
    assert.equal(failed.$fault, 'server');
    assert.equal(failed.$metadata.httpStatusCode, 500);
  });

  it('errors: unmodeled codes arrive as IAMServiceException named by the code', async () => {
    answer = () => { throw new AwsError('AccessDenied', 'User: alice is not authorized to perform: iam:GetUser', 403); };
    const error = await failure(() => iam.send(new GetUserCommand({})));
    assert.equal(error.constructor, IAMServiceException);
    assert.equal(error.name, 'AccessDenied');
    assert.equal(error.message, 'User: alice is not authorized to perform: iam:GetUser');
    assert.equal(error.$metadata.httpStatusCode, 403);
  });

  it('errors: a value that does not parse is InvalidParameterValue naming the parameter, before any handler runs', async () => {
    const calls = iamServer.calls.length;
    const error = await failure(() => iam.send(new ListUsersCommand({ MaxItems: 'ten' as unknown as number })));
    assert.equal(error.name, 'InvalidParameterValue');
    assert.match(error.message, /parameter MaxItems is invalid: must be an integer/);
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.equal(iamServer.calls.length, calls);
  });
});

describe('STS through @aws-sdk/client-sts', () => {
  it('AssumeRole: Tags, PolicyArns and TransitiveTagKeys in; Credentials with their Expiration out', async () => {
    const input: AssumeRoleCommandInput = {
      RoleArn: arn('role/deploy'), RoleSessionName: 'ci-1', DurationSeconds: 3600, ExternalId: 'ext', Policy: '{"Version":"2012-10-17","Statement":[]}',
      PolicyArns: [{ arn: arn('policy/a') }, { arn: arn('policy/b') }], Tags: [{ Key: 'team', Value: 'wharf' }, { Key: 'env', Value: 'ci' }],
      TransitiveTagKeys: ['team'], SourceIdentity: 'alice', ProvidedContexts: [{ ProviderArn: 'arn:aws:iam::aws:contextProvider/IdentityCenter', ContextAssertion: 'abc=' }],
    };
    const output = {
      Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret/+=', SessionToken: 'token', Expiration: new Date('2026-12-03T07:50:01Z') },
      AssumedRoleUser: { AssumedRoleId: 'AROA1:ci-1', Arn: 'arn:aws:sts::123456789012:assumed-role/deploy/ci-1' },
      PackedPolicySize: 6, SourceIdentity: 'alice',
    };
    answer = () => output;
    const got = await sts.send(new AssumeRoleCommand(input));
    assert.deepEqual(lastCall(stsServer), { operation: 'AssumeRole', input });
    assert.deepEqual(body(got), output);
  });

  it('GetCallerIdentity: no input, three strings out', async () => {
    answer = () => ({ UserId: 'AIDA1', Account: '123456789012', Arn: arn('user/alice') });
    assert.deepEqual(body(await sts.send(new GetCallerIdentityCommand({}))), { UserId: 'AIDA1', Account: '123456789012', Arn: arn('user/alice') });
    assert.deepEqual(lastCall(stsServer), { operation: 'GetCallerIdentity', input: {} });
  });

  it('errors: modeled errors by their awsQueryError code, unmodeled ones as STSServiceException', async () => {
    answer = () => { throw new AwsError('MalformedPolicyDocumentException', 'The policy is not valid JSON.'); };
    const malformed = await failure(() => sts.send(new AssumeRoleCommand({ RoleArn: arn('role/r'), RoleSessionName: 's' })));
    assert.ok(malformed instanceof MalformedPolicyDocumentException);
    assert.equal(malformed.message, 'The policy is not valid JSON.');
    assert.equal(malformed.$metadata.httpStatusCode, 400);

    answer = () => { throw new AwsError('ExpiredTokenException', 'The security token included in the request is expired'); };
    assert.ok(await failure(() => sts.send(new GetCallerIdentityCommand({}))) instanceof ExpiredTokenException);

    answer = () => { throw new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRole', 403); };
    const denied = await failure(() => sts.send(new AssumeRoleCommand({ RoleArn: arn('role/r'), RoleSessionName: 's' })));
    assert.equal(denied.constructor, STSServiceException);
    assert.equal(denied.name, 'AccessDenied');
    assert.equal(denied.$metadata.httpStatusCode, 403);
  });
});
