/**
 * The ECR API through its real clients: @aws-sdk/client-ecr and the AWS CLI v2 (/usr/bin/aws),
 * against the endpoint serving ecrService on a free port. Images are seeded into the store as
 * the registry would record a push (the push path is the registry core's, not this API's).
 * Covers repositories, policies, lifecycle policies, tags, logins (`aws ecr get-login-password` gives a password the
 * registry accepts, for the region asked, for 12 hours), image reads, paging and errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { promisify } from 'node:util';
import {
  BatchGetImageCommand, CreateRepositoryCommand, DeleteRepositoryCommand, DeleteRepositoryPolicyCommand, DescribeImagesCommand,
  DescribeRegistryCommand, DescribeRepositoriesCommand, ECRClient, ECRServiceException, GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand, GetLifecyclePolicyPreviewCommand, GetRepositoryPolicyCommand, ImageNotFoundException,
  LifecyclePolicyNotFoundException, PutLifecyclePolicyCommand, StartLifecyclePolicyPreviewCommand, InvalidParameterException, InvalidTagParameterException, ListImagesCommand,
  ListTagsForResourceCommand, paginateDescribeRepositories, PutImageScanningConfigurationCommand, PutImageTagMutabilityCommand,
  RepositoryAlreadyExistsException, RepositoryNotEmptyException, RepositoryNotFoundException, RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand, TagResourceCommand, TooManyTagsException, UntagResourceCommand, type Repository,
} from '@aws-sdk/client-ecr';
import { createEndpoint, type ServiceDefinition } from '../src/aws/index.ts';
import { rootOnlyEndpoint } from '../src/aws/testing.ts';
import { ManualClock, randomIds } from '../src/common/index.ts';
import { LifecycleController } from '../src/controllers/index.ts';
import { RegistryTokens, TOKEN_TTL_MS, registryKeys, type ImageRecord, type RegistryScope } from '../src/registry/index.ts';
import { ecrService } from '../src/services/ecr/index.ts';
import { SqliteStore } from '../src/state/index.ts';
import { awsCliEnv, credentials } from './support/wharf.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';
const ACCOUNT = '123456789012';
const REGION = 'ap-northeast-2';
const SEOUL: RegistryScope = { account: ACCOUNT, region: REGION };

const store = SqliteStore.open(':memory:');
const clock = new ManualClock();
const tokens = new RegistryTokens(Buffer.alloc(32, 3), clock);
let server: http.Server;
let url: string;
let host: string;
let ecr: ECRClient;

before(async () => {
  server = createEndpoint({
    services: [ecrService({ store, clock, ids: randomIds, tokens, registryHost: () => host }) as ServiceDefinition],
    ...rootOnlyEndpoint(ACCOUNT),
    onServerError: (error) => console.error(error),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  url = `http://${host}`;
  ecr = new ECRClient({ endpoint: url, region: REGION, credentials, maxAttempts: 1 });
});

after(async () => {
  ecr?.destroy();
  await new Promise((resolve) => server?.close(resolve));
  await store.close();
});

const env = awsCliEnv;

/** Runs `aws ecr ...args --region ap-northeast-2 --endpoint-url <endpoint>` and returns its stdout. */
async function awsEcr(...args: string[]): Promise<string> {
  const { stdout } = await run(AWS, ['ecr', ...args, '--region', REGION, '--endpoint-url', url, '--output', 'json'], { env });
  return stdout;
}

/** `awsEcr` with its JSON output parsed. */
const awsEcrJson = async (...args: string[]): Promise<Record<string, any>> => {
  const out = await awsEcr(...args);
  return out.trim() ? (JSON.parse(out) as Record<string, any>) : {};
};

/** Runs an `aws ecr` command that must fail; returns its stderr. */
async function awsEcrFails(...args: string[]): Promise<string> {
  try {
    await awsEcr(...args);
  } catch (error) {
    return String((error as { stderr?: string }).stderr);
  }
  throw new Error(`aws ecr ${args.join(' ')} succeeded`);
}

