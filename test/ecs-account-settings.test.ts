/**
 * ECS account settings through @aws-sdk/client-ecs and the AWS CLI, on a control plane in this
 * process: a principal's own setting over the account default over ECS's default, the rules
 * on values (long ARN formats can no longer be disabled, the Fargate retirement wait is the
 * root's, guardDutyActivate is ECS's), paging, deletion, a user kept to its own settings, and
 * the containerInsights setting as the default of new clusters.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, DeleteAccountSettingCommand, DescribeClustersCommand, DescribeContainerInstancesCommand, ECSClient, ListAccountSettingsCommand, PutAccountSettingCommand,
  PutAccountSettingDefaultCommand, type Setting,
} from '@aws-sdk/client-ecs';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { credentials, region } from './support/wharf.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused, userWithKey } from './support/in-process.ts';
import { connectFakeAgent } from './support/fake-agent.ts';

const start = inProcessControlPlane();
let plane: ControlPlane;
let root: ECSClient;
let alice: ECSClient;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const { cli } = awsCli(() => plane.url, 'ecs');

before(async () => {
  plane = await start();
  root = new ECSClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
  const keys = await userWithKey(plane.url, 'alice', [{ Effect: 'Allow', Action: 'ecs:*', Resource: '*' }]);
  await userWithKey(plane.url, 'bob');
  alice = new ECSClient({ endpoint: plane.url, region, credentials: keys, maxAttempts: 1 });
});

const byName = (settings: Setting[] | undefined) => new Map((settings ?? []).map((s) => [s.name, s]));

describe('ECS account settings', () => {
  it("resolves a principal's setting, else the account default, else ECS's default", async () => {
    const effective = async (client: ECSClient, principalArn?: string) => {
      const first = await client.send(new ListAccountSettingsCommand({ effectiveSettings: true, principalArn }));
      assert.equal(first.settings!.length, 10, 'ECS lists 10 settings a page by default');
      const rest = await client.send(new ListAccountSettingsCommand({ effectiveSettings: true, principalArn, nextToken: first.nextToken }));
      return byName([...first.settings!, ...rest.settings!]);
    };
    let mine = await effective(alice);
    assert.equal(mine.size, 11);
    assert.deepEqual(mine.get('awsvpcTrunking'), { name: 'awsvpcTrunking', value: 'disabled', principalArn: ROOT, type: 'user' });
    assert.equal(mine.get('taskLongArnFormat')?.value, 'enabled');
    assert.equal(mine.get('fargateTaskRetirementWaitPeriod')?.value, '7');
    assert.equal(mine.get('tagResourceAuthorization')?.value, 'on');
    assert.equal(mine.get('guardDutyActivate')?.type, 'aws_managed');

    const def = await root.send(new PutAccountSettingDefaultCommand({ name: 'awsvpcTrunking', value: 'enabled' }));
    assert.deepEqual(def.setting, { name: 'awsvpcTrunking', value: 'enabled', principalArn: ROOT, type: 'user' });
    mine = await effective(alice);
    assert.equal(mine.get('awsvpcTrunking')?.value, 'enabled');
    assert.equal(mine.get('awsvpcTrunking')?.principalArn, ROOT);

    // The caller's own setting wins over the default; another principal keeps the default.
    const own = await alice.send(new PutAccountSettingCommand({ name: 'awsvpcTrunking', value: 'disabled' }));
    assert.deepEqual(own.setting, { name: 'awsvpcTrunking', value: 'disabled', principalArn: ALICE, type: 'user' });
    assert.equal((await effective(alice)).get('awsvpcTrunking')?.value, 'disabled');
    assert.equal((await effective(root, BOB)).get('awsvpcTrunking')?.value, 'enabled');

    // Without effectiveSettings only what the principal set is listed.
    const set = await alice.send(new ListAccountSettingsCommand({}));
    assert.deepEqual(set.settings, [{ name: 'awsvpcTrunking', value: 'disabled', principalArn: ALICE, type: 'user' }]);
    const deleted = await alice.send(new DeleteAccountSettingCommand({ name: 'awsvpcTrunking' }));
    assert.equal(deleted.setting?.value, 'disabled');
    assert.equal((await effective(alice)).get('awsvpcTrunking')?.value, 'enabled');
    assert.deepEqual((await alice.send(new ListAccountSettingsCommand({}))).settings, []);
    await root.send(new DeleteAccountSettingCommand({ name: 'awsvpcTrunking', principalArn: ROOT }));
    assert.equal((await effective(alice)).get('awsvpcTrunking')?.value, 'disabled');
  });

  it("refuses what ECS refuses, naming the field, and changes nothing", async () => {
    await refused(root.send(new PutAccountSettingDefaultCommand({ name: 'serviceLongArnFormat', value: 'disabled' })),
      'InvalidParameterException', 'You can no longer disable Long Arn settings.');
    await refused(root.send(new PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'on' })),
      'InvalidParameterException', /^value: on is not valid for containerInsights/);
    await refused(alice.send(new PutAccountSettingCommand({ name: 'fargateTaskRetirementWaitPeriod', value: '14' })),
      'InvalidParameterException', /^principalArn: fargateTaskRetirementWaitPeriod can only be set for the root user/);
    await refused(root.send(new PutAccountSettingDefaultCommand({ name: 'fargateTaskRetirementWaitPeriod', value: '3' })),
      'InvalidParameterException', /^value: 3 is not valid/);
    await refused(root.send(new PutAccountSettingDefaultCommand({ name: 'guardDutyActivate', value: 'on' })), 'InvalidParameterException', /read-only/);
    await refused(alice.send(new PutAccountSettingCommand({ name: 'awsvpcTrunking', value: 'enabled', principalArn: BOB })),
      'InvalidParameterException', /^principalArn: only the root user/);
    await refused(root.send(new PutAccountSettingCommand({ name: 'awsvpcTrunking', value: 'enabled', principalArn: 'arn:aws:iam::999999999999:user/x' })),
      'InvalidParameterException', /^principalArn: .* is not a principal of account/);
    await refused(root.send(new ListAccountSettingsCommand({ maxResults: 11 })), 'InvalidParameterException', /^maxResults/);
    assert.deepEqual((await root.send(new ListAccountSettingsCommand({ principalArn: BOB }))).settings, []);
    assert.deepEqual((await root.send(new ListAccountSettingsCommand({}))).settings, []);

    const wait = await root.send(new PutAccountSettingDefaultCommand({ name: 'fargateTaskRetirementWaitPeriod', value: '14' }));
    assert.equal(wait.setting?.value, '14');
    await root.send(new DeleteAccountSettingCommand({ name: 'fargateTaskRetirementWaitPeriod', principalArn: ROOT }));
  });

  it('pages effective settings and filters them by name and value', async () => {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await root.send(new ListAccountSettingsCommand({ effectiveSettings: true, maxResults: 4, nextToken }));
      assert.ok(page.settings!.length <= 4);
      names.push(...page.settings!.map((s) => s.name!));
      nextToken = page.nextToken;
    } while (nextToken);
    assert.equal(new Set(names).size, 11);
    const enabled = await root.send(new ListAccountSettingsCommand({ effectiveSettings: true, value: 'enabled' }));
    assert.deepEqual(enabled.settings!.map((s) => s.name), ['containerInstanceLongArnFormat', 'serviceLongArnFormat', 'taskLongArnFormat']);
    const one = await root.send(new ListAccountSettingsCommand({ effectiveSettings: true, name: 'defaultLogDriverMode' }));
    assert.deepEqual(one.settings, [{ name: 'defaultLogDriverMode', value: 'blocking', principalArn: ROOT, type: 'user' }]);
  });

  it("gives new clusters the caller's containerInsights setting", async () => {
    await root.send(new PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'enhanced' }));
    await alice.send(new PutAccountSettingCommand({ name: 'containerInsights', value: 'disabled' }));
    const insights = async (client: ECSClient, clusterName: string, settings?: { name: 'containerInsights'; value: string }[]) => {
      await client.send(new CreateClusterCommand({ clusterName, settings }));
      const { clusters } = await root.send(new DescribeClustersCommand({ clusters: [clusterName], include: ['SETTINGS'] }));
      return clusters![0].settings;
    };
    assert.deepEqual(await insights(root, 'by-root'), [{ name: 'containerInsights', value: 'enhanced' }]);
    assert.deepEqual(await insights(alice, 'by-alice'), [{ name: 'containerInsights', value: 'disabled' }]);
    assert.deepEqual(await insights(root, 'explicit', [{ name: 'containerInsights', value: 'enabled' }]), [{ name: 'containerInsights', value: 'enabled' }]);
    await root.send(new DeleteAccountSettingCommand({ name: 'containerInsights', principalArn: ROOT }));
    await alice.send(new DeleteAccountSettingCommand({ name: 'containerInsights' }));
  });

  it('gives container instances registered with awsvpcTrunking enabled five times the task ENIs', async () => {
    await root.send(new CreateClusterCommand({ clusterName: 'trunks' }));
    // ECS shows no ENI resource on an instance: what placement counts is read from the store.
    const enis = async (arn: string) => {
      const { containerInstances } = await root.send(new DescribeContainerInstancesCommand({ cluster: 'trunks', containerInstances: [arn] }));
      assert.equal(containerInstances!.length, 1);
      const id = arn.slice(arn.lastIndexOf('/') + 1);
      const stored = await plane.store.get(`ecs/instances/${ACCOUNT}/${region}/trunks/${id}`);
      return (JSON.parse(stored!.value) as { registeredResources: { enis?: number } }).registeredResources.enis;
    };
    const plain = await connectFakeAgent(plane.url, { cluster: 'trunks', eniLimit: 2 });
    assert.equal(await enis(plain.containerInstanceArns[0]), 2);
    await root.send(new PutAccountSettingDefaultCommand({ name: 'awsvpcTrunking', value: 'enabled' }));
    const trunked = await connectFakeAgent(plane.url, { cluster: 'trunks', eniLimit: 2 });
    assert.equal(await enis(trunked.containerInstanceArns[0]), 10);
    // An instance registered before keeps its limit (ECS: only newly launched instances get trunks).
    await plain.close();
    const again = await connectFakeAgent(plane.url, { cluster: 'trunks', eniLimit: 2, agentId: plain.agentId, agentSecret: plain.agentSecret });
    assert.equal(again.containerInstanceArns[0], plain.containerInstanceArns[0]);
    assert.equal(await enis(plain.containerInstanceArns[0]), 2);
    await again.close();
    await trunked.close();
    await root.send(new DeleteAccountSettingCommand({ name: 'awsvpcTrunking', principalArn: ROOT }));
  });

  it('works through the AWS CLI', async () => {
    const put = await cli('put-account-setting-default', '--name', 'fargateEventWindows', '--value', 'enabled');
    assert.equal(put.setting.name, 'fargateEventWindows');
    assert.equal(put.setting.value, 'enabled');
    assert.equal(put.setting.principalArn, ROOT);
    const listed = await cli('list-account-settings', '--effective-settings', '--name', 'fargateEventWindows');
    assert.equal(listed.settings[0].value, 'enabled');
    await cli('delete-account-setting', '--name', 'fargateEventWindows', '--principal-arn', ROOT);
  });
});
