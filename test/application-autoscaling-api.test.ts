/**
 * Application Auto Scaling end to end for an ECS service, through
 * @aws-sdk/client-application-auto-scaling, @aws-sdk/client-cloudwatch, @aws-sdk/client-ecs and
 * the AWS CLI against a control plane in this process: a scalable target, a target tracking
 * policy whose two alarms CloudWatch shows, high CPU in AWS/ECS scaling the service out (with its
 * activity, the service controller placing the new tasks on a fake agent) and low CPU scaling it back in after the cooldown — the alarm and scaling
 * controllers run by the test on a virtual clock over the control plane's store — a step
 * policy run by SetAlarmState, a scheduled action changing the bounds, errors naming the field.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  ApplicationAutoScalingClient, DeleteScalingPolicyCommand, DeregisterScalableTargetCommand, DescribeScalableTargetsCommand, DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand, DescribeScheduledActionsCommand, ListTagsForResourceCommand, PutScalingPolicyCommand, PutScheduledActionCommand,
  RegisterScalableTargetCommand, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand, PutMetricDataCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { scalingServicesPort } from '../src/cli/scaling-services-port.ts';
import { AlarmController, ScalingController } from '../src/controllers/index.ts';
import { VirtualTime } from '../src/controllers/virtual-time.testing.ts';
import { systemClock } from '../src/common/index.ts';
import { publishMetricData } from '../src/metrics/index.ts';
import { connectFakeAgent, type FakeAgent } from './support/fake-agent.ts';
import { credentials, region } from './support/wharf.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused } from './support/in-process.ts';

// The test runs the alarm and scaling controllers itself, on a virtual clock.
const controlPlane = inProcessControlPlane({ leaderLoops: { alarms: false, scaling: false } });
let plane: ControlPlane;
let aas: ApplicationAutoScalingClient;
let cw: CloudWatchClient;
let ecs: ECSClient;
let agent: FakeAgent;
before(async () => {
  plane = await controlPlane();
  const c = { endpoint: plane.url, region, credentials, maxAttempts: 1 };
  aas = new ApplicationAutoScalingClient(c);
  cw = new CloudWatchClient(c);
  ecs = new ECSClient(c);
  await ecs.send(new CreateClusterCommand({ clusterName: 'shop' }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ name: 'web', image: 'nginx', memory: 64 }] }));
  for (const name of ['web', 'api', 'batch']) await ecs.send(new CreateServiceCommand({ cluster: 'shop', serviceName: name, taskDefinition: 'web', desiredCount: 1 }));
  // A host for the tasks the service controller places as the desiredCount changes (they stay PENDING: the agent is fake).
  agent = await connectFakeAgent(plane.url, { cluster: 'shop', cpu: 16384, memory: 65536 });
});
after(async () => {
  await agent?.close();
  aas?.destroy();
  cw?.destroy();
  ecs?.destroy();
});
const { cli, cliFails } = awsCli(() => plane.url, 'application-autoscaling');

const MIN = 60_000;
const ecsTarget = (service: string) => ({ ServiceNamespace: 'ecs' as const, ScalableDimension: 'ecs:service:DesiredCount' as const, ResourceId: `service/shop/${service}` });
/** Waits until the service's tasks number `n`: the service controller placed what the desiredCount asks. */
async function tasksOf(service: string, n: number): Promise<void> {
  let count = -1;
  for (let k = 0; k < 100; k++) {
    count = (await ecs.send(new ListTasksCommand({ cluster: 'shop', serviceName: service }))).taskArns!.length;
    if (count === n) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`service ${service} has ${count} tasks, not ${n}`);
}
const desired = async (service: string) => (await ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: [service] }))).services![0]!.desiredCount;

/** The two controllers over the control plane's store, on one virtual clock starting at `start`. */
function controllers(start: number) {
  const time = new VirtualTime(start);
  const env = { store: plane.store, clock: time, ids: { hex32: () => randomUUID().replace(/-/g, ''), uuid: randomUUID } };
  const alarms = new AlarmController({ ...env, timers: time });
  const scaling = new ScalingController({ ...env, timers: time, services: scalingServicesPort({ store: plane.store, clock: time }) });
  const pass = async () => {
    await alarms.runOnce();
    await scaling.runOnce();
  };
  return { time, pass, close: async () => { await alarms.close(); await scaling.close(); } };
}