/** Asserts `promise` rejects with the SDK's modeled exception `type`, HTTP 400, and a message matching `message`. */
async function rejectsWith(promise: Promise<unknown>, type: new (...args: never[]) => ECRServiceException, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    assert.equal(err.name, type.name);
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.match(err.message, message);
    return true;
  });
}

const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** Records an image in `repository` as a push would: the image record and one tag record per tag. */
async function seedImage(repository: string, seed: string, tags: string[]): Promise<ImageRecord> {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7, digest: digestOf(`config-${seed}`) },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 100, digest: digestOf(`layer-${seed}`) }],
  });
  const image: ImageRecord = {
    repositoryName: repository, digest: digestOf(manifest), mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    manifestBase64: Buffer.from(manifest).toString('base64'), sizeInBytes: 107, blobs: [digestOf(`config-${seed}`), digestOf(`layer-${seed}`)],
    artifactType: 'application/vnd.docker.container.image.v1+json', tags, pushedAt: clock.now(),
  };
  await store.txn([], [
    { type: 'put', key: registryKeys.image(SEOUL, repository, image.digest), value: JSON.stringify(image) },
    ...tags.map((t) => ({ type: 'put' as const, key: registryKeys.tag(SEOUL, repository, t), value: JSON.stringify({ digest: image.digest, updatedAt: clock.now() }) })),
  ]);
  return image;
}

