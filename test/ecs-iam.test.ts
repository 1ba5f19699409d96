/**
 * ECS on the platform, through @aws-sdk/client-ecs and @aws-sdk/client-iam against a real
 * `wharf server`: requests the model refuses (a required member left out, a number out of
 * range, a value outside an enum, a string too long), each with the message ECS answers; IAM
 * deciding each operation on the resource ECS documents (a task definition for RunTask, a
 * cluster for DescribeClusters, ...) with its condition keys (`ecs:cluster`,
 * `aws:RequestTag/*`, `aws:ResourceTag/*`) and `iam:PassRole`, in AWS's words; and the task
 * definitions Wharf's agent would not honour, refused by RunTask and CreateService by name.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AccessDeniedException, ClientException, CreateClusterCommand, CreateServiceCommand, DeleteClusterCommand, DescribeClustersCommand,
  DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ECSServiceException, InvalidParameterException, ListClustersCommand,
  ListTaskDefinitionsCommand, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, TagResourceCommand,
  type ContainerDefinition, type DesiredStatus, type LogDriver,
} from '@aws-sdk/client-ecs';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { credentials, region, spawnWharf, tempDir, type WharfProcess } from './support/wharf.ts';
import { ecsSnapshot } from './support/ecs-snapshot.ts';

const ACCOUNT = '123456789012';
const OPEN = 'iam-open';
const SECRET = 'iam-secret';
const FAMILY = 'iam-web';
const ecsArn = (resource: string) => `arn:aws:ecs:${region}:${ACCOUNT}:${resource}`;
const userArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;

let wharf: WharfProcess;
/** The account root: allowed everything. */
let root: ECSClient;
let iam: IAMClient;

const ecsAs = (keys: { accessKeyId: string; secretAccessKey: string }) => new ECSClient({ endpoint: wharf.url, region, credentials: keys, maxAttempts: 1 });

