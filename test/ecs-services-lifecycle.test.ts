/**
 * ECS services end to end, part two (part one is ecs-services.test.ts), against a real
 * `wharf dev` and real Docker: container health checks make the scheduler replace a task (or,
 * within healthCheckGracePeriodSeconds, not yet); scaling up and down and deleting a service;
 * the same through the AWS CLI v2 with its own waiters and --force-new-deployment; and bad
 * input through @aws-sdk/client-ecs, which gets AWS's exceptions and changes nothing.
 *
 * Each test has its own cluster (the dev agent joins every cluster) and the tests run concurrently.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  ClientException, ClusterNotFoundException, CreateServiceCommand, DeleteServiceCommand, DescribeClustersCommand, DescribeServicesCommand,
  DescribeTasksCommand, ECSClient, InvalidParameterException, ListServiceDeploymentsCommand, ListServicesCommand, ListTasksCommand,
  ServiceNotFoundException, UpdateServiceCommand, waitUntilServicesInactive, type CreateServiceCommandInput, type Task,
} from '@aws-sdk/client-ecs';
import { awsCliEnv, cleanedUpAfter, credentials, ecsClient, region, startDev, type WharfProcess } from './support/wharf.ts';
import {
  WEB_HEALTH_CHECK, describeService, eventMessages, idOf, isHealthy, newCluster, registerWeb, runningContainerTasks, serviceTasks, sleep,
  until, waitStable, webContainer,
} from './support/services.ts';

const started = cleanedUpAfter();
let wharf: WharfProcess;
let ecs: ECSClient;

before(async () => {
  wharf = await startDev();
  started.processes.push(wharf);
  ecs = ecsClient(wharf.url);
});

const cluster = (prefix: string) => newCluster(ecs, prefix, (arn) => started.clusterArns.push(arn));
const sorted = (xs: Iterable<string>) => [...xs].sort();
const wanted = (tasks: Task[]) => tasks.filter((t) => t.desiredStatus === 'RUNNING');
const SERVICE = 'web';
const STEADY = `(service ${SERVICE}) has reached a steady state.`;

describe('ECS service lifecycle on real containers', { concurrency: true }, () => {
  it('replaces a task whose container health check starts failing: "Task failed container health checks"', async () => {
    const { name } = await cluster('svc-unhealthy');
    // Healthy while /tmp/ok exists; the container deletes it after 8 s, so the check fails from then on.
    const td = await registerWeb(ecs, 'turns-unhealthy', {
      command: ['sh', '-c', 'touch /tmp/ok; (sleep 8; rm /tmp/ok) & exec httpd -f -p 8080 -h /www'],
      healthCheck: { ...WEB_HEALTH_CHECK, command: ['CMD-SHELL', 'test -f /tmp/ok'] },
    });
    await ecs.send(new CreateServiceCommand({ cluster: name, serviceName: SERVICE, taskDefinition: td, desiredCount: 1, healthCheckGracePeriodSeconds: 0 }));
    const [first] = await until('the first task', async () => wanted(await serviceTasks(ecs, name, SERVICE)));
    let wasHealthy = false;
    const stopped = await until('the first task stopped', async () => {
      const t = (await serviceTasks(ecs, name, SERVICE)).find((x) => x.taskArn === first.taskArn)!;
      wasHealthy ||= isHealthy(t);
      return t.lastStatus === 'STOPPED' && t;
    }, 90_000);
    assert.ok(wasHealthy, 'it was HEALTHY before its check failed');
    assert.equal(stopped.stopCode, 'ServiceSchedulerInitiated');
    assert.equal(stopped.stoppedReason, 'Task failed container health checks');
    assert.equal(stopped.healthStatus, 'UNHEALTHY');

    const replacement = await until('a replacement RUNNING', async () => {
      const running = wanted(await serviceTasks(ecs, name, SERVICE)).filter((t) => t.lastStatus === 'RUNNING');
      return running.length === 1 && running[0].taskArn !== first.taskArn && running[0];
    });
    assert.equal(replacement.startedBy, first.startedBy, 'the same deployment starts it');
    const events = eventMessages(await describeService(ecs, name, SERVICE));
    const failedAt = events.indexOf(`(service ${SERVICE}) (task ${idOf(first.taskArn!)}) failed container health checks.`);
    const startedAt = events.indexOf(`(service ${SERVICE}) has started 1 tasks: (task ${idOf(replacement.taskArn!)}).`);
    assert.ok(failedAt > startedAt && startedAt >= 0, events.join('\n'));
    assert.ok(events.includes(`(service ${SERVICE}) has stopped 1 running tasks: (task ${idOf(first.taskArn!)}).`), events.join('\n'));
    await ecs.send(new DeleteServiceCommand({ cluster: name, service: SERVICE, force: true }));
  });

  it('leaves an unhealthy task running within healthCheckGracePeriodSeconds', async () => {
    const { name } = await cluster('svc-grace');
    const td = await registerWeb(ecs, 'never-healthy', { healthCheck: { ...WEB_HEALTH_CHECK, command: ['CMD-SHELL', 'exit 1'] } });
    await ecs.send(new CreateServiceCommand({ cluster: name, serviceName: SERVICE, taskDefinition: td, desiredCount: 1, healthCheckGracePeriodSeconds: 60 }));
    const unhealthy = await until('the task UNHEALTHY', async () => {
      const [t] = wanted(await serviceTasks(ecs, name, SERVICE));
      return t?.healthStatus === 'UNHEALTHY' && t;
    }, 60_000);
    // Past grace, the scheduler stops an unhealthy task at the report that says so (the test
    // above); within it, nothing happens: look again 15 s after the start and 5 s after the report.
    const notBefore = Math.max(unhealthy.startedAt!.getTime() + 15_000, Date.now() + 5_000);
    await sleep(notBefore - Date.now());
    const tasks = await serviceTasks(ecs, name, SERVICE);
    assert.equal(tasks.length, 1, 'no task stopped or started');
    assert.equal(tasks[0].taskArn, unhealthy.taskArn);
    assert.equal(tasks[0].desiredStatus, 'RUNNING');
    assert.equal(tasks[0].lastStatus, 'RUNNING');
    assert.equal(tasks[0].healthStatus, 'UNHEALTHY');
    const service = await describeService(ecs, name, SERVICE);
    assert.ok(!eventMessages(service).some((e) => e.includes('failed container health checks')), eventMessages(service).join('\n'));
    assert.equal(service.deployments![0].rolloutState, 'IN_PROGRESS', 'an unhealthy task does not complete the deployment');
    await ecs.send(new DeleteServiceCommand({ cluster: name, service: SERVICE, force: true }));
  });

  it('scales 3 → 5 → 1, refuses to delete while scaled above 0, and deletes with force: DRAINING, then INACTIVE', async () => {
    const { name, arn } = await cluster('svc-scale');
    const td = await registerWeb(ecs, 'scale');
    const created = await ecs.send(new CreateServiceCommand({ cluster: name, serviceName: SERVICE, taskDefinition: td, desiredCount: 3 }));
    const deploymentId = created.service!.deployments![0].id!;

    const scaleTo = async (count: number) => {
      if (count !== 3) {
        const { service } = await ecs.send(new UpdateServiceCommand({ cluster: name, service: SERVICE, desiredCount: count }));
        assert.equal(service?.desiredCount, count);
        assert.deepEqual(service?.deployments?.map((d) => [d.id, d.desiredCount]), [[deploymentId, count]], 'a new count is no new deployment');
      }
      await waitStable(ecs, name, [SERVICE]);
      const s = await describeService(ecs, name, SERVICE);
      assert.equal(s.runningCount, count);
      const running = wanted(await serviceTasks(ecs, name, SERVICE));
      assert.equal(running.length, count);
      // A scaled-in task reports STOPPED once its container is gone: Docker catches up with the API.
      await until(`${count} running containers`, async () => {
        assert.deepEqual(sorted(runningContainerTasks(arn)), sorted(running.map((t) => t.taskArn!)));
        return true;
      });
      return running;
    };
    await scaleTo(3);
    const five = await scaleTo(5);
    const one = await scaleTo(1);
    const tasks = await serviceTasks(ecs, name, SERVICE);
    const scaledIn = tasks.filter((t) => t.desiredStatus === 'STOPPED');
    assert.equal(scaledIn.length, 4);
    for (const t of scaledIn) {
      assert.equal(t.stopCode, 'ServiceSchedulerInitiated');
      assert.equal(t.stoppedReason, `Scaling activity initiated by (deployment ${deploymentId})`);
    }
    assert.ok(five.some((t) => t.taskArn === one[0].taskArn), 'one of the five keeps running');
    const service = await until('the steady state at 1', async () => {
      const s = await describeService(ecs, name, SERVICE);
      return eventMessages(s)[0] === STEADY && s;
    });
    const events = eventMessages(service);
    assert.ok(events.some((e) => /^\(service web\) has started 2 tasks: \(task \w+\) \(task \w+\)\.$/.test(e)), events.join('\n'));
    const stoppedEvent = `(service ${SERVICE}) has stopped 4 running tasks: ${scaledIn.map((t) => `(task ${idOf(t.taskArn!)})`).join(' ')}.`;
    assert.ok(events.some((e) => sorted(e.split(' ')).join(' ') === sorted(stoppedEvent.split(' ')).join(' ')), events.join('\n'));

    // Without force, a service scaled above 0 stays.
    await assert.rejects(ecs.send(new DeleteServiceCommand({ cluster: name, service: SERVICE })), (e: Error) => {
      assert.ok(e instanceof InvalidParameterException, e.name);
      assert.equal(e.message, 'The service cannot be stopped while it is scaled above 0.');
      return true;
    });
    const { $metadata: _m, ...after } = await ecs.send(new DescribeServicesCommand({ cluster: name, services: [SERVICE] }));
    assert.deepEqual(after.services, [service], 'the refused delete changed nothing');

    const deleted = await ecs.send(new DeleteServiceCommand({ cluster: name, service: SERVICE, force: true }));
    assert.equal(deleted.service?.status, 'DRAINING');
    assert.equal(deleted.service?.desiredCount, 0);
    // Its task takes 2 s to stop (httpd ignores SIGTERM; stopTimeout 2), so it is still DRAINING.
    assert.equal((await describeService(ecs, name, SERVICE)).status, 'DRAINING');
    assert.deepEqual((await ecs.send(new ListServicesCommand({ cluster: name }))).serviceArns, [service.serviceArn]);
    await waitUntilServicesInactive({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { cluster: name, services: [SERVICE] });
    const inactive = await describeService(ecs, name, SERVICE);
    assert.equal(inactive.status, 'INACTIVE');
    assert.equal(inactive.runningCount, 0);
    assert.deepEqual((await ecs.send(new ListServicesCommand({ cluster: name }))).serviceArns, []);
    assert.deepEqual(runningContainerTasks(arn), [], 'every container stopped');
    assert.ok((await serviceTasks(ecs, name, SERVICE)).every((t) => t.lastStatus === 'STOPPED'));
  });

  it('works through the AWS CLI v2: create-service, wait services-stable, update-service --force-new-deployment, delete-service', async () => {
    const { name, arn } = await cluster('svc-cli');
    const aws = cli(wharf.url);
    await aws('register-task-definition', '--family', 'cli-web', '--container-definitions', JSON.stringify([webContainer()]));
    const { service: created } = await aws('create-service', '--cluster', name, '--service-name', SERVICE, '--task-definition', 'cli-web',
      '--desired-count', '2', '--deployment-configuration', 'minimumHealthyPercent=100,maximumPercent=200');
    assert.equal(created.status, 'ACTIVE');
    assert.equal(created.desiredCount, 2);
    assert.match(created.taskDefinition, /:task-definition\/cli-web:1$/);

    await aws('wait', 'services-stable', '--cluster', name, '--services', SERVICE);
    const { services: [stable] } = await aws('describe-services', '--cluster', name, '--services', SERVICE);
    assert.equal(stable.serviceName, SERVICE);
    assert.equal(stable.serviceArn, created.serviceArn);
    assert.equal(stable.runningCount, 2);
    assert.equal(stable.deployments.length, 1);
    assert.equal(stable.deploymentConfiguration.maximumPercent, 200);
    assert.ok(stable.events.some((e: { message: string }) => e.message.startsWith(`(service ${SERVICE}) has started 2 tasks:`)));
    const { taskArns: oldArns } = await aws('list-tasks', '--cluster', name, '--service-name', SERVICE);
    assert.equal(oldArns.length, 2);

    const { service: forced } = await aws('update-service', '--cluster', name, '--service', SERVICE, '--force-new-deployment');
    assert.equal(forced.deployments.length, 2);
    const [fresh, previous] = forced.deployments;
    assert.deepEqual([fresh.status, fresh.rolloutState, previous.status], ['PRIMARY', 'IN_PROGRESS', 'ACTIVE']);
    assert.equal(fresh.taskDefinition, previous.taskDefinition, 'the same task definition, deployed again');

    await aws('wait', 'services-stable', '--cluster', name, '--services', SERVICE);
    const { services: [redeployed] } = await aws('describe-services', '--cluster', name, '--services', SERVICE);
    assert.deepEqual(redeployed.deployments.map((d: { id: string; rolloutState: string }) => [d.id, d.rolloutState]), [[fresh.id, 'COMPLETED']]);
    const { taskArns: newArns } = await aws('list-tasks', '--cluster', name, '--service-name', SERVICE);
    assert.equal(newArns.length, 2);
    assert.ok(newArns.every((a: string) => !oldArns.includes(a)), 'new tasks replaced the old ones');
    const { tasks: old } = await aws('describe-tasks', '--cluster', name, '--tasks', ...oldArns);
    for (const t of old) {
      assert.equal(t.lastStatus, 'STOPPED');
      assert.equal(t.stoppedReason, `Scaling activity initiated by (deployment ${fresh.id})`);
    }
    const { tasks: now } = await aws('describe-tasks', '--cluster', name, '--tasks', ...newArns);
    assert.ok(now.every((t: Task) => t.startedBy === fresh.id && t.lastStatus === 'RUNNING'));
    assert.deepEqual(sorted(runningContainerTasks(arn)), sorted(newArns));

    const { service: draining } = await aws('delete-service', '--cluster', name, '--service', SERVICE, '--force');
    assert.equal(draining.status, 'DRAINING');
    await aws('wait', 'services-inactive', '--cluster', name, '--services', SERVICE);
    assert.deepEqual(runningContainerTasks(arn), []);
  });

  it('refuses bad input with AWS\'s exceptions, changing nothing', async () => {
    const { name } = await cluster('svc-bad');
    const strict = new ECSClient({ endpoint: wharf.url, region, credentials, maxAttempts: 1 });
    const td = await registerWeb(ecs, 'bad-input');
    await ecs.send(new CreateServiceCommand({ cluster: name, serviceName: SERVICE, taskDefinition: td, desiredCount: 1 }));
    await until('the steady state', async () => eventMessages(await describeService(ecs, name, SERVICE))[0] === STEADY);
    const snapshot = () => servicesSnapshot(ecs, name);
    const before = await snapshot();

    const refused = async (send: Promise<unknown>, type: new (...args: never[]) => Error, message: RegExp) => {
      await assert.rejects(send, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.ok(e instanceof type, `${e.name}: ${e.message}`);
        assert.equal(e.name, type.name);
        assert.equal(e.$metadata?.httpStatusCode, 400);
        assert.match(e.message, message);
        return true;
      });
    };
    const create = (over: Partial<CreateServiceCommandInput>) =>
      strict.send(new CreateServiceCommand({ cluster: name, serviceName: 'web2', taskDefinition: td, desiredCount: 1, ...over }));

    await refused(create({ cluster: 'no-such-cluster' }), ClusterNotFoundException, /^Cluster not found\.$/);
    await refused(create({ taskDefinition: 'no-such-family:1' }), ClientException, /TaskDefinition not found/);
    await refused(create({ deploymentConfiguration: { minimumHealthyPercent: 150 } }), InvalidParameterException,
      /^deploymentConfiguration\.minimumHealthyPercent must be less than or equal to 100\.$/);
    await refused(create({ deploymentConfiguration: { maximumPercent: 50 } }), InvalidParameterException,
      /^deploymentConfiguration\.maximumPercent must be greater than or equal to 100\.$/);
    await refused(create({ schedulingStrategy: 'DAEMON', desiredCount: 2 }), InvalidParameterException,
      /^The daemon scheduling strategy does not support a desired count for services\./);
    await refused(create({ serviceName: 'web 2!' }), InvalidParameterException, /^serviceName is invalid: /);
    await refused(strict.send(new UpdateServiceCommand({ cluster: name, service: 'ghost', desiredCount: 2 })), ServiceNotFoundException, /^Service not found\.$/);
    await refused(strict.send(new UpdateServiceCommand({ cluster: name, service: SERVICE, deploymentConfiguration: { minimumHealthyPercent: 150 } })),
      InvalidParameterException, /^deploymentConfiguration\.minimumHealthyPercent /);
    await refused(strict.send(new UpdateServiceCommand({ cluster: name, service: SERVICE, taskDefinition: 'no-such-family:1' })),
      ClientException, /TaskDefinition not found/);
    await refused(strict.send(new DescribeServicesCommand({ cluster: name, services: Array.from({ length: 11 }, (_, i) => `s${i}`) })),
      InvalidParameterException, /^services can have at most 10 members\.$/);

    assert.deepEqual(await snapshot(), before);
    const { failures } = await ecs.send(new DescribeClustersCommand({ clusters: ['no-such-cluster'] }));
    assert.equal(failures?.[0]?.reason, 'MISSING', 'no cluster was made by the refused CreateService');
    await ecs.send(new DeleteServiceCommand({ cluster: name, service: SERVICE, force: true }));
  });
});

/** Everything the ECS API shows of a cluster's services and tasks, response metadata left out. */
async function servicesSnapshot(ecs: ECSClient, cluster: string): Promise<unknown> {
  const { serviceArns = [] } = await ecs.send(new ListServicesCommand({ cluster }));
  const { $metadata: _a, ...described } = await ecs.send(new DescribeServicesCommand({ cluster, services: serviceArns, include: ['TAGS'] }));
  const deployments = await Promise.all(serviceArns.map(async (service) => {
    const { $metadata: _b, ...listed } = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service }));
    return listed;
  }));
  const taskArns = (await Promise.all((['RUNNING', 'STOPPED'] as const).map(async (desiredStatus) =>
    (await ecs.send(new ListTasksCommand({ cluster, desiredStatus }))).taskArns ?? []))).flat();
  const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
  const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: [cluster], include: ['STATISTICS'] }));
  return { serviceArns, described, deployments, tasks, clusters };
}

/** `aws --endpoint-url <url> --region us-east-1 ecs ...` (the AWS CLI v2 at /usr/bin/aws), its JSON output parsed. */
function cli(url: string) {
  const run = promisify(execFile);
  const env = awsCliEnv;
  // The CLI's JSON, checked member by member.
  return async (...args: string[]): Promise<Record<string, any>> => {
    const { stdout } = await run('/usr/bin/aws', ['--endpoint-url', url, '--region', region, '--output', 'json', 'ecs', ...args], { env });
    return stdout.trim() ? JSON.parse(stdout) : {};
  };
}
