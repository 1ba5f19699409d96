/**
 * Deployment alarms through @aws-sdk/client-ecs and @aws-sdk/client-cloudwatch, against a control
 * plane in this process with a fake agent whose tasks are HTTP servers on loopback behind a real
 * ALB data plane (test/support/blue-green-stage.ts).
 *
 * - ROLLING: the new revision's tasks are up and the deployment bakes for its alarm's evaluation
 *   window; SetAlarmState to ALARM fails it, and it rolls back to the last completed deployment;
 *   the service's events and DescribeServiceDeployments say why.
 * - BLUE_GREEN: production is on green during the bake time; SetAlarmState to ALARM gives
 *   production back to blue and green's tasks go.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CreateServiceCommand, DescribeServiceDeploymentsCommand, UpdateServiceCommand, type ServiceDeployment } from '@aws-sdk/client-ecs';
import { blueGreenStage, describeService, type BlueGreenStage } from './support/blue-green-stage.ts';
import { until } from './support/lb-fixture.ts';

const CLUSTER = 'alarms';
let stage: BlueGreenStage;

before(async () => {
  stage = await blueGreenStage(CLUSTER);
});
after(async () => {
  await stage?.close();
});

const service = (name: string) => describeService(stage.ecs, CLUSTER, name);
const deployment = async (arn: string): Promise<ServiceDeployment> =>
  (await stage.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0]!;

/** An alarm on a metric nothing publishes (so it stays out of ALARM until set), evaluated over one minute. */
async function alarm(name: string): Promise<void> {
  await stage.cw.send(new PutMetricAlarmCommand({
    AlarmName: name, Namespace: 'Web', MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1,
    Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  }));
}

async function settled(name: string, count: number): Promise<void> {
  await until(`${name} settled`, async () => {
    const s = await service(name);
    return s.deployments!.length === 1 && s.deployments![0]!.rolloutState === 'COMPLETED' && s.runningCount === count ? true : undefined;
  }, 120_000);
}

/** Dumps the service and the deployment when a wait fails. */
const explain = (name: string, arn: string) => async (error: unknown) => {
  const s = await service(name);
  console.log(JSON.stringify({ deployment: await deployment(arn), deployments: s.deployments, events: s.events!.slice(0, 15).map((e) => e.message) }, null, 1));
  throw error;
};

