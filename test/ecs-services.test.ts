/**
 * ECS services end to end, through @aws-sdk/client-ecs against a real `wharf dev` and real
 * Docker: a service heals a killed container; rolling deployments keep minimumHealthyPercent
 * and maximumPercent at every sample taken while they run; the deployment circuit breaker
 * fails a deployment whose containers exit, with and without rollback.
 * (Health-check replacement, scaling, deletion, the AWS CLI and bad input are in
 * ecs-services-lifecycle.test.ts.)
 *
 * Each test has its own cluster (the dev agent joins every cluster) and the tests run
 * concurrently. The web task is busybox httpd with a container health check (support/services.ts).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateServiceCommand, DeleteServiceCommand, DescribeServiceDeploymentsCommand, ListServiceDeploymentsCommand, UpdateServiceCommand,
  type DeploymentConfiguration, type ECSClient, type Service, type Task,
} from '@aws-sdk/client-ecs';
import { docker } from './support/docker.ts';
import { cleanedUpAfter, ecsClient, startDev } from './support/wharf.ts';
import {
  describeService, eventMessages, idOf, isHealthy, isLive, newCluster, registerWeb, runningContainerTasks, serviceTasks, sleep, until,
  waitStable,
} from './support/services.ts';

const started = cleanedUpAfter();
let ecs: ECSClient;

before(async () => {
  const wharf = await startDev();
  started.processes.push(wharf);
  ecs = ecsClient(wharf.url);
});

const cluster = (prefix: string) => newCluster(ecs, prefix, (arn) => started.clusterArns.push(arn));
const sorted = (xs: Iterable<string>) => [...xs].sort();
const wanted = (tasks: Task[]) => tasks.filter((t) => t.desiredStatus === 'RUNNING');
const SERVICE = 'web';

/** Stops a test's service so its containers stop loading the host (the file's cleanup removes them). */
async function done(clusterName: string): Promise<void> {
  await ecs.send(new DeleteServiceCommand({ cluster: clusterName, service: SERVICE, force: true }));
}

/** Waits for the service's single deployment to be COMPLETED with `count` HEALTHY tasks; returns the service and its tasks. */
async function settled(clusterName: string, count: number): Promise<{ service: Service; tasks: Task[] }> {
  return until(`${count} HEALTHY tasks and a COMPLETED deployment`, async () => {
    const service = await describeService(ecs, clusterName, SERVICE);
    const tasks = await serviceTasks(ecs, clusterName, SERVICE);
    const ok = service.deployments?.length === 1 && service.deployments[0].rolloutState === 'COMPLETED' &&
      wanted(tasks).length === count && tasks.filter(isHealthy).length === count;
    return ok && { service, tasks };
  }, 90_000);
}

