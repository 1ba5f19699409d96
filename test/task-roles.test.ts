/**
 * Inside a task, through @aws-sdk/client-ecs, client-iam, client-secrets-manager and client-ssm
 * against a real `wharf dev` and real containers: secrets from Secrets Manager (whole value and
 * a JSON key) and Parameter Store (String and SecureString) in a container's environment,
 * fetched with the execution role; ECS's stop reasons when a secret is missing or the role may
 * not read it; the values nowhere else (DescribeTasks, service events, Wharf's output, its data
 * directory with the agent's checkpoint); the AWS SDK for JavaScript and the AWS CLI inside a task finding the
 * task role's credentials by itself and calling Wharf through AWS_ENDPOINT_URL; one task unable
 * to read another's credentials; the metadata endpoint v3/v4 for bridge and awsvpc tasks; and an
 * image pulled with the registry login a secret holds (repositoryCredentials).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand,
  ListTasksCommand, RegisterTaskDefinitionCommand,
  RunTaskCommand, UpdateServiceCommand, waitUntilServicesStable, waitUntilTasksRunning, waitUntilTasksStopped,
  type ContainerDefinition, type ECSClient, type RegisterTaskDefinitionCommandInput, type RunTaskCommandInput, type Task,
} from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { credentials, ecsClient, region, startDev, tempDir, type WharfProcess } from './support/wharf.ts';
import { TEST_IMAGE, docker, removeClusterContainers } from './support/docker.ts';
import { removeAwsvpcLeftovers } from './support/awsvpc.ts';

const SDK_IMAGE = 'wharf-test/node-sdk:latest';
const CLI_IMAGE = 'wharf-test/awscli:latest';
const run = Date.now().toString(36);
let wharf: WharfProcess;
let ecs: ECSClient;
let cluster: string;
let clusterArn: string;
let account: string;
let subnetId: string | undefined;
const roles: Record<'exec' | 'app' | 'narrow' | 'untrusted', string> = { exec: '', app: '', narrow: '', untrusted: '' };
/** Values that must show only inside containers. */
const values = { dbPassword: `pw-${run}-Zq8`, token: `tok-${run}-Xr4`, mode: `mode-${run}`, apiKey: `key-${run}-Kd2` };
const refs = { db: '', token: '', mode: `/app/${run}/mode`, apiKey: `/app/${run}/api-key` };

const trust = (service: string) => JSON.stringify({
  Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
});
const allow = (...actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

before(async () => {
  wharf = await startDev();
  ecs = ecsClient(wharf.url);
  const options = { endpoint: wharf.url, region, credentials };
  const iam = new IAMClient(options);
  const role = async (name: string, service: string, policy?: string) => {
    const arn = (await iam.send(new CreateRoleCommand({ RoleName: `${name}-${run}`, AssumeRolePolicyDocument: trust(service) }))).Role!.Arn!;
    if (policy) await iam.send(new PutRolePolicyCommand({ RoleName: `${name}-${run}`, PolicyName: 'p', PolicyDocument: policy }));
    return arn;
  };
  roles.exec = await role('exec', 'ecs-tasks.amazonaws.com', allow('secretsmanager:GetSecretValue', 'ssm:GetParameters', 'kms:Decrypt'));
  roles.app = await role('app', 'ecs-tasks.amazonaws.com', allow('ecs:ListClusters'));
  roles.narrow = await role('narrow', 'ecs-tasks.amazonaws.com', allow('ssm:GetParameters'));
  roles.untrusted = await role('untrusted', 'ec2.amazonaws.com', allow('secretsmanager:GetSecretValue', 'ssm:GetParameters'));
  account = roles.exec.split(':')[4]!;

  const asm = new SecretsManagerClient(options);
  refs.db = (await asm.send(new CreateSecretCommand({ Name: `db-${run}`, SecretString: JSON.stringify({ user: 'admin', password: values.dbPassword }) }))).ARN!;
  refs.token = (await asm.send(new CreateSecretCommand({ Name: `token-${run}`, SecretString: values.token }))).ARN!;
  const ssm = new SSMClient(options);
  await ssm.send(new PutParameterCommand({ Name: refs.mode, Type: 'String', Value: values.mode }));
  await ssm.send(new PutParameterCommand({ Name: refs.apiKey, Type: 'SecureString', Value: values.apiKey }));

  const created = await ecs.send(new CreateClusterCommand({ clusterName: `roles-${run}` }));
  cluster = created.cluster!.clusterName!;
  clusterArn = created.cluster!.clusterArn!;
});

after(async () => {
  if (clusterArn) removeClusterContainers(clusterArn);
  await wharf?.stop();
  if (subnetId) removeAwsvpcLeftovers([subnetId]);
});

const sh = (script: string) => ['sh', '-c', script];
const box = (name: string, script: string, over: Partial<ContainerDefinition> = {}): ContainerDefinition =>
  ({ name, image: TEST_IMAGE, memory: 64, essential: true, stopTimeout: 2, command: sh(script), ...over });

/** Registers `family` and runs one task of it; returns its ARN. */
async function runTask(family: string, containerDefinitions: ContainerDefinition[], extra: Partial<RegisterTaskDefinitionCommandInput> = {}, runExtra: Partial<RunTaskCommandInput> = {}): Promise<string> {
  await ecs.send(new RegisterTaskDefinitionCommand({ family: `${family}-${run}`, containerDefinitions, ...extra }));
  const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `${family}-${run}`, ...runExtra }));
  assert.deepEqual(failures, []);
  return tasks![0].taskArn!;
}

