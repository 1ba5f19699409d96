/**
 * Helpers for the end-to-end tests of ECS services (test/ecs-services*.test.ts): a web task
 * definition with a container health check, bounded polling, and reads of a service and its
 * tasks through @aws-sdk/client-ecs.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateClusterCommand, DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand,
  waitUntilServicesStable, type ContainerDefinition, type ECSClient, type Service, type Task,
} from '@aws-sdk/client-ecs';
import { TEST_IMAGE, docker } from './docker.ts';

/** The port the web container's httpd listens on (mapped to a host port Docker chooses). */
export const WEB_PORT = 8080;

/** The web container's health check: its own httpd answers. ECS's smallest interval, 3 failures to turn unhealthy. */
export const WEB_HEALTH_CHECK = {
  command: ['CMD-SHELL', `wget -q -O- http://127.0.0.1:${WEB_PORT}/ || exit 1`],
  // Generous for a loaded machine: a check that takes long is not what these tests are about.
  interval: 5, timeout: 5, retries: 3,
};

/**
 * The container every service test runs: busybox httpd on WEB_PORT with a dynamic host port,
 * a health check, and stopTimeout 2 (httpd as PID 1 ignores SIGTERM, so a stop takes 2 s).
 */
export function webContainer(over: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return {
    name: 'web', image: TEST_IMAGE, memory: 32, essential: true, stopTimeout: 2,
    command: ['httpd', '-f', '-p', String(WEB_PORT), '-h', '/www'],
    portMappings: [{ containerPort: WEB_PORT, hostPort: 0, protocol: 'tcp' }],
    healthCheck: WEB_HEALTH_CHECK,
    ...over,
  };
}

/** Registers a one-container revision of `family`; returns its ARN. */
export async function registerWeb(ecs: ECSClient, family: string, over: Partial<ContainerDefinition> = {}): Promise<string> {
  const { taskDefinition } = await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [webContainer(over)] }));
  return taskDefinition!.taskDefinitionArn!;
}

/**
 * A new cluster with a name no other test (or concurrent test run on this Docker host) uses,
 * since containers are found and removed by the cluster ARN. `track` receives its ARN.
 */
export async function newCluster(ecs: ECSClient, prefix: string, track: (arn: string) => void): Promise<{ name: string; arn: string }> {
  const clusterName = `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName }));
  track(cluster!.clusterArn!);
  return { name: cluster!.clusterName!, arn: cluster!.clusterArn! };
}

/**
 * Polls `check` until it returns a truthy value (returned) or `timeoutMs` passes. A check may
 * also throw (an assertion): it is retried, and on timeout the last error is what fails.
 */
export async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const cause = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`, { cause: last });
    }
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The last part of a task (or any) ARN. */
export const idOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

/** DescribeServices for one service. */
export async function describeService(ecs: ECSClient, cluster: string, service: string): Promise<Service> {
  const { services, failures } = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  if (!services?.length) throw new Error(`service ${service} not found: ${JSON.stringify(failures)}`);
  return services[0];
}

/** The messages of a service's events, newest first. */
export const eventMessages = (s: Service): string[] => (s.events ?? []).map((e) => e.message ?? '');

/** The SDK's services-stable waiter, polling every 1–2 s rather than ECS's 15. */
export async function waitStable(ecs: ECSClient, cluster: string, services: string[], maxWaitTime = 120): Promise<void> {
  await waitUntilServicesStable({ client: ecs, maxWaitTime, minDelay: 1, maxDelay: 2 }, { cluster, services });
}

/**
 * Every task of a service, wanted or not (ListTasks by serviceName, desiredStatus RUNNING then
 * STOPPED: a task only moves from the first to the second, so none is missed), described in
 * batches of 100 with the tasks named in `first` read first.
 */
export async function serviceTasks(ecs: ECSClient, cluster: string, serviceName: string, first: readonly string[] = []): Promise<Task[]> {
  const arns = [
    ...(await listServiceTaskArns(ecs, cluster, serviceName, 'RUNNING')),
    ...(await listServiceTaskArns(ecs, cluster, serviceName, 'STOPPED')),
  ];
  const unique = [...new Set(arns)];
  const ordered = [...first.filter((a) => unique.includes(a)), ...unique.filter((a) => !first.includes(a))];
  return describeTasksIn(ecs, cluster, ordered);
}

/** Every task ARN of `serviceName` with the given desiredStatus, following nextToken. */
export async function listServiceTaskArns(ecs: ECSClient, cluster: string, serviceName: string, desiredStatus: 'RUNNING' | 'STOPPED'): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus, nextToken }));
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

/** DescribeTasks over any number of ARNs (100 per call), in the order given. */
export async function describeTasksIn(ecs: ECSClient, cluster: string, arns: string[]): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const { tasks: batch } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }));
    tasks.push(...(batch ?? []));
  }
  return tasks;
}

/** Healthy as the service scheduler counts it: wanted, RUNNING, and its health check passing. */
export const isHealthy = (t: Task): boolean => t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING' && t.healthStatus === 'HEALTHY';

/** Live as maximumPercent counts it: anything not yet STOPPED, tasks being stopped included. */
export const isLive = (t: Task): boolean => t.lastStatus !== 'STOPPED';

/** The task ARN of each running container of a cluster, as Docker lists them (one `docker ps`). */
export function runningContainerTasks(clusterArn: string): string[] {
  const out = docker('ps', '--filter', `label=com.amazonaws.ecs.cluster=${clusterArn}`, '--format', '{{.Label "com.amazonaws.ecs.task-arn"}}');
  return out ? out.split('\n') : [];
}
