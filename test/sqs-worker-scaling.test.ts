/**
 * The SQS worker pattern end to end, through @aws-sdk/client-sqs, -application-auto-scaling,
 * -ecs, -iam, -sts and -cloudwatch against a control plane in this process: a worker service
 * whose task role may receive and delete on a queue, scaled by a target tracking policy on
 * backlog per task (metric math: the queue's ApproximateNumberOfMessagesVisible in AWS/SQS over
 * the service's RunningTaskCount in ECS/ContainerInsights). Each RUNNING task (as a fake agent
 * reports them) is a worker consuming at a bounded rate with its task role's session, which the
 * agent link gives as it gives a real agent's tasks. 1,000 messages scale the service out, the
 * workers drain the queue, and the low alarm scales it back in to 1. The alarm and scaling
 * controllers, and the two metric publishers, run on a virtual clock, one pass per minute.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  ApplicationAutoScalingClient, DescribeScalingActivitiesCommand, PutScalingPolicyCommand, RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { EcsInformers } from '../src/ecs/index.ts';
import { publishContainerInsights } from '../src/cli/container-insights-metrics.ts';
import { scalingServicesPort } from '../src/cli/scaling-services-port.ts';
import { SqsMetrics } from '../src/cli/sqs-metrics.ts';
import type { RoleCredentials, ServerMessage } from '../src/common/index.ts';
import { AlarmController, ScalingController } from '../src/controllers/index.ts';
import { VirtualTime } from '../src/controllers/virtual-time.testing.ts';
import { connectFakeAgent, type FakeAgent } from './support/fake-agent.ts';
import { answerTasks } from './support/fake-tasks.ts';
import { credentials, region } from './support/wharf.ts';
import { ACCOUNT, inProcessControlPlane, refused } from './support/in-process.ts';

// The test runs the alarm and scaling controllers itself, on a virtual clock.
// (The control plane's own once-a-minute publishing, on the real clock, is kept out of the virtual minutes.)
const controlPlane = inProcessControlPlane({ leaderLoops: { alarms: false, scaling: false }, sqsMetricsIntervalMs: 3_600_000 });
let plane: ControlPlane;
let informers: EcsInformers;
let aas: ApplicationAutoScalingClient;
let cw: CloudWatchClient;
let ecs: ECSClient;
let sqs: SQSClient;
let agent: FakeAgent;
let stopAnswering: () => void;
const MIN = 60_000;
const CLUSTER = 'jobs';
const SERVICE = 'worker';
const QUEUE = 'orders';
/** Each worker receives at most this many batches of 10 a minute: one alone needs 50 minutes for 1,000, five need 10. */
const BATCHES_PER_MINUTE = 2;

before(async () => {
  plane = await controlPlane();
  informers = new EcsInformers(plane.store);
  const c = { endpoint: plane.url, region, credentials, maxAttempts: 1 };
  aas = new ApplicationAutoScalingClient(c);
  cw = new CloudWatchClient(c);
  ecs = new ECSClient(c);
  sqs = new SQSClient(c);
  // Container Insights on: ECS publishes the service's RunningTaskCount.
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER, settings: [{ name: 'containerInsights', value: 'enabled' }] }));
  // A host that says it serves task roles, as an agent with the credentials endpoint does.
  agent = await connectFakeAgent(plane.url, { cluster: CLUSTER, cpu: 16384, memory: 65536, attributes: [{ name: 'com.amazonaws.ecs.capability.task-iam-role' }] });
  stopAnswering = answerTasks(agent);
});
after(async () => {
  stopAnswering?.();
  await agent?.close();
  for (const client of [aas, cw, ecs, sqs]) client?.destroy();
  informers?.close();
});

/** A session of the task's role, asked over the agent link as the agent asks for its containers. */
async function taskRoleSession(taskArn: string): Promise<RoleCredentials> {
  const requestId = randomUUID();
  agent.send({ type: 'credentialsRequest', requestId, taskArn, role: 'task' });
  for (let k = 0; k < 100; k++) {
    const answer = agent.received.find((m): m is Extract<ServerMessage, { type: 'credentials' }> => m.type === 'credentials' && m.requestId === requestId);
    if (answer?.error) assert.fail(`${answer.error.code}: ${answer.error.message}`);
    if (answer?.credentials) return answer.credentials;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`no credentials for ${taskArn}`);
}

