import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Cluster, DescribeServicesResponse, ListServicesResponse, Service } from '@aws-sdk/client-ecs';
import type { ManualClock } from '../../common/index.ts';
import { defaultNetwork, ensureDefaultVpc } from '../../network/index.ts';
import { getDoc, listDocs, type Store } from '../../state/index.ts';
import { clusterOperations } from './clusters.ts';
import {
  arns, serviceArns, serviceGroup, serviceKeys, type DeploymentRecord, type ServiceRecord, type TaskRecord,
} from '../../ecs/index.ts';
import { DAEMON_ERRORS } from './service-validate.ts';
import { serviceOperations } from './services.ts';
import { taskDefinitionOperations } from './task-definitions.ts';
import {
  ctx, ecsTestbed, expectRejected, mustNotBeNull, notInEnum, scope, seed, seedTask, taskRecord, type Actions,
} from './testing.ts';

let store: Store;
let clock: ManualClock;
let api: Actions;

type Json = Record<string, unknown>;
const call = async <T>(action: string, input: Json) => (await api[action](input, ctx)) as T;
const rejects = (action: string, input: Json, code: string, message: RegExp) => expectRejected(store, () => api[action](input, ctx), code, message);

const tdArn = (revision: number, family = 'app') => arns.taskDefinition(scope, family, revision);
const svcArn = (name: string, cluster = 'web') => serviceArns.service(scope, cluster, name);
const register = (over: Json = {}) =>
  call('RegisterTaskDefinition', { family: 'app', containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }], ...over });
const create = (over: Json = {}) =>
  call<{ service: Service }>('CreateService', { cluster: 'web', serviceName: 'api', taskDefinition: 'app', desiredCount: 2, ...over }).then((r) => r.service);
const update = (over: Json) => call<{ service: Service }>('UpdateService', { cluster: 'web', service: 'api', ...over }).then((r) => r.service);
const describe1 = async (name = 'api', include?: string[]) =>
  (await call<DescribeServicesResponse>('DescribeServices', { cluster: 'web', services: [name], include })).services![0];
const stored = async (name = 'api') => (await getDoc<ServiceRecord>(store, serviceKeys.service(scope, 'web', name)))!.value;
/** Rewrites the stored service (as the controller would), for states no action produces. */
const restore = async (name: string, over: Partial<ServiceRecord>) => seed(store, serviceKeys.service(scope, 'web', name), { ...(await stored(name)), ...over });

beforeEach(async () => {
  const bed = ecsTestbed();
  ({ store, clock } = bed);
  api = { ...bed.api(clusterOperations), ...bed.api(taskDefinitionOperations), ...bed.api(serviceOperations) };
  await call('CreateCluster', { clusterName: 'web' });
  await register();
});
afterEach(() => store.close());