describe('Application Auto Scaling through the SDK and the AWS CLI', () => {
  it('registers an ECS service, describes and tags it; errors name the field', async () => {
    const { ScalableTargetARN } = await aas.send(new RegisterScalableTargetCommand({ ...ecsTarget('api'), MinCapacity: 2, MaxCapacity: 6, Tags: { team: 'shop' } }));
    assert.match(ScalableTargetARN!, new RegExp(`^arn:aws:application-autoscaling:${region}:${ACCOUNT}:scalable-target/[0-9a-f]+$`));
    assert.equal(await desired('api'), 2, 'desiredCount 1 is clamped into [2, 6] at once');
    const [t] = (await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: ['service/shop/api'] }))).ScalableTargets!;
    assert.deepEqual([t!.MinCapacity, t!.MaxCapacity, t!.ScalableDimension, t!.SuspendedState?.DynamicScalingInSuspended], [2, 6, 'ecs:service:DesiredCount', false]);
    const [clamped] = (await aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/shop/api' }))).ScalingActivities!;
    assert.deepEqual([clamped!.Description, clamped!.StatusCode, clamped!.Cause], ['Setting desired count to 2.', 'Successful', 'minimum capacity was set to 2']);

    await aas.send(new TagResourceCommand({ ResourceARN: ScalableTargetARN, Tags: { env: 'prod' } }));
    await aas.send(new UntagResourceCommand({ ResourceARN: ScalableTargetARN, TagKeys: ['team'] }));
    assert.deepEqual((await aas.send(new ListTagsForResourceCommand({ ResourceARN: ScalableTargetARN }))).Tags, { env: 'prod' });

    // Lowering the maximum clamps the service at once.
    await aas.send(new RegisterScalableTargetCommand({ ...ecsTarget('api'), MaxCapacity: 2 }));
    await ecs.send(new UpdateServiceCommand({ cluster: 'shop', service: 'api', desiredCount: 5 }));
    await aas.send(new RegisterScalableTargetCommand({ ...ecsTarget('api'), MinCapacity: 1, MaxCapacity: 3 }));
    assert.equal(await desired('api'), 3);

    await refused(aas.send(new RegisterScalableTargetCommand({ ...ecsTarget('nope'), MinCapacity: 1, MaxCapacity: 2 })), 'ValidationException', /service\/shop\/nope/);
    await refused(aas.send(new RegisterScalableTargetCommand({ ...ecsTarget('api'), MinCapacity: 5, MaxCapacity: 2 })), 'ValidationException', /MinCapacity/);
    await refused(aas.send(new RegisterScalableTargetCommand({ ...ecsTarget('api'), ResourceId: 'shop/api', MinCapacity: 1, MaxCapacity: 2 })), 'ValidationException', /ResourceId/);
    await refused(aas.send(new RegisterScalableTargetCommand({ ...ecsTarget('api'), ScalableDimension: 'dynamodb:table:ReadCapacityUnits', MinCapacity: 1, MaxCapacity: 2 })),
      'ValidationException', /ScalableDimension/);
    await refused(aas.send(new PutScalingPolicyCommand({ ...ecsTarget('web'), PolicyName: 'x', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } } })), 'ObjectNotFoundException');
    await refused(aas.send(new DeleteScalingPolicyCommand({ ...ecsTarget('api'), PolicyName: 'none' })), 'ObjectNotFoundException', /policy name: none/);

    // The AWS CLI.
    const listed = await cli('describe-scalable-targets', '--service-namespace', 'ecs');
    assert.ok(listed.ScalableTargets.some((x: { ResourceId: string }) => x.ResourceId === 'service/shop/api'));
    const err = await cliFails('register-scalable-target', '--service-namespace', 'ecs', '--scalable-dimension', 'ecs:service:DesiredCount',
      '--resource-id', 'service/shop/api', '--min-capacity', '4', '--max-capacity', '1');
    assert.match(err, /ValidationException.*MinCapacity/);
  });

  it('a target tracking policy creates its two alarms; high CPU scales out, low CPU scales back in after the cooldown; deleting it deletes the alarms', async () => {
    await aas.send(new RegisterScalableTargetCommand({ ...ecsTarget('web'), MinCapacity: 1, MaxCapacity: 10 }));
    const put = await aas.send(new PutScalingPolicyCommand({
      ...ecsTarget('web'), PolicyName: 'cpu50', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, ScaleOutCooldown: 60, ScaleInCooldown: 120,
      },
    }));
    assert.match(put.PolicyARN!, new RegExp(`^arn:aws:autoscaling:${region}:${ACCOUNT}:scalingPolicy:[0-9a-f-]+:resource/ecs/service/shop/web:policyName/cpu50$`));
    assert.deepEqual(put.Alarms!.map((a) => a.AlarmName!.replace(/[0-9a-f-]{36}$/, 'UUID')),
      ['TargetTracking-service/shop/web-AlarmHigh-UUID', 'TargetTracking-service/shop/web-AlarmLow-UUID']);
    const alarms = (await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-service/shop/web-' }))).MetricAlarms!;
    const high = alarms.find((a) => a.AlarmName!.includes('AlarmHigh'))!;
    const low = alarms.find((a) => a.AlarmName!.includes('AlarmLow'))!;
    assert.deepEqual([high.Namespace, high.MetricName, high.Statistic, high.Period, high.EvaluationPeriods, high.DatapointsToAlarm, high.Threshold, high.ComparisonOperator],
      ['AWS/ECS', 'CPUUtilization', 'Average', 60, 3, 3, 50, 'GreaterThanThreshold']);
    assert.deepEqual(high.Dimensions!.map((d) => `${d.Name}=${d.Value}`).sort(), ['ClusterName=shop', 'ServiceName=web']);
    assert.deepEqual([low.EvaluationPeriods, low.Threshold, low.ComparisonOperator], [15, 45, 'LessThanThreshold']);
    assert.deepEqual(high.AlarmActions, [put.PolicyARN]);

    // CPU as Wharf's own publisher puts it (from the agents' telemetry): AWS/ECS, ClusterName and ServiceName, every minute.
    const start = Math.floor(Date.now() / MIN) * MIN - 40 * MIN;
    const cpu = (at: number, value: number) => publishMetricData({ store: plane.store, clock: systemClock }, { account: ACCOUNT, region }, 'AWS/ECS', [{
      metricName: 'CPUUtilization', unit: 'Percent', timestamp: at, value,
      dimensions: [{ name: 'ClusterName', value: 'shop' }, { name: 'ServiceName', value: 'web' }],
    }]);
    // AWS/ is AWS's own: PutMetricData refuses it, as CloudWatch does.
    await refused(cw.send(new PutMetricDataCommand({ Namespace: 'AWS/ECS', MetricData: [{ MetricName: 'CPUUtilization', Value: 1 }] })), 'InvalidParameterValueException', /Namespace/);
    const c = controllers(start);
    try {
      for (let m = 0; m < 3; m++) await cpu(start + m * MIN, 90);
      await c.time.advance(3 * MIN);
      await c.pass();
      assert.equal(await desired('web'), 2, 'ceil(1 × 90 / 50)');
      const [out] = (await aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/shop/web' }))).ScalingActivities!;
      assert.equal(out!.Description, 'Setting desired count to 2.');
      assert.equal(out!.Cause, `monitor alarm ${high.AlarmName} in state ALARM triggered policy cpu50`);
      assert.equal(out!.StatusCode, 'Successful');

      // Still high, but within the 60 s scale-out cooldown: nothing; after it, 2 × 100 / 50 = 4.
      await cpu(start + 3 * MIN, 100);
      await c.time.advance(30_000);
      await c.pass();
      assert.equal(await desired('web'), 2);
      await c.time.advance(MIN);
      await c.pass();
      assert.equal(await desired('web'), 4);
      await tasksOf('web', 4);

      // Low CPU for 15 minutes: the low alarm; scale in after the 120 s scale-in cooldown.
      const lowFrom = start + 5 * MIN;
      for (let m = 0; m < 16; m++) await cpu(lowFrom + m * MIN, 10);
      await c.time.advance(lowFrom + 16 * MIN - c.time.now());
      await c.pass();
      assert.equal(await desired('web'), 1, 'ceil(4 × 10 / 50)');
      const [back] = (await aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/shop/web' }))).ScalingActivities!;
      assert.match(back!.Cause!, /^monitor alarm TargetTracking-service\/shop\/web-AlarmLow-[0-9a-f-]+ in state ALARM triggered policy cpu50$/);
    } finally {
      await c.close();
    }

    const [policy] = (await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/shop/web' }))).ScalingPolicies!;
    assert.equal(policy!.TargetTrackingScalingPolicyConfiguration!.TargetValue, 50);
    assert.equal(policy!.Alarms!.length, 2);
    await aas.send(new DeleteScalingPolicyCommand({ ...ecsTarget('web'), PolicyName: 'cpu50' }));
    assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-service/shop/web-' }))).MetricAlarms, []);
  });

  it('ALBRequestCountPerTarget reads its target group from ResourceLabel; a customized metric with metric math becomes the alarms\' queries', async () => {
    await aas.send(new RegisterScalableTargetCommand({ ...ecsTarget('api'), MinCapacity: 1, MaxCapacity: 3 }));
    const label = 'app/shop/0123456789abcdef/targetgroup/api/fedcba9876543210';
    const alb = await aas.send(new PutScalingPolicyCommand({
      ...ecsTarget('api'), PolicyName: 'requests', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 1000, DisableScaleIn: true, PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: label } },
    }));
    assert.equal(alb.Alarms!.length, 1, 'DisableScaleIn: no low alarm');
    const [high] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [alb.Alarms![0]!.AlarmName!] }))).MetricAlarms!;
    assert.deepEqual([high!.Namespace, high!.MetricName, high!.Statistic, high!.Dimensions], ['AWS/ApplicationELB', 'RequestCountPerTarget', 'Sum', [{ Name: 'TargetGroup', Value: 'targetgroup/api/fedcba9876543210' }]]);
    await refused(aas.send(new PutScalingPolicyCommand({ ...ecsTarget('api'), PolicyName: 'nolabel', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 10, PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' } } })), 'ValidationException', /ResourceLabel/);

    const math = await aas.send(new PutScalingPolicyCommand({
      ...ecsTarget('api'), PolicyName: 'backlog-per-task', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 20,
        CustomizedMetricSpecification: { Metrics: [
          { Id: 'backlog', ReturnData: false, MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Backlog' }, Stat: 'Sum' } },
          { Id: 'tasks', ReturnData: false, MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Tasks' }, Stat: 'Average' } },
          { Id: 'perTask', Expression: 'backlog / tasks', ReturnData: true },
        ] },
      },
    }));
    const [mathHigh] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [math.Alarms![0]!.AlarmName!] }))).MetricAlarms!;
    assert.deepEqual(mathHigh!.Metrics!.map((q) => [q.Id, q.Expression ?? q.MetricStat?.Metric?.MetricName, q.ReturnData]),
      [['backlog', 'Backlog', false], ['tasks', 'Tasks', false], ['perTask', 'backlog / tasks', true]]);
    const shown = (await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/shop/api', PolicyNames: ['backlog-per-task'] }))).ScalingPolicies![0]!;
    assert.equal(shown.TargetTrackingScalingPolicyConfiguration!.CustomizedMetricSpecification!.Metrics!.length, 3);
    assert.equal(shown.TargetTrackingScalingPolicyConfiguration!.ScaleOutCooldown, 300, 'the default cooldown, shown');
    await refused(aas.send(new PutScalingPolicyCommand({ ...ecsTarget('api'), PolicyName: 'two', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 20, CustomizedMetricSpecification: { Metrics: [{ Id: 'a', Expression: '1' }, { Id: 'b', Expression: '2' }] } } })),
    'ValidationException', /Metrics/);
    await aas.send(new DeregisterScalableTargetCommand(ecsTarget('api')));
    assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-service/shop/api-' }))).MetricAlarms, [], 'deregistering deleted the policies\' alarms');
  });

  it('a step scaling policy runs when its alarm goes to ALARM (SetAlarmState); deregistering deletes its policies', async () => {
    await aas.send(new RegisterScalableTargetCommand({ ...ecsTarget('batch'), MinCapacity: 1, MaxCapacity: 5 }));
    const { PolicyARN } = await aas.send(new PutScalingPolicyCommand({
      ...ecsTarget('batch'), PolicyName: 'queue-deep', PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', Cooldown: 60, MetricAggregationType: 'Average',
        StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 100, ScalingAdjustment: 2 }, { MetricIntervalLowerBound: 100, ScalingAdjustment: 4 }] },
    }));
    await refused(aas.send(new PutScalingPolicyCommand({ ...ecsTarget('batch'), PolicyName: 'bad', PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 10, MetricIntervalUpperBound: 5, ScalingAdjustment: 1 }] } })),
    'ValidationException', /MetricIntervalUpperBound/);
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'batch-backlog', Namespace: 'Shop', MetricName: 'Backlog', Statistic: 'Average', Period: 60, EvaluationPeriods: 1, Threshold: 100,
      ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [PolicyARN!],
    }));
    const scaling = new ScalingController({
      store: plane.store, clock: systemClock, ids: { hex32: () => randomUUID().replace(/-/g, ''), uuid: randomUUID },
      timers: { after: () => () => undefined }, services: scalingServicesPort({ store: plane.store, clock: systemClock }),
    });
    try {
      await cw.send(new SetAlarmStateCommand({ AlarmName: 'batch-backlog', StateValue: 'ALARM', StateReason: 'backlog' }));
      await scaling.runOnce();
      assert.equal(await desired('batch'), 3, '1 + 2: the step at the threshold');
      await scaling.runOnce();
      assert.equal(await desired('batch'), 3, 'within the cooldown');
    } finally {
      await scaling.close();
    }
    const [act] = (await aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/shop/batch' }))).ScalingActivities!;
    assert.equal(act!.Cause, 'monitor alarm batch-backlog in state ALARM triggered policy queue-deep');

    await aas.send(new DeregisterScalableTargetCommand(ecsTarget('batch')));
    assert.deepEqual((await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/shop/batch' }))).ScalingPolicies, []);
    await refused(aas.send(new DeregisterScalableTargetCommand(ecsTarget('batch'))), 'ObjectNotFoundException', /service\/shop\/batch/);
  });

  it('a scheduled action changes the bounds at its time and clamps the service', async () => {
    await aas.send(new RegisterScalableTargetCommand({ ...ecsTarget('api'), MinCapacity: 1, MaxCapacity: 3 }));
    const at = new Date(Math.floor(Date.now() / MIN) * MIN + 10 * MIN);
    const stamp = at.toISOString().slice(0, 19);
    await cli('put-scheduled-action', '--service-namespace', 'ecs', '--scalable-dimension', 'ecs:service:DesiredCount', '--resource-id', 'service/shop/api',
      '--scheduled-action-name', 'rush', '--schedule', `at(${stamp})`, '--scalable-target-action', 'MinCapacity=5,MaxCapacity=8');
    await refused(aas.send(new PutScheduledActionCommand({ ...ecsTarget('api'), ScheduledActionName: 'bad', Schedule: 'every day', ScalableTargetAction: { MinCapacity: 1 } })),
      'ValidationException', /Schedule/);
    const [action] = (await aas.send(new DescribeScheduledActionsCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/shop/api' }))).ScheduledActions!;
    assert.deepEqual([action!.Schedule, action!.ScalableTargetAction], [`at(${stamp})`, { MinCapacity: 5, MaxCapacity: 8 }]);

    const c = controllers(at.getTime() - MIN);
    try {
      await c.pass();
      assert.equal(await desired('api'), 3, 'not yet');
      await c.time.advance(MIN);
      await c.pass();
    } finally {
      await c.close();
    }
    assert.equal(await desired('api'), 5);
    const [t] = (await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: ['service/shop/api'] }))).ScalableTargets!;
    assert.deepEqual([t!.MinCapacity, t!.MaxCapacity], [5, 8]);
    const [act] = (await aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/shop/api' }))).ScalingActivities!;
    assert.equal(act!.Cause, 'minimum capacity was set to 5 by scheduled action name rush');
  });
});
