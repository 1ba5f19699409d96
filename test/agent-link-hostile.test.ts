/**
 * What a hostile client did to earlier Wharf through the agent link, repeated against a real
 * `wharf server` — bounded in count and time, on loopback only: hellos in regions Wharf does
 * not serve, malformed and oversized messages, a hello flood and a report flood. The link
 * refuses each, the API keeps answering (its latency is printed as information; only answers
 * are asserted), a well-behaved agent's reports still land, and the server — and `wharf dev`
 * with its local agent — restart with every good record intact over the bad records that
 * earlier Wharf let such clients store.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  CreateClusterCommand, DescribeTasksCommand, ListClustersCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand,
  StartTaskCommand, type ECSClient,
} from '@aws-sdk/client-ecs';
import { ECSClient as Client } from '@aws-sdk/client-ecs';
import { keys } from '../src/ecs/index.ts';
import { connectLink, helloOf, isError, isRegistered, type LinkClient } from '../src/link/testing.ts';
import { SqliteStore } from '../src/state/index.ts';
import { ecsSnapshot } from './support/ecs-snapshot.ts';
import { connectFakeAgent, type FakeAgent } from './support/fake-agent.ts';
import { credentials, region, spawnWharf, startDev, tempDir, type WharfProcess } from './support/wharf.ts';

const ACCOUNT = '123456789012';
const BAD = { account: ACCOUNT, region: 'x_y' };
let dataDir: string;
let server: WharfProcess;
let ecs: ECSClient;
const agents: FakeAgent[] = [];
const clients: LinkClient[] = [];

const startServer = () => spawnWharf(['server', '--port', '0', '--data-dir', dataDir], /Wharf server ready at http:\/\//);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** `n` ListClusters calls one after another: their latencies; each must be answered (no retries hide a 5xx). */
async function apiLatencies(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await ecs.send(new ListClustersCommand({}));
    assert.ok(res.clusterArns?.length, 'the API answers');
    out.push(performance.now() - t0);
  }
  return out;
}

/** Runs `flood` while the API is called; prints the API's latency during it; asserts every call was answered. */
async function underFlood(t: TestContext, label: string, flood: (stop: () => boolean) => Promise<void>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  const latencies: number[] = [];
  const calls = (async () => {
    while (Date.now() < deadline) latencies.push(...(await apiLatencies(1)));
  })();
  await Promise.all([flood(() => Date.now() >= deadline), calls]);
  t.diagnostic(`${label}: ${latencies.length} API calls answered, median ${median(latencies).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`);
  assert.ok(latencies.length > 0);
}

before(async () => {
  dataDir = tempDir();
  server = await startServer();
  ecs = new Client({ endpoint: server.url, region, credentials, maxAttempts: 1 });
  for (const clusterName of ['good', 'flood']) await ecs.send(new CreateClusterCommand({ clusterName }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'good', containerDefinitions: [{ name: 'main', image: 'busybox', memory: 16 }] }));
});

after(async () => {
  for (const c of clients) c.ws.terminate();
  for (const a of agents) await a.close();
  await server?.stop();
});

