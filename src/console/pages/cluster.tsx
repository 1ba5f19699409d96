/** A cluster: its capacity, services, tasks, container instances (with what they have left) and capacity providers, live. */
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import {
  DescribeCapacityProvidersCommand, DescribeClustersCommand, DescribeContainerInstancesCommand, DescribeServicesCommand, DescribeTasksCommand,
  ECSClient, ListContainerInstancesCommand, ListServicesCommand, ListTasksCommand, type ContainerInstance, type Resource, type Service, type Task,
} from '@aws-sdk/client-ecs';
import Button from '@cloudscape-design/components/button';
import SegmentedControl from '@cloudscape-design/components/segmented-control';
import Tabs from '@cloudscape-design/components/tabs';
import { client } from '../clients.ts';
import { ApiError } from '../components/api-error.tsx';
import { idOf, shortArn, Status, time } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { href, Page, RouterLink, useFollow } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

const ecs = () => client(ECSClient);

/** All of a list call's pages. */
async function all<T>(page: (nextToken?: string) => Promise<{ items?: T[]; nextToken?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const p = await page(token);
    out.push(...(p.items ?? []));
    token = p.nextToken;
  } while (token);
  return out;
}

/** The services of a cluster, described. */
export async function clusterServices(cluster: string): Promise<Service[]> {
  const arns = await all(async (nextToken) => {
    const r = await ecs().send(new ListServicesCommand({ cluster, nextToken, maxResults: 100 }));
    return { items: r.serviceArns, nextToken: r.nextToken };
  });
  const out: Service[] = [];
  for (let i = 0; i < arns.length; i += 10) out.push(...((await ecs().send(new DescribeServicesCommand({ cluster, services: arns.slice(i, i + 10) }))).services ?? []));
  return out;
}

/** The tasks of a cluster (of one service when named) in a desired status, described. */
export async function clusterTasks(cluster: string, desiredStatus: 'RUNNING' | 'STOPPED', serviceName?: string): Promise<Task[]> {
  const arns = await all(async (nextToken) => {
    const r = await ecs().send(new ListTasksCommand({ cluster, desiredStatus, serviceName, nextToken, maxResults: 100 }));
    return { items: r.taskArns, nextToken: r.nextToken };
  });
  const out: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) out.push(...((await ecs().send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))).tasks ?? []));
  return out;
}

