/**
 * The awslogs driver end to end, on `wharf server` and a `wharf agent` (separate processes, so the
 * agent can be killed alone) with real containers, through @aws-sdk/client-ecs and
 * client-cloudwatch-logs and the AWS CLI: a task printing 100,000 lines has every one in CloudWatch
 * Logs, in order, also across a `kill -9` of its agent mid-stream (none lost, none twice: count
 * and checksum); `aws logs tail --follow` shows them; FilterLogEvents with a JSON pattern finds
 * the right ones; `wharf logs TASK` prints them with its container's name. (A sidecar shipping a
 * file from a shared volume with PutLogEvents as the task role: awslogs-sidecar.test.ts.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CloudWatchLogsClient, FilterLogEventsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand, DescribeTasksCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, waitUntilTasksStopped,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { freePort } from '../src/state/index.ts';
import { agentDir, startAgentProcess, until } from './support/crash-services.ts';
import { TEST_IMAGE, removeClusterContainers } from './support/docker.ts';
import { awsCliEnv, credentials, ecsClient, region, spawnWharf, tempDir, type WharfProcess } from './support/wharf.ts';

const run = Date.now().toString(36);
const CLUSTER = `awslogs-${run}`;
const LINES = 100_000;
const root = join(import.meta.dirname, '..');
const exec = promisify(execFile);
let server: WharfProcess;
let agent: WharfProcess;
let ecs: ECSClient;
let logs: CloudWatchLogsClient;
let clusterArn = '';
const dir = tempDir();

before(async () => {
  server = await spawnWharf(['server', '--port', String(await freePort()), '--data-dir', tempDir()], /Wharf server ready at http:\/\//);
  ecs = ecsClient(server.url);
  logs = new CloudWatchLogsClient({ endpoint: server.url, region, credentials });
  clusterArn = (await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))).cluster!.clusterArn!;
  agent = await startAgentProcess(server.url, CLUSTER, agentDir(dir, 'a'), ['--task-cleanup-wait', '600']);
  await until('the agent registered', async () => ((await ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER }))).containerInstanceArns ?? []).length === 1);
});

after(async () => {
  await agent?.stop();
  if (clusterArn) removeClusterContainers(clusterArn);
  await server?.stop();
});

/** Every event of a stream, from the start. */
async function allEvents(group: string, stream: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, nextToken: token }));
    out.push(...(page.events ?? []).map((e) => e.message ?? ''));
    if (!page.events?.length || page.nextForwardToken === token) return out;
    token = page.nextForwardToken;
  }
}

const expected = Array.from({ length: LINES }, (_, i) => JSON.stringify({ n: i, level: i % 1000 === 0 ? 'ERROR' : 'INFO' }));
const digest = (lines: string[]) => createHash('sha256').update(lines.join('\n')).digest('hex');

describe('the awslogs driver', () => {
  it('ships 100,000 lines in order, none lost or twice across a kill -9 of the agent', { timeout: 240_000 }, async () => {
    const group = `/ecs/flood-${run}`;
    // busybox awk prints the JSON lines; a pause in the middle leaves time to kill the agent mid-stream.
    const script = `awk 'BEGIN { for (i = 0; i < ${LINES}; i++) { printf "{\\"n\\":%d,\\"level\\":\\"%s\\"}\\n", i, (i % 1000 == 0) ? "ERROR" : "INFO"; if (i == ${LINES / 2}) system("sleep 3") } }'`;
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: `flood-${run}`,
      containerDefinitions: [{
        name: 'app', image: TEST_IMAGE, memory: 64, essential: true, command: ['sh', '-c', script],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': group, 'awslogs-region': region, 'awslogs-stream-prefix': 'flood', 'awslogs-create-group': 'true' } },
      }],
    }));
    const arn = (await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: `flood-${run}` }))).tasks![0].taskArn!;
    const taskId = arn.slice(arn.lastIndexOf('/') + 1);
    const stream = `flood/app/${taskId}`;
    // Some lines are in, not all: the agent dies, and comes back with the same data dir.
    await until('some lines shipped', async () => {
      const n = (await allEvents(group, stream).catch(() => [])).length;
      return n > 0 && n < LINES;
    }, { attempts: 600, intervalMs: 50 });
    await agent.kill9();
    agent = await startAgentProcess(server.url, CLUSTER, agentDir(dir, 'a'), ['--task-cleanup-wait', '600']);
    await waitUntilTasksStopped({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: [arn] });
    const shipped = await until('every line shipped', async () => {
      const got = await allEvents(group, stream);
      return got.length >= LINES ? got : undefined;
    }, { attempts: 600, intervalMs: 200 });
    assert.equal(shipped.length, LINES, 'no line twice');
    assert.equal(digest(shipped), digest(expected), 'every line, in order');

    // FilterLogEvents with a JSON pattern: the ERROR lines, one in a thousand.
    let errors = 0;
    let token: string | undefined;
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: '{ $.level = "ERROR" }', nextToken: token }));
      errors += page.events?.length ?? 0;
      token = page.nextToken;
    } while (token);
    assert.equal(errors, LINES / 1000);

    // `aws logs tail --follow` shows them (the first and last lines), then is stopped.
    const tail = spawn('/usr/bin/aws', ['--endpoint-url', server.url, 'logs', 'tail', group, '--follow', '--since', '1h', '--format', 'short'], {
      env: { ...awsCliEnv, AWS_DEFAULT_REGION: region, AWS_REGION: region },
    });
    let printed = '';
    tail.stdout.on('data', (c: Buffer) => (printed += c.toString()));
    await until('aws logs tail printed the last line', async () => printed.includes(expected[LINES - 1]!), { attempts: 300, intervalMs: 100 }).finally(() => tail.kill());
    assert.ok(printed.indexOf(expected[0]!) < printed.indexOf(expected[LINES - 1]!));

    // `wharf logs` prints them with the container's name.
    const { stdout } = await exec(process.execPath, [join(root, 'bin/wharf.js'), 'logs', arn, '--endpoint-url', server.url], {
      env: { ...process.env, ...awsCliEnv, AWS_REGION: region }, maxBuffer: 64 * 1024 * 1024,
    });
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, LINES);
    assert.match(lines[0]!, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z app \\| ${expected[0]!.replace(/[{}]/g, '\\$&')}$`));
  });
});
