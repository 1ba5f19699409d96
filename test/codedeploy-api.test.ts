/**
 * AWS CodeDeploy end to end, through @aws-sdk/client-codedeploy and the AWS CLI against a real
 * control plane in this process, with real ELBv2 target groups and listeners and ECS task sets
 * behind the engine's port (in memory here): applications, configurations, deployment groups,
 * an ECS blue/green deployment that waits in Ready and in the termination wait, its target's
 * task sets, a stop that rolls back, bad input refused naming the field, tags and IAM.
 */
import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetApplicationsCommand, CodeDeployClient, ContinueDeploymentCommand, CreateApplicationCommand, CreateDeploymentCommand,
  CreateDeploymentConfigCommand, CreateDeploymentGroupCommand, DeleteDeploymentConfigCommand, GetApplicationCommand, GetDeploymentCommand,
  GetDeploymentConfigCommand, GetDeploymentGroupCommand, GetDeploymentTargetCommand, ListApplicationsCommand, ListDeploymentConfigsCommand,
  ListDeploymentGroupsCommand, ListDeploymentsCommand, ListDeploymentTargetsCommand, ListTagsForResourceCommand, StopDeploymentCommand, TagResourceCommand,
  UntagResourceCommand, UpdateDeploymentGroupCommand, type CreateDeploymentGroupInput,
} from '@aws-sdk/client-codedeploy';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeListenersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { FakeTaskSets } from '../src/codedeploy/ports.testing.ts';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { credentials, region } from './support/wharf.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused, userWithKey } from './support/in-process.ts';

const taskSets = new FakeTaskSets();
const controlPlane = inProcessControlPlane({ codeDeployTaskSets: taskSets });
let plane: ControlPlane;
let cd: CodeDeployClient;
let elb: ElasticLoadBalancingV2Client;
let cw: CloudWatchClient;
const { cli, cliFails } = awsCli(() => plane.url, 'deploy');

let webDeployment = '';
let tgA: string;
let tgB: string;
let prod: string;
let test: string;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ecsCodeDeployRole`;

const appSpec = (taskDefinition: string, extra = '') => `version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: "${taskDefinition}"
        LoadBalancerInfo:
          ContainerName: "web"
          ContainerPort: 80
${extra}`;

const groupInput = (name: string, over: Partial<CreateDeploymentGroupInput> = {}): CreateDeploymentGroupInput => ({
  applicationName: 'shop', deploymentGroupName: name, serviceRoleArn: ROLE,
  deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
  ecsServices: [{ clusterName: 'prod', serviceName: name }],
  loadBalancerInfo: { targetGroupPairInfoList: [{ targetGroups: [{ name: 'shop-a' }, { name: 'shop-b' }], prodTrafficRoute: { listenerArns: [prod] }, testTrafficRoute: { listenerArns: [test] } }] },
  blueGreenDeploymentConfiguration: {
    terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 60 },
    deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 30 },
  },
  autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
  ...over,
});

/** The weight the listener's default forward gives the target group. */
async function weight(listenerArn: string, targetGroupArn: string): Promise<number> {
  const [l] = (await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))).Listeners!;
  return l!.DefaultActions![0]!.ForwardConfig?.TargetGroups?.find((t) => t.TargetGroupArn === targetGroupArn)?.Weight ?? (l!.DefaultActions![0]!.TargetGroupArn === targetGroupArn ? 1 : 0);
}

/** Polls the deployment (settling the fake ECS's task sets each time) until `done` says so. */
async function until(id: string, done: (status: string | undefined, phase: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    taskSets.settle();
    const d = (await cd.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!;
    if (done(d.status, d.instanceTerminationWaitTimeStarted ? 'TerminationWait' : '')) return d.status!;
    if (Date.now() > deadline) throw new Error(`deployment ${id} still ${d.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  plane = await controlPlane();
  const options = { endpoint: plane.url, region, credentials, maxAttempts: 1 };
  cd = new CodeDeployClient(options);
  elb = new ElasticLoadBalancingV2Client(options);
  cw = new CloudWatchClient(options);
  const ec2 = new EC2Client(options);
  const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!;
  ec2.destroy();
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'shop', Subnets: [subnets[0]!.SubnetId!, subnets[1]!.SubnetId!] }))).LoadBalancers![0]!;
  const group = async (name: string) => (await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: subnets[0]!.VpcId, TargetType: 'ip' }))).TargetGroups![0]!.TargetGroupArn!;
  tgA = await group('shop-a');
  tgB = await group('shop-b');
  const listener = async (port: number) => (await elb.send(new CreateListenerCommand({
    LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgA }],
  }))).Listeners![0]!.ListenerArn!;
  prod = await listener(80);
  test = await listener(8080);
  taskSets.addService('prod', 'web', tgA);
  taskSets.addService('prod', 'api', tgA);
});

