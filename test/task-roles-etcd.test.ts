/**
 * Inside a task on `wharf server` with etcd (the distributed store) and a `wharf agent`, through
 * @aws-sdk/client-ecs, client-iam, client-secrets-manager and client-ssm with real containers:
 * a container gets its secrets (fetched with the execution role from the replica its agent uses)
 * and the AWS SDK inside it calls Wharf as the task role — the same path `wharf dev` takes on
 * SQLite (test/task-roles.test.ts), here on the other backend.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  CreateClusterCommand, DescribeTasksCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, waitUntilTasksStopped,
} from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { EtcdCluster, freePort } from '../src/state/index.ts';
import { startAgentProcess, until } from './support/crash-services.ts';
import { removeClusterContainers } from './support/docker.ts';
import { credentials, ecsClient, region, spawnWharf, tempDir, type WharfProcess } from './support/wharf.ts';

const run = Date.now().toString(36);
const CLUSTER = `roles-etcd-${run}`;
let etcd: EtcdCluster;
let server: WharfProcess;
let agent: WharfProcess;
let clusterArn = '';

before(async () => {
  etcd = await EtcdCluster.start({ members: 1, dir: tempDir('wharf-etcd-') });
  server = await spawnWharf(
    ['server', '--port', String(await freePort()), '--data-dir', tempDir(), '--store', etcd.storeUrl],
    /Wharf server ready at http:\/\//,
  );
  const ecs = ecsClient(server.url);
  clusterArn = (await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))).cluster!.clusterArn!;
  agent = await startAgentProcess(server.url, CLUSTER, tempDir());
  await until('the agent registered', async () => ((await ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER }))).containerInstanceArns ?? []).length === 1);
});

after(async () => {
  await agent?.stop();
  if (clusterArn) removeClusterContainers(clusterArn);
  await server?.stop();
  await etcd?.stop();
});

describe('task roles and secrets on etcd', () => {
  it('a container gets its secrets and the SDK inside it calls Wharf as the task role', { timeout: 120_000 }, async () => {
    const options = { endpoint: server.url, region, credentials };
    const iam = new IAMClient(options);
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const role = async (name: string, actions: string[]) => {
      const arn = (await iam.send(new CreateRoleCommand({ RoleName: `${name}-${run}`, AssumeRolePolicyDocument: trust }))).Role!.Arn!;
      await iam.send(new PutRolePolicyCommand({
        RoleName: `${name}-${run}`, PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
      }));
      return arn;
    };
    const executionRoleArn = await role('exec', ['secretsmanager:GetSecretValue', 'ssm:GetParameters']);
    const taskRoleArn = await role('app', ['ecs:ListClusters']);
    const secret = `etcd-secret-${run}`;
    const secretArn = (await new SecretsManagerClient(options).send(new CreateSecretCommand({ Name: `db-${run}`, SecretString: JSON.stringify({ password: secret }) }))).ARN!;
    await new SSMClient(options).send(new PutParameterCommand({ Name: `/etcd/${run}/key`, Type: 'SecureString', Value: `key-${run}` }));

    const script = `
      const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
      console.log('ARN=' + (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn);
      console.log('PASSWORD=' + process.env.PASSWORD);
      console.log('KEY=' + process.env.KEY);`;
    const ecs = ecsClient(server.url);
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: `etcd-roles-${run}`, taskRoleArn, executionRoleArn,
      containerDefinitions: [{
        name: 'app', image: 'wharf-test/node-sdk:latest', memory: 256, essential: true, command: ['node', '--input-type=module', '-e', script],
        secrets: [{ name: 'PASSWORD', valueFrom: `${secretArn}:password::` }, { name: 'KEY', valueFrom: `/etcd/${run}/key` }],
      }],
    }));
    const arn = (await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: `etcd-roles-${run}` }))).tasks![0].taskArn!;
    await waitUntilTasksStopped({ client: ecs, maxWaitTime: 90, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: [arn] });
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0];
    const logs = execFileSync('docker', ['logs', task.containers![0].runtimeId!], { encoding: 'utf8' });
    assert.equal(task.containers![0].exitCode, 0, `${task.stoppedReason}\n${logs}`);
    const out = Object.fromEntries(logs.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.equal(out.ARN, `arn:aws:sts::${taskRoleArn.split(':')[4]}:assumed-role/app-${run}/${arn.slice(arn.lastIndexOf('/') + 1)}`);
    assert.equal(out.PASSWORD, secret);
    assert.equal(out.KEY, `key-${run}`);
    assert.ok(!server.output().includes(secret) && !agent.output().includes(secret), 'the value shows in no output of Wharf');
  });
});
