/**
 * ECS with EventBridge, CloudWatch Logs and CloudWatch on a real `wharf dev` with real containers,
 * through @aws-sdk/client-ecs, client-eventbridge, client-cloudwatch-logs, client-cloudwatch and
 * client-iam: an "ECS Task State Change" of a task whose essential container exited reaches a log
 * group through a rule, shaped as ECS sends it; the seed's S3-upload → RunTask pattern (PutEvents
 * of an "Object Created" event, a rule with an ECS target and an input transformer) runs a task
 * with the object's key; an alarm's state change reaches a log group as CloudWatch's event; a
 * CPU-burning service's `AWS/ECS` CPUUtilization shows in GetMetricData.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchClient, GetMetricDataCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand,
  RunTaskCommand, UpdateServiceCommand, waitUntilTasksStopped, type ECSClient,
} from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { until } from './support/crash-services.ts';
import { TEST_IMAGE, docker, removeClusterContainers } from './support/docker.ts';
import { credentials, ecsClient, region, startDev, tempDir, type WharfProcess } from './support/wharf.ts';

const run = Date.now().toString(36);
let wharf: WharfProcess;
let ecs: ECSClient;
let events: EventBridgeClient;
let logs: CloudWatchLogsClient;
let cluster: string;
let clusterArn = '';

before(async () => {
  wharf = await startDev(tempDir(), ['--telemetry-interval', '2']);
  ecs = ecsClient(wharf.url);
  const options = { endpoint: wharf.url, region, credentials };
  events = new EventBridgeClient(options);
  logs = new CloudWatchLogsClient(options);
  const created = await ecs.send(new CreateClusterCommand({ clusterName: `events-${run}` }));
  cluster = created.cluster!.clusterName!;
  clusterArn = created.cluster!.clusterArn!;
});

after(async () => {
  if (clusterArn) removeClusterContainers(clusterArn);
  await wharf?.stop();
});

describe('ECS, EventBridge and CloudWatch', () => {
  it('an ECS Task State Change (STOPPED, EssentialContainerExited) reaches a log group through a rule', { timeout: 120_000 }, async () => {
    const group = `/events/stopped-${run}`;
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await events.send(new PutRuleCommand({
      Name: `stopped-${run}`,
      EventPattern: JSON.stringify({ source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: { lastStatus: ['STOPPED'], stopCode: ['EssentialContainerExited'] } }),
    }));
    await events.send(new PutTargetsCommand({ Rule: `stopped-${run}`, Targets: [{ Id: 'log', Arn: `arn:aws:logs:${region}:${clusterArn.split(':')[4]}:log-group:${group}` }] }));
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: `exits-${run}`, containerDefinitions: [{ name: 'app', image: TEST_IMAGE, memory: 32, essential: true, command: ['sh', '-c', 'exit 3'] }],
    }));
    const arn = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `exits-${run}` }))).tasks![0].taskArn!;
    await waitUntilTasksStopped({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { cluster, tasks: [arn] });
    const event = await until('the event in the log group', async () => {
      const found = (await logs.send(new FilterLogEventsCommand({ logGroupName: group }))).events ?? [];
      return found.length ? JSON.parse(found[0]!.message!) : undefined;
    }, { attempts: 150, intervalMs: 200 });
    assert.equal(event.source, 'aws.ecs');
    assert.equal(event['detail-type'], 'ECS Task State Change');
    assert.deepEqual(event.resources, [arn]);
    assert.equal(event.region, region);
    assert.equal(event.detail.taskArn, arn);
    assert.equal(event.detail.clusterArn, clusterArn);
    assert.equal(event.detail.lastStatus, 'STOPPED');
    assert.equal(event.detail.stopCode, 'EssentialContainerExited');
    assert.equal(event.detail.containers[0].exitCode, 3);
    assert.match(event.detail.stoppedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'timestamps as ISO strings');
    assert.ok(event.detail.updatedAt);
  });

  it('an "Object Created" event runs a task through a rule’s ECS target, with the object’s key from an input transformer', { timeout: 120_000 }, async () => {
    const iam = new IAMClient({ endpoint: wharf.url, region, credentials });
    const roleArn = (await iam.send(new CreateRoleCommand({
      RoleName: `events-runner-${run}`,
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    }))).Role!.Arn!;
    const td = (await ecs.send(new RegisterTaskDefinitionCommand({
      family: `processor-${run}`, containerDefinitions: [{ name: 'app', image: TEST_IMAGE, memory: 32, essential: true, command: ['sh', '-c', 'echo processing $OBJECT_KEY'] }],
    }))).taskDefinition!.taskDefinitionArn!;
    await events.send(new PutRuleCommand({ Name: `uploads-${run}`, EventPattern: JSON.stringify({ source: ['aws.s3'], 'detail-type': ['Object Created'] }) }));
    await events.send(new PutTargetsCommand({
      Rule: `uploads-${run}`,
      Targets: [{
        Id: 'process', Arn: clusterArn, RoleArn: roleArn, EcsParameters: { TaskDefinitionArn: td, TaskCount: 1, LaunchType: 'EC2' },
        InputTransformer: {
          InputPathsMap: { key: '$.detail.object.key' },
          InputTemplate: '{"containerOverrides": [{"name": "app", "environment": [{"name": "OBJECT_KEY", "value": <key>}]}]}',
        },
      }],
    }));
    const put = await events.send(new PutEventsCommand({
      Entries: [{ Source: 'aws.s3', DetailType: 'Object Created', Detail: JSON.stringify({ bucket: { name: 'uploads' }, object: { key: `incoming/${run}.csv` } }) }],
    }));
    assert.equal(put.FailedEntryCount, 0);
    const arn = await until('the task the rule ran', async () => {
      const { taskArns } = await ecs.send(new ListTasksCommand({ cluster, family: `processor-${run}`, desiredStatus: 'STOPPED' }));
      return taskArns?.[0];
    }, { attempts: 150, intervalMs: 200 });
    const task = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
    assert.equal(task.startedBy, 'events-rule');
    assert.equal(docker('logs', task.containers![0].runtimeId!), `processing incoming/${run}.csv`);
  });

  it('an alarm’s state change reaches a log group as a "CloudWatch Alarm State Change" event', { timeout: 60_000 }, async () => {
    const group = `/events/alarms-${run}`;
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await events.send(new PutRuleCommand({ Name: `alarms-${run}`, EventPattern: JSON.stringify({ source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] }) }));
    await events.send(new PutTargetsCommand({ Rule: `alarms-${run}`, Targets: [{ Id: 'log', Arn: `arn:aws:logs:${region}:${clusterArn.split(':')[4]}:log-group:${group}` }] }));
    const cw = new CloudWatchClient({ endpoint: wharf.url, region, credentials });
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: `busy-${run}`, AlarmDescription: 'too busy', Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Statistic: 'Average', Period: 60,
      EvaluationPeriods: 1, Threshold: 70, ComparisonOperator: 'GreaterThanThreshold', Dimensions: [{ Name: 'ClusterName', Value: cluster }],
    }));
    await cw.send(new SetAlarmStateCommand({ AlarmName: `busy-${run}`, StateValue: 'ALARM', StateReason: 'testing the event' }));
    const event = await until('the alarm event in the log group', async () => {
      const found = (await logs.send(new FilterLogEventsCommand({ logGroupName: group }))).events ?? [];
      return found.map((e) => JSON.parse(e.message!)).find((e) => e.detail.state.value === 'ALARM');
    }, { attempts: 100, intervalMs: 200 });
    assert.equal(event.source, 'aws.cloudwatch');
    assert.equal(event['detail-type'], 'CloudWatch Alarm State Change');
    assert.deepEqual(event.resources, [`arn:aws:cloudwatch:${region}:${clusterArn.split(':')[4]}:alarm:busy-${run}`]);
    assert.equal(event.detail.alarmName, `busy-${run}`);
    assert.equal(event.detail.state.reason, 'testing the event');
    assert.equal(event.detail.previousState.value, 'INSUFFICIENT_DATA');
    assert.match(event.detail.state.timestamp, /^\d{4}-\d\d-\d\dT[\d:.]+\+0000$/);
    assert.equal(event.detail.configuration.description, 'too busy');
    assert.equal(event.detail.configuration.metrics[0].metricStat.metric.name, 'CPUUtilization');
  });

  it('a CPU-burning service’s AWS/ECS CPUUtilization shows in GetMetricData', { timeout: 120_000 }, async () => {
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: `burner-${run}`, cpu: '256', memory: '128',
      containerDefinitions: [{ name: 'app', image: TEST_IMAGE, essential: true, command: ['sh', '-c', 'while :; do :; done'] }],
    }));
    const service = `burner-${run}`;
    await ecs.send(new CreateServiceCommand({ cluster, serviceName: service, taskDefinition: `burner-${run}`, desiredCount: 1 }));
    const cw = new CloudWatchClient({ endpoint: wharf.url, region, credentials });
    try {
      const peak = await until('CPUUtilization above 50 %', async () => {
        const now = Date.now();
        const out = await cw.send(new GetMetricDataCommand({
          StartTime: new Date(now - 600_000), EndTime: new Date(now + 60_000),
          MetricDataQueries: [{
            Id: 'cpu',
            MetricStat: { Metric: { Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'ClusterName', Value: cluster }, { Name: 'ServiceName', Value: service }] }, Period: 60, Stat: 'Maximum' },
          }],
        }));
        const values = out.MetricDataResults?.[0]?.Values ?? [];
        return values.some((v) => v > 50) ? Math.max(...values) : undefined;
      }, { attempts: 60, intervalMs: 1000 });
      // One busy loop on a 256-unit reservation: a core is 1,024 units, so well above 100 % of the reservation.
      assert.ok(peak > 50, `peak ${peak}`);
    } finally {
      await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 0 }));
      await ecs.send(new DeleteServiceCommand({ cluster, service }));
    }
  });
});