/** Creates IAM user `name` with `policies` (managed, attached: their ARNs show in explicit denials) and returns an ECS client signing as it. */
async function userWith(name: string, policies: Record<string, object>): Promise<ECSClient> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  for (const [policyName, document] of Object.entries(policies)) {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: policyName, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: document }) }));
    await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: Policy!.Arn }));
  }
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return ecsAs({ accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
}

const web = (over: Partial<ContainerDefinition> = {}): ContainerDefinition => ({ name: 'web', image: 'wharf-test/busybox:latest', memory: 64, ...over });

before(async () => {
  wharf = await spawnWharf(['server', '--port', '0', '--data-dir', tempDir()], /Wharf server ready at http:\/\//);
  root = ecsAs(credentials);
  iam = new IAMClient({ endpoint: wharf.url, region, credentials, maxAttempts: 1 });
  await root.send(new CreateClusterCommand({ clusterName: OPEN, tags: [{ key: 'team', value: 'web' }] }));
  await root.send(new CreateClusterCommand({ clusterName: SECRET, tags: [{ key: 'team', value: 'payments' }] }));
  await root.send(new RegisterTaskDefinitionCommand({ family: FAMILY, containerDefinitions: [web()] }));
});

after(async () => {
  await wharf?.stop();
});

/**
 * Sends a request that must fail with `type`, `name` and exactly `message`, at the HTTP status ECS's model gives the error
 * (400; AccessDeniedException 403), changing nothing the root can see.
 */
async function refused(
  call: () => Promise<unknown>, type: new (...args: never[]) => ECSServiceException, name: string, message: string | RegExp, status = 400,
): Promise<void> {
  const before = await ecsSnapshot(root, []);
  const error = await call().then(
    (output) => assert.fail(`expected ${name}, but the request succeeded: ${JSON.stringify(output)}`),
    (e: unknown) => e as ECSServiceException,
  );
  assert.ok(error instanceof type, `expected a ${type.name}, got ${String(error)}`);
  assert.equal(error.name, name);
  assert.equal(error.$metadata.httpStatusCode, status);
  if (typeof message === 'string') assert.equal(error.message, message);
  else assert.match(error.message, message);
  assert.deepEqual(await ecsSnapshot(root, []), before, 'a refused request changes nothing');
}

const invalid = (call: () => Promise<unknown>, message: string | RegExp) => refused(call, InvalidParameterException, 'InvalidParameterException', message);
const denied = (call: () => Promise<unknown>, message: string) => refused(call, AccessDeniedException, 'AccessDeniedException', message, 403);

describe("the model's constraints, checked before any handler runs", () => {
  it('a required member left out', async () => {
    await invalid(() => root.send(new DescribeTasksCommand({ cluster: OPEN, tasks: undefined })),
      "1 validation error detected: Value null at 'tasks' failed to satisfy constraint: Member must not be null");
  });

  it('a number out of its range', async () => {
    const strategy = [{ capacityProvider: 'FARGATE', weight: 1001 }];
    await invalid(() => root.send(new CreateClusterCommand({ clusterName: 'iam-weights', capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: strategy })),
      "1 validation error detected: Value '1001' at 'defaultCapacityProviderStrategy[0].weight' failed to satisfy constraint: Member must have value less than or equal to 1000");
  });

  it('a value outside its enum', async () => {
    await invalid(() => root.send(new ListTasksCommand({ cluster: OPEN, desiredStatus: 'SLEEPING' as DesiredStatus })),
      "1 validation error detected: Value 'SLEEPING' at 'desiredStatus' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, PENDING, STOPPED]");
  });

  it('a string longer than the model allows', async () => {
    const key = 'k'.repeat(129);
    await invalid(() => root.send(new TagResourceCommand({ resourceArn: ecsArn(`cluster/${OPEN}`), tags: [{ key, value: 'v' }] })),
      `1 validation error detected: Value '${key}' at 'tags[0].key' failed to satisfy constraint: Member must have length less than or equal to 128`);
  });

  it('every violation at once, in model order', async () => {
    await invalid(() => root.send(new ListTaskDefinitionsCommand({ status: 'GONE' as never, sort: 'UP' as never })),
      "2 validation errors detected: Value 'GONE' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [ACTIVE, INACTIVE, DELETE_IN_PROGRESS]; "
      + "Value 'UP' at 'sort' failed to satisfy constraint: Member must satisfy enum value set: [ASC, DESC]");
  });

  it('RegisterTaskDefinition answers ClientException, as ECS does for task definitions', async () => {
    const containerDefinitions = [web({ logConfiguration: { logDriver: 'loki' as LogDriver } })];
    await refused(() => root.send(new RegisterTaskDefinitionCommand({ family: 'iam-loki', containerDefinitions })), ClientException, 'ClientException',
      "1 validation error detected: Value 'loki' at 'containerDefinitions[0].logConfiguration.logDriver' failed to satisfy constraint: "
      + 'Member must satisfy enum value set: [json-file, syslog, journald, gelf, fluentd, awslogs, splunk, awsfirelens]');
  });
});

describe('IAM decides each operation on the resource ECS documents', () => {
  let reader: ECSClient;
  let operator: ECSClient;
  let tagger: ECSClient;

  before(async () => {
    reader = await userWith('reader', { 'ecs-read-only': [{ Effect: 'Allow', Action: ['ecs:Describe*', 'ecs:List*'], Resource: '*' }] });
    operator = await userWith('operator', {
      'ecs-all': [{ Effect: 'Allow', Action: 'ecs:*', Resource: '*' }],
      'deny-secret': [
        { Effect: 'Deny', Action: 'ecs:*', Resource: ecsArn(`cluster/${SECRET}`) },
        { Effect: 'Deny', Action: 'ecs:RunTask', Resource: '*', Condition: { ArnEquals: { 'ecs:cluster': ecsArn(`cluster/${SECRET}`) } } },
      ],
    });
    tagger = await userWith('tagger', {
      'team-platform-clusters': [
        { Effect: 'Allow', Action: 'ecs:CreateCluster', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'platform' } } },
        { Effect: 'Allow', Action: 'ecs:DescribeClusters', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'web' } } },
      ],
    });
  });

  it('a read-only user describes and lists', async () => {
    const { clusters } = await reader.send(new DescribeClustersCommand({ clusters: [OPEN, SECRET] }));
    assert.deepEqual(clusters!.map((c) => c.clusterName), [OPEN, SECRET]);
    assert.ok((await reader.send(new ListClustersCommand({}))).clusterArns!.includes(ecsArn(`cluster/${OPEN}`)));
    assert.equal((await reader.send(new DescribeTaskDefinitionCommand({ taskDefinition: FAMILY }))).taskDefinition!.revision, 1);
  });

  it('RunTask is refused on the task definition it would run, in AWS\'s words', async () => {
    const message = `User: ${userArn('reader')} is not authorized to perform: ecs:RunTask on resource: ${ecsArn(`task-definition/${FAMILY}:1`)} `
      + 'because no identity-based policy allows the ecs:RunTask action';
    await denied(() => reader.send(new RunTaskCommand({ cluster: OPEN, taskDefinition: FAMILY })), message);
    await denied(() => reader.send(new RunTaskCommand({ cluster: OPEN, taskDefinition: `${FAMILY}:1` })), message);
  });

  it('RegisterTaskDefinition is refused on the revision it would register', async () => {
    await denied(() => reader.send(new RegisterTaskDefinitionCommand({ family: FAMILY, containerDefinitions: [web()] })),
      `User: ${userArn('reader')} is not authorized to perform: ecs:RegisterTaskDefinition on resource: ${ecsArn(`task-definition/${FAMILY}:2`)} `
      + 'because no identity-based policy allows the ecs:RegisterTaskDefinition action');
  });

  it('an explicit Deny on one cluster beats an Allow of everything', async () => {
    const secretDenied = (action: string) => `User: ${userArn('operator')} is not authorized to perform: ${action} on resource: ${ecsArn(`cluster/${SECRET}`)} `
      + `with an explicit deny in an identity-based policy: arn:aws:iam::${ACCOUNT}:policy/deny-secret`;
    assert.equal((await operator.send(new DescribeClustersCommand({ clusters: [OPEN] }))).clusters![0].clusterName, OPEN);
    await denied(() => operator.send(new DescribeClustersCommand({ clusters: [SECRET] })), secretDenied('ecs:DescribeClusters'));
    await denied(() => operator.send(new DescribeClustersCommand({ clusters: [OPEN, SECRET] })), secretDenied('ecs:DescribeClusters'));
    await denied(() => operator.send(new DeleteClusterCommand({ cluster: ecsArn(`cluster/${SECRET}`) })), secretDenied('ecs:DeleteCluster'));
  });

  it('RunTask carries ecs:cluster: a Deny on it refuses the task definition in that cluster only', async () => {
    await denied(() => operator.send(new RunTaskCommand({ cluster: SECRET, taskDefinition: FAMILY })),
      `User: ${userArn('operator')} is not authorized to perform: ecs:RunTask on resource: ${ecsArn(`task-definition/${FAMILY}:1`)} `
      + `with an explicit deny in an identity-based policy: arn:aws:iam::${ACCOUNT}:policy/deny-secret`);
    // Allowed in the open cluster: what stops it there is ECS's own check, past authorization.
    await invalid(() => operator.send(new RunTaskCommand({ cluster: OPEN, taskDefinition: FAMILY })), 'No Container Instances were found in your cluster.');
  });

  it('CreateCluster is allowed only with the aws:RequestTag the policy names', async () => {
    const { cluster } = await tagger.send(new CreateClusterCommand({ clusterName: 'iam-platform', tags: [{ key: 'team', value: 'platform' }] }));
    assert.equal(cluster!.status, 'ACTIVE');
    const refusal = (name: string) => `User: ${userArn('tagger')} is not authorized to perform: ecs:CreateCluster on resource: ${ecsArn(`cluster/${name}`)} `
      + 'because no identity-based policy allows the ecs:CreateCluster action';
    await denied(() => tagger.send(new CreateClusterCommand({ clusterName: 'iam-other', tags: [{ key: 'team', value: 'other' }] })), refusal('iam-other'));
    await denied(() => tagger.send(new CreateClusterCommand({ clusterName: 'iam-untagged' })), refusal('iam-untagged'));
  });

  it('aws:ResourceTag reads the tags of the cluster acted on', async () => {
    assert.equal((await tagger.send(new DescribeClustersCommand({ clusters: [OPEN] }))).clusters![0].clusterName, OPEN);
    await denied(() => tagger.send(new DescribeClustersCommand({ clusters: [SECRET] })),
      `User: ${userArn('tagger')} is not authorized to perform: ecs:DescribeClusters on resource: ${ecsArn(`cluster/${SECRET}`)} `
      + 'because no identity-based policy allows the ecs:DescribeClusters action');
  });

  it('naming a task role needs iam:PassRole, as ECS checks it', async () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/app`;
    const register = (client: ECSClient) => client.send(new RegisterTaskDefinitionCommand({ family: 'iam-roles', taskRoleArn: role, containerDefinitions: [web()] }));
    await denied(() => register(operator),
      `User: ${userArn('operator')} is not authorized to perform: iam:PassRole on resource: ${role} because no identity-based policy allows the iam:PassRole action`);
    await iam.send(new PutUserPolicyCommand({
      UserName: 'operator', PolicyName: 'pass-app',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: role, Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }],
      }),
    }));
    assert.equal((await register(operator)).taskDefinition!.taskRoleArn, role);
  });
});

describe('task definitions the agent would not honour in full are refused at launch, by name', () => {
  const splunk = { logDriver: 'splunk' as const, options: { 'splunk-url': 'https://splunk.example:8088' } };
  const cases: [string, Partial<ContainerDefinition>, string][] = [
    ['iam-env-files', { environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::config/web.env' }] },
      'Wharf does not support environment files (they are read from S3, which Wharf does not serve) yet: containerDefinitions[0].environmentFiles (web).'],
    ['iam-splunk', { logConfiguration: splunk },
      'Wharf does not support splunk log shipping yet: containerDefinitions[0].logConfiguration.logDriver (web).'],
    ['iam-firelens', { firelensConfiguration: { type: 'fluentbit' } },
      'Wharf does not support FireLens log routing yet: containerDefinitions[0].firelensConfiguration (web).'],
  ];

  for (const [family, over, message] of cases) {
    it(`${family}: registers, but RunTask and CreateService refuse it`, async () => {
      const { taskDefinition } = await root.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [web(over)] }));
      assert.equal(taskDefinition!.status, 'ACTIVE', 'a real task definition must register');
      await invalid(() => root.send(new RunTaskCommand({ cluster: OPEN, taskDefinition: family })), message);
      await invalid(() => root.send(new CreateServiceCommand({ cluster: OPEN, serviceName: family, taskDefinition: family, desiredCount: 1 })), message);
    });
  }

  it('volumes: FSx for Windows File Server volumes are refused too', async () => {
    await root.send(new RegisterTaskDefinitionCommand({
      family: 'iam-volumes',
      volumes: [{ name: 'data', fsxWindowsFileServerVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', rootDirectory: 'share', authorizationConfig: { credentialsParameter: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fsx-AbCdEf', domain: 'corp' } } }],
      containerDefinitions: [web({ mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] })],
    }));
    await invalid(() => root.send(new RunTaskCommand({ cluster: OPEN, taskDefinition: 'iam-volumes' })),
      'Wharf does not support FSx for Windows File Server volumes yet: volumes[0].fsxWindowsFileServerVolumeConfiguration (data).');
  });
});
