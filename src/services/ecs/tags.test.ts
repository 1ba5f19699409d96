import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { DescribeContainerInstancesResponse, ListTagsForResourceResponse, Tag } from '@aws-sdk/client-ecs';
import type { Store } from '../../state/index.ts';
import { clusterOperations } from './clusters.ts';
import { containerInstanceOperations } from './container-instances.ts';
import { arns, keys, type ContainerInstanceRecord, type TaskDefinitionRecord, type TaskRecord } from '../../ecs/index.ts';
import { tagOperations } from './tags.ts';
import {
  breaks, ctx, ecsTestbed, expectRejected, instanceRecord, mustNotBeNull, scope, seed, taskRecord, type Actions,
} from './testing.ts';

let store: Store;
let api: Actions;
let clusters: Actions;
let instances: Actions;

const CLUSTER = arns.cluster(scope, 'web');
const TASK_DEF = arns.taskDefinition(scope, 'web-app', 3);
const TASK = arns.task(scope, 'web', 'task1');
const INSTANCE = arns.containerInstance(scope, 'web', 'inst1');

beforeEach(async () => {
  const bed = ecsTestbed();
  store = bed.store;
  api = bed.api(tagOperations);
  clusters = bed.api(clusterOperations);
  instances = bed.api(containerInstanceOperations);
  await clusters.CreateCluster({ clusterName: 'web', tags: [{ key: 'env', value: 'prod' }] }, ctx);
  await seed(store, keys.taskDefinition(scope, 'web-app', 3), taskDefinition());
  await seed(store, keys.task(scope, 'web', 'task1'), task());
  await seed(store, keys.instance(scope, 'web', 'inst1'), instance());
});
afterEach(() => store.close());

function taskDefinition(): TaskDefinitionRecord {
  return {
    family: 'web-app', revision: 3, taskDefinitionArn: TASK_DEF, status: 'ACTIVE', registeredAt: 0, tags: [],
    containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }],
  };
}

function task(): TaskRecord {
  return taskRecord('web', 'task1', {
    taskDefinitionArn: TASK_DEF, launchType: 'FARGATE', group: 'family:web-app', tags: [{ key: 'owner', value: 'a' }], version: 4,
    spec: { family: 'web-app', revision: 3, networkMode: 'awsvpc', containers: [] },
  });
}

const instance = (): ContainerInstanceRecord => instanceRecord('web', 'inst1', { ec2InstanceId: 'i-1', agentId: 'agent-1' });

const tagResource = (resourceArn: string, tags: Tag[]) => api.TagResource({ resourceArn, tags }, ctx);
const untag = (resourceArn: string, tagKeys: string[]) => api.UntagResource({ resourceArn, tagKeys }, ctx);
const listTags = async (resourceArn: string) => ((await api.ListTagsForResource({ resourceArn }, ctx)) as ListTagsForResourceResponse).tags;

/** Asserts the action fails with `code` and a message matching `message`, and that the store did not change. */
const rejects = (action: string, input: Record<string, unknown>, code: string, message: RegExp) =>
  expectRejected(store, () => api[action](input, ctx), code, message);

describe('tags on each resource type', () => {
  const cases: [string, string, Tag[]][] = [
    ['a cluster', CLUSTER, [{ key: 'env', value: 'prod' }]],
    ['a task definition', TASK_DEF, []],
    ['a task', TASK, [{ key: 'owner', value: 'a' }]],
    ['a container instance', INSTANCE, []],
  ];
  for (const [what, arn, initial] of cases) {
    test(`tags, retags and untags ${what}`, async () => {
      assert.deepEqual(await listTags(arn), initial);
      assert.deepEqual(await tagResource(arn, [{ key: 'team', value: 'platform' }, { key: 'cost', value: '42' }]), {});
      assert.deepEqual(await listTags(arn), [...initial, { key: 'team', value: 'platform' }, { key: 'cost', value: '42' }]);
      await tagResource(arn, [{ key: 'team', value: 'data' }]);
      assert.deepEqual(await listTags(arn), [...initial, { key: 'team', value: 'data' }, { key: 'cost', value: '42' }]);
      assert.deepEqual(await untag(arn, ['cost', 'never-set']), {});
      assert.deepEqual(await listTags(arn), [...initial, { key: 'team', value: 'data' }]);
    });
  }

  test('cluster tags show in DescribeClusters, instance tags in DescribeContainerInstances', async () => {
    await tagResource(CLUSTER, [{ key: 'team', value: 'platform' }]);
    const described = (await clusters.DescribeClusters({ clusters: ['web'], include: ['TAGS'] }, ctx)) as { clusters: { tags: Tag[] }[] };
    assert.deepEqual(described.clusters[0].tags, [{ key: 'env', value: 'prod' }, { key: 'team', value: 'platform' }]);
    await tagResource(INSTANCE, [{ key: 'rack', value: 'r1' }]);
    const ci = (await instances.DescribeContainerInstances({ cluster: 'web', containerInstances: ['inst1'], include: ['TAGS'] }, ctx)) as DescribeContainerInstancesResponse;
    assert.deepEqual(ci.containerInstances![0].tags, [{ key: 'rack', value: 'r1' }]);
  });

  test('tagging leaves the rest of the record as it was', async () => {
    await tagResource(TASK, [{ key: 'x', value: 'y' }]);
    const kv = await store.get(keys.task(scope, 'web', 'task1'));
    const stored = JSON.parse(kv!.value) as TaskRecord;
    assert.deepEqual({ ...stored, tags: [] }, { ...task(), tags: [] });
  });
});

