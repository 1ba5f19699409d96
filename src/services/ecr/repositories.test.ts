import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { DescribeRepositoriesResponse, Repository } from '@aws-sdk/client-ecr';
import type { ManualClock } from '../../common/index.ts';
import { blobLinkKeys, registryKeys, type RepositoryRecord } from '../../registry/index.ts';
import { getDoc, type Store } from '../../state/index.ts';
import { repositoryOperations } from './repositories.ts';
import { actionsOf, ctx, ecrTestbed, expectRejected, imageRecord, keysUnder, REGISTRY_HOST, scope, seedImage, type Actions, type EcrTestbed } from './testing.ts';

let bed: EcrTestbed;
let store: Store;
let clock: ManualClock;
let api: Actions;

beforeEach(() => {
  bed = ecrTestbed();
  ({ store, clock } = bed);
  api = bed.api(repositoryOperations);
});
afterEach(() => store.close());

const call = async <T>(action: string, input: Record<string, unknown>) => (await api[action](input, ctx)) as T;
const create = (input: Record<string, unknown>) => call<{ repository: Repository }>('CreateRepository', input).then((r) => r.repository);
const describe_ = (input: Record<string, unknown>) => call<DescribeRepositoriesResponse>('DescribeRepositories', input);
const rejects = (action: string, input: Record<string, unknown>, code: string, message: RegExp) =>
  expectRejected(store, () => api[action](input, ctx), code, message);
const stored = async (name: string) => (await getDoc<RepositoryRecord>(store, registryKeys.repository(scope, name)))?.value;