describe('ECS services on real containers', { concurrency: true }, () => {
  it('heals itself: a docker-killed container is replaced by a new task, the old one STOPPED (EssentialContainerExited)', async () => {
    const { name, arn } = await cluster('svc-heal');
    const td = await registerWeb(ecs, 'heal');
    const created = await ecs.send(new CreateServiceCommand({ cluster: name, serviceName: SERVICE, taskDefinition: td, desiredCount: 3 }));
    assert.equal(created.service?.status, 'ACTIVE');
    assert.equal(created.service?.desiredCount, 3);

    await waitStable(ecs, name, [SERVICE]);
    let service = await describeService(ecs, name, SERVICE);
    assert.equal(service.runningCount, 3);
    assert.equal(service.deployments?.length, 1);
    const deploymentId = service.deployments![0].id!;
    const first = wanted(await serviceTasks(ecs, name, SERVICE));
    assert.equal(first.length, 3);
    assert.ok(first.every((t) => t.lastStatus === 'RUNNING' && t.startedBy === deploymentId && t.group === `service:${SERVICE}`));
    assert.deepEqual(sorted(runningContainerTasks(arn)), sorted(first.map((t) => t.taskArn!)), 'one running container per task');

    const victim = first[0];
    docker('kill', victim.containers![0].runtimeId!);

    const healed = await until('the killed task STOPPED and a replacement RUNNING', async () => {
      const tasks = await serviceTasks(ecs, name, SERVICE);
      const killed = tasks.find((t) => t.taskArn === victim.taskArn)!;
      const running = wanted(tasks).filter((t) => t.lastStatus === 'RUNNING');
      const fresh = running.filter((t) => !first.some((f) => f.taskArn === t.taskArn));
      return killed.lastStatus === 'STOPPED' && running.length === 3 && fresh.length === 1 && { tasks, killed, fresh: fresh[0], running };
    });
    assert.equal(healed.killed.stopCode, 'EssentialContainerExited');
    assert.equal(healed.killed.desiredStatus, 'STOPPED');
    assert.match(healed.killed.stoppedReason ?? '', /^Essential container in task exited/);
    assert.equal(healed.killed.containers![0].exitCode, 137, 'SIGKILL');
    assert.equal(healed.tasks.length, 4, 'exactly one task was started in its place');
    assert.equal(healed.fresh.startedBy, deploymentId);
    assert.equal(healed.fresh.taskDefinitionArn, td);

    await waitStable(ecs, name, [SERVICE]);
    service = await describeService(ecs, name, SERVICE);
    assert.equal(service.runningCount, 3);
    assert.ok(eventMessages(service).includes(`(service ${SERVICE}) has started 1 tasks: (task ${idOf(healed.fresh.taskArn!)}).`),
      eventMessages(service).join('\n'));
    assert.deepEqual(sorted(runningContainerTasks(arn)), sorted(healed.running.map((t) => t.taskArn!)));
    await done(name);
  });

  /**
   * A rolling update from revision 1 to 2 of a 3-task service, sampling its tasks every ~300 ms
   * until the new deployment completes: at every sample, HEALTHY tasks ≥ ceil(3 × min%) and
   * tasks not yet STOPPED ≤ floor(3 × max%).
   *
   * DescribeTasks reads its tasks one after the other, not as one snapshot, so the old tasks
   * are read first: an old task seen stopped was stopped by the time the later reads ran, and
   * every replacement the scheduler counted as healthy then is still healthy when it is read,
   * so a sample never counts fewer healthy tasks than some instant had. Every task listed
   * existed when the listing ran and "not STOPPED" only ever turns false, so a sample never
   * counts more live tasks than that instant had either.
   */
  async function rollingUpdate(prefix: string, config: Required<Pick<DeploymentConfiguration, 'minimumHealthyPercent' | 'maximumPercent'>>) {
    const { name, arn } = await cluster(prefix);
    const v1 = await registerWeb(ecs, prefix, { environment: [{ name: 'VERSION', value: '1' }] });
    const v2 = await registerWeb(ecs, prefix, { environment: [{ name: 'VERSION', value: '2' }] });
    await ecs.send(new CreateServiceCommand({ cluster: name, serviceName: SERVICE, taskDefinition: v1, desiredCount: 3, deploymentConfiguration: config }));
    const before = await settled(name, 3);
    const oldArns = wanted(before.tasks).map((t) => t.taskArn!);
    const minHealthy = Math.ceil((3 * config.minimumHealthyPercent) / 100);
    const maxLive = Math.floor((3 * config.maximumPercent) / 100);

    const updated = await ecs.send(new UpdateServiceCommand({ cluster: name, service: SERVICE, taskDefinition: v2 }));
    const deployments = updated.service!.deployments!;
    assert.equal(deployments.length, 2);
    assert.deepEqual(deployments.map((d) => [d.status, d.taskDefinition, d.rolloutState]), [
      ['PRIMARY', v2, 'IN_PROGRESS'], ['ACTIVE', v1, 'COMPLETED'],
    ]);
    const newId = deployments[0].id!;

    const seen = { samples: 0, minHealthy: Infinity, maxLive: 0, mixed: 0 };
    const deadline = Date.now() + 120_000;
    for (;;) {
      const tasks = await serviceTasks(ecs, name, SERVICE, oldArns);
      const healthy = tasks.filter(isHealthy).length;
      const live = tasks.filter(isLive);
      const state = () => JSON.stringify(tasks.map((t) => [idOf(t.taskArn!).slice(0, 6), t.taskDefinitionArn === v1 ? 1 : 2, t.desiredStatus, t.lastStatus, t.healthStatus]));
      assert.ok(healthy >= minHealthy, `sample ${seen.samples}: ${healthy} healthy tasks < ${minHealthy}: ${state()}`);
      assert.ok(live.length <= maxLive, `sample ${seen.samples}: ${live.length} live tasks > ${maxLive}: ${state()}`);
      seen.samples++;
      seen.minHealthy = Math.min(seen.minHealthy, healthy);
      seen.maxLive = Math.max(seen.maxLive, live.length);
      if (live.some((t) => t.taskDefinitionArn === v1) && live.some((t) => t.taskDefinitionArn === v2)) seen.mixed++;
      const service = await describeService(ecs, name, SERVICE);
      if (service.deployments?.length === 1 && service.deployments[0].id === newId && service.deployments[0].rolloutState === 'COMPLETED') break;
      assert.ok(Date.now() < deadline, `the rollout did not complete: ${JSON.stringify(service.deployments)}`);
      await sleep(300);
    }
    assert.ok(seen.mixed >= 3, `samples were taken while old and new tasks ran side by side: ${JSON.stringify(seen)}`);

    const service = await until('the steady state after the deployment', async () => {
      const s = await describeService(ecs, name, SERVICE);
      return eventMessages(s).indexOf(`(service ${SERVICE}) has reached a steady state.`) === 0 && s;
    });
    const [primary] = service.deployments!;
    assert.equal(primary.status, 'PRIMARY');
    assert.equal(primary.rolloutState, 'COMPLETED');
    assert.equal(primary.rolloutStateReason, `ECS deployment ${newId} completed.`);
    assert.equal(primary.taskDefinition, v2);
    assert.equal(primary.runningCount, 3);
    assert.equal(service.taskDefinition, v2);
    assert.equal(service.runningCount, 3);
    const events = eventMessages(service);
    const completed = events.indexOf(`(service ${SERVICE}) (deployment ${newId}) deployment completed.`);
    assert.ok(completed > 0, events.join('\n'));

    const after = await serviceTasks(ecs, name, SERVICE);
    const running = wanted(after);
    assert.equal(running.length, 3);
    assert.ok(running.every((t) => isHealthy(t) && t.taskDefinitionArn === v2 && t.startedBy === newId));
    for (const arn of oldArns) {
      const old = after.find((t) => t.taskArn === arn)!;
      assert.equal(old.lastStatus, 'STOPPED');
      assert.equal(old.stopCode, 'ServiceSchedulerInitiated');
      assert.equal(old.stoppedReason, `Scaling activity initiated by (deployment ${newId})`);
    }
    const containers = runningContainerTasks(arn);
    assert.deepEqual(sorted(containers), sorted(running.map((t) => t.taskArn!)), 'Docker runs exactly the new tasks');
    for (const t of running) {
      assert.match(docker('inspect', '-f', '{{json .Config.Env}}', t.containers![0].runtimeId!), /"VERSION=2"/);
    }
    await done(name);
    return seen;
  }

  it('rolls out a new revision with minimumHealthyPercent 100 / maximumPercent 200: ≥ 3 healthy and ≤ 6 live at every sample', async () => {
    const seen = await rollingUpdate('svc-roll-surge', { minimumHealthyPercent: 100, maximumPercent: 200 });
    assert.ok(seen.maxLive > 3, `the rollout started new tasks beside the old ones: ${JSON.stringify(seen)}`);
  });

  it('rolls out a new revision with minimumHealthyPercent 50 / maximumPercent 100: ≥ 2 healthy and ≤ 3 live at every sample', async () => {
    const seen = await rollingUpdate('svc-roll-replace', { minimumHealthyPercent: 50, maximumPercent: 100 });
    assert.ok(seen.minHealthy < 3, `the rollout stopped old tasks before starting new ones: ${JSON.stringify(seen)}`);
  });

  /** A service of 3 healthy tasks of revision 1 (its deployment COMPLETED), and revision 2 whose container exits at once. */
  async function breakerService(prefix: string, rollback: boolean) {
    const { name, arn } = await cluster(prefix);
    const v1 = await registerWeb(ecs, prefix);
    const v2 = await registerWeb(ecs, prefix, { command: ['sh', '-c', 'exit 1'] });
    const created = await ecs.send(new CreateServiceCommand({
      cluster: name, serviceName: SERVICE, taskDefinition: v1, desiredCount: 3,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback } },
    }));
    const firstDeployment = created.service!.currentServiceDeployment!;
    const { service, tasks } = await settled(name, 3);
    const good = service.deployments![0].id!;
    const updated = await ecs.send(new UpdateServiceCommand({ cluster: name, service: SERVICE, taskDefinition: v2 }));
    const bad = updated.service!.deployments![0].id!;
    assert.equal(updated.service!.deployments![0].taskDefinition, v2);
    return { name, arn, v1, v2, good, bad, firstDeployment, badDeployment: updated.service!.currentServiceDeployment!, oldArns: wanted(tasks).map((t) => t.taskArn!) };
  }

  /**
   * The failed deployment's tasks, all STOPPED: at least the threshold of 3 because their
   * essential container exited 1, and any still starting when the rollback began (if
   * `rollbackId`) stopped by the scheduler for it. Returns how many exited.
   */
  function assertFailedTasks(tasks: Task[], bad: string, rollbackId?: string): number {
    const failed = tasks.filter((t) => t.startedBy === bad);
    const exited = failed.filter((t) => t.stopCode === 'EssentialContainerExited');
    assert.ok(exited.length >= 3, `at least the threshold of 3 tasks failed: ${exited.length}`);
    for (const t of failed) {
      assert.equal(t.lastStatus, 'STOPPED');
      if (t.stopCode === 'EssentialContainerExited') assert.equal(t.containers![0].exitCode, 1);
      else {
        assert.ok(rollbackId, `stopped by the scheduler with no rollback: ${t.stopCode} ${t.stoppedReason}`);
        assert.equal(t.stopCode, 'ServiceSchedulerInitiated');
        assert.equal(t.stoppedReason, `Scaling activity initiated by (deployment ${rollbackId})`);
      }
    }
    return exited.length;
  }

  it('circuit breaker with rollback: a revision whose container exits fails its deployment and the service rolls back to revision 1', async () => {
    const s = await breakerService('svc-breaker', true);

    // The rollback's new tasks take a health-check interval (5 s) to turn healthy: polling sees
    // it under way, the failed deployment beside it until it ends.
    const during = new Set<string>();
    const service = await until('the rollback to complete', async () => {
      const x = await describeService(ecs, s.name, SERVICE);
      const [d, ...others] = x.deployments!;
      if (d.id !== s.bad && d.rolloutState === 'IN_PROGRESS') {
        const failing = others.find((o) => o.id === s.bad);
        during.add(JSON.stringify([d.rolloutStateReason, failing?.status, failing?.rolloutState, failing?.rolloutStateReason]));
      }
      return x.deployments!.length === 1 && d.id !== s.bad && d.id !== s.good && d.rolloutState === 'COMPLETED' && x.runningCount === 3 && x;
    }, 90_000);
    assert.deepEqual([...during].map((x) => JSON.parse(x)), [[
      `ECS deployment circuit breaker: rolling back to deploymentId ${s.good}.`,
      'ACTIVE', 'FAILED', 'ECS deployment circuit breaker: tasks failed to start.',
    ]], 'the rollback deployment while it ran, and the failed one');
    const [rollback] = service.deployments!;
    assert.equal(rollback.status, 'PRIMARY');
    assert.equal(rollback.taskDefinition, s.v1);
    assert.equal(rollback.rolloutStateReason, `ECS deployment ${rollback.id} completed.`);
    assert.equal(service.taskDefinition, s.v1, 'the service runs revision 1 again');
    const events = eventMessages(service);
    const failedAt = events.indexOf(`(service ${SERVICE}) (deployment ${s.bad}) deployment failed: tasks failed to start.`);
    const rollingBackAt = events.indexOf(`(service ${SERVICE}) rolling back to deployment ${s.good}.`);
    const completedAt = events.indexOf(`(service ${SERVICE}) (deployment ${rollback.id}) deployment completed.`);
    assert.ok(failedAt > rollingBackAt && rollingBackAt > completedAt && completedAt >= 0, events.join('\n'));

    const tasks = await serviceTasks(ecs, s.name, SERVICE);
    const running = wanted(tasks);
    assert.equal(running.length, 3);
    assert.ok(running.every((t) => isHealthy(t) && t.taskDefinitionArn === s.v1 && t.startedBy === rollback.id));
    const exited = assertFailedTasks(tasks, s.bad, rollback.id);
    assert.deepEqual(sorted(runningContainerTasks(s.arn)), sorted(running.map((t) => t.taskArn!)));

    // The deployment history: the first deployment, the failed one, and the rollback.
    const listed = await ecs.send(new ListServiceDeploymentsCommand({ cluster: s.name, service: SERVICE }));
    const briefs = new Map(listed.serviceDeployments!.map((d) => [d.serviceDeploymentArn!, d]));
    assert.equal(briefs.size, 3);
    assert.equal(briefs.get(s.firstDeployment)?.status, 'SUCCESSFUL');
    assert.equal(briefs.get(s.badDeployment)?.status, 'ROLLBACK_SUCCESSFUL', 'the failed deployment takes its rollback\'s outcome');
    assert.equal(briefs.get(service.currentServiceDeployment!)?.status, 'ROLLBACK_SUCCESSFUL');
    const { serviceDeployments: described } = await ecs.send(new DescribeServiceDeploymentsCommand({
      serviceDeploymentArns: [s.firstDeployment, s.badDeployment, service.currentServiceDeployment!],
    }));
    const byArn = (arn: string) => described!.find((d) => d.serviceDeploymentArn === arn)!;
    const [first, failed, rolledBack] = [s.firstDeployment, s.badDeployment, service.currentServiceDeployment!].map(byArn);
    assert.equal(failed.status, 'ROLLBACK_SUCCESSFUL');
    assert.equal(failed.targetServiceRevision?.arn, briefs.get(s.badDeployment)?.targetServiceRevisionArn);
    assert.equal(failed.deploymentCircuitBreaker?.status, 'TRIGGERED');
    assert.equal(failed.deploymentCircuitBreaker?.threshold, 3);
    const failureCount = failed.deploymentCircuitBreaker?.failureCount ?? 0;
    assert.ok(failureCount >= 3 && failureCount <= exited, `failureCount ${failureCount}, ${exited} tasks exited`);
    assert.equal(failed.statusReason, `ECS deployment circuit breaker: rolling back to deploymentId ${s.good}.`);
    assert.equal(rolledBack.status, 'ROLLBACK_SUCCESSFUL');
    assert.equal(rolledBack.rollback?.reason, `ECS deployment circuit breaker: rolling back to deploymentId ${s.good}.`);
    assert.equal(rolledBack.rollback?.serviceRevisionArn, first.targetServiceRevision?.arn, 'rolled back to the first deployment\'s revision');
    assert.equal(rolledBack.targetServiceRevision?.runningTaskCount, 3);
    await done(s.name);
  });

  it('circuit breaker without rollback: the failed deployment stays PRIMARY and FAILED, and revision 1 keeps running', async () => {
    const s = await breakerService('svc-breaker-stay', false);

    const service = await until('the deployment to fail', async () => {
      const x = await describeService(ecs, s.name, SERVICE);
      return x.deployments![0].rolloutState === 'FAILED' && x;
    }, 90_000);
    const [failed, old] = service.deployments!;
    assert.equal(service.deployments!.length, 2);
    assert.equal(failed.id, s.bad);
    assert.equal(failed.status, 'PRIMARY');
    assert.equal(failed.rolloutStateReason, 'ECS deployment circuit breaker: tasks failed to start.');
    assert.ok((failed.failedTasks ?? 0) >= 3);
    assert.equal(old.id, s.good);
    assert.equal(old.status, 'ACTIVE');
    assert.equal(old.runningCount, 3, 'minimumHealthyPercent 100 kept the old tasks');
    const events = eventMessages(service);
    assert.ok(events.includes(`(service ${SERVICE}) (deployment ${s.bad}) deployment failed: tasks failed to start.`), events.join('\n'));
    assert.ok(!events.some((e) => e.includes('rolling back')), events.join('\n'));

    // Nothing more is launched for a failed deployment: were it, the next reconcile (at the
    // next task report) would do it at once; give it a few health-check rounds to.
    const tried = (await serviceTasks(ecs, s.name, SERVICE)).filter((t) => t.startedBy === s.bad).length;
    await sleep(6000);
    // A task launched just before the failure may still be reporting its container's exit.
    const tasks = await until('the failed deployment\'s tasks stopped', async () => {
      const all = await serviceTasks(ecs, s.name, SERVICE);
      return all.filter((t) => t.startedBy === s.bad).every((t) => t.lastStatus === 'STOPPED') && all;
    }, 60_000);
    assert.equal(tasks.filter((t) => t.startedBy === s.bad).length, tried);
    assertFailedTasks(tasks, s.bad);
    const running = wanted(tasks);
    assert.deepEqual(sorted(running.map((t) => t.taskArn!)), sorted(s.oldArns), 'the same three revision-1 tasks');
    assert.ok(running.every(isHealthy));
    assert.deepEqual(sorted(runningContainerTasks(s.arn)), sorted(s.oldArns));

    const { serviceDeployments } = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [s.badDeployment] }));
    assert.equal(serviceDeployments![0].status, 'STOPPED');
    assert.equal(serviceDeployments![0].statusReason, 'ECS deployment circuit breaker: tasks failed to start.');
    assert.equal(serviceDeployments![0].deploymentCircuitBreaker?.status, 'TRIGGERED');
    await done(s.name);
  });
});
