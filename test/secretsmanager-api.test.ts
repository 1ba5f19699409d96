/**
 * Secrets Manager end to end, through @aws-sdk/client-secrets-manager and the AWS CLI v2
 * against a real control plane in this process (so the test can read the raw records): staging
 * labels, JSON and binary values, names and ARNs, deletion with a recovery window and restore,
 * force delete, filters and paging, policies and tags, BatchGetSecretValue, Secrets Manager's
 * errors, values sealed at rest, and IAM refusing a user without permission.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetSecretValueCommand, CreateSecretCommand, DeleteResourcePolicyCommand, DeleteSecretCommand, DescribeSecretCommand, GetResourcePolicyCommand,
  GetSecretValueCommand, ListSecretVersionIdsCommand, ListSecretsCommand, PutResourcePolicyCommand, PutSecretValueCommand, RestoreSecretCommand,
  RotateSecretCommand, SecretsManagerClient, TagResourceCommand, UntagResourceCommand, UpdateSecretCommand, UpdateSecretVersionStageCommand,
  paginateListSecrets, type ListSecretsCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { IAMClient } from '@aws-sdk/client-iam';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { credentials, region } from './support/wharf.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused, type Keys, userWithKey as userWithKeyOn } from './support/in-process.ts';


const controlPlane = inProcessControlPlane();
let plane: ControlPlane;
let sm: SecretsManagerClient;

before(async () => {
  plane = await controlPlane();
  sm = client();
});
after(() => sm?.destroy());

function client(keys: Keys = credentials): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint: plane.url, region, credentials: keys, maxAttempts: 1 });
}

const { cli, cliFails } = awsCli(() => plane.url, 'secretsmanager');

const ARN = new RegExp(`^arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:`);

describe('Secrets Manager through the SDK and the AWS CLI', () => {
  it('a JSON SecretString: create, get by name, full and partial ARN; stages move with PutSecretValue and UpdateSecretVersionStage', async () => {
    const created = await sm.send(new CreateSecretCommand({
      Name: 'prod/db', Description: 'the database', KmsKeyId: 'alias/aws/secretsmanager', SecretString: JSON.stringify({ user: 'admin', password: 'p1' }),
      Tags: [{ Key: 'team', Value: 'payments' }],
    }));
    assert.match(created.ARN!, new RegExp(`${ARN.source}prod/db-[A-Za-z0-9]{6}$`));
    assert.match(created.VersionId!, /^[0-9a-f-]{36}$/);
    for (const id of ['prod/db', created.ARN!, created.ARN!.slice(0, -7)]) {
      const got = await sm.send(new GetSecretValueCommand({ SecretId: id }));
      assert.deepEqual(JSON.parse(got.SecretString!), { user: 'admin', password: 'p1' });
      assert.deepEqual([got.ARN, got.Name, got.VersionId, got.VersionStages], [created.ARN, 'prod/db', created.VersionId, ['AWSCURRENT']]);
      assert.ok(got.CreatedDate instanceof Date);
    }

    const put = await sm.send(new PutSecretValueCommand({ SecretId: 'prod/db', SecretString: '{"user":"admin","password":"p2"}' }));
    assert.deepEqual(put.VersionStages, ['AWSCURRENT']);
    assert.equal(JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: 'prod/db' }))).SecretString!).password, 'p2');
    assert.equal(JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: 'prod/db', VersionStage: 'AWSPREVIOUS' }))).SecretString!).password, 'p1');
    assert.equal(JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: 'prod/db', VersionId: created.VersionId }))).SecretString!).password, 'p1');

    const pending = await sm.send(new PutSecretValueCommand({ SecretId: 'prod/db', SecretString: 'p3', VersionStages: ['AWSPENDING'], ClientRequestToken: 'pending-0000000000000000000000000001' }));
    const retried = await sm.send(new PutSecretValueCommand({ SecretId: 'prod/db', SecretString: 'p3', VersionStages: ['AWSPENDING'], ClientRequestToken: 'pending-0000000000000000000000000001' }));
    assert.equal(retried.VersionId, pending.VersionId, 'a retry with the same token is the same version');
    await refused(sm.send(new PutSecretValueCommand({ SecretId: 'prod/db', SecretString: 'other', ClientRequestToken: 'pending-0000000000000000000000000001' })), 'ResourceExistsException');
    await refused(sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'prod/db', VersionStage: 'AWSCURRENT', MoveToVersionId: pending.VersionId })),
      'InvalidParameterException', new RegExp(`currently attached to version ${put.VersionId}`));
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'prod/db', VersionStage: 'AWSCURRENT', MoveToVersionId: pending.VersionId, RemoveFromVersionId: put.VersionId }));
    const described = await sm.send(new DescribeSecretCommand({ SecretId: created.ARN }));
    assert.deepEqual(described.VersionIdsToStages, { [put.VersionId!]: ['AWSPREVIOUS'], [pending.VersionId!]: ['AWSPENDING', 'AWSCURRENT'] });
    assert.deepEqual([described.Name, described.Description, described.KmsKeyId, described.Tags], ['prod/db', 'the database', 'alias/aws/secretsmanager', [{ Key: 'team', Value: 'payments' }]]);
    assert.ok(described.CreatedDate instanceof Date && described.LastChangedDate instanceof Date && described.DeletedDate === undefined);
    assert.ok(!JSON.stringify(described).includes('p3'), 'DescribeSecret never shows the value');

    const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'prod/db' }));
    assert.deepEqual(versions.Versions!.map((v) => v.VersionId).sort(), [put.VersionId, pending.VersionId].sort(), 'the deprecated first version is left out');
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'prod/db', IncludeDeprecated: true }));
    assert.equal(all.Versions!.length, 3);

    const updated = await sm.send(new UpdateSecretCommand({ SecretId: 'prod/db', Description: 'still the database', SecretString: 'p4' }));
    assert.ok(updated.VersionId);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'prod/db' }))).SecretString, 'p4');
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: 'prod/db' }))).Description, 'still the database');
  });

  it('a binary secret comes back as the same bytes; values are sealed in the store, never plaintext', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255, 42]);
    await sm.send(new CreateSecretCommand({ Name: 'certs/key', SecretBinary: bytes }));
    const got = await sm.send(new GetSecretValueCommand({ SecretId: 'certs/key' }));
    assert.deepEqual([...got.SecretBinary!], [...bytes]);
    assert.equal(got.SecretString, undefined);

    await sm.send(new CreateSecretCommand({ Name: 'plain', SecretString: 'correct-horse-battery-staple' }));
    const raw = (await plane.store.range('secrets/')).kvs;
    const values = raw.filter((kv) => kv.key.includes('/value/plain-'));
    assert.equal(values.length, 1);
    assert.match(JSON.parse(values[0]!.value).sealed, /^w1\./);
    const everything = raw.map((kv) => kv.value).join('\n');
    assert.ok(!everything.includes('correct-horse-battery-staple'));
    assert.ok(!everything.includes(Buffer.from('correct-horse-battery-staple').toString('base64')));
    assert.ok(!everything.includes(Buffer.from(bytes).toString('base64')));
  });

  it('the AWS CLI: create-secret, get-secret-value, put-secret-value, list-secrets, delete-secret, get-random-password', async () => {
    const created = await cli('create-secret', '--name', 'cli/token', '--secret-string', '{"token":"abc"}', '--description', 'from the CLI');
    assert.match(created.ARN, ARN);
    assert.equal(created.Name, 'cli/token');
    assert.equal(JSON.parse((await cli('get-secret-value', '--secret-id', 'cli/token')).SecretString).token, 'abc');
    const put = await cli('put-secret-value', '--secret-id', created.ARN, '--secret-string', '{"token":"def"}');
    assert.deepEqual(put.VersionStages, ['AWSCURRENT']);
    assert.equal(JSON.parse((await cli('get-secret-value', '--secret-id', 'cli/token')).SecretString).token, 'def');
    const listed = await cli('list-secrets', '--filters', 'Key=name,Values=cli/');
    assert.deepEqual(listed.SecretList.map((s: { Name: string }) => s.Name), ['cli/token']);
    assert.equal(Object.keys(listed.SecretList[0].SecretVersionsToStages).length, 2);
    assert.ok(!JSON.stringify(listed).includes('def'));
    const deleted = await cli('delete-secret', '--secret-id', 'cli/token', '--recovery-window-in-days', '7');
    assert.equal(deleted.Name, 'cli/token');
    assert.ok(Math.abs(Date.parse(deleted.DeletionDate) - (Date.now() + 7 * 86_400_000)) < 120_000, deleted.DeletionDate);
    assert.match(await cliFails('get-secret-value', '--secret-id', 'cli/token'), /InvalidRequestException.*marked for deletion/);
    assert.match(await cliFails('create-secret', '--name', 'cli/token', '--secret-string', 'x'), /InvalidRequestException/);
    assert.match(await cliFails('get-secret-value', '--secret-id', 'cli/none'), /ResourceNotFoundException.*Secrets Manager can't find the specified secret\./);
    await cli('delete-secret', '--secret-id', 'cli/token', '--force-delete-without-recovery');
    assert.match((await cli('get-random-password', '--password-length', '20', '--exclude-punctuation')).RandomPassword, /^[A-Za-z0-9]{20}$/);
    assert.match(await cliFails('describe-secret', '--secret-id', 'cli/token'), /ResourceNotFoundException/);
  });

  it('deletion with a recovery window and restore; force delete frees the name at once', async () => {
    const { ARN: arn } = await sm.send(new CreateSecretCommand({ Name: 'to-delete', SecretString: 'v' }));
    await refused(sm.send(new DeleteSecretCommand({ SecretId: 'to-delete', RecoveryWindowInDays: 31 })), 'InvalidParameterException',
      'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    await refused(sm.send(new DeleteSecretCommand({ SecretId: 'to-delete', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })), 'InvalidParameterException');
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: 'to-delete' }));
    assert.equal(deleted.ARN, arn);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'to-delete' }));
    assert.ok(described.DeletedDate instanceof Date);
    assert.equal(Math.round((deleted.DeletionDate!.getTime() - described.DeletedDate!.getTime()) / 86_400_000), 30);
    await refused(sm.send(new GetSecretValueCommand({ SecretId: 'to-delete' })), 'InvalidRequestException',
      "You can't perform this operation on the secret because it was marked for deletion.");
    await refused(sm.send(new PutSecretValueCommand({ SecretId: 'to-delete', SecretString: 'w' })), 'InvalidRequestException');
    const names = async (include?: boolean) => (await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: include }))).SecretList!.map((s) => s.Name);
    assert.ok(!(await names()).includes('to-delete'));
    assert.ok((await names(true)).includes('to-delete'));
    await sm.send(new RestoreSecretCommand({ SecretId: arn }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'to-delete' }))).SecretString, 'v');
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: 'to-delete' }))).DeletedDate, undefined);

    await sm.send(new DeleteSecretCommand({ SecretId: 'to-delete', ForceDeleteWithoutRecovery: true }));
    await refused(sm.send(new DescribeSecretCommand({ SecretId: 'to-delete' })), 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    const again = await sm.send(new CreateSecretCommand({ Name: 'to-delete', SecretString: 'new' }));
    assert.notEqual(again.ARN, arn, 'a new secret of the same name has a new ARN');
    await refused(sm.send(new GetSecretValueCommand({ SecretId: arn })), 'ResourceNotFoundException');
  });

  it('ListSecrets: filters, sort order and paging', async () => {
    for (const [name, team] of [['list/a', 'blue'], ['list/b', 'red'], ['list/c', 'blue']] as const) {
      await sm.send(new CreateSecretCommand({ Name: name, Description: `Secret of team ${team}`, Tags: [{ Key: 'team', Value: team }] }));
    }
    const names = async (input: ListSecretsCommandInput) => (await sm.send(new ListSecretsCommand(input))).SecretList!.map((s) => s.Name);
    assert.deepEqual(await names({ Filters: [{ Key: 'name', Values: ['list/'] }] }), ['list/a', 'list/b', 'list/c']);
    assert.deepEqual(await names({ Filters: [{ Key: 'name', Values: ['list/'] }], SortOrder: 'desc' }), ['list/c', 'list/b', 'list/a']);
    assert.deepEqual(await names({ Filters: [{ Key: 'name', Values: ['list/'] }, { Key: 'tag-value', Values: ['blue'] }] }), ['list/a', 'list/c']);
    assert.deepEqual(await names({ Filters: [{ Key: 'name', Values: ['list/'] }, { Key: 'tag-value', Values: ['!blue'] }] }), ['list/b']);
    assert.deepEqual(await names({ Filters: [{ Key: 'description', Values: ['secret of team r'] }] }), ['list/b']);
    assert.deepEqual(await names({ Filters: [{ Key: 'all', Values: ['RED'] }] }), ['list/b']);
    assert.deepEqual(await names({ Filters: [{ Key: 'tag-key', Values: ['Team'] }] }), []);
    const paged: string[] = [];
    let pages = 0;
    for await (const page of paginateListSecrets({ client: sm, pageSize: 2 }, { Filters: [{ Key: 'name', Values: ['list/'] }] })) {
      pages++;
      paged.push(...page.SecretList!.map((s) => s.Name!));
    }
    assert.deepEqual([pages, paged], [2, ['list/a', 'list/b', 'list/c']]);
    await refused(sm.send(new ListSecretsCommand({ MaxResults: 101 })), 'ValidationException',
      "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100");
  });

  it('resource policies, tags and BatchGetSecretValue with errors per secret', async () => {
    const arn = (await sm.send(new CreateSecretCommand({ Name: 'batch/one', SecretString: '1' }))).ARN!;
    await sm.send(new CreateSecretCommand({ Name: 'batch/two', SecretString: '2' }));
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] });
    await sm.send(new PutResourcePolicyCommand({ SecretId: 'batch/one', ResourcePolicy: policy }));
    assert.deepEqual(await sm.send(new GetResourcePolicyCommand({ SecretId: 'batch/one' })).then((r) => [r.ARN, r.Name, r.ResourcePolicy]), [arn, 'batch/one', policy]);
    await refused(sm.send(new PutResourcePolicyCommand({ SecretId: 'batch/one', ResourcePolicy: '{not json' })), 'MalformedPolicyDocumentException');
    await sm.send(new DeleteResourcePolicyCommand({ SecretId: 'batch/one' }));
    assert.equal((await sm.send(new GetResourcePolicyCommand({ SecretId: 'batch/one' }))).ResourcePolicy, undefined);

    await sm.send(new TagResourceCommand({ SecretId: arn, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await sm.send(new UntagResourceCommand({ SecretId: arn, TagKeys: ['a'] }));
    assert.deepEqual((await sm.send(new DescribeSecretCommand({ SecretId: arn }))).Tags, [{ Key: 'b', Value: '2' }]);

    const batch = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['batch/one', arn.slice(0, -7).replace('one', 'two'), 'batch/none'] }));
    assert.deepEqual(batch.SecretValues!.map((v) => [v.Name, v.SecretString]), [['batch/one', '1'], ['batch/two', '2']]);
    assert.deepEqual(batch.Errors!.map((e) => [e.SecretId, e.ErrorCode]), [['batch/none', 'ResourceNotFoundException']]);
    const filtered = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['batch/'] }] }));
    assert.deepEqual(filtered.SecretValues!.map((v) => v.SecretString), ['1', '2']);
    await refused(sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['batch/one'], Filters: [{ Key: 'name', Values: ['batch/'] }] })), 'InvalidParameterException');
  });

  it("Secrets Manager's errors", async () => {
    await sm.send(new CreateSecretCommand({ Name: 'errors/dup', SecretString: 'x' }));
    await refused(sm.send(new CreateSecretCommand({ Name: 'errors/dup', SecretString: 'y' })), 'ResourceExistsException', 'The operation failed because the secret errors/dup already exists.');
    await refused(sm.send(new GetSecretValueCommand({ SecretId: 'errors/missing' })), 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    await refused(sm.send(new GetSecretValueCommand({ SecretId: 'errors/dup', VersionStage: 'AWSPREVIOUS' })), 'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS");
    await refused(sm.send(new CreateSecretCommand({ Name: 'errors/both', SecretString: 'x', SecretBinary: new Uint8Array([1]) })), 'InvalidParameterException',
      "You can't specify both a binary secret value and a string secret value in the same secret.");
    await refused(sm.send(new CreateSecretCommand({ Name: 'bad name!' })), 'ValidationException', /Invalid name/);
    await refused(sm.send(new CreateSecretCommand({ Name: 'x'.repeat(513) })), 'ValidationException', /at 'name' failed to satisfy constraint: Member must have length less than or equal to 512/);
    await refused(sm.send(new RotateSecretCommand({ SecretId: 'errors/dup', RotationLambdaARN: `arn:aws:lambda:${region}:${ACCOUNT}:function:rotate` })),
      'InvalidRequestException', /Wharf does not rotate secrets/);
    await refused(sm.send(new GetSecretValueCommand({ SecretId: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:errors/dup-XXXXXX` })), 'ResourceNotFoundException');
  });

  it('IAM: a user without permission is refused; one allowed a secret reads only that one; resource policies and tags count', async () => {
    const iam = new IAMClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
    const userWithKey = (name: string, statements?: object[]) => userWithKeyOn(plane.url, name, statements);
    const { ARN: arn } = await sm.send(new CreateSecretCommand({ Name: 'iam/allowed', SecretString: 'yes' }));
    const { ARN: other } = await sm.send(new CreateSecretCommand({ Name: 'iam/other', SecretString: 'no' }));
    const nobody = client(await userWithKey('no-secrets'));
    const reader = client(await userWithKey('one-secret', [
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'], Resource: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:iam/allowed-*` },
      { Effect: 'Allow', Action: 'secretsmanager:BatchGetSecretValue', Resource: '*' },
    ]));
    try {
      await refused(nobody.send(new GetSecretValueCommand({ SecretId: 'iam/allowed' })), 'AccessDeniedException',
        new RegExp(`user/no-secrets is not authorized to perform: secretsmanager:GetSecretValue on resource: ${arn}`), 400);
      await refused(nobody.send(new CreateSecretCommand({ Name: 'iam/new', SecretString: 'x' })), 'AccessDeniedException', /secretsmanager:CreateSecret/, 400);
      await refused(nobody.send(new ListSecretsCommand({})), 'AccessDeniedException', /secretsmanager:ListSecrets on resource: \*/, 400);
      assert.equal((await reader.send(new GetSecretValueCommand({ SecretId: 'iam/allowed' }))).SecretString, 'yes');
      await refused(reader.send(new GetSecretValueCommand({ SecretId: 'iam/other' })), 'AccessDeniedException', new RegExp(other!), 400);
      const batch = await reader.send(new BatchGetSecretValueCommand({ SecretIdList: ['iam/allowed', 'iam/other'] }));
      assert.deepEqual(batch.SecretValues!.map((v) => v.SecretString), ['yes']);
      assert.deepEqual(batch.Errors!.map((e) => [e.SecretId, e.ErrorCode]), [['iam/other', 'AccessDeniedException']]);
      await refused(sm.send(new DescribeSecretCommand({ SecretId: 'iam/new' })), 'ResourceNotFoundException', undefined);

      // A secret's resource policy grants what the user's own policies do not; its tags are aws:ResourceTag.
      await sm.send(new PutResourcePolicyCommand({
        SecretId: 'iam/other',
        ResourcePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/no-secrets` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] }),
      }));
      assert.equal((await nobody.send(new GetSecretValueCommand({ SecretId: 'iam/other' }))).SecretString, 'no');
      await refused(nobody.send(new GetSecretValueCommand({ SecretId: 'iam/allowed' })), 'AccessDeniedException', undefined, 400);
      await refused(sm.send(new PutResourcePolicyCommand({ SecretId: 'iam/other', ResourcePolicy: JSON.stringify({ Statement: [{ Effect: 'Maybe' }] }) })),
        'MalformedPolicyDocumentException');
      await sm.send(new TagResourceCommand({ SecretId: 'iam/allowed', Tags: [{ Key: 'team', Value: 'blue' }] }));
      const blue = client(await userWithKey('blue-team', [{
        Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' } },
      }]));
      try {
        assert.equal((await blue.send(new DescribeSecretCommand({ SecretId: 'iam/allowed' }))).Name, 'iam/allowed');
        await refused(blue.send(new DescribeSecretCommand({ SecretId: 'iam/other' })), 'AccessDeniedException', undefined, 400);
      } finally {
        blue.destroy();
      }
    } finally {
      for (const c of [iam, nobody, reader]) c.destroy();
    }
  });
});
