/**
 * `npm run bench:blue-green` — the blue/green cutover as the production listener's clients see
 * it: an ECS-native BLUE_GREEN service (then CANARY and LINEAR ones) behind an application load
 * balancer — a control plane in this process, a fake agent whose tasks are HTTP servers on
 * loopback answering their revision, the real ALB data plane (test/support/blue-green-stage.ts).
 *
 * A request loop (LOOPS keep-alive connections to the production listener, bounded by
 * MAX_REQUESTS and MAX_S) records which revision answered each request while a deployment runs.
 * The moment the controller writes the production listener's weights is taken from the store's
 * own watch (in this process, at commit). Printed per strategy: production write → first green
 * answer, the write that puts 100 % on green → last blue answer, the whole shift (first write →
 * last blue), and failed requests (anything but a revision's answer: 5xx, resets). Canary and
 * linear bake times are skipped by moving the control plane's clock.
 *
 * Beside it, measured in the same run: a plain listener rule change — ModifyRule moving a rule's
 * forward from one target group to another (each with a healthy loopback target) — from its
 * commit to the first answer from the new group and the last from the old one.
 *
 * Traffic goes only to loopback. Prints figures; never passes or fails on them.
 *
 *   npm run bench:blue-green
 *   ROUNDS=3 npx tsx bench/blue-green.ts
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  CreateServiceCommand, DescribeContainerInstancesCommand, ListContainerInstancesCommand, TagResourceCommand, UpdateServiceCommand,
  type DeploymentConfiguration,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand, CreateRuleCommand, CreateTargetGroupCommand, DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeTargetHealthCommand,
  ModifyRuleCommand, RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { keys as lbKeys, type ListenerRecord, type RuleRecord } from '../src/lb/index.ts';
import { blueGreenStage, describeService, type BlueGreenStage } from '../test/support/blue-green-stage.ts';
import { env, median, poll, runBench, sleep } from './support/wharf.ts';

const CLUSTER = 'bench-bg';
const SERVICE = 'web';
const LOOPS = env('LOOPS', 4);
const MAX_REQUESTS = env('MAX_REQUESTS', 400_000);
const MAX_S = env('MAX_S', 180);
const ROUNDS = env('ROUNDS', 1);
const REFERENCE_ROUNDS = env('REFERENCE_ROUNDS', 5);

let stage: BlueGreenStage | undefined;
const servers: http.Server[] = [];

/** One answer the loop got: when (performance.now()) and what. */
interface Answer { at: number; answer: string }

/** LOOPS request loops through `port`, until stopped or bounded by MAX_REQUESTS and MAX_S. */
function load(s: BlueGreenStage, port: number): { stop(): Promise<Answer[]> } {
  const answers: Answer[] = [];
  const deadline = performance.now() + MAX_S * 1000;
  let running = true;
  const loop = async () => {
    while (running && answers.length < MAX_REQUESTS && performance.now() < deadline) {
      const answer = await s.get(port);
      answers.push({ at: performance.now(), answer });
      await sleep(1);
    }
  };
  const loops = Array.from({ length: LOOPS }, loop);
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return answers;
    },
  };
}

/** The production listener's weights each time the store commits a change to them. */
function watchWeights(s: BlueGreenStage): { writes: { at: number; weights: Map<string, number> }[]; stop(): void } {
  const writes: { at: number; weights: Map<string, number> }[] = [];
  const stop = s.plane.store.watch(lbKeys.allListeners, (ev) => {
    if (ev.type !== 'put') return;
    const listener = JSON.parse(ev.kv.value) as ListenerRecord;
    if (listener.arn !== s.productionListener) return;
    const forward = listener.defaultActions.find((a) => a.type === 'forward');
    if (forward?.type !== 'forward') return;
    const weights = new Map(forward.targetGroups.map((g) => [g.targetGroupArn, g.weight]));
    const last = writes.at(-1)?.weights;
    if (last && JSON.stringify([...last]) === JSON.stringify([...weights])) return;
    writes.push({ at: performance.now(), weights });
  });
  return { writes, stop };
}

/** Green's share (percent) in a write. */
function greenPercent(weights: Map<string, number>, green: string): number {
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  return total ? (100 * (weights.get(green) ?? 0)) / total : 0;
}

interface Cutover {
  label: string;
  requests: number;
  failed: number;
  steps: number;
  /** First production write with green > 0 → first green answer. */
  firstGreen: number;
  /** The write reaching 100 % → last blue answer. */
  lastBlue: number;
  /** First write → last blue answer. */
  whole: number;
}

