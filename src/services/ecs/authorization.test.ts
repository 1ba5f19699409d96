/**
 * What IAM is asked for each ECS operation: the action, the resource ARNs (built from names,
 * or the ARNs given), and the condition keys, as AWS's "Actions, resources, and condition keys
 * for Amazon ECS" lists them. Recorded from the platform's authorize stage, over a real store.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  authorizeOperation, type AuthorizationRequest, type Authority, type ConditionValues, type OperationSpec, type ServiceDefinition,
} from '../../aws/index.ts';
import { ecsWorld, seedTaskDefinition, taskDefinitionRecord, type EcsWorld } from '../../ecs/testing.ts';
import { ecsResourceInfo } from '../../ecs/index.ts';
import { ecsService } from './index.ts';
import { ctx } from './testing.ts';

const A = 'arn:aws:ecs:us-east-1:123456789012';
let world: EcsWorld;
let service: ServiceDefinition;
let asked: AuthorizationRequest[];

const recorder: Authority = {
  findSigningKey: async () => ({ status: 'unknown' }),
  async authorize(_principal, request) {
    asked.push(request);
    return { allowed: true };
  },
};

beforeEach(async () => {
  world = ecsWorld();
  service = ecsService(world.deps) as unknown as ServiceDefinition;
  asked = [];
  for (const revision of [1, 2]) await seedTaskDefinition(world.store, taskDefinitionRecord('web', revision, [{ name: 'app', image: 'nginx', memory: 64 }]));
});
afterEach(() => world.store.close());

/** What IAM is asked for `operation` with `input`: each resource with the request's condition keys (unset ones left out). */
async function asks(operation: string, input: object): Promise<[string, string, ConditionValues][]> {
  asked = [];
  const spec = service.operations[operation] as OperationSpec<object, object>;
  await authorizeOperation(recorder, service, operation, spec, input, ctx, {});
  return asked.map((r) => [r.action, r.resource, Object.fromEntries(Object.entries(r.conditions ?? {}).filter(([, v]) => v !== undefined))]);
}

