/**
 * Identity end to end: IAM and STS through @aws-sdk/client-iam / client-sts and the AWS CLI v2
 * against a real `wharf server` (which refuses keys IAM does not know) and a real `wharf dev`
 * (where an unknown key acts as the root, but a key IAM knows must sign correctly): users, keys,
 * roles and managed policies; a wrong secret, a tampered body and an expired date refused as
 * each protocol words it, changing nothing; AssumeRole refused by one trust policy and allowed by
 * another, with the session acting as the role.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import {
  AttachUserPolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, ListPoliciesCommand, ListUsersCommand,
  PutRolePolicyCommand, PutUserPolicyCommand, type PolicyScopeType,
} from '@aws-sdk/client-iam';
import type { FinalizeRequestMiddleware, MetadataBearer } from '@smithy/types';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { awsCliEnv, credentials, region, spawnWharf, startDev, tempDir, type WharfProcess } from './support/wharf.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';
const ACCOUNT = '123456789012';

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

let server: WharfProcess;
let dev: WharfProcess;
let strictDev: WharfProcess;

before(async () => {
  [server, dev, strictDev] = await Promise.all([
    spawnWharf(['server', '--port', '0', '--data-dir', tempDir()], /Wharf server ready at http:\/\//),
    startDev(),
    startDev(tempDir(), ['--enforce-iam']),
  ]);
});
after(async () => {
  await Promise.all([server?.stop(), dev?.stop(), strictDev?.stop()]);
});

const clients = (url: string, keys: Keys = credentials, clockOffsetMs = 0) => ({
  iam: new IAMClient({ endpoint: url, region, credentials: keys, maxAttempts: 1, systemClockOffset: clockOffsetMs }),
  sts: new STSClient({ endpoint: url, region, credentials: keys, maxAttempts: 1, systemClockOffset: clockOffsetMs }),
  ecs: new ECSClient({ endpoint: url, region, credentials: keys, maxAttempts: 1, systemClockOffset: clockOffsetMs }),
});

/** Runs the AWS CLI v2 against `url` with `keys`; parses its JSON output. */
async function cli(url: string, args: string[], keys: Keys = credentials): Promise<Record<string, any>> {
  const env = {
    ...awsCliEnv, AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_DEFAULT_REGION: region, AWS_REGION: region, AWS_EC2_METADATA_DISABLED: 'true',
  };
  const { stdout } = await run(AWS, ['--endpoint-url', url, '--output', 'json', ...args], { env });
  return stdout.trim() ? JSON.parse(stdout) : {};
}

