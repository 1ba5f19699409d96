/**
 * DESIGN.md rule 7, "Bad input gets a clear AWS-shaped 4xx error and changes nothing", through
 * @aws-sdk/client-ecs against a real `wharf server` (control plane only; container instances
 * come from fake agents on the agent link). Every case checks the SDK's exception class, its
 * `name`, HTTP 400, a request id, a message that names the offending member, and that a
 * snapshot of everything the ECS API shows (in both regions used) is the same afterwards.
 * Requests the SDK cannot send (broken JSON, unknown targets, huge bodies) go through fetch.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttributeLimitExceededException, ClientException, ClusterContainsContainerInstancesException, ClusterNotFoundException,
  CreateClusterCommand, DeleteAttributesCommand, DeleteClusterCommand, DeleteTaskDefinitionsCommand,
  DeregisterContainerInstanceCommand, DeregisterTaskDefinitionCommand, DescribeClustersCommand,
  DescribeContainerInstancesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ECSServiceException,
  InvalidParameterException, ListClustersCommand, ListContainerInstancesCommand, ListTagsForResourceCommand,
  ListTaskDefinitionsCommand, ListTasksCommand, PutAttributesCommand, RegisterTaskDefinitionCommand,
  ResourceNotFoundException, RunTaskCommand, StartTaskCommand, StopTaskCommand, TagResourceCommand, TargetNotFoundException,
  UntagResourceCommand, UpdateClusterCommand, UpdateClusterSettingsCommand, UpdateContainerInstancesStateCommand,
  type ContainerDefinition, type ContainerInstanceStatus, type DesiredStatus, type LaunchType, type NetworkMode,
  type RegisterTaskDefinitionCommandInput, type UlimitName,
} from '@aws-sdk/client-ecs';
import { credentials, spawnWharf, tempDir, type WharfProcess } from './support/wharf.ts';
import { connectFakeAgent, type FakeAgent } from './support/fake-agent.ts';
import { ecsSnapshot } from './support/ecs-snapshot.ts';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const ACCOUNT = '123456789012';
const MAIN = 'errors-main';
const EMPTY = 'errors-empty';
const WEB = 'errors-web';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TARGET = 'AmazonEC2ContainerServiceV20141113';

let wharf: WharfProcess;
let ecs: ECSClient;
let west: ECSClient;
const agents: FakeAgent[] = [];
let instanceArn: string;
let westInstanceArn: string;
let taskArn: string;
let westTaskArn: string;

/** A value of the wrong type or outside an enum, as a caller's untyped code could send it. */
const bad = <T>(value: unknown): T => value as T;
const clusterArn = (region: string, name: string) => `arn:aws:ecs:${region}:${ACCOUNT}:cluster/${name}`;
const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
const hex32 = 'f'.repeat(32);

/** One SDK client per region, never retrying, so a rejected request is sent exactly once. */
const client = (url: string, region: string) => new ECSClient({ endpoint: url, region, credentials, maxAttempts: 1 });

/** The container every valid task definition here uses. */
const web = (over: Partial<ContainerDefinition> = {}): ContainerDefinition => ({
  name: 'web', image: 'wharf-test/busybox:latest', memory: 64, cpu: 128, portMappings: [{ containerPort: 80 }], ...over,
});

/** A RegisterTaskDefinition input that is valid but for what `over` changes. */
const taskDef = (over: Partial<RegisterTaskDefinitionCommandInput> = {}): RegisterTaskDefinitionCommandInput => ({
  family: 'errors-new', containerDefinitions: [web()], ...over,
});