describe('CreateService', () => {
  test('creates an ACTIVE REPLICA service with ECS defaults and one PRIMARY deployment', async () => {
    const now = new Date(clock.now());
    const s = await create();
    const [d] = s.deployments!;
    assert.match(d.id!, /^ecs-svc\/\d{19}$/);
    const record = await stored();
    assert.deepEqual(s, {
      serviceArn: svcArn('api'), serviceName: 'api', clusterArn: arns.cluster(scope, 'web'), loadBalancers: [], serviceRegistries: [],
      status: 'ACTIVE', desiredCount: 2, runningCount: 0, pendingCount: 0, launchType: 'EC2', taskDefinition: tdArn(1),
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false }, maximumPercent: 200, minimumHealthyPercent: 100, strategy: 'ROLLING' },
      deployments: [{
        id: d.id, status: 'PRIMARY', taskDefinition: tdArn(1), desiredCount: 2, pendingCount: 0, runningCount: 0, failedTasks: 0,
        createdAt: now, updatedAt: now, launchType: 'EC2', rolloutState: 'IN_PROGRESS', rolloutStateReason: `ECS deployment ${d.id} in progress.`,
      }],
      events: [], createdAt: now, currentServiceDeployment: record.deployments[0].arn, placementConstraints: [], placementStrategy: [],
      networkConfiguration: undefined, healthCheckGracePeriodSeconds: 0, schedulingStrategy: 'REPLICA', deploymentController: { type: 'ECS' },
      createdBy: 'arn:aws:iam::123456789012:root', enableECSManagedTags: false, propagateTags: 'NONE', enableExecuteCommand: false, tags: [],
    });
    assert.equal(record.version, 1);
    assert.equal(record.deployments.length, 1);
    const history = await listDocs<DeploymentRecord>(store, serviceKeys.deployments(scope, 'web', 'api'));
    assert.deepEqual(history.map((h) => h.value.id), [d.id]);
    assert.equal((await listDocs(store, serviceKeys.revisions(scope, 'web', 'api'))).length, 1);
  });

  test('a DAEMON service takes no desiredCount and defaults to minimumHealthyPercent 0, maximumPercent 100', async () => {
    const s = await create({ serviceName: 'agent', schedulingStrategy: 'DAEMON', desiredCount: undefined });
    assert.equal(s.schedulingStrategy, 'DAEMON');
    assert.equal(s.desiredCount, 0);
    assert.equal(s.deploymentConfiguration!.minimumHealthyPercent, 0);
    assert.equal(s.deploymentConfiguration!.maximumPercent, 100);
  });

  test('accepts and returns every member it stores; the cluster and task definition by ARN', async () => {
    await register({ family: 'vpcapp', networkMode: 'awsvpc' });
    await ensureDefaultVpc(store, scope, clock.now());
    const { subnets: [subnet], securityGroup } = defaultNetwork(scope, 0);
    const input = {
      cluster: arns.cluster(scope, 'web'), taskDefinition: tdArn(1, 'vpcapp'), desiredCount: 0, launchType: 'EC2',
      deploymentConfiguration: {
        minimumHealthyPercent: 50, maximumPercent: 150, strategy: 'ROLLING',
        deploymentCircuitBreaker: { enable: true, rollback: true }, alarms: { alarmNames: ['high-cpu'], enable: true, rollback: false },
      },
      deploymentController: { type: 'ECS' },
      placementConstraints: [{ type: 'distinctInstance' }, { type: 'memberOf', expression: 'attribute:ecs.os-type == linux' }],
      placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'memory' }],
      loadBalancers: [{ targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/1', containerName: 'app', containerPort: 80 }],
      serviceRegistries: [{ registryArn: 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1', port: 80 }],
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.subnetId], securityGroups: [securityGroup.groupId], assignPublicIp: 'DISABLED' } },
      healthCheckGracePeriodSeconds: 2147483647, propagateTags: 'SERVICE', enableECSManagedTags: true, enableExecuteCommand: true,
      tags: [{ key: 'team', value: 'web' }], role: 'ecsServiceRole', availabilityZoneRebalancing: 'ENABLED', clientToken: 'token-1',
    };
    const s = await create(input);
    assert.equal(s.taskDefinition, tdArn(1, 'vpcapp'), 'the revision named, not the latest');
    assert.deepEqual(s.deploymentConfiguration, { ...input.deploymentConfiguration });
    for (const member of ['placementConstraints', 'placementStrategy', 'loadBalancers', 'serviceRegistries', 'networkConfiguration', 'tags'] as const) {
      assert.deepEqual(s[member], input[member], member);
    }
    assert.equal(s.healthCheckGracePeriodSeconds, 2147483647);
    assert.equal(s.propagateTags, 'SERVICE');
    assert.equal(s.enableECSManagedTags, true);
    assert.equal(s.enableExecuteCommand, true);
    assert.equal(s.deployments![0].desiredCount, 0);
    assert.deepEqual((await stored()).deployments[0].placementConstraints, input.placementConstraints);
  });

  const invalid: [string, Json, RegExp][] = [
    ['no serviceName', { serviceName: undefined }, mustNotBeNull('serviceName')],
    ['a serviceName with a period', { serviceName: 'my.api' }, /^serviceName is invalid: up to 255 letters/],
    ['a 256-character serviceName', { serviceName: 's'.repeat(256) }, /^serviceName is invalid/],
    ['no taskDefinition', { taskDefinition: undefined }, /^taskDefinition can not be null or empty\.$/],
    ['a REPLICA service without desiredCount', { desiredCount: undefined }, /^desiredCount is required when schedulingStrategy is REPLICA\.$/],
    ['a negative desiredCount', { desiredCount: -1 }, /^desiredCount must be greater than or equal to 0\.$/],
    ['an unknown schedulingStrategy', { schedulingStrategy: 'ONCE' }, notInEnum('schedulingStrategy', 'ONCE')],
    ['a DAEMON service with a desiredCount', { schedulingStrategy: 'DAEMON', desiredCount: 1 }, /^The daemon scheduling strategy does not support a desired count/],
    ['a DAEMON service with a placement strategy', { schedulingStrategy: 'DAEMON', desiredCount: undefined, placementStrategy: [{ type: 'random' }] }, /^The daemon scheduling strategy does not support placement strategies/],
    ['a DAEMON service with maximumPercent 200', { schedulingStrategy: 'DAEMON', desiredCount: undefined, deploymentConfiguration: { maximumPercent: 200 } }, /^The daemon scheduling strategy does not support values above 100 for maximumPercent/],
    ['minimumHealthyPercent over 100', { deploymentConfiguration: { minimumHealthyPercent: 101 } }, /^deploymentConfiguration\.minimumHealthyPercent must be less than or equal to 100\.$/],
    ['maximumPercent under 100', { deploymentConfiguration: { maximumPercent: 99 } }, /^deploymentConfiguration\.maximumPercent must be greater than or equal to 100\.$/],
    ['a circuit breaker without rollback', { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true } } }, mustNotBeNull('deploymentConfiguration.deploymentCircuitBreaker.rollback')],
    ['a circuit breaker threshold', { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true, thresholdConfiguration: { type: 'COUNT', value: 3 } } } }, /^deploymentConfiguration\.deploymentCircuitBreaker\.thresholdConfiguration is not supported/],
    ['enabled alarms naming none', { deploymentConfiguration: { alarms: { alarmNames: [], enable: true, rollback: true } } }, /^deploymentConfiguration\.alarms\.alarmNames must name at least one alarm/],
    ['a Lambda lifecycle hook', { deploymentConfiguration: { strategy: 'BLUE_GREEN', lifecycleHooks: [{ hookTargetArn: 'arn:aws:lambda:us-east-1:123456789012:function:check', lifecycleStages: ['POST_SCALE_UP'] }] } },
      /^deploymentConfiguration\.lifecycleHooks\[0\]\.targetType AWS_LAMBDA is not supported: Wharf runs no Lambda functions\./],
    ['a PAUSE hook at PRODUCTION_TRAFFIC_SHIFT', { deploymentConfiguration: { strategy: 'BLUE_GREEN', lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT'] }] } },
      /^deploymentConfiguration\.lifecycleHooks\[0\]\.lifecycleStages: PAUSE hooks cannot be configured at the PRODUCTION_TRAFFIC_SHIFT stage\.$/],
    ['a hook naming no stage', { deploymentConfiguration: { strategy: 'BLUE_GREEN', lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: [] }] } }, /^deploymentConfiguration\.lifecycleHooks\[0\]\.lifecycleStages can not be empty\.$/],
    ['a linear step of 2 %', { deploymentConfiguration: { strategy: 'LINEAR', linearConfiguration: { stepPercent: 2 } } }, /^deploymentConfiguration\.linearConfiguration\.stepPercent must be a multiple of 0\.1 from 3\.0 to 100\.0\.$/],
    ['a canary of 5.05 %', { deploymentConfiguration: { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 5.05 } } }, /^deploymentConfiguration\.canaryConfiguration\.canaryPercent must be a multiple of 0\.1/],
    ['a linear configuration for BLUE_GREEN', { deploymentConfiguration: { strategy: 'BLUE_GREEN', linearConfiguration: { stepPercent: 10 } } }, /^deploymentConfiguration\.linearConfiguration is only valid with the LINEAR strategy\.$/],
    ['a bake time for ROLLING', { deploymentConfiguration: { bakeTimeInMinutes: 5 } }, /^deploymentConfiguration\.bakeTimeInMinutes is only valid with the BLUE_GREEN, LINEAR or CANARY strategy\.$/],
    ['a bake time over a day', { deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1441 } }, /^deploymentConfiguration\.bakeTimeInMinutes must be less than or equal to 1440\.$/],
    ['a task definition for the EXTERNAL controller', { deploymentController: { type: 'EXTERNAL' } }, /^TaskDefinition must be blank\.$/],
    ['load balancers for the EXTERNAL controller', { deploymentController: { type: 'EXTERNAL' }, taskDefinition: undefined, loadBalancers: [] }, /^loadBalancers must be blank for a service using the EXTERNAL deployment controller/],
    ['a DAEMON service with the CODE_DEPLOY controller', { deploymentController: { type: 'CODE_DEPLOY' }, schedulingStrategy: 'DAEMON', desiredCount: undefined }, /^The DAEMON scheduling strategy is not supported with the CODE_DEPLOY deployment controller\.$/],
    ['a BLUE_GREEN strategy with the EXTERNAL controller', { deploymentController: { type: 'EXTERNAL' }, taskDefinition: undefined, deploymentConfiguration: { strategy: 'BLUE_GREEN' } }, /^deploymentConfiguration\.strategy must be ROLLING/],
    ['the FARGATE launch type for a task definition Fargate cannot run', { launchType: 'FARGATE' }, /^Task definition does not support launch_type FARGATE\.$/],
    ['a Fargate capacity provider strategy for it', { capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] }, /^Task definition does not support launch_type FARGATE\.$/],
    ['a capacity provider the cluster does not have', { capacityProviderStrategy: [{ capacityProvider: 'mine' }] }, /capacity provider mine is not associated with cluster web/],
    ['the EXTERNAL launch type', { launchType: 'EXTERNAL' }, /^launchType EXTERNAL is not supported for services/],
    ['a platformVersion for the EC2 launch type', { platformVersion: 'LATEST' }, /^The platform version must be null when specifying an EC2 launch type\.$/],
    ['Service Connect', { serviceConnectConfiguration: { enabled: true } }, /^serviceConnectConfiguration is not supported by this Wharf version\.$/],
    ['an unknown constraint type', { placementConstraints: [{ type: 'sameZone' }] }, notInEnum('placementConstraints[0].type', 'sameZone')],
    ['a malformed memberOf expression', { placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type ==' }] }, /^placementConstraints\[0\]\.expression/],
    ['six placement strategies', { placementStrategy: Array.from({ length: 6 }, () => ({ type: 'random' })) }, /^placementStrategy can have at most 5 strategy rules/],
    ['a negative healthCheckGracePeriodSeconds', { healthCheckGracePeriodSeconds: -1 }, /^healthCheckGracePeriodSeconds must be greater than or equal to 0\.$/],
    ['a 37-character clientToken', { clientToken: 't'.repeat(37) }, /^clientToken is invalid: up to 36 ASCII characters/],
    ['an unknown propagateTags', { propagateTags: 'ALL' }, notInEnum('propagateTags', 'ALL')],
    ['two service registries', { serviceRegistries: [{ registryArn: 'a' }, { registryArn: 'b' }] }, /^serviceRegistries can have at most 1 members\.$/],
    ['awsvpcConfiguration without subnets', { networkConfiguration: { awsvpcConfiguration: { securityGroups: ['sg-1'] } } }, mustNotBeNull('networkConfiguration.awsvpcConfiguration.subnets')],
    ['a container port over 65535', { loadBalancers: [{ containerName: 'app', containerPort: 70000 }] }, /^loadBalancers\[0\]\.containerPort must be less than or equal to 65535\.$/],
    ['a reserved tag key', { tags: [{ key: 'aws:team', value: 'x' }] }, /^tags\[0\]\.key: tag keys beginning with aws: are reserved\.$/],
  ];
  for (const [what, over, message] of invalid) {
    test(`rejects ${what}`, () => rejects('CreateService', { cluster: 'web', serviceName: 'api', taskDefinition: 'app', desiredCount: 2, ...over }, 'InvalidParameterException', message));
  }

  test('rejects members of the wrong JSON type as SerializationException', async () => {
    const base = { cluster: 'web', serviceName: 'api', taskDefinition: 'app' };
    await rejects('CreateService', { ...base, desiredCount: '2' }, 'SerializationException', /^desiredCount must be a number, not string\.$/);
    await rejects('CreateService', { ...base, desiredCount: 1, loadBalancers: {} }, 'SerializationException', /^loadBalancers must be a list, not object\.$/);
  });

  test('needs an ACTIVE cluster and an ACTIVE task definition the EC2 launch type can run', async () => {
    await rejects('CreateService', { cluster: 'nope', serviceName: 'api', taskDefinition: 'app', desiredCount: 1 }, 'ClusterNotFoundException', /^Cluster not found\.$/);
    await rejects('CreateService', { cluster: 'web', serviceName: 'api', taskDefinition: 'nope', desiredCount: 1 }, 'ClientException', /^TaskDefinition not found\.$/);
    await call('DeregisterTaskDefinition', { taskDefinition: 'app:1' });
    await rejects('CreateService', { cluster: 'web', serviceName: 'api', taskDefinition: 'app:1', desiredCount: 1 }, 'ClientException', /^TaskDefinition is inactive$/);
    await call('RegisterTaskDefinition', {
      family: 'fg', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512', containerDefinitions: [{ name: 'app', image: 'nginx' }],
    });
    await rejects('CreateService', { cluster: 'web', serviceName: 'api', taskDefinition: 'fg', desiredCount: 1 }, 'ClientException', /^Task definition does not support launch_type EC2\.$/);
  });

  test('counts the task definition\'s placement constraints toward the limit of 10', async () => {
    await register({ family: 'placed', placementConstraints: Array.from({ length: 5 }, () => ({ type: 'memberOf', expression: 'attribute:ecs.os-type == linux' })) });
    const constraints = Array.from({ length: 6 }, () => ({ type: 'distinctInstance' }));
    await rejects('CreateService', { cluster: 'web', serviceName: 'api', taskDefinition: 'placed', desiredCount: 1, placementConstraints: constraints }, 'InvalidParameterException', /^placementConstraints can have at most 10 constraints, those of the task definition included\. Received: 11\.$/);
    await create({ taskDefinition: 'placed', placementConstraints: constraints.slice(1) });
  });

  test('is idempotent for the same request with the same clientToken, and only then', async () => {
    const first = await create({ clientToken: 'abc', tags: [{ key: 'a', value: '1' }] });
    const revision = await store.revision();
    clock.advance(1000);
    assert.deepEqual(await create({ tags: [{ key: 'a', value: '1' }], clientToken: 'abc' }), first);
    assert.equal(await store.revision(), revision);
    const notIdempotent = /^Creation of service was not idempotent\.$/;
    await rejects('CreateService', { cluster: 'web', serviceName: 'api', taskDefinition: 'app', desiredCount: 2, tags: [{ key: 'a', value: '1' }] }, 'InvalidParameterException', notIdempotent);
    await rejects('CreateService', { cluster: 'web', serviceName: 'api', taskDefinition: 'app', desiredCount: 2, tags: [{ key: 'a', value: '1' }], clientToken: 'xyz' }, 'InvalidParameterException', notIdempotent);
    await rejects('CreateService', { cluster: 'web', serviceName: 'api', taskDefinition: 'app', desiredCount: 3, tags: [{ key: 'a', value: '1' }], clientToken: 'abc' }, 'InvalidParameterException', notIdempotent);
  });

  test('refuses a name still DRAINING and replaces an INACTIVE service with a new one', async () => {
    const old = await create({ desiredCount: 0, tags: [{ key: 'old', value: '1' }] });
    await call('DeleteService', { cluster: 'web', service: 'api' });
    await rejects('CreateService', { cluster: 'web', serviceName: 'api', taskDefinition: 'app', desiredCount: 1 }, 'InvalidParameterException', /^Unable to Start a service that is still Draining\.$/);
    await restore('api', { status: 'INACTIVE' });
    clock.advance(60_000);
    const again = await create({ desiredCount: 1 });
    assert.equal(again.status, 'ACTIVE');
    assert.equal(again.serviceArn, old.serviceArn);
    assert.notEqual(again.deployments![0].id, old.deployments![0].id);
    assert.equal(again.createdAt!.getTime(), clock.now());
    assert.deepEqual(again.tags, []);
    assert.equal((await stored()).version, 1);
  });
});