/** The service's tasks the agent reported RUNNING, once the service's tasks have settled on its desiredCount. */
async function runningTasks(): Promise<string[]> {
  let arns: string[] = [];
  for (let k = 0; k < 200; k++) {
    const desired = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!.desiredCount!;
    const listed = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredStatus: 'RUNNING' }))).taskArns!;
    const tasks = listed.length ? (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: listed }))).tasks! : [];
    arns = tasks.filter((t) => t.lastStatus === 'RUNNING').map((t) => t.taskArn!);
    if (arns.length === desired && listed.length === desired) return arns;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const s = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!;
  assert.fail(`the service's tasks did not settle (${arns.length} running): ${JSON.stringify(s.events?.slice(0, 3))} ${JSON.stringify(agent.received.map((m) => m.type))}`);
}

describe('the SQS worker pattern: a queue\'s backlog per task scales a worker service', () => {
  it('1,000 messages scale the workers out to at most 5; they drain the queue, each message once; the service scales back in to 1', async () => {
    const iam = new IAMClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: QUEUE }));
    const queueArn = `arn:aws:sqs:${region}:${ACCOUNT}:${QUEUE}`;
    const { Role } = await iam.send(new CreateRoleCommand({
      RoleName: 'order-worker',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    }));
    await iam.send(new PutRolePolicyCommand({
      RoleName: 'order-worker', PolicyName: 'consume',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: queueArn }] }),
    }));
    iam.destroy();
    await ecs.send(new RegisterTaskDefinitionCommand({ family: SERVICE, taskRoleArn: Role!.Arn, containerDefinitions: [{ name: 'worker', image: 'worker', memory: 64 }] }));
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: SERVICE, taskDefinition: SERVICE, desiredCount: 1 }));

    const target = { ServiceNamespace: 'ecs' as const, ScalableDimension: 'ecs:service:DesiredCount' as const, ResourceId: `service/${CLUSTER}/${SERVICE}` };
    await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 5 }));
    const policy = await aas.send(new PutScalingPolicyCommand({
      ...target, PolicyName: 'backlog-per-task', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 100, ScaleOutCooldown: 60, ScaleInCooldown: 60,
        CustomizedMetricSpecification: { Metrics: [
          { Id: 'backlog', ReturnData: false, MetricStat: { Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: QUEUE }] }, Stat: 'Average' } },
          { Id: 'tasks', ReturnData: false, MetricStat: { Metric: { Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount',
            Dimensions: [{ Name: 'ClusterName', Value: CLUSTER }, { Name: 'ServiceName', Value: SERVICE }] }, Stat: 'Average' } },
          { Id: 'perTask', Expression: 'backlog / tasks', Label: 'backlog per task', ReturnData: true },
        ] },
      },
    }));
    const alarmNames = policy.Alarms!.map((a) => a.AlarmName!);
    const high = alarmNames.find((n) => n.includes('AlarmHigh'))!;
    const low = alarmNames.find((n) => n.includes('AlarmLow'))!;
    assert.ok(high && low);

    // The workers: one per RUNNING task, each with its task's role session (assumed-role/order-worker/<task id>).
    const workers = new Map<string, SQSClient>();
    const worker = async (taskArn: string) => {
      let client = workers.get(taskArn);
      if (!client) {
        const s = await taskRoleSession(taskArn);
        const taskCredentials = { accessKeyId: s.AccessKeyId, secretAccessKey: s.SecretAccessKey, sessionToken: s.Token };
        const sts = new STSClient({ endpoint: plane.url, region, credentials: taskCredentials, maxAttempts: 1 });
        const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
        sts.destroy();
        assert.equal(Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/order-worker/${taskArn.slice(taskArn.lastIndexOf('/') + 1)}`);
        client = new SQSClient({ endpoint: plane.url, region, credentials: taskCredentials, maxAttempts: 1 });
        if (workers.size === 0) {
          // The role may consume, not produce.
          await refused(client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })), 'AccessDeniedException', /sqs:SendMessage/);
        }
        workers.set(taskArn, client);
      }
      return client;
    };

    // 1,000 messages, each with its id.
    for (let b = 0; b < 100; b++) {
      const sent = await sqs.send(new SendMessageBatchCommand({
        QueueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: JSON.stringify({ order: b * 10 + i }) })),
      }));
      assert.equal(sent.Successful!.length, 10);
    }
    const processed = new Map<number, number>();

    // Virtual time starts after every message was sent (the publishers count the queue on that clock).
    const time = new VirtualTime(Math.ceil(Date.now() / MIN) * MIN + MIN);
    const env = { store: plane.store, clock: time, ids: { hex32: () => randomUUID().replace(/-/g, ''), uuid: randomUUID } };
    const alarms = new AlarmController({ ...env, timers: time });
    const scaling = new ScalingController({ ...env, timers: time, services: scalingServicesPort({ store: plane.store, clock: time }) });
    const sqsMetrics = new SqsMetrics(plane.store, time);
    let maxDesired = 1;
    let maxWorkers = 0;
    let drainedAt = -1;
    let desired = 1;
    try {
      for (let minute = 0; minute < 60; minute++) {
        // Each RUNNING task works its minute's share.
        const tasks = await runningTasks();
        maxWorkers = Math.max(maxWorkers, tasks.length);
        for (const taskArn of tasks) {
          const client = await worker(taskArn);
          for (let k = 0; k < BATCHES_PER_MINUTE; k++) {
            const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
            if (!Messages.length) break;
            for (const m of Messages) {
              const { order } = JSON.parse(m.Body!) as { order: number };
              processed.set(order, (processed.get(order) ?? 0) + 1);
            }
            const deleted = await client.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }));
            assert.equal(deleted.Successful!.length, Messages.length);
          }
        }
        if (drainedAt < 0 && processed.size === 1000) drainedAt = minute;
        // The minute's metrics, as the leader publishes them; then the alarms and the policy act.
        await sqsMetrics.publish(true);
        await publishContainerInsights(plane.store, time, informers);
        await time.advance(MIN);
        await alarms.runOnce();
        await scaling.runOnce();
        desired = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!.desiredCount!;
        maxDesired = Math.max(maxDesired, desired);
        if (drainedAt >= 0 && desired === 1) break;
      }
    } finally {
      await alarms.close();
      await scaling.close();
      for (const client of workers.values()) client.destroy();
    }

    assert.ok(maxDesired > 1, 'the backlog scaled the service out');
    assert.ok(maxDesired <= 5 && maxWorkers <= 5, `never above the maximum (desired ${maxDesired}, workers ${maxWorkers})`);
    assert.ok(workers.size > 1, 'more than one task consumed');
    assert.ok(drainedAt >= 0, `the queue was drained (${processed.size} of 1000 processed)`);
    assert.equal(processed.size, 1000, 'no message lost');
    assert.deepEqual([...processed.values()].filter((n) => n !== 1), [], 'each message processed exactly once');
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    assert.deepEqual([Attributes!.ApproximateNumberOfMessages, Attributes!.ApproximateNumberOfMessagesNotVisible], ['0', '0']);
    assert.equal(desired, 1, 'scaled back in to the minimum');
    assert.equal((await runningTasks()).length, 1);

    const activities = (await aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: target.ResourceId }))).ScalingActivities!;
    const out = activities.filter((a) => a.Cause === `monitor alarm ${high} in state ALARM triggered policy backlog-per-task`);
    const back = activities.filter((a) => a.Cause === `monitor alarm ${low} in state ALARM triggered policy backlog-per-task`);
    assert.ok(out.length >= 1 && out.every((a) => a.StatusCode === 'Successful'), 'the high alarm scaled it out');
    assert.ok(back.some((a) => a.Description === 'Setting desired count to 1.'), 'the low alarm scaled it in to 1');
    assert.ok(activities.every((a) => Number(/desired count to (\d+)/.exec(a.Description ?? '')?.[1] ?? 0) <= 5));
    const [lowAlarm] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [low] }))).MetricAlarms!;
    assert.deepEqual(lowAlarm!.Metrics!.map((q) => q.Id), ['backlog', 'tasks', 'perTask']);
  });
});
