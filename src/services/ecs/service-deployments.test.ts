import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type {
  DescribeServiceDeploymentsResponse, DescribeServiceRevisionsResponse, ListServiceDeploymentsResponse, StopServiceDeploymentResponse,
} from '@aws-sdk/client-ecs';
import type { ManualClock } from '../../common/index.ts';
import { getDoc, listDocs, transact, type Store, type Tx } from '../../state/index.ts';
import { clusterOperations } from './clusters.ts';
import {
  arns, deploymentKeyId, putService, resolveTaskDefinition, serviceArns, serviceKeys, specOf, startDeployment, type DeploymentRecord,
  type ServiceRecord, type ServiceRevisionRecord, type TaskRecord,
} from '../../ecs/index.ts';
import { serviceDeploymentOperations } from './service-deployments.ts';
import { taskDefinitionOperations } from './task-definitions.ts';
import {
  ctx, ecsTestbed, expectRejected, mustNotBeNull, notInEnum, scope, seedTask, taskRecord, type Actions, type EcsTestbed,
} from './testing.ts';

type Json = Record<string, unknown>;

let bed: EcsTestbed;
let store: Store;
let clock: ManualClock;
let api: Actions;

const tdArn = (revision: number) => arns.taskDefinition(scope, 'web', revision);

beforeEach(async () => {
  bed = ecsTestbed();
  ({ store, clock } = bed);
  api = bed.api(serviceDeploymentOperations);
  await bed.api(clusterOperations).CreateCluster({ clusterName: 'prod' }, ctx);
  const tds = bed.api(taskDefinitionOperations);
  await tds.RegisterTaskDefinition({ family: 'web', containerDefinitions: [{ name: 'app', image: 'nginx:1.25', memory: 128 }] }, ctx);
  await tds.RegisterTaskDefinition({
    family: 'web',
    containerDefinitions: [{ name: 'app', image: 'nginx:1.27', memory: 128 }, { name: 'log', image: 'fluent-bit', memory: 64 }],
  }, ctx);
});
afterEach(() => store.close());

const call = async <T>(action: string, input: Json) => (await api[action](input, ctx)) as T;
const list = (input: Json) => call<ListServiceDeploymentsResponse>('ListServiceDeployments', input);
const describeDeployments = (arns: string[]) => call<DescribeServiceDeploymentsResponse>('DescribeServiceDeployments', { serviceDeploymentArns: arns });
const describeRevisions = (arns: string[]) => call<DescribeServiceRevisionsResponse>('DescribeServiceRevisions', { serviceRevisionArns: arns });
const stop = (input: Json) => call<StopServiceDeploymentResponse>('StopServiceDeployment', input);

/** Asserts the action fails with `code` and a message matching `message`, and that the store did not change. */
const rejects = (action: string, input: Json, code: string, message: RegExp) => expectRejected(store, () => api[action](input, ctx), code, message);

const serviceKey = (name: string) => serviceKeys.service(scope, 'prod', name);
const storedService = async (name = 'web') => (await getDoc<ServiceRecord>(store, serviceKey(name)))!.value;
const epochSeconds = (ms: number) => ms / 1000;

/**
 * Creates ACTIVE REPLICA service `name` in cluster prod running web:1, with its first deployment
 * started, as CreateService would store it.
 */
async function createService(name = 'web', over: Partial<ServiceRecord> = {}): Promise<ServiceRecord> {
  const now = clock.now();
  const base: ServiceRecord = {
    name, arn: serviceArns.service(scope, 'prod', name), clusterName: 'prod', clusterArn: arns.cluster(scope, 'prod'),
    status: 'ACTIVE', schedulingStrategy: 'REPLICA', launchType: 'EC2', desiredCount: 2, taskDefinition: tdArn(1),
    placementConstraints: [], placementStrategy: [],
    deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: false, rollback: false } },
    deploymentController: { type: 'ECS' }, loadBalancers: [], serviceRegistries: [], enableECSManagedTags: false, enableExecuteCommand: false,
    tags: [], createdAt: now, deployments: [], events: [], version: 1, ...over,
  };
  return transact(store, async (tx) => {
    const td = await resolveTaskDefinition(tx, scope, base.taskDefinition);
    const service = startDeployment(tx, base, specOf(base), td, bed.deps.ids, now);
    putService(tx, service);
    return service;
  });
}

/** Changes stored service `name` as `change` says (a second later, in one transaction), keeping its history in step. */
async function changeService(
  name: string,
  change: (s: ServiceRecord, now: number, tx: Tx) => Promise<ServiceRecord> | ServiceRecord,
  retire: (s: ServiceRecord) => DeploymentRecord[] = () => [],
): Promise<ServiceRecord> {
  clock.advance(1000);
  return transact(store, async (tx) => {
    const s = (await tx.get<ServiceRecord>(serviceKey(name)))!;
    const updated = { ...(await change(s, clock.now(), tx)), version: s.version + 1 };
    putService(tx, updated, retire(s));
    return updated;
  });
}

