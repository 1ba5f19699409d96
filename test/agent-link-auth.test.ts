/**
 * The authenticated agent link against a real `wharf server` (IAM enforced), with IAM users
 * made through the IAM API on the same server: the link refuses an unsigned client and one
 * signed with a wrong secret key (401), a principal IAM does not allow
 * ecs:RegisterContainerInstance, a client claiming another agent's id, and a report about a
 * task of another instance; and an IAM user with AmazonEC2ContainerServiceforEC2Role attached
 * runs a real `wharf agent` (Docker) whose tasks reach RUNNING.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand, DescribeContainerInstancesCommand, DescribeTasksCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand,
  StartTaskCommand, StopTaskCommand, waitUntilTasksRunning, waitUntilTasksStopped, type ECSClient,
} from '@aws-sdk/client-ecs';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { TEST_IMAGE, removeClusterContainers } from './support/docker.ts';
import { connectFakeAgent, type FakeAgent } from './support/fake-agent.ts';
import { awsCliEnv, credentials, ecsClient, region, spawnWharf, tempDir, type WharfProcess } from './support/wharf.ts';

const CLUSTER = 'link-auth';
const EC2_ROLE_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role';

let server: WharfProcess;
let ecs: ECSClient;
let iam: IAMClient;
let clusterArn: string;
const agents: FakeAgent[] = [];
const processes: WharfProcess[] = [];

/** A new IAM user with `policies` attached, and its access key. */
async function user(name: string, policies: string[]): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  for (const PolicyArn of policies) await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

/** What `connectFakeAgent` rejected with. */
async function refusal(o: Parameters<typeof connectFakeAgent>[1]): Promise<Error & { code?: string }> {
  return connectFakeAgent(server.url, o).then(
    (agent) => {
      agents.push(agent);
      return assert.fail('the link registered a client it should have refused');
    },
    (error: Error & { code?: string }) => error,
  );
}

before(async () => {
  server = await spawnWharf(['server', '--port', '0', '--data-dir', tempDir()], /Wharf server ready at http:\/\//);
  ecs = ecsClient(server.url);
  iam = new IAMClient({ endpoint: server.url, region, credentials, maxAttempts: 1 });
  clusterArn = (await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))).cluster!.clusterArn!;
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'link-auth', containerDefinitions: [{ name: 'main', image: TEST_IMAGE, memory: 16, command: ['sleep', '3600'], stopTimeout: 2 }],
  }));
});

after(async () => {
  for (const a of agents) await a.close();
  for (const p of processes) await p.stop();
  await server?.stop();
  if (clusterArn) removeClusterContainers(clusterArn);
});

describe('authenticated agent link', () => {
  it('refuses a client without a signature, or signed with a wrong secret key (401), registering nothing', async () => {
    assert.match((await refusal({ cluster: CLUSTER, credentials: null })).message, /Unexpected server response: 401/);
    const wrong = { accessKeyId: credentials.accessKeyId, secretAccessKey: `${credentials.secretAccessKey}x` };
    assert.match((await refusal({ cluster: CLUSTER, credentials: wrong })).message, /Unexpected server response: 401/);
    const unknown = { accessKeyId: 'AKIAUNKNOWNKEY000001', secretAccessKey: 'x'.repeat(40) };
    assert.match((await refusal({ cluster: CLUSTER, credentials: unknown })).message, /Unexpected server response: 401/);
    assert.deepEqual((await ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER }))).containerInstanceArns, []);
  });

  it('refuses a principal IAM does not allow ecs:RegisterContainerInstance', async () => {
    const nobody = await user('link-nobody', []);
    const error = await refusal({ cluster: CLUSTER, credentials: nobody });
    assert.equal(error.code, 'AccessDenied');
    assert.deepEqual((await ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER }))).containerInstanceArns, []);
    assert.match(error.message, /link-nobody is not authorized to perform: ecs:RegisterContainerInstance on resource: arn:aws:ecs:us-east-1:\d{12}:cluster\/link-auth/);
  });

  it("refuses a client claiming another agent's id, leaving the real agent's instance as it was", async () => {
    const real = await connectFakeAgent(server.url, { cluster: CLUSTER });
    agents.push(real);
    assert.ok(real.agentSecret, 'the first registration issues a secret');
    const describe = async () => (await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: real.containerInstanceArns }))).containerInstances![0];
    const before = await describe();
    for (const agentSecret of [undefined, 'a-guess']) {
      const error = await refusal({ cluster: CLUSTER, agentId: real.agentId, agentSecret, cpu: 1, memory: 1 });
      assert.equal(error.code, 'AgentIdentityRefused');
    }
    const after = await describe();
    assert.deepEqual(after, before, 'the real instance is untouched (resources, version, agentConnected)');
    assert.equal(after.agentConnected, true);
  });

  it('refuses a report about a task of another instance, and applies nothing', async () => {
    const [a, b] = [await connectFakeAgent(server.url, { cluster: CLUSTER }), await connectFakeAgent(server.url, { cluster: CLUSTER })];
    agents.push(a, b);
    const { tasks } = await ecs.send(new StartTaskCommand({ cluster: CLUSTER, taskDefinition: 'link-auth', containerInstances: a.containerInstanceArns }));
    const taskArn = tasks![0].taskArn!;
    b.send({ type: 'taskStateChange', change: { taskArn, lastStatus: 'RUNNING', containers: [{ name: 'main', lastStatus: 'RUNNING', runtimeId: 'f'.repeat(64) }] } });
    for (let i = 0; i < 100 && !b.received.some((m) => m.type === 'error'); i++) await new Promise((r) => setTimeout(r, 20));
    const error = b.received.find((m) => m.type === 'error');
    assert.ok(error?.type === 'error' && error.code === 'TaskNotOnInstance' && error.taskArn === taskArn, JSON.stringify(b.received.at(-1)));
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }))).tasks![0];
    assert.equal(task.lastStatus, 'PENDING');
    assert.equal(task.containers![0].runtimeId, undefined);
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn }));
  });

  it('runs a real `wharf agent` signed as an IAM user with AmazonEC2ContainerServiceforEC2Role: its tasks reach RUNNING', async () => {
    const key = await user('link-ec2-agent', [EC2_ROLE_POLICY]);
    const cluster = `${CLUSTER}-real`;
    const arn = (await ecs.send(new CreateClusterCommand({ clusterName: cluster }))).cluster!.clusterArn!;
    after(() => removeClusterContainers(arn));
    const agent = await spawnWharf(['agent', '--server', server.url, '--cluster', cluster, '--data-dir', join(tempDir(), 'agent')], /agent .* started/, {
      ...awsCliEnv, AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    });
    processes.push(agent);
    const wait = { client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 2 };
    for (let i = 0; i < 150; i++) {
      const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster }));
      if (containerInstanceArns?.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'link-auth', count: 2 })).catch((error: unknown) => {
      throw new Error(`${String(error)}; the agent said:\n${agent.output()}`);
    });
    const placed = run.tasks!.map((t) => t.taskArn!);
    assert.equal(placed.length, 2, 'the agent registered');
    await waitUntilTasksRunning(wait, { cluster, tasks: placed });
    const running = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: placed }))).tasks!;
    assert.ok(running.every((t) => t.lastStatus === 'RUNNING' && t.containers![0].runtimeId));
    for (const task of placed) await ecs.send(new StopTaskCommand({ cluster, task }));
    await waitUntilTasksStopped(wait, { cluster, tasks: placed });
  });
});