describe('tag validation', () => {
  test('TagResource requires the ARN and tags', async () => {
    await rejects('TagResource', { tags: [{ key: 'a', value: 'b' }] }, 'InvalidParameterException', mustNotBeNull('resourceArn'));
    await rejects('TagResource', { resourceArn: CLUSTER }, 'InvalidParameterException', mustNotBeNull('tags'));
  });

  test('TagResource checks each tag and the 50-tag limit', async () => {
    await rejects('TagResource', { resourceArn: CLUSTER, tags: [{ key: 'aws:x', value: 'b' }] }, 'InvalidParameterException', /^tags\[0\]\.key: tag keys beginning with aws: are reserved/);
    await rejects('TagResource', { resourceArn: CLUSTER, tags: [{ value: 'b' }] }, 'InvalidParameterException', /^tags\[0\]\.key can not be null or empty/);
    await rejects('TagResource', { resourceArn: CLUSTER, tags: [{ key: 'k', value: 'v'.repeat(257) }] }, 'InvalidParameterException', breaks('tags[0].value', 'Member must have length less than or equal to 256'));
    await rejects('TagResource', { resourceArn: CLUSTER, tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }, 'InvalidParameterException', breaks('tags', 'Member must have length less than or equal to 50'));
    await tagResource(CLUSTER, Array.from({ length: 49 }, (_, i) => ({ key: `k${i}`, value: 'v' })));
    await rejects('TagResource', { resourceArn: CLUSTER, tags: [{ key: 'one-more', value: 'v' }] }, 'InvalidParameterException', /at most 50 tags/);
  });

  test('UntagResource checks its keys', async () => {
    await rejects('UntagResource', { resourceArn: CLUSTER }, 'InvalidParameterException', mustNotBeNull('tagKeys'));
    await rejects('UntagResource', { resourceArn: CLUSTER, tagKeys: [] }, 'InvalidParameterException', /^tagKeys can not be empty/);
    await rejects('UntagResource', { resourceArn: CLUSTER, tagKeys: [''] }, 'InvalidParameterException', breaks('tagKeys', 'Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$]'));
    await rejects('UntagResource', { resourceArn: CLUSTER, tagKeys: ['AWS:name'] }, 'InvalidParameterException', /^tagKeys\[0\]: tag keys beginning with aws: are reserved/);
  });
});

describe('unknown and malformed ARNs', () => {
  const actions: [string, Record<string, unknown>][] = [
    ['TagResource', { tags: [{ key: 'a', value: 'b' }] }],
    ['UntagResource', { tagKeys: ['a'] }],
    ['ListTagsForResource', {}],
  ];
  const arnsAndErrors: [string, string, string, RegExp][] = [
    ['not an ARN', 'web', 'InvalidParameterException', /^The ARN provided is invalid\.$/],
    ['another service', 'arn:aws:ecr:us-east-1:123456789012:repository/web', 'InvalidParameterException', /^The ARN provided is invalid\.$/],
    ['a container ARN', 'arn:aws:ecs:us-east-1:123456789012:container/web/task1/abc', 'InvalidParameterException', /^The ARN provided is invalid\.$/],
    ['a task definition without a revision', 'arn:aws:ecs:us-east-1:123456789012:task-definition/web-app', 'InvalidParameterException', /^The ARN provided is invalid\.$/],
    ['a short task ARN', 'arn:aws:ecs:us-east-1:123456789012:task/task1', 'InvalidParameterException', /^Long arn format must be used for tagging operations\.$/],
    ['an unknown cluster', arns.cluster(scope, 'nope'), 'ClusterNotFoundException', /^Cluster not found\.$/],
    ['a cluster in another region', 'arn:aws:ecs:eu-west-1:123456789012:cluster/web', 'ClusterNotFoundException', /^Cluster not found\.$/],
    ['a task in an unknown cluster', arns.task(scope, 'nope', 'task1'), 'ClusterNotFoundException', /^Cluster not found\.$/],
    ['an unknown task', arns.task(scope, 'web', 'task2'), 'ResourceNotFoundException', /wasn't found/],
    ['an unknown task definition revision', arns.taskDefinition(scope, 'web-app', 4), 'ResourceNotFoundException', /wasn't found/],
    ['an unknown container instance', arns.containerInstance(scope, 'web', 'inst2'), 'ResourceNotFoundException', /wasn't found/],
    ['a task in another account', 'arn:aws:ecs:us-east-1:999999999999:task/web/task1', 'ResourceNotFoundException', /wasn't found/],
    ['a service (none exist yet)', 'arn:aws:ecs:us-east-1:123456789012:service/web/api', 'ResourceNotFoundException', /wasn't found/],
  ];
  for (const [what, resourceArn, code, message] of arnsAndErrors) {
    test(`${what}: ${code}`, async () => {
      for (const [action, input] of actions) await rejects(action, { resourceArn, ...input }, code, message);
    });
  }

  test('resources of an INACTIVE cluster cannot be tagged or listed', async () => {
    await store.txn([], [{ type: 'delete', key: keys.task(scope, 'web', 'task1') }, { type: 'delete', key: keys.instance(scope, 'web', 'inst1') }]);
    await clusters.DeleteCluster({ cluster: 'web' }, ctx);
    for (const [action, input] of actions) {
      await rejects(action, { resourceArn: CLUSTER, ...input }, 'InvalidParameterException', /^The specified cluster is inactive\. Specify an active cluster and try again\.$/);
      await rejects(action, { resourceArn: TASK, ...input }, 'InvalidParameterException', /cluster is inactive/);
    }
  });
});