after(() => {
  cd?.destroy();
  elb?.destroy();
  cw?.destroy();
});

describe('CodeDeploy API', () => {
  it('applications: ECS only, named once, read, listed, tagged by ARN', async () => {
    const { applicationId } = await cd.send(new CreateApplicationCommand({ applicationName: 'shop', computePlatform: 'ECS', tags: [{ Key: 'team', Value: 'web' }] }));
    assert.match(applicationId!, /^[0-9a-f-]{36}$/);
    await refused(cd.send(new CreateApplicationCommand({ applicationName: 'shop', computePlatform: 'ECS' })), 'ApplicationAlreadyExistsException');
    await refused(cd.send(new CreateApplicationCommand({ applicationName: 'servers', computePlatform: 'Server' })), 'InvalidComputePlatformException', /ECS only/);
    await refused(cd.send(new GetApplicationCommand({ applicationName: 'nope' })), 'ApplicationDoesNotExistException');
    const app = (await cd.send(new GetApplicationCommand({ applicationName: 'shop' }))).application!;
    assert.deepEqual([app.applicationId, app.applicationName, app.computePlatform, app.linkedToGitHub], [applicationId, 'shop', 'ECS', false]);
    assert.deepEqual((await cd.send(new ListApplicationsCommand({}))).applications, ['shop']);
    assert.deepEqual((await cd.send(new BatchGetApplicationsCommand({ applicationNames: ['shop'] }))).applicationsInfo!.map((a) => a.applicationName), ['shop']);
    const arn = `arn:aws:codedeploy:${region}:${ACCOUNT}:application:shop`;
    await cd.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'env', Value: 'prod' }] }));
    await cd.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['team'] }));
    assert.deepEqual((await cd.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags, [{ Key: 'env', Value: 'prod' }]);
    await refused(cd.send(new TagResourceCommand({ ResourceArn: 'arn:aws:codedeploy:us-east-1:1:nothing', Tags: [{ Key: 'a', Value: 'b' }] })), 'InvalidArnException');
    assert.deepEqual((await cli('list-applications')).applications, ['shop']);
  });

  it('deployment configurations: the built-in ECS ones and the account\'s own', async () => {
    const names = (await cd.send(new ListDeploymentConfigsCommand({}))).deploymentConfigsList!;
    for (const n of ['CodeDeployDefault.ECSAllAtOnce', 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes', 'CodeDeployDefault.ECSLinear10PercentEvery3Minutes',
      'CodeDeployDefault.ECSCanary10Percent5Minutes', 'CodeDeployDefault.ECSCanary10Percent15Minutes']) assert.ok(names.includes(n), n);
    const canary = (await cd.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes' }))).deploymentConfigInfo!;
    assert.deepEqual(canary.trafficRoutingConfig, { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 } });
    await cd.send(new CreateDeploymentConfigCommand({
      deploymentConfigName: 'Linear25Every2', computePlatform: 'ECS', trafficRoutingConfig: { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 25, linearInterval: 2 } },
    }));
    assert.equal((await cd.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'Linear25Every2' }))).deploymentConfigInfo!.computePlatform, 'ECS');
    await refused(cd.send(new CreateDeploymentConfigCommand({
      deploymentConfigName: 'Bad', computePlatform: 'ECS', trafficRoutingConfig: { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 0, linearInterval: 2 } },
    })), 'InvalidTrafficRoutingConfigurationException', /linearPercentage/);
    await refused(cd.send(new DeleteDeploymentConfigCommand({ deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce' })), 'InvalidOperationException');
    await cd.send(new DeleteDeploymentConfigCommand({ deploymentConfigName: 'Linear25Every2' }));
    await refused(cd.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'Linear25Every2' })), 'DeploymentConfigDoesNotExistException');
  });

  it('deployment groups: an ECS service, a target group pair, blue/green settings; bad ones refused naming the field', async () => {
    const { deploymentGroupId } = await cd.send(new CreateDeploymentGroupCommand(groupInput('web')));
    await cd.send(new CreateDeploymentGroupCommand(groupInput('api', { ecsServices: [{ clusterName: 'prod', serviceName: 'api' }] })));
    await refused(cd.send(new CreateDeploymentGroupCommand(groupInput('web'))), 'DeploymentGroupAlreadyExistsException');
    await refused(cd.send(new CreateDeploymentGroupCommand(groupInput('x', { applicationName: 'nope' }))), 'ApplicationDoesNotExistException');
    await refused(cd.send(new CreateDeploymentGroupCommand(groupInput('x', {
      loadBalancerInfo: { targetGroupPairInfoList: [{ targetGroups: [{ name: 'shop-a' }], prodTrafficRoute: { listenerArns: [prod] } }] },
    }))), 'InvalidTargetGroupPairException', /targetGroups must name two/);
    await refused(cd.send(new CreateDeploymentGroupCommand(groupInput('x', { ecsServices: [] }))), 'InvalidECSServiceException', /exactly one ECS service/);
    await refused(cd.send(new CreateDeploymentGroupCommand(groupInput('x', { deploymentStyle: { deploymentType: 'IN_PLACE' } }))), 'InvalidDeploymentStyleException');
    await refused(cd.send(new CreateDeploymentGroupCommand(groupInput('x', { deploymentConfigName: 'Nope' }))), 'DeploymentConfigDoesNotExistException');
    const g = (await cd.send(new GetDeploymentGroupCommand({ applicationName: 'shop', deploymentGroupName: 'web' }))).deploymentGroupInfo!;
    assert.equal(g.deploymentGroupId, deploymentGroupId);
    assert.deepEqual([g.computePlatform, g.deploymentConfigName, g.serviceRoleArn], ['ECS', 'CodeDeployDefault.ECSAllAtOnce', ROLE]);
    assert.deepEqual(g.ecsServices, [{ serviceName: 'web', clusterName: 'prod' }]);
    assert.deepEqual(g.blueGreenDeploymentConfiguration!.deploymentReadyOption, { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 30 });
    assert.deepEqual(g.loadBalancerInfo!.targetGroupPairInfoList![0]!.targetGroups, [{ name: 'shop-a' }, { name: 'shop-b' }]);
    await cd.send(new UpdateDeploymentGroupCommand({ applicationName: 'shop', currentDeploymentGroupName: 'api', deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes' }));
    const api = (await cd.send(new GetDeploymentGroupCommand({ applicationName: 'shop', deploymentGroupName: 'api' }))).deploymentGroupInfo!;
    assert.equal(api.deploymentConfigName, 'CodeDeployDefault.ECSCanary10Percent5Minutes');
    assert.deepEqual((await cd.send(new ListDeploymentGroupsCommand({ applicationName: 'shop' }))).deploymentGroups, ['api', 'web']);
    const viaCli = await cli('get-deployment-group', '--application-name', 'shop', '--deployment-group-name', 'web');
    assert.equal(viaCli.deploymentGroupInfo.deploymentStyle.deploymentType, 'BLUE_GREEN');
  });

  it('a blue/green deployment: green on the other group, test traffic, Ready, production, termination wait, blue deleted', async () => {
    await refused(cd.send(new CreateDeploymentCommand({
      applicationName: 'shop', deploymentGroupName: 'web',
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec('web:2', 'Hooks:\n  - AfterAllowTestTraffic: "CheckIt"\n') } },
    })), 'InvalidRevisionException', /Wharf runs no Lambda functions/);
    await refused(cd.send(new CreateDeploymentCommand({
      applicationName: 'shop', deploymentGroupName: 'web', revision: { revisionType: 'AppSpecContent', appSpecContent: { content: 'version: 0.0\nResources: []' } },
    })), 'InvalidRevisionException', /Resources must be a list/);
    const { deploymentId } = await cd.send(new CreateDeploymentCommand({
      applicationName: 'shop', deploymentGroupName: 'web', description: 'web v2',
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec('web:2') } },
    }));
    assert.match(deploymentId!, /^d-[A-Z0-9]{9}$/);
    webDeployment = deploymentId!;
    await refused(cd.send(new CreateDeploymentCommand({
      applicationName: 'shop', deploymentGroupName: 'web', revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec('web:3') } },
    })), 'DeploymentLimitExceededException', new RegExp(`already has an active Deployment '${deploymentId}'`));
    assert.equal(await until(deploymentId!, (s) => s === 'Ready'), 'Ready');
    assert.deepEqual([await weight(test, tgB), await weight(prod, tgB), await weight(prod, tgA)], [100, 0, 100]);
    assert.equal(taskSets.created[0]!.targetGroupArn, tgB);

    const { targetIds } = await cd.send(new ListDeploymentTargetsCommand({ deploymentId }));
    assert.deepEqual(targetIds, ['prod:web']);
    const target = (await cd.send(new GetDeploymentTargetCommand({ deploymentId, targetId: 'prod:web' }))).deploymentTarget!;
    assert.equal(target.deploymentTargetType, 'ECSTarget');
    assert.equal(target.ecsTarget!.status, 'Ready');
    assert.deepEqual(target.ecsTarget!.taskSetsInfo!.map((t) => [t.taskSetLabel, t.targetGroup?.name, t.trafficWeight, t.status, t.desiredCount]),
      [['Blue', 'shop-a', 100, 'PRIMARY', 2], ['Green', 'shop-b', 0, 'ACTIVE', 2]]);
    assert.deepEqual(target.ecsTarget!.lifecycleEvents!.map((e) => [e.lifecycleEventName, e.status]), [
      ['BeforeInstall', 'Succeeded'], ['Install', 'Succeeded'], ['AfterInstall', 'Succeeded'], ['AllowTestTraffic', 'Succeeded'],
      ['AfterAllowTestTraffic', 'Succeeded'], ['BeforeAllowTraffic', 'Pending'], ['AllowTraffic', 'Pending'], ['AfterAllowTraffic', 'Pending'],
    ]);

    await refused(cd.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'TERMINATION_WAIT' })), 'InvalidDeploymentWaitTypeException');
    await cd.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'READY_WAIT' }));
    await until(deploymentId!, (_s, phase) => phase === 'TerminationWait');
    assert.deepEqual([await weight(prod, tgB), await weight(prod, tgA)], [100, 0]);
    assert.equal((await taskSets.service({ account: ACCOUNT, region }, 'prod', 'web'))!.taskSets.length, 2);
    await cli('continue-deployment', '--deployment-id', deploymentId!, '--deployment-wait-type', 'TERMINATION_WAIT');
    assert.equal(await until(deploymentId!, (s) => s === 'Succeeded'), 'Succeeded');
    const sets = (await taskSets.service({ account: ACCOUNT, region }, 'prod', 'web'))!.taskSets;
    assert.deepEqual(sets.map((t) => [t.status, t.targetGroupArn]), [['PRIMARY', tgB]]);
    const info = (await cd.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo!;
    assert.deepEqual([info.description, info.revision?.revisionType, info.deploymentOverview?.Succeeded, info.computePlatform], ['web v2', 'AppSpecContent', 1, 'ECS']);
    assert.ok(info.completeTime && info.startTime);
    const g = (await cd.send(new GetDeploymentGroupCommand({ applicationName: 'shop', deploymentGroupName: 'web' }))).deploymentGroupInfo!;
    assert.equal(g.lastSuccessfulDeployment?.deploymentId, deploymentId);
  });

  it('the AWS CLI: create-deployment with an AppSpec, stop-deployment with rollback; traffic back on blue, green deleted', async () => {
    await cli('update-deployment-group', '--application-name', 'shop', '--current-deployment-group-name', 'web',
      '--blue-green-deployment-configuration', JSON.stringify({ deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT', waitTimeInMinutes: 0 } }));
    const revision = JSON.stringify({ revisionType: 'AppSpecContent', appSpecContent: { content: appSpec('web:3') } });
    const { deploymentId } = await cli('create-deployment', '--application-name', 'shop', '--deployment-group-name', 'web', '--revision', revision);
    assert.match(deploymentId, /^d-[A-Z0-9]{9}$/);
    await until(deploymentId, (_s, phase) => phase === 'TerminationWait');
    // The last deployment left production on shop-b: this one's green is shop-a.
    assert.deepEqual([await weight(prod, tgA), await weight(prod, tgB)], [100, 0]);
    const stop = await cli('stop-deployment', '--deployment-id', deploymentId, '--auto-rollback-enabled');
    assert.equal(stop.status, 'Pending');
    assert.equal(await until(deploymentId, (s) => s === 'Stopped'), 'Stopped');
    assert.deepEqual([await weight(prod, tgB), await weight(test, tgB)], [100, 100]);
    const sets = (await taskSets.service({ account: ACCOUNT, region }, 'prod', 'web'))!.taskSets;
    assert.deepEqual(sets.map((t) => [t.status, t.targetGroupArn]), [['PRIMARY', tgB]]);
    const got = await cli('get-deployment', '--deployment-id', deploymentId);
    assert.equal(got.deploymentInfo.errorInformation.code, 'MANUAL_STOP');
    assert.ok(got.deploymentInfo.rollbackInfo.rollbackMessage);
    const listed = await cli('list-deployments', '--application-name', 'shop', '--deployment-group-name', 'web', '--include-only-statuses', 'Stopped');
    assert.deepEqual(listed.deployments, [deploymentId]);
    const all = (await cd.send(new ListDeploymentsCommand({ applicationName: 'shop', deploymentGroupName: 'web' }))).deployments!;
    assert.equal(all.length, 2);
    // An application goes with its group; an external id links none of Wharf's deployments; a range that ends before it starts is refused.
    await assert.rejects(cd.send(new ListDeploymentsCommand({ applicationName: 'shop' })), { name: 'DeploymentGroupNameRequiredException' });
    assert.deepEqual((await cd.send(new ListDeploymentsCommand({ externalId: 'stack-1' }))).deployments, []);
    await assert.rejects(cd.send(new ListDeploymentsCommand({ createTimeRange: { start: new Date(2030, 0, 2), end: new Date(2030, 0, 1) } })), { name: 'InvalidTimeRangeException' });
    const since = (await cd.send(new ListDeploymentsCommand({ createTimeRange: { start: new Date(Date.now() + 3_600_000) } }))).deployments!;
    assert.deepEqual(since, []);
    assert.match(await cliFails('get-deployment', '--deployment-id', 'd-NOTTHERE1'), /DeploymentDoesNotExistException/);
    assert.match(await cliFails('stop-deployment', '--deployment-id', deploymentId), /DeploymentAlreadyCompletedException/);
  });

  it('alarms: a CloudWatch alarm going into ALARM stops the deployment (ALARM_ACTIVE) and rolls it back; target filters; the CLI\'s waiter', async () => {
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: 'web-5xx', Namespace: 'Web', MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }));
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'web-5xx', StateValue: 'OK', StateReason: 'quiet' }));
    await refused(cd.send(new UpdateDeploymentGroupCommand({
      applicationName: 'shop', currentDeploymentGroupName: 'web', alarmConfiguration: { enabled: true, alarms: [] },
    })), 'InvalidAlarmConfigException');
    await cli('update-deployment-group', '--application-name', 'shop', '--current-deployment-group-name', 'web',
      '--alarm-configuration', JSON.stringify({ enabled: true, alarms: [{ name: 'web-5xx' }] }),
      '--auto-rollback-configuration', JSON.stringify({ enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] }));
    const g = (await cd.send(new GetDeploymentGroupCommand({ applicationName: 'shop', deploymentGroupName: 'web' }))).deploymentGroupInfo!;
    assert.deepEqual(g.alarmConfiguration, { enabled: true, alarms: [{ name: 'web-5xx' }] });
    const { deploymentId } = await cd.send(new CreateDeploymentCommand({
      applicationName: 'shop', deploymentGroupName: 'web', revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec('web:4') } },
    }));
    await until(deploymentId!, (_s, phase) => phase === 'TerminationWait');
    assert.deepEqual([await weight(prod, tgA), await weight(prod, tgB)], [100, 0]);
    // Not waiting in Ready: ContinueDeployment READY_WAIT is refused.
    await refused(cd.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'READY_WAIT' })), 'DeploymentIsNotInReadyStateException');
    // ListDeploymentTargets' filters: by the target's status; an ECS target has no instance label.
    const targets = (f: Record<string, string[]>) => cd.send(new ListDeploymentTargetsCommand({ deploymentId, targetFilters: f })).then((r) => r.targetIds);
    assert.deepEqual(await targets({ TargetStatus: ['InProgress', 'Ready'] }), ['prod:web']);
    assert.deepEqual(await targets({ TargetStatus: ['Succeeded'] }), []);
    assert.deepEqual(await targets({ ServerInstanceLabel: ['Green'] }), []);
    await refused(targets({ TargetStatus: ['Done'] }), 'InvalidInstanceStatusException');
    await refused(targets({ ServerInstanceLabel: ['Purple'] }), 'InvalidInstanceTypeException');
    assert.deepEqual((await cli('list-deployment-targets', '--deployment-id', deploymentId!, '--target-filters', 'TargetStatus=InProgress')).targetIds, ['prod:web']);

    await cw.send(new SetAlarmStateCommand({ AlarmName: 'web-5xx', StateValue: 'ALARM', StateReason: 'errors seen' }));
    assert.equal(await until(deploymentId!, (s) => s === 'Stopped', 5_000), 'Stopped');
    const info = (await cd.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo!;
    assert.equal(info.errorInformation?.code, 'ALARM_ACTIVE');
    assert.match(info.errorInformation!.message!, /Activated alarms: <web-5xx>/);
    assert.ok(info.rollbackInfo?.rollbackMessage);
    assert.equal(info.instanceTerminationWaitTimeStarted, true);
    assert.deepEqual(info.deploymentOverview, { Pending: 0, InProgress: 0, Succeeded: 0, Failed: 0, Skipped: 1, Ready: 0 });
    assert.deepEqual([await weight(prod, tgB), await weight(prod, tgA)], [100, 0]);
    // `aws deploy wait deployment-successful` polls GetDeployment: a stopped deployment is its failure, a successful one its success.
    assert.match(await cliFails('wait', 'deployment-successful', '--deployment-id', deploymentId!), /Waiter DeploymentSuccessful failed/);
    assert.deepEqual(await cli('wait', 'deployment-successful', '--deployment-id', webDeployment), {});
    await cli('update-deployment-group', '--application-name', 'shop', '--current-deployment-group-name', 'web', '--alarm-configuration', JSON.stringify({ enabled: false, alarms: [{ name: 'web-5xx' }] }));
  });

  it('the older String revision; StopDeployment without rollback leaves traffic and task sets where they are', async () => {
    const revision = JSON.stringify({ revisionType: 'String', string: { content: appSpec('api:2') } });
    const { deploymentId } = await cli('create-deployment', '--application-name', 'shop', '--deployment-group-name', 'api', '--revision', revision);
    await until(deploymentId, (s) => s === 'Ready');
    const info = (await cd.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo!;
    assert.deepEqual([info.revision?.revisionType, info.revision?.string?.content], ['String', appSpec('api:2')]);
    await cd.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: false }));
    assert.equal(await until(deploymentId, (s) => s === 'Stopped'), 'Stopped');
    const sets = (await taskSets.service({ account: ACCOUNT, region }, 'prod', 'api'))!.taskSets;
    assert.deepEqual(sets.map((t) => t.status), ['PRIMARY', 'ACTIVE'], 'the replacement is left as it was');
  });

  it('IAM: codedeploy:<Action> on the application\'s ARN, a deployment\'s on its group\'s', async () => {
    const keys = await userWithKey(plane.url, 'cd-reader', [{ Effect: 'Allow', Action: 'codedeploy:GetApplication', Resource: `arn:aws:codedeploy:${region}:${ACCOUNT}:application:shop` }]);
    const reader = new CodeDeployClient({ endpoint: plane.url, region, credentials: keys, maxAttempts: 1 });
    assert.equal((await reader.send(new GetApplicationCommand({ applicationName: 'shop' }))).application!.applicationName, 'shop');
    await refused(reader.send(new GetApplicationCommand({ applicationName: 'other' })), 'AccessDeniedException');
    await refused(reader.send(new ListApplicationsCommand({})), 'AccessDeniedException');
    reader.destroy();
    // A deployment's operations are authorized on its deployment group's ARN.
    const group = (name: string) => `arn:aws:codedeploy:${region}:${ACCOUNT}:deploymentgroup:shop/${name}`;
    const webKeys = await userWithKey(plane.url, 'cd-web', [{ Effect: 'Allow', Action: 'codedeploy:GetDeployment', Resource: group('web') }]);
    const apiKeys = await userWithKey(plane.url, 'cd-api', [{ Effect: 'Allow', Action: 'codedeploy:GetDeployment', Resource: group('api') }]);
    const web = new CodeDeployClient({ endpoint: plane.url, region, credentials: webKeys, maxAttempts: 1 });
    const api = new CodeDeployClient({ endpoint: plane.url, region, credentials: apiKeys, maxAttempts: 1 });
    assert.equal((await web.send(new GetDeploymentCommand({ deploymentId: webDeployment }))).deploymentInfo!.deploymentGroupName, 'web');
    await refused(api.send(new GetDeploymentCommand({ deploymentId: webDeployment })), 'AccessDeniedException');
    web.destroy();
    api.destroy();
  });
});