async function stopped(arn: string): Promise<Task> {
  await waitUntilTasksStopped({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { cluster, tasks: [arn] });
  return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
}

/** What a stopped task's container printed. */
function logsOf(task: Task, container = 'app'): string {
  const id = task.containers!.find((c) => c.name === container)!.runtimeId!;
  return docker('logs', id);
}

/** `KEY=value` lines a container printed, as an object. */
function printed(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('secrets in a container’s environment', () => {
  const secrets = () => [
    { name: 'DB_PASSWORD', valueFrom: `${refs.db}:password::` },
    { name: 'DB_JSON', valueFrom: refs.db },
    { name: 'TOKEN', valueFrom: refs.token },
    { name: 'MODE', valueFrom: refs.mode },
    { name: 'API_KEY', valueFrom: `arn:aws:ssm:${region}:${account}:parameter${refs.apiKey}` },
  ];
  const printAll = 'echo DB_PASSWORD=$DB_PASSWORD; echo DB_JSON=$DB_JSON; echo TOKEN=$TOKEN; echo MODE=$MODE; echo API_KEY=$API_KEY';

  it('come from Secrets Manager (whole and a JSON key) and Parameter Store (String, SecureString by ARN)', async () => {
    const task = await stopped(await runTask('secrets', [box('app', printAll, { secrets: secrets() })], { executionRoleArn: roles.exec }));
    assert.equal(task.containers![0].exitCode, 0, task.stoppedReason);
    const env = printed(logsOf(task));
    assert.equal(env.DB_PASSWORD, values.dbPassword);
    assert.deepEqual(JSON.parse(env.DB_JSON!), { user: 'admin', password: values.dbPassword });
    assert.equal(env.TOKEN, values.token);
    assert.equal(env.MODE, values.mode);
    assert.equal(env.API_KEY, values.apiKey);
  });

  it('a missing secret stops the task with ECS’s reason', async () => {
    const missing = `arn:aws:secretsmanager:${region}:${account}:secret:nope-${run}-AbCdEf`;
    const task = await stopped(await runTask('secrets-missing', [box('app', 'echo never', { secrets: [{ name: 'X', valueFrom: missing }] })], { executionRoleArn: roles.exec }));
    assert.equal(task.stopCode, 'TaskFailedToStart');
    assert.match(task.stoppedReason!, /^ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: .*ResourceNotFoundException/);
    const param = await stopped(await runTask('params-missing', [box('app', 'echo never', { secrets: [{ name: 'X', valueFrom: `/nope/${run}` }] })], { executionRoleArn: roles.exec }));
    assert.match(param.stoppedReason!, new RegExp(`^ResourceInitializationError: unable to pull secrets or registry auth: .*invalid parameters: /nope/${run}`));
  });

  it('an execution role that may not read the secret, or none, stops the task; one that does not trust ECS is refused at launch', async () => {
    const denied = await stopped(await runTask('secrets-denied', [box('app', 'echo never', { secrets: [{ name: 'T', valueFrom: refs.token }] })], { executionRoleArn: roles.narrow }));
    assert.match(denied.stoppedReason!, /^ResourceInitializationError: unable to pull secrets or registry auth: .*AccessDeniedException: .*assumed-role\/narrow-.* is not authorized to perform: secretsmanager:GetSecretValue/);
    // A role ECS cannot assume is refused at launch, as ECS does.
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: `secrets-untrusted-${run}`, executionRoleArn: roles.untrusted, containerDefinitions: [box('app', 'echo never', { secrets: [{ name: 'M', valueFrom: refs.mode }] })],
    }));
    await assert.rejects(ecs.send(new RunTaskCommand({ cluster, taskDefinition: `secrets-untrusted-${run}` })), (e: Error) => e.name === 'InvalidParameterException'
      && e.message === `ECS was unable to assume the role '${roles.untrusted}' that was provided for this task. `
        + 'Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.');
    const none = await stopped(await runTask('secrets-no-role', [box('app', 'echo never', { secrets: [{ name: 'M', valueFrom: refs.mode }] })]));
    assert.match(none.stoppedReason!, /^ResourceInitializationError: unable to pull secrets or registry auth: the task definition has no execution role/);
  });

  it('the values appear in no API answer, service event, Wharf output or file of its data directory', async () => {
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: `secret-svc-${run}`, executionRoleArn: roles.exec, containerDefinitions: [box('app', 'sleep 600', { secrets: secrets() })],
    }));
    const service = `svc-${run}`;
    await ecs.send(new CreateServiceCommand({ cluster, serviceName: service, taskDefinition: `secret-svc-${run}`, desiredCount: 1 }));
    await waitUntilServicesStable({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { cluster, services: [service] });
    const taskArns = (await ecs.send(new ListTasksCommand({ cluster, serviceName: service }))).taskArns!;
    const answers = JSON.stringify([
      await ecs.send(new DescribeServicesCommand({ cluster, services: [service] })),
      await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns })),
      await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `secret-svc-${run}` })),
    ]);
    // The running container has them: they were resolved, so their absence elsewhere means something.
    const env = docker('inspect', '--format', '{{json .Config.Env}}', (await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }))).tasks![0].containers![0].runtimeId!);
    assert.ok(env.includes(values.apiKey));
    await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 0 }));
    await ecs.send(new DeleteServiceCommand({ cluster, service }));
    for (const value of Object.values(values)) {
      assert.ok(!answers.includes(value), `${value} shows in an API answer`);
      assert.ok(!wharf.output().includes(value), `${value} shows in Wharf's output`);
      // The store and the agent's checkpoint: grep finds the bytes wherever they are in the data directory.
      // (A String parameter is no secret: Parameter Store keeps only SecureStrings sealed.)
      if (value === values.mode) continue;
      const grep = spawnSync('grep', ['-rlF', value, wharf.dataDir], { encoding: 'utf8' });
      assert.equal(grep.status, 1, `${value} is in ${grep.stdout}`);
    }
  });
});

