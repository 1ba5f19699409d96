/**
 * `npm run bench:platform` — what identity costs on every API call, in one run:
 *
 *  1. DescribeTasks (10 tasks) through @aws-sdk/client-ecs, 8 calls in flight, against two
 *     endpoints serving the same ECS adapter over the same store, alternately: one with
 *     signature verification and IAM off (every key acts as the root, unverified, and every
 *     request is allowed), one as `wharf server` runs (SigV4 verified, an IAM user with a
 *     20-statement policy evaluated, with the resource's tags, for every task).
 *  2. The per-request cost of each stage of the middleware chain on the second endpoint.
 *  3. Policy evaluations per second for a 20-statement policy, in the pure engine.
 *
 * Client and endpoints share this process (and the machine's 2 cores); both configurations pay
 * that equally. Prints figures; never passes or fails on time.
 */
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeTasksCommand, ECSClient } from '@aws-sdk/client-ecs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createEndpoint, type ServiceDefinition, type Stage } from '../src/aws/index.ts';
import { rootOnlyAuthority } from '../src/aws/testing.ts';
import { randomIds, systemClock } from '../src/common/index.ts';
import { arns, ecsResourceInfo } from '../src/ecs/index.ts';
import { ecsWorld, scope, seedCluster, seedTask, taskRecord } from '../src/ecs/testing.ts';
import { attachPolicy, createAccessKey, createPolicy, createUser, evaluate, IamAuthority, parsePolicy, type EvaluationRequest } from '../src/identity/index.ts';
import { ecsService } from '../src/services/ecs/index.ts';

const CALLS = 3_000;
const IN_FLIGHT = 8;
const ROUNDS = 3;
const CLUSTER = 'bench';

/** The 20 statements of the bench user's policy: 19 that do not match DescribeTasks, then the one that does (with a condition). */
export function twentyStatements(account: string): object {
  const others = [
    'ecs:RunTask', 'ecs:StopTask', 'ecs:CreateService', 'ecs:UpdateService', 'ecs:DeleteService', 'ecr:BatchGetImage',
    'ecr:GetDownloadUrlForLayer', 'logs:PutLogEvents', 'logs:CreateLogStream', 'ssm:GetParameters', 'secretsmanager:GetSecretValue',
    'iam:PassRole', 'sts:AssumeRole', 'ec2:DescribeSubnets', 'elasticloadbalancing:RegisterTargets', 'cloudwatch:PutMetricData',
    'events:PutEvents', 'sqs:ReceiveMessage', 'ecs:ListClusters',
  ].map((action, i) => ({ Sid: `S${i}`, Effect: 'Allow', Action: action, Resource: `arn:aws:*:*:${account}:*` }));
  const describe = {
    Sid: 'Describe', Effect: 'Allow', Action: ['ecs:Describe*', 'ecs:List*'], Resource: `arn:aws:ecs:*:${account}:task/${CLUSTER}/*`,
    Condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] }, IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } },
  };
  return { Version: '2012-10-17', Statement: [...others, describe] };
}