before(async () => {
  wharf = await spawnWharf(['server', '--port', '0', '--data-dir', tempDir()], /Wharf server ready at http:\/\//);
  ecs = client(wharf.url, EAST);
  west = client(wharf.url, WEST);
  await ecs.send(new CreateClusterCommand({
    clusterName: MAIN, tags: [{ key: 'team', value: 'wharf' }], settings: [{ name: 'containerInsights', value: 'enabled' }],
  }));
  await ecs.send(new CreateClusterCommand({ clusterName: EMPTY }));
  await west.send(new CreateClusterCommand({ clusterName: MAIN }));
  agents.push(await connectFakeAgent(wharf.url, { cluster: MAIN }), await connectFakeAgent(wharf.url, { cluster: MAIN, region: WEST }));
  [instanceArn, westInstanceArn] = agents.map((a) => a.containerInstanceArns[0]);

  await ecs.send(new RegisterTaskDefinitionCommand(taskDef({ family: WEB, tags: [{ key: 'app', value: 'web' }] })));
  await ecs.send(new RegisterTaskDefinitionCommand(taskDef({ family: WEB })));
  await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${WEB}:2` }));
  await west.send(new RegisterTaskDefinitionCommand(taskDef({ family: WEB })));
  const run = await ecs.send(new RunTaskCommand({ cluster: MAIN, taskDefinition: `${WEB}:1` }));
  const westRun = await west.send(new RunTaskCommand({ cluster: MAIN, taskDefinition: WEB }));
  assert.deepEqual([run.failures, westRun.failures], [[], []]);
  taskArn = run.tasks![0].taskArn!;
  westTaskArn = westRun.tasks![0].taskArn!;
  await ecs.send(new PutAttributesCommand({ cluster: MAIN, attributes: [{ name: 'stack', value: 'blue', targetId: instanceArn }] }));
});

after(async () => {
  for (const a of agents) await a.close();
  await wharf?.stop();
});

/** Everything the API shows in both regions. */
const state = async () => {
  const known = agents.flatMap((a) => a.containerInstanceArns);
  return { east: await ecsSnapshot(ecs, known), west: await ecsSnapshot(west, known) };
};

type EcsErrorClass = new (...args: never[]) => ECSServiceException;

interface Rejection {
  /** The SDK class the error must be an instance of (ECSServiceException for codes the model lacks). */
  type: EcsErrorClass;
  /** The AWS error code. */
  name: string;
  /** What the message must say: the offending member, in ECS's words. */
  message: RegExp;
}

/** Sends a request the API must reject with `want`, and proves nothing changed. */
async function rejects(call: () => Promise<unknown>, want: Rejection): Promise<void> {
  const before = await state();
  const caught = await call().then(
    (output) => assert.fail(`expected ${want.name}, but the request succeeded: ${JSON.stringify(output)}`),
    (error: unknown) => error,
  );
  assert.ok(caught instanceof want.type, `expected an instance of ${want.type.name}, got ${String(caught)}`);
  const error = caught as ECSServiceException;
  assert.equal(error.name, want.name);
  if (want.type === ECSServiceException) assert.equal(error.constructor, ECSServiceException, 'an error code the ECS model does not list');
  assert.equal(error.$fault, 'client');
  assert.equal(error.$metadata.httpStatusCode, 400);
  assert.match(error.$metadata.requestId ?? '', UUID, 'the SDK error carries the x-amzn-requestid');
  assert.match(error.message, want.message);
  assert.deepEqual(await state(), before, 'a rejected request changes nothing');
}

/** Sends a request that succeeds but must change nothing (lookups that report failures). */
async function unchanged<T>(call: () => Promise<T>): Promise<T> {
  const before = await state();
  const output = await call();
  assert.deepEqual(await state(), before, 'a lookup changes nothing');
  return output;
}

const invalid = (message: RegExp): Rejection => ({ type: InvalidParameterException, name: 'InvalidParameterException', message });
const clientError = (message: RegExp): Rejection => ({ type: ClientException, name: 'ClientException', message });
const serialization = (message: RegExp): Rejection => ({ type: ECSServiceException, name: 'SerializationException', message });
const clusterNotFound: Rejection = { type: ClusterNotFoundException, name: 'ClusterNotFoundException', message: /Cluster not found/ };

describe('clusters', () => {
  it('rejects cluster names with bad characters or over 255 characters', async () => {
    await rejects(() => ecs.send(new CreateClusterCommand({ clusterName: 'bad name!' })), invalid(/clusterName/));
    await rejects(() => ecs.send(new CreateClusterCommand({ clusterName: 'a/b' })), invalid(/clusterName/));
    await rejects(() => ecs.send(new CreateClusterCommand({ clusterName: 'c'.repeat(256) })), invalid(/clusterName/));
  });

  it('rejects more than 50 tags and aws: tag keys, creating no cluster', async () => {
    await rejects(() => ecs.send(new CreateClusterCommand({ clusterName: 'errors-tags', tags: tags(51) })), invalid(/tags/));
    await rejects(() => ecs.send(new CreateClusterCommand({ clusterName: 'errors-tags', tags: [{ key: 'aws:owner', value: 'x' }] })), invalid(/tags\[0\]\.key/));
    await rejects(() => ecs.send(new CreateClusterCommand({ clusterName: 'errors-tags', tags: [{ key: '', value: 'x' }] })), invalid(/tags\[0\]\.key/));
    await rejects(() => ecs.send(new CreateClusterCommand({ clusterName: 'errors-tags', tags: [{ key: 'k', value: 'v'.repeat(257) }] })), invalid(/tags\[0\]\.value/));
  });

  it('rejects bad settings on create and update, leaving the settings as they were', async () => {
    await rejects(() => ecs.send(new CreateClusterCommand({ clusterName: 'errors-settings', settings: [{ name: 'containerInsights', value: 'sometimes' }] })), invalid(/settings\[0\]\.value/));
    await rejects(() => ecs.send(new UpdateClusterSettingsCommand({ cluster: MAIN, settings: [{ name: 'containerInsights', value: 'sometimes' }] })), invalid(/settings\[0\]\.value/));
    await rejects(() => ecs.send(new UpdateClusterSettingsCommand({ cluster: MAIN, settings: [{ name: bad('fooInsights'), value: 'disabled' }] })), invalid(/settings\[0\]\.name/));
    await rejects(() => ecs.send(new UpdateClusterCommand({ cluster: MAIN, settings: [{ name: 'containerInsights', value: 'sometimes' }] })), invalid(/settings\[0\]\.value/));
  });

  it('answers members of the wrong JSON type with SerializationException', async () => {
    await rejects(() => ecs.send(new CreateClusterCommand({ clusterName: bad(42) })), serialization(/clusterName/));
    await rejects(() => ecs.send(new CreateClusterCommand({ clusterName: 'errors-types', tags: bad({ key: 'k', value: 'v' }) })), serialization(/tags/));
    await rejects(() => ecs.send(new DescribeClustersCommand({ clusters: bad([MAIN, 7]) })), serialization(/clusters\[1\]/));
  });

  it('answers an idempotent CreateCluster with different arguments with InvalidParameterException', async () => {
    await rejects(() => ecs.send(new CreateClusterCommand({ clusterName: MAIN, tags: [{ key: 'team', value: 'other' }] })), invalid(/inconsistent/));
  });

  it('reports unknown clusters as MISSING failures in DescribeClusters', async () => {
    const { clusters, failures } = await unchanged(() => ecs.send(new DescribeClustersCommand({ clusters: ['errors-nope', clusterArn(EAST, 'errors-nope2')] })));
    assert.deepEqual(clusters, []);
    assert.deepEqual(failures, [
      { arn: clusterArn(EAST, 'errors-nope'), reason: 'MISSING' },
      { arn: clusterArn(EAST, 'errors-nope2'), reason: 'MISSING' },
    ]);
    await rejects(() => ecs.send(new DescribeClustersCommand({ clusters: [MAIN], include: [bad('EVERYTHING')] })), invalid(/include/));
  });

  it('answers Update, UpdateClusterSettings and Delete of an unknown cluster with ClusterNotFoundException', async () => {
    await rejects(() => ecs.send(new UpdateClusterCommand({ cluster: 'errors-nope', settings: [{ name: 'containerInsights', value: 'enabled' }] })), clusterNotFound);
    await rejects(() => ecs.send(new UpdateClusterSettingsCommand({ cluster: 'errors-nope', settings: [{ name: 'containerInsights', value: 'enabled' }] })), clusterNotFound);
    await rejects(() => ecs.send(new DeleteClusterCommand({ cluster: 'errors-nope' })), clusterNotFound);
    await rejects(() => ecs.send(new DeleteClusterCommand({ cluster: clusterArn(WEST, EMPTY) })), clusterNotFound);
  });

  it('refuses to delete a cluster with an active container instance', async () => {
    await rejects(() => ecs.send(new DeleteClusterCommand({ cluster: MAIN })), {
      type: ClusterContainsContainerInstancesException, name: 'ClusterContainsContainerInstancesException', message: /Container Instances/,
    });
  });

  it('rejects ListClusters paging outside its limits', async () => {
    await rejects(() => ecs.send(new ListClustersCommand({ maxResults: 0 })), invalid(/maxResults/));
    await rejects(() => ecs.send(new ListClustersCommand({ maxResults: 101 })), invalid(/maxResults/));
    await rejects(() => ecs.send(new ListClustersCommand({ nextToken: 'garbage!!' })), invalid(/nextToken/));
  });
});

describe('task definitions', () => {
  const register = (input: RegisterTaskDefinitionCommandInput) => () => ecs.send(new RegisterTaskDefinitionCommand(input));

  it('rejects a missing, malformed or too long family', async () => {
    await rejects(register(taskDef({ family: undefined })), clientError(/Family/));
    await rejects(register(taskDef({ family: '' })), clientError(/Family/));
    await rejects(register(taskDef({ family: 'web app' })), clientError(/Family/));
    await rejects(register(taskDef({ family: `${WEB}:3` })), clientError(/Family/));
    await rejects(register(taskDef({ family: 'f'.repeat(256) })), clientError(/Family/));
  });

  it('rejects an empty container list, a missing image, duplicate names', async () => {
    await rejects(register(taskDef({ containerDefinitions: [] })), clientError(/Container list/));
    await rejects(register(taskDef({ containerDefinitions: undefined })), clientError(/Container list/));
    await rejects(register(taskDef({ containerDefinitions: [web({ image: undefined })] })), clientError(/Container\.image/));
    await rejects(register(taskDef({ containerDefinitions: [web({ name: undefined })] })), clientError(/Container\.name/));
    await rejects(register(taskDef({ containerDefinitions: [web(), web({ portMappings: [] })] })), clientError(/Container names/));
  });

  it('rejects containers without memory for EC2, and memoryReservation above memory', async () => {
    await rejects(register(taskDef({ requiresCompatibilities: ['EC2'], containerDefinitions: [web({ memory: undefined })] })), clientError(/'memory' or 'memoryReservation'/));
    await rejects(register(taskDef({ containerDefinitions: [web({ memory: 64, memoryReservation: 128 })] })), clientError(/memoryReservation/));
    await rejects(register(taskDef({ memory: '32', containerDefinitions: [web({ memory: 64 })] })), clientError(/'memory'/));
  });

  it('rejects ports outside 1-65535 and a host port mapped twice in the task', async () => {
    await rejects(register(taskDef({ containerDefinitions: [web({ portMappings: [{ containerPort: 70000 }] })] })), clientError(/containerPort/));
    await rejects(register(taskDef({ containerDefinitions: [web({ portMappings: [{ containerPort: 0 }] })] })), clientError(/containerPort/));
    await rejects(register(taskDef({ containerDefinitions: [web({ portMappings: [{ containerPort: 80, hostPort: 70000 }] })] })), clientError(/hostPort/));
    await rejects(register(taskDef({
      containerDefinitions: [
        web({ portMappings: [{ containerPort: 80, hostPort: 8080 }] }),
        web({ name: 'sidecar', portMappings: [{ containerPort: 81, hostPort: 8080 }] }),
      ],
    })), clientError(/host port '8080' is mapped multiple times/));
    await rejects(register(taskDef({
      containerDefinitions: [web({ portMappings: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 80, hostPort: 8081 }] })],
    })), invalid(/Container port 80 is used in more than one port mapping/));
  });

  it('rejects values outside the enums and ranges of the API', async () => {
    await rejects(register(taskDef({ networkMode: bad<NetworkMode>('overlay') })), clientError(/networkMode/));
    // The model reports a list's simple elements at the list, as AWS does.
    await rejects(register(taskDef({ requiresCompatibilities: [bad('LAMBDA')] })), clientError(/at 'requiresCompatibilities' failed to satisfy constraint: .*enum value set/));
    await rejects(register(taskDef({ containerDefinitions: [web({ stopTimeout: 121 })] })), clientError(/stopTimeout/));
    await rejects(register(taskDef({ containerDefinitions: [web({ stopTimeout: -1 })] })), clientError(/stopTimeout/));
    await rejects(register(taskDef({ containerDefinitions: [web({ ulimits: [{ name: bad<UlimitName>('nofiles'), softLimit: 1, hardLimit: 2 }] })] })), clientError(/ulimits\[0\]\.name/));
    await rejects(register(taskDef({ containerDefinitions: [web({ healthCheck: { command: ['CMD', 'true'], interval: 1 } })] })), clientError(/healthCheck\.interval/));
    await rejects(register(taskDef({ cpu: '1 banana' })), clientError(/'cpu'/));
    await rejects(register(taskDef({ tags: [{ key: 'aws:app', value: 'x' }] })), invalid(/tags\[0\]\.key/));
  });

  it('answers members of the wrong JSON type with SerializationException', async () => {
    await rejects(register(taskDef({ containerDefinitions: [web({ cpu: bad('256') })] })), serialization(/containerDefinitions\[0\]\.cpu/));
    await rejects(register(taskDef({ containerDefinitions: [web({ memory: bad('64') })] })), serialization(/containerDefinitions\[0\]\.memory/));
    await rejects(register(taskDef({ containerDefinitions: [web({ essential: bad('yes') })] })), serialization(/containerDefinitions\[0\]\.essential/));
    await rejects(register(taskDef({ cpu: bad(256) })), serialization(/cpu/));
  });

  it('answers DescribeTaskDefinition of an unknown family or revision with ClientException', async () => {
    await rejects(() => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'errors-nope' })), clientError(/task definition/));
    await rejects(() => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${WEB}:99` })), clientError(/task definition/));
    await rejects(() => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `arn:aws:ecs:${WEST}:${ACCOUNT}:task-definition/errors-nope:1` })), clientError(/task definition/));
  });

  it('refuses to deregister without a revision, or a revision that does not exist', async () => {
    await rejects(() => ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: WEB })), clientError(/revision/));
    await rejects(() => ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${WEB}:0` })), clientError(/revision/));
    await rejects(() => ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${WEB}:99` })), clientError(/task definition/));
  });

  it('rejects ListTaskDefinitions filters outside the API, and deleting more than 10 at once', async () => {
    await rejects(() => ecs.send(new ListTaskDefinitionsCommand({ status: bad('DELETED') })), invalid(/status/));
    await rejects(() => ecs.send(new ListTaskDefinitionsCommand({ maxResults: 0 })), invalid(/maxResults/));
    const eleven = Array.from({ length: 11 }, (_, i) => `${WEB}:${i + 1}`);
    await rejects(() => ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: eleven })), invalid(/taskDefinitions/));
    await rejects(() => ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: [] })), invalid(/taskDefinitions/));
  });
});