describe('the task role, through the SDK inside a task', () => {
  /** Runs in the task: who the SDK's default credential chain says it is, then an action the role does not allow, then one it does. */
  const script = `
    const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const who = await new STSClient({}).send(new GetCallerIdentityCommand({}));
    console.log('ARN=' + who.Arn);
    console.log('ACCOUNT=' + who.Account);
    try {
      await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: process.env.SECRET_ID }));
      console.log('SECRET=read');
    } catch (e) { console.log('SECRET=' + e.name); }
    console.log('ENDPOINT=' + process.env.AWS_ENDPOINT_URL);
    console.log('REGION=' + process.env.AWS_REGION);
    console.log('EXECUTION_ENV=' + process.env.AWS_EXECUTION_ENV);`;

  it('the AWS SDK for JavaScript finds the task role’s session and calls Wharf through AWS_ENDPOINT_URL', async () => {
    const arn = await runTask('sdk', [{
      name: 'app', image: SDK_IMAGE, memory: 256, essential: true, command: ['node', '--input-type=module', '-e', script],
      environment: [{ name: 'SECRET_ID', value: refs.token }],
    }], { taskRoleArn: roles.app });
    const task = await stopped(arn);
    const out = printed(logsOf(task));
    assert.equal(task.containers![0].exitCode, 0, `${task.stoppedReason}\n${logsOf(task)}`);
    assert.equal(out.ARN, `arn:aws:sts::${account}:assumed-role/app-${run}/${arn.slice(arn.lastIndexOf('/') + 1)}`);
    assert.equal(out.ACCOUNT, account);
    assert.equal(out.SECRET, 'AccessDeniedException', 'the role does not allow secretsmanager:GetSecretValue');
    assert.equal(out.ENDPOINT, 'http://169.254.170.2');
    assert.equal(out.REGION, region);
    assert.equal(out.EXECUTION_ENV, 'AWS_ECS_EC2');
  });

  it('the AWS CLI (Debian’s awscli, botocore) finds them too, with no configuration of its own', async () => {
    const script = 'echo ARN=$(aws --endpoint-url "$AWS_ENDPOINT_URL" sts get-caller-identity --query Arn --output text); '
      + 'echo SECRET=$(aws --endpoint-url "$AWS_ENDPOINT_URL" secretsmanager get-secret-value --secret-id "$SECRET_ID" 2>&1 | grep -o AccessDeniedException | head -1)';
    const arn = await runTask('cli', [{
      name: 'app', image: CLI_IMAGE, memory: 256, essential: true, command: ['sh', '-c', script],
      environment: [{ name: 'SECRET_ID', value: refs.token }],
    }], { taskRoleArn: roles.app });
    const task = await stopped(arn);
    const out = printed(logsOf(task));
    assert.equal(out.ARN, `arn:aws:sts::${account}:assumed-role/app-${run}/${arn.slice(arn.lastIndexOf('/') + 1)}`, logsOf(task));
    assert.equal(out.SECRET, 'AccessDeniedException');
  });

  it('a task reads its own credentials, not another task’s, and the host reads neither', async () => {
    const holder = await runTask('holder', [box('app', 'sleep 600')], { taskRoleArn: roles.app });
    await waitUntilTasksRunning({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { cluster, tasks: [holder] });
    const held = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [holder] }))).tasks![0];
    const holderEnv = JSON.parse(docker('inspect', '--format', '{{json .Config.Env}}', held.containers![0].runtimeId!)) as string[];
    const othersUri = holderEnv.find((e) => e.startsWith('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI='))!.split('=')[1]!;
    assert.match(othersUri, /^\/v2\/credentials\/[0-9a-f-]{36}$/);

    const probe = 'echo OWN=$(timeout 5 wget -qO- http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || echo refused); '
      + 'echo OTHER=$(timeout 5 wget -qO- http://169.254.170.2$OTHERS_URI || echo refused)';
    const task = await stopped(await runTask('reader', [box('app', probe, { environment: [{ name: 'OTHERS_URI', value: othersUri }] })], { taskRoleArn: roles.app }));
    const out = printed(logsOf(task));
    const own = JSON.parse(out.OWN!) as Record<string, string>;
    assert.equal(own.RoleArn, roles.app);
    assert.match(own.AccessKeyId!, /^ASIA/);
    assert.ok(own.SecretAccessKey && own.Token && Date.parse(own.Expiration!) > Date.now());
    assert.equal(out.OTHER, 'refused');

    const fromHost = await fetch(`http://169.254.170.2${othersUri}`);
    assert.equal(fromHost.status, 400);
    assert.deepEqual(await fromHost.json(), { code: 'InvalidIdInRequest', message: 'CredentialsV2Request: Credentials not found' });
    assert.ok(!wharf.output().includes(own.SecretAccessKey!), 'a session\'s secret never shows in Wharf\'s output');
  });
});

