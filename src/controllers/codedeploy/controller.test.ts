import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import * as cd from '../../codedeploy/index.ts';
import { FakeAlarms, FakeTaskSets, FakeTraffic } from '../../codedeploy/ports.testing.ts';
import { randomIds } from '../../common/index.ts';
import { getDoc, SqliteStore } from '../../state/index.ts';
import { VirtualTime } from '../virtual-time.testing.ts';
import { CodeDeployController } from './controller.ts';

const scope = { account: '111122223333', region: 'us-east-1' };
const MIN = 60_000;
const TG_A = 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/tg-a/aaaa';
const TG_B = 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/tg-b/bbbb';
const PROD = 'arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/lb/1/prod';
const TEST = 'arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/lb/1/test';
const APPSPEC = JSON.stringify({
  version: 0.0,
  Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: 'web:2', LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 80 } } } }],
});

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function world(group: Partial<cd.GroupSpec> = {}, config = 'CodeDeployDefault.ECSAllAtOnce', alarms = new FakeAlarms()) {
  const store = SqliteStore.open(':memory:');
  const time = new VirtualTime(Date.UTC(2026, 5, 1));
  const env = { store, clock: time, ids: randomIds };
  const taskSets = new FakeTaskSets();
  const traffic = new FakeTraffic();
  traffic.groups.set('tg-a', TG_A).set('tg-b', TG_B);
  traffic.listeners.set(PROD, [{ targetGroupArn: TG_A, weight: 100 }]).set(TEST, [{ targetGroupArn: TG_A, weight: 100 }]);
  const blue = taskSets.addService('prod', 'web', TG_A);
  await cd.createApplication(env, scope, { name: 'app', computePlatform: 'ECS' });
  await cd.createGroup(env, scope, 'app', 'dg', {
    serviceRoleArn: 'arn:aws:iam::111122223333:role/cd', deploymentConfigName: config, ecsServices: [{ clusterName: 'prod', serviceName: 'web' }],
    targetGroupPairs: [{ targetGroups: ['tg-a', 'tg-b'], prodListenerArns: [PROD], testListenerArns: [TEST] }], ...group,
  }, []);
  const controller = new CodeDeployController({ store, clock: time, timers: time, taskSets, traffic, alarms, intervalMs: 1000 });
  closers.push(() => store.close(), () => controller.close());
  await controller.start();
  const deploy = async () => (await cd.createDeployment(env, scope, { applicationName: 'app', groupName: 'dg', revision: { type: 'AppSpecContent', content: APPSPEC } })).id;
  const get = (id: string) => cd.getDeployment(env, scope, id);
  /** Lets the controller's passes run (each pass's writes wake the next). */
  const settle = async (ms = 1000) => {
    await controller.runOnce();
    await time.advance(ms);
    await controller.runOnce();
  };
  return { env, time, taskSets, traffic, alarms, blue, controller, deploy, get, settle };
}