describe('ECS authorization', () => {
  test('clusters: CreateCluster on the new cluster with its tags; the others on the cluster they name', async () => {
    assert.deepEqual(await asks('CreateCluster', { clusterName: 'web', tags: [{ key: 'team', value: 'a' }], capacityProviders: ['FARGATE'] }), [
      ['ecs:CreateCluster', `${A}:cluster/web`, { 'aws:TagKeys': ['team'], 'aws:RequestTag/team': 'a', 'ecs:capacity-provider': ['FARGATE'] }],
    ]);
    assert.deepEqual(await asks('CreateCluster', {}), [['ecs:CreateCluster', `${A}:cluster/default`, {}]]);
    assert.deepEqual(await asks('DescribeClusters', { clusters: ['a', `${A}:cluster/b`] }), [
      ['ecs:DescribeClusters', `${A}:cluster/a`, {}], ['ecs:DescribeClusters', `${A}:cluster/b`, {}],
    ]);
    assert.deepEqual(await asks('ListClusters', {}), [['ecs:ListClusters', '*', {}]]);
    for (const op of ['UpdateCluster', 'UpdateClusterSettings', 'DeleteCluster', 'ListContainerInstances', 'DeregisterContainerInstance', 'ListAttributes']) {
      assert.deepEqual(await asks(op, { cluster: 'prod' }), [[`ecs:${op}`, `${A}:cluster/prod`, {}]], op);
    }
  });

  test('task definitions: the revision named, a family\'s latest ACTIVE one, the next one registered', async () => {
    assert.deepEqual(await asks('DescribeTaskDefinition', { taskDefinition: 'web' }), [['ecs:DescribeTaskDefinition', `${A}:task-definition/web:2`, {}]]);
    assert.deepEqual(await asks('DeregisterTaskDefinition', { taskDefinition: 'web:1' }), [['ecs:DeregisterTaskDefinition', `${A}:task-definition/web:1`, {}]]);
    assert.deepEqual(await asks('DeleteTaskDefinitions', { taskDefinitions: ['web:1', `${A}:task-definition/api:3`] }), [
      ['ecs:DeleteTaskDefinitions', `${A}:task-definition/web:1`, {}], ['ecs:DeleteTaskDefinitions', `${A}:task-definition/api:3`, {}],
    ]);
    await world.store.txn([], [{ type: 'put', key: 'ecs/families/123456789012/us-east-1/web', value: JSON.stringify({ family: 'web', lastRevision: 2 }) }]);
    assert.deepEqual(await asks('RegisterTaskDefinition', { family: 'web', tags: [{ key: 'app', value: 'web' }] }), [
      ['ecs:RegisterTaskDefinition', `${A}:task-definition/web:3`, { 'aws:TagKeys': ['app'], 'aws:RequestTag/app': 'web' }],
    ]);
    assert.deepEqual(await asks('ListTaskDefinitions', {}), [['ecs:ListTaskDefinitions', '*', {}]]);
    assert.deepEqual(await asks('ListTaskDefinitionFamilies', {}), [['ecs:ListTaskDefinitionFamilies', '*', {}]]);
  });

  test('RunTask and StartTask: the task definition, with ecs:cluster and the request\'s keys', async () => {
    assert.deepEqual(await asks('RunTask', { cluster: 'prod', taskDefinition: 'web', enableExecuteCommand: false, tags: [{ key: 'run', value: '1' }], overrides: { cpu: '256' } }), [
      ['ecs:RunTask', `${A}:task-definition/web:2`, {
        'aws:TagKeys': ['run'], 'aws:RequestTag/run': '1', 'ecs:cluster': `${A}:cluster/prod`, 'ecs:enable-execute-command': 'false', 'ecs:task-cpu': '256',
      }],
    ]);
    assert.deepEqual(await asks('RunTask', { taskDefinition: 'web:1', capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] }), [
      ['ecs:RunTask', `${A}:task-definition/web:1`, { 'ecs:cluster': `${A}:cluster/default`, 'ecs:capacity-provider': ['FARGATE'] }],
    ]);
    assert.deepEqual(await asks('StartTask', { cluster: 'prod', taskDefinition: 'web:1', containerInstances: ['abc', `${A}:container-instance/prod/def`] }), [
      ['ecs:StartTask', `${A}:task-definition/web:1`, {
        'ecs:cluster': `${A}:cluster/prod`, 'ecs:container-instances': [`${A}:container-instance/prod/abc`, `${A}:container-instance/prod/def`],
      }],
    ]);
  });

  test('tasks and container instances: each one named, in its cluster', async () => {
    const inProd = { 'ecs:cluster': `${A}:cluster/prod` };
    assert.deepEqual(await asks('StopTask', { cluster: 'prod', task: 'abc' }), [['ecs:StopTask', `${A}:task/prod/abc`, inProd]]);
    assert.deepEqual(await asks('StopTask', { task: `${A}:task/prod/abc` }), [['ecs:StopTask', `${A}:task/prod/abc`, inProd]], 'the cluster of a task ARN');
    assert.deepEqual(await asks('DescribeTasks', { cluster: 'prod', tasks: ['abc', `${A}:task/prod/def`] }), [
      ['ecs:DescribeTasks', `${A}:task/prod/abc`, inProd], ['ecs:DescribeTasks', `${A}:task/prod/def`, inProd],
    ]);
    assert.deepEqual(await asks('ListTasks', { cluster: 'prod' }), [['ecs:ListTasks', '*', inProd]]);
    assert.deepEqual(await asks('ListTasks', { cluster: 'prod', containerInstance: 'abc' }), [['ecs:ListTasks', `${A}:container-instance/prod/abc`, inProd]]);
    for (const op of ['DescribeContainerInstances', 'UpdateContainerInstancesState']) {
      assert.deepEqual(await asks(op, { cluster: 'prod', containerInstances: ['abc'] }), [[`ecs:${op}`, `${A}:container-instance/prod/abc`, inProd]], op);
    }
    for (const op of ['PutAttributes', 'DeleteAttributes']) {
      assert.deepEqual(await asks(op, { cluster: 'prod', attributes: [{ name: 'a', targetId: 'abc' }, { name: 'b', targetId: 'abc' }] }), [
        [`ecs:${op}`, `${A}:container-instance/prod/abc`, inProd],
      ], op);
    }
  });

  test('services and their deployments: the service, with ecs:cluster and the request\'s keys', async () => {
    assert.deepEqual(await asks('CreateService', { cluster: 'prod', serviceName: 'api', taskDefinition: 'web', propagateTags: 'SERVICE', tags: [{ key: 'a', value: 'b' }] }), [
      ['ecs:CreateService', `${A}:service/prod/api`, {
        'aws:TagKeys': ['a'], 'aws:RequestTag/a': 'b', 'ecs:cluster': `${A}:cluster/prod`, 'ecs:task-definition': `${A}:task-definition/web:2`, 'ecs:propagate-tags': 'SERVICE',
      }],
    ]);
    assert.deepEqual(await asks('UpdateService', { service: `${A}:service/prod/api`, enableExecuteCommand: true }), [
      ['ecs:UpdateService', `${A}:service/prod/api`, { 'ecs:cluster': `${A}:cluster/prod`, 'ecs:enable-execute-command': 'true' }],
    ]);
    assert.deepEqual(await asks('DeleteService', { cluster: 'prod', service: 'api' }), [['ecs:DeleteService', `${A}:service/prod/api`, { 'ecs:cluster': `${A}:cluster/prod` }]]);
    assert.deepEqual(await asks('DescribeServices', { cluster: 'prod', services: ['api'] }), [['ecs:DescribeServices', `${A}:service/prod/api`, { 'ecs:cluster': `${A}:cluster/prod` }]]);
    assert.deepEqual(await asks('ListServices', { cluster: 'prod' }), [['ecs:ListServices', '*', { 'ecs:cluster': `${A}:cluster/prod` }]]);
    assert.deepEqual(await asks('ListServiceDeployments', { cluster: 'prod', service: 'api' }), [
      ['ecs:ListServiceDeployments', `${A}:service/prod/api`, { 'ecs:cluster': `${A}:cluster/prod` }],
    ]);
    const deployment = `${A}:service-deployment/prod/api/xyz`;
    const keys = { 'ecs:cluster': `${A}:cluster/prod`, 'ecs:service': `${A}:service/prod/api` };
    assert.deepEqual(await asks('DescribeServiceDeployments', { serviceDeploymentArns: [deployment] }), [['ecs:DescribeServiceDeployments', deployment, keys]]);
    assert.deepEqual(await asks('StopServiceDeployment', { serviceDeploymentArn: deployment }), [['ecs:StopServiceDeployment', deployment, keys]]);
    const revision = `${A}:service-revision/prod/api/1`;
    assert.deepEqual(await asks('DescribeServiceRevisions', { serviceRevisionArns: [revision] }), [['ecs:DescribeServiceRevisions', revision, keys]]);
  });

  test('tagging: the resource, with the tags or tag keys', async () => {
    const cluster = `${A}:cluster/prod`;
    assert.deepEqual(await asks('TagResource', { resourceArn: cluster, tags: [{ key: 'k', value: 'v' }] }), [
      ['ecs:TagResource', cluster, { 'aws:TagKeys': ['k'], 'aws:RequestTag/k': 'v' }],
    ]);
    assert.deepEqual(await asks('UntagResource', { resourceArn: cluster, tagKeys: ['k'] }), [['ecs:UntagResource', cluster, { 'aws:TagKeys': ['k'] }]]);
    assert.deepEqual(await asks('ListTagsForResource', { resourceArn: cluster }), [['ecs:ListTagsForResource', cluster, {}]]);
  });

  test('members left out never make authorization throw: the model refuses them after', async () => {
    for (const operation of Object.keys(service.operations)) await asks(operation, {});
  });

  test('the handler asks for iam:PassRole on each role handed to ECS', async () => {
    const passed: AuthorizationRequest[] = [];
    const tds = ecsService(world.deps).operations.RegisterTaskDefinition!;
    await tds.handler(
      { family: 'roles', taskRoleArn: 'app', executionRoleArn: 'arn:aws:iam::123456789012:role/exec', containerDefinitions: [{ name: 'a', image: 'nginx', memory: 64 }] },
      { ...ctx, authorize: async (r) => void passed.push(r) },
    );
    assert.deepEqual(passed, [
      { action: 'iam:PassRole', resource: 'arn:aws:iam::123456789012:role/app', conditions: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      { action: 'iam:PassRole', resource: 'arn:aws:iam::123456789012:role/exec', conditions: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    ]);
  });
});

describe('ecsResourceInfo', () => {
  test('the tags of the resource an ECS ARN names, for aws:ResourceTag', async () => {
    const info = ecsResourceInfo(world.store);
    await world.store.txn([], [{ type: 'put', key: 'ecs/clusters/123456789012/us-east-1/prod', value: JSON.stringify({ name: 'prod', tags: [{ key: 'team', value: 'web' }] }) }]);
    assert.deepEqual(await info(`${A}:cluster/prod`), { tags: { team: 'web' }, account: '123456789012' });
    assert.deepEqual(await info(`${A}:task-definition/web:1`), { tags: {}, account: '123456789012' });
    assert.equal(await info(`${A}:cluster/nope`), undefined);
    assert.equal(await info(`${A}:task-definition/web`), undefined);
    assert.equal(await info('arn:aws:ecr:us-east-1:123456789012:repository/web'), undefined);
  });
});
