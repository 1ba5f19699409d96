/**
 * ECR and its registry under IAM, against a real `wharf dev`, with the clients users use:
 * @aws-sdk/client-iam, client-sts and client-ecr, and docker. Three IAM users: A may push by
 * identity policy; a repository policy grants B pull; C has no rights on the repository. Their
 * GetAuthorizationToken passwords are bound to them, so docker's pushes and pulls are
 * authorized as each of them (identity policies and the repository policy alike), and refused
 * with IAM's message. A role session's password works until its role is deleted. ECR's model
 * validates what the SDK sends, in ECR's words.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchGetImageCommand, CreateRepositoryCommand, DeleteRepositoryPolicyCommand, DescribeImagesCommand, ECRClient,
  GetAuthorizationTokenCommand, SetRepositoryPolicyCommand, type CreateRepositoryCommandInput,
} from '@aws-sdk/client-ecr';
import {
  CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, DeleteRoleCommand, DeleteRolePolicyCommand, IAMClient, PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { TEST_IMAGE, docker } from './support/docker.ts';
import { credentials, region, startDev, type WharfProcess } from './support/wharf.ts';

const ACCOUNT = '123456789012';
const REPOSITORY = 'team/app';
const REPOSITORY_ARN = `arn:aws:ecr:${region}:${ACCOUNT}:repository/${REPOSITORY}`;
const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
const PUSH = ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:BatchCheckLayerAvailability', 'ecr:PutImage'];

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

let wharf: WharfProcess;
let host: string;
let ref: string;
const configs: string[] = [];
const localImages: string[] = [];
const users: Record<'A' | 'B' | 'C', { keys: Keys; arn: string }> = {} as never;

const iam = () => new IAMClient({ endpoint: wharf.url, region, credentials, maxAttempts: 1 });
const ecrAs = (keys: Keys = credentials) => new ECRClient({ endpoint: wharf.url, region, credentials: keys, maxAttempts: 1 });
const policy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** A user with an access key and an inline identity policy. */
async function user(name: string, statements: object[]): Promise<{ keys: Keys; arn: string }> {
  const { User } = await iam().send(new CreateUserCommand({ UserName: name }));
  await iam().send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'ecr', PolicyDocument: policy(statements) }));
  const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: name }));
  return { keys: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! }, arn: User!.Arn! };
}

/** The registry's `Authorization` header for the GetAuthorizationToken password of `keys`. */
async function basicOf(keys: Keys): Promise<{ authorization: string }> {
  const { authorizationData } = await ecrAs(keys).send(new GetAuthorizationTokenCommand({}));
  return { authorization: `Basic ${authorizationData![0].authorizationToken}` };
}

/** The first layer of the pushed image (read as the root). */
async function layerDigest(): Promise<string> {
  const { images } = await ecrAs().send(new BatchGetImageCommand({ repositoryName: REPOSITORY, imageIds: [{ imageTag: 'v1' }] }));
  return (JSON.parse(images![0].imageManifest!) as { layers: { digest: string }[] }).layers[0].digest;
}

/** docker, logged in to the registry with the GetAuthorizationToken password of `keys` (in a DOCKER_CONFIG of its own). */
async function dockerAs(keys: Keys): Promise<(args: string[]) => string> {
  const config = mkdtempSync(join(tmpdir(), 'wharf-ecr-iam-docker-'));
  configs.push(config);
  const run = (args: string[], input?: string) =>
    execFileSync('docker', args, { encoding: 'utf8', input, env: { ...process.env, DOCKER_CONFIG: config }, stdio: ['pipe', 'pipe', 'pipe'] }).trim();
  const { authorizationData } = await ecrAs(keys).send(new GetAuthorizationTokenCommand({}));
  const [user, password] = Buffer.from(authorizationData![0].authorizationToken!, 'base64').toString().split(/:(.*)/s);
  assert.match(run(['login', '--username', user, '--password-stdin', host], password), /Login Succeeded/);
  return (args) => run(args);
}

/** Asserts a docker command fails with stderr matching every pattern. */
function refusedByDocker(command: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(command, (error: { stderr?: string }) => {
    for (const pattern of patterns) assert.match(String(error.stderr), pattern);
    return true;
  });
}