/** Evaluations per second of the 20-statement policy for three kinds of request. */
function evaluatePolicyFigures(document: object): { name: string; perSecond: number }[] {
  const policy = parsePolicy(JSON.stringify(document), 'identity');
  const principal = { arn: `arn:aws:iam::${scope.account}:user/bench`, account: scope.account, userId: 'AIDABENCH', username: 'bench', kind: 'user' as const };
  const base: EvaluationRequest = {
    principal, action: 'ecs:DescribeTasks', resource: `arn:aws:ecs:us-east-1:${scope.account}:task/${CLUSTER}/1`,
    context: { 'aws:RequestedRegion': 'us-east-1', 'aws:SourceIp': '127.0.0.1' }, identityPolicies: [policy],
  };
  const cases: { name: string; request: EvaluationRequest; decision: string }[] = [
    { name: 'allowed by the last statement, its two conditions checked', request: base, decision: 'Allow' },
    { name: 'refused: the conditions fail (another region)', request: { ...base, context: { ...base.context, 'aws:RequestedRegion': 'ap-south-1' } }, decision: 'ImplicitDeny' },
    { name: 'refused: no statement names the action', request: { ...base, action: 'ecs:DeleteCluster' }, decision: 'ImplicitDeny' },
  ];
  return cases.map(({ name, request, decision }) => {
    const n = 200_000;
    for (let i = 0; i < 20_000; i++) evaluate(request); // warm
    const started = performance.now();
    let last = '';
    for (let i = 0; i < n; i++) last = evaluate(request).decision;
    const seconds = (performance.now() - started) / 1000;
    if (last !== decision) throw new Error(`${name}: expected ${decision}, got ${last}`);
    return { name, perSecond: n / seconds };
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function listen(server: ReturnType<typeof createEndpoint>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** `CALLS` DescribeTasks with `IN_FLIGHT` at a time; calls/s and latency percentiles. */
async function drive(client: ECSClient, tasks: string[]): Promise<{ perSecond: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next++ < CALLS) {
      const t = performance.now();
      const out = await client.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks }));
      if (out.tasks?.length !== tasks.length) throw new Error(`DescribeTasks returned ${out.tasks?.length} tasks`);
      latencies.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: CALLS / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

async function main(): Promise<void> {
  const world = ecsWorld();
  const { store } = world;
  await seedCluster(store, CLUSTER);
  const tasks: string[] = [];
  for (let i = 0; i < 10; i++) {
    const id = `${i}`.padStart(32, 'b');
    await seedTask(store, taskRecord(CLUSTER, id, { tags: [{ key: 'team', value: 'bench' }] }));
    tasks.push(arns.task(scope, CLUSTER, id));
  }
  const ecs = ecsService(world.deps) as ServiceDefinition;

  // The user the "on" endpoint serves: a 20-statement customer managed policy attached, one access key.
  const env = { store, clock: systemClock, ids: randomIds };
  await createUser(env, scope.account, { userName: 'bench' });
  const policy = await createPolicy(env, scope.account, { policyName: 'twenty', policyDocument: JSON.stringify(twentyStatements(scope.account)) });
  await attachPolicy(env, scope.account, 'user', 'bench', policy.arn);
  const key = await createAccessKey(env, scope.account, 'bench');
  const authority = await IamAuthority.open({
    store, clock: systemClock, ids: randomIds, resourceInfo: ecsResourceInfo(store),
  });

  const stages = new Map<Stage, number>();
  let requests = 0;
  const off = createEndpoint({ services: [ecs], authority: rootOnlyAuthority, clock: systemClock, unknownKeysAsRoot: true, account: scope.account });
  const on = createEndpoint({
    services: [ecs], authority, clock: systemClock, unknownKeysAsRoot: false, account: scope.account,
    onStage: (stage, ns) => {
      stages.set(stage, (stages.get(stage) ?? 0) + ns);
      if (stage === 'route') requests++;
    },
  });
  const [offUrl, onUrl] = [await listen(off), await listen(on)];
  const handler = () => new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: IN_FLIGHT }) });
  const offClient = new ECSClient({ endpoint: offUrl, region: scope.region, credentials: { accessKeyId: 'AKIAANYONE0000000001', secretAccessKey: 'unchecked' }, requestHandler: handler() });
  const onClient = new ECSClient({ endpoint: onUrl, region: scope.region, credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey! }, requestHandler: handler() });

  // Warm both (JIT, caches, keep-alive sockets), then alternate measured rounds.
  await drive(offClient, tasks);
  await drive(onClient, tasks);
  stages.clear();
  requests = 0;
  const results = { off: [] as Awaited<ReturnType<typeof drive>>[], on: [] as Awaited<ReturnType<typeof drive>>[] };
  for (let round = 0; round < ROUNDS; round++) {
    results.off.push(await drive(offClient, tasks));
    results.on.push(await drive(onClient, tasks));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const row = (name: string, rs: Awaited<ReturnType<typeof drive>>[]) =>
    `| ${name} | ${Math.round(median(rs.map((r) => r.perSecond))).toLocaleString('en-US')} | ${median(rs.map((r) => r.p50)).toFixed(2)} ms | ${median(rs.map((r) => r.p99)).toFixed(2)} ms |`;
  console.log(`\nDescribeTasks (10 tasks), ${IN_FLIGHT} in flight, ${CALLS} calls per round, median of ${ROUNDS} alternating rounds:\n`);
  console.log('| endpoint | calls/s | p50 | p99 |\n| --- | ---: | ---: | ---: |');
  console.log(row('verification and IAM off', results.off));
  console.log(row('SigV4 verified, IAM user with a 20-statement policy', results.on));

  console.log(`\nPer request, each stage of the chain (mean over ${requests.toLocaleString('en-US')} requests, IAM on; authorize covers 10 resources):\n`);
  console.log('| stage | µs |\n| --- | ---: |');
  for (const stage of ['route', 'decode', 'authenticate', 'authorize', 'validate', 'handler', 'encode'] as const) {
    console.log(`| ${stage} | ${((stages.get(stage) ?? 0) / requests / 1000).toFixed(1)} |`);
  }

  console.log('\nPolicy evaluations (pure engine, one 20-statement policy):\n');
  console.log('| request | evaluations/s |\n| --- | ---: |');
  for (const figure of evaluatePolicyFigures(twentyStatements(scope.account))) {
    console.log(`| ${figure.name} | ${Math.round(figure.perSecond).toLocaleString('en-US')} |`);
  }

  offClient.destroy();
  onClient.destroy();
  off.close();
  on.close();
  authority.close();
  world.deps.informers.close();
  await store.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
