import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containerInstanceStateChangeEvent } from './instance-events.ts';
import { serviceChangeEvents } from './service-events.ts';
import type { DeploymentRecord, ServiceRecord } from './service-records.ts';
import { instanceRecord } from './testing.ts';

const NOW = Date.parse('2016-12-06T16:41:06.991Z');

/** The field names and JSON types of AWS's documented example of a container instance state change's detail. */
const INSTANCE_DETAIL_TYPES: Record<string, string> = {
  agentConnected: 'boolean', attributes: 'array', clusterArn: 'string', containerInstanceArn: 'string', ec2InstanceId: 'string',
  registeredResources: 'array', remainingResources: 'array', status: 'string', version: 'number', versionInfo: 'object', updatedAt: 'string',
};
const typeOf = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

describe('containerInstanceStateChangeEvent', () => {
  it('carries the instance as DescribeContainerInstances shows it, with clusterArn and updatedAt, its ARN the resource', () => {
    const instance = instanceRecord('default', 'b54a2a04', {
      attributes: [{ name: 'ecs.os-type', value: 'linux' }, { name: 'com.amazonaws.ecs.capability.logging-driver.syslog' }],
      registeredResources: { cpu: 2048, memory: 3767, ports: [22, 2376], portsUdp: [] },
      remainingResources: { cpu: 1988, memory: 3767, ports: [22, 2376, 8080], portsUdp: [] },
      version: 14801,
    });
    const e = containerInstanceStateChangeEvent(instance, { running: 1, pending: 0 }, NOW);
    assert.equal(e.source, 'aws.ecs');
    assert.equal(e.detailType, 'ECS Container Instance State Change');
    assert.deepEqual(e.resources, [instance.arn]);
    for (const [field, type] of Object.entries(INSTANCE_DETAIL_TYPES)) assert.equal(typeOf(e.detail[field]), type, field);
    assert.equal(e.detail.updatedAt, '2016-12-06T16:41:06.991Z');
    assert.equal(e.detail.registeredAt, '1970-01-01T00:00:00.000Z');
    assert.equal(e.detail.clusterArn, 'arn:aws:ecs:us-east-1:123456789012:cluster/default');
    assert.deepEqual(e.detail.attributes, [{ name: 'ecs.os-type', value: 'linux' }, { name: 'com.amazonaws.ecs.capability.logging-driver.syslog' }]);
    assert.deepEqual((e.detail.remainingResources as Array<Record<string, unknown>>).slice(0, 3), [
      { name: 'CPU', type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: 1988 },
      { name: 'MEMORY', type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: 3767 },
      { name: 'PORTS', type: 'STRINGSET', doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: ['22', '2376', '8080'] },
    ]);
    assert.deepEqual(e.detail.versionInfo, { agentVersion: '1.0.0', agentHash: 'abc', dockerVersion: 'DockerVersion: 24.0.0' });
    assert.equal(e.detail.runningTasksCount, 1);
    assert.equal(e.detail.pendingTasksCount, 0);
    assert.equal(e.detail.status, 'ACTIVE');
    assert.equal(e.detail.agentConnected, true);
    assert.equal(e.detail.tags, undefined);
  });
});

const SERVICE_ARN = 'arn:aws:ecs:us-west-2:111122223333:service/default/servicetest';
const CLUSTER_ARN = 'arn:aws:ecs:us-west-2:111122223333:cluster/default';

function deployment(id: string, over: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    id, arn: `arn:aws:ecs:us-west-2:111122223333:service-deployment/default/servicetest/${id.slice(8)}`, serviceArn: SERVICE_ARN, clusterArn: CLUSTER_ARN,
    revisionArn: 'rev', sourceRevisionArns: [], status: 'PRIMARY', desiredCount: 1, rolloutState: 'IN_PROGRESS', rolloutStateReason: `ECS deployment ${id} in progress.`,
    deploymentStatus: 'IN_PROGRESS', failuresSince: 0, failedTasks: 0, createdAt: 0, startedAt: 0, updatedAt: Date.parse('2020-05-23T11:11:11.000Z'),
    taskDefinition: 'td', placementConstraints: [], placementStrategy: [],
    deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100, deploymentCircuitBreaker: { enable: true, rollback: true } },
    ...over,
  } as DeploymentRecord;
}

function service(over: Partial<ServiceRecord> = {}): ServiceRecord {
  return {
    name: 'servicetest', arn: SERVICE_ARN, clusterName: 'default', clusterArn: CLUSTER_ARN, status: 'ACTIVE', schedulingStrategy: 'REPLICA', launchType: 'EC2',
    desiredCount: 1, taskDefinition: 'td', placementConstraints: [], placementStrategy: [],
    deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100, deploymentCircuitBreaker: { enable: true, rollback: true } },
    deploymentController: { type: 'ECS' }, loadBalancers: [], serviceRegistries: [], enableECSManagedTags: false, enableExecuteCommand: false, tags: [],
    createdAt: 0, deployments: [], events: [], version: 1, ...over,
  } as ServiceRecord;
}

