/**
 * Three `wharf server` replicas on a three-member etcd, with 4 simulated agents linked to one
 * replica: every replica serves the APIs over the shared state, exactly one leads the
 * controllers, and when the leader is killed with SIGKILL another takes over and acts (the
 * service keeps exactly its desired count, then follows a new one). Losing one etcd member
 * changes nothing visible; losing two refuses writes with a clear error until they return. A
 * real Docker agent whose replica dies moves to another and keeps its containers running, and
 * an image pushed through one replica is pulled through another, a blob upload begun on one is
 * finished on another (a shared registry directory).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeClustersCommand, DescribeContainerInstancesCommand, DescribeServicesCommand,
  DescribeTasksCommand, ListContainerInstancesCommand, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand,
  ECSClient, StopTaskCommand, UpdateServiceCommand, waitUntilTasksRunning,
} from '@aws-sdk/client-ecs';
import { startFleet, type Fleet } from '../src/agent/fleet.testing.ts';
import { EtcdCluster, freePort } from '../src/state/index.ts';
import { startAgentProcess } from './support/crash-services.ts';
import { removeClusterContainers } from './support/docker.ts';
import { credentials, ecsClient, spawnWharf, tempDir, type WharfProcess } from './support/wharf.ts';

const CLUSTER = 'replicated';
let etcd: EtcdCluster;
const replicas: (WharfProcess & { name: string })[] = [];
let fleet: Fleet;
let agent: WharfProcess | undefined;

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

/** The registry directory every replica mounts. */
const registryDir = tempDir('wharf-registry-');

