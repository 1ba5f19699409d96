/**
 * The events Wharf sends to EventBridge's default bus beside the task state changes, on a real
 * `wharf server` with a fake agent (no containers run) and docker, through @aws-sdk/client-ecs,
 * client-eventbridge, client-cloudwatch-logs and client-ecr: each rule's log group receives
 *
 * - "ECS Container Instance State Change" when an agent registers its host, and again when a
 *   task placed on it takes its resources;
 * - "ECS Deployment State Change" SERVICE_DEPLOYMENT_IN_PROGRESS then SERVICE_DEPLOYMENT_COMPLETED,
 *   and "ECS Service Action" SERVICE_STEADY_STATE, as a service's task comes up;
 * - "ECR Image Action" PUSH when docker pushes an image;
 *
 * each shaped as AWS sends it.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, CreateServiceCommand, ListTasksCommand, RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { until } from './support/crash-services.ts';
import { TEST_IMAGE, docker } from './support/docker.ts';
import { fakeAgentServer } from './support/fake-agent.ts';
import { credentials, region } from './support/wharf.ts';

const env = fakeAgentServer();
const run = Date.now().toString(36);
let ecs: ECSClient;
let events: EventBridgeClient;
let logs: CloudWatchLogsClient;
let account = '';

before(async () => {
  ecs = await env.start();
  const options = { endpoint: env.url(), region, credentials };
  events = new EventBridgeClient(options);
  logs = new CloudWatchLogsClient(options);
  account = (await ecs.send(new CreateClusterCommand({ clusterName: `kinds-${run}` }))).cluster!.clusterArn!.split(':')[4]!;
});

/** A rule on the default bus sending what `pattern` matches to a new log group; returns the group's name. */
async function ruleToLogGroup(name: string, pattern: object): Promise<string> {
  const group = `/events/${name}-${run}`;
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  await events.send(new PutRuleCommand({ Name: `${name}-${run}`, EventPattern: JSON.stringify(pattern) }));
  await events.send(new PutTargetsCommand({ Rule: `${name}-${run}`, Targets: [{ Id: 'log', Arn: `arn:aws:logs:${region}:${account}:log-group:${group}` }] }));
  return group;
}

/** Every event in `group` so far, oldest first. */
async function logged(group: string): Promise<Array<Record<string, any>>> {
  const found = (await logs.send(new FilterLogEventsCommand({ logGroupName: group }))).events ?? [];
  return found.map((e) => JSON.parse(e.message!));
}

/** Waits until `group` holds an event `match` accepts; returns every event then. */
async function waitFor(group: string, what: string, match: (e: Record<string, any>) => boolean): Promise<Array<Record<string, any>>> {
  return until(what, async () => {
    const all = await logged(group);
    return all.some(match) ? all : undefined;
  }, { attempts: 150, intervalMs: 200, describe: () => logged(group) });
}