describe('UpdateService', () => {
  test('a desiredCount change alone updates the service and its PRIMARY deployment: no new deployment', async () => {
    const before = await create();
    await restore('api', { steadySince: clock.now() });
    clock.advance(1000);
    const s = await update({ desiredCount: 5 });
    assert.equal(s.desiredCount, 5);
    assert.deepEqual(s.deployments!.map((d) => [d.id, d.status, d.desiredCount]), [[before.deployments![0].id, 'PRIMARY', 5]]);
    assert.equal(s.deployments![0].updatedAt!.getTime(), clock.now());
    const record = await stored();
    assert.equal(record.version, 2);
    assert.equal(record.steadySince, undefined);
  });

  test('a new task definition starts a new PRIMARY deployment; the old one becomes ACTIVE with no tasks wanted', async () => {
    const before = await create();
    await register();
    const s = await update({ taskDefinition: 'app', desiredCount: 3 });
    assert.equal(s.taskDefinition, tdArn(2));
    const [primary, old] = s.deployments!;
    assert.deepEqual([primary.status, primary.taskDefinition, primary.desiredCount], ['PRIMARY', tdArn(2), 3]);
    assert.deepEqual([old.id, old.status, old.taskDefinition, old.desiredCount], [before.deployments![0].id, 'ACTIVE', tdArn(1), 0]);
    assert.equal((await listDocs(store, serviceKeys.deployments(scope, 'web', 'api'))).length, 2);
    assert.equal((await stored()).version, 2);
  });

  test('forceNewDeployment redeploys the same task definition', async () => {
    await create();
    const s = await update({ forceNewDeployment: true });
    assert.deepEqual(s.deployments!.map((d) => [d.status, d.taskDefinition]), [['PRIMARY', tdArn(1)], ['ACTIVE', tdArn(1)]]);
  });

  test('load balancers, service registries and network configuration redeploy when they change, not when repeated', async () => {
    await create();
    const lbs = [{ targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/1', containerName: 'app', containerPort: 80 }];
    assert.equal((await update({ loadBalancers: lbs })).deployments!.length, 2);
    const revision = await store.revision();
    assert.equal((await update({ loadBalancers: lbs })).deployments!.length, 2);
    assert.equal(await store.revision(), revision, 'an update that changes nothing writes nothing');
    assert.equal((await update({ serviceRegistries: [{ registryArn: 'arn:srv' }] })).deployments!.length, 3);
    const s = await update({ networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-2'] } } });
    assert.equal(s.deployments!.length, 4);
    assert.deepEqual(s.networkConfiguration, { awsvpcConfiguration: { subnets: ['subnet-2'] } });
    assert.equal((await update({ loadBalancers: [] })).loadBalancers!.length, 0, 'an empty list removes them');
  });

  test('placement, deployment configuration and other settings apply in place, on the PRIMARY deployment too', async () => {
    await create({ deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } } });
    const s = await update({
      placementConstraints: [{ type: 'distinctInstance' }], placementStrategy: [{ type: 'binpack', field: 'cpu' }],
      deploymentConfiguration: { maximumPercent: 150 }, healthCheckGracePeriodSeconds: 30, enableExecuteCommand: true,
      propagateTags: 'TASK_DEFINITION', enableECSManagedTags: true,
    });
    assert.equal(s.deployments!.length, 1);
    assert.deepEqual(s.deploymentConfiguration, {
      deploymentCircuitBreaker: { enable: true, rollback: false }, maximumPercent: 150, minimumHealthyPercent: 100, strategy: 'ROLLING',
    });
    assert.deepEqual([s.healthCheckGracePeriodSeconds, s.enableExecuteCommand, s.propagateTags, s.enableECSManagedTags], [30, true, 'TASK_DEFINITION', true]);
    const [primary] = (await stored()).deployments;
    assert.deepEqual(primary.placementConstraints, [{ type: 'distinctInstance' }]);
    assert.deepEqual(primary.placementStrategy, [{ type: 'binpack', field: 'cpu' }]);
    assert.equal(primary.deploymentConfiguration.maximumPercent, 150);
    assert.deepEqual((await update({ placementConstraints: [] })).placementConstraints, []);
  });

  test('names the service by ARN, the cluster taken from it', async () => {
    await create();
    const s = await call<{ service: Service }>('UpdateService', { service: svcArn('api'), desiredCount: 1 });
    assert.equal(s.service.desiredCount, 1);
    await rejects('UpdateService', { cluster: 'default', service: svcArn('api'), desiredCount: 1 }, 'InvalidParameterException', /is not in cluster default\.$/);
  });

  test('requires an ACTIVE service in an ACTIVE cluster', async () => {
    await rejects('UpdateService', { cluster: 'web', service: 'api', desiredCount: 1 }, 'ServiceNotFoundException', /^Service not found\.$/);
    await rejects('UpdateService', { cluster: 'nope', service: 'api', desiredCount: 1 }, 'ClusterNotFoundException', /^Cluster not found\.$/);
    await rejects('UpdateService', { cluster: 'web', desiredCount: 1 }, 'InvalidParameterException', mustNotBeNull('service'));
    await create({ desiredCount: 0 });
    await call('DeleteService', { cluster: 'web', service: 'api' });
    await rejects('UpdateService', { cluster: 'web', service: 'api', desiredCount: 1 }, 'ServiceNotActiveException', /^Service was not ACTIVE\.$/);
    await restore('api', { status: 'INACTIVE' });
    await rejects('UpdateService', { cluster: 'web', service: 'api', desiredCount: 1 }, 'ServiceNotActiveException', /^Service was not ACTIVE\.$/);
  });

  test('validates what it changes', async () => {
    await create();
    await create({ serviceName: 'agent', schedulingStrategy: 'DAEMON', desiredCount: undefined });
    await rejects('UpdateService', { cluster: 'web', service: 'agent', desiredCount: 1 }, 'InvalidParameterException', new RegExp(`^${DAEMON_ERRORS.desiredCount}$`));
    await rejects('UpdateService', { cluster: 'web', service: 'agent', placementStrategy: [{ type: 'random' }] }, 'InvalidParameterException', /^The daemon scheduling strategy does not support placement strategies/);
    await rejects('UpdateService', { cluster: 'web', service: 'agent', deploymentConfiguration: { maximumPercent: 150 } }, 'InvalidParameterException', /^The daemon scheduling strategy does not support values above 100/);
    await rejects('UpdateService', { cluster: 'web', service: 'api', taskDefinition: 'nope' }, 'ClientException', /^TaskDefinition not found\.$/);
    await rejects('UpdateService', { cluster: 'web', service: 'api', desiredCount: -1 }, 'InvalidParameterException', /^desiredCount must be greater than or equal to 0\.$/);
    await rejects('UpdateService', { cluster: 'web', service: 'api', deploymentController: { type: 'CODE_DEPLOY' } }, 'InvalidParameterException', /^Changing the deployment controller of a service is not supported/);
    await rejects('UpdateService', { cluster: 'web', service: 'api', capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] }, 'InvalidParameterException', /^capacityProviderStrategy: only a Fargate service's capacity provider strategy can be changed/);
    await rejects('UpdateService', { cluster: 'web', service: 'api', placementConstraints: [{ type: 'memberOf' }] }, 'InvalidParameterException', /^placementConstraints\[0\]\.expression/);
  });
});

describe('DeleteService', () => {
  test('refuses a REPLICA service scaled above 0 unless forced; then DRAINING with nothing desired', async () => {
    await create({ desiredCount: 3 });
    await rejects('DeleteService', { cluster: 'web', service: 'api' }, 'InvalidParameterException', /^The service cannot be stopped while it is scaled above 0\.$/);
    const { service } = await call<{ service: Service }>('DeleteService', { cluster: 'web', service: 'api', force: true });
    assert.deepEqual([service.status, service.desiredCount, service.deployments![0].desiredCount], ['DRAINING', 0, 0]);
    const record = await stored();
    assert.equal(record.version, 2);
    assert.equal(record.deployments[0].desiredCount, 0);
    await rejects('DeleteService', { cluster: 'web', service: 'api', force: true }, 'ServiceNotActiveException', /^Service was not ACTIVE\.$/);
  });

  test('needs no force at desiredCount 0, nor for a DAEMON service', async () => {
    await create({ desiredCount: 0 });
    await create({ serviceName: 'agent', schedulingStrategy: 'DAEMON', desiredCount: undefined });
    await restore('agent', { desiredCount: 4 });
    assert.equal((await call<{ service: Service }>('DeleteService', { cluster: 'web', service: 'api' })).service.status, 'DRAINING');
    assert.equal((await call<{ service: Service }>('DeleteService', { cluster: 'web', service: svcArn('agent') })).service.desiredCount, 0);
  });

  test('reports an unknown service or cluster', async () => {
    await rejects('DeleteService', { cluster: 'web', service: 'nope' }, 'ServiceNotFoundException', /^Service not found\.$/);
    await rejects('DeleteService', { cluster: 'gone', service: 'api' }, 'ClusterNotFoundException', /^Cluster not found\.$/);
  });
});

describe('DescribeServices', () => {
  const task = (id: string, over: Partial<TaskRecord>) => taskRecord('web', id, { group: serviceGroup('api'), taskDefinitionArn: tdArn(1), ...over });

  test('derives running and pending counts from the tasks, per service and per deployment', async () => {
    const first = (await create()).deployments![0].id!;
    await register();
    const second = (await update({ taskDefinition: 'app' })).deployments![0].id!;
    await seedTask(store, task('t1', { startedBy: first, lastStatus: 'RUNNING' }));
    await seedTask(store, task('t2', { startedBy: first, lastStatus: 'RUNNING', desiredStatus: 'STOPPED' }));
    await seedTask(store, task('t3', { startedBy: second, lastStatus: 'PENDING' }));
    await seedTask(store, task('t4', { startedBy: second, lastStatus: 'PROVISIONING' }));
    await seedTask(store, task('t5', { startedBy: second, lastStatus: 'RUNNING' }));
    await seedTask(store, task('t6', { startedBy: second, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }));
    await seedTask(store, task('t7', { startedBy: second, lastStatus: 'RUNNING', group: 'family:app' }));
    await seedTask(store, task('t8', { startedBy: 'ecs-svc/0000000000000000001', lastStatus: 'RUNNING' }));
    await seedTask(store, task('t9', { startedBy: second, lastStatus: 'ACTIVATING' }));
    const s = await describe1();
    assert.deepEqual([s.runningCount, s.pendingCount], [2, 3]);
    assert.deepEqual(s.deployments!.map((d) => [d.id, d.runningCount, d.pendingCount]), [[second, 1, 3], [first, 1, 0]]);
  });

  test('reports unknown services as MISSING with their ARN, describes INACTIVE ones, tags only when included', async () => {
    await create({ tags: [{ key: 'a', value: '1' }] });
    await create({ serviceName: 'old', desiredCount: 0 });
    await call('DeleteService', { cluster: 'web', service: 'old' });
    await restore('old', { status: 'INACTIVE' });
    const foreign = 'arn:aws:ecs:eu-west-1:123456789012:service/web/api';
    const r = await call<DescribeServicesResponse>('DescribeServices', {
      cluster: 'web', services: ['api', svcArn('old'), 'nope', foreign, svcArn('api', 'other'), 'api'],
    });
    assert.deepEqual(r.services!.map((s) => [s.serviceName, s.status, s.tags]), [['api', 'ACTIVE', undefined], ['old', 'INACTIVE', undefined]]);
    assert.deepEqual(r.failures, [
      { arn: svcArn('nope'), reason: 'MISSING' }, { arn: foreign, reason: 'MISSING' }, { arn: svcArn('api', 'other'), reason: 'MISSING' },
    ]);
    assert.deepEqual((await describe1('api', ['TAGS'])).tags, [{ key: 'a', value: '1' }]);
  });

  test('validates its input and the cluster', async () => {
    const many = Array.from({ length: 11 }, (_, i) => `s${i}`);
    await rejects('DescribeServices', { cluster: 'web', services: many }, 'InvalidParameterException', /^services can have at most 10 members\.$/);
    await rejects('DescribeServices', { cluster: 'web' }, 'InvalidParameterException', mustNotBeNull('services'));
    await rejects('DescribeServices', { cluster: 'web', services: ['api'], include: ['EVENTS'] }, 'InvalidParameterException', notInEnum('include', '[EVENTS]'));
    await rejects('DescribeServices', { cluster: 'nope', services: ['api'] }, 'ClusterNotFoundException', /^Cluster not found\.$/);
    const none = await call<DescribeServicesResponse>('DescribeServices', { cluster: 'web', services: many.slice(0, 10) });
    assert.equal(none.failures!.length, 10);
  });
});

describe('ListServices', () => {
  test('lists ACTIVE and DRAINING services, not INACTIVE ones, in name order, 10 to a page by default', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `svc-${String.fromCharCode(108 - i)}`);
    for (const name of names) await create({ serviceName: name, desiredCount: 0 });
    await call('DeleteService', { cluster: 'web', service: 'svc-l' });
    await call('DeleteService', { cluster: 'web', service: 'svc-k' });
    await restore('svc-k', { status: 'INACTIVE' });
    const expected = names.filter((n) => n !== 'svc-k').sort().map((n) => svcArn(n));
    const first = await call<ListServicesResponse>('ListServices', { cluster: 'web' });
    assert.deepEqual(first.serviceArns, expected.slice(0, 10));
    assert.ok(first.nextToken);
    const rest = await call<ListServicesResponse>('ListServices', { cluster: 'web', nextToken: first.nextToken });
    assert.deepEqual(rest, { serviceArns: expected.slice(10), nextToken: undefined });
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await call<ListServicesResponse>('ListServices', { cluster: arns.cluster(scope, 'web'), maxResults: 4, nextToken });
      assert.ok(page.serviceArns!.length <= 4);
      seen.push(...page.serviceArns!);
      nextToken = page.nextToken;
    } while (nextToken);
    assert.deepEqual(seen, expected);
  });

  test('filters by scheduling strategy and launch type', async () => {
    await create();
    await create({ serviceName: 'agent', schedulingStrategy: 'DAEMON', desiredCount: undefined });
    const list = async (input: Json) => (await call<ListServicesResponse>('ListServices', { cluster: 'web', ...input })).serviceArns;
    assert.deepEqual(await list({ schedulingStrategy: 'DAEMON' }), [svcArn('agent')]);
    assert.deepEqual(await list({ schedulingStrategy: 'REPLICA', launchType: 'EC2' }), [svcArn('api')]);
    assert.deepEqual(await list({ launchType: 'FARGATE' }), []);
    assert.deepEqual(await list({ resourceManagementType: 'ECS' }), []);
    assert.deepEqual(await list({}), [svcArn('agent'), svcArn('api')]);
    await call('CreateCluster', {});
    assert.deepEqual((await call<ListServicesResponse>('ListServices', {})).serviceArns, [], 'the default cluster is assumed');
  });

  test('validates maxResults, nextToken, filters and the cluster', async () => {
    await rejects('ListServices', { cluster: 'web', maxResults: 0 }, 'InvalidParameterException', /^maxResults must be greater than or equal to 1\.$/);
    await rejects('ListServices', { cluster: 'web', maxResults: 101 }, 'InvalidParameterException', /^maxResults must be less than or equal to 100\.$/);
    await rejects('ListServices', { cluster: 'web', nextToken: 'garbage!' }, 'InvalidParameterException', /^Invalid nextToken\.$/);
    await rejects('ListServices', { cluster: 'web', schedulingStrategy: 'ONCE' }, 'InvalidParameterException', notInEnum('schedulingStrategy', 'ONCE'));
    await rejects('ListServices', { cluster: 'nope' }, 'ClusterNotFoundException', /^Cluster not found\.$/);
  });
});

