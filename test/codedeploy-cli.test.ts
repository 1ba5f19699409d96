/**
 * An auth service deployed blue/green by CodeDeploy behind an internal ALB, set up and deployed
 * only through the AWS CLI v2 (/usr/bin/aws ecs, elbv2, deploy), as an infrastructure script
 * would: a CODE_DEPLOY service over a blue and a green target group with a production (80) and a
 * test (8080) listener, an AppSpec in YAML to a new revision, test traffic on the test listener,
 * ContinueDeployment, the original task set kept through the termination wait and then deleted,
 * and a later deployment rolled back by StopDeployment. A bounded steady load on the production
 * listener runs throughout and must see no failed request.
 *
 * The control plane runs in this process with a clock the test moves (the termination wait's
 * minutes); a fake agent answers for the tasks, each "task" a real HTTP server on loopback that
 * answers its revision, so the load balancer's health checks and traffic are real.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectFakeAgent, type FakeAgent } from './support/fake-agent.ts';
import { awsCli, inProcessControlPlane } from './support/in-process.ts';
import { until } from './support/lb-fixture.ts';
import { listenerRequests, serveRevisions } from './support/revision-servers.ts';

const CLUSTER = 'klp';
const skew = { ms: 0 };
const clock = { now: () => Date.now() + skew.ms };
const controlPlane = inProcessControlPlane({ clock });
let url = '';
const ecs = awsCli(() => url, 'ecs').cli;
const elbv2 = awsCli(() => url, 'elbv2').cli;
const deploy = awsCli(() => url, 'deploy').cli;
const ec2 = awsCli(() => url, 'ec2').cli;
let agent: FakeAgent;
let address = '';
let blueGroup = '';
let greenGroup = '';
const requests = listenerRequests(() => address, { keepAlive: false });
const { get, answers } = requests;
let stopServing = (): void => undefined;
/** Stops the steady load, if one runs (a failed test leaves it running otherwise). */
let stopLoad = async (): Promise<unknown> => undefined;

/** Registers revision `n` of the auth family from a JSON file's worth of input, as scripts do. */
async function revision(n: number): Promise<string> {
  const input = {
    family: 'auth', networkMode: 'bridge',
    containerDefinitions: [
      { name: 'auth', image: 'wharf-test/busybox', memory: 64, essential: true, environment: [{ name: 'N', value: String(n) }], portMappings: [{ containerPort: 80, hostPort: 0 }] },
      { name: 'otel-collector', image: 'wharf-test/busybox', memory: 32, essential: false },
    ],
  };
  return (await ecs('register-task-definition', '--cli-input-json', JSON.stringify(input))).taskDefinition.taskDefinitionArn;
}

/** The AppSpec a pipeline writes, in YAML. */
const appSpec = (taskDefinition: string) => [
  'version: 0.0',
  'Resources:',
  '  - TargetService:',
  '      Type: AWS::ECS::Service',
  '      Properties:',
  `        TaskDefinition: "${taskDefinition}"`,
  '        LoadBalancerInfo:',
  '          ContainerName: "auth"',
  '          ContainerPort: 80',
  '',
].join('\n');

async function createDeployment(taskDefinition: string): Promise<string> {
  const input = {
    applicationName: 'auth', deploymentGroupName: 'auth-bg',
    revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec(taskDefinition) } },
  };
  return (await deploy('create-deployment', '--cli-input-json', JSON.stringify(input))).deploymentId;
}

const deploymentStatus = async (id: string): Promise<string> => (await deploy('get-deployment', '--deployment-id', id)).deploymentInfo.status;
const statusIs = (id: string, status: string) => async () => ((await deploymentStatus(id)) === status ? true : undefined);