describe('tasks', () => {
  const run = (input: Partial<ConstructorParameters<typeof RunTaskCommand>[0]>) => () =>
    ecs.send(new RunTaskCommand({ cluster: MAIN, taskDefinition: WEB, ...input }));

  it('answers RunTask in an unknown cluster with ClusterNotFoundException', async () => {
    await rejects(run({ cluster: 'errors-nope' }), clusterNotFound);
    await rejects(run({ cluster: clusterArn(WEST, EMPTY) }), clusterNotFound);
  });

  it('answers RunTask of an unknown or inactive task definition with ClientException', async () => {
    await rejects(run({ taskDefinition: 'errors-nope' }), clientError(/TaskDefinition not found/));
    await rejects(run({ taskDefinition: `${WEB}:99` }), clientError(/TaskDefinition not found/));
    await rejects(run({ taskDefinition: `arn:aws:ecs:${WEST}:${ACCOUNT}:task-definition/${WEB}:1` }), clientError(/TaskDefinition not found/));
    await rejects(run({ taskDefinition: `${WEB}:2` }), clientError(/TaskDefinition is inactive/));
  });

  it('rejects a count outside 1-10 and an unknown launch type', async () => {
    await rejects(run({ count: 0 }), invalid(/count/));
    await rejects(run({ count: 11 }), invalid(/count/));
    await rejects(run({ launchType: bad<LaunchType>('SPACESHIP') }), invalid(/launchType/));
  });

  it('says so when the cluster has no container instances', async () => {
    await rejects(run({ cluster: EMPTY }), invalid(/^No Container Instances were found in your cluster\.$/));
  });

  it('accepts a startedBy with the forward slash the API allows', async () => {
    const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster: MAIN, taskDefinition: WEB, startedBy: 'batch/job-1' }));
    assert.deepEqual(failures, []);
    assert.equal(tasks?.[0]?.startedBy, 'batch/job-1');
    await ecs.send(new StopTaskCommand({ cluster: MAIN, task: tasks[0].taskArn! }));
  });

  it('rejects an override for a container the task definition does not have', async () => {
    await rejects(run({ overrides: { containerOverrides: [{ name: 'ghost', command: ['true'] }] } }),
      invalid(/^Override for container named ghost is not a container in the TaskDefinition\.$/));
  });

  it('rejects a task-level memory override that is not a number, placing nothing', async () => {
    await rejects(run({ overrides: { memory: 'lots' } }), invalid(/memory/));
  });

  it('rejects a task-level cpu override that is not a number, placing nothing', async () => {
    await rejects(run({ overrides: { cpu: 'many' } }), invalid(/cpu/));
  });

  it('rejects tags with aws: keys and a malformed startedBy, placing nothing', async () => {
    await rejects(run({ tags: [{ key: 'aws:owner', value: 'me' }] }), invalid(/tags\[0\]\.key/));
    await rejects(run({ startedBy: 'batch job!' }), invalid(/startedBy/));
    await rejects(run({ startedBy: 's'.repeat(129) }), invalid(/startedBy/));
  });

  it('rejects StartTask without container instances or with more than 10', async () => {
    const start = (containerInstances: string[]) => () => ecs.send(new StartTaskCommand({ cluster: MAIN, taskDefinition: WEB, containerInstances }));
    await rejects(start([]), invalid(/containerInstances/));
    await rejects(start(Array.from({ length: 11 }, () => instanceArn)), invalid(/containerInstances/));
    await rejects(() => ecs.send(new StartTaskCommand({ cluster: MAIN, taskDefinition: 'errors-nope', containerInstances: [instanceArn] })), clientError(/TaskDefinition not found/));
    const { tasks, failures } = await unchanged(start([hex32]));
    assert.deepEqual(tasks, []);
    assert.deepEqual(failures, [{ arn: hex32, reason: 'MISSING' }]);
  });

  it('answers StopTask of an unknown task with InvalidParameterException', async () => {
    await rejects(() => ecs.send(new StopTaskCommand({ cluster: MAIN, task: hex32 })), invalid(/task/));
    await rejects(() => ecs.send(new StopTaskCommand({ cluster: MAIN, task: 'not-a-task' })), invalid(/task/));
    await rejects(() => ecs.send(new StopTaskCommand({ cluster: EMPTY, task: taskArn })), invalid(/task/));
    await rejects(() => ecs.send(new StopTaskCommand({ cluster: 'errors-nope', task: taskArn })), clusterNotFound);
  });

  it('does not show a task of another region in DescribeTasks', async () => {
    const { tasks, failures } = await unchanged(() => ecs.send(new DescribeTasksCommand({ cluster: MAIN, tasks: [westTaskArn] })));
    assert.deepEqual(tasks, [], 'DescribeTasks in us-east-1 must not return a us-west-2 task');
    assert.deepEqual(failures, [{ arn: westTaskArn, reason: 'MISSING' }]);
  });

  it('does not let StopTask stop a task of another region', async () => {
    await rejects(() => ecs.send(new StopTaskCommand({ cluster: MAIN, task: westTaskArn })), invalid(/task/));
  });

  it('rejects DescribeTasks with more than 100 tasks', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, '0'));
    await rejects(() => ecs.send(new DescribeTasksCommand({ cluster: MAIN, tasks: ids })), invalid(/tasks/));
    await rejects(() => ecs.send(new DescribeTasksCommand({ cluster: 'errors-nope', tasks: [taskArn] })), clusterNotFound);
  });

  it('rejects ListTasks filters and paging outside the API', async () => {
    await rejects(() => ecs.send(new ListTasksCommand({ cluster: MAIN, desiredStatus: bad<DesiredStatus>('SLEEPING') })), invalid(/desiredStatus/));
    await rejects(() => ecs.send(new ListTasksCommand({ cluster: MAIN, maxResults: 0 })), invalid(/maxResults/));
    await rejects(() => ecs.send(new ListTasksCommand({ cluster: MAIN, maxResults: 101 })), invalid(/maxResults/));
    await rejects(() => ecs.send(new ListTasksCommand({ cluster: MAIN, nextToken: 'garbage!!' })), invalid(/nextToken/));
    await rejects(() => ecs.send(new ListTasksCommand({ cluster: 'errors-nope' })), clusterNotFound);
    await rejects(() => ecs.send(new ListTasksCommand({ cluster: MAIN, containerInstance: 'not-an-instance' })), invalid(/containerInstance/));
  });

  it('rejects requests that leave out a required member', async () => {
    await rejects(() => ecs.send(new StopTaskCommand({ cluster: MAIN, task: undefined })), invalid(/task/));
    await rejects(() => ecs.send(new DescribeTasksCommand({ cluster: MAIN, tasks: undefined })), invalid(/tasks/));
    await rejects(() => ecs.send(new RunTaskCommand({ cluster: MAIN, taskDefinition: undefined })), invalid(/taskDefinition/));
  });
});

