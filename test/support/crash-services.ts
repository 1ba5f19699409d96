/**
 * Helpers for the service crash-safety tests (test/services-crash.test.ts,
 * test/services-daemon.test.ts): `wharf server` and `wharf agent` as separate processes,
 * bounded polling, and what a service looks like at one moment — through the SDK (its tasks)
 * and through Docker (its running containers, by ECS's labels).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  DescribeContainerInstancesCommand, DescribeServicesCommand, ListContainerInstancesCommand,
  type ContainerInstance, type ECSClient, type Service, type Task,
} from '@aws-sdk/client-ecs';
import { docker } from './docker.ts';
import { describeTasksIn, listServiceTaskArns } from './services.ts';
import { awsCliEnv, spawnWharf, type WharfProcess } from './wharf.ts';

/** A cluster name no other test (or test run sharing this Docker) uses: containers are counted by cluster ARN. */
export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

/**
 * `wharf server` on `port` (0: a free one) with `dataDir` and any further flags. A restarted
 * server must get the same port: agents reconnect to the URL they were started with.
 */
export function startServer(dataDir: string, flags: string[] = [], port = 0): Promise<WharfProcess> {
  return spawnWharf(['server', '--port', String(port), '--data-dir', dataDir, ...flags], /Wharf server ready at http:\/\//);
}

/** The port a running wharf listens on. */
export const portOf = (p: WharfProcess): number => Number(new URL(p.url).port);

/**
 * A real `wharf agent` (Docker) in `cluster`, its state kept in `dataDir` (same dir: the same
 * agent, restarted), signing its link with the tests' root key.
 */
export function startAgentProcess(serverUrl: string, cluster: string, dataDir: string, flags: string[] = []): Promise<WharfProcess> {
  return spawnWharf(['agent', '--server', serverUrl, '--cluster', cluster, '--data-dir', dataDir, ...flags], /agent .* started/, awsCliEnv);
}

/** The agent id a `wharf agent` printed when it started (its containers carry it as `wharf.agent-id`). */
export function agentIdOf(agent: WharfProcess & { readyLine?: string }): string {
  const id = /agent (\S+) started/.exec(agent.readyLine ?? agent.output())?.[1];
  if (!id) throw new Error(`no agent id in: ${agent.output()}`);
  return id;
}

/** A data dir for agent `name` under a test's dir. */
export const agentDir = (dir: string, name: string): string => join(dir, `agent-${name}`);

/**
 * Polls `probe` until it returns something other than undefined/false, at most `attempts`
 * times `intervalMs` apart; fails with `what` and the last state `describe` gives.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  o: { attempts?: number; intervalMs?: number; describe?: () => Promise<unknown> } = {},
): Promise<T> {
  const attempts = o.attempts ?? 600;
  for (let i = 0; i < attempts; i++) {
    const got = await probe();
    if (got !== undefined && got !== false) return got;
    await sleep(o.intervalMs ?? 200);
  }
  const last = o.describe ? await o.describe().catch((e: unknown) => String(e)) : undefined;
  throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `; last seen: ${JSON.stringify(last, null, 1)}`}`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A running container of a cluster, as its ECS labels describe it. */
export interface LabelledContainer {
  id: string;
  taskArn: string;
  family: string;
  revision: number;
  agentId: string;
}

/** The running containers Wharf made for tasks of `clusterArn`, read from Docker's labels. */
export function runningContainers(clusterArn: string): LabelledContainer[] {
  const format = '{{.ID}}|{{.Label "com.amazonaws.ecs.task-arn"}}|{{.Label "com.amazonaws.ecs.task-definition-family"}}|{{.Label "com.amazonaws.ecs.task-definition-version"}}|{{.Label "wharf.agent-id"}}';
  const out = docker('ps', '--no-trunc', '--filter', `label=com.amazonaws.ecs.cluster=${clusterArn}`, '--format', format);
  return out ? out.split('\n').map((line) => {
    const [id, taskArn, family, revision, agentId] = line.split('|');
    return { id, taskArn, family, revision: Number(revision), agentId };
  }) : [];
}

/** A service and its tasks, read through the SDK. */
export interface ServiceView {
  service: Service;
  /** Tasks the service wants (desiredStatus RUNNING), any lastStatus. */
  wanted: Task[];
  /** Tasks asked to stop that have not stopped yet. */
  stopping: Task[];
}

/** The service, the tasks it wants and the tasks still stopping. */
export async function viewService(ecs: ECSClient, cluster: string, serviceName: string): Promise<ServiceView> {
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [serviceName] }));
  const [wantedArns, stoppedArns] = await Promise.all([
    listServiceTaskArns(ecs, cluster, serviceName, 'RUNNING'),
    listServiceTaskArns(ecs, cluster, serviceName, 'STOPPED'),
  ]);
  const [wanted, stopped] = await Promise.all([describeTasksIn(ecs, cluster, wantedArns), describeTasksIn(ecs, cluster, stoppedArns)]);
  return {
    service: services![0]!,
    wanted: wanted.filter((t) => t.desiredStatus === 'RUNNING'),
    stopping: stopped.filter((t) => t.lastStatus !== 'STOPPED'),
  };
}

