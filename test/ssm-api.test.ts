/**
 * SSM Parameter Store end to end, through @aws-sdk/client-ssm and the AWS CLI v2 against a real
 * control plane (in this process, so the test can read a raw record from the store): the three
 * types, SecureStrings with and without decryption and sealed at rest, overwrite and history,
 * labels and selectors, paths and paging, filters, tags, errors with SSM's codes, and IAM
 * refusing a user without ssm permissions.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddTagsToResourceCommand, DeleteParameterCommand, DeleteParametersCommand, DescribeParametersCommand, GetParameterCommand, GetParameterHistoryCommand,
  GetParametersByPathCommand, GetParametersCommand, LabelParameterVersionCommand, ListTagsForResourceCommand, PutParameterCommand,
  RemoveTagsFromResourceCommand, SSMClient, UnlabelParameterVersionCommand, paginateDescribeParameters, paginateGetParametersByPath,
} from '@aws-sdk/client-ssm';
import { IAMClient } from '@aws-sdk/client-iam';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { keys } from '../src/parameters/index.ts';
import { credentials, region } from './support/wharf.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused, type Keys, userWithKey as userWithKeyOn } from './support/in-process.ts';

const ARN = `arn:aws:ssm:${region}:${ACCOUNT}:parameter`;


const controlPlane = inProcessControlPlane();
let plane: ControlPlane;
let ssm: SSMClient;

before(async () => {
  plane = await controlPlane();
  ssm = client();
});
after(() => ssm?.destroy());

function client(keys: Keys = credentials): SSMClient {
  return new SSMClient({ endpoint: plane.url, region, credentials: keys, maxAttempts: 1 });
}

const { cli, cliFails } = awsCli(() => plane.url, 'ssm');

describe('SSM Parameter Store through the SDK and the AWS CLI', () => {
  it('String, StringList and SecureString: put, get, and a SecureString only decrypted when asked', async () => {
    const put = await ssm.send(new PutParameterCommand({ Name: '/types/plain', Value: 'hello', Type: 'String', Description: 'a string' }));
    assert.deepEqual([put.Version, put.Tier], [1, 'Standard']);
    await ssm.send(new PutParameterCommand({ Name: '/types/list', Value: 'a,b,c', Type: 'StringList' }));
    await ssm.send(new PutParameterCommand({ Name: '/types/secret', Value: 's3cr3t-value', Type: 'SecureString' }));

    const { Parameter: plain } = await ssm.send(new GetParameterCommand({ Name: '/types/plain' }));
    assert.deepEqual([plain!.Name, plain!.Type, plain!.Value, plain!.Version, plain!.ARN, plain!.DataType], ['/types/plain', 'String', 'hello', 1, `${ARN}/types/plain`, 'text']);
    assert.ok(plain!.LastModifiedDate instanceof Date);
    assert.equal((await ssm.send(new GetParameterCommand({ Name: '/types/list' }))).Parameter!.Value, 'a,b,c');

    const hidden = (await ssm.send(new GetParameterCommand({ Name: '/types/secret' }))).Parameter!;
    assert.equal(hidden.Type, 'SecureString');
    assert.notEqual(hidden.Value, 's3cr3t-value');
    assert.equal(hidden.Value!.includes('s3cr3t'), false);
    assert.equal((await ssm.send(new GetParameterCommand({ Name: '/types/secret', WithDecryption: true }))).Parameter!.Value, 's3cr3t-value');
    // By ARN too.
    assert.equal((await ssm.send(new GetParameterCommand({ Name: `${ARN}/types/secret`, WithDecryption: true }))).Parameter!.Value, 's3cr3t-value');

    const { Parameters, InvalidParameters } = await ssm.send(new GetParametersCommand({ Names: ['/types/plain', '/types/secret', '/types/none'], WithDecryption: true }));
    assert.deepEqual(Parameters!.map((p) => [p.Name, p.Value]), [['/types/plain', 'hello'], ['/types/secret', 's3cr3t-value']]);
    assert.deepEqual(InvalidParameters, ['/types/none']);

    const { Parameters: described } = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/types/'] }] }));
    assert.deepEqual(described!.map((m) => [m.Name, m.Type, m.KeyId, m.Tier, m.Description]), [
      ['/types/list', 'StringList', undefined, 'Standard', undefined],
      ['/types/plain', 'String', undefined, 'Standard', 'a string'],
      ['/types/secret', 'SecureString', 'alias/aws/ssm', 'Standard', undefined],
    ]);
    assert.equal(described![1]!.LastModifiedUser, `arn:aws:iam::${ACCOUNT}:root`);
  });

  it('a SecureString record in the store holds no plaintext', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/raw/secret', Value: 'plaintext-never-stored', Type: 'SecureString', KeyId: 'alias/custom' }));
    await ssm.send(new PutParameterCommand({ Name: '/raw/secret', Value: 'second-plaintext', Overwrite: true }));
    const raw = await plane.store.get(keys.parameter({ account: ACCOUNT, region }, '/raw/secret'));
    assert.ok(raw, 'the record is stored');
    assert.equal(raw.value.includes('plaintext-never-stored'), false);
    assert.equal(raw.value.includes('second-plaintext'), false);
    const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/raw/secret', WithDecryption: true }));
    assert.deepEqual(history.Parameters!.map((h) => [h.Version, h.Value, h.KeyId]), [[1, 'plaintext-never-stored', 'alias/custom'], [2, 'second-plaintext', 'alias/custom']]);
    const sealed = await ssm.send(new GetParameterHistoryCommand({ Name: '/raw/secret' }));
    assert.equal(sealed.Parameters!.some((h) => h.Value?.includes('plaintext')), false);
  });

  it('overwrite makes a new version; without it ParameterAlreadyExists; history keeps every version', async () => {
    await ssm.send(new PutParameterCommand({ Name: 'counter', Value: '1', Type: 'String' }));
    await refused(ssm.send(new PutParameterCommand({ Name: 'counter', Value: '2', Type: 'String' })), 'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    assert.equal((await ssm.send(new PutParameterCommand({ Name: 'counter', Value: '2', Overwrite: true }))).Version, 2);
    assert.equal((await ssm.send(new PutParameterCommand({ Name: 'counter', Value: '3', Type: 'String', Overwrite: true }))).Version, 3);
    const { Parameters } = await ssm.send(new GetParameterHistoryCommand({ Name: 'counter' }));
    assert.deepEqual(Parameters!.map((h) => [h.Version, h.Value, h.Labels]), [[1, '1', []], [2, '2', []], [3, '3', []]]);
    const first = await ssm.send(new GetParameterHistoryCommand({ Name: 'counter', MaxResults: 2 }));
    assert.equal(first.Parameters!.length, 2);
    const rest = await ssm.send(new GetParameterHistoryCommand({ Name: 'counter', MaxResults: 2, NextToken: first.NextToken }));
    assert.deepEqual(rest.Parameters!.map((h) => h.Version), [3]);
    assert.equal(rest.NextToken, undefined);
  });

  it('labels select versions and move between them; selectors by version and label', async () => {
    for (const v of ['v1', 'v2', 'v3']) await ssm.send(new PutParameterCommand({ Name: '/app/release', Value: v, Type: 'String', Overwrite: true }));
    const labelled = await ssm.send(new LabelParameterVersionCommand({ Name: '/app/release', ParameterVersion: 1, Labels: ['stable', 'aws-bad', '2nd'] }));
    assert.deepEqual([labelled.ParameterVersion, labelled.InvalidLabels], [1, ['aws-bad', '2nd']]);
    const byLabel = (await ssm.send(new GetParameterCommand({ Name: '/app/release:stable' }))).Parameter!;
    assert.deepEqual([byLabel.Name, byLabel.Value, byLabel.Version, byLabel.Selector], ['/app/release', 'v1', 1, ':stable']);
    assert.equal((await ssm.send(new GetParameterCommand({ Name: '/app/release:2' }))).Parameter!.Value, 'v2');
    // The label moves to the latest version.
    assert.equal((await ssm.send(new LabelParameterVersionCommand({ Name: '/app/release', Labels: ['stable'] }))).ParameterVersion, 3);
    assert.equal((await ssm.send(new GetParameterCommand({ Name: '/app/release:stable' }))).Parameter!.Value, 'v3');
    const { Parameters } = await ssm.send(new GetParameterHistoryCommand({ Name: '/app/release' }));
    assert.deepEqual(Parameters!.map((h) => h.Labels), [[], [], ['stable']]);
    await refused(ssm.send(new GetParameterCommand({ Name: '/app/release:9' })), 'ParameterVersionNotFound',
      'Systems Manager could not find version 9 of /app/release. Verify the version and try again.');
    await refused(ssm.send(new LabelParameterVersionCommand({ Name: '/app/release', ParameterVersion: 2, Labels: Array.from({ length: 11 }, (_, i) => `l${i}`) })),
      'ValidationException', /at 'labels' failed to satisfy constraint: Member must have length less than or equal to 10/);
    const unlabelled = await ssm.send(new UnlabelParameterVersionCommand({ Name: '/app/release', ParameterVersion: 3, Labels: ['stable', 'ghost'] }));
    assert.deepEqual([unlabelled.RemovedLabels, unlabelled.InvalidLabels], [['stable'], ['ghost']]);
    const { Parameters: got, InvalidParameters } = await ssm.send(new GetParametersCommand({ Names: ['/app/release:1', '/app/release:stable'] }));
    assert.deepEqual([got!.map((p) => p.Selector), InvalidParameters], [[':1'], ['/app/release:stable']]);
  });

  it('GetParametersByPath one level or recursive, filtered, paged; DescribeParameters paged and filtered', async () => {
    for (let i = 0; i < 12; i++) await ssm.send(new PutParameterCommand({ Name: `/paged/p${String(i).padStart(2, '0')}`, Value: `${i}`, Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/paged/deep/s', Value: 'deep-secret', Type: 'SecureString', Tags: [{ Key: 'team', Value: 'blue' }] }));
    const oneLevel: string[] = [];
    let pages = 0;
    for await (const page of paginateGetParametersByPath({ client: ssm, pageSize: 5 }, { Path: '/paged' })) {
      pages++;
      oneLevel.push(...page.Parameters!.map((p) => p.Name!));
    }
    assert.deepEqual([pages, oneLevel.length, oneLevel.includes('/paged/deep/s')], [3, 12, false]);
    const recursive = await ssm.send(new GetParametersByPathCommand({
      Path: '/paged/', Recursive: true, WithDecryption: true, ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }],
    }));
    assert.deepEqual(recursive.Parameters!.map((p) => [p.Name, p.Value]), [['/paged/deep/s', 'deep-secret']]);
    await refused(ssm.send(new GetParametersByPathCommand({ Path: '/paged', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] })), 'InvalidFilterKey');
    await refused(ssm.send(new GetParametersByPathCommand({ Path: 'paged' })), 'ValidationException', /must begin with a forward slash/);

    const described: string[] = [];
    for await (const page of paginateDescribeParameters({ client: ssm, pageSize: 4 }, { ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/paged'] }] })) {
      assert.ok(page.Parameters!.length <= 4);
      described.push(...page.Parameters!.map((m) => m.Name!));
    }
    assert.equal(described.length, 13);
    const tagged = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'tag:team', Values: ['blue'] }] }));
    assert.deepEqual(tagged.Parameters!.map((m) => m.Name), ['/paged/deep/s']);
    const legacy = await ssm.send(new DescribeParametersCommand({ Filters: [{ Key: 'Type', Values: ['SecureString'] }], MaxResults: 50 }));
    assert.ok(legacy.Parameters!.every((m) => m.Type === 'SecureString'));
    await refused(ssm.send(new DescribeParametersCommand({ Filters: [{ Key: 'Type', Values: ['String'] }], ParameterFilters: [{ Key: 'Type', Values: ['String'] }] })),
      'ValidationException', 'You can use either Filters or ParameterFilters in a single request.');
    await refused(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Option: 'Equals', Values: ['/paged'] }] })), 'InvalidFilterOption');
    await refused(ssm.send(new DescribeParametersCommand({ NextToken: 'not-a-token' })), 'InvalidNextToken');
  });

  it('tags: on create, added, removed, listed; not with overwrite', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/tagged', Value: 'v', Type: 'String', Tags: [{ Key: 'env', Value: 'dev' }] }));
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/tagged', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'owner', Value: 'me' }] }));
    await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: '/tagged', TagKeys: ['owner'] }));
    assert.deepEqual((await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/tagged' }))).TagList, [{ Key: 'env', Value: 'prod' }]);
    await refused(ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/untagged-nothing' })), 'InvalidResourceId');
    await refused(ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Document', ResourceId: '/tagged' })), 'InvalidResourceType');
    await refused(ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/tagged', Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) })), 'TooManyTagsError');
    await refused(ssm.send(new PutParameterCommand({ Name: '/tagged', Value: 'w', Overwrite: true, Tags: [{ Key: 'a', Value: 'b' }] })), 'ValidationException', /tags and overwrite can't be used together/);
  });

  it('errors: names, hierarchy depth, tiers, AllowedPattern, missing parameters, model constraints', async () => {
    await refused(ssm.send(new PutParameterCommand({ Name: '/aws/mine', Value: 'v', Type: 'String' })), 'ValidationException', /can't be prefixed with "aws" or "ssm"/);
    await refused(ssm.send(new PutParameterCommand({ Name: 'ssm-thing', Value: 'v', Type: 'String' })), 'ValidationException', /can't be prefixed/);
    await refused(ssm.send(new PutParameterCommand({ Name: 'a/b', Value: 'v', Type: 'String' })), 'ValidationException', 'Parameter name must be a fully qualified name.');
    await refused(ssm.send(new PutParameterCommand({ Name: `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`, Value: 'v', Type: 'String' })),
      'HierarchyLevelLimitExceededException', 'A hierarchy can have a maximum of 15 levels.');
    await refused(ssm.send(new PutParameterCommand({ Name: 'x'.repeat(2049), Value: 'v', Type: 'String' })), 'ValidationException',
      /^1 validation error detected: Value '.*' at 'name' failed to satisfy constraint: Member must have length less than or equal to 2048$/);
    await refused(ssm.send(new PutParameterCommand({ Name: '/big', Value: 'x'.repeat(4097), Type: 'String' })), 'ValidationException', /maximum parameter value of 4096/);
    assert.equal((await ssm.send(new PutParameterCommand({ Name: '/big', Value: 'x'.repeat(4097), Type: 'String', Tier: 'Intelligent-Tiering' }))).Tier, 'Advanced');
    assert.equal((await ssm.send(new PutParameterCommand({ Name: '/small', Value: 'x', Type: 'String', Tier: 'Advanced' }))).Tier, 'Advanced');
    await refused(ssm.send(new PutParameterCommand({ Name: '/digits', Value: 'abc', Type: 'String', AllowedPattern: '^\\d+$' })), 'ParameterPatternMismatchException',
      'Parameter value, cannot be validated against allowedPattern: ^\\d+$');
    await ssm.send(new PutParameterCommand({ Name: '/digits', Value: '123', Type: 'String', AllowedPattern: '^\\d+$' }));
    await refused(ssm.send(new PutParameterCommand({ Name: '/digits', Value: 'x1', Overwrite: true })), 'ParameterPatternMismatchException');
    await refused(ssm.send(new PutParameterCommand({ Name: '/untyped', Value: 'v' })), 'ValidationException', 'A parameter type is required when you create a parameter.');
    await refused(ssm.send(new PutParameterCommand({ Name: '/typed', Value: 'v', Type: 'Number' as never })), 'ValidationException',
      /at 'type' failed to satisfy constraint: Member must satisfy enum value set: \[/);
    await refused(ssm.send(new GetParameterCommand({ Name: '/nothing/here' })), 'ParameterNotFound');
    await refused(ssm.send(new DeleteParameterCommand({ Name: '/nothing/here' })), 'ParameterNotFound');
    await refused(ssm.send(new GetParameterHistoryCommand({ Name: '/nothing/here' })), 'ParameterNotFound');
  });

  it('the AWS CLI: put-parameter, get-parameter --with-decryption, get-parameters-by-path --recursive, label-parameter-version, delete-parameter', async () => {
    assert.deepEqual(await cli('put-parameter', '--name', '/cli/db/password', '--value', 'pa55word', '--type', 'SecureString'), { Version: 1, Tier: 'Standard' });
    await cli('put-parameter', '--name', '/cli/db/host', '--value', 'db.internal', '--type', 'String');
    await cli('put-parameter', '--name', '/cli/zones', '--value', 'a,b', '--type', 'StringList');
    await cli('put-parameter', '--name', '/cli/db/host', '--value', 'db2.internal', '--overwrite');

    const hidden = await cli('get-parameter', '--name', '/cli/db/password');
    assert.notEqual(hidden.Parameter.Value, 'pa55word');
    const shown = await cli('get-parameter', '--name', '/cli/db/password', '--with-decryption');
    assert.deepEqual([shown.Parameter.Name, shown.Parameter.Type, shown.Parameter.Value, shown.Parameter.ARN], ['/cli/db/password', 'SecureString', 'pa55word', `${ARN}/cli/db/password`]);

    const byPath = await cli('get-parameters-by-path', '--path', '/cli', '--recursive', '--with-decryption');
    assert.deepEqual(byPath.Parameters.map((p: { Name: string; Value: string }) => [p.Name, p.Value]).sort(), [
      ['/cli/db/host', 'db2.internal'], ['/cli/db/password', 'pa55word'], ['/cli/zones', 'a,b'],
    ]);
    const top = await cli('get-parameters-by-path', '--path', '/cli');
    assert.deepEqual(top.Parameters.map((p: { Name: string }) => p.Name), ['/cli/zones']);

    const labelled = await cli('label-parameter-version', '--name', '/cli/db/host', '--parameter-version', '1', '--labels', 'previous');
    assert.deepEqual(labelled, { InvalidLabels: [], ParameterVersion: 1 });
    assert.equal((await cli('get-parameter', '--name', '/cli/db/host:previous')).Parameter.Value, 'db.internal');

    await cli('delete-parameter', '--name', '/cli/db/host');
    assert.match(await cliFails('get-parameter', '--name', '/cli/db/host'), /ParameterNotFound/);
    assert.match(await cliFails('delete-parameter', '--name', '/cli/db/host'), /\(ParameterNotFound\) when calling the DeleteParameter operation/);
    const { DeletedParameters, InvalidParameters } = await ssm.send(new DeleteParametersCommand({ Names: ['/cli/db/password', '/cli/zones', '/cli/none'] }));
    assert.deepEqual([DeletedParameters, InvalidParameters], [['/cli/db/password', '/cli/zones'], ['/cli/none']]);
    assert.deepEqual((await ssm.send(new GetParametersByPathCommand({ Path: '/cli', Recursive: true }))).Parameters, []);
  });

  it('IAM: a user without ssm permissions is refused; a policy on a path allows only under it', async () => {
    const iam = new IAMClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
    const userWithKey = (name: string, statements?: object[]) => userWithKeyOn(plane.url, name, statements);
    await ssm.send(new PutParameterCommand({ Name: '/team/a/url', Value: 'a', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/other/url', Value: 'o', Type: 'String' }));
    const nobody = client(await userWithKey('no-ssm'));
    const teamA = client(await userWithKey('team-a', [
      { Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParametersByPath', 'ssm:PutParameter'], Resource: `${ARN}/team/a*` },
    ]));
    try {
      await refused(nobody.send(new GetParameterCommand({ Name: '/team/a/url' })), 'AccessDeniedException',
        `User: arn:aws:iam::${ACCOUNT}:user/no-ssm is not authorized to perform: ssm:GetParameter on resource: ${ARN}/team/a/url because no identity-based policy allows the ssm:GetParameter action`);
      await refused(nobody.send(new DescribeParametersCommand({})), 'AccessDeniedException', /ssm:DescribeParameters on resource: \*/);
      assert.equal((await teamA.send(new GetParameterCommand({ Name: '/team/a/url' }))).Parameter!.Value, 'a');
      assert.equal((await teamA.send(new GetParametersByPathCommand({ Path: '/team/a' }))).Parameters!.length, 1);
      await teamA.send(new PutParameterCommand({ Name: '/team/a/new', Value: 'n', Type: 'String' }));
      await refused(teamA.send(new GetParameterCommand({ Name: '/other/url' })), 'AccessDeniedException', new RegExp(`ssm:GetParameter on resource: ${ARN}/other/url`));
      await refused(teamA.send(new PutParameterCommand({ Name: '/other/url', Value: 'x', Type: 'String', Overwrite: true })), 'AccessDeniedException');
      await refused(teamA.send(new DeleteParameterCommand({ Name: '/team/a/url' })), 'AccessDeniedException', /ssm:DeleteParameter/);
      assert.equal((await ssm.send(new GetParameterCommand({ Name: '/other/url' }))).Parameter!.Value, 'o', 'a refused put wrote nothing');
    } finally {
      for (const c of [iam, nobody, teamA]) c.destroy();
    }
  });
});