describe('container instances', () => {
  it('reports unknown container instances as MISSING failures', async () => {
    const other = `arn:aws:ecs:${EAST}:${ACCOUNT}:container-instance/${MAIN}/${'e'.repeat(32)}`;
    const { containerInstances, failures } = await unchanged(() =>
      ecs.send(new DescribeContainerInstancesCommand({ cluster: MAIN, containerInstances: [hex32, other, westInstanceArn] })));
    assert.deepEqual(containerInstances, []);
    assert.deepEqual(failures, [
      { arn: `arn:aws:ecs:${EAST}:${ACCOUNT}:container-instance/${MAIN}/${hex32}`, reason: 'MISSING' },
      { arn: other, reason: 'MISSING' },
      { arn: westInstanceArn, reason: 'MISSING' },
    ]);
    await rejects(() => ecs.send(new DescribeContainerInstancesCommand({ cluster: 'errors-nope', containerInstances: [instanceArn] })), clusterNotFound);
  });

  it('rejects UpdateContainerInstancesState with a status other than ACTIVE or DRAINING', async () => {
    await rejects(() => ecs.send(new UpdateContainerInstancesStateCommand({ cluster: MAIN, containerInstances: [instanceArn], status: bad<ContainerInstanceStatus>('STOPPED') })), invalid(/status/));
    await rejects(() => ecs.send(new UpdateContainerInstancesStateCommand({ cluster: MAIN, containerInstances: [instanceArn], status: bad<ContainerInstanceStatus>('INACTIVE') })), invalid(/status/));
    const many = Array.from({ length: 11 }, () => instanceArn);
    await rejects(() => ecs.send(new UpdateContainerInstancesStateCommand({ cluster: MAIN, containerInstances: many, status: 'DRAINING' })), invalid(/containerInstances/));
  });

  it('rejects ListContainerInstances with a malformed filter or status', async () => {
    await rejects(() => ecs.send(new ListContainerInstancesCommand({ cluster: MAIN, filter: 'attribute:ecs.os-type ==' })), invalid(/filter/));
    await rejects(() => ecs.send(new ListContainerInstancesCommand({ cluster: MAIN, status: bad('ASLEEP') })), invalid(/status/));
  });

  it('refuses to deregister an unknown instance, or one with tasks without force', async () => {
    await rejects(() => ecs.send(new DeregisterContainerInstanceCommand({ cluster: MAIN, containerInstance: hex32 })), invalid(/containerInstance/));
    await rejects(() => ecs.send(new DeregisterContainerInstanceCommand({ cluster: MAIN, containerInstance: westInstanceArn })), invalid(/containerInstance/));
    await rejects(() => ecs.send(new DeregisterContainerInstanceCommand({ cluster: MAIN, containerInstance: instanceArn })), invalid(/tasks/));
  });
});