/** One deployment of revision `n` with `configuration`, measured. */
async function cutover(s: BlueGreenStage, label: string, n: number, configuration: DeploymentConfiguration): Promise<Cutover> {
  const blueVersion = (await describeService(s.ecs, CLUSTER, SERVICE)).taskDefinition!.split(':').pop();
  const blueAnswer = `v${answersOf.get(blueVersion!)}`;
  const greenAnswer = `v${n}`;
  const listener = (await s.elb.send(new DescribeListenersCommand({ ListenerArns: [s.productionListener] }))).Listeners![0]!;
  const current = listener.DefaultActions![0]!.ForwardConfig!.TargetGroups!;
  const green = current.find((g) => (g.Weight ?? 0) === 0)!.TargetGroupArn!;
  const watch = watchWeights(s);
  const loop = load(s, 80);
  const td = await s.revision(n);
  answersOf.set(td.split(':').pop()!, n);
  await s.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: td, deploymentConfiguration: configuration }));
  // Bake times are skipped: 2 s after a partial step (and every 5 s while it stays), the clock moves past the
  // 1-minute bake and the service is looked at again; at most 3 times a step, well inside SigV4's 15 minutes.
  let nudges = 0;
  let lastNudge = 0;
  await poll(`${label} complete`, async () => {
    const partial = watch.writes.filter((w) => { const p = greenPercent(w.weights, green); return p > 0 && p < 100; });
    const since = Math.max(partial.at(-1)?.at ?? Infinity, lastNudge);
    const last = watch.writes.at(-1);
    const waiting = last !== undefined && partial.at(-1) === last && nudges < 3 * partial.length;
    if (waiting && performance.now() - since > (lastNudge > partial.at(-1)!.at ? 5_000 : 2_000)) {
      nudges++;
      lastNudge = performance.now();
      s.skew.ms += 61_000;
      await s.ecs.send(new TagResourceCommand({ resourceArn: (await describeService(s.ecs, CLUSTER, SERVICE)).serviceArn!, tags: [{ key: 'nudge', value: String(s.skew.ms) }] }));
    }
    const svc = await describeService(s.ecs, CLUSTER, SERVICE);
    return svc.deployments!.length === 1 && svc.deployments![0]!.rolloutState === 'COMPLETED' && svc.taskDefinition === td && svc.runningCount === 2 ? true : undefined;
  }, {
    timeoutMs: MAX_S * 1000, everyMs: 250,
    describe: () => `weights written: ${watch.writes.map((w) => greenPercent(w.weights, green).toFixed(1)).join(' → ')} %, nudged ${nudges}`,
  });
  await sleep(1_000);
  const answers = await loop.stop();
  watch.stop();
  const shifting = watch.writes.filter((w) => greenPercent(w.weights, green) > 0);
  const start = shifting[0]?.at ?? NaN;
  const full = shifting.find((w) => greenPercent(w.weights, green) >= 100)?.at ?? NaN;
  const firstGreen = answers.find((a) => a.answer === greenAnswer)?.at ?? NaN;
  const lastBlue = lastOf(answers, blueAnswer)?.at ?? NaN;
  return {
    label, requests: answers.length, steps: shifting.length,
    failed: answers.filter((a) => !/^v\d+$/.test(a.answer)).length,
    firstGreen: firstGreen - start, lastBlue: lastBlue - full, whole: lastBlue - start,
  };
}

/** The last answer `answer`. */
function lastOf(answers: Answer[], answer: string): Answer | undefined {
  for (let i = answers.length - 1; i >= 0; i--) if (answers[i]!.answer === answer) return answers[i];
  return undefined;
}

/** Task definition revision → the N its tasks answer. */
const answersOf = new Map<string, number>();