describe('the task metadata endpoint', () => {
  const probe = 'wget -qO- $ECS_CONTAINER_METADATA_URI_V4 > /tmp/c; echo; echo C4=$(cat /tmp/c); '
    + 'echo T4=$(wget -qO- $ECS_CONTAINER_METADATA_URI_V4/task); echo T3=$(wget -qO- $ECS_CONTAINER_METADATA_URI/task); '
    + 'echo C3=$(wget -qO- $ECS_CONTAINER_METADATA_URI); echo S1=$(wget -qO- $ECS_CONTAINER_METADATA_URI_V4/stats); '
    + 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo S2=$(wget -qO- $ECS_CONTAINER_METADATA_URI_V4/stats); '
    + 'echo TS=$(wget -qO- $ECS_CONTAINER_METADATA_URI_V4/task/stats); echo TT=$(wget -qO- $ECS_CONTAINER_METADATA_URI_V4/taskWithTags)';

  it('a bridge task’s containers see themselves and their task, as ECS documents the fields, and stats move', async () => {
    const arn = await runTask('meta', [box('app', probe, { cpu: 128, dockerLabels: { team: 'core' } }), box('side', 'sleep 600', { essential: false })], { cpu: '256', memory: '512' }, {
      tags: [{ key: 'team', value: 'core' }],
    });
    const task = await stopped(arn);
    const out = printed(logsOf(task));
    const c4 = JSON.parse(out.C4!);
    const app = task.containers!.find((c) => c.name === 'app')!;
    assert.equal(c4.DockerId, app.runtimeId);
    assert.equal(c4.Name, 'app');
    assert.match(c4.DockerName, new RegExp(`^ecs-meta-${run}-1-app-`));
    assert.equal(c4.Image, TEST_IMAGE);
    assert.match(c4.ImageID, /^sha256:[0-9a-f]{64}$/);
    assert.equal(c4.Labels.team, 'core');
    assert.equal(c4.Labels['com.amazonaws.ecs.task-arn'], arn);
    assert.equal(c4.KnownStatus, 'RUNNING');
    assert.deepEqual(c4.Limits, { CPU: 128, Memory: 64 });
    assert.equal(c4.Type, 'NORMAL');
    assert.equal(c4.ContainerARN, app.containerArn);
    assert.equal(c4.Networks[0].NetworkMode, 'bridge');
    assert.match(c4.Networks[0].IPv4Addresses[0], /^\d+\.\d+\.\d+\.\d+$/);
    assert.ok(Date.parse(c4.CreatedAt) && Date.parse(c4.StartedAt));

    const t4 = JSON.parse(out.T4!);
    assert.equal(t4.Cluster, clusterArn);
    assert.equal(t4.TaskARN, arn);
    assert.equal(t4.Family, `meta-${run}`);
    assert.equal(t4.Revision, '1');
    assert.equal(t4.DesiredStatus, 'RUNNING');
    assert.equal(t4.KnownStatus, 'RUNNING');
    assert.deepEqual(t4.Limits, { CPU: 0.25, Memory: 512 });
    assert.equal(t4.LaunchType, 'EC2');
    assert.equal(t4.AvailabilityZone, `${region}a`);
    assert.ok(Date.parse(t4.PullStartedAt) && Date.parse(t4.PullStoppedAt));
    assert.deepEqual(t4.Containers.map((c: { Name: string }) => c.Name).sort(), ['app', 'side']);

    const t3 = JSON.parse(out.T3!);
    assert.equal(t3.Cluster, cluster, 'v3 names the cluster');
    assert.equal(JSON.parse(out.C3!).ContainerARN, undefined, 'v3 has no container ARN');

    const [s1, s2] = [JSON.parse(out.S1!), JSON.parse(out.S2!)];
    assert.ok(s1.cpu_stats.cpu_usage.total_usage > 0 && s1.memory_stats.usage > 0);
    assert.ok(s2.cpu_stats.cpu_usage.total_usage > s1.cpu_stats.cpu_usage.total_usage, 'cpu use grows while it works');
    const tt = JSON.parse(out.TT!);
    assert.deepEqual(tt.TaskTags, { team: 'core' }, 'taskWithTags: the task\'s tags, as ListTagsForResource gives them');
    assert.deepEqual(tt.ContainerInstanceTags, {});
    assert.equal(tt.TaskARN, arn);
    const ts = JSON.parse(out.TS!);
    assert.deepEqual(Object.keys(ts).sort(), task.containers!.map((c) => c.runtimeId!).sort());
  });

  it('an awsvpc task shows its interface and its pause container as ECS does', async () => {
    const ec2 = new EC2Client({ endpoint: wharf.url, region, credentials });
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.232.0.0/16' }))).Vpc!.VpcId!;
    subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.232.1.0/24', AvailabilityZone: `${region}b` }))).Subnet!.SubnetId!;
    const arn = await runTask('meta-vpc', [box('app', 'echo T4=$(wget -qO- $ECS_CONTAINER_METADATA_URI_V4/task)')], { networkMode: 'awsvpc' }, {
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnetId] } },
    });
    const task = await stopped(arn);
    const t4 = JSON.parse(printed(logsOf(task)).T4!);
    const eni = task.attachments![0].details!;
    const address = eni.find((d) => d.name === 'privateIPv4Address')!.value;
    const app = t4.Containers.find((c: { Name: string }) => c.Name === 'app');
    assert.deepEqual(app.Networks[0].IPv4Addresses, [address]);
    assert.equal(app.Networks[0].NetworkMode, 'awsvpc');
    assert.equal(app.Networks[0].IPv4SubnetCIDRBlock, '10.232.1.0/24');
    assert.equal(app.Networks[0].SubnetGatewayIpv4Address, '10.232.1.1/24');
    assert.equal(app.Networks[0].MACAddress, eni.find((d) => d.name === 'macAddress')!.value);
    const pause = t4.Containers.find((c: { Type: string }) => c.Type === 'CNI_PAUSE');
    assert.equal(pause.Name, '~internal~ecs~pause');
    assert.equal(pause.KnownStatus, 'RESOURCES_PROVISIONED');
  });
});