describe('the AWS CLI v2', () => {
  it('is the v2 CLI', async () => {
    const { stdout, stderr } = await run(AWS, ['--version'], { env });
    assert.match(stdout + stderr, /^aws-cli\/2\./);
  });

  it('creates and describes a repository in the region asked, with its URI on the registry host', async () => {
    const { repository } = await awsEcrJson('create-repository', '--repository-name', 'my-sample-app');
    assert.equal(repository.repositoryArn, `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/my-sample-app`);
    assert.equal(repository.registryId, ACCOUNT);
    assert.equal(repository.repositoryUri, `${host}/my-sample-app`);
    assert.equal(repository.imageTagMutability, 'MUTABLE');
    assert.deepEqual(repository.imageScanningConfiguration, { scanOnPush: false });
    assert.deepEqual(repository.encryptionConfiguration, { encryptionType: 'AES256' });
    assert.equal(new Date(repository.createdAt).getTime(), clock.now());

    const described = await awsEcrJson('describe-repositories', '--repository-names', 'my-sample-app');
    assert.deepEqual(described.repositories, [repository]);
  });

  it('gets a login password that the registry accepts for 12 hours', async () => {
    const password = (await awsEcr('get-login-password')).trim();
    const basic = `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;
    assert.deepEqual(tokens.verifyBasic(basic)?.scope, SEOUL);
    assert.equal(tokens.verifyBasic(basic)?.principal.arn, `arn:aws:iam::${ACCOUNT}:root`, 'bound to the caller (here the root)');
    const { authorizationData } = await awsEcrJson('get-authorization-token');
    assert.equal(authorizationData.length, 1);
    assert.equal(authorizationData[0].proxyEndpoint, url);
    assert.equal(new Date(authorizationData[0].expiresAt).getTime(), clock.now() + TOKEN_TTL_MS);
    assert.match(Buffer.from(authorizationData[0].authorizationToken, 'base64').toString(), /^AWS:/);
    clock.advance(TOKEN_TTL_MS);
    assert.equal(tokens.verifyBasic(basic), undefined, 'expired after 12 hours');
  });

  it('follows nextToken through every page', async () => {
    for (const name of ['cli/a', 'cli/b', 'cli/c']) await awsEcr('create-repository', '--repository-name', name);
    const { repositories } = await awsEcrJson('describe-repositories', '--page-size', '1');
    assert.deepEqual(repositories.map((r: Repository) => r.repositoryName), ['cli/a', 'cli/b', 'cli/c', 'my-sample-app']);
  });

  it('lists, describes and gets images', async () => {
    const image = await seedImage('my-sample-app', 'cli', ['latest', 'v1']);
    const { imageIds } = await awsEcrJson('list-images', '--repository-name', 'my-sample-app', '--filter', 'tagStatus=TAGGED');
    assert.deepEqual(imageIds, [{ imageDigest: image.digest, imageTag: 'latest' }, { imageDigest: image.digest, imageTag: 'v1' }]);
    const { imageDetails } = await awsEcrJson('describe-images', '--repository-name', 'my-sample-app', '--image-ids', 'imageTag=v1');
    assert.deepEqual(imageDetails[0].imageTags, ['latest', 'v1']);
    assert.equal(imageDetails[0].imageSizeInBytes, 107);
    const got = await awsEcrJson('batch-get-image', '--repository-name', 'my-sample-app', '--image-ids', 'imageTag=latest', 'imageTag=nope');
    assert.equal(got.images[0].imageManifest, Buffer.from(image.manifestBase64, 'base64').toString());
    assert.deepEqual(got.failures, [{ imageId: { imageTag: 'nope' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
  });

  it("shows ECR's errors as the CLI reports them", async () => {
    assert.match(await awsEcrFails('create-repository', '--repository-name', 'my-sample-app'),
      /RepositoryAlreadyExistsException.*The repository with name 'my-sample-app' already exists in the registry with id '123456789012'/);
    assert.match(await awsEcrFails('describe-repositories', '--repository-names', 'nope'),
      /RepositoryNotFoundException.*The repository with name 'nope' does not exist in the registry with id '123456789012'/);
    assert.match(await awsEcrFails('create-repository', '--repository-name', 'My-App'),
      /InvalidParameterException.*Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression/);
    assert.match(await awsEcrFails('describe-images', '--repository-name', 'my-sample-app', '--image-ids', 'imageTag=gone'),
      /ImageNotFoundException.*The image with imageId \{imageDigest:'null', imageTag:'gone'\} does not exist within the repository with name 'my-sample-app'/);
    assert.match(await awsEcrFails('delete-repository', '--repository-name', 'my-sample-app'),
      /RepositoryNotEmptyException.*cannot be deleted because it still contains images/);
  });

  it('force-deletes a repository with its images', async () => {
    const { repository } = await awsEcrJson('delete-repository', '--repository-name', 'my-sample-app', '--force');
    assert.equal(repository.repositoryName, 'my-sample-app');
    assert.equal((await store.range(registryKeys.images(SEOUL, 'my-sample-app'))).kvs.length, 0);
    assert.equal((await store.range(registryKeys.tags(SEOUL, 'my-sample-app'))).kvs.length, 0);
    assert.match(await awsEcrFails('list-images', '--repository-name', 'my-sample-app'), /RepositoryNotFoundException/);
  });
});

describe('@aws-sdk/client-ecr', () => {
  const ARN = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/sdk/web`;

  it('creates, configures and describes repositories, paging with the SDK paginator', async () => {
    const { repository } = await ecr.send(new CreateRepositoryCommand({
      repositoryName: 'sdk/web', imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true },
      tags: [{ Key: 'team', Value: 'web' }],
    }));
    assert.equal(repository!.repositoryArn, ARN);
    assert.ok(repository!.createdAt instanceof Date);
    assert.equal(repository!.createdAt!.getTime(), clock.now());
    assert.deepEqual(await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'sdk/web', imageTagMutability: 'MUTABLE' })).then(strip),
      { registryId: ACCOUNT, repositoryName: 'sdk/web', imageTagMutability: 'MUTABLE' });
    await ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: 'sdk/web', imageScanningConfiguration: { scanOnPush: false } }));
    const names: string[] = [];
    for await (const page of paginateDescribeRepositories({ client: ecr, pageSize: 2 }, {})) {
      assert.ok(page.repositories!.length <= 2);
      names.push(...page.repositories!.map((r) => r.repositoryName!));
    }
    assert.deepEqual(names, ['cli/a', 'cli/b', 'cli/c', 'sdk/web']);
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['sdk/web'] }));
    assert.equal(repositories![0].imageTagMutability, 'MUTABLE');
    assert.deepEqual(repositories![0].imageScanningConfiguration, { scanOnPush: false });
    assert.deepEqual(strip(await ecr.send(new DescribeRegistryCommand({}))), { registryId: ACCOUNT, replicationConfiguration: { rules: [] } });
  });

  it('sets, gets and deletes a repository policy', async () => {
    const policyText = '{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}';
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'sdk/web', policyText }));
    assert.equal((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'sdk/web' }))).policyText, policyText);
    assert.equal((await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'sdk/web' }))).policyText, policyText);
    await rejectsWith(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'sdk/web' })), RepositoryPolicyNotFoundException,
      /^Repository policy does not exist for the repository with name 'sdk\/web' in the registry with id '123456789012'$/);
    await rejectsWith(ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'sdk/web', policyText: 'nope' })), InvalidParameterException,
      /^Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'$/);
  });

  it('tags repositories by ARN', async () => {
    await ecr.send(new TagResourceCommand({ resourceArn: ARN, tags: [{ Key: 'env', Value: 'prod' }] }));
    await ecr.send(new UntagResourceCommand({ resourceArn: ARN, tagKeys: ['team'] }));
    assert.deepEqual((await ecr.send(new ListTagsForResourceCommand({ resourceArn: ARN }))).tags, [{ Key: 'env', Value: 'prod' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejectsWith(ecr.send(new TagResourceCommand({ resourceArn: ARN, tags: many })), TooManyTagsException, /maximum number of tags .* is 50/);
    await rejectsWith(ecr.send(new TagResourceCommand({ resourceArn: ARN, tags: [{ Key: 'aws:x', Value: 'v' }] })), InvalidTagParameterException, /reserved/);
  });

  it('gets an authorization token for the registry', async () => {
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const [data] = authorizationData!;
    assert.equal(data.proxyEndpoint, url);
    assert.ok(data.expiresAt instanceof Date);
    assert.equal(data.expiresAt!.getTime(), clock.now() + TOKEN_TTL_MS);
    assert.deepEqual(tokens.verifyBasic(`Basic ${data.authorizationToken}`)?.scope, SEOUL);
  });

  it('reads images: ListImages, DescribeImages, BatchGetImage', async () => {
    const image = await seedImage('sdk/web', 'sdk', ['v1']);
    const untagged = await seedImage('sdk/web', 'old', []);
    const listed = await ecr.send(new ListImagesCommand({ repositoryName: 'sdk/web', filter: { tagStatus: 'UNTAGGED' } }));
    assert.deepEqual(listed.imageIds, [{ imageDigest: untagged.digest }]);
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'sdk/web', imageIds: [{ imageDigest: image.digest }] }));
    assert.equal(imageDetails![0].imagePushedAt!.getTime(), clock.now());
    assert.equal(imageDetails![0].imageManifestMediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(imageDetails![0].artifactMediaType, 'application/vnd.docker.container.image.v1+json');
    const got = await ecr.send(new BatchGetImageCommand({
      repositoryName: 'sdk/web', imageIds: [{ imageTag: 'v1' }, { imageDigest: 'bad' }],
      acceptedMediaTypes: ['application/vnd.docker.distribution.manifest.v2+json'],
    }));
    assert.deepEqual(got.images![0].imageId, { imageDigest: image.digest, imageTag: 'v1' });
    assert.equal(JSON.parse(got.images![0].imageManifest!).schemaVersion, 2);
    assert.equal(got.failures![0].failureCode, 'InvalidImageDigest');
    await rejectsWith(ecr.send(new DescribeImagesCommand({ repositoryName: 'sdk/web', imageIds: [{ imageTag: 'v9' }] })), ImageNotFoundException,
      /^The image with imageId \{imageDigest:'null', imageTag:'v9'\} does not exist within the repository with name 'sdk\/web' in the registry with id '123456789012'$/);
  });

  it("raises ECR's modeled exceptions", async () => {
    await rejectsWith(ecr.send(new CreateRepositoryCommand({ repositoryName: 'sdk/web' })), RepositoryAlreadyExistsException,
      /^The repository with name 'sdk\/web' already exists in the registry with id '123456789012'$/);
    await rejectsWith(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'sdk/web' })), RepositoryNotEmptyException,
      /^The repository with name 'sdk\/web' in registry with id '123456789012' cannot be deleted because it still contains images$/);
    await rejectsWith(ecr.send(new ListImagesCommand({ repositoryName: 'nope' })), RepositoryNotFoundException,
      /^The repository with name 'nope' does not exist in the registry with id '123456789012'$/);
    await rejectsWith(ecr.send(new DescribeRepositoriesCommand({ maxResults: 1001 })), InvalidParameterException,
      /^Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'$/);
    await rejectsWith(ecr.send(new BatchGetImageCommand({ repositoryName: 'sdk/web', imageIds: [] })), InvalidParameterException,
      /^Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length greater than or equal to 1'$/);
    const { repository } = await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'sdk/web', force: true }));
    assert.equal(repository!.repositoryName, 'sdk/web');
  });

  it('puts a lifecycle policy, previews it, and the lifecycle controller deletes what the preview showed', async () => {
    const repositoryName = 'sdk/lifecycle';
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    await rejectsWith(ecr.send(new GetLifecyclePolicyCommand({ repositoryName })), LifecyclePolicyNotFoundException,
      /^Lifecycle policy does not exist for the repository with name 'sdk\/lifecycle' in the registry with id '123456789012'$/);
    const old = await seedImage(repositoryName, 'lc-old', ['build-1']);
    clock.advance(60_000);
    const mid = await seedImage(repositoryName, 'lc-mid', ['build-2']);
    clock.advance(60_000);
    const kept = await seedImage(repositoryName, 'lc-new', ['build-3']);
    const lifecyclePolicyText = JSON.stringify({ rules: [{
      rulePriority: 1, description: 'keep one build',
      selection: { tagStatus: 'tagged', tagPrefixList: ['build'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' },
    }] });
    assert.deepEqual(strip(await ecr.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText }))),
      { registryId: ACCOUNT, repositoryName, lifecyclePolicyText });
    assert.equal((await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName }))).status, 'COMPLETE');
    const preview = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName }));
    assert.deepEqual(preview.previewResults!.map((r) => [r.imageDigest, r.imageTags, r.imagePushedAt!.getTime(), r.action?.type]),
      [[old.digest, ['build-1'], old.pushedAt, 'EXPIRE'], [mid.digest, ['build-2'], mid.pushedAt, 'EXPIRE']]);
    assert.equal(preview.summary!.expiringImageTotalCount, 2);

    const run = await new LifecycleController({ store, clock }).runOnce();
    assert.deepEqual(run.deleted.map((d) => d.imageDigest), preview.previewResults!.map((r) => r.imageDigest));
    const { imageIds } = await ecr.send(new ListImagesCommand({ repositoryName }));
    assert.deepEqual(imageIds, [{ imageDigest: kept.digest, imageTag: 'build-3' }]);
    const policy = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName }));
    assert.equal(policy.lastEvaluatedAt!.getTime(), clock.now());
  });
});

/** An SDK output without its `$metadata`, for comparing with a plain object. */
function strip<T extends { $metadata?: unknown }>(output: T): Omit<T, '$metadata'> {
  const { $metadata: _metadata, ...rest } = output;
  return rest;
}