async function startReplica(name: string): Promise<WharfProcess & { name: string }> {
  const port = await freePort();
  const r = await spawnWharf(
    [
      'server', '--port', String(port), '--data-dir', tempDir(), '--store', etcd.storeUrl, '--replica', name, '--instance-lost-after', '5',
      '--registry-dir', registryDir,
    ],
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

/** The Docker container running `taskArn` (by the ECS agent's label), as `docker inspect` shows it. */
function containerOf(taskArn: string): { Id: string; State: { StartedAt: string }; RestartCount: number } | undefined {
  const id = execFileSync('docker', ['ps', '-q', '--no-trunc', '--filter', `label=com.amazonaws.ecs.task-arn=${taskArn}`]).toString().trim();
  return id ? JSON.parse(execFileSync('docker', ['inspect', id]).toString())[0] : undefined;
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
  await agent?.stop();
  await fleet?.stop();
  for (const r of replicas) await r.stop();
  await etcd?.stop();
  removeClusterContainers(`arn:aws:ecs:us-east-1:123456789012:cluster/${CLUSTER}`);
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

  it('an IAM user made through one replica signs requests at another, until its key is deleted there', async () => {
    const iam = new IAMClient({ endpoint: replicas[0].url, region: 'us-east-1', credentials });
    await iam.send(new CreateUserCommand({ UserName: 'replica-reader' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'replica-reader', PolicyArn: 'arn:aws:iam::aws:policy/AmazonECS_FullAccess' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'replica-reader' }));
    const asUser = (r: WharfProcess) => new ECSClient({
      endpoint: r.url, region: 'us-east-1', credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! },
    });
    const other = replicas[replicas.length - 1];
    const { clusters } = await eventually(() => asUser(other).send(new DescribeClustersCommand({ clusters: [CLUSTER] })));
    assert.equal(clusters?.[0]?.clusterName, CLUSTER);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'replica-reader', AccessKeyId: AccessKey!.AccessKeyId! }));
    const refused = await eventually(() => asUser(other).send(new DescribeClustersCommand({ clusters: [CLUSTER] })).then(() => undefined, (e: Error) => e));
    assert.equal(refused.name, 'UnrecognizedClientException');
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
    await sleep(10_000); // long enough for clients to back off from the dead members

    etcd.restart(1);
    etcd.restart(2);
    await etcd.waitHealthy();
    await eventually(async () => (await ecs.send(new CreateClusterCommand({ clusterName: 'after-quorum' })), true));
    assert.equal(await runningCount(ecs, 'app'), 8);
    const { clusters: none } = await ecs.send(new DescribeClustersCommand({ clusters: ['without-quorum'] }));
    assert.equal(none?.length, 0, 'the refused write left nothing behind');
  });

  it('docker push to one replica, docker pull from another', { timeout: 120_000 }, async () => {
    const [a, b] = replicas;
    const dockerEnv = { ...process.env, DOCKER_CONFIG: tempDir('wharf-docker-config-') };
    const docker = (...args: string[]) => execFileSync('docker', args, { env: dockerEnv, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
    const ecr = new ECRClient({ endpoint: a.url, region: 'us-east-1', credentials });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'shared' }));
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const password = Buffer.from(authorizationData![0].authorizationToken!, 'base64').toString().split(':')[1];
    const hostA = new URL(a.url).host;
    const hostB = new URL(b.url).host;
    for (const host of [hostA, hostB]) {
      execFileSync('docker', ['login', host, '--username', 'AWS', '--password-stdin'], { env: dockerEnv, input: password, stdio: ['pipe', 'pipe', 'pipe'] });
    }
    const pushed = `${hostA}/shared:v1`;
    const pulled = `${hostB}/shared:v1`;
    try {
      docker('tag', 'wharf-test/busybox:latest', pushed);
      const digest = /digest: (sha256:[a-f0-9]{64})/.exec(docker('push', pushed))?.[1];
      assert.ok(digest);
      docker('rmi', pushed);
      const pull = docker('pull', pulled);
      assert.match(pull, new RegExp(digest!));
      const { imageDetails } = await new ECRClient({ endpoint: b.url, region: 'us-east-1', credentials })
        .send(new DescribeImagesCommand({ repositoryName: 'shared' }));
      assert.deepEqual(imageDetails!.map((i) => [i.imageDigest, i.imageTags]), [[digest, ['v1']]]);
    } finally {
      for (const ref of [pushed, pulled]) spawnSync('docker', ['rmi', ref]);
    }
  });

  it('a blob upload begun on one replica is continued and finished on another (the OCI distribution API)', async () => {
    const [a, b] = replicas;
    const ecr = new ECRClient({ endpoint: a.url, region: 'us-east-1', credentials });
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const authorization = `Basic ${authorizationData![0].authorizationToken}`;
    const first = Buffer.from('the first half of a layer, sent to one replica; ');
    const second = Buffer.from('the second half, sent to another.');
    const digest = `sha256:${createHash('sha256').update(Buffer.concat([first, second])).digest('hex')}`;

    const begun = await fetch(`${a.url}/v2/shared/blobs/uploads/`, { method: 'POST', headers: { authorization } });
    assert.equal(begun.status, 202);
    const location = begun.headers.get('location')!;
    const on = (r: WharfProcess, path: string) => new URL(path, r.url).toString();
    const part1 = await fetch(on(a, location), {
      method: 'PATCH', body: first, headers: { authorization, 'content-type': 'application/octet-stream', 'content-range': `0-${first.length - 1}` },
    });
    assert.equal(part1.status, 202);
    // The same upload, on the other replica: its state is in the shared directory.
    const status = await fetch(on(b, part1.headers.get('location')!), { headers: { authorization } });
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), `0-${first.length - 1}`);
    const part2 = await fetch(on(b, part1.headers.get('location')!), {
      method: 'PATCH', body: second, headers: {
        authorization, 'content-type': 'application/octet-stream', 'content-range': `${first.length}-${first.length + second.length - 1}`,
      },
    });
    assert.equal(part2.status, 202);
    const done = new URL(on(b, part2.headers.get('location')!));
    done.searchParams.set('digest', digest);
    assert.equal((await fetch(done, { method: 'PUT', headers: { authorization } })).status, 201);
    const fetched = await fetch(`${a.url}/v2/shared/blobs/${digest}`, { headers: { authorization } });
    assert.equal(fetched.status, 200);
    assert.deepEqual(Buffer.from(await fetched.arrayBuffer()), Buffer.concat([first, second]));
  });

  it('a real agent whose replica dies moves to another and keeps its task, its container never restarted', { timeout: 180_000 }, async () => {
    // The simulated agents leave first, with nothing on them.
    const ecs = ecsClient(replicas[0].url);
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'app', desiredCount: 0 }));
    await eventually(async () => ((await runningCount(ecs, 'app')) === 0 ? true : undefined));
    await fleet.stop();

    const leader = await leaderOf(replicas);
    const other = replicas.find((r) => r !== leader)!;
    // The agent's first replica is the leader: killing it moves the agent and the leadership at once.
    agent = await startAgentProcess(`${leader.url},${other.url}`, CLUSTER, tempDir());
    const agentInstance = await eventually(async () => {
      const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER, status: 'ACTIVE' }));
      const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: containerInstanceArns! }));
      return containerInstances!.find((ci) => ci.agentConnected)?.containerInstanceArn;
    });
    const run = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'replicated-app' }));
    const taskArn = run.tasks![0].taskArn!;
    assert.equal(run.tasks![0].containerInstanceArn, agentInstance);
    await waitUntilTasksRunning({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { cluster: CLUSTER, tasks: [taskArn] });
    const container = () => containerOf(taskArn);
    const before = container();
    assert.ok(before, 'the task runs in a container on the agent');

    await leader.kill9();
    replicas.splice(replicas.indexOf(leader), 1);
    const survivor = ecsClient(other.url);
    // The agent links to the survivor, which sends it what the store says (its task, still RUNNING).
    await eventually(async () => {
      const { containerInstances } = await survivor.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: [agentInstance] }));
      return containerInstances![0].agentConnected ? true : undefined;
    });
    await eventually(async () => ((await leaderOf(replicas)) === other ? true : undefined));
    // A new task placed through the survivor runs on the moved agent: its link works end to end.
    const second = await survivor.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'replicated-app' }));
    await waitUntilTasksRunning({ client: survivor, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { cluster: CLUSTER, tasks: [second.tasks![0].taskArn!] });
    const { tasks } = await survivor.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }));
    assert.equal(tasks![0].lastStatus, 'RUNNING');
    const after = container();
    assert.deepEqual([after?.Id, after?.State.StartedAt, after?.RestartCount], [before.Id, before.State.StartedAt, 0], 'the same container, never restarted');
    for (const t of [taskArn, second.tasks![0].taskArn!]) await survivor.send(new StopTaskCommand({ cluster: CLUSTER, task: t }));
  });
});