/** Asserts an SDK call is refused with the modeled exception `name` (HTTP 400) and a message matching `message`. */
async function refused(call: Promise<unknown>, name: string, message: RegExp): Promise<void> {
  await assert.rejects(call, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, name, error.message);
    assert.equal(error.$metadata?.httpStatusCode, 400);
    assert.match(error.message, message);
    return true;
  });
}

/** Forgets `ref` locally, so a pull must come from the registry. */
function forget(image: string): void {
  try {
    docker('rmi', '-f', image);
  } catch {
    // not there
  }
}

before(async () => {
  wharf = await startDev();
  host = new URL(wharf.url).host;
  ref = `${host}/${REPOSITORY}:v1`;
  localImages.push(ref, `${host}/${REPOSITORY}:by-b`);
  await ecrAs().send(new CreateRepositoryCommand({ repositoryName: REPOSITORY }));
  users.A = await user('A', [
    { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    { Effect: 'Allow', Action: [...PUSH, ...PULL, 'ecr:DescribeImages'], Resource: REPOSITORY_ARN },
    { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
  ]);
  users.B = await user('B', [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }]);
  users.C = await user('C', [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }]);
});

after(async () => {
  for (const image of localImages) forget(image);
  for (const config of configs) rmSync(config, { recursive: true, force: true });
  await wharf?.stop();
});

