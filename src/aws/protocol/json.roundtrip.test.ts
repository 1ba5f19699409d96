/**
 * The AWS JSON 1.1 codec against the real @aws-sdk/client-ecs and client-ecr, on ECS's and
 * ECR's generated models: what the SDK serializes, the codec decodes to the command's input
 * (timestamps as Dates, blobs as bytes); what a handler returns, the SDK hands back unchanged;
 * a thrown error arrives as the SDK's modeled exception class.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ClusterNotFoundException, DescribeClustersCommand, DescribeTasksCommand, ECSClient, ECSServiceException, RunTaskCommand,
  SubmitTaskStateChangeCommand, type RunTaskCommandInput, type RunTaskCommandOutput, type SubmitTaskStateChangeCommandInput, type Task,
} from '@aws-sdk/client-ecs';
import {
  DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand, RepositoryNotFoundException, UploadLayerPartCommand,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../errors.ts';
import { ecrModel } from '../models/ecr.ts';
import { ecsModel } from '../models/ecs.ts';
import { clientConfig, startCodecServer, type CodecServer, type DecodedCall } from './roundtrip.testing.ts';

let answer: (call: DecodedCall) => object = () => ({});
let ecsServer: CodecServer;
let ecrServer: CodecServer;
let ecs: ECSClient;
let ecr: ECRClient;

before(async () => {
  ecsServer = await startCodecServer(ecsModel, (call) => answer(call));
  ecrServer = await startCodecServer(ecrModel, (call) => answer(call));
  ecs = new ECSClient(clientConfig(ecsServer.url));
  ecr = new ECRClient(clientConfig(ecrServer.url));
});

after(async () => {
  ecs.destroy();
  ecr.destroy();
  await ecsServer.close();
  await ecrServer.close();
});

function body<T extends { $metadata?: unknown }>(output: T): Omit<T, '$metadata'> {
  const { $metadata: _, ...rest } = output;
  return rest;
}

const lastCall = (server: CodecServer) => server.calls.at(-1);
const taskArn = 'arn:aws:ecs:us-east-1:123456789012:task/main/0123456789abcdef0123456789abcdef';

async function failure(send: () => Promise<unknown>): Promise<ECSServiceException> {
  const caught = await send().then(() => assert.fail('the request succeeded'), (error: unknown) => error);
  assert.ok(caught instanceof Error);
  return caught as ECSServiceException;
}

/** A task as DescribeTasks and RunTask return it: timestamps, nested lists, overrides, a long. */
const task: Task = {
  taskArn, clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/main', taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:3',
  lastStatus: 'RUNNING', desiredStatus: 'RUNNING', launchType: 'EC2', cpu: '256', memory: '512', version: 4, group: 'family:web',
  createdAt: new Date('2026-12-03T06:50:01.123Z'), startedAt: new Date('2026-12-03T06:50:09Z'), pullStartedAt: new Date('2026-12-03T06:50:02.5Z'),
  containers: [{
    containerArn: 'arn:aws:ecs:us-east-1:123456789012:container/main/0123/abcd', taskArn, name: 'web', lastStatus: 'RUNNING', exitCode: 0,
    networkBindings: [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 32768, protocol: 'tcp' }], healthStatus: 'HEALTHY',
  }],
  attachments: [{ id: 'eni-att', type: 'ElasticNetworkInterface', status: 'ATTACHED', details: [{ name: 'subnetId', value: 'subnet-1' }, { name: 'privateIPv4Address', value: '10.0.0.5' }] }],
  overrides: { containerOverrides: [{ name: 'web', command: ['sh', '-c', 'echo "hi" && exit 0'], environment: [{ name: 'A', value: '1' }] }], inferenceAcceleratorOverrides: [] },
  tags: [{ key: 'team', value: 'wharf' }],
  ephemeralStorage: { sizeInGiB: 21 },
};