const NAME_RULE = "must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'";
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('CreateRepository', () => {
  test("creates a repository with ECR's defaults and a URI on the registry host", async () => {
    const repo = await create({ repositoryName: 'my-sample-app' });
    assert.deepEqual(repo, {
      repositoryArn: 'arn:aws:ecr:us-east-1:123456789012:repository/my-sample-app',
      registryId: '123456789012',
      repositoryName: 'my-sample-app',
      repositoryUri: `${REGISTRY_HOST}/my-sample-app`,
      createdAt: new Date(clock.now()),
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
    const record = await stored('my-sample-app');
    assert.equal(record?.uri, `${REGISTRY_HOST}/my-sample-app`);
    assert.deepEqual(record?.tags, []);
  });

  test('accepts namespaces, tags, tag immutability, scan on push and KMS encryption', async () => {
    const repo = await create({
      repositoryName: 'project-a/nginx-web-app',
      registryId: '123456789012',
      tags: [{ Key: 'team', Value: 'web' }, { Key: 'empty', Value: '' }],
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:123456789012:key/k-1' },
    });
    assert.equal(repo.repositoryArn, 'arn:aws:ecr:us-east-1:123456789012:repository/project-a/nginx-web-app');
    assert.equal(repo.repositoryUri, `${REGISTRY_HOST}/project-a/nginx-web-app`);
    assert.equal(repo.imageTagMutability, 'IMMUTABLE');
    assert.deepEqual(repo.imageScanningConfiguration, { scanOnPush: true });
    assert.deepEqual(repo.encryptionConfiguration, { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:123456789012:key/k-1' });
    assert.deepEqual((await stored('project-a/nginx-web-app'))?.tags, [{ Key: 'team', Value: 'web' }, { Key: 'empty', Value: '' }]);
  });

  test('accepts names of 2 and 256 characters and every separator ECR allows', async () => {
    for (const name of ['ab', 'a'.repeat(256), 'a.b_c-d/e.f', 'x/y/z', 'a1-2']) assert.equal((await create({ repositoryName: name })).repositoryName, name);
  });

  const invalid: [string, Record<string, unknown>, string, RegExp][] = [
    ['no name', {}, 'InvalidParameterException', /^Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must not be null'$/],
    ['a 1-character name', { repositoryName: 'a' }, 'InvalidParameterException',
      /^Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'$/],
    ['a 257-character name', { repositoryName: 'a'.repeat(257) }, 'InvalidParameterException',
      /^Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length less than or equal to 256'$/],
    ...['My-App', 'my app', '-app', 'app-', 'a//b', 'a/', '/a', 'a..b', 'app:1'].map(
      (name): [string, Record<string, unknown>, string, RegExp] => [
        `the name ${name}`, { repositoryName: name }, 'InvalidParameterException',
        new RegExp(`^Invalid parameter at 'repositoryName' failed to satisfy constraint: '${escape(NAME_RULE)}'$`),
      ],
    ),
    ['a malformed registryId', { repositoryName: 'app', registryId: '1234' }, 'InvalidParameterException',
      /^Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression \[0-9\]\{12\}'$/],
    ['another account\'s registry', { repositoryName: 'app', registryId: '999999999999' }, 'AccessDeniedException', /registry 999999999999/],
    ['an unknown tag mutability', { repositoryName: 'app', imageTagMutability: 'LOCKED' }, 'InvalidParameterException',
      /^Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: \[MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION\]'$/],
    ['tag mutability with exclusions', { repositoryName: 'app', imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' }, 'InvalidParameterException',
      /^imageTagMutability IMMUTABLE_WITH_EXCLUSION is not supported by Wharf: use MUTABLE or IMMUTABLE\.$/],
    ['exclusion filters', { repositoryName: 'app', imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev-*' }] },
      'InvalidParameterException', /^imageTagMutabilityExclusionFilters are not supported/],
    ['an unknown encryption type', { repositoryName: 'app', encryptionConfiguration: { encryptionType: 'DES' } }, 'InvalidParameterException',
      /^Invalid parameter at 'encryptionConfiguration\.encryptionType' failed to satisfy constraint: 'Member must satisfy enum value set: \[AES256, KMS, KMS_DSSE\]'$/],
    ['encryption without a type', { repositoryName: 'app', encryptionConfiguration: {} }, 'InvalidParameterException',
      /^Invalid parameter at 'encryptionConfiguration\.encryptionType' failed to satisfy constraint: 'Member must not be null'$/],
    ['a KMS key with AES256', { repositoryName: 'app', encryptionConfiguration: { encryptionType: 'AES256', kmsKey: 'k' } },
      'InvalidParameterException', /^encryptionConfiguration\.kmsKey can only be given with encryptionType KMS or KMS_DSSE\.$/],
    ['51 tags', { repositoryName: 'app', tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }, 'TooManyTagsException',
      /^The list of tags on the repository is over the limit\. The maximum number of tags that can be applied to a repository is 50\.$/],
    ['a 129-character tag key', { repositoryName: 'app', tags: [{ Key: 'k'.repeat(129), Value: 'v' }] }, 'InvalidTagParameterException',
      /^tags\[0\]\.Key is invalid: tag keys can have a maximum character length of 128 characters\.$/],
    ['a 257-character tag value', { repositoryName: 'app', tags: [{ Key: 'k', Value: 'v'.repeat(257) }] }, 'InvalidTagParameterException',
      /^tags\[0\]\.Value is invalid: tag values can have a maximum length of 256 characters\.$/],
    ['a reserved tag key', { repositoryName: 'app', tags: [{ Key: 'aws:owner', Value: 'x' }] }, 'InvalidTagParameterException',
      /^tags\[0\]\.Key: tag keys beginning with aws: are reserved\.$/],
    ['a repeated tag key', { repositoryName: 'app', tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] }, 'InvalidTagParameterException',
      /^tags: duplicate tag key a\.$/],
    ['a tag without a value', { repositoryName: 'app', tags: [{ Key: 'a' }] }, 'InvalidParameterException',
      /^Invalid parameter at 'tags\[0\]\.Value' failed to satisfy constraint: 'Member must not be null'$/],
    ['a tag without a key', { repositoryName: 'app', tags: [{ Value: 'a' }] }, 'InvalidParameterException',
      /^Invalid parameter at 'tags\[0\]\.Key' failed to satisfy constraint: 'Member must not be null'$/],
    ['a name of the wrong JSON type', { repositoryName: 7 }, 'SerializationException', /^repositoryName must be a string, not number\.$/],
    ['scanOnPush of the wrong JSON type', { repositoryName: 'app', imageScanningConfiguration: { scanOnPush: 'yes' } }, 'SerializationException',
      /^imageScanningConfiguration\.scanOnPush must be a boolean, not string\.$/],
  ];
  for (const [what, input, code, message] of invalid) {
    test(`rejects ${what}`, () => rejects('CreateRepository', input, code, message));
  }

  test("refuses a name that exists, in ECR's words", async () => {
    await create({ repositoryName: 'web' });
    await rejects('CreateRepository', { repositoryName: 'web', imageTagMutability: 'IMMUTABLE' }, 'RepositoryAlreadyExistsException',
      /^The repository with name 'web' already exists in the registry with id '123456789012'$/);
    assert.equal((await stored('web'))?.imageTagMutability, 'MUTABLE');
  });

  test('repositories of one account are separate per region', async () => {
    await create({ repositoryName: 'web' });
    const west = { ...ctx, region: 'us-west-2' };
    const { repository } = (await api.CreateRepository({ repositoryName: 'web' }, west)) as { repository: Repository };
    assert.equal(repository.repositoryArn, 'arn:aws:ecr:us-west-2:123456789012:repository/web');
  });

  test('shows the URI on the registry host of the moment', async () => {
    await create({ repositoryName: 'web' });
    let host = 'wharf.example:6000';
    const moved = actionsOf(repositoryOperations({ ...bed.deps, registryHost: () => host }));
    const r = (await moved.DescribeRepositories({}, ctx)) as DescribeRepositoriesResponse;
    assert.equal(r.repositories![0].repositoryUri, 'wharf.example:6000/web');
    host = 'other:1';
    assert.equal(((await moved.DescribeRepositories({}, ctx)) as DescribeRepositoriesResponse).repositories![0].repositoryUri, 'other:1/web');
  });
});

describe('DescribeRepositories', () => {
  beforeEach(async () => {
    for (const name of ['web', 'api', 'team/db', 'cache', 'worker']) {
      await create({ repositoryName: name });
      clock.advance(1000);
    }
  });

  test('describes every repository of the registry, by name', async () => {
    const r = await describe_({});
    assert.deepEqual(r.repositories!.map((x) => x.repositoryName), ['api', 'cache', 'team/db', 'web', 'worker']);
    assert.equal(r.nextToken, undefined);
    assert.deepEqual((await describe_({ registryId: '123456789012' })).repositories!.length, 5);
  });

  test('pages with maxResults and nextToken', async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const r = await describe_({ maxResults: 2, ...(nextToken && { nextToken }) });
      seen.push(...r.repositories!.map((x) => x.repositoryName!));
      nextToken = r.nextToken;
      pages++;
    } while (nextToken);
    assert.deepEqual(seen, ['api', 'cache', 'team/db', 'web', 'worker']);
    assert.equal(pages, 3);
  });

  test('describes the repositories named, in the order named', async () => {
    const r = await describe_({ repositoryNames: ['worker', 'api', 'worker'] });
    assert.deepEqual(r.repositories!.map((x) => x.repositoryName), ['worker', 'api']);
    assert.equal(r.repositories![0].createdAt!.getTime(), Date.UTC(2026, 0, 1) + 4000);
  });

  test('fails the whole request when one named repository does not exist, as ECR does', () =>
    rejects('DescribeRepositories', { repositoryNames: ['web', 'nope'] }, 'RepositoryNotFoundException',
      /^The repository with name 'nope' does not exist in the registry with id '123456789012'$/));

  test("shows nothing of another account's registry", async () => {
    assert.deepEqual((await describe_({ registryId: '999999999999' })).repositories, []);
    await rejects('DescribeRepositories', { registryId: '999999999999', repositoryNames: ['web'] }, 'RepositoryNotFoundException',
      /^The repository with name 'web' does not exist in the registry with id '999999999999'$/);
  });

  test('validates its input', async () => {
    await rejects('DescribeRepositories', { maxResults: 0 }, 'InvalidParameterException',
      /^Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value greater than or equal to 1'$/);
    await rejects('DescribeRepositories', { maxResults: 1001 }, 'InvalidParameterException',
      /^Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'$/);
    await rejects('DescribeRepositories', { repositoryNames: [] }, 'InvalidParameterException',
      /^Invalid parameter at 'repositoryNames' failed to satisfy constraint: 'Member must have length greater than or equal to 1'$/);
    await rejects('DescribeRepositories', { repositoryNames: Array.from({ length: 101 }, (_, i) => `r${i}`) }, 'InvalidParameterException',
      /^Invalid parameter at 'repositoryNames' failed to satisfy constraint: 'Member must have length less than or equal to 100'$/);
    await rejects('DescribeRepositories', { repositoryNames: ['web', 'Bad'] }, 'InvalidParameterException',
      /^Invalid parameter at 'repositoryNames' failed to satisfy constraint: 'Member must satisfy constraint: \[Member must have length less than or equal to 256, Member must have length greater than or equal to 2, Member must satisfy regular expression pattern: /);
    await rejects('DescribeRepositories', { repositoryNames: ['web'], maxResults: 1 }, 'InvalidParameterException',
      /^nextToken and maxResults cannot be used when repositoryNames are specified\.$/);
    await rejects('DescribeRepositories', { nextToken: 'garbage!' }, 'InvalidParameterException', /^Invalid nextToken\.$/);
    await rejects('DescribeRepositories', { repositoryNames: 'web' }, 'SerializationException', /^repositoryNames must be a list, not string\.$/);
  });
});

describe('DeleteRepository', () => {
  test("refuses a repository with images unless forced, in ECR's words", async () => {
    await create({ repositoryName: 'web' });
    await seedImage(store, imageRecord('web', 'a', ['latest'], clock.now()));
    await rejects('DeleteRepository', { repositoryName: 'web' }, 'RepositoryNotEmptyException',
      /^The repository with name 'web' in registry with id '123456789012' cannot be deleted because it still contains images$/);
    await rejects('DeleteRepository', { repositoryName: 'web', force: false }, 'RepositoryNotEmptyException', /still contains images/);
    assert.ok(await stored('web'));
  });

  test('deletes an empty repository, with any layers uploaded to it, and returns it', async () => {
    const created = await create({ repositoryName: 'web', imageTagMutability: 'IMMUTABLE' });
    const layer = { digest: `sha256:${'2'.repeat(64)}`, size: 10, linkedAt: clock.now() };
    await store.txn([], [{ type: 'put', key: blobLinkKeys.link(scope, 'web', layer.digest), value: JSON.stringify(layer) }]);
    const { repository } = await call<{ repository: Repository }>('DeleteRepository', { repositoryName: 'web' });
    assert.deepEqual(repository, created);
    assert.equal(await stored('web'), undefined);
    assert.deepEqual(await keysUnder(store, blobLinkKeys.links(scope, 'web')), []);
    assert.deepEqual((await describe_({})).repositories, []);
  });

  test("with force, removes the repository's images, tags and layer links too, and nothing of other repositories", async () => {
    await create({ repositoryName: 'web', tags: [{ Key: 'a', Value: '1' }] });
    await create({ repositoryName: 'web/api' });
    await seedImage(store, imageRecord('web', 'a', ['latest', 'v1'], clock.now()));
    await seedImage(store, imageRecord('web', 'b', [], clock.now()));
    await seedImage(store, imageRecord('web/api', 'c', ['latest'], clock.now()));
    const layer = { digest: `sha256:${'1'.repeat(64)}`, size: 10, linkedAt: clock.now() };
    await store.txn([], [
      { type: 'put', key: blobLinkKeys.link(scope, 'web', layer.digest), value: JSON.stringify(layer) },
      { type: 'put', key: blobLinkKeys.link(scope, 'web/api', layer.digest), value: JSON.stringify(layer) },
    ]);
    const { repository } = await call<{ repository: Repository }>('DeleteRepository', { repositoryName: 'web', force: true });
    assert.equal(repository.repositoryName, 'web');
    assert.deepEqual(await keysUnder(store, registryKeys.images(scope, 'web')), []);
    assert.deepEqual(await keysUnder(store, registryKeys.tags(scope, 'web')), []);
    assert.deepEqual(await keysUnder(store, blobLinkKeys.links(scope, 'web')), []);
    assert.deepEqual(await keysUnder(store, blobLinkKeys.links(scope, 'web/api')), [blobLinkKeys.link(scope, 'web/api', layer.digest)]);
    assert.equal(await stored('web'), undefined);
    assert.equal((await keysUnder(store, registryKeys.images(scope, 'web/api'))).length, 1);
    assert.deepEqual(await keysUnder(store, registryKeys.tags(scope, 'web/api')), [registryKeys.tag(scope, 'web/api', 'latest')]);
    assert.ok(await stored('web/api'));
    const again = await create({ repositoryName: 'web' });
    assert.equal(again.repositoryName, 'web');
    assert.deepEqual((await stored('web'))?.tags, [], 'a re-created repository starts afresh');
  });

  test('requires an existing repository', async () => {
    await rejects('DeleteRepository', { repositoryName: 'nope' }, 'RepositoryNotFoundException',
      /^The repository with name 'nope' does not exist in the registry with id '123456789012'$/);
    await rejects('DeleteRepository', {}, 'InvalidParameterException', /^Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must not be null'$/);
    await create({ repositoryName: 'web' });
    await rejects('DeleteRepository', { repositoryName: 'web', registryId: '999999999999' }, 'RepositoryNotFoundException',
      /registry with id '999999999999'$/);
    await rejects('DeleteRepository', { repositoryName: 'web', force: 'yes' }, 'SerializationException', /^force must be a boolean/);
  });
});

describe('PutImageTagMutability and PutImageScanningConfiguration', () => {
  test('change the setting and answer with it', async () => {
    await create({ repositoryName: 'web' });
    const m = await call('PutImageTagMutability', { repositoryName: 'web', imageTagMutability: 'IMMUTABLE' });
    assert.deepEqual(m, { registryId: '123456789012', repositoryName: 'web', imageTagMutability: 'IMMUTABLE' });
    const s = await call('PutImageScanningConfiguration', { repositoryName: 'web', imageScanningConfiguration: { scanOnPush: true } });
    assert.deepEqual(s, { registryId: '123456789012', repositoryName: 'web', imageScanningConfiguration: { scanOnPush: true } });
    const [repo] = (await describe_({ repositoryNames: ['web'] })).repositories!;
    assert.equal(repo.imageTagMutability, 'IMMUTABLE');
    assert.deepEqual(repo.imageScanningConfiguration, { scanOnPush: true });
  });

  test('write nothing when the setting is unchanged', async () => {
    await create({ repositoryName: 'web' });
    const before = await store.revision();
    await call('PutImageTagMutability', { repositoryName: 'web', imageTagMutability: 'MUTABLE' });
    await call('PutImageScanningConfiguration', { repositoryName: 'web', imageScanningConfiguration: {} });
    assert.equal(await store.revision(), before);
  });

  test('validate their input and the repository', async () => {
    await create({ repositoryName: 'web' });
    await rejects('PutImageTagMutability', { repositoryName: 'web' }, 'InvalidParameterException',
      /^Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must not be null'$/);
    await rejects('PutImageTagMutability', { repositoryName: 'web', imageTagMutability: 'mutable' }, 'InvalidParameterException',
      /^Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: /);
    await rejects('PutImageTagMutability', { repositoryName: 'nope', imageTagMutability: 'MUTABLE' }, 'RepositoryNotFoundException',
      /^The repository with name 'nope' does not exist/);
    await rejects('PutImageScanningConfiguration', { repositoryName: 'web' }, 'InvalidParameterException',
      /^Invalid parameter at 'imageScanningConfiguration' failed to satisfy constraint: 'Member must not be null'$/);
    await rejects('PutImageScanningConfiguration', { repositoryName: 'nope', imageScanningConfiguration: { scanOnPush: true } },
      'RepositoryNotFoundException', /'nope'/);
  });
});

describe('DescribeRegistry', () => {
  test('names the caller\'s registry, with no replication', async () => {
    assert.deepEqual(await call('DescribeRegistry', {}), { registryId: '123456789012', replicationConfiguration: { rules: [] } });
  });
});
