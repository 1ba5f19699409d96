/**
 * `npm run bench:observability` — logs, metrics and events on a real `wharf dev` (real
 * containers for awslogs; @aws-sdk/client-cloudwatch-logs, client-cloudwatch, client-eventbridge
 * and client-ecs), each figure beside a reference measured in the same run:
 *
 *  1. awslogs end to end: a task prints LINES lines; events/s from its start to the last line
 *     readable with GetLogEvents — beside PutLogEvents from this process in 10,000-event batches
 *     (the API's own ceiling here). And the lag of a follower (FilterLogEvents every 100 ms, as a
 *     tail does) behind single PutLogEvents calls, SAMPLES times.
 *  2. PutMetricData: datapoints/s for DURATION_S seconds, 1,000 datums a call (20 series),
 *     beside ListMetrics calls/s (an API call that writes nothing).
 *  3. PutEvents: events/s for DURATION_S seconds (10 entries a call) with 1,000 rules on the bus,
 *     none of which match, and with one matching rule among them — beside the same with no rule.
 *
 * Traffic goes only to loopback and the containers it starts. Prints figures; never passes or
 * fails on them.
 *
 *   npm run bench:observability   (needs Docker Engine and scripts/build-test-images.sh)
 *   LINES=200000 SAMPLES=20 DURATION_S=5 npx tsx bench/observability.ts
 *   PARTS=1 npx tsx bench/observability.ts   (only the parts listed, e.g. `1` or `2,3`)
 */
import { CloudWatchClient, ListMetricsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand, GetLogEventsCommand, PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { removeClusterContainers } from '../test/support/docker.ts';
import { TEST_IMAGE, benchCredentials, ecsClient, env, median, percentile, poll, spawnWharf, tempDir, type WharfProcess, runBench } from './support/wharf.ts';

const LINES = env('LINES', 200_000);
const SAMPLES = env('SAMPLES', 20);
const DURATION_S = env('DURATION_S', 5);
/** Which parts run (PARTS=1,3): all by default. */
const PARTS = new Set((process.env.PARTS ?? '1,2,3').split(',').map((p) => p.trim()));
const RUN = Date.now().toString(36);
const region = 'us-east-1';
const say = (line = '') => console.log(line);
const rate = (n: number, ms: number) => `${Math.round((n * 1000) / ms).toLocaleString('en-US')}/s`.padStart(12);
const ms = (x: number) => `${x.toFixed(1)} ms`.padStart(9);

let wharf: WharfProcess | undefined;
let clusterArn = '';

/** CPU seconds (user and system) of the processes named `name` (their /proc comm), or of `pid`; 0 where /proc is not there. */
function cpuSeconds(of: { pid: number } | { name: string }): number {
  const ticks = (pid: string) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  };
  if ('pid' in of) return ticks(String(of.pid)) / 100;
  let total = 0;
  for (const pid of existsSync('/proc') ? readdirSync('/proc').filter((d) => /^\d+$/.test(d)) : []) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === of.name) total += ticks(pid);
    } catch {
      // Gone meanwhile.
    }
  }
  return total / 100;
}

/** CPU seconds so far of Wharf, dockerd and this process (the reader), to say where a figure's time went. */
function cpuNow(): { wharf: number; dockerd: number; bench: number } {
  const own = process.cpuUsage();
  return { wharf: cpuSeconds({ pid: wharf!.pid }), dockerd: cpuSeconds({ name: 'dockerd' }), bench: (own.user + own.system) / 1e6 };
}

/** Calls `call` back to back for DURATION_S seconds; resolves to (calls, ms). */
async function loop(call: () => Promise<unknown>): Promise<{ calls: number; ms: number }> {
  const t0 = performance.now();
  let calls = 0;
  while (performance.now() - t0 < DURATION_S * 1000) {
    await call();
    calls++;
  }
  return { calls, ms: performance.now() - t0 };
}

