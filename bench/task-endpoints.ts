/**
 * `npm run bench:task-endpoints` — what a task's world costs, on real containers (`wharf dev`,
 * Docker, @aws-sdk/client-ecs, client-iam, client-secrets-manager and client-ssm), each figure
 * beside a reference measured in the same run:
 *
 *  1. RunTask → RUNNING (seen by DescribeTasks, polled every 5 ms) of a task whose container has
 *     10 secrets (5 from Secrets Manager, 5 SecureString parameters, fetched with its execution
 *     role), beside the same task with none; ROUNDS rounds, alternating.
 *  2. Latency of the task endpoints as a container sees them (Node.js's http client with
 *     keep-alive, inside a task): the credentials endpoint, the metadata endpoint (the
 *     container's and the task's), beside the same client against a static HTTP server on the
 *     container's own loopback; REQUESTS sequential requests each, after one cold credentials
 *     request (the agent asks the control plane for the session) reported apart.
 *
 * Traffic goes only to loopback and the containers it starts. Everything it makes is removed at
 * the end. Prints figures; never passes or fails on them.
 *
 *   npm run bench:task-endpoints   (needs root, Docker Engine, scripts/build-test-images.sh)
 *   ROUNDS=10 REQUESTS=500 npx tsx bench/task-endpoints.ts
 */