describe('ECS through @aws-sdk/client-ecs', () => {
  it('RunTask: overrides, nested lists and a generated clientToken in; tasks and failures out', async () => {
    const input: RunTaskCommandInput = {
      cluster: 'main', taskDefinition: 'web:3', count: 2, launchType: 'EC2', group: 'family:web', startedBy: 'ci', enableECSManagedTags: true,
      propagateTags: 'TASK_DEFINITION', referenceId: 'ref-1',
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' }],
      placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'memory' }],
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1', 'subnet-2'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
      overrides: {
        containerOverrides: [{
          name: 'web', command: ['sh', '-c', 'echo "hi" && exit 0'], environment: [{ name: 'A', value: '1' }, { name: 'EMPTY', value: '' }],
          cpu: 128, memory: 256, memoryReservation: 128, resourceRequirements: [{ type: 'GPU', value: '1' }],
        }],
        cpu: '256', memory: '512', taskRoleArn: 'arn:aws:iam::123456789012:role/task', ephemeralStorage: { sizeInGiB: 21 },
      },
      tags: [{ key: 'team', value: 'wharf' }],
    };
    const output: Omit<RunTaskCommandOutput, '$metadata'> = { tasks: [task], failures: [{ arn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/main/x', reason: 'RESOURCE:MEMORY', detail: 'needs 512' }] };
    answer = () => output;
    const got = await ecs.send(new RunTaskCommand(input));
    const decoded = lastCall(ecsServer);
    assert.equal(decoded?.operation, 'RunTask');
    const { clientToken, ...rest } = decoded?.input ?? {};
    assert.match(String(clientToken), /^[0-9a-f-]{36}$/, 'the SDK fills in the idempotency token');
    assert.deepEqual(rest, input);
    assert.deepEqual(body(got), output);
  });

  it('DescribeTasks: fractional-second timestamps come back as the same Dates', async () => {
    answer = () => ({ tasks: [task], failures: [] });
    const got = await ecs.send(new DescribeTasksCommand({ cluster: 'main', tasks: [taskArn], include: ['TAGS'] }));
    assert.deepEqual(lastCall(ecsServer)?.input, { cluster: 'main', tasks: [taskArn], include: ['TAGS'] });
    assert.deepEqual(body(got), { tasks: [task], failures: [] });
  });

  it('SubmitTaskStateChange: Dates in are epoch seconds decoded to the same Dates', async () => {
    const input: SubmitTaskStateChangeCommandInput = {
      cluster: 'main', task: taskArn, status: 'STOPPED', reason: 'done',
      pullStartedAt: new Date('2026-12-03T06:50:02.5Z'), pullStoppedAt: new Date('2026-12-03T06:50:03Z'), executionStoppedAt: new Date('2026-12-03T06:59:59.999Z'),
      containers: [{ containerName: 'web', exitCode: 0, status: 'STOPPED', networkBindings: [{ containerPort: 80, hostPort: 32768 }] }],
      attachments: [{ attachmentArn: 'arn:att', status: 'DETACHED' }],
    };
    answer = () => ({ acknowledgment: 'ACK' });
    assert.deepEqual(body(await ecs.send(new SubmitTaskStateChangeCommand(input))), { acknowledgment: 'ACK' });
    assert.deepEqual(lastCall(ecsServer)?.input, input);
  });

  it('errors: a modeled error arrives as its class with message, status and request id', async () => {
    answer = () => { throw new AwsError('ClusterNotFoundException', 'Cluster not found.'); };
    const error = await failure(() => ecs.send(new DescribeTasksCommand({ cluster: 'nope', tasks: [taskArn] })));
    assert.ok(error instanceof ClusterNotFoundException);
    assert.equal(error.name, 'ClusterNotFoundException');
    assert.equal(error.message, 'Cluster not found.');
    assert.equal(error.$fault, 'client');
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.match(error.$metadata.requestId ?? '', /^00000000-/);
  });

  it('errors: a member of the wrong JSON type is SerializationException naming it, before any handler runs', async () => {
    const calls = ecsServer.calls.length;
    const error = await failure(() => ecs.send(new DescribeClustersCommand({ clusters: ['main', 7 as unknown as string] })));
    assert.equal(error.constructor, ECSServiceException);
    assert.equal(error.name, 'SerializationException');
    assert.match(error.message, /clusters\[1\] must be a string, not number/);
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.equal(ecsServer.calls.length, calls);
  });
});

describe('ECR through @aws-sdk/client-ecr', () => {
  it('UploadLayerPart: a blob arrives as the same bytes, longs as numbers', async () => {
    const bytes = new Uint8Array(Array.from({ length: 300 }, (_, i) => (i * 7) % 256));
    answer = () => ({ registryId: '123456789012', repositoryName: 'web', uploadId: 'u-1', lastByteReceived: 299 });
    const got = await ecr.send(new UploadLayerPartCommand({ repositoryName: 'web', uploadId: 'u-1', partFirstByte: 0, partLastByte: 299, layerPartBlob: bytes }));
    assert.deepEqual(lastCall(ecrServer), {
      operation: 'UploadLayerPart', input: { repositoryName: 'web', uploadId: 'u-1', partFirstByte: 0, partLastByte: 299, layerPartBlob: bytes },
    });
    assert.deepEqual(body(got), { registryId: '123456789012', repositoryName: 'web', uploadId: 'u-1', lastByteReceived: 299 });
  });

  it('DescribeImages and GetAuthorizationToken: dates, longs, doubles and maps out', async () => {
    const image: ImageDetail = {
      registryId: '123456789012', repositoryName: 'web', imageDigest: `sha256:${'a'.repeat(64)}`, imageTags: ['latest', 'v1'],
      imageSizeInBytes: 123456789012, imagePushedAt: new Date('2026-12-03T06:50:01.5Z'), lastRecordedPullTime: new Date('2026-12-04T00:00:00Z'),
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      imageScanStatus: { status: 'COMPLETE', description: 'done' },
      imageScanFindingsSummary: { imageScanCompletedAt: new Date('2026-12-03T06:51:00Z'), findingSeverityCounts: { HIGH: 2, LOW: 7 } },
    };
    answer = () => ({ imageDetails: [image] });
    assert.deepEqual(body(await ecr.send(new DescribeImagesCommand({ repositoryName: 'web', imageIds: [{ imageTag: 'latest' }], filter: { tagStatus: 'TAGGED' } }))), { imageDetails: [image] });
    assert.deepEqual(lastCall(ecrServer)?.input, { repositoryName: 'web', imageIds: [{ imageTag: 'latest' }], filter: { tagStatus: 'TAGGED' } });

    const auth = { authorizationData: [{ authorizationToken: Buffer.from('AWS:secret').toString('base64'), expiresAt: new Date('2026-12-03T18:50:01Z'), proxyEndpoint: 'http://127.0.0.1' }] };
    answer = () => auth;
    assert.deepEqual(body(await ecr.send(new GetAuthorizationTokenCommand({}))), auth);
  });

  it('errors: a modeled ECR error arrives as its class', async () => {
    answer = () => { throw new AwsError('RepositoryNotFoundException', "The repository with name 'web' does not exist in the registry with id '123456789012'"); };
    const caught = await ecr.send(new DescribeImagesCommand({ repositoryName: 'web' })).then(() => assert.fail('succeeded'), (e: unknown) => e);
    assert.ok(caught instanceof RepositoryNotFoundException);
    assert.match(caught.message, /does not exist/);
    assert.equal(caught.$metadata.httpStatusCode, 400);
  });
});