/** A short, JSON-friendly summary of a view, for failure messages. */
export function summary(v: ServiceView, containers?: LabelledContainer[]): unknown {
  const task = (t: Task) => `${t.taskArn!.slice(-8)} ${t.taskDefinitionArn!.slice(t.taskDefinitionArn!.lastIndexOf('/') + 1)} ${t.lastStatus}/${t.desiredStatus} on ${t.containerInstanceArn?.slice(-8)}${t.stoppedReason ? ` (${t.stoppedReason})` : ''}`;
  return {
    desiredCount: v.service.desiredCount,
    runningCount: v.service.runningCount,
    pendingCount: v.service.pendingCount,
    deployments: v.service.deployments?.map((d) => `${d.id} ${d.status} ${d.rolloutState} ${d.taskDefinition?.slice(d.taskDefinition.lastIndexOf('/') + 1)} desired=${d.desiredCount} running=${d.runningCount} pending=${d.pendingCount}`),
    wanted: v.wanted.map(task),
    stopping: v.stopping.map(task),
    events: v.service.events?.slice(0, 8).map((e) => e.message),
    ...(containers ? { containers: containers.map((c) => `${c.taskArn.slice(-8)} ${c.family}:${c.revision} agent ${c.agentId.slice(0, 8)}`) } : {}),
  };
}

/** The revision number at the end of a task definition ARN. */
export const revisionOf = (taskDefinitionArn: string | undefined): number => Number(taskDefinitionArn?.slice(taskDefinitionArn.lastIndexOf(':') + 1));

/** Every container instance of a cluster (ACTIVE and DRAINING), described. */
export async function describeInstances(ecs: ECSClient, cluster: string): Promise<ContainerInstance[]> {
  const arns: string[] = [];
  for (const status of ['ACTIVE', 'DRAINING'] as const) {
    let nextToken: string | undefined;
    do {
      const r = await ecs.send(new ListContainerInstancesCommand({ cluster, status, nextToken }));
      arns.push(...(r.containerInstanceArns ?? []));
      nextToken = r.nextToken;
    } while (nextToken);
  }
  if (!arns.length) return [];
  const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }));
  return containerInstances ?? [];
}

/** The container instance a given agent registered as, once it has (its ec2InstanceId is derived from the agent id). */
export async function instanceOfAgent(ecs: ECSClient, cluster: string, ec2InstanceId: string): Promise<ContainerInstance> {
  return until(`the instance ${ec2InstanceId} in ${cluster}`, async () =>
    (await describeInstances(ecs, cluster)).find((i) => i.ec2InstanceId === ec2InstanceId));
}