describe('ECR and the registry under IAM', () => {
  it('A pushes by identity policy with its own GetAuthorizationToken password', async () => {
    const a = await dockerAs(users.A.keys);
    docker('tag', TEST_IMAGE, ref);
    a(['push', ref]);
    const { imageDetails } = await ecrAs(users.A.keys).send(new DescribeImagesCommand({ repositoryName: REPOSITORY }));
    assert.deepEqual(imageDetails?.map((d) => d.imageTags), [['v1']]);
  });

  it('B, granted pull by the repository policy, pulls; B may not push', async () => {
    await ecrAs().send(new SetRepositoryPolicyCommand({
      repositoryName: REPOSITORY,
      policyText: policy([{ Sid: 'BPulls', Effect: 'Allow', Principal: { AWS: users.B.arn }, Action: PULL }]),
    }));
    const b = await dockerAs(users.B.keys);
    forget(ref);
    b(['pull', ref]);
    assert.ok(docker('image', 'inspect', ref, '--format', '{{.Id}}'));
    const { images } = await ecrAs(users.B.keys).send(new BatchGetImageCommand({ repositoryName: REPOSITORY, imageIds: [{ imageTag: 'v1' }] }));
    assert.equal(images?.length, 1, 'the API grants B the same');
    const layer = await fetch(`${wharf.url}/v2/${REPOSITORY}/blobs/${await layerDigest()}`, { headers: await basicOf(users.B.keys) });
    assert.equal(layer.status, 200, 'and layers (ecr:GetDownloadUrlForLayer)');
    await layer.arrayBuffer();

    const byB = `${host}/${REPOSITORY}:by-b`;
    docker('tag', TEST_IMAGE, byB);
    refusedByDocker(() => b(['push', byB]), /denied/,
      new RegExp(`User: ${users.B.arn} is not authorized to perform: ecr:(PutImage|InitiateLayerUpload|BatchCheckLayerAvailability) on resource: ${REPOSITORY_ARN}`));
  });

  it('C, with no rights on the repository, is refused pulls by docker and BatchGetImage by the API, in AWS’s words', async () => {
    const c = await dockerAs(users.C.keys);
    forget(ref);
    refusedByDocker(() => c(['pull', ref]), /denied/,
      new RegExp(`User: ${users.C.arn} is not authorized to perform: ecr:BatchGetImage on resource: ${REPOSITORY_ARN} because no `));
    const layer = await fetch(`${wharf.url}/v2/${REPOSITORY}/blobs/${await layerDigest()}`, { headers: await basicOf(users.C.keys) });
    assert.equal(layer.status, 403);
    const { errors } = (await layer.json()) as { errors: { code: string; message: string }[] };
    assert.equal(errors[0].code, 'DENIED');
    assert.match(errors[0].message, new RegExp(`^User: ${users.C.arn} is not authorized to perform: ecr:GetDownloadUrlForLayer on resource: ${REPOSITORY_ARN} because no `));
    await refused(ecrAs(users.C.keys).send(new BatchGetImageCommand({ repositoryName: REPOSITORY, imageIds: [{ imageTag: 'v1' }] })),
      'AccessDeniedException',
      new RegExp(`^User: ${users.C.arn} is not authorized to perform: ecr:BatchGetImage on resource: ${REPOSITORY_ARN} because no `));
  });

  it('once the repository policy is deleted, B’s password no longer pulls', async () => {
    const b = await dockerAs(users.B.keys);
    await ecrAs().send(new DeleteRepositoryPolicyCommand({ repositoryName: REPOSITORY }));
    forget(ref);
    refusedByDocker(() => b(['pull', ref]), /denied/, /is not authorized to perform: ecr:BatchGetImage/);
  });

  it('a role session’s password pulls until the role is deleted, then it is refused as no longer valid', async () => {
    const trust = policy([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }]);
    await iam().send(new CreateRoleCommand({ RoleName: 'puller', AssumeRolePolicyDocument: trust }));
    await iam().send(new PutRolePolicyCommand({
      RoleName: 'puller', PolicyName: 'pull',
      PolicyDocument: policy([{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }, { Effect: 'Allow', Action: PULL, Resource: REPOSITORY_ARN }]),
    }));
    const sts = new STSClient({ endpoint: wharf.url, region, credentials: users.A.keys, maxAttempts: 1 });
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/puller`, RoleSessionName: 'ci', DurationSeconds: 900 }));
    const session: Keys = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
    const basic = await basicOf(session);

    const pulling = await dockerAs(session);
    forget(ref);
    pulling(['pull', ref]);
    assert.equal((await fetch(`${wharf.url}/v2/${REPOSITORY}/manifests/v1`, { method: 'HEAD', headers: basic })).status, 200);

    await iam().send(new DeleteRolePolicyCommand({ RoleName: 'puller', PolicyName: 'pull' }));
    await iam().send(new DeleteRoleCommand({ RoleName: 'puller' }));
    const refusal = await fetch(`${wharf.url}/v2/${REPOSITORY}/manifests/v1`, { headers: basic });
    assert.equal(refusal.status, 401);
    assert.match(refusal.headers.get('www-authenticate') ?? '', /^Basic /);
    const { errors } = (await refusal.json()) as { errors: { code: string; message: string }[] };
    assert.equal(errors[0].code, 'UNAUTHORIZED');
    assert.match(errors[0].message, /assumed-role\/puller\/ci\) no longer exists/);
    forget(ref);
    refusedByDocker(() => pulling(['pull', ref]), /unauthorized|no basic auth credentials|authentication required|no longer exists/i);
  });
});

describe("ECR's model, through the SDK", () => {
  const create = (input: Partial<CreateRepositoryCommandInput>) => ecrAs().send(new CreateRepositoryCommand(input as CreateRepositoryCommandInput));

  it('a repositoryName over 256 characters', async () => {
    await refused(create({ repositoryName: 'a'.repeat(257) }), 'InvalidParameterException',
      /^Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length less than or equal to 256'$/);
  });

  it('an imageTagMutability outside its enum', async () => {
    await refused(create({ repositoryName: 'enum-test', imageTagMutability: 'LOCKED' as never }), 'InvalidParameterException',
      /^Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: \[MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION\]'$/);
  });

  it('a missing required member', async () => {
    await refused(create({}), 'InvalidParameterException',
      /^Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must not be null'$/);
    await refused(ecrAs().send(new BatchGetImageCommand({ repositoryName: REPOSITORY } as never)), 'InvalidParameterException',
      /^Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must not be null'$/);
  });

  it('a repository policy the policy engine refuses, in ECR’s words', async () => {
    await refused(ecrAs().send(new SetRepositoryPolicyCommand({
      repositoryName: REPOSITORY, policyText: policy([{ Effect: 'Allow', Action: 'ecr:BatchGetImage' }]),
    })), 'InvalidParameterException', /^Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'$/);
  });
});