describe('deployment alarms', () => {
  it('ROLLING: an alarm set to ALARM while the deployment bakes fails it and rolls back; events and DescribeServiceDeployments say why', async () => {
    const name = 'rolling';
    await alarm('rolling-errors');
    await stage.ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: name, taskDefinition: await stage.revision(1), desiredCount: 2 }));
    await settled(name, 2);
    const good = (await service(name)).deployments![0]!.id!;

    await stage.ecs.send(new UpdateServiceCommand({
      cluster: CLUSTER, service: name, taskDefinition: await stage.revision(2),
      deploymentConfiguration: { alarms: { alarmNames: ['rolling-errors'], enable: true, rollback: true } },
    }));
    const bad = await stage.newestDeployment(name);
    const badId = (await service(name)).deployments![0]!.id!;
    // Its tasks all up and the old ones gone, it still bakes (the alarm's window is a minute).
    await until('the new tasks up, the old ones gone', async () => {
      const s = await service(name);
      return s.deployments!.length === 1 && s.runningCount === 2 ? s : undefined;
    }, 60_000).catch(explain(name, bad));
    const baking = await deployment(bad);
    assert.equal(baking.status, 'IN_PROGRESS', 'baking: not complete while its alarms are watched');
    assert.deepEqual(baking.alarms, { status: 'MONITORING', alarmNames: ['rolling-errors'], triggeredAlarmNames: [] });
    assert.equal((await service(name)).deployments![0]!.rolloutState, 'IN_PROGRESS');

    await stage.cw.send(new SetAlarmStateCommand({ AlarmName: 'rolling-errors', StateValue: 'ALARM', StateReason: 'errors seen' }));
    // The alarm's change wakes the service: well before its bake ends (a minute) or a resync (30 s) would look again.
    await until('the deployment failed', async () => ((await deployment(bad)).status !== 'IN_PROGRESS' ? true : undefined), 10_000).catch(explain(name, bad));
    const done = await until('rolled back', async () => {
      const d = await deployment(bad);
      return d.status === 'ROLLBACK_SUCCESSFUL' ? d : undefined;
    }, 60_000).catch(explain(name, bad));
    assert.match(done.statusReason!, new RegExp(`^ECS deployment alarms: rolling back to deploymentId ${good.replace('/', '\\/')}\\.$`));
    assert.deepEqual(done.alarms, { status: 'TRIGGERED', alarmNames: ['rolling-errors'], triggeredAlarmNames: ['rolling-errors'] });
    assert.equal(done.deploymentCircuitBreaker?.status, 'DISABLED');

    await settled(name, 2);
    const s = await service(name);
    assert.equal(s.taskDefinition, (await service(name)).deployments![0]!.taskDefinition);
    assert.match(s.taskDefinition!, /:1$/, 'back on revision 1');
    const rollback = await deployment(await stage.newestDeployment(name));
    assert.equal(rollback.status, 'ROLLBACK_SUCCESSFUL');
    assert.match(rollback.rollback!.reason!, /^ECS deployment alarms: rolling back to deploymentId /);
    const events = s.events!.map((e) => e.message!);
    assert.ok(events.includes(`(service ${name}) (deployment ${badId}) deployment failed: alarm detected.`), events.slice(0, 10).join('\n'));
    assert.ok(events.includes(`(service ${name}) rolling back to deployment ${good}.`), events.slice(0, 10).join('\n'));
  });

  it('BLUE_GREEN: an alarm set to ALARM during the bake time gives production back to blue', async () => {
    const name = 'bluegreen';
    await alarm('bluegreen-errors');
    await stage.ecs.send(new CreateServiceCommand({
      cluster: CLUSTER, serviceName: name, taskDefinition: await stage.revision(11), desiredCount: 2,
      deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 }, loadBalancers: [stage.loadBalancer()],
    }));
    await settled(name, 2);
    assert.deepEqual(await stage.answers(80, 10), { v11: 10 });

    await stage.ecs.send(new UpdateServiceCommand({
      cluster: CLUSTER, service: name, taskDefinition: await stage.revision(12),
      deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 30, alarms: { alarmNames: ['bluegreen-errors'], enable: true, rollback: true } },
    }));
    const green = await stage.newestDeployment(name);
    await until('green baking', async () => ((await deployment(green)).lifecycleStage === 'BAKE_TIME' ? true : undefined), 90_000).catch(explain(name, green));
    assert.deepEqual(await stage.answers(80, 10), { v12: 10 }, 'production on green while it bakes');

    await stage.cw.send(new SetAlarmStateCommand({ AlarmName: 'bluegreen-errors', StateValue: 'ALARM', StateReason: 'errors seen' }));
    await until('production back on blue', async () => ((await stage.answers(80, 5)).v11 === 5 ? true : undefined), 10_000).catch(explain(name, green));
    const done = await until('green given back', async () => {
      const d = await deployment(green);
      return d.status === 'ROLLBACK_SUCCESSFUL' ? d : undefined;
    }, 60_000).catch(explain(name, green));
    assert.equal(done.statusReason, 'ECS deployment failed: alarm detected (bluegreen-errors).');
    assert.deepEqual(done.alarms, { status: 'TRIGGERED', alarmNames: ['bluegreen-errors'], triggeredAlarmNames: ['bluegreen-errors'] });
    await settled(name, 2);
    assert.deepEqual(await stage.answers(80, 20), { v11: 20 });
    const events = (await service(name)).events!.map((e) => e.message!);
    assert.ok(events.some((m) => m.endsWith('deployment failed: alarm detected.')));
  });
});
