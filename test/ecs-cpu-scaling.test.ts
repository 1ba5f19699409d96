/**
 * Target tracking on CPU end to end, on a real `wharf dev` with real containers, through
 * @aws-sdk/client-application-auto-scaling, client-ecs and client-cloudwatch: a CPU-burning
 * service of 1 task with a 50 % ECSServiceAverageCPUUtilization target (min 1, max 3) scales
 * out as the agent's telemetry crosses the target, its new tasks RUNNING, never above 3; with
 * the load stopped (UpdateService to an idle revision) it scales back in to 1, never below.
 *
 * High resolution keeps it to a few minutes: the agent reports every 2 s and `--scaling-period 10`
 * gives target tracking's alarms 10-second periods (AlarmHigh 3 × 10 s, AlarmLow 15 × 10 s).
 * Each burner stops burning by itself after 3 minutes, whatever happens to the test.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApplicationAutoScalingClient, DescribeScalingActivitiesCommand, PutScalingPolicyCommand, RegisterScalableTargetCommand, type ScalingActivity,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { until } from './support/crash-services.ts';
import { TEST_IMAGE, removeClusterContainers } from './support/docker.ts';
import { credentials, ecsClient, region, startDev, tempDir, type WharfProcess } from './support/wharf.ts';

const run = Date.now().toString(36);
const cluster = `cpu-scaling-${run}`;
const service = 'burner';
const resourceId = `service/${cluster}/${service}`;
/** One busy loop, bounded in time, then idle. */
const BURN = 'end=$(( $(date +%s) + 180 )); while [ $(date +%s) -lt $end ]; do :; done; exec sleep 3600';

let wharf: WharfProcess;
let ecs: ECSClient;
let scaling: ApplicationAutoScalingClient;
let cw: CloudWatchClient;
let clusterArn = '';

before(async () => {
  wharf = await startDev(tempDir(), ['--telemetry-interval', '2', '--scaling-period', '10']);
  ecs = ecsClient(wharf.url);
  const options = { endpoint: wharf.url, region, credentials };
  scaling = new ApplicationAutoScalingClient(options);
  cw = new CloudWatchClient(options);
  clusterArn = (await ecs.send(new CreateClusterCommand({ clusterName: cluster }))).cluster!.clusterArn!;
});

after(async () => {
  // Wharf first: its agent would otherwise create a replacement while the containers are removed.
  await wharf?.stop();
  if (clusterArn) removeClusterContainers(clusterArn);
});

const desiredCount = async () => (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!.desiredCount!;
const runningTasks = async () => {
  const { taskArns } = await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'RUNNING' }));
  if (!taskArns?.length) return [];
  return ((await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }))).tasks ?? []).filter((t) => t.lastStatus === 'RUNNING');
};
const activities = async (): Promise<ScalingActivity[]> =>
  (await scaling.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId }))).ScalingActivities ?? [];

describe('ECS service target tracking on CPU, high resolution', () => {
  it('a CPU-burning service scales out past its 50 % target, then back in to 1 once the load stops, within [1, 3]', { timeout: 420_000 }, async () => {
    const burner = (await ecs.send(new RegisterTaskDefinitionCommand({
      family: `burner-${run}`, cpu: '256', memory: '64',
      containerDefinitions: [{ name: 'app', image: TEST_IMAGE, essential: true, command: ['sh', '-c', BURN], stopTimeout: 2 }],
    }))).taskDefinition!.taskDefinitionArn!;
    const idle = (await ecs.send(new RegisterTaskDefinitionCommand({
      family: `burner-${run}`, cpu: '256', memory: '64',
      containerDefinitions: [{ name: 'app', image: TEST_IMAGE, essential: true, command: ['sleep', '3600'], stopTimeout: 2 }],
    }))).taskDefinition!.taskDefinitionArn!;
    await ecs.send(new CreateServiceCommand({ cluster, serviceName: service, taskDefinition: burner, desiredCount: 1 }));
    await scaling.send(new RegisterScalableTargetCommand({
      ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 1, MaxCapacity: 3,
    }));
    const policy = await scaling.send(new PutScalingPolicyCommand({
      PolicyName: 'cpu50', ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, ScaleOutCooldown: 10, ScaleInCooldown: 10,
      },
    }));
    // The policy's alarms have the operator's 10-second period.
    const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: policy.Alarms!.map((a) => a.AlarmName!) }));
    assert.deepEqual(MetricAlarms!.map((a) => a.Period), [10, 10]);

    // Every desiredCount seen, sampled as the test polls.
    const seen: number[] = [];
    const sample = async () => { const n = await desiredCount(); seen.push(n); return n; };

    const t0 = Date.now();
    const out = await until('a scale-out with its new tasks RUNNING', async () => {
      const n = await sample();
      if (n < 2) return undefined;
      const tasks = await runningTasks();
      return tasks.length >= 2 ? { desired: n, running: tasks.length } : undefined;
    }, { attempts: 240, intervalMs: 500 });
    const scaledOutAfter = Date.now() - t0;
    const outs = (await activities()).filter((a) => a.StatusCode === 'Successful');
    assert.ok(outs.length >= 1, 'a scaling activity');
    assert.match(outs.at(-1)!.Description!, /^Setting desired count to [23]\.$/);
    assert.match(outs.at(-1)!.Cause!, /AlarmHigh.*in state ALARM triggered policy cpu50/);
    assert.ok(out.running >= 2);

    // Load stopped: every task replaced by an idle one.
    await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: idle }));
    const t1 = Date.now();
    await until('scaled back in to 1', async () => ((await sample()) === 1 ? true : undefined), { attempts: 600, intervalMs: 500 });
    const scaledInAfter = Date.now() - t1;
    await until('one idle task RUNNING', async () => {
      const tasks = await runningTasks();
      return tasks.length === 1 && tasks[0]!.taskDefinitionArn === idle ? true : undefined;
    }, { attempts: 120, intervalMs: 500 });

    const all = await activities();
    assert.ok(all.some((a) => a.Description === 'Setting desired count to 1.' && /AlarmLow.*in state ALARM triggered policy cpu50/.test(a.Cause!)), 'a scale-in by the low alarm');
    // Within the target's bounds throughout.
    assert.ok(Math.max(...seen) <= 3 && Math.min(...seen) >= 1, `desiredCount seen: ${[...new Set(seen)].join(', ')}`);
    for (const a of all) assert.match(a.Description!, /^Setting desired count to [123]\.$/);
    console.log(`scale-out after ${(scaledOutAfter / 1000).toFixed(1)} s (desired ${out.desired}); scale-in after ${(scaledInAfter / 1000).toFixed(1)} s`);
  });

  it('a --scaling-period that is not 10, 30 or a multiple of 60 is refused at start', { timeout: 60_000 }, async () => {
    await assert.rejects(startDev(tempDir(), ['--scaling-period', '45', '--no-dns']), /--scaling-period must be 10, 30 or a multiple of 60 seconds/);
  });
});