describe('CodeDeploy deployment engine', () => {
  test('all at once: green on the other group, test then production traffic, green PRIMARY, blue deleted; the group is free again', async () => {
    const w = await world();
    const id = await w.deploy();
    await w.settle();
    assert.equal((await w.get(id)).status, 'InProgress');
    assert.equal(w.taskSets.created.length, 1);
    assert.deepEqual([w.taskSets.created[0]!.targetGroupArn, w.taskSets.created[0]!.externalId, w.taskSets.created[0]!.appSpec.taskDefinition], [TG_B, id, 'web:2']);
    assert.equal(w.traffic.weight(PROD, TG_A), 100);
    w.taskSets.settle();
    await w.settle();
    await w.settle();
    const d = await w.get(id);
    assert.equal(d.status, 'Succeeded');
    assert.deepEqual([w.traffic.weight(PROD, TG_B), w.traffic.weight(TEST, TG_B)], [100, 100]);
    const sets = (await w.taskSets.service(scope, 'prod', 'web'))!.taskSets;
    assert.deepEqual(sets.map((t) => [t.status, t.targetGroupArn]), [['PRIMARY', TG_B]]);
    const group = await cd.getGroup(w.env, scope, 'app', 'dg');
    assert.deepEqual([group.lastSuccessful?.deploymentId, group.lastAttempted?.status], [id, 'Succeeded']);
    // The next deployment alternates back to tg-a.
    const again = await w.deploy();
    await w.settle();
    assert.equal(w.taskSets.created.at(-1)!.targetGroupArn, TG_A);
    assert.notEqual(again, id);
  });

  test('linear 10 % every minute on the virtual clock: the production listener moves 10 % a minute', async () => {
    const w = await world({}, 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes');
    const id = await w.deploy();
    await w.settle();
    w.taskSets.settle();
    await w.settle(100);
    assert.equal(w.traffic.weight(PROD, TG_B), 10);
    for (let m = 1; m <= 9; m++) await w.time.advance(MIN);
    await w.controller.runOnce();
    await w.settle();
    assert.deepEqual(w.traffic.history.get(PROD)!.map((h) => h.find((x) => x.targetGroupArn === TG_B)?.weight), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    assert.equal((await w.get(id)).status, 'Succeeded');
  });

  test('ready wait: Ready until ContinueDeployment READY_WAIT; termination wait until TERMINATION_WAIT', async () => {
    const w = await world({ blueGreen: { actionOnTimeout: 'STOP_DEPLOYMENT', readyWaitMinutes: 30, terminationWaitMinutes: 60 } });
    const id = await w.deploy();
    await w.settle();
    w.taskSets.settle();
    await w.settle();
    assert.equal((await w.get(id)).status, 'Ready');
    assert.deepEqual([w.traffic.weight(TEST, TG_B), w.traffic.weight(PROD, TG_B)], [100, 0]);
    // Waiting changes nothing: passes write nothing (a write would wake the engine again at once).
    const revision = (await getDoc(w.env.store, cd.keys.deployment(scope, id)))!.modRevision;
    await w.settle(10 * MIN);
    assert.equal((await getDoc(w.env.store, cd.keys.deployment(scope, id)))!.modRevision, revision);
    await assert.rejects(cd.continueDeployment(w.env, scope, id, 'TERMINATION_WAIT'), { code: 'InvalidDeploymentWaitTypeException' });
    await cd.continueDeployment(w.env, scope, id, 'READY_WAIT');
    await w.settle();
    let d = await w.get(id);
    assert.deepEqual([d.status, d.engine.phase, w.traffic.weight(PROD, TG_B)], ['InProgress', 'TerminationWait', 100]);
    assert.equal((await w.taskSets.service(scope, 'prod', 'web'))!.taskSets.length, 2);
    await cd.continueDeployment(w.env, scope, id, 'TERMINATION_WAIT');
    await w.settle();
    await w.settle();
    d = await w.get(id);
    assert.equal(d.status, 'Succeeded');
    assert.equal((await w.taskSets.service(scope, 'prod', 'web'))!.taskSets.length, 1);
  });

  test('StopDeployment with rollback: production back on blue, blue PRIMARY, green deleted, Stopped', async () => {
    const w = await world({ blueGreen: { terminationWaitMinutes: 60 } });
    const id = await w.deploy();
    await w.settle();
    w.taskSets.settle();
    await w.settle();
    assert.equal(w.traffic.weight(PROD, TG_B), 100);
    await assert.rejects(cd.createDeployment(w.env, scope, { applicationName: 'app', groupName: 'dg', revision: { type: 'AppSpecContent', content: APPSPEC } }),
      { code: 'DeploymentLimitExceededException' });
    await cd.stopDeployment(w.env, scope, id, true);
    await w.settle();
    await w.settle();
    const d = await w.get(id);
    assert.equal(d.status, 'Stopped');
    assert.equal(d.error?.code, 'MANUAL_STOP');
    assert.deepEqual([w.traffic.weight(PROD, TG_A), w.traffic.weight(TEST, TG_A)], [100, 100]);
    assert.deepEqual((await w.taskSets.service(scope, 'prod', 'web'))!.taskSets.map((t) => [t.id, t.status]), [[w.blue.id, 'PRIMARY']]);
    await assert.rejects(cd.stopDeployment(w.env, scope, id, true), { code: 'DeploymentAlreadyCompletedException' });
  });

  test('a failure with automatic rollback: green cannot be created, the deployment fails and traffic stays on blue', async () => {
    const w = await world({ autoRollback: { enabled: true, events: ['DEPLOYMENT_FAILURE'] } });
    w.taskSets.fail.createTaskSet = 'capacity exhausted';
    const id = await w.deploy();
    await w.settle();
    await w.settle();
    const d = await w.get(id);
    assert.equal(d.status, 'Failed');
    assert.deepEqual(d.error, { code: 'ECS_UPDATE_ERROR', message: 'capacity exhausted' });
    assert.equal(w.traffic.weight(PROD, TG_A), 100);
  });

  test('a store that does not answer fails nothing: the deployment goes on once it answers again', async () => {
    const w = await world({ autoRollback: { enabled: true, events: ['DEPLOYMENT_FAILURE'] } });
    const id = await w.deploy();
    w.taskSets.unreachable = true;
    await w.settle();
    await w.settle();
    assert.equal((await w.get(id)).status, 'Created', 'nothing written while ECS could not be read');
    assert.equal((await w.get(id)).error, undefined);
    w.taskSets.unreachable = false;
    await w.settle();
    w.taskSets.settle();
    await w.settle();
    await w.settle();
    assert.equal(w.taskSets.created.length, 1);
    assert.equal(w.traffic.weight(PROD, TG_B), 100);
  });

  test('a service not deployed by CodeDeploy fails the deployment naming its controller', async () => {
    const w = await world();
    w.taskSets.addService('prod', 'web', TG_A, 2, 'ECS');
    const id = await w.deploy();
    await w.settle();
    const d = await w.get(id);
    assert.equal(d.status, 'Failed');
    assert.equal(d.error?.code, 'INVALID_ECS_SERVICE');
    assert.match(d.error!.message, /ECS deployment controller, not CODE_DEPLOY/);
  });

  describe('alarms', () => {
    const watched = (extra: Partial<cd.AlarmConfigurationRecord> = {}, events = ['DEPLOYMENT_STOP_ON_ALARM']): Partial<cd.GroupSpec> => ({
      blueGreen: { terminationWaitMinutes: 60 },
      autoRollback: { enabled: events.length > 0, events },
      extra: { alarmConfiguration: { enabled: true, alarms: [{ name: 'web-5xx' }], ...extra } },
    });
    /** Waits (in real time, the virtual clock still) for the engine to have moved the deployment on its own. */
    const until = async (get: () => Promise<cd.DeploymentRecord>, status: string) => {
      for (let i = 0; i < 100 && (await get()).status !== status; i++) await new Promise((r) => setTimeout(r, 10));
      return get();
    };

    test('an alarm going into ALARM during the termination wait wakes the engine: Stopped with ALARM_ACTIVE, traffic back on blue', async () => {
      const w = await world(watched());
      w.alarms.set(scope, 'web-5xx', 'OK');
      const id = await w.deploy();
      await w.settle();
      w.taskSets.settle();
      await w.settle();
      assert.deepEqual([(await w.get(id)).engine.phase, w.traffic.weight(PROD, TG_B)], ['TerminationWait', 100]);
      w.alarms.set(scope, 'web-5xx', 'ALARM');
      let d = await until(() => w.get(id), 'Stopped');
      assert.equal(d.status, 'Stopped');
      assert.equal(d.error?.code, 'ALARM_ACTIVE');
      assert.match(d.error!.message, /alarms have been activated.*web-5xx/);
      await w.settle();
      d = await w.get(id);
      assert.ok(d.rollbackMessage);
      assert.deepEqual([w.traffic.weight(PROD, TG_A), w.traffic.weight(TEST, TG_A)], [100, 100]);
      assert.deepEqual((await w.taskSets.service(scope, 'prod', 'web'))!.taskSets.map((t) => [t.id, t.status]), [[w.blue.id, 'PRIMARY']]);
    });

    test('without DEPLOYMENT_STOP_ON_ALARM the deployment stops where it is; a disabled configuration watches nothing', async () => {
      const w = await world(watched({}, ['DEPLOYMENT_FAILURE']));
      w.alarms.set(scope, 'web-5xx', 'ALARM');
      const id = await w.deploy();
      await w.settle();
      const d = await w.get(id);
      assert.deepEqual([d.status, d.error?.code, d.rollbackMessage], ['Stopped', 'ALARM_ACTIVE', undefined]);
      assert.equal(w.taskSets.created.length, 0);
      const quiet = await world({ ...watched({ enabled: false }), blueGreen: {} });
      quiet.alarms.set(scope, 'web-5xx', 'ALARM');
      const other = await quiet.deploy();
      await quiet.settle();
      quiet.taskSets.settle();
      await quiet.settle();
      await quiet.settle();
      assert.equal((await quiet.get(other)).status, 'Succeeded');
    });

    test('an alarm that cannot be read stops the deployment unless the group ignores poll failures', async () => {
      const w = await world(watched());
      const id = await w.deploy();
      await w.settle();
      await w.settle();
      const d = await w.get(id);
      assert.deepEqual([d.status, d.error?.code], ['Stopped', 'ALARM_ACTIVE']);
      assert.match(d.error!.message, /could not be retrieved/);
      const ignoring = await world(watched({ ignorePollAlarmFailure: true }, []));
      const other = await ignoring.deploy();
      await ignoring.settle();
      ignoring.taskSets.settle();
      await ignoring.settle();
      await ignoring.settle();
      assert.equal((await ignoring.get(other)).status, 'InProgress', 'blue waits out the termination wait');
      assert.equal(ignoring.traffic.weight(PROD, TG_B), 100);
    });

    test('the group refuses more than ten alarms, or an enabled configuration with none', async () => {
      const w = await world();
      const tooMany = { enabled: true, alarms: Array.from({ length: 11 }, (_, i) => ({ name: `a${i}` })) };
      await assert.rejects(cd.updateGroup(w.env, scope, 'app', 'dg', undefined, { extra: { alarmConfiguration: tooMany } }), { code: 'AlarmsLimitExceededException' });
      await assert.rejects(cd.updateGroup(w.env, scope, 'app', 'dg', undefined, { extra: { alarmConfiguration: { enabled: true, alarms: [] } } }), { code: 'InvalidAlarmConfigException' });
    });
  });
});
