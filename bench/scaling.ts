/**
 * Scale-out reaction of ECS target tracking with high-resolution metrics on `wharf dev`
 * (`--telemetry-interval 2 --scaling-period 10`): from the service's AWS/ECS CPUUtilization first
 * crossing the 50 % target (its first per-second datapoint above it) to the new task RUNNING,
 * split at the scaling activity; beside a reference measured in the same run on the same plane:
 * UpdateService desiredCount 1 → 2 of an idle service → its new task RUNNING.
 * Each round is a fresh service (min 1, max 2) whose task idles 40 s and then burns a CPU,
 * deleted after it scaled out; every burner stops burning by itself after two minutes. Prints figures; never passes or fails on them.
 *
 *   npm run bench:scaling    (needs Docker Engine and the test image: scripts/build-test-images.sh)
 *   ROUNDS=3 by default
 */
import {
  ApplicationAutoScalingClient, DeregisterScalableTargetCommand, DescribeScalingActivitiesCommand, PutScalingPolicyCommand, RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { credentials, ecsClient, region, startDev, tempDir } from '../test/support/wharf.ts';
import { TEST_IMAGE, removeClusterContainers } from '../test/support/docker.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CLUSTER = 'bench-scaling';
/**
 * Idle for 40 s, then one busy loop for at most two minutes. The idle start gives the alarm calm
 * periods before the load: a brand-new service's first breaching period alone would alarm
 * (missing datapoints count as breaching when every present one breaches), which is not the
 * reaction of a running service whose load rises.
 */
const BURN = 'sleep 40; end=$(( $(date +%s) + 120 )); while [ $(date +%s) -lt $end ]; do :; done; exec sleep 3600';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The time (ms since the epoch) `probe` first returns true, polling every 100 ms, within `limitMs`. */
async function when(what: string, probe: () => Promise<boolean>, limitMs: number): Promise<number> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (await probe()) return Date.now();
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function runningCount(ecs: ECSClient, service: string): Promise<number> {
  const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: service, desiredStatus: 'RUNNING' }));
  if (!taskArns?.length) return 0;
  return ((await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: taskArns }))).tasks ?? []).filter((t) => t.lastStatus === 'RUNNING').length;
}

async function removeService(ecs: ECSClient, service: string): Promise<void> {
  await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service, desiredCount: 0 }));
  await ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service }));
  await when(`${service}'s tasks gone`, async () => (await runningCount(ecs, service)) === 0, 60_000);
}

async function main(): Promise<void> {
  const wharf = await startDev(tempDir(), ['--telemetry-interval', '2', '--scaling-period', '10']);
  const ecs = ecsClient(wharf.url);
  const options = { endpoint: wharf.url, region, credentials };
  const scaling = new ApplicationAutoScalingClient(options);
  const cw = new CloudWatchClient(options);
  const clusterArn = (await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))).cluster!.clusterArn!;
  for (const [family, command] of [['bench-burner', ['sh', '-c', BURN]], ['bench-idle', ['sleep', '3600']]] as const) {
    await ecs.send(new RegisterTaskDefinitionCommand({
      family, cpu: '256', memory: '64', containerDefinitions: [{ name: 'app', image: TEST_IMAGE, essential: true, command: [...command], stopTimeout: 2 }],
    }));
  }

  const crossToActivity: number[] = [];
  const activityToRunning: number[] = [];
  const crossToRunning: number[] = [];
  const reference: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      // Reference: a plain desiredCount change of an idle service → its new task RUNNING.
      const idle = `idle-${i}`;
      await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: idle, taskDefinition: 'bench-idle', desiredCount: 1 }));
      await when('the idle service RUNNING', async () => (await runningCount(ecs, idle)) === 1, 60_000);
      const r0 = Date.now();
      await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: idle, desiredCount: 2 }));
      reference.push((await when('the idle service’s second task RUNNING', async () => (await runningCount(ecs, idle)) >= 2, 60_000)) - r0);
      await removeService(ecs, idle);

      // Target tracking: a burner of 1, target 50 %, max 2.
      const service = `burner-${i}`;
      const resourceId = `service/${CLUSTER}/${service}`;
      await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: service, taskDefinition: 'bench-burner', desiredCount: 1 }));
      await scaling.send(new RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 1, MaxCapacity: 2,
      }));
      await scaling.send(new PutScalingPolicyCommand({
        PolicyName: 'cpu50', ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount', PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, ScaleOutCooldown: 10, ScaleInCooldown: 10,
        },
      }));
      const running = await when('the scaled-out task RUNNING', async () => (await runningCount(ecs, service)) >= 2, 240_000);
      const activity = (await scaling.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId }))).ScalingActivities!
        .filter((a) => a.Description === 'Setting desired count to 2.').at(-1)!;
      const now = Date.now();
      const data = await cw.send(new GetMetricDataCommand({
        StartTime: new Date(now - 300_000), EndTime: new Date(now + 1_000), ScanBy: 'TimestampAscending',
        MetricDataQueries: [{
          Id: 'cpu',
          MetricStat: { Metric: { Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'ClusterName', Value: CLUSTER }, { Name: 'ServiceName', Value: service }] }, Period: 1, Stat: 'Average' },
        }],
      }));
      const result = data.MetricDataResults![0]!;
      const k = (result.Values ?? []).findIndex((v) => v > 50);
      if (k < 0) throw new Error(`${service}: no datapoint above the target`);
      const crossed = result.Timestamps![k]!.getTime();
      const acted = activity.StartTime!.getTime();
      crossToActivity.push(acted - crossed);
      activityToRunning.push(running - acted);
      crossToRunning.push(running - crossed);
      await scaling.send(new DeregisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount' }));
      await removeService(ecs, service);
      console.log(`round ${i + 1}: crossing → RUNNING ${((running - crossed) / 1000).toFixed(1)} s; desiredCount change → RUNNING ${(reference.at(-1)! / 1000).toFixed(2)} s`);
    }
  } finally {
    removeClusterContainers(clusterArn);
    await wharf.stop();
  }

  const row = (name: string, xs: number[]) => `${name.padEnd(58)} median ${(median(xs) / 1000).toFixed(2).padStart(6)} s   min ${(Math.min(...xs) / 1000).toFixed(2).padStart(6)} s   max ${(Math.max(...xs) / 1000).toFixed(2).padStart(6)} s`;
  console.log(`ECS target tracking scale-out reaction, high resolution (10 s alarm periods, telemetry every 2 s), ${ROUNDS} rounds`);
  console.log(row('CPUUtilization crosses 50 % → new task RUNNING', crossToRunning));
  console.log(row('  crossing → scaling activity (alarm 3 × 10 s, decision)', crossToActivity));
  console.log(row('  scaling activity → new task RUNNING', activityToRunning));
  console.log(row('reference: UpdateService desiredCount 1 → 2 → task RUNNING', reference));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