/** Asserts the call is refused with `name` and HTTP `status`. */
async function refused(call: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<void> {
  await assert.rejects(call.then((ok) => {
    throw new Error(`expected ${name}, got a success: ${JSON.stringify(ok)}`);
  }), (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, name, error.message);
    assert.equal(error.$metadata?.httpStatusCode, status, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

/** Creates a user with an access key and an inline policy; returns its keys. */
async function userWithKey(url: string, name: string, policy?: object): Promise<Keys> {
  const { iam } = clients(url);
  await iam.send(new CreateUserCommand({ UserName: name }));
  if (policy) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: JSON.stringify(policy) }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

const allow = (action: string | string[], resource = '*') => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });

describe('IAM and STS through the SDK and the AWS CLI', () => {
  it('GetCallerIdentity names the root and a user', async () => {
    const root = await clients(server.url).sts.send(new GetCallerIdentityCommand({}));
    assert.deepEqual([root.Account, root.Arn, root.UserId], [ACCOUNT, `arn:aws:iam::${ACCOUNT}:root`, ACCOUNT]);
    const keys = await userWithKey(server.url, 'caller');
    const me = await clients(server.url, keys).sts.send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, `arn:aws:iam::${ACCOUNT}:user/caller`);
    assert.match(me.UserId!, /^AIDA[A-Z0-9]{17}$/);
  });

  it('the AWS CLI creates users and roles and attaches AWS managed policies', async () => {
    const { User } = await cli(server.url, ['iam', 'create-user', '--user-name', 'cli-user', '--tags', 'Key=team,Value=blue']);
    assert.equal(User.Arn, `arn:aws:iam::${ACCOUNT}:user/cli-user`);
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const { Role } = await cli(server.url, ['iam', 'create-role', '--role-name', 'ecsTaskExecutionRole', '--assume-role-policy-document', trust]);
    assert.equal(Role.Arn, `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`);
    const policyArn = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';
    await cli(server.url, ['iam', 'attach-role-policy', '--role-name', 'ecsTaskExecutionRole', '--policy-arn', policyArn]);
    const { AttachedPolicies } = await cli(server.url, ['iam', 'list-attached-role-policies', '--role-name', 'ecsTaskExecutionRole']);
    assert.deepEqual(AttachedPolicies, [{ PolicyName: 'AmazonECSTaskExecutionRolePolicy', PolicyArn: policyArn }]);
    const who = await cli(server.url, ['sts', 'get-caller-identity']);
    assert.equal(who.Arn, `arn:aws:iam::${ACCOUNT}:root`);
    await assert.rejects(cli(server.url, ['iam', 'create-user', '--user-name', 'cli-user']), /EntityAlreadyExists/);
  });

  it('refuses keys IAM does not know in wharf server, and lets them act as root in wharf dev', async () => {
    const stranger = { accessKeyId: 'AKIASTRANGER00000001', secretAccessKey: 'whatever' };
    await refused(clients(server.url, stranger).sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403, /security token included in the request is invalid/);
    await refused(clients(server.url, stranger).ecs.send(new ListClustersCommand({})), 'UnrecognizedClientException', 400);
    const asRoot = await clients(dev.url, { accessKeyId: 'test', secretAccessKey: 'test' }).sts.send(new GetCallerIdentityCommand({}));
    assert.equal(asRoot.Arn, `arn:aws:iam::${ACCOUNT}:root`);
    // wharf dev --enforce-iam is as strict as the server.
    await refused(clients(strictDev.url, { accessKeyId: 'test', secretAccessKey: 'test' }).sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
    assert.equal((await clients(strictDev.url).sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:root`);
  });

  for (const mode of ['server', 'dev'] as const) {
    it(`refuses a wrong secret, a tampered body and an expired date as each protocol words it, changing nothing (${mode})`, async () => {
      const url = mode === 'server' ? server.url : dev.url;
      const keys = await userWithKey(url, `signer-${mode}`, allow(['iam:*', 'ecs:*', 'sts:*']));
      const users = async () => (await clients(url).iam.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName).sort();
      const clusters = async () => (await clients(url).ecs.send(new ListClustersCommand({}))).clusterArns?.sort();
      const before = { users: await users(), clusters: await clusters() };

      const wrong = clients(url, { ...keys, secretAccessKey: `${keys.secretAccessKey.slice(0, -1)}x` });
      await refused(wrong.iam.send(new CreateUserCommand({ UserName: 'never' })), 'SignatureDoesNotMatch', 403, /signature we calculated does not match/);
      await refused(wrong.sts.send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', 403);
      await refused(wrong.ecs.send(new CreateClusterCommand({ clusterName: 'never' })), 'InvalidSignatureException', 400);

      const stale = clients(url, keys, -20 * 60_000);
      await refused(stale.iam.send(new CreateUserCommand({ UserName: 'never' })), 'SignatureDoesNotMatch', 403, /Signature expired/);
      await refused(stale.ecs.send(new CreateClusterCommand({ clusterName: 'never' })), 'InvalidSignatureException', 400, /Signature expired/);

      // A request signed as written, then altered on the way: the body no longer matches.
      const tampering = clients(url, keys);
      const tamper: FinalizeRequestMiddleware<object, MetadataBearer> = (next) => async (args) => {
        const request = args.request as { body?: string };
        request.body = String(request.body).replace('"never"', '"other"');
        return next(args);
      };
      tampering.ecs.middlewareStack.addRelativeTo(tamper, { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamper' });
      await refused(tampering.ecs.send(new CreateClusterCommand({ clusterName: 'never' })), 'InvalidSignatureException', 400);

      assert.deepEqual({ users: await users(), clusters: await clusters() }, before);
    });
  }

  it('AssumeRole is refused by a trust policy that does not name the caller and allowed by one that does', async () => {
    const keys = await userWithKey(server.url, 'assumer', allow('sts:AssumeRole'));
    const { iam } = clients(server.url);
    const trusting = (principal: string) => JSON.stringify({
      Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
    });
    await iam.send(new CreateRoleCommand({ RoleName: 'closed', AssumeRolePolicyDocument: trusting(`arn:aws:iam::${ACCOUNT}:user/caller`) }));
    await iam.send(new CreateRoleCommand({ RoleName: 'open', AssumeRolePolicyDocument: trusting(`arn:aws:iam::${ACCOUNT}:user/assumer`) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'open', PolicyName: 'list', PolicyDocument: JSON.stringify(allow('ecs:ListClusters')) }));

    const { sts } = clients(server.url, keys);
    await refused(sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/closed`, RoleSessionName: 's1' })), 'AccessDenied', 403,
      /User: arn:aws:iam::123456789012:user\/assumer is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role\/closed/);
    const { Credentials, AssumedRoleUser } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/open`, RoleSessionName: 's1' }));
    assert.equal(AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/open/s1`);
    assert.match(Credentials!.AccessKeyId!, /^ASIA/);
    const session = clients(server.url, {
      accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken!,
    });
    assert.equal((await session.sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/open/s1`);
    await session.ecs.send(new ListClustersCommand({}));
    await refused(session.ecs.send(new CreateClusterCommand({ clusterName: 'not-allowed' })), 'AccessDeniedException', 403,
      /assumed-role\/open\/s1 is not authorized to perform: ecs:CreateCluster/);
    // The same key without its session token, or with another's, is not a key at all.
    const tokenless = clients(server.url, { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey! });
    await refused(tokenless.sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
  });

  it('validates against IAM\'s and STS\'s models with AWS\'s wording', async () => {
    const { iam, sts } = clients(server.url);
    await refused(iam.send(new CreateUserCommand({ UserName: 'u'.repeat(65) })), 'ValidationError', 400,
      /^1 validation error detected: Value 'u{65}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64$/);
    await refused(iam.send(new ListUsersCommand({ MaxItems: 0 })), 'ValidationError', 400,
      /Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1/);
    await refused(iam.send(new ListPoliciesCommand({ Scope: 'Everything' as PolicyScopeType })), 'ValidationError', 400,
      /Value 'Everything' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: \[All, AWS, Local\]/);
    await refused(iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: undefined as unknown as string })), 'ValidationError', 400,
      /Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null/);
    await refused(sts.send(new GetSessionTokenCommand({ DurationSeconds: 60 })), 'ValidationError', 400,
      /Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900/);
  });

  it('holds a user to the managed policies attached to it', async () => {
    const keys = await userWithKey(server.url, 'reader');
    await clients(server.url).iam.send(new AttachUserPolicyCommand({ UserName: 'reader', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const reader = clients(server.url, keys);
    await reader.iam.send(new ListUsersCommand({}));
    await refused(reader.iam.send(new CreateUserCommand({ UserName: 'nope' })), 'AccessDenied', 403,
      /user\/reader is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user\/nope because no identity-based policy allows the iam:CreateUser action/);
  });
});