/** A loopback server answering `name`, its port. */
async function plainServer(name: string): Promise<number> {
  const server = http.createServer((_req, res) => res.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

/** ModifyRule moving a rule's forward between two target groups (healthy loopback targets): commit → first new answer, → last old answer. */
async function reference(s: BlueGreenStage): Promise<{ firstNew: number[]; lastOld: number[]; firstNewFromCall: number[]; returned: number[]; failed: number; requests: number }> {
  const ids = (await s.ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER }))).containerInstanceArns!;
  const instanceId = (await s.ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: ids }))).containerInstances![0]!.ec2InstanceId!;
  const lbArn = (await s.elb.send(new DescribeListenersCommand({ ListenerArns: [s.productionListener] }))).Listeners![0]!.LoadBalancerArn!;
  const vpcId = (await s.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] }))).LoadBalancers![0]!.VpcId!;
  const group = async (name: string) => {
    const port = await plainServer(name);
    const g = (await s.elb.send(new CreateTargetGroupCommand({
      Name: `${CLUSTER}-${name}`, Protocol: 'HTTP', Port: port, VpcId: vpcId, TargetType: 'instance',
      HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    }))).TargetGroups![0]!.TargetGroupArn!;
    await s.elb.send(new RegisterTargetsCommand({ TargetGroupArn: g, Targets: [{ Id: instanceId, Port: port }] }));
    return g;
  };
  const groups = { 'ref-a': await group('ref-a'), 'ref-b': await group('ref-b') };
  const listener = (await s.elb.send(new CreateListenerCommand({
    LoadBalancerArn: lbArn,
    // Both groups in use (so both are health-checked): the default forwards to ref-b, the rule (matching every path) to ref-a.
    Protocol: 'HTTP', Port: 9090, DefaultActions: [{ Type: 'forward', TargetGroupArn: groups['ref-b'] }],
  }))).Listeners![0]!.ListenerArn!;
  const forward = (name: keyof typeof groups) => [{ Type: 'forward' as const, TargetGroupArn: groups[name] }];
  const rule = (await s.elb.send(new CreateRuleCommand({
    ListenerArn: listener, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/*'] }], Actions: forward('ref-a'),
  }))).Rules![0]!.RuleArn!;
  for (const g of Object.values(groups)) {
    await poll('reference targets healthy', async () =>
      (await s.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g }))).TargetHealthDescriptions![0]?.TargetHealth?.State === 'healthy' ? true : undefined,
    { timeoutMs: 60_000, everyMs: 250 });
  }
  const firstNew: number[] = [];
  const lastOld: number[] = [];
  const firstNewFromCall: number[] = [];
  const returned: number[] = [];
  let failed = 0;
  let requests = 0;
  let from: keyof typeof groups = 'ref-a';
  for (let round = 0; round < REFERENCE_ROUNDS; round++) {
    const to: keyof typeof groups = from === 'ref-a' ? 'ref-b' : 'ref-a';
    let committed = NaN;
    const unwatch = s.plane.store.watch(lbKeys.allRules, (ev) => {
      if (ev.type === 'put' && Number.isNaN(committed) && (JSON.parse(ev.kv.value) as RuleRecord).arn === rule) committed = performance.now();
    });
    const loop = load(s, 9090);
    await sleep(500);
    const sent = performance.now();
    await s.elb.send(new ModifyRuleCommand({ RuleArn: rule, Actions: forward(to) }));
    returned.push(performance.now() - sent);
    await sleep(1_000);
    const answers = await loop.stop();
    unwatch();
    firstNew.push((answers.find((a) => a.answer === to)?.at ?? NaN) - committed);
    firstNewFromCall.push((answers.find((a) => a.answer === to)?.at ?? NaN) - sent);
    lastOld.push((lastOf(answers, from)?.at ?? NaN) - committed);
    failed += answers.filter((a) => a.answer !== 'ref-a' && a.answer !== 'ref-b').length;
    requests += answers.length;
    from = to;
  }
  return { firstNew, lastOld, firstNewFromCall, returned, failed, requests };
}

const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'n/a');

async function main(): Promise<void> {
  stage = await blueGreenStage(CLUSTER);
  const s = stage;
  const v1 = await s.revision(1);
  answersOf.set(v1.split(':').pop()!, 1);
  await s.ecs.send(new CreateServiceCommand({
    cluster: CLUSTER, serviceName: SERVICE, taskDefinition: v1, desiredCount: 2,
    deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 }, loadBalancers: [s.loadBalancer()],
  }));
  await poll('the service settled', async () => {
    const svc = await describeService(s.ecs, CLUSTER, SERVICE);
    return svc.deployments!.length === 1 && svc.deployments![0]!.rolloutState === 'COMPLETED' && svc.runningCount === 2 ? true : undefined;
  }, { timeoutMs: 120_000, everyMs: 250 });

  const results: Cutover[] = [];
  let n = 1;
  for (let round = 0; round < ROUNDS; round++) {
    results.push(await cutover(s, 'BLUE_GREEN (all at once)', ++n, { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 }));
    results.push(await cutover(s, 'CANARY 10 %, then the rest', ++n, { strategy: 'CANARY', bakeTimeInMinutes: 0, canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 } }));
    results.push(await cutover(s, 'LINEAR 50 % steps', ++n, { strategy: 'LINEAR', bakeTimeInMinutes: 0, linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 1 } }));
  }
  const ref = await reference(s);

  console.log(`\nblue/green cutover through the production listener (${LOOPS} keep-alive loops, loopback; times from the store's commit of the listener's weights)\n`);
  console.log('| strategy | requests | weight writes | first write → first green answer | 100 % written → last blue answer | first write → last blue answer | failed requests |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) console.log(`| ${r.label} | ${r.requests} | ${r.steps} | ${ms(r.firstGreen)} | ${ms(r.lastBlue)} | ${ms(r.whole)} | ${r.failed} |`);
  console.log(`| reference: ModifyRule to another target group (median of ${REFERENCE_ROUNDS}) | ${ref.requests} | 1 | ${ms(median(ref.firstNew))} | ${ms(median(ref.lastOld))} | | ${ref.failed} |`);
  console.log(`\nreference rounds (from the commit): first new ${ref.firstNew.map(ms).join(', ')}; last old ${ref.lastOld.map(ms).join(', ')}`);
  console.log(`reference from the ModifyRule call: its response ${ms(median(ref.returned))}, first new answer ${ms(median(ref.firstNewFromCall))} (medians)`);
  console.log('(times from a commit are from when this process\'s watch of the store hears of it, which may trail the data plane\'s own watch by a few ms: a negative figure is that)');
  console.log('(canary and linear bake times skipped by moving the control plane\'s clock: their "first write → last blue" counts the 2 s the bench waits before it)');
}

runBench(main, async () => {
  for (const server of servers) server.close();
  await stage?.close();
});
