/**
 * Everything an ECS caller can see of one region, read through the SDK, so a test can prove
 * that a rejected request changed nothing: take a snapshot, send the bad request, compare.
 */
import {
  DescribeClustersCommand, DescribeContainerInstancesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand,
  ListAttributesCommand, ListClustersCommand, ListContainerInstancesCommand, ListTagsForResourceCommand,
  ListTaskDefinitionFamiliesCommand, ListTaskDefinitionsCommand, ListTasksCommand,
  type Attribute, type Cluster, type ContainerInstance, type Failure, type ECSClient, type Tag, type Task, type TaskDefinition,
} from '@aws-sdk/client-ecs';

/** One region's ECS state as the API shows it (response metadata left out). */
export interface EcsSnapshot {
  clusters: Cluster[];
  taskDefinitions: { taskDefinition?: TaskDefinition; tags?: Tag[] }[];
  families: string[];
  /** Per cluster ARN. */
  tasks: Record<string, Task[]>;
  /** Listed instances and the known ones, described (a known one that is gone shows as a failure). */
  containerInstances: Record<string, (ContainerInstance | Failure)[]>;
  attributes: Record<string, Attribute[]>;
  tags: Record<string, Tag[]>;
}

/** Follows `nextToken` to the end. */
async function allPages<T>(page: (nextToken: string | undefined) => Promise<{ items?: T[]; nextToken?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const { items, nextToken } = await page(token);
    out.push(...(items ?? []));
    token = nextToken;
  } while (token);
  return out;
}

async function clusterSnapshot(ecs: ECSClient, cluster: string, knownInstances: string[]) {
  const taskArns = (
    await Promise.all((['RUNNING', 'STOPPED'] as const).map((desiredStatus) =>
      allPages(async (nextToken) => {
        const r = await ecs.send(new ListTasksCommand({ cluster, desiredStatus, nextToken }));
        return { items: r.taskArns, nextToken: r.nextToken };
      })))
  ).flat().sort();
  // Listing shows ACTIVE and DRAINING instances; the known ones are described whatever their status.
  const instancePrefix = `${cluster.replace(':cluster/', ':container-instance/')}/`;
  const listed = (
    await Promise.all((['ACTIVE', 'DRAINING'] as const).map((status) =>
      allPages(async (nextToken) => {
        const r = await ecs.send(new ListContainerInstancesCommand({ cluster, status, nextToken }));
        return { items: r.containerInstanceArns, nextToken: r.nextToken };
      })))
  ).flat();
  const instanceArns = [...new Set([...listed, ...knownInstances.filter((arn) => arn.startsWith(instancePrefix))])].sort();
  const [tasks, instances, attributes] = await Promise.all([
    taskArns.length ? ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns, include: ['TAGS'] })) : undefined,
    instanceArns.length ? ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: instanceArns, include: ['TAGS'] })) : undefined,
    allPages(async (nextToken) => {
      const r = await ecs.send(new ListAttributesCommand({ cluster, targetType: 'container-instance', nextToken }));
      return { items: r.attributes, nextToken: r.nextToken };
    }),
  ]);
  return { tasks: tasks?.tasks ?? [], containerInstances: [...(instances?.containerInstances ?? []), ...(instances?.failures ?? [])], attributes };
}

/**
 * Reads everything the ECS API shows in the client's region. `knownInstances` are container
 * instance ARNs to describe even when listing no longer shows them (deregistered ones).
 */
export async function ecsSnapshot(ecs: ECSClient, knownInstances: string[] = []): Promise<EcsSnapshot> {
  const clusterArns = (await allPages(async (nextToken) => {
    const r = await ecs.send(new ListClustersCommand({ nextToken }));
    return { items: r.clusterArns, nextToken: r.nextToken };
  })).sort();
  const tdArns = (
    await Promise.all((['ACTIVE', 'INACTIVE'] as const).map((status) =>
      allPages(async (nextToken) => {
        const r = await ecs.send(new ListTaskDefinitionsCommand({ status, nextToken }));
        return { items: r.taskDefinitionArns, nextToken: r.nextToken };
      })))
  ).flat();
  const [described, taskDefinitions, families, perCluster, tags] = await Promise.all([
    clusterArns.length
      ? ecs.send(new DescribeClustersCommand({ clusters: clusterArns, include: ['ATTACHMENTS', 'CONFIGURATIONS', 'SETTINGS', 'STATISTICS', 'TAGS'] }))
      : undefined,
    Promise.all(tdArns.map(async (taskDefinition) => {
      const r = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }));
      return { taskDefinition: r.taskDefinition, tags: r.tags };
    })),
    allPages(async (nextToken) => {
      const r = await ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'ALL', nextToken }));
      return { items: r.families, nextToken: r.nextToken };
    }),
    Promise.all(clusterArns.map((arn) => clusterSnapshot(ecs, arn, knownInstances))),
    Promise.all([...clusterArns, ...tdArns].map(async (resourceArn) => (await ecs.send(new ListTagsForResourceCommand({ resourceArn }))).tags ?? [])),
  ]);
  const byCluster = <T>(pick: (s: Awaited<ReturnType<typeof clusterSnapshot>>) => T) =>
    Object.fromEntries(clusterArns.map((arn, i) => [arn, pick(perCluster[i])]));
  return {
    clusters: described?.clusters ?? [],
    taskDefinitions,
    families,
    tasks: byCluster((s) => s.tasks),
    containerInstances: byCluster((s) => s.containerInstances),
    attributes: byCluster((s) => s.attributes),
    tags: Object.fromEntries([...clusterArns, ...tdArns].map((arn, i) => [arn, tags[i]])),
  };
}