/** Rolls out web:`revision` as UpdateService would: a new PRIMARY deployment. Returns it. */
async function deploy(name: string, revision: number): Promise<DeploymentRecord> {
  const s = await changeService(name, async (s, now, tx) => {
    const td = await resolveTaskDefinition(tx, scope, tdArn(revision));
    return startDeployment(tx, s, { ...specOf(s), taskDefinition: td.taskDefinitionArn }, td, bed.deps.ids, now);
  });
  return s.deployments[0];
}

/** Marks the PRIMARY deployment COMPLETED / SUCCESSFUL and retires the others, as the controller does on a steady state. */
async function complete(name: string): Promise<void> {
  await changeService(name, (s, now) => {
    const [primary] = s.deployments;
    const done: DeploymentRecord = {
      ...primary, rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${primary.id} completed.`,
      deploymentStatus: 'SUCCESSFUL', finishedAt: now, updatedAt: now, circuitBreakerComplete: true,
    };
    const { taskDefinition, placementConstraints, placementStrategy, deploymentConfiguration } = done;
    return {
      ...s, deployments: [done],
      lastCompleted: { deploymentId: done.id, revisionArn: done.revisionArn, spec: { taskDefinition, placementConstraints, placementStrategy, deploymentConfiguration } },
    };
  }, (s) => s.deployments.slice(1).map((d) => ({ ...d, status: 'INACTIVE', desiredCount: 0, updatedAt: clock.now() })));
}

/** Applies `over` to one live deployment of service `name`. */
const patchDeployment = (name: string, id: string, over: Partial<DeploymentRecord>) =>
  changeService(name, (s) => ({ ...s, deployments: s.deployments.map((d) => (d.id === id ? { ...d, ...over } : d)) }));

/** A task of service `name` started by deployment `startedBy`. */
const serviceTask = (id: string, startedBy: string, over: Partial<TaskRecord> = {}, name = 'web') =>
  seedTask(store, taskRecord('prod', id, { group: `service:${name}`, startedBy, createdAt: clock.now(), ...over }));

const history = async (name = 'web') =>
  (await listDocs<DeploymentRecord>(store, serviceKeys.deployments(scope, 'prod', name))).map((d) => d.value);

describe('ListServiceDeployments', () => {
  test('lists a service\'s deployments newest first, as ServiceDeploymentBrief', async () => {
    const first = (await createService()).deployments[0];
    await complete('web');
    const second = await deploy('web', 2);
    const { serviceDeployments, nextToken } = await list({ service: 'web', cluster: 'prod' });
    assert.equal(nextToken, undefined);
    assert.deepEqual(serviceDeployments, [
      {
        serviceDeploymentArn: second.arn,
        serviceArn: serviceArns.service(scope, 'prod', 'web'),
        clusterArn: arns.cluster(scope, 'prod'),
        startedAt: new Date(second.startedAt),
        createdAt: new Date(second.createdAt),
        targetServiceRevisionArn: second.revisionArn,
        status: 'IN_PROGRESS',
      },
      {
        serviceDeploymentArn: first.arn,
        serviceArn: serviceArns.service(scope, 'prod', 'web'),
        clusterArn: arns.cluster(scope, 'prod'),
        startedAt: new Date(first.startedAt),
        createdAt: new Date(first.createdAt),
        finishedAt: new Date(first.createdAt + 1000),
        targetServiceRevisionArn: first.revisionArn,
        status: 'SUCCESSFUL',
      },
    ]);
    assert.match(second.arn, /^arn:aws:ecs:us-east-1:123456789012:service-deployment\/prod\/web\/[0-9a-f]{20}$/);
  });

  test('names the service by name or ARN, the cluster by name, ARN, or the service ARN', async () => {
    const { deployments: [d] } = await createService();
    const want = [d.arn];
    const arnsOf = (r: ListServiceDeploymentsResponse) => r.serviceDeployments!.map((b) => b.serviceDeploymentArn);
    assert.deepEqual(arnsOf(await list({ service: 'web', cluster: arns.cluster(scope, 'prod') })), want);
    assert.deepEqual(arnsOf(await list({ service: serviceArns.service(scope, 'prod', 'web') })), want);
    assert.deepEqual(arnsOf(await list({ service: serviceArns.service(scope, 'prod', 'web'), cluster: 'prod' })), want);
    assert.deepEqual(arnsOf(await list({ service: 'arn:aws:ecs:us-east-1:123456789012:service/web', cluster: 'prod' })), want, 'the short ARN form');
  });

  test('a deployment superseded while in progress is STOPPED, with the reason', async () => {
    const first = (await createService()).deployments[0];
    const second = await deploy('web', 2);
    const [newest, older] = (await list({ service: 'web', cluster: 'prod' })).serviceDeployments!;
    assert.equal(newest.serviceDeploymentArn, second.arn);
    assert.equal(older.serviceDeploymentArn, first.arn);
    assert.equal(older.status, 'STOPPED');
    assert.equal(older.statusReason, `Superseded by deployment ${second.id}.`);
  });

  test('filters by status', async () => {
    await createService();
    await complete('web');
    const second = await deploy('web', 2);
    const statuses = async (status: string[]) => (await list({ service: 'web', cluster: 'prod', status })).serviceDeployments!.map((b) => b.status);
    assert.deepEqual(await statuses(['IN_PROGRESS']), ['IN_PROGRESS']);
    assert.deepEqual(await statuses(['SUCCESSFUL', 'STOPPED']), ['SUCCESSFUL']);
    assert.deepEqual(await statuses(['ROLLBACK_FAILED']), []);
    assert.deepEqual(await statuses([]), ['IN_PROGRESS', 'SUCCESSFUL'], 'an empty filter is no filter');
    assert.equal((await list({ service: 'web', cluster: 'prod', status: ['IN_PROGRESS'] })).serviceDeployments![0].serviceDeploymentArn, second.arn);
  });

  test('filters by createdAt before and after, in epoch seconds', async () => {
    const t0 = clock.now();
    await createService();
    const second = await deploy('web', 2); // t0 + 1s
    const third = await deploy('web', 1); // t0 + 2s
    const created = async (createdAt: Json) =>
      (await list({ service: 'web', cluster: 'prod', createdAt })).serviceDeployments!.map((b) => b.createdAt!.getTime());
    assert.deepEqual(await created({ after: epochSeconds(t0) }), [third.createdAt, second.createdAt]);
    assert.deepEqual(await created({ before: epochSeconds(t0 + 2000) }), [second.createdAt, t0]);
    assert.deepEqual(await created({ after: epochSeconds(t0) + 0.5, before: epochSeconds(t0) + 1.5 }), [second.createdAt], 'fractions of a second count');
    assert.deepEqual(await created({ after: epochSeconds(t0 + 5000) }), []);
    assert.deepEqual(await created({}), [third.createdAt, second.createdAt, t0]);
  });

  test('pages with maxResults and nextToken, 20 by default', async () => {
    await createService();
    const all: DeploymentRecord[] = [];
    for (let i = 0; i < 24; i++) all.unshift(await deploy('web', 1 + (i % 2)));
    const expected = [...all.map((d) => d.arn), (await history()).find((d) => !all.some((a) => a.id === d.id))!.arn];
    const first = await list({ service: 'web', cluster: 'prod' });
    assert.equal(first.serviceDeployments!.length, 20);
    assert.ok(first.nextToken);
    const rest = await list({ service: 'web', cluster: 'prod', nextToken: first.nextToken });
    assert.equal(rest.nextToken, undefined);
    assert.deepEqual([...first.serviceDeployments!, ...rest.serviceDeployments!].map((b) => b.serviceDeploymentArn), expected);

    const seen: string[] = [];
    let nextToken: string | undefined;
    let calls = 0;
    do {
      const page = await list({ service: 'web', cluster: 'prod', maxResults: 7, nextToken });
      assert.ok(page.serviceDeployments!.length <= 7);
      seen.push(...page.serviceDeployments!.map((b) => b.serviceDeploymentArn!));
      nextToken = page.nextToken;
      calls++;
    } while (nextToken);
    assert.deepEqual(seen, expected);
    assert.equal(calls, 4);
  });

  test('does not show the history of a deleted service of the same name', async () => {
    await createService();
    await deploy('web', 2);
    clock.advance(60_000);
    const again = await createService('web');
    assert.deepEqual((await list({ service: 'web', cluster: 'prod' })).serviceDeployments!.map((b) => b.serviceDeploymentArn), [again.deployments[0].arn]);
  });

  test('validates its input, the cluster and the service', async () => {
    await createService();
    await createService('gone', { status: 'INACTIVE' });
    await rejects('ListServiceDeployments', { cluster: 'prod' }, 'InvalidParameterException', mustNotBeNull('service'));
    await rejects('ListServiceDeployments', { service: '', cluster: 'prod' }, 'InvalidParameterException', /^service can not be null or empty/);
    await rejects('ListServiceDeployments', { service: 'web' }, 'ClusterNotFoundException', /^Cluster not found\./);
    await rejects('ListServiceDeployments', { service: 'web', cluster: 'nope' }, 'ClusterNotFoundException', /^Cluster not found\./);
    await rejects('ListServiceDeployments', { service: 'nope', cluster: 'prod' }, 'ServiceNotFoundException', /^Service not found\./);
    await rejects('ListServiceDeployments', { service: 'gone', cluster: 'prod' }, 'ServiceNotFoundException', /^Service not found\./);
    await rejects('ListServiceDeployments', { service: 'a/b', cluster: 'prod' }, 'ServiceNotFoundException', /^Service not found\./);
    await rejects('ListServiceDeployments', { service: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/web' }, 'ServiceNotFoundException', /^Service not found\./);
    await rejects('ListServiceDeployments', { service: arns.cluster(scope, 'prod') }, 'InvalidParameterException', /^Invalid service ARN/);
    await rejects('ListServiceDeployments', { service: serviceArns.service(scope, 'prod', 'web'), cluster: 'other' }, 'InvalidParameterException', /is not in cluster other/);
    await rejects('ListServiceDeployments', { service: 'web', cluster: 'prod', status: ['IN_PROGRESS', 'DONE'] }, 'InvalidParameterException', notInEnum('status', '[IN_PROGRESS, DONE]'));
    await rejects('ListServiceDeployments', { service: 'web', cluster: 'prod', maxResults: 0 }, 'InvalidParameterException', /^maxResults must be greater than or equal to 1/);
    await rejects('ListServiceDeployments', { service: 'web', cluster: 'prod', maxResults: 101 }, 'InvalidParameterException', /^maxResults must be less than or equal to 100/);
    await rejects('ListServiceDeployments', { service: 'web', cluster: 'prod', nextToken: 'not a token' }, 'InvalidParameterException', /^Invalid nextToken/);
    await rejects('ListServiceDeployments', { service: 'web', cluster: 'prod', createdAt: { after: '2026-01-01' } }, 'SerializationException', /^createdAt\.after must be a timestamp in epoch seconds, not string\.$/);
    await rejects('ListServiceDeployments', { service: 'web', cluster: 'prod', createdAt: 5 }, 'SerializationException', /^createdAt must be an object, not number\.$/);
    await rejects('ListServiceDeployments', { service: 'web', cluster: 'prod', status: 'IN_PROGRESS' }, 'SerializationException', /^status must be a list, not string\.$/);
  });
});

describe('DescribeServiceDeployments', () => {
  test('describes a deployment in full', async () => {
    const created = await createService('web', {
      deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 150, deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    const [d] = created.deployments;
    const { serviceDeployments, failures } = await describeDeployments([d.arn]);
    assert.deepEqual(failures, []);
    assert.deepEqual(serviceDeployments, [{
      serviceDeploymentArn: d.arn,
      serviceArn: created.arn,
      clusterArn: arns.cluster(scope, 'prod'),
      createdAt: new Date(d.createdAt),
      startedAt: new Date(d.startedAt),
      updatedAt: new Date(d.updatedAt),
      sourceServiceRevisions: [],
      targetServiceRevision: { arn: d.revisionArn, requestedTaskCount: 2, runningTaskCount: 0, pendingTaskCount: 0 },
      status: 'IN_PROGRESS',
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 150, minimumHealthyPercent: 50, strategy: 'ROLLING' },
      deploymentCircuitBreaker: { status: 'MONITORING', failureCount: 0, threshold: 3 },
    }]);
  });

  test('derives the target and source revision counts from the service\'s tasks', async () => {
    const first = (await createService('web', { desiredCount: 3 })).deployments[0];
    await complete('web');
    const second = await deploy('web', 2);
    await serviceTask('t1', second.id, { lastStatus: 'RUNNING' });
    await serviceTask('t2', second.id, { lastStatus: 'PENDING' });
    await serviceTask('t3', second.id, { lastStatus: 'PROVISIONING' });
    await serviceTask('t4', second.id, { lastStatus: 'ACTIVATING' });
    await serviceTask('t5', second.id, { lastStatus: 'RUNNING', desiredStatus: 'STOPPED' });
    await serviceTask('t6', second.id, { lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    await serviceTask('t7', second.id, { lastStatus: 'DEACTIVATING' });
    await serviceTask('o1', first.id, { lastStatus: 'RUNNING' });
    await serviceTask('o2', first.id, { lastStatus: 'RUNNING' });
    await serviceTask('o3', first.id, { lastStatus: 'PENDING' });
    await serviceTask('x1', second.id, { lastStatus: 'RUNNING' }, 'api'); // another service's group
    await serviceTask('x2', 'ecs-svc/0000000000000000001', { lastStatus: 'RUNNING' }); // another deployment
    await seedTask(store, taskRecord('prod', 'x3', { group: 'family:web', startedBy: second.id })); // not a service task
    const [described] = (await describeDeployments([second.arn])).serviceDeployments!;
    assert.deepEqual(described.targetServiceRevision, { arn: second.revisionArn, requestedTaskCount: 3, runningTaskCount: 1, pendingTaskCount: 3 });
    assert.deepEqual(described.sourceServiceRevisions, [{ arn: first.revisionArn, requestedTaskCount: 0, runningTaskCount: 2, pendingTaskCount: 1 }]);

    const [old] = (await describeDeployments([first.arn])).serviceDeployments!;
    assert.deepEqual(old.targetServiceRevision, { arn: first.revisionArn, requestedTaskCount: 0, runningTaskCount: 2, pendingTaskCount: 1 });
    assert.equal(old.status, 'SUCCESSFUL');
    assert.deepEqual(old.finishedAt, new Date(first.createdAt + 1000));
  });

  test('a source revision no longer live requests and counts nothing', async () => {
    const first = (await createService()).deployments[0];
    await complete('web');
    const second = await deploy('web', 2);
    await serviceTask('o1', first.id, { lastStatus: 'RUNNING' });
    await complete('web'); // the first deployment is retired
    const third = await deploy('web', 1);
    assert.deepEqual(third.sourceRevisionArns, [second.revisionArn]);
    const [d] = (await describeDeployments([third.arn])).serviceDeployments!;
    assert.deepEqual(d.sourceServiceRevisions, [{ arn: second.revisionArn, requestedTaskCount: 0, runningTaskCount: 0, pendingTaskCount: 0 }]);
    const [retired] = (await describeDeployments([first.arn])).serviceDeployments!;
    assert.equal(retired.serviceDeploymentArn, first.arn, 'a retired deployment is still described, from the history');
    assert.deepEqual(retired.targetServiceRevision, { arn: first.revisionArn, requestedTaskCount: 0, runningTaskCount: 1, pendingTaskCount: 0 });
  });

  test('reports the circuit breaker: DISABLED, MONITORING, TRIGGERED, MONITORING_COMPLETE, and its threshold', async () => {
    const breaker = async (arn: string) => (await describeDeployments([arn])).serviceDeployments![0].deploymentCircuitBreaker;
    const plain = (await createService('plain', { desiredCount: 10 })).deployments[0];
    assert.deepEqual(await breaker(plain.arn), { status: 'DISABLED', failureCount: 0, threshold: 5 });

    const on = { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: false } };
    const d = (await createService('web', { desiredCount: 7, deploymentConfiguration: on })).deployments[0];
    assert.deepEqual(await breaker(d.arn), { status: 'MONITORING', failureCount: 0, threshold: 4 });
    await patchDeployment('web', d.id, { failedTasks: 2 });
    assert.deepEqual(await breaker(d.arn), { status: 'MONITORING', failureCount: 2, threshold: 4 });
    await patchDeployment('web', d.id, { circuitBreakerComplete: true });
    assert.deepEqual(await breaker(d.arn), { status: 'MONITORING_COMPLETE', failureCount: 2, threshold: 4 });
    await patchDeployment('web', d.id, { rolloutState: 'FAILED', failedTasks: 4 });
    assert.deepEqual(await breaker(d.arn), { status: 'TRIGGERED', failureCount: 4, threshold: 4 });
    await deploy('web', 2);
    assert.equal((await storedService()).deployments[1].desiredCount, 0);
    assert.deepEqual(await breaker(d.arn), { status: 'TRIGGERED', failureCount: 4, threshold: 4 }, 'the threshold follows the service\'s desired count');

    const big = (await createService('big', { desiredCount: 1000, deploymentConfiguration: on })).deployments[0];
    assert.deepEqual(await breaker(big.arn), { status: 'MONITORING', failureCount: 0, threshold: 200 });
    await complete('big');
    assert.equal((await breaker(big.arn))!.status, 'MONITORING_COMPLETE', 'a finished deployment is done monitoring');
  });

  test('shows alarms only when the deployment configuration names them', async () => {
    const plain = (await createService()).deployments[0];
    assert.equal((await describeDeployments([plain.arn])).serviceDeployments![0].alarms, undefined);
    const config = {
      minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: false, rollback: false },
      alarms: { alarmNames: ['cpu-high', 'errors'], enable: true, rollback: true },
    };
    const d = (await createService('alarmed', { deploymentConfiguration: config })).deployments[0];
    const [described] = (await describeDeployments([d.arn])).serviceDeployments!;
    assert.deepEqual(described.alarms, { status: 'MONITORING', alarmNames: ['cpu-high', 'errors'], triggeredAlarmNames: [] });
    assert.deepEqual(described.deploymentConfiguration!.alarms, config.alarms);
    const off = (await createService('off', { deploymentConfiguration: { ...config, alarms: { ...config.alarms, enable: false } } })).deployments[0];
    assert.equal((await describeDeployments([off.arn])).serviceDeployments![0].alarms!.status, 'DISABLED');
  });

  test('reports unknown deployments as MISSING failures', async () => {
    const { deployments: [d] } = await createService();
    await createService('gone', { status: 'INACTIVE' });
    const gone = (await history('gone'))[0];
    const otherRegion = d.arn.replace('us-east-1', 'eu-west-1');
    const unknownId = serviceArns.deployment(scope, 'prod', 'web', '0123456789abcdef0123');
    const unknownService = serviceArns.deployment(scope, 'prod', 'api', deploymentKeyId(d));
    const unknownCluster = serviceArns.deployment(scope, 'test', 'web', deploymentKeyId(d));
    const refs = [unknownId, d.arn, otherRegion, unknownService, unknownCluster, gone.arn, 'not-an-arn', d.revisionArn, d.arn];
    const { serviceDeployments, failures } = await describeDeployments(refs);
    assert.deepEqual(serviceDeployments!.map((s) => s.serviceDeploymentArn), [d.arn], 'a repeated ARN is described once');
    assert.deepEqual(failures, [unknownId, otherRegion, unknownService, unknownCluster, gone.arn, 'not-an-arn', d.revisionArn].map((arn) => ({ arn, reason: 'MISSING' })));
  });

  test('takes 1 to 20 ARNs', async () => {
    const { deployments: [d] } = await createService();
    const twenty = [d.arn, ...Array.from({ length: 19 }, (_, i) => serviceArns.deployment(scope, 'prod', 'web', `id${i}`))];
    const r = await describeDeployments(twenty);
    assert.equal(r.serviceDeployments!.length, 1);
    assert.equal(r.failures!.length, 19);
    await rejects('DescribeServiceDeployments', { serviceDeploymentArns: [...twenty, d.arn] }, 'InvalidParameterException', /^serviceDeploymentArns can have at most 20 members/);
    await rejects('DescribeServiceDeployments', { serviceDeploymentArns: [] }, 'InvalidParameterException', /^serviceDeploymentArns can not be empty/);
    await rejects('DescribeServiceDeployments', {}, 'InvalidParameterException', mustNotBeNull('serviceDeploymentArns'));
    await rejects('DescribeServiceDeployments', { serviceDeploymentArns: d.arn }, 'SerializationException', /^serviceDeploymentArns must be a list, not string\.$/);
  });
});

describe('StopServiceDeployment', () => {
  /** A service whose web:1 deployment completed and whose web:2 deployment is in progress. */
  async function midRollout() {
    const first = (await createService('web', { desiredCount: 3 })).deployments[0];
    await complete('web');
    const second = await deploy('web', 2);
    return { first, second };
  }

  test('rolls back: a new PRIMARY deployment of the last completed task definition, the stopped one ROLLBACK_REQUESTED', async () => {
    const { first, second } = await midRollout();
    const before = await storedService();
    assert.equal(before.taskDefinition, tdArn(2));
    clock.advance(5000);
    const now = clock.now();
    assert.deepEqual(await stop({ serviceDeploymentArn: second.arn }), { serviceDeploymentArn: second.arn });

    const after = await storedService();
    assert.equal(after.version, before.version + 1);
    assert.equal(after.taskDefinition, tdArn(1), 'the service runs the last completed task definition again');
    assert.equal(after.deployments.length, 3);
    const [rollback, stopped, completed] = after.deployments;
    assert.equal(rollback.status, 'PRIMARY');
    assert.equal(rollback.taskDefinition, tdArn(1));
    assert.equal(rollback.desiredCount, 3);
    assert.equal(rollback.rolloutState, 'IN_PROGRESS');
    assert.equal(rollback.deploymentStatus, 'ROLLBACK_IN_PROGRESS');
    assert.deepEqual(rollback.rollback, {
      reason: `Service deployment stopped by user: rolling back to deploymentId ${first.id}.`, startedAt: now, serviceRevisionArn: first.revisionArn,
    });
    assert.deepEqual(rollback.sourceRevisionArns, [second.revisionArn, first.revisionArn]);
    assert.equal(stopped.id, second.id);
    assert.equal(stopped.status, 'ACTIVE');
    assert.equal(stopped.desiredCount, 0);
    assert.equal(stopped.deploymentStatus, 'ROLLBACK_REQUESTED');
    assert.equal(stopped.stoppedAt, now);
    assert.equal(stopped.updatedAt, now);
    assert.match(stopped.statusReason!, /Rollback requested by user/);
    assert.equal(completed.id, first.id);
    assert.equal(completed.deploymentStatus, 'SUCCESSFUL', 'the completed deployment is left as it was');
    assert.equal(after.events[0].message, `(service web) (deployment ${second.id}) stopped by user: rolling back to deployment ${first.id}.`);
    assert.equal(after.events[0].createdAt, now);

    // The history agrees with the service record, and the new revision runs web:1's images.
    const byId = new Map((await history()).map((d) => [d.id, d]));
    assert.deepEqual(byId.get(second.id), stopped);
    assert.deepEqual(byId.get(rollback.id), rollback);
    const revision = (await describeRevisions([rollback.revisionArn])).serviceRevisions![0];
    assert.equal(revision.taskDefinition, tdArn(1));
    assert.deepEqual(revision.containerImages, [{ containerName: 'app', image: 'nginx:1.25' }]);

    // Both show through the API.
    const [newest, stoppedBrief] = (await list({ service: 'web', cluster: 'prod' })).serviceDeployments!;
    assert.equal(newest.serviceDeploymentArn, rollback.arn);
    assert.equal(newest.status, 'ROLLBACK_IN_PROGRESS');
    assert.equal(stoppedBrief.status, 'ROLLBACK_REQUESTED');
    const [described] = (await describeDeployments([rollback.arn])).serviceDeployments!;
    assert.deepEqual(described.rollback, { reason: rollback.rollback!.reason, startedAt: new Date(now), serviceRevisionArn: first.revisionArn });
    assert.deepEqual((await describeDeployments([second.arn])).serviceDeployments![0].stoppedAt, new Date(now));
  });

  test('accepts stopType ROLLBACK, and carries on with a rollback already under way', async () => {
    const { second } = await midRollout();
    await stop({ serviceDeploymentArn: second.arn, stopType: 'ROLLBACK' });
    const rollback = (await storedService()).deployments[0];
    const revision = await store.revision();
    assert.deepEqual(await stop({ serviceDeploymentArn: second.arn }), { serviceDeploymentArn: second.arn });
    assert.deepEqual(await stop({ serviceDeploymentArn: rollback.arn }), { serviceDeploymentArn: rollback.arn });
    assert.equal(await store.revision(), revision, 'a stop already under way changes nothing');
  });

  test('refuses deployments that are not in progress, or with nothing to roll back to', async () => {
    const first = (await createService()).deployments[0];
    await rejects('StopServiceDeployment', { serviceDeploymentArn: first.arn }, 'ConflictException', /has no completed deployment to roll back to/);
    await complete('web');
    await rejects('StopServiceDeployment', { serviceDeploymentArn: first.arn }, 'ConflictException', /is SUCCESSFUL and can't be stopped: only a deployment in progress can be stopped/);
    const second = await deploy('web', 2);
    await deploy('web', 1); // supersedes the second deployment
    await rejects('StopServiceDeployment', { serviceDeploymentArn: second.arn }, 'ConflictException', /is STOPPED and can't be stopped/);
  });

  test('refuses a deployment of a service that is not ACTIVE', async () => {
    const { second } = await midRollout();
    await changeService('web', (s) => ({ ...s, status: 'DRAINING' }));
    await rejects('StopServiceDeployment', { serviceDeploymentArn: second.arn }, 'ConflictException', /service web is DRAINING/);
  });

  test('refuses when the task definition to roll back to is gone', async () => {
    const { second } = await midRollout();
    await changeService('web', (s) => ({ ...s, lastCompleted: { ...s.lastCompleted!, spec: { ...s.lastCompleted!.spec, taskDefinition: arns.taskDefinition(scope, 'web', 9) } } }));
    await rejects('StopServiceDeployment', { serviceDeploymentArn: second.arn }, 'ClientException', /TaskDefinition not found/);
  });

  test('validates its input and finds the deployment', async () => {
    const { second } = await midRollout();
    await createService('gone', { status: 'INACTIVE' });
    const gone = (await history('gone'))[0];
    await rejects('StopServiceDeployment', {}, 'InvalidParameterException', mustNotBeNull('serviceDeploymentArn'));
    await rejects('StopServiceDeployment', { serviceDeploymentArn: second.arn, stopType: 'ABORT' }, 'InvalidParameterException', /^stopType ABORT is not supported\. The valid values are ROLLBACK\./);
    await rejects('StopServiceDeployment', { serviceDeploymentArn: second.arn, stopType: 'NOW' }, 'InvalidParameterException', notInEnum('stopType', 'NOW'));
    await rejects('StopServiceDeployment', { serviceDeploymentArn: 'ecs-svc/123' }, 'InvalidParameterException', /^Invalid serviceDeploymentArn: ecs-svc\/123\./);
    await rejects('StopServiceDeployment', { serviceDeploymentArn: second.revisionArn }, 'InvalidParameterException', /^Invalid serviceDeploymentArn/);
    for (const arn of [
      serviceArns.deployment(scope, 'prod', 'web', '0123456789abcdef0123'),
      serviceArns.deployment(scope, 'prod', 'api', deploymentKeyId(second)),
      serviceArns.deployment(scope, 'nope', 'web', deploymentKeyId(second)),
      second.arn.replace('123456789012', '210987654321'),
      gone.arn,
    ]) {
      await rejects('StopServiceDeployment', { serviceDeploymentArn: arn }, 'ServiceDeploymentNotFoundException', /^Service deployment not found\./);
    }
  });
});

describe('DescribeServiceRevisions', () => {
  test('describes service revisions', async () => {
    const networkConfiguration = { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' as const } };
    const loadBalancers = [{ targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/abc', containerName: 'app', containerPort: 80 }];
    const serviceRegistries = [{ registryArn: 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1' }];
    const created = await createService('web', { networkConfiguration, loadBalancers, serviceRegistries });
    clock.advance(1000);
    const second = await deploy('web', 2);
    const first = created.deployments[0];
    const { serviceRevisions, failures } = await describeRevisions([second.revisionArn, first.revisionArn]);
    assert.deepEqual(failures, []);
    assert.deepEqual(serviceRevisions, [
      {
        serviceRevisionArn: second.revisionArn,
        serviceArn: created.arn,
        clusterArn: arns.cluster(scope, 'prod'),
        taskDefinition: tdArn(2),
        launchType: 'EC2',
        loadBalancers,
        serviceRegistries,
        networkConfiguration,
        containerImages: [{ containerName: 'app', image: 'nginx:1.27' }, { containerName: 'log', image: 'fluent-bit' }],
        createdAt: new Date(second.createdAt),
      },
      {
        serviceRevisionArn: first.revisionArn,
        serviceArn: created.arn,
        clusterArn: arns.cluster(scope, 'prod'),
        taskDefinition: tdArn(1),
        launchType: 'EC2',
        loadBalancers,
        serviceRegistries,
        networkConfiguration,
        containerImages: [{ containerName: 'app', image: 'nginx:1.25' }],
        createdAt: new Date(first.createdAt),
      },
    ]);
    assert.match(first.revisionArn, /^arn:aws:ecs:us-east-1:123456789012:service-revision\/prod\/web\/\d{19}$/);
    const stored = await getDoc<ServiceRevisionRecord>(store, serviceKeys.revision(scope, 'prod', 'web', first.revisionArn.split('/').pop()!));
    assert.equal(stored!.value.arn, first.revisionArn);
  });

  test('leaves networkConfiguration out when the service has none', async () => {
    const { deployments: [d] } = await createService();
    const [r] = (await describeRevisions([d.revisionArn])).serviceRevisions!;
    assert.equal(r.networkConfiguration, undefined);
    assert.deepEqual(r.loadBalancers, []);
    assert.deepEqual(r.serviceRegistries, []);
  });

  test('reports unknown revisions as MISSING failures', async () => {
    const { deployments: [d] } = await createService();
    await createService('gone', { status: 'INACTIVE' });
    const gone = (await listDocs<ServiceRevisionRecord>(store, serviceKeys.revisions(scope, 'prod', 'gone')))[0].value;
    const refs = [
      serviceArns.revision(scope, 'prod', 'web', '1234567890123456789'),
      d.revisionArn,
      d.revisionArn.replace('us-east-1', 'eu-west-1'),
      serviceArns.revision(scope, 'prod', 'api', '1234567890123456789'),
      gone.arn,
      d.arn,
      'web:1',
      d.revisionArn,
    ];
    const { serviceRevisions, failures } = await describeRevisions(refs);
    assert.deepEqual(serviceRevisions!.map((r) => r.serviceRevisionArn), [d.revisionArn]);
    assert.deepEqual(failures, [refs[0], refs[2], refs[3], refs[4], refs[5], refs[6]].map((arn) => ({ arn, reason: 'MISSING' })));
  });

  test('takes 1 to 20 ARNs', async () => {
    const { deployments: [d] } = await createService();
    const twenty = Array.from({ length: 20 }, (_, i) => (i === 0 ? d.revisionArn : serviceArns.revision(scope, 'prod', 'web', String(i))));
    const r = await describeRevisions(twenty);
    assert.equal(r.serviceRevisions!.length, 1);
    assert.equal(r.failures!.length, 19);
    await rejects('DescribeServiceRevisions', { serviceRevisionArns: [...twenty, 'x'] }, 'InvalidParameterException', /^serviceRevisionArns can have at most 20 members/);
    await rejects('DescribeServiceRevisions', { serviceRevisionArns: [] }, 'InvalidParameterException', /^serviceRevisionArns can not be empty/);
    await rejects('DescribeServiceRevisions', {}, 'InvalidParameterException', mustNotBeNull('serviceRevisionArns'));
  });
});