/** The envelope AWS gives every event: version "0", a uuid id, time without milliseconds, the account and region. */
function assertEnvelope(e: Record<string, any>, source: string, detailType: string): void {
  assert.equal(e.version, '0');
  assert.match(e.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(e.source, source);
  assert.equal(e['detail-type'], detailType);
  assert.equal(e.account, account);
  assert.equal(e.region, region);
  assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Array.isArray(e.resources));
}

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('ECS and ECR events on the default bus', () => {
  it('a container instance registering, then a service coming up: instance, deployment and service action events', { timeout: 120_000 }, async () => {
    const cluster = `kinds-${run}`;
    const instances = await ruleToLogGroup('instances', { source: ['aws.ecs'], 'detail-type': ['ECS Container Instance State Change'] });
    const services = await ruleToLogGroup('services', { source: ['aws.ecs'], 'detail-type': ['ECS Service Action', 'ECS Deployment State Change'] });

    const agent = await env.connect({ cluster, cpu: 2048, memory: 4096 });
    const instanceArn = agent.containerInstanceArns[0]!;
    const registered = (await waitFor(instances, 'the registration event', (e) => e.detail.containerInstanceArn === instanceArn))[0]!;
    assertEnvelope(registered, 'aws.ecs', 'ECS Container Instance State Change');
    assert.deepEqual(registered.resources, [instanceArn]);
    const d = registered.detail;
    assert.equal(d.agentConnected, true);
    assert.equal(d.status, 'ACTIVE');
    assert.equal(d.clusterArn, `arn:aws:ecs:${region}:${account}:cluster/${cluster}`);
    assert.equal(typeof d.ec2InstanceId, 'string');
    assert.equal(typeof d.version, 'number');
    assert.ok(Array.isArray(d.attributes) && d.attributes.every((a: { name: unknown }) => typeof a.name === 'string'));
    assert.deepEqual(d.registeredResources.find((r: { name: string }) => r.name === 'CPU'), { name: 'CPU', type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: 2048 });
    assert.deepEqual(d.remainingResources.find((r: { name: string }) => r.name === 'MEMORY')?.integerValue, 4096);
    assert.deepEqual(Object.keys(d.versionInfo).sort(), ['agentHash', 'agentVersion', 'dockerVersion']);
    assert.match(d.registeredAt, ISO_MS);
    assert.match(d.updatedAt, ISO_MS);

    await ecs.send(new RegisterTaskDefinitionCommand({
      family: `web-${run}`, containerDefinitions: [{ name: 'main', image: TEST_IMAGE, cpu: 256, memory: 128, essential: true }],
    }));
    const service = (await ecs.send(new CreateServiceCommand({ cluster, serviceName: `web-${run}`, taskDefinition: `web-${run}`, desiredCount: 1 }))).service!;
    const taskArn = await until('the service task', async () => (await ecs.send(new ListTasksCommand({ cluster, serviceName: service.serviceName }))).taskArns?.[0]);
    // The task took its resources on the instance: the instance changed, and says so.
    const all = await waitFor(instances, 'the instance event of the placement', (e) => e.detail.remainingResources.find((r: { name: string }) => r.name === 'CPU').integerValue === 2048 - 256);
    assert.ok(all.every((e) => e.detail.containerInstanceArn === instanceArn));
    const versions = all.map((e) => e.detail.version);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b), 'delivered in the order the instance changed');

    agent.send({ type: 'taskStateChange', change: { taskArn, lastStatus: 'RUNNING', containers: [{ name: 'main', lastStatus: 'RUNNING', runtimeId: 'a'.repeat(64) }] } });
    const said = await waitFor(services, 'SERVICE_STEADY_STATE', (e) => e.detail.eventName === 'SERVICE_STEADY_STATE');
    assert.deepEqual(said.map((e) => e.detail.eventName), ['SERVICE_DEPLOYMENT_IN_PROGRESS', 'SERVICE_DEPLOYMENT_COMPLETED', 'SERVICE_STEADY_STATE']);
    const deploymentId = service.deployments![0]!.id;
    const [inProgress, completed, steady] = said as [Record<string, any>, Record<string, any>, Record<string, any>];
    for (const e of [inProgress, completed]) {
      assertEnvelope(e, 'aws.ecs', 'ECS Deployment State Change');
      assert.deepEqual(e.resources, [service.serviceArn]);
      assert.equal(e.detail.eventType, 'INFO');
      assert.equal(e.detail.deploymentId, deploymentId);
      assert.match(e.detail.updatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    assert.equal(inProgress.detail.reason, `ECS deployment ${deploymentId} in progress.`);
    assert.equal(completed.detail.reason, `ECS deployment ${deploymentId} completed.`);
    assertEnvelope(steady, 'aws.ecs', 'ECS Service Action');
    assert.deepEqual(steady.resources, [service.serviceArn]);
    assert.deepEqual(Object.keys(steady.detail).sort(), ['clusterArn', 'createdAt', 'eventName', 'eventType']);
    assert.equal(steady.detail.eventType, 'INFO');
    assert.equal(steady.detail.clusterArn, service.clusterArn);
    assert.match(steady.detail.createdAt, ISO_MS);
  });

  it('docker push: an "ECR Image Action" PUSH with the repository, digest and tag', { timeout: 120_000 }, async () => {
    const images = await ruleToLogGroup('images', { source: ['aws.ecr'], 'detail-type': ['ECR Image Action'] });
    const ecr = new ECRClient({ endpoint: env.url(), region, credentials });
    const repository = `app-${run}`;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
    const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!.authorizationToken!;
    const password = Buffer.from(token, 'base64').toString().slice('AWS:'.length);
    const host = new URL(env.url()).host;
    const config = mkdtempSync(join(tmpdir(), 'wharf-docker-config-'));
    const ref = `${host}/${repository}:v1`;
    const dockerAs = (args: string[], input?: string) =>
      execFileSync('docker', args, { encoding: 'utf8', input, env: { ...process.env, DOCKER_CONFIG: config }, stdio: ['pipe', 'pipe', 'pipe'] });
    let pushed = '';
    try {
      dockerAs(['login', '--username', 'AWS', '--password-stdin', host], password);
      docker('tag', TEST_IMAGE, ref);
      pushed = dockerAs(['push', ref]);
    } finally {
      try {
        docker('rmi', ref);
      } catch {
        // not tagged
      }
      rmSync(config, { recursive: true, force: true });
    }
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
    assert.ok(digest, pushed);
    const [push] = (await waitFor(images, 'the push event', (e) => e.detail['repository-name'] === repository))
      .filter((e) => e.detail['repository-name'] === repository);
    assertEnvelope(push!, 'aws.ecr', 'ECR Image Action');
    assert.deepEqual(push!.resources, []);
    assert.deepEqual(push!.detail, { result: 'SUCCESS', 'repository-name': repository, 'image-digest': digest, 'action-type': 'PUSH', 'image-tag': 'v1' });
  });
});