describe('attributes', () => {
  const put = (attributes: ConstructorParameters<typeof PutAttributesCommand>[0]['attributes']) => () =>
    ecs.send(new PutAttributesCommand({ cluster: MAIN, attributes }));

  it('answers PutAttributes and DeleteAttributes on an unknown target with TargetNotFoundException', async () => {
    const notFound: Rejection = { type: TargetNotFoundException, name: 'TargetNotFoundException', message: new RegExp(hex32) };
    await rejects(put([{ name: 'stack', value: 'green', targetType: 'container-instance', targetId: hex32 }]), notFound);
    await rejects(put([
      { name: 'stack', value: 'green', targetId: instanceArn },
      { name: 'zone', value: 'a', targetType: 'container-instance', targetId: hex32 },
    ]), notFound);
    await rejects(() => ecs.send(new DeleteAttributesCommand({ cluster: MAIN, attributes: [{ name: 'stack', targetType: 'container-instance', targetId: hex32 }] })), notFound);
    await rejects(put([{ name: 'stack', value: 'green', targetId: westInstanceArn }]), { ...notFound, message: /Could not find/ });
  });

  it('rejects bad attribute names and values, and a short id without targetType', async () => {
    await rejects(put([{ name: 'bad name!', value: 'x', targetId: instanceArn }]), invalid(/attributes\[0\]\.name/));
    await rejects(put([{ name: 'n'.repeat(129), value: 'x', targetId: instanceArn }]), invalid(/attributes\[0\]\.name/));
    await rejects(put([{ name: 'ok', value: 'semi;colon', targetId: instanceArn }]), invalid(/attributes\[0\]\.value/));
    await rejects(put([{ name: 'ok', value: 'x', targetId: hex32 }]), invalid(/targetType/));
    await rejects(() => ecs.send(new PutAttributesCommand({ cluster: 'errors-nope', attributes: [{ name: 'ok', targetId: instanceArn }] })), clusterNotFound);
  });

  it('refuses more than 10 custom attributes on an instance, applying none', async () => {
    await rejects(put(Array.from({ length: 10 }, (_, i) => ({ name: `extra${i}`, value: 'x', targetId: instanceArn }))), {
      type: AttributeLimitExceededException, name: 'AttributeLimitExceededException', message: /attributes/,
    });
  });
});

