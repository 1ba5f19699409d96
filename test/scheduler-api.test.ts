/**
 * EventBridge Scheduler end to end on a real `wharf dev`, through @aws-sdk/client-scheduler and
 * the AWS CLI v2: schedule groups and schedules (create, get, a full-replace update, list with
 * filters and paging, delete; a group's deletion taking its schedules), tags on groups,
 * validation errors naming the field, and one real schedule: an `at()` a few seconds ahead in
 * Europe/Paris time with an ECS target runs a busybox task with the schedule's Input as its
 * overrides, as a role that trusts scheduler.amazonaws.com, and is deleted after it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateClusterCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateScheduleCommand, CreateScheduleGroupCommand, DeleteScheduleCommand, DeleteScheduleGroupCommand, GetScheduleCommand, GetScheduleGroupCommand,
  ListScheduleGroupsCommand, ListSchedulesCommand, ListTagsForResourceCommand, SchedulerClient, TagResourceCommand, UntagResourceCommand,
  UpdateScheduleCommand, type Target,
} from '@aws-sdk/client-scheduler';
import { toLocal } from '../src/events/index.ts';
import { until } from './support/crash-services.ts';
import { TEST_IMAGE, docker, removeClusterContainers } from './support/docker.ts';
import { awsCli, refused } from './support/in-process.ts';
import { credentials, ecsClient, region, startDev, tempDir, type WharfProcess } from './support/wharf.ts';

const run = Date.now().toString(36);
let wharf: WharfProcess;
let scheduler: SchedulerClient;
let ecs: ECSClient;
let account = '';
let clusterArn = '';
let roleArn = '';
let taskDefinitionArn = '';

before(async () => {
  wharf = await startDev(tempDir());
  scheduler = new SchedulerClient({ endpoint: wharf.url, region, credentials, maxAttempts: 1 });
  ecs = ecsClient(wharf.url);
  clusterArn = (await ecs.send(new CreateClusterCommand({ clusterName: `scheduled-${run}` }))).cluster!.clusterArn!;
  account = clusterArn.split(':')[4]!;
  const iam = new IAMClient({ endpoint: wharf.url, region, credentials });
  roleArn = (await iam.send(new CreateRoleCommand({
    RoleName: `scheduler-runner-${run}`,
    AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
  }))).Role!.Arn!;
  taskDefinitionArn = (await ecs.send(new RegisterTaskDefinitionCommand({
    family: `report-${run}`, containerDefinitions: [{ name: 'app', image: TEST_IMAGE, memory: 32, essential: true, command: ['sh', '-c', 'echo report for $PERIOD'] }],
  }))).taskDefinition!.taskDefinitionArn!;
});

after(async () => {
  scheduler?.destroy();
  if (clusterArn) removeClusterContainers(clusterArn);
  await wharf?.stop();
});

const { cli, cliFails } = awsCli(() => wharf.url, 'scheduler');
const arn = (resource: string) => `arn:aws:scheduler:${region}:${account}:${resource}`;
const target = (more: Partial<Target> = {}): Target => ({
  Arn: clusterArn, RoleArn: roleArn, EcsParameters: { TaskDefinitionArn: taskDefinitionArn, TaskCount: 1, LaunchType: 'EC2' }, ...more,
});

describe('EventBridge Scheduler through the SDK and the AWS CLI', () => {
  it('groups: default always there; create, get, list with a prefix and paging, tags, delete taking its schedules', async () => {
    const group = `nightly-${run}`;
    const created = await scheduler.send(new CreateScheduleGroupCommand({ Name: group, Tags: [{ Key: 'team', Value: 'reports' }] }));
    assert.equal(created.ScheduleGroupArn, arn(`schedule-group/${group}`));
    await refused(scheduler.send(new CreateScheduleGroupCommand({ Name: group })), 'ConflictException', `Schedule group ${group} already exists.`, 409);
    assert.equal((await scheduler.send(new GetScheduleGroupCommand({ Name: 'default' }))).State, 'ACTIVE');
    await scheduler.send(new CreateScheduleGroupCommand({ Name: `nightly-${run}-b` }));
    const first = await scheduler.send(new ListScheduleGroupsCommand({ NamePrefix: `nightly-${run}`, MaxResults: 1 }));
    const second = await scheduler.send(new ListScheduleGroupsCommand({ NamePrefix: `nightly-${run}`, MaxResults: 1, NextToken: first.NextToken }));
    assert.deepEqual([...first.ScheduleGroups!, ...second.ScheduleGroups!].map((g) => g.Name), [group, `nightly-${run}-b`]);
    assert.equal(second.NextToken, undefined);
    assert.ok((await scheduler.send(new ListScheduleGroupsCommand({}))).ScheduleGroups!.some((g) => g.Name === 'default'));

    const groupArn = arn(`schedule-group/${group}`);
    await scheduler.send(new TagResourceCommand({ ResourceArn: groupArn, Tags: [{ Key: 'env', Value: 'dev' }] }));
    await scheduler.send(new UntagResourceCommand({ ResourceArn: groupArn, TagKeys: ['team'] }));
    assert.deepEqual((await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: groupArn }))).Tags, [{ Key: 'env', Value: 'dev' }]);
    assert.deepEqual((await cli('list-tags-for-resource', '--resource-arn', groupArn)).Tags, [{ Key: 'env', Value: 'dev' }]);
    await refused(scheduler.send(new ListTagsForResourceCommand({ ResourceArn: arn(`schedule-group/missing-${run}`) })), 'ResourceNotFoundException',
      `Schedule group missing-${run} does not exist.`, 404);

    await scheduler.send(new CreateScheduleCommand({ Name: 'in-group', GroupName: group, ScheduleExpression: 'rate(1 day)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: target() }));
    await scheduler.send(new DeleteScheduleGroupCommand({ Name: group }));
    await refused(scheduler.send(new GetScheduleCommand({ Name: 'in-group', GroupName: group })), 'ResourceNotFoundException', undefined, 404);
    await refused(scheduler.send(new DeleteScheduleGroupCommand({ Name: 'default' })), 'ValidationException');
  });

  it('schedules: create, get, a full-replace update, list by group, prefix and state with paging, delete', async () => {
    const group = `crud-${run}`;
    await scheduler.send(new CreateScheduleGroupCommand({ Name: group }));
    const created = await scheduler.send(new CreateScheduleCommand({
      Name: 'weekday-report', GroupName: group, ScheduleExpression: 'cron(0 9 ? * MON-FRI *)', ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 }, Description: 'mornings',
      Target: target({ Input: '{"containerOverrides":[{"name":"app","environment":[{"name":"PERIOD","value":"day"}]}]}', RetryPolicy: { MaximumRetryAttempts: 3 } }),
    }));
    assert.equal(created.ScheduleArn, arn(`schedule/${group}/weekday-report`));
    await refused(scheduler.send(new CreateScheduleCommand({
      Name: 'weekday-report', GroupName: group, ScheduleExpression: 'rate(1 day)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: target(),
    })), 'ConflictException', 'Schedule weekday-report already exists.', 409);
    const got = await scheduler.send(new GetScheduleCommand({ Name: 'weekday-report', GroupName: group }));
    assert.equal(got.ScheduleExpressionTimezone, 'Europe/Paris');
    assert.deepEqual(got.FlexibleTimeWindow, { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 });
    assert.equal(got.State, 'ENABLED');
    assert.equal(got.ActionAfterCompletion, 'NONE');
    assert.equal(got.Target!.EcsParameters!.TaskDefinitionArn, taskDefinitionArn);
    assert.equal(got.Target!.RetryPolicy!.MaximumRetryAttempts, 3);
    assert.ok(got.CreationDate instanceof Date);

    await scheduler.send(new UpdateScheduleCommand({
      Name: 'weekday-report', GroupName: group, ScheduleExpression: 'rate(12 hours)', FlexibleTimeWindow: { Mode: 'OFF' }, State: 'DISABLED', Target: target(),
    }));
    const updated = await scheduler.send(new GetScheduleCommand({ Name: 'weekday-report', GroupName: group }));
    assert.equal(updated.ScheduleExpression, 'rate(12 hours)');
    assert.equal(updated.ScheduleExpressionTimezone, undefined, 'a full replace: what was left out is gone');
    assert.equal(updated.Description, undefined);
    assert.equal(updated.Target!.Input, undefined);
    await refused(scheduler.send(new UpdateScheduleCommand({
      Name: 'nothing', GroupName: group, ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: target(),
    })), 'ResourceNotFoundException', 'Schedule nothing does not exist.', 404);

    for (const name of ['daily-a', 'daily-b', 'daily-c']) {
      await cli('create-schedule', '--name', name, '--group-name', group, '--schedule-expression', 'rate(1 day)', '--flexible-time-window', 'Mode=OFF',
        '--target', JSON.stringify(target()));
    }
    const names: string[] = [];
    let token: string | undefined;
    do {
      const listed = await scheduler.send(new ListSchedulesCommand({ GroupName: group, NamePrefix: 'daily-', MaxResults: 2, NextToken: token }));
      names.push(...listed.Schedules!.map((s) => s.Name!));
      assert.ok(listed.Schedules!.every((s) => s.GroupName === group && s.Target!.Arn === clusterArn));
      token = listed.NextToken;
    } while (token);
    assert.deepEqual(names, ['daily-a', 'daily-b', 'daily-c']);
    assert.deepEqual((await scheduler.send(new ListSchedulesCommand({ GroupName: group, State: 'DISABLED' }))).Schedules!.map((s) => s.Name), ['weekday-report']);
    const viaCli = await cli('list-schedules', '--group-name', group);
    assert.equal(viaCli.Schedules.length, 4);
    assert.equal((await cli('get-schedule', '--name', 'daily-b', '--group-name', group)).ScheduleExpression, 'rate(1 day)');

    await scheduler.send(new DeleteScheduleCommand({ Name: 'daily-a', GroupName: group }));
    await refused(scheduler.send(new GetScheduleCommand({ Name: 'daily-a', GroupName: group })), 'ResourceNotFoundException', 'Schedule daily-a does not exist.', 404);
    await refused(scheduler.send(new DeleteScheduleCommand({ Name: 'daily-a', GroupName: group })), 'ResourceNotFoundException', 'Schedule daily-a does not exist.', 404);
    await refused(scheduler.send(new ListSchedulesCommand({ GroupName: `nope-${run}` })), 'ResourceNotFoundException', `Schedule group nope-${run} does not exist.`, 404);
  });

  it('validation errors name the field, from the SDK and the AWS CLI', async () => {
    const base = { Name: `v-${run}`, ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'OFF' as const }, Target: target() };
    await refused(scheduler.send(new CreateScheduleCommand({ ...base, Name: 'bad name!' })), 'ValidationException', /'name'.*regular expression/);
    await refused(scheduler.send(new CreateScheduleCommand({ ...base, ScheduleExpression: 'every(5 minutes)' })), 'ValidationException', /ScheduleExpression/);
    await refused(scheduler.send(new CreateScheduleCommand({ ...base, ScheduleExpressionTimezone: 'Mars/Olympus' })), 'ValidationException', /ScheduleExpressionTimezone/);
    await refused(scheduler.send(new CreateScheduleCommand({ ...base, FlexibleTimeWindow: { Mode: 'FLEXIBLE' } })), 'ValidationException', /MaximumWindowInMinutes/);
    await refused(scheduler.send(new CreateScheduleCommand({ ...base, FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 2000 } })), 'ValidationException',
      /maximumWindowInMinutes/i);
    await refused(scheduler.send(new CreateScheduleCommand({ ...base, StartDate: new Date(Date.now() + 7_200_000), EndDate: new Date(Date.now() + 3_600_000) })),
      'ValidationException', /StartDate/);
    await refused(scheduler.send(new CreateScheduleCommand({ ...base, Target: { Arn: clusterArn, RoleArn: roleArn } })), 'ValidationException', /EcsParameters/);
    await refused(scheduler.send(new CreateScheduleCommand({ ...base, GroupName: `absent-${run}` })), 'ResourceNotFoundException', `Schedule group absent-${run} does not exist.`, 404);
    const stderr = await cliFails('create-schedule', '--name', `cli-${run}`, '--schedule-expression', 'rate(1 minutes)', '--flexible-time-window', 'Mode=OFF',
      '--target', JSON.stringify(target()));
    assert.match(stderr, /ValidationException/);
    assert.match(stderr, /ScheduleExpression/);
  });

  it('an at() schedule a few seconds ahead, in Paris time, runs a real task with its Input as overrides, then is deleted', { timeout: 120_000 }, async () => {
    const at = Math.ceil((Date.now() + 5_000) / 1000) * 1000;
    const local = new Date(toLocal(at, 'Europe/Paris')).toISOString().slice(0, 19);
    const name = `once-${run}`;
    await scheduler.send(new CreateScheduleCommand({
      Name: name, ScheduleExpression: `at(${local})`, ScheduleExpressionTimezone: 'Europe/Paris', FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: target({ Input: JSON.stringify({ containerOverrides: [{ name: 'app', environment: [{ name: 'PERIOD', value: `run-${run}` }] }] }) }),
    }));
    const taskArn = await until('the task the schedule ran', async () => {
      const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: clusterArn, family: `report-${run}`, desiredStatus: 'STOPPED' }));
      return taskArns?.[0];
    }, { attempts: 300, intervalMs: 200 });
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: clusterArn, tasks: [taskArn] }))).tasks![0]!;
    assert.ok(task.createdAt!.getTime() >= at, 'not before its time');
    assert.equal(task.startedBy, 'scheduler-schedule');
    assert.equal(task.containers![0]!.exitCode, 0);
    assert.equal(docker('logs', task.containers![0]!.runtimeId!), `report for run-${run}`);
    await refused(scheduler.send(new GetScheduleCommand({ Name: name })), 'ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
  });
});