describe('private registry credentials (repositoryCredentials)', () => {
  it('the image is pulled with the login the secret holds: a wrong one fails the pull, the right one runs', async () => {
    const host = new URL(wharf.url).host;
    const ecr = new ECRClient({ endpoint: wharf.url, region, credentials });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: `private-${run}` }));
    const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0].authorizationToken!;
    const password = Buffer.from(token, 'base64').toString().split(':')[1]!;
    const image = `${host}/private-${run}:v1`;
    const config = tempDir();
    const env = { ...process.env, DOCKER_CONFIG: config };
    execFileSync('docker', ['login', host, '--username', 'AWS', '--password-stdin'], { input: password, env });
    execFileSync('docker', ['tag', TEST_IMAGE, image], { env });
    execFileSync('docker', ['push', image], { env });
    // Not on this host any more: the task must pull it.
    execFileSync('docker', ['rmi', image], { env });

    const asm = new SecretsManagerClient({ endpoint: wharf.url, region, credentials });
    const secret = async (name: string, pw: string) =>
      (await asm.send(new CreateSecretCommand({ Name: `${name}-${run}`, SecretString: JSON.stringify({ username: 'AWS', password: pw }) }))).ARN!;
    const wrong = await secret('registry-wrong', 'not-a-token');
    const right = await secret('registry-right', password);
    const pulling = (credentialsParameter: string) => [box('app', 'echo pulled', { image, repositoryCredentials: { credentialsParameter } })];

    const refused = await stopped(await runTask('private-wrong', pulling(wrong), { executionRoleArn: roles.exec }));
    assert.equal(refused.stopCode, 'TaskFailedToStart');
    assert.match(refused.stoppedReason!, /^CannotPullContainerError: .*(unauthorized|denied|401)/i, refused.stoppedReason);
    const pulled = await stopped(await runTask('private-right', pulling(right), { executionRoleArn: roles.exec }));
    assert.equal(pulled.containers![0].exitCode, 0, pulled.stoppedReason);
    assert.equal(logsOf(pulled), 'pulled');
    spawnSync('docker', ['rmi', image]);
  });
});
