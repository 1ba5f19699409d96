/**
 * The sidecar pattern for logs, end to end on a real `wharf dev` with real containers: a task of
 * two containers sharing a task-scoped volume — the app (busybox) writes lines to a file on it,
 * the sidecar (Debian's AWS CLI) reads the file and calls PutLogEvents with the task role's
 * credentials, which it finds by itself through the credentials endpoint
 * (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) and sends to Wharf (AWS_ENDPOINT_URL, which this
 * CLI takes as `--endpoint-url`), both set by Wharf. The lines arrive in the log group (GetLogEvents); a task role without
 * logs:PutLogEvents is refused with AccessDeniedException and nothing is written.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, waitUntilTasksStopped, type ECSClient, type Task,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { TEST_IMAGE, docker, removeClusterContainers } from './support/docker.ts';
import { credentials, ecsClient, region, startDev, type WharfProcess } from './support/wharf.ts';

const CLI_IMAGE = 'wharf-test/awscli:latest';
const run = Date.now().toString(36);
const GROUP = `/sidecar/${run}`;
let wharf: WharfProcess;
let ecs: ECSClient;
let logs: CloudWatchLogsClient;
let cluster = '';
let clusterArn = '';
const roles = { shipper: '', mute: '' };

before(async () => {
  wharf = await startDev();
  ecs = ecsClient(wharf.url);
  const options = { endpoint: wharf.url, region, credentials };
  logs = new CloudWatchLogsClient(options);
  const iam = new IAMClient(options);
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  const role = async (name: string, actions: string[]) => {
    const arn = (await iam.send(new CreateRoleCommand({ RoleName: `${name}-${run}`, AssumeRolePolicyDocument: trust }))).Role!.Arn!;
    const account = arn.split(':')[4]!;
    await iam.send(new PutRolePolicyCommand({
      RoleName: `${name}-${run}`, PolicyName: 'logs',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: `arn:aws:logs:${region}:${account}:log-group:${GROUP}:*` }] }),
    }));
    return arn;
  };
  roles.shipper = await role('shipper', ['logs:PutLogEvents']);
  roles.mute = await role('mute', ['logs:DescribeLogStreams', 'logs:GetLogEvents']);
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  for (const stream of ['shipped', 'refused']) await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
  const created = await ecs.send(new CreateClusterCommand({ clusterName: `sidecar-${run}` }));
  cluster = created.cluster!.clusterName!;
  clusterArn = created.cluster!.clusterArn!;
});

after(async () => {
  logs?.destroy();
  if (clusterArn) removeClusterContainers(clusterArn);
  await wharf?.stop();
});

const LINES = ['GET /index.html 200', 'GET /missing 404', 'POST /orders 201'];

/**
 * The app writes its lines to the shared volume a little at a time, then a marker; the sidecar
 * waits for the marker, turns the file into PutLogEvents' events and ships them to its stream.
 */
const APP = `${LINES.map((l) => `echo "${l}" >> /var/log/app/access.log; sleep 0.2`).join('; ')}; touch /var/log/app/done`;
const SIDECAR = `
  i=0; while [ ! -e /var/log/app/done ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
  now=$(date +%s)000; sep=''; printf '[' > /tmp/events.json
  while IFS= read -r line; do printf '%s{"timestamp": %s, "message": "%s"}' "$sep" "$now" "$line" >> /tmp/events.json; sep=','; done < /var/log/app/access.log
  printf ']' >> /tmp/events.json
  aws --endpoint-url "$AWS_ENDPOINT_URL" logs put-log-events --log-group-name "$GROUP" --log-stream-name "$STREAM" --log-events file:///tmp/events.json > /tmp/out 2>&1; code=$?
  cat /tmp/out; echo "EXIT=$code"`;

async function runSidecarTask(family: string, taskRoleArn: string, stream: string): Promise<{ task: Task; sidecar: string }> {
  const shared = [{ sourceVolume: 'app-logs', containerPath: '/var/log/app' }];
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: `${family}-${run}`, taskRoleArn,
    volumes: [{ name: 'app-logs', host: {} }],
    containerDefinitions: [
      { name: 'app', image: TEST_IMAGE, memory: 64, essential: false, command: ['sh', '-c', APP], mountPoints: shared },
      {
        name: 'log-shipper', image: CLI_IMAGE, memory: 256, essential: true, command: ['sh', '-c', SIDECAR], mountPoints: [{ ...shared[0]!, readOnly: true }],
        environment: [{ name: 'GROUP', value: GROUP }, { name: 'STREAM', value: stream }],
      },
    ],
  }));
  const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `${family}-${run}` }));
  assert.deepEqual(failures, []);
  const arn = tasks![0]!.taskArn!;
  await waitUntilTasksStopped({ client: ecs, maxWaitTime: 180, minDelay: 1, maxDelay: 1 }, { cluster, tasks: [arn] });
  const task = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!;
  const id = task.containers!.find((c) => c.name === 'log-shipper')!.runtimeId!;
  return { task, sidecar: docker('logs', id) };
}

async function messages(stream: string): Promise<string[]> {
  const page = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, startFromHead: true }));
  return (page.events ?? []).map((e) => e.message ?? '');
}

describe('a log-shipping sidecar on a shared volume', () => {
  it("ships the app's lines with PutLogEvents as the task role", async () => {
    const { task, sidecar } = await runSidecarTask('sidecar-ok', roles.shipper, 'shipped');
    assert.match(sidecar, /EXIT=0/, `${task.stoppedReason}\n${sidecar}`);
    assert.match(sidecar, /nextSequenceToken/);
    assert.equal(task.containers!.find((c) => c.name === 'app')!.exitCode, 0);
    assert.deepEqual(await messages('shipped'), LINES);
  });

  it('a task role without logs:PutLogEvents is refused with AccessDeniedException, and nothing is written', async () => {
    const { task, sidecar } = await runSidecarTask('sidecar-denied', roles.mute, 'refused');
    assert.match(sidecar, /AccessDeniedException/, `${task.stoppedReason}\n${sidecar}`);
    assert.match(sidecar, /logs:PutLogEvents/);
    assert.doesNotMatch(sidecar, /EXIT=0/);
    assert.deepEqual(await messages('refused'), []);
  });
});