async function clusterInstances(cluster: string): Promise<ContainerInstance[]> {
  const arns = await all(async (nextToken) => {
    const r = await ecs().send(new ListContainerInstancesCommand({ cluster, nextToken, maxResults: 100 }));
    return { items: r.containerInstanceArns, nextToken: r.nextToken };
  });
  if (!arns.length) return [];
  return (await ecs().send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances ?? [];
}

const resource = (list: Resource[] | undefined, name: string) => list?.find((r) => r.name === name)?.integerValue ?? 0;

/** A task's links and columns, shared by the cluster and service pages. */
export function taskColumns(cluster: string) {
  return [
    { id: 'task', header: 'Task', cell: (t: Task) => <RouterLink to={`/clusters/${encodeURIComponent(cluster)}/tasks/${idOf(t.taskArn)}`}>{idOf(t.taskArn)}</RouterLink>, sortBy: (t: Task) => idOf(t.taskArn) },
    { id: 'last', header: 'Last status', cell: (t: Task) => <Status value={t.lastStatus} />, sortBy: (t: Task) => t.lastStatus },
    { id: 'desired', header: 'Desired status', cell: (t: Task) => t.desiredStatus, sortBy: (t: Task) => t.desiredStatus },
    { id: 'health', header: 'Health', cell: (t: Task) => <Status value={t.healthStatus} />, sortBy: (t: Task) => t.healthStatus },
    { id: 'definition', header: 'Task definition', cell: (t: Task) => shortArn(t.taskDefinitionArn), sortBy: (t: Task) => shortArn(t.taskDefinitionArn) },
    { id: 'group', header: 'Group', cell: (t: Task) => t.group ?? '-', sortBy: (t: Task) => t.group },
    { id: 'launch', header: 'Launch type', cell: (t: Task) => t.capacityProviderName ?? t.launchType ?? '-' },
    { id: 'started', header: 'Started', cell: (t: Task) => time(t.startedAt), sortBy: (t: Task) => (t.startedAt ? new Date(t.startedAt).getTime() : 0) },
    { id: 'stopped', header: 'Stopped reason', cell: (t: Task) => t.stoppedReason ?? '-' },
  ];
}

export default function ClusterPage() {
  const cluster = useParams().cluster!;
  const follow = useFollow();
  const [taskFilter, setTaskFilter] = useState<'RUNNING' | 'STOPPED'>('RUNNING');
  const info = useLive(async () => (await ecs().send(new DescribeClustersCommand({ clusters: [cluster], include: ['STATISTICS', 'SETTINGS'] }))), ['ecs/'], [cluster]);
  const services = useLive(() => clusterServices(cluster), ['ecs/services', 'ecs/tasks', 'ecs/service-deployments'], [cluster]);
  const tasks = useLive(() => clusterTasks(cluster, taskFilter), ['ecs/tasks'], [cluster, taskFilter]);
  const instances = useLive(() => clusterInstances(cluster), ['ecs/instances', 'ecs/tasks'], [cluster]);
  const c = info.data?.clusters?.[0];
  const providers = useLive(async () => {
    const names = c?.capacityProviders ?? [];
    if (!names.length) return [];
    return (await ecs().send(new DescribeCapacityProvidersCommand({ capacityProviders: names }))).capacityProviders ?? [];
  }, ['ecs/capacity-providers', 'ecs/clusters'], [cluster, (c?.capacityProviders ?? []).join()]);
  const failure = info.data?.failures?.[0];
  return (
    <Page
      title={cluster}
      crumbs={[{ text: 'Clusters', to: '/clusters' }, { text: cluster }]}
      actions={<Button variant="primary" href={href(`/clusters/${encodeURIComponent(cluster)}/create-service`)} onFollow={follow}>Create service</Button>}
    >
      <ApiError error={info.error} />
      {failure && <ApiError error={{ name: 'ClusterNotFoundException', message: `${failure.arn}: ${failure.reason}` }} />}
      {c && (
        <KeyValues title="Cluster overview" columns={4} items={[
          ['Status', <Status value={c.status} />],
          ['ARN', c.clusterArn],
          ['Services', c.activeServicesCount],
          ['Running tasks', c.runningTasksCount],
          ['Pending tasks', c.pendingTasksCount],
          ['Container instances', c.registeredContainerInstancesCount],
          ['Capacity providers', (c.capacityProviders ?? []).join(', ') || '-'],
          ['Default strategy', (c.defaultCapacityProviderStrategy ?? []).map((s) => `${s.capacityProvider} (base ${s.base ?? 0}, weight ${s.weight ?? 0})`).join(', ') || '-'],
        ]} />
      )}
      <Tabs tabs={[
        {
          id: 'services', label: 'Services', content: (
            <ResourceTable title="Services" testId="services" items={services.data} loading={services.loading} error={services.error} trackBy={(s) => s.serviceArn!}
              columns={[
                { id: 'name', header: 'Service', cell: (s) => <RouterLink to={`/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(s.serviceName!)}`}>{s.serviceName}</RouterLink>, sortBy: (s) => s.serviceName },
                { id: 'status', header: 'Status', cell: (s) => <Status value={s.status} />, sortBy: (s) => s.status },
                { id: 'tasks', header: 'Tasks (running/desired)', cell: (s) => `${s.runningCount ?? 0}/${s.desiredCount ?? 0}`, sortBy: (s) => s.runningCount },
                { id: 'pending', header: 'Pending', cell: (s) => s.pendingCount ?? 0 },
                { id: 'deployment', header: 'Last deployment', cell: (s) => <Status value={s.deployments?.[0]?.rolloutState} />, sortBy: (s) => s.deployments?.[0]?.rolloutState },
                { id: 'definition', header: 'Task definition', cell: (s) => shortArn(s.taskDefinition), sortBy: (s) => shortArn(s.taskDefinition) },
                { id: 'launch', header: 'Launch type', cell: (s) => s.launchType ?? s.capacityProviderStrategy?.map((p) => p.capacityProvider).join(', ') ?? '-' },
              ]} />
          ),
        },
        {
          id: 'tasks', label: 'Tasks', content: (
            <ResourceTable title="Tasks" testId="tasks" items={tasks.data} loading={tasks.loading} error={tasks.error} trackBy={(t) => t.taskArn!}
              actions={<SegmentedControl selectedId={taskFilter} label="Desired status" onChange={({ detail }) => setTaskFilter(detail.selectedId as 'RUNNING' | 'STOPPED')}
                options={[{ id: 'RUNNING', text: 'Running' }, { id: 'STOPPED', text: 'Stopped' }]} />}
              columns={taskColumns(cluster)} />
          ),
        },
        {
          id: 'instances', label: 'Infrastructure', content: (
            <ResourceTable title="Container instances" testId="instances" items={instances.data} loading={instances.loading} error={instances.error} trackBy={(i) => i.containerInstanceArn!}
              columns={[
                { id: 'id', header: 'Container instance', cell: (i) => idOf(i.containerInstanceArn), sortBy: (i) => idOf(i.containerInstanceArn) },
                { id: 'ec2', header: 'EC2 instance', cell: (i) => i.ec2InstanceId ?? '-', sortBy: (i) => i.ec2InstanceId },
                { id: 'status', header: 'Status', cell: (i) => <Status value={i.status} />, sortBy: (i) => i.status },
                { id: 'agent', header: 'Agent connected', cell: (i) => (i.agentConnected ? 'Yes' : 'No') },
                { id: 'tasks', header: 'Running tasks', cell: (i) => i.runningTasksCount ?? 0, sortBy: (i) => i.runningTasksCount },
                { id: 'cpu', header: 'CPU available', cell: (i) => `${resource(i.remainingResources, 'CPU')} / ${resource(i.registeredResources, 'CPU')}`, sortBy: (i) => resource(i.remainingResources, 'CPU') },
                { id: 'memory', header: 'Memory available (MiB)', cell: (i) => `${resource(i.remainingResources, 'MEMORY')} / ${resource(i.registeredResources, 'MEMORY')}`, sortBy: (i) => resource(i.remainingResources, 'MEMORY') },
                { id: 'provider', header: 'Capacity provider', cell: (i) => i.capacityProviderName ?? '-' },
                { id: 'zone', header: 'Zone', cell: (i) => i.attributes?.find((a) => a.name === 'ecs.availability-zone')?.value ?? '-' },
              ]} />
          ),
        },
        {
          id: 'providers', label: 'Capacity providers', content: (
            <ResourceTable title="Capacity providers" items={providers.data} loading={providers.loading} error={providers.error} trackBy={(p) => p.name!}
              columns={[
                { id: 'name', header: 'Name', cell: (p) => p.name, sortBy: (p) => p.name },
                { id: 'status', header: 'Status', cell: (p) => <Status value={p.status} /> },
                { id: 'group', header: 'Auto Scaling group', cell: (p) => shortArn(p.autoScalingGroupProvider?.autoScalingGroupArn) },
                { id: 'scaling', header: 'Managed scaling', cell: (p) => p.autoScalingGroupProvider ? `${p.autoScalingGroupProvider.managedScaling?.status ?? '-'} (target ${p.autoScalingGroupProvider.managedScaling?.targetCapacity ?? '-'}%)` : '-' },
                { id: 'protection', header: 'Termination protection', cell: (p) => p.autoScalingGroupProvider?.managedTerminationProtection ?? '-' },
              ]} />
          ),
        },
      ]} />
    </Page>
  );
}