import {
  CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand,
  type ContainerDefinition, type ECSClient, type Task,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { removeClusterContainers } from '../test/support/docker.ts';
import { TEST_IMAGE, benchCredentials, docker, ecsClient, env, median, percentile, poll, spawnWharf, tempDir, type WharfProcess, runBench } from './support/wharf.ts';

const ROUNDS = env('ROUNDS', 10);
const REQUESTS = env('REQUESTS', 500);
const SDK_IMAGE = 'wharf-test/node-sdk:latest';
const RUN = Date.now().toString(36);
const region = 'us-east-1';
const say = (line = '') => console.log(line);

const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const allow = (...actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

/** Runs in the task: REQUESTS sequential GETs per target, with keep-alive; prints one JSON line of the latencies (ms). */
const PROBE = `
const http = await import('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const get = (url) => new Promise((resolve, reject) => {
  const t0 = performance.now();
  http.get(url, { agent }, (res) => { res.resume(); res.on('end', () => res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(url + ' ' + res.statusCode))); }).on('error', reject);
});
const server = http.createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end('{"static":true}'); });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const n = Number(process.env.REQUESTS);
const creds = 'http://169.254.170.2' + process.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
const meta = process.env.ECS_CONTAINER_METADATA_URI_V4;
const out = { coldCredentials: await get(creds) };
const targets = { reference: 'http://127.0.0.1:' + server.address().port + '/', credentials: creds, metadata: meta, metadataTask: meta + '/task' };
for (const [name, url] of Object.entries(targets)) {
  const xs = [];
  for (let i = 0; i < n; i++) xs.push(await get(url));
  out[name] = xs;
}
console.log('RESULT=' + JSON.stringify(out));
server.close();`;

let wharf: WharfProcess | undefined;
let clusterArn = '';

async function main(): Promise<void> {
  wharf = await spawnWharf(['dev', '--port', '0', '--data-dir', tempDir()], /Wharf ready at http:\/\//);
  const ecs = ecsClient(wharf.url);
  const options = { endpoint: wharf.url, region, credentials: benchCredentials };
  const iam = new IAMClient(options);
  const role = async (name: string, policy: string) => {
    const arn = (await iam.send(new CreateRoleCommand({ RoleName: `${name}-${RUN}`, AssumeRolePolicyDocument: trust }))).Role!.Arn!;
    await iam.send(new PutRolePolicyCommand({ RoleName: `${name}-${RUN}`, PolicyName: 'p', PolicyDocument: policy }));
    return arn;
  };
  const executionRoleArn = await role('bench-exec', allow('secretsmanager:GetSecretValue', 'ssm:GetParameters'));
  const taskRoleArn = await role('bench-app', allow('sts:GetCallerIdentity'));
  const asm = new SecretsManagerClient(options);
  const ssm = new SSMClient(options);
  const secrets: { name: string; valueFrom: string }[] = [];
  for (let i = 0; i < 5; i++) {
    const arn = (await asm.send(new CreateSecretCommand({ Name: `bench-${RUN}-${i}`, SecretString: `value-${i}` }))).ARN!;
    secrets.push({ name: `ASM_${i}`, valueFrom: arn });
    await ssm.send(new PutParameterCommand({ Name: `/bench/${RUN}/${i}`, Type: 'SecureString', Value: `value-${i}` }));
    secrets.push({ name: `SSM_${i}`, valueFrom: `/bench/${RUN}/${i}` });
  }
  const created = await ecs.send(new CreateClusterCommand({ clusterName: `bench-endpoints-${RUN}` }));
  const cluster = created.cluster!.clusterName!;
  clusterArn = created.cluster!.clusterArn!;
  const sleeper: ContainerDefinition = { name: 'main', image: TEST_IMAGE, memory: 16, command: ['sleep', '600'], stopTimeout: 2 };
  await ecs.send(new RegisterTaskDefinitionCommand({ family: `plain-${RUN}`, containerDefinitions: [sleeper] }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: `secrets-${RUN}`, executionRoleArn, containerDefinitions: [{ ...sleeper, secrets }] }));

  // ---- 1. RunTask → RUNNING ----
  const start = async (family: string): Promise<number> => {
    const t0 = performance.now();
    const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }));
    if (!tasks?.length) throw new Error(`RunTask ${family}: ${JSON.stringify(failures)}`);
    const arn = tasks[0].taskArn!;
    await poll(`${family} RUNNING`, async () => {
      const t = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks?.[0];
      if (t?.lastStatus === 'STOPPED') throw new Error(`${family} stopped: ${t.stoppedReason}`);
      return t?.lastStatus === 'RUNNING' ? t : undefined;
    }, { timeoutMs: 60_000, everyMs: 5 });
    const ms = performance.now() - t0;
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    return ms;
  };
  const rows: [string, string][] = [[`10 secrets (5 Secrets Manager, 5 SecureString)`, `secrets-${RUN}`], ['reference: no secrets', `plain-${RUN}`]];
  for (const [, family] of rows) await start(family); // warm-up, not counted
  const samples = rows.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) for (const [i, [, family]] of rows.entries()) samples[i]!.push(await start(family));
  say(`1. RunTask → RUNNING (seen by DescribeTasks), ${ROUNDS} rounds alternating, one busybox container`);
  for (const [i, [label]] of rows.entries()) say(`   ${label.padEnd(48)}${stats(samples[i]!)}`);

  // ---- 2. endpoint latency, from inside a task ----
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: `probe-${RUN}`, taskRoleArn, containerDefinitions: [{
      name: 'probe', image: SDK_IMAGE, memory: 256, command: ['node', '--input-type=module', '-e', PROBE],
      environment: [{ name: 'REQUESTS', value: String(REQUESTS) }],
    }],
  }));
  const { tasks } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `probe-${RUN}` }));
  const arn = tasks![0].taskArn!;
  const done: Task = await poll('probe STOPPED', async () => {
    const t = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks?.[0];
    return t?.lastStatus === 'STOPPED' ? t : undefined;
  }, { timeoutMs: 300_000, everyMs: 200 });
  const logs = await docker('logs', done.containers![0].runtimeId!);
  const line = logs.split('\n').find((l) => l.startsWith('RESULT='));
  if (!line) throw new Error(`the probe printed no result (${done.stoppedReason}):\n${logs}`);
  const result = JSON.parse(line.slice('RESULT='.length)) as Record<string, number[]> & { coldCredentials: number };
  say();
  say(`2. Task endpoints from inside a task: ${REQUESTS} sequential GETs each (Node.js http, keep-alive)`);
  say(`   ${'credentials, first request (session asked of the control plane)'.padEnd(64)}${ms(result.coldCredentials)}`);
  const lat = (label: string, xs: number[]) => say(`   ${label.padEnd(64)}p50 ${ms(percentile(xs, 0.5))}   p99 ${ms(percentile(xs, 0.99))}`);
  lat('credentials (/v2/credentials/<id>)', result.credentials!);
  lat('metadata, the container (${ECS_CONTAINER_METADATA_URI_V4})', result.metadata!);
  lat('metadata, the task (/task: Docker inspect of each container)', result.metadataTask!);
  lat('reference: a static HTTP server on the task\'s own loopback', result.reference!);
}

const ms = (x: number) => `${x.toFixed(2)} ms`.padStart(10);
const stats = (xs: number[]) => `median ${ms(median(xs))}   p90 ${ms(percentile(xs, 0.9))}   min ${ms(Math.min(...xs))}   max ${ms(Math.max(...xs))}`;

async function cleanup(): Promise<void> {
  if (clusterArn) removeClusterContainers(clusterArn);
  await wharf?.stop();
}

runBench(main, cleanup);