describe('clusters with services', () => {
  test('DeleteCluster refuses while a service is ACTIVE or DRAINING', async () => {
    await create({ desiredCount: 0 });
    await rejects('DeleteCluster', { cluster: 'web' }, 'ClusterContainsServicesException', /^The Cluster cannot be deleted while Services are active\.$/);
    await call('DeleteService', { cluster: 'web', service: 'api' });
    await rejects('DeleteCluster', { cluster: 'web' }, 'ClusterContainsServicesException', /Services are active/);
    await restore('api', { status: 'INACTIVE' });
    const { cluster } = await call<{ cluster: Cluster }>('DeleteCluster', { cluster: 'web' });
    assert.equal(cluster.status, 'INACTIVE');
  });

  test('DescribeClusters counts ACTIVE services, and DRAINING ones in the statistics', async () => {
    await create({ desiredCount: 0 });
    await create({ serviceName: 'b', desiredCount: 0 });
    await create({ serviceName: 'c', desiredCount: 0 });
    await call('DeleteService', { cluster: 'web', service: 'c' });
    const [c] = (await call<{ clusters: Cluster[] }>('DescribeClusters', { clusters: ['web'], include: ['STATISTICS'] })).clusters;
    assert.equal(c.activeServicesCount, 2);
    const stats = Object.fromEntries(c.statistics!.map((s) => [s.name, s.value]));
    assert.deepEqual([stats.activeEC2ServiceCount, stats.drainingEC2ServiceCount], ['2', '1']);
  });
});