const names = (events: ReturnType<typeof serviceChangeEvents>) => events.map((e) => `${e.detailType}:${e.detail.eventName}`);

describe('serviceChangeEvents', () => {
  const NOW2 = Date.parse('2019-11-19T19:27:22.695Z');

  it('a new service: its deployment in progress, shaped as AWS documents it', () => {
    const [e, ...rest] = serviceChangeEvents({ after: service({ deployments: [deployment('ecs-svc/123')] }) }, NOW2);
    assert.equal(rest.length, 0);
    assert.equal(e.source, 'aws.ecs');
    assert.equal(e.detailType, 'ECS Deployment State Change');
    assert.deepEqual(e.resources, [SERVICE_ARN]);
    assert.deepEqual(e.detail, {
      eventType: 'INFO', eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS', deploymentId: 'ecs-svc/123', updatedAt: '2020-05-23T11:11:11Z',
      reason: 'ECS deployment ecs-svc/123 in progress.',
    });
  });

  it('a rollout that completes and settles: SERVICE_DEPLOYMENT_COMPLETED, then SERVICE_STEADY_STATE', () => {
    const before = service({ deployments: [deployment('ecs-svc/123')] });
    const after = service({
      deployments: [deployment('ecs-svc/123', { rolloutState: 'COMPLETED', rolloutStateReason: 'ECS deployment ecs-svc/123 completed.' })], steadySince: NOW2,
    });
    const events = serviceChangeEvents({ before, after, byScheduler: true }, NOW2);
    assert.deepEqual(names(events), ['ECS Deployment State Change:SERVICE_DEPLOYMENT_COMPLETED', 'ECS Service Action:SERVICE_STEADY_STATE']);
    assert.equal(events[0].detail.eventType, 'INFO');
    assert.deepEqual(events[1].detail, { eventType: 'INFO', eventName: 'SERVICE_STEADY_STATE', clusterArn: CLUSTER_ARN, createdAt: '2019-11-19T19:27:22.695Z' });
    // The same state written again says nothing.
    assert.deepEqual(serviceChangeEvents({ before: after, after, byScheduler: true }, NOW2), []);
  });

  it('the circuit breaker: SERVICE_DEPLOYMENT_FAILED (ERROR, with its reason) before the rollback starts', () => {
    const before = service({ deployments: [deployment('ecs-svc/2'), deployment('ecs-svc/1', { status: 'ACTIVE', rolloutState: 'COMPLETED' })] });
    const failed = deployment('ecs-svc/2', { status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' });
    const rollback = deployment('ecs-svc/3', { rolloutStateReason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.' });
    const events = serviceChangeEvents({ before, after: service({ deployments: [rollback, failed] }), byScheduler: true }, NOW2);
    assert.deepEqual(names(events), ['ECS Deployment State Change:SERVICE_DEPLOYMENT_FAILED', 'ECS Deployment State Change:SERVICE_DEPLOYMENT_IN_PROGRESS']);
    assert.equal(events[0].detail.eventType, 'ERROR');
    assert.equal(events[0].detail.reason, 'ECS deployment circuit breaker: tasks failed to start.');
    assert.equal(events[1].detail.reason, 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.');
  });

  it("the scheduler's notes and its desired count: placement failure (ERROR, with reason), start impaired (WARN), desired count updated (INFO)", () => {
    const before = service({ schedulingStrategy: 'DAEMON', desiredCount: 1 });
    const after = service({ schedulingStrategy: 'DAEMON', desiredCount: 2 });
    const events = serviceChangeEvents({
      before, after, byScheduler: true,
      notes: [{ eventName: 'SERVICE_TASK_PLACEMENT_FAILURE', reason: 'RESOURCE:MEMORY' }, { eventName: 'SERVICE_TASK_START_IMPAIRED' }],
    }, NOW2);
    assert.deepEqual(events.map((e) => [e.detail.eventType, e.detail.eventName]), [
      ['ERROR', 'SERVICE_TASK_PLACEMENT_FAILURE'], ['WARN', 'SERVICE_TASK_START_IMPAIRED'], ['INFO', 'SERVICE_DESIRED_COUNT_UPDATED'],
    ]);
    assert.deepEqual(events[0].detail, {
      eventType: 'ERROR', eventName: 'SERVICE_TASK_PLACEMENT_FAILURE', clusterArn: CLUSTER_ARN, createdAt: '2019-11-19T19:27:22.695Z', reason: 'RESOURCE:MEMORY',
    });
    // A user's UpdateService changing the desired count is not reported (as in ECS).
    assert.deepEqual(serviceChangeEvents({ before, after }, NOW2), []);
  });
});