async function main(): Promise<void> {
  wharf = await spawnWharf(['dev', '--port', '0', '--data-dir', tempDir()], /Wharf ready at http:\/\//);
  const options = { endpoint: wharf.url, region, credentials: benchCredentials };
  const ecs = ecsClient(wharf.url);
  const logs = new CloudWatchLogsClient(options);
  const cw = new CloudWatchClient(options);
  const eb = new EventBridgeClient(options);

  if (PARTS.has('1')) await awslogs(ecs, logs);
  if (PARTS.has('2')) await putMetricData(cw);
  if (PARTS.has('3')) await putEvents(eb);
}

/** 1. awslogs end to end, beside PutLogEvents from this process; a follower's lag. */
async function awslogs(ecs: ReturnType<typeof ecsClient>, logs: CloudWatchLogsClient): Promise<void> {
  const created = await ecs.send(new CreateClusterCommand({ clusterName: `bench-obs-${RUN}` }));
  clusterArn = created.cluster!.clusterArn!;
  const cluster = created.cluster!.clusterName!;
  const group = `/bench/${RUN}`;
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: `flood-${RUN}`,
    containerDefinitions: [{
      name: 'app', image: TEST_IMAGE, memory: 64, essential: true, command: ['sh', '-c', `awk 'BEGIN { for (i = 0; i < ${LINES}; i++) print "line " i }'; sleep 600`],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': group, 'awslogs-region': region, 'awslogs-stream-prefix': 'flood' } },
    }],
  }));
  const arn = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `flood-${RUN}` }))).tasks![0].taskArn!;
  const stream = `flood/app/${arn.slice(arn.lastIndexOf('/') + 1)}`;
  await poll('flood RUNNING', async () => ((await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks?.[0]?.lastStatus === 'RUNNING' ? true : undefined), { timeoutMs: 60_000, everyMs: 20 });
  const t0 = performance.now();
  const cpu0 = cpuNow();
  let count = 0;
  let token: string | undefined;
  await poll('every line in CloudWatch Logs', async () => {
    for (;;) {
      const page = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, nextToken: token })).catch(() => undefined);
      if (!page?.events?.length) break;
      count += page.events.length;
      token = page.nextForwardToken;
    }
    return count >= LINES ? true : undefined;
  }, { timeoutMs: 600_000, everyMs: 50 });
  const shipped = performance.now() - t0;
  const cpu1 = cpuNow();

  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'direct' }));
  const batch = (i: number) => Array.from({ length: 10_000 }, (_, j) => ({ timestamp: Date.now(), message: `direct ${i * 10_000 + j}` }));
  const d0 = performance.now();
  const dcpu0 = cpuNow();
  const batches = Math.ceil(LINES / 10_000);
  for (let i = 0; i < batches; i++) await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'direct', logEvents: batch(i) }));
  const direct = performance.now() - d0;
  const dcpu1 = cpuNow();

  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'lag' }));
  const lags: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const message = `lag ${i} ${RUN}`;
    const sent = Date.now();
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'lag', logEvents: [{ timestamp: sent, message }] }));
    const p0 = performance.now();
    await poll('the follower saw it', async () => {
      const found = await logs.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNames: ['lag'], startTime: sent - 1000 }));
      return found.events?.some((e) => e.message === message) ? true : undefined;
    }, { timeoutMs: 10_000, everyMs: 100 });
    lags.push(performance.now() - p0);
  }
  say(`1. awslogs: ${LINES.toLocaleString('en-US')} lines from a container (busybox awk) to GetLogEvents`);
  say(`   container stdout → agent → PutLogEvents → readable      ${rate(LINES, shipped)}   (${(shipped / 1000).toFixed(2)} s)`);
  say(`   CPU meanwhile: wharf ${(cpu1.wharf - cpu0.wharf).toFixed(2)} s, dockerd ${(cpu1.dockerd - cpu0.dockerd).toFixed(2)} s, this reader ${(cpu1.bench - cpu0.bench).toFixed(2)} s`);
  say(`   reference: PutLogEvents from this process, 10,000 a call ${rate(batches * 10_000, direct)}   (CPU: wharf ${(dcpu1.wharf - dcpu0.wharf).toFixed(2)} s, this process ${(dcpu1.bench - dcpu0.bench).toFixed(2)} s)`);
  say(`   a follower polling FilterLogEvents every 100 ms, behind single PutLogEvents: median ${ms(median(lags))}   p90 ${ms(percentile(lags, 0.9))}`);

}

/** 2. PutMetricData, beside ListMetrics. */
async function putMetricData(cw: CloudWatchClient): Promise<void> {
  const datums = Array.from({ length: 1000 }, (_, i) => ({ MetricName: `m${i % 20}`, Dimensions: [{ Name: 'Host', Value: `h${i % 5}` }], Value: i, Unit: 'Count' as const }));
  const put = await loop(() => cw.send(new PutMetricDataCommand({ Namespace: `Bench/${RUN}`, MetricData: datums })));
  const list = await loop(() => cw.send(new ListMetricsCommand({ Namespace: `Bench/${RUN}` })));
  say();
  say(`2. PutMetricData, ${DURATION_S} s each, back to back`);
  say(`   datapoints, 1,000 a call over 20 series                  ${rate(put.calls * 1000, put.ms)}   (${rate(put.calls, put.ms).trim()} calls)`);
  say(`   reference: ListMetrics calls (nothing written)           ${rate(list.calls, list.ms)}`);

}

/** 3. PutEvents against 1,000 rules, beside a bus with none. */
async function putEvents(eb: EventBridgeClient): Promise<void> {
  const entries = (source: string) => Array.from({ length: 10 }, (_, i) => ({ Source: source, DetailType: 'bench', Detail: JSON.stringify({ n: i, kind: 'order', total: i * 10 }), EventBusName: `bench-${RUN}` }));
  await eb.send(new CreateEventBusCommand({ Name: `bench-${RUN}` }));
  await eb.send(new CreateEventBusCommand({ Name: `empty-${RUN}` }));
  const none = await loop(() => eb.send(new PutEventsCommand({ Entries: entries('bench.app').map((e) => ({ ...e, EventBusName: `empty-${RUN}` })) })));
  for (let i = 0; i < 1000; i++) {
    await eb.send(new PutRuleCommand({
      Name: `r${i}`, EventBusName: `bench-${RUN}`,
      EventPattern: JSON.stringify({ source: [`bench.other${i}`], detail: { kind: ['order'], total: [{ numeric: ['>', i] }] } }),
    }));
  }
  const thousand = await loop(() => eb.send(new PutEventsCommand({ Entries: entries('bench.app') })));
  say();
  say(`3. PutEvents, 10 entries a call, ${DURATION_S} s each`);
  say(`   events on a bus with 1,000 rules (none matching)         ${rate(thousand.calls * 10, thousand.ms)}`);
  say(`   reference: events on a bus with no rule                  ${rate(none.calls * 10, none.ms)}`);
}

async function cleanup(): Promise<void> {
  if (clusterArn) removeClusterContainers(clusterArn);
  await wharf?.stop();
}

runBench(main, cleanup);
