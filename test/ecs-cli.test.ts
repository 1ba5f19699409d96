/**
 * The README's main path through the AWS CLI v2 (Debian's awscli at /usr/bin/aws) against a
 * real `wharf dev`: create-cluster, register-task-definition from examples/web.json, run-task
 * --count 2, the CLI's own waiters, HTTP to each mapped port, stop-task, errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { awsCliEnv, region, startDev, type WharfProcess } from './support/wharf.ts';
import { httpGet, removeClusterContainers } from './support/docker.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';
const examples = new URL('../examples/', import.meta.url).pathname;

let wharf: WharfProcess;
let clusterArn: string | undefined;

before(async () => {
  wharf = await startDev();
});

after(async () => {
  if (clusterArn) removeClusterContainers(clusterArn);
  await wharf?.stop();
});

const env = {
  ...awsCliEnv,
  AWS_DEFAULT_REGION: region,
  AWS_REGION: region,
};

/** Runs `aws --endpoint-url <wharf> ecs ...args` and parses its JSON output. */
async function ecs(...args: string[]): Promise<Record<string, any>> {
  const { stdout } = await run(AWS, ['--endpoint-url', wharf.url, '--output', 'json', 'ecs', ...args], { env, cwd: examples });
  return stdout.trim() ? JSON.parse(stdout) : {};
}

/** Runs a command that must fail; returns its stderr. */
async function ecsFails(...args: string[]): Promise<string> {
  try {
    await ecs(...args);
  } catch (error) {
    return String((error as { stderr?: string }).stderr);
  }
  throw new Error(`aws ecs ${args.join(' ')} succeeded`);
}

describe('the AWS CLI v2', () => {
  it('is the v2 CLI', async () => {
    const { stdout, stderr } = await run(AWS, ['--version'], { env });
    assert.match(stdout + stderr, /^aws-cli\/2\./);
  });

  it('creates a cluster, registers, runs 2 tasks that serve HTTP, stops them', async () => {
    const { cluster } = await ecs('create-cluster', '--cluster-name', 'cli-demo');
    clusterArn = cluster.clusterArn;
    assert.equal(cluster.status, 'ACTIVE');

    const { taskDefinition } = await ecs('register-task-definition', '--cli-input-json', 'file://web.json');
    assert.equal(taskDefinition.family, 'web');
    assert.equal(taskDefinition.status, 'ACTIVE');
    assert.match(taskDefinition.taskDefinitionArn, /^arn:aws:ecs:us-east-1:123456789012:task-definition\/web:\d+$/);

    const ran = await ecs('run-task', '--cluster', 'cli-demo', '--task-definition', 'web', '--count', '2');
    assert.deepEqual(ran.failures, []);
    const arns: string[] = ran.tasks.map((t: { taskArn: string }) => t.taskArn);
    assert.equal(arns.length, 2);

    await ecs('wait', 'tasks-running', '--cluster', 'cli-demo', '--tasks', ...arns);
    const described = await ecs('describe-tasks', '--cluster', 'cli-demo', '--tasks', ...arns);
    const ports = described.tasks.map((t: any) => t.containers[0].networkBindings[0].hostPort as number);
    assert.equal(new Set(ports).size, 2, 'each task gets its own dynamic host port');
    for (const port of ports) assert.equal(await httpGet(`http://127.0.0.1:${port}/`), 'hello from wharf\n');

    const listed = await ecs('list-tasks', '--cluster', 'cli-demo', '--family', 'web');
    assert.deepEqual([...listed.taskArns].sort(), [...arns].sort());

    for (const task of arns) await ecs('stop-task', '--cluster', 'cli-demo', '--task', task, '--reason', 'cli test');
    await ecs('wait', 'tasks-stopped', '--cluster', 'cli-demo', '--tasks', ...arns);
    const stopped = await ecs('describe-tasks', '--cluster', 'cli-demo', '--tasks', ...arns);
    for (const t of stopped.tasks) {
      assert.equal(t.lastStatus, 'STOPPED');
      assert.equal(t.stoppedReason, 'cli test');
      assert.equal(typeof t.containers[0].exitCode, 'number');
    }
  });

  it('shows AWS errors as the CLI reports them', async () => {
    assert.match(await ecsFails('describe-task-definition', '--task-definition', 'no-such-family'), /ClientException/);
    assert.match(await ecsFails('run-task', '--cluster', 'no-such-cluster', '--task-definition', 'web'), /ClusterNotFoundException/);
  });

  it('lists and deletes through the CLI', async () => {
    const families = await ecs('list-task-definition-families', '--family-prefix', 'web');
    assert.deepEqual(families.families, ['web']);
    const { clusters } = await ecs('describe-clusters', '--clusters', 'cli-demo');
    assert.equal(clusters[0].registeredContainerInstancesCount, 1);
    const deleted = await ecs('delete-cluster', '--cluster', 'cli-demo');
    assert.equal(deleted.cluster.status, 'INACTIVE');
  });
});