describe('tags', () => {
  const tag = (resourceArn: string, t = [{ key: 'k', value: 'v' }]) => () => ecs.send(new TagResourceCommand({ resourceArn, tags: t }));

  it('rejects malformed ARNs', async () => {
    await rejects(tag('not-an-arn'), invalid(/ARN/));
    await rejects(tag(`arn:aws:s3:::bucket`), invalid(/ARN/));
    await rejects(tag(`arn:aws:ecs:${EAST}:${ACCOUNT}:task/${hex32}`), invalid(/[Ll]ong arn format/));
    await rejects(() => ecs.send(new ListTagsForResourceCommand({ resourceArn: 'not-an-arn' })), invalid(/ARN/));
  });

  it('answers unknown resources with the not-found error of their kind', async () => {
    await rejects(tag(clusterArn(EAST, 'errors-nope')), clusterNotFound);
    await rejects(tag(clusterArn(WEST, EMPTY)), clusterNotFound);
    const notFound: Rejection = { type: ResourceNotFoundException, name: 'ResourceNotFoundException', message: /resource/ };
    await rejects(tag(`arn:aws:ecs:${EAST}:${ACCOUNT}:task-definition/${WEB}:99`), notFound);
    await rejects(tag(`arn:aws:ecs:${EAST}:${ACCOUNT}:task/${MAIN}/${hex32}`), notFound);
  });

  it('rejects aws: keys and more than 50 tags on a resource, keeping its tags', async () => {
    const cluster = clusterArn(EAST, MAIN);
    await rejects(tag(cluster, [{ key: 'aws:team', value: 'x' }]), invalid(/tags\[0\]\.key/));
    await rejects(tag(cluster, tags(51)), invalid(/tags/));
    await rejects(tag(cluster, tags(50)), invalid(/tags/));
    await rejects(() => ecs.send(new UntagResourceCommand({ resourceArn: cluster, tagKeys: ['aws:team'] })), invalid(/tagKeys\[0\]/));
  });
});

