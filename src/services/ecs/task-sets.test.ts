/**
 * The task set operations and the EXTERNAL and CODE_DEPLOY controllers of CreateService,
 * UpdateService and DeleteService, called as the platform calls them over a real in-memory
 * store: shapes, ids and ARNs, computed counts, primary changes, deletes, ECS's errors (which
 * change nothing).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { DescribeTaskSetsResponse, Service, TaskSet } from '@aws-sdk/client-ecs';
import type { ManualClock } from '../../common/index.ts';
import { getDoc, transact, type Store } from '../../state/index.ts';
import {
  arns, serviceArns, serviceGroup, serviceKeys, stagePrimaryTaskSet, stageTaskSetScale, taskSetMessages, type EcsDeps, type ServiceRecord,
} from '../../ecs/index.ts';
import { clusterOperations } from './clusters.ts';
import { serviceOperations } from './services.ts';
import { CONTROLLER_ERRORS } from './service-validate.ts';
import { taskDefinitionOperations } from './task-definitions.ts';
import { taskSetOperations } from './task-sets.ts';
import { ctx, ecsTestbed, expectRejected, scope, seedTask, taskRecord, type Actions } from './testing.ts';

let store: Store;
let clock: ManualClock;
let deps: EcsDeps;
let api: Actions;

type Json = Record<string, unknown>;
const call = async <T>(action: string, input: Json) => (await api[action](input, ctx)) as T;
const rejects = (action: string, input: Json, code: string, message: RegExp | string) =>
  expectRejected(store, () => api[action](input, ctx), code, typeof message === 'string' ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : message);
const tdArn = (revision: number) => arns.taskDefinition(scope, 'app', revision);
const createExternal = (over: Json = {}) =>
  call<{ service: Service }>('CreateService', { cluster: 'web', serviceName: 'ext', desiredCount: 4, deploymentController: { type: 'EXTERNAL' }, ...over }).then((r) => r.service);
const createTaskSet = (over: Json = {}) =>
  call<{ taskSet: TaskSet }>('CreateTaskSet', { cluster: 'web', service: 'ext', taskDefinition: 'app', ...over }).then((r) => r.taskSet);
const describeSets = (over: Json = {}) => call<DescribeTaskSetsResponse>('DescribeTaskSets', { cluster: 'web', service: 'ext', ...over });
const describeService = async (name = 'ext') =>
  (await call<{ services: Service[] }>('DescribeServices', { cluster: 'web', services: [name] })).services[0];
const stored = async (name = 'ext') => (await getDoc<ServiceRecord>(store, serviceKeys.service(scope, 'web', name)))!.value;

beforeEach(async () => {
  const bed = ecsTestbed();
  ({ store, clock, deps } = bed);
  api = { ...bed.api(clusterOperations), ...bed.api(taskDefinitionOperations), ...bed.api(serviceOperations), ...bed.api(taskSetOperations) };
  await call('CreateCluster', { clusterName: 'web' });
  for (let i = 0; i < 2; i++) await call('RegisterTaskDefinition', { family: 'app', containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }] });
});
afterEach(() => store.close());

describe('CreateService with the EXTERNAL and CODE_DEPLOY controllers', () => {
  test('an EXTERNAL service takes no task definition and starts with no task set', async () => {
    const s = await createExternal();
    assert.deepEqual(s.deploymentController, { type: 'EXTERNAL' });
    assert.equal(s.taskDefinition, undefined);
    assert.deepEqual(s.deployments, []);
    assert.deepEqual(s.taskSets, []);
    assert.equal(s.desiredCount, 4);
    await rejects('CreateService', { cluster: 'web', serviceName: 'x', desiredCount: 1, deploymentController: { type: 'EXTERNAL' }, taskDefinition: 'app' },
      'InvalidParameterException', CONTROLLER_ERRORS.externalTaskDefinition);
  });

  test('a CODE_DEPLOY service starts with one PRIMARY task set of its own settings at 100 %', async () => {
    const s = (await call<{ service: Service }>('CreateService', {
      cluster: 'web', serviceName: 'cd', taskDefinition: 'app:1', desiredCount: 3, deploymentController: { type: 'CODE_DEPLOY' },
    })).service;
    assert.deepEqual(s.deployments, []);
    assert.equal(s.taskSets!.length, 1);
    const [ts] = s.taskSets!;
    assert.match(ts.id!, /^ecs-svc\/\d{19}$/);
    assert.equal(ts.taskSetArn, serviceArns.taskSet(scope, 'web', 'cd', ts.id!));
    assert.equal(ts.status, 'PRIMARY');
    assert.equal(ts.taskDefinition, tdArn(1));
    assert.equal(ts.computedDesiredCount, 3);
    assert.deepEqual(ts.scale, { value: 100, unit: 'PERCENT' });
    assert.equal(ts.launchType, 'EC2');
    assert.equal(s.taskDefinition, tdArn(1));
    // A CODE_DEPLOY service's task definition changes through CodeDeploy only.
    await rejects('UpdateService', { cluster: 'web', service: 'cd', taskDefinition: 'app:2' }, 'InvalidParameterException', CONTROLLER_ERRORS.codeDeployTaskDefinition);
    const scaled = (await call<{ service: Service }>('UpdateService', { cluster: 'web', service: 'cd', desiredCount: 5 })).service;
    assert.equal(scaled.taskSets![0].computedDesiredCount, 5);
    // The API's task set writes are for EXTERNAL services only; DescribeTaskSets shows a CODE_DEPLOY service's.
    await rejects('CreateTaskSet', { cluster: 'web', service: 'cd', taskDefinition: 'app' }, 'InvalidParameterException', taskSetMessages.notExternal);
    assert.equal((await call<DescribeTaskSetsResponse>('DescribeTaskSets', { cluster: 'web', service: 'cd' })).taskSets!.length, 1);
  });
});

describe('task sets of an EXTERNAL service', () => {
  test('CreateTaskSet: ECS shape, ids and ARN; counts read from its tasks; tags with include TAGS', async () => {
    await createExternal();
    const now = clock.now();
    const ts = await createTaskSet({ externalId: 'deploy-1', scale: { value: 50, unit: 'PERCENT' }, tags: [{ key: 'team', value: 'web' }] });
    assert.deepEqual(ts, {
      id: ts.id, taskSetArn: serviceArns.taskSet(scope, 'web', 'ext', ts.id!), serviceArn: serviceArns.service(scope, 'web', 'ext'),
      clusterArn: arns.cluster(scope, 'web'), externalId: 'deploy-1', status: 'ACTIVE', taskDefinition: tdArn(2), computedDesiredCount: 2,
      pendingCount: 0, runningCount: 0, createdAt: new Date(now), updatedAt: new Date(now), launchType: 'EC2', loadBalancers: [], serviceRegistries: [],
      scale: { value: 50, unit: 'PERCENT' }, stabilityStatus: 'STABILIZING', stabilityStatusAt: new Date(now), tags: [{ key: 'team', value: 'web' }],
    });
    assert.match(ts.id!, /^ecs-svc\/\d{19}$/);
    assert.match(ts.taskSetArn!, /:task-set\/web\/ext\/ecs-svc\/\d{19}$/);
    await seedTask(store, taskRecord('web', 't1', { group: serviceGroup('ext'), startedBy: ts.id }));
    await seedTask(store, taskRecord('web', 't2', { group: serviceGroup('ext'), startedBy: ts.id, lastStatus: 'PENDING' }));
    const [shown] = (await describeSets({ taskSets: [ts.taskSetArn] })).taskSets!;
    assert.equal(shown.runningCount, 1);
    assert.equal(shown.pendingCount, 1);
    assert.equal(shown.tags, undefined);
    assert.deepEqual((await describeSets({ taskSets: [ts.id], include: ['TAGS'] })).taskSets![0].tags, [{ key: 'team', value: 'web' }]);
    const service = await describeService();
    assert.equal(service.taskSets!.length, 1);
    assert.equal(service.runningCount, 1);
  });

  test('a CreateTaskSet retried with its clientToken returns the same task set', async () => {
    await createExternal();
    const first = await createTaskSet({ clientToken: 'token-1' });
    const again = await createTaskSet({ clientToken: 'token-1' });
    assert.equal(again.id, first.id);
    assert.equal((await describeSets()).taskSets!.length, 1);
    assert.notEqual((await createTaskSet({ clientToken: 'token-2' })).id, first.id);
  });

  test('DescribeTaskSets reports unknown ones as MISSING', async () => {
    await createExternal();
    const ts = await createTaskSet();
    const out = await describeSets({ taskSets: [ts.id, 'ecs-svc/1234567890123456789'] });
    assert.deepEqual(out.taskSets!.map((t) => t.id), [ts.id]);
    assert.deepEqual(out.failures, [{ arn: 'ecs-svc/1234567890123456789', reason: 'MISSING' }]);
  });

  test('UpdateTaskSet, UpdateServicePrimaryTaskSet and DeleteTaskSet', async () => {
    await createExternal();
    const blue = await createTaskSet({ taskDefinition: 'app:1' });
    const green = await createTaskSet({ taskDefinition: 'app:2', scale: { value: 0, unit: 'PERCENT' } });
    clock.advance(1000);
    const scaled = (await call<{ taskSet: TaskSet }>('UpdateTaskSet', { cluster: 'web', service: 'ext', taskSet: green.id, scale: { value: 33.3, unit: 'PERCENT' } })).taskSet;
    assert.equal(scaled.computedDesiredCount, 2); // ceil(4 × 0.333)
    assert.deepEqual(scaled.scale, { value: 33.3, unit: 'PERCENT' });
    assert.equal(scaled.updatedAt!.getTime(), clock.now());

    const primary = (await call<{ taskSet: TaskSet }>('UpdateServicePrimaryTaskSet', { cluster: 'web', service: 'ext', primaryTaskSet: blue.taskSetArn })).taskSet;
    assert.equal(primary.status, 'PRIMARY');
    let service = await describeService();
    assert.equal(service.taskDefinition, tdArn(1), 'the service shows its primary task set\'s task definition');
    await call('UpdateServicePrimaryTaskSet', { cluster: 'web', service: 'ext', primaryTaskSet: green.id });
    service = await describeService();
    assert.deepEqual(service.taskSets!.map((t) => [t.id, t.status]), [[green.id, 'PRIMARY'], [blue.id, 'ACTIVE']]);
    assert.equal(service.taskDefinition, tdArn(2));

    // UpdateService's desiredCount changes every task set's computed count.
    await call('UpdateService', { cluster: 'web', service: 'ext', desiredCount: 10 });
    assert.deepEqual((await describeSets()).taskSets!.map((t) => t.computedDesiredCount), [4, 10]);

    await rejects('DeleteTaskSet', { cluster: 'web', service: 'ext', taskSet: blue.id }, 'InvalidParameterException', taskSetMessages.scaledAboveZero);
    const deleted = (await call<{ taskSet: TaskSet }>('DeleteTaskSet', { cluster: 'web', service: 'ext', taskSet: blue.id, force: true })).taskSet;
    assert.equal(deleted.status, 'DRAINING');
    assert.equal(deleted.computedDesiredCount, 0);
    await rejects('UpdateTaskSet', { cluster: 'web', service: 'ext', taskSet: blue.id, scale: { value: 10, unit: 'PERCENT' } }, 'InvalidParameterException', taskSetMessages.draining(blue.id!));
  });

  test("ECS's errors, which change nothing", async () => {
    await createExternal();
    await call('CreateService', { cluster: 'web', serviceName: 'rolling', taskDefinition: 'app', desiredCount: 1 });
    await rejects('CreateTaskSet', { cluster: 'web', service: 'nope', taskDefinition: 'app' }, 'ServiceNotFoundException', 'Service not found.');
    await rejects('CreateTaskSet', { cluster: 'web', service: 'rolling', taskDefinition: 'app' }, 'InvalidParameterException', taskSetMessages.notExternal);
    await rejects('DescribeTaskSets', { cluster: 'web', service: 'rolling' }, 'InvalidParameterException', taskSetMessages.notExternal);
    await rejects('CreateTaskSet', { cluster: 'web', service: 'ext', taskDefinition: 'gone' }, 'ClientException', /^TaskDefinition not found\.$/);
    await rejects('CreateTaskSet', { cluster: 'web', service: 'ext', taskDefinition: 'app', scale: { value: 101, unit: 'PERCENT' } }, 'InvalidParameterException', 'scale.value must be between 0 and 100.');
    await rejects('CreateTaskSet', { cluster: 'nope', service: 'ext', taskDefinition: 'app' }, 'ClusterNotFoundException', 'Cluster not found.');
    await rejects('UpdateTaskSet', { cluster: 'web', service: 'ext', taskSet: 'ecs-svc/1', scale: { value: 1, unit: 'PERCENT' } }, 'TaskSetNotFoundException', 'The specified task set does not exist.');
    await rejects('UpdateServicePrimaryTaskSet', { cluster: 'web', service: 'ext', primaryTaskSet: 'ecs-svc/1' }, 'TaskSetNotFoundException', 'The specified task set does not exist.');
    await rejects('DeleteTaskSet', { cluster: 'web', service: 'ext', taskSet: 'ecs-svc/1' }, 'TaskSetNotFoundException', 'The specified task set does not exist.');
    await rejects('UpdateService', { cluster: 'web', service: 'ext', taskDefinition: 'app' }, 'InvalidParameterException', /^taskDefinition can not be updated for a service using the EXTERNAL deployment controller\.$/);
    await rejects('UpdateService', { cluster: 'web', service: 'ext', loadBalancers: [] }, 'InvalidParameterException', /^loadBalancers can not be updated/);
    for (let i = 0; i < 5; i++) await createTaskSet({ scale: { value: 0, unit: 'PERCENT' } });
    await rejects('CreateTaskSet', { cluster: 'web', service: 'ext', taskDefinition: 'app' }, 'InvalidParameterException', taskSetMessages.tooMany(5));
  });

  test('DeleteService drains every task set with the service', async () => {
    await createExternal({ desiredCount: 0 });
    await createTaskSet();
    const s = (await call<{ service: Service }>('DeleteService', { cluster: 'web', service: 'ext' })).service;
    assert.equal(s.status, 'DRAINING');
    assert.deepEqual(s.taskSets!.map((t) => t.status), ['DRAINING']);
  });
});

describe('the domain writes a CodeDeploy controller calls', () => {
  test('chain in one transaction: scale, then make primary', async () => {
    await createExternal();
    const blue = await createTaskSet();
    const green = await createTaskSet({ scale: { value: 0, unit: 'PERCENT' } });
    await transact(store, async (tx) => {
      const service = (await tx.get<ServiceRecord>(serviceKeys.service(scope, 'web', 'ext')))!;
      const scaled = await stageTaskSetScale(tx, deps, service, green.id!, 100);
      await stagePrimaryTaskSet(tx, deps, scaled.service, green.taskSetArn!);
    });
    const after = await stored();
    assert.deepEqual(after.taskSets!.map((t) => [t.id, t.status, t.scale.value]), [[green.id, 'PRIMARY', 100], [blue.id, 'ACTIVE', 100]]);
  });
});
