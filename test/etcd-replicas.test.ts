/**
 * Three `wharf server` replicas on a three-member etcd, with 4 simulated agents linked to one
 * replica: every replica serves the APIs over the shared state, exactly one leads the
 * controllers, and when the leader is killed with SIGKILL another takes over and acts (the
 * service keeps exactly its desired count, then follows a new one). Losing one etcd member
 * changes nothing visible; losing two refuses writes with a clear error until they return.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeClustersCommand, DescribeServicesCommand, ListTasksCommand,
  RegisterTaskDefinitionCommand, UpdateServiceCommand, type ECSClient,
} from '@aws-sdk/client-ecs';
import { startFleet, type Fleet } from '../src/agent/fleet.testing.ts';
import { EtcdCluster, freePort } from '../src/state/index.ts';
import { credentials, ecsClient, spawnWharf, tempDir, type WharfProcess } from './support/wharf.ts';

const CLUSTER = 'replicated';
let etcd: EtcdCluster;
const replicas: (WharfProcess & { name: string })[] = [];
let fleet: Fleet;

interface Status { replica: string; leading: boolean; leader: string | null }
const status = async (r: WharfProcess): Promise<Status> => (await fetch(`${r.url}/_wharf/status`)).json() as Promise<Status>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 100 ms until it holds (the test's own timeout bounds it). */
async function eventually<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(100);
  }
}

async function startReplica(name: string): Promise<WharfProcess & { name: string }> {
  const port = await freePort();
  const r = await spawnWharf(
    ['server', '--port', String(port), '--data-dir', tempDir(), '--store', etcd.storeUrl, '--replica', name, '--instance-lost-after', '5'],
    /Wharf server ready at http:\/\//,
  );
  return { ...r, name };
}

/** The replica that leads, once all live ones agree on it. */
async function leaderOf(live: (WharfProcess & { name: string })[]): Promise<WharfProcess & { name: string }> {
  return eventually(async () => {
    const all = await Promise.all(live.map(status));
    const leading = all.filter((s) => s.leading);
    if (leading.length !== 1 || all.some((s) => s.leader !== leading[0].replica)) return undefined;
    return live.find((r) => r.name === leading[0].replica);
  });
}

async function runningCount(ecs: ECSClient, service: string): Promise<number> {
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }));
  return services![0].runningCount!;
}

before(async () => {
  etcd = await EtcdCluster.start({ members: 3, dir: tempDir('wharf-etcd-') });
  for (const name of ['r1', 'r2', 'r3']) replicas.push(await startReplica(name));
});
after(async () => {
  await fleet?.stop();
  for (const r of replicas) await r.stop();
  await etcd?.stop();
});

describe('replicas on etcd', () => {
  it('every replica serves the shared state; exactly one leads', async () => {
    await ecsClient(replicas[0].url).send(new CreateClusterCommand({ clusterName: CLUSTER }));
    for (const r of replicas) {
      const { clusters } = await ecsClient(r.url).send(new DescribeClustersCommand({ clusters: [CLUSTER] }));
      assert.equal(clusters?.[0]?.status, 'ACTIVE', `${r.name} sees the cluster made through r1`);
    }
    const leader = await leaderOf(replicas);
    const all = await Promise.all(replicas.map(status));
    assert.deepEqual(all.map((s) => s.leader), [leader.name, leader.name, leader.name]);
  });

  it('a killed leader is replaced; the new one keeps the service at exactly its count and follows a new one', { timeout: 120_000 }, async () => {
    const leader = await leaderOf(replicas);
    // The agents link to a replica that is not the leader (agents moving between replicas is another test).
    const home = replicas.find((r) => r !== leader)!;
    const ecs = ecsClient(home.url);
    fleet = await startFleet({ serverUrl: home.url, credentials, cluster: CLUSTER, count: 4, sizes: () => ({ cpu: 4096, memory: 4096 }) });
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'replicated-app', containerDefinitions: [{ name: 'main', image: 'wharf-test/busybox:latest', memory: 128, command: ['sleep', '3600'] }],
    }));
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'app', taskDefinition: 'replicated-app', desiredCount: 6 }));
    await eventually(async () => ((await runningCount(ecs, 'app')) === 6 ? true : undefined));

    await leader.kill9();
    const live = replicas.filter((r) => r !== leader);
    const next = await leaderOf(live);
    assert.notEqual(next.name, leader.name);
    // The API keeps answering on the survivors, and the service is still exactly 6.
    for (const r of live) assert.equal(await runningCount(ecsClient(r.url), 'app'), 6);
    const tasks = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'app', desiredStatus: 'RUNNING' }));
    assert.equal(tasks.taskArns!.length, 6);

    // The new leader's service controller acts on a change made through any replica.
    await ecsClient(next.url).send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'app', desiredCount: 8 }));
    await eventually(async () => ((await runningCount(ecs, 'app')) === 8 ? true : undefined));
    await sleep(500);
    assert.equal(await runningCount(ecs, 'app'), 8, 'never more than desired');
    replicas.splice(replicas.indexOf(leader), 1);
  });

  it('one etcd member lost: nothing visible; two lost: writes refused clearly, and everything resumes when they return', { timeout: 120_000 }, async () => {
    const ecs = ecsClient(replicas[0].url);
    await etcd.kill(2);
    await ecs.send(new CreateClusterCommand({ clusterName: 'with-one-member-down' }));
    const { clusters } = await ecsClient(replicas[1].url).send(new DescribeClustersCommand({ clusters: ['with-one-member-down'] }));
    assert.equal(clusters?.[0]?.status, 'ACTIVE');

    await etcd.kill(1);
    const refused = await ecs.send(new CreateClusterCommand({ clusterName: 'without-quorum' })).then(() => undefined, (error: unknown) => error);
    assert.ok(refused instanceof Error, 'a write without a quorum is refused');
    assert.ok((refused as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode! >= 500, 'as a server-side, retryable error');
    assert.match(refused.message, /store \(etcd\) is unavailable/);

    etcd.restart(1);
    etcd.restart(2);
    await etcd.waitHealthy();
    await eventually(async () => (await ecs.send(new CreateClusterCommand({ clusterName: 'after-quorum' })), true));
    assert.equal(await runningCount(ecs, 'app'), 8);
    const { clusters: none } = await ecs.send(new DescribeClustersCommand({ clusters: ['without-quorum'] }));
    assert.equal(none?.length, 0, 'the refused write left nothing behind');
  });
});