/** A request the SDK cannot make, sent with fetch; the JSON error body and headers. */
async function raw(init: { method?: string; target?: string; body?: RequestInit['body']; headers?: Record<string, string> }) {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', ...init.headers };
  if (init.target) headers['x-amz-target'] = init.target;
  const res = await fetch(`${wharf.url}/`, {
    method: init.method ?? 'POST', headers, body: init.body,
    ...(init.body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as { __type?: string; message?: string } };
}

/** Sends a raw request that must get a 4xx with `type`, change nothing, and leave the server serving. */
async function rawRejects(init: Parameters<typeof raw>[0], status: number, type: string): Promise<void> {
  const before = await state();
  const res = await raw(init);
  assert.equal(res.status, status);
  assert.equal(res.body.__type, type);
  assert.equal(typeof res.body.message, 'string');
  assert.match(res.headers.get('x-amzn-requestid') ?? '', UUID);
  assert.equal(res.headers.get('x-amzn-errortype'), type);
  assert.deepEqual(await state(), before, 'a rejected request changes nothing');
  const { clusterArns } = await ecs.send(new ListClustersCommand({}));
  assert.ok(clusterArns?.includes(clusterArn(EAST, MAIN)), 'the server still answers the SDK');
}

describe('requests the SDK cannot send', () => {
  it('answers malformed JSON with SerializationException', async () => {
    await rawRejects({ target: `${TARGET}.CreateCluster`, body: '{"clusterName": "errors-raw"' }, 400, 'SerializationException');
    await rawRejects({ target: `${TARGET}.CreateCluster`, body: '{"clusterName": "errors-raw"}}' }, 400, 'SerializationException');
  });

  it('answers a body that is not a JSON object with SerializationException', async () => {
    for (const body of ['[]', '"errors-raw"', '42', 'null', 'true']) {
      await rawRejects({ target: `${TARGET}.CreateCluster`, body }, 400, 'SerializationException');
    }
  });

  it('answers an unknown X-Amz-Target with UnknownOperationException', async () => {
    for (const action of ['LaunchRockets', 'constructor', '__proto__', 'hasOwnProperty', 'toString', '']) {
      await rawRejects({ target: `${TARGET}.${action}`, body: '{}' }, 400, 'UnknownOperationException');
    }
    await rawRejects({ target: 'DynamoDB_20120810.ListTables', body: '{}' }, 400, 'UnknownOperationException');
    await rawRejects({ target: 'CreateCluster', body: '{}' }, 400, 'UnknownOperationException');
  });

  it('answers a request without an X-Amz-Target, or a GET, with MissingAction', async () => {
    await rawRejects({ body: '{}' }, 400, 'MissingAction');
    await rawRejects({ method: 'GET' }, 400, 'MissingAction');
    await rawRejects({ method: 'GET', target: `${TARGET}.ListClusters` }, 400, 'MissingAction');
  });

  it('answers a body over 10 MiB with 413, whether its length is declared or streamed', async () => {
    const huge = `{"clusterName":"errors-raw","pad":"${'a'.repeat(10 * 1024 * 1024)}"}`;
    await rawRejects({ target: `${TARGET}.CreateCluster`, body: huge }, 413, 'RequestEntityTooLargeException');
    const chunk = new TextEncoder().encode('a'.repeat(1024 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"clusterName":"errors-raw","pad":"'));
        if (sent++ < 11) controller.enqueue(chunk);
        else {
          controller.enqueue(new TextEncoder().encode('"}'));
          controller.close();
        }
      },
    });
    await rawRejects({ target: `${TARGET}.CreateCluster`, body: stream }, 413, 'RequestEntityTooLargeException');
  });

  it('served no request with a 5xx', () => {
    assert.doesNotMatch(wharf.output(), /error serving/, 'the server logs every 5xx it sends');
  });
});