/** Waits for deployment `id` to reach `status`; when it does not, the error says where the deployment, its task sets and targets stand. */
async function reaches(id: string, status: string, timeoutMs: number): Promise<void> {
  try {
    await until(status, statusIs(id, status), timeoutMs);
  } catch (error) {
    const info = (await deploy('get-deployment', '--deployment-id', id)).deploymentInfo;
    const sets = (await ecs('describe-services', '--cluster', CLUSTER, '--services', 'auth')).services[0].taskSets
      .map((t: any) => `${t.status} ${t.taskDefinition.split('/').pop()} ${t.stabilityStatus} running ${t.runningCount}/${t.computedDesiredCount}`);
    const health = async (group: string) => (await elbv2('describe-target-health', '--target-group-arn', group)).TargetHealthDescriptions
      .map((d: any) => `${d.Target.Port}:${d.TargetHealth.State}${d.TargetHealth.Reason ? `(${d.TargetHealth.Reason})` : ''}`);
    throw new Error(`${(error as Error).message}: deployment ${info.status} ${JSON.stringify(info.deploymentOverview)}; task sets ${JSON.stringify(sets)}; ` +
      `blue targets ${JSON.stringify(await health(blueGroup))}; green targets ${JSON.stringify(await health(greenGroup))}`);
  }
}
const taskSets = async (): Promise<{ status: string; group: string; taskDefinition: string }[]> =>
  (await ecs('describe-services', '--cluster', CLUSTER, '--services', 'auth')).services[0].taskSets
    .map((t: any) => ({ status: t.status, group: t.loadBalancers[0].targetGroupArn, taskDefinition: t.taskDefinition }));
const healthy = async (group: string): Promise<number> =>
  (await elbv2('describe-target-health', '--target-group-arn', group)).TargetHealthDescriptions.filter((d: any) => d.TargetHealth.State === 'healthy').length;

/** A steady load on the production listener: about 20 requests a second, bounded in count and time. */
function steadyLoad(maxRequests = 6_000, maxMs = 300_000) {
  const counts: Record<string, number> = {};
  let stopped = false;
  const started = Date.now();
  const done = (async () => {
    for (let i = 0; i < maxRequests && !stopped && Date.now() - started < maxMs; i++) {
      const a = await get(80);
      counts[a] = (counts[a] ?? 0) + 1;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    counts,
    async stop() {
      stopped = true;
      await done;
      return counts;
    },
  };
}

before(async () => {
  const plane = await controlPlane();
  url = plane.url;
  await ecs('create-cluster', '--cluster-name', CLUSTER);
  agent = await connectFakeAgent(plane.url, { cluster: CLUSTER, cpu: 8192, memory: 16384 });
  stopServing = serveRevisions(agent, clock.now);

  const subnets = (await ec2('describe-subnets', '--filters', 'Name=default-for-az,Values=true')).Subnets.slice(0, 2).map((s: any) => s.SubnetId);
  const lb = (await elbv2('create-load-balancer', '--name', 'klp-internal', '--scheme', 'internal', '--subnets', ...subnets)).LoadBalancers[0];
  const group = async (name: string) => {
    const arn = (await elbv2(
      'create-target-group', '--name', name, '--protocol', 'HTTP', '--port', '80', '--vpc-id', lb.VpcId, '--target-type', 'instance',
      '--health-check-path', '/health', '--health-check-interval-seconds', '5', '--health-check-timeout-seconds', '2',
      '--healthy-threshold-count', '2', '--unhealthy-threshold-count', '2',
    )).TargetGroups[0].TargetGroupArn;
    await elbv2('modify-target-group-attributes', '--target-group-arn', arn, '--attributes', 'Key=deregistration_delay.timeout_seconds,Value=2');
    return arn;
  };
  blueGroup = await group('auth-blue');
  greenGroup = await group('auth-green');
  const listener = async (port: number) => (await elbv2(
    'create-listener', '--load-balancer-arn', lb.LoadBalancerArn, '--protocol', 'HTTP', '--port', String(port),
    '--default-actions', `Type=forward,TargetGroupArn=${blueGroup}`,
  )).Listeners[0].ListenerArn;
  const production = await listener(80);
  const test = await listener(8080);
  address = (await elbv2('describe-load-balancers', '--load-balancer-arns', lb.LoadBalancerArn)).LoadBalancers[0].AvailabilityZones[0].LoadBalancerAddresses[0].IpAddress;

  await ecs(
    'create-service', '--cluster', CLUSTER, '--service-name', 'auth', '--task-definition', await revision(1), '--desired-count', '2',
    '--deployment-controller', 'type=CODE_DEPLOY', '--load-balancers', `targetGroupArn=${blueGroup},containerName=auth,containerPort=80`,
  );
  await deploy('create-application', '--application-name', 'auth', '--compute-platform', 'ECS');
  await deploy('create-deployment-group', '--cli-input-json', JSON.stringify({
    applicationName: 'auth', deploymentGroupName: 'auth-bg', serviceRoleArn: 'arn:aws:iam::123456789012:role/ecsCodeDeployRole',
    deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    ecsServices: [{ clusterName: CLUSTER, serviceName: 'auth' }],
    loadBalancerInfo: { targetGroupPairInfoList: [{ targetGroups: [{ name: 'auth-blue' }, { name: 'auth-green' }], prodTrafficRoute: { listenerArns: [production] }, testTrafficRoute: { listenerArns: [test] } }] },
    blueGreenDeploymentConfiguration: {
      terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 5 },
      deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 30 },
    },
    autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
  }));
});