describe('a hostile client on the agent link', () => {
  it('is refused for regions Wharf does not serve and for malformed or oversized messages; nothing is stored', async () => {
    const before = await ecs.send(new ListContainerInstancesCommand({ cluster: 'good' }));
    const badScope = await connectLink(server.url, credentials, { region: 'x_y' });
    assert.equal(badScope.status, 401, 'an upgrade signed for region x_y');
    const hellos: Array<[Record<string, unknown>, string]> = [
      [{ region: 'x_y' }, 'InvalidHello'],
      [{ cpu: 'abc' }, 'InvalidHello'],
      [{ memory: -5 }, 'InvalidHello'],
      [{ attributes: Array.from({ length: 1000 }, (_, i) => ({ name: `a${i}`, value: 'v' })) }, 'InvalidHello'],
    ];
    for (const [over, code] of hellos) {
      const c = await connectLink(server.url, credentials);
      clients.push(c);
      c.send(helloOf(`hostile-${code}`, { cluster: 'good', ...over }));
      assert.equal((await c.next(isError)).code, code, JSON.stringify(over).slice(0, 60));
      assert.equal((await c.closed).code, 1008);
    }
    const junk = await connectLink(server.url, credentials);
    clients.push(junk);
    junk.send('not json');
    junk.ws.send(Buffer.from([0, 1, 2]));
    junk.send({ type: 'taskStateChange', change: { taskArn: 'x' } });
    await sleep(200);
    assert.deepEqual(junk.messages.filter(isError).map((e) => e.code), ['InvalidMessage', 'InvalidMessage', 'InvalidReport']);
    // One 15 MB hello: far beyond the link's message limit, so the link is closed (1009) before it is read.
    const huge = await connectLink(server.url, credentials);
    huge.send(helloOf('hostile-huge', { cluster: 'good', hostname: 'h'.repeat(15 * 1024 * 1024) }));
    assert.ok([1006, 1009].includes((await huge.closed).code), 'closed: too big (1009), or reset while still sending');
    assert.deepEqual(await ecs.send(new ListContainerInstancesCommand({ cluster: 'good' })).then((r) => r.containerInstanceArns), before.containerInstanceArns);
    assert.deepEqual((await ecs.send(new ListClustersCommand({}))).clusterArns?.filter((a) => a.includes('x_y')), []);
  });

  it('a hello flood and a report flood leave the API answering and a well-behaved agent heard', async (t) => {
    t.diagnostic(`API before: median ${median(await apiLatencies(30)).toFixed(1)} ms over 30 calls`);
    // 300 upgrades from one address, 50 at a time, each saying hello.
    let registered = 0;
    let throttled = 0;
    await underFlood(t, 'during a hello flood (300 upgrades from one address)', async () => {
      let next = 0;
      await Promise.all(Array.from({ length: 50 }, async () => {
        while (next < 300) {
          const i = next++;
          const c = await connectLink(server.url, credentials, { localAddress: '127.0.0.1' });
          clients.push(c);
          if (c.status === 429) {
            throttled++;
            continue;
          }
          c.send(helloOf(`flood-${i}`, { cluster: 'flood' }));
          const answer = await c.next((m) => m.type === 'registered' || m.type === 'error');
          if (answer.type === 'registered') registered++;
        }
      }));
    }, 3000);
    t.diagnostic(`hello flood: ${registered} registered, ${throttled} refused with 429`);
    assert.ok(throttled > 0, 'the flood was throttled');
    assert.ok(registered <= 120, `at most a burst and a few seconds' rate registered (${registered})`);

    // 2,000 hellos on one socket: the second closes it; at most the first is registered.
    const flooded = async () => (await ecs.send(new ListContainerInstancesCommand({ cluster: 'flood', maxResults: 100 }))).containerInstanceArns!.length;
    const instancesBefore = await flooded();
    const one = await connectLink(server.url, credentials, { localAddress: '127.0.0.3' });
    clients.push(one);
    for (let i = 0; i < 2000; i++) one.send(helloOf(`one-socket-${i}`, { cluster: 'flood' }));
    assert.equal((await one.closed).code, 1008);
    assert.equal(one.messages.filter(isError)[0]?.code, 'HelloRepeated');
    assert.ok(one.messages.filter(isRegistered).length <= 1);
    await sleep(200);
    assert.ok((await flooded()) - instancesBefore <= 1, 'one socket, at most one instance');

    // A well-behaved agent with a task, and a flooder sending 20,000 reports of tasks not its own, and malformed ones.
    const good = await connectFakeAgent(server.url, { cluster: 'good' });
    const flooder = await connectFakeAgent(server.url, { cluster: 'good' });
    agents.push(good, flooder);
    const { tasks } = await ecs.send(new StartTaskCommand({ cluster: 'good', taskDefinition: 'good', containerInstances: good.containerInstanceArns }));
    const taskArn = tasks![0].taskArn!;
    await underFlood(t, 'during a report flood (20,000 reports on one link)', async () => {
      for (let i = 0; i < 20_000; i++) {
        if (i % 100 === 0) await new Promise((r) => setImmediate(r)); // the flooder shares this process with the API calls measured
        flooder.send(i % 2
          ? { type: 'taskStateChange', change: { taskArn, lastStatus: 'STOPPED', containers: [{ name: 'main', lastStatus: 'STOPPED', exitCode: 1 }] } }
          : { type: 'taskStateChange', change: { taskArn, lastStatus: 'RUNNING', containers: 'x'.repeat(1000) } });
      }
      await sleep(500);
      good.send({ type: 'taskStateChange', change: { taskArn, lastStatus: 'RUNNING', containers: [{ name: 'main', lastStatus: 'RUNNING', runtimeId: 'a'.repeat(64) }] } });
      let status: string | undefined;
      for (let i = 0; i < 100 && status !== 'RUNNING'; i++) {
        status = (await ecs.send(new DescribeTasksCommand({ cluster: 'good', tasks: [taskArn] }))).tasks![0].lastStatus;
        if (status !== 'RUNNING') await sleep(50);
      }
      assert.equal(status, 'RUNNING', "the well-behaved agent's report is applied during the flood");
    }, 3000);
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: 'good', tasks: [taskArn] }))).tasks![0];
    assert.equal(task.lastStatus, 'RUNNING', "none of the flooder's false STOPPED reports was applied");
    assert.ok(flooder.received.some((m) => m.type === 'error' && m.code === 'TaskNotOnInstance'));
    await flooder.close();
    t.diagnostic(`API after: median ${median(await apiLatencies(30)).toFixed(1)} ms over 30 calls`);
  });

  it('restarts with every good record intact over bad records a hostile client stored in earlier Wharf', async () => {
    for (const c of clients) c.ws.terminate();
    for (const a of agents.splice(0)) await a.close();
    await sleep(500);
    const before = await ecsSnapshot(ecs, []);
    await server.stop();
    const store = SqliteStore.open(join(dataDir, 'wharf.db'));
    const badInstance = 'e'.repeat(32);
    await store.txn([], [
      { type: 'put', key: keys.cluster(BAD, 'default'), value: JSON.stringify({ name: 'default', arn: `arn:aws:ecs:x_y:${ACCOUNT}:cluster/default`, status: 'ACTIVE', tags: [] }) },
      { type: 'put', key: keys.instance(BAD, 'default', badInstance), value: JSON.stringify({ id: badInstance, arn: `arn:aws:ecs:x_y:${ACCOUNT}:container-instance/default/${badInstance}`, clusterName: 'default', agentConnected: true, status: 'ACTIVE', version: 1 }) },
      { type: 'put', key: keys.agentInstance('evil', BAD, 'default'), value: JSON.stringify({ instanceId: badInstance }) },
      { type: 'put', key: keys.instance(BAD, 'default', 'f'.repeat(32)), value: '{"cpu":"abc",' },
    ]);
    await store.close();
    server = await startServer();
    ecs = new Client({ endpoint: server.url, region, credentials, maxAttempts: 1 });
    assert.equal(server.output().match(/skipped container instance record \S*x_y/g)?.length, 2, 'each bad record reported');
    assert.deepEqual(await ecsSnapshot(ecs, []), before, 'every good record as it was');
    const back = await connectFakeAgent(server.url, { cluster: 'good' });
    agents.push(back);
    assert.equal(back.containerInstanceArns.length, 1, 'agents register again');
  });

  it('`wharf dev` restarts over a cluster record in region x_y, and its local agent registers', async () => {
    const dir = tempDir();
    let dev = await startDev(dir);
    await dev.stop();
    const store = SqliteStore.open(join(dir, 'wharf.db'));
    await store.txn([], [{ type: 'put', key: keys.cluster(BAD, 'hostile'), value: JSON.stringify({ name: 'hostile', arn: `arn:aws:ecs:x_y:${ACCOUNT}:cluster/hostile`, status: 'ACTIVE', tags: [] }) }]);
    await store.close();
    dev = await startDev(dir); // "Wharf ready" waits for the local agent's instance
    try {
      const devEcs = new Client({ endpoint: dev.url, region, credentials, maxAttempts: 1 });
      const { containerInstanceArns } = await devEcs.send(new ListContainerInstancesCommand({ cluster: 'default' }));
      assert.equal(containerInstanceArns?.length, 1);
    } finally {
      await dev.stop();
    }
  });
});