after(async () => {
  await stopLoad();
  requests.close();
  stopServing();
  await agent?.close();
});

describe('an auth service deployed blue/green by CodeDeploy through the AWS CLI', () => {
  it('deploys a new revision with test traffic, a Ready wait and a termination wait, then rolls the next back by StopDeployment, with no failed request', async () => {
    await until('the original task set healthy', async () => ((await healthy(blueGroup)) === 2 ? true : undefined), 60_000);
    assert.deepEqual(await answers(80, 10), { v1: 10 });
    const load = steadyLoad();
    stopLoad = load.stop;

    // A new revision: green starts in the other target group; the test listener reaches it alone.
    const first = await createDeployment(await revision(2));
    await reaches(first, 'Ready', 120_000);
    assert.equal(await healthy(greenGroup), 2, 'the replacement runs in the green target group');
    assert.deepEqual(await answers(8080, 20), { v2: 20 }, 'the test listener reaches the replacement only');
    assert.deepEqual(await answers(80, 20), { v1: 20 }, 'production stays on the original');
    const targets = (await deploy('list-deployment-targets', '--deployment-id', first)).targetIds;
    assert.equal(targets.length, 1);
    const target = (await deploy('get-deployment-target', '--deployment-id', first, '--target-id', targets[0])).deploymentTarget;
    assert.equal(target.deploymentTargetType, 'ECSTarget');
    assert.deepEqual(target.ecsTarget.taskSetsInfo.map((t: any) => t.taskSetLabel).sort(), ['Blue', 'Green']);

    // ContinueDeployment: production on green; the original kept through the termination wait.
    await deploy('continue-deployment', '--deployment-id', first, '--deployment-wait-type', 'READY_WAIT');
    await until('production on v2', async () => ((await answers(80, 5)).v2 === 5 ? true : undefined), 30_000);
    assert.deepEqual(await answers(80, 20), { v2: 20 });
    assert.equal(await deploymentStatus(first), 'InProgress', 'the termination wait is part of the deployment');
    assert.deepEqual((await taskSets()).map((t) => [t.status, t.group]), [['PRIMARY', greenGroup], ['ACTIVE', blueGroup]], 'the original runs through the wait');
    skew.ms += 5 * 60_000;
    await reaches(first, 'Succeeded', 60_000);
    await until('the original task set deleted', async () => ((await taskSets()).length === 1 && (await healthy(blueGroup)) === 0 ? true : undefined), 60_000);
    assert.deepEqual((await taskSets()).map((t) => [t.status, t.group]), [['PRIMARY', greenGroup]]);

    // The next revision reaches production, then StopDeployment rolls it back.
    const second = await createDeployment(await revision(3));
    await reaches(second, 'Ready', 120_000);
    assert.deepEqual(await answers(8080, 10), { v3: 10 });
    await deploy('continue-deployment', '--deployment-id', second, '--deployment-wait-type', 'READY_WAIT');
    await until('production on v3', async () => ((await answers(80, 5)).v3 === 5 ? true : undefined), 30_000);
    await deploy('stop-deployment', '--deployment-id', second, '--auto-rollback-enabled');
    await reaches(second, 'Stopped', 30_000);
    const info = (await deploy('get-deployment', '--deployment-id', second)).deploymentInfo;
    assert.ok(info.rollbackInfo, 'the stopped deployment says it was rolled back');
    assert.deepEqual(await answers(80, 20), { v2: 20 }, 'production back on the original');
    await until('the replacement deleted', async () => ((await taskSets()).length === 1 ? true : undefined), 60_000);
    assert.deepEqual((await taskSets()).map((t) => [t.status, t.group]), [['PRIMARY', greenGroup]]);

    const counts = await load.stop();
    const failed = Object.entries(counts).filter(([answer]) => !/^v[123]$/.test(answer));
    assert.deepEqual(failed, [], `no failed request under the steady load: ${JSON.stringify(counts)}`);
    assert.ok((counts.v1 ?? 0) > 0 && (counts.v2 ?? 0) > 0, `the load saw the original and the replacement: ${JSON.stringify(counts)}`);
  });
});
