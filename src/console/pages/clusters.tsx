/** Clusters: each with its services, tasks and container instances, live. */
import { DescribeClustersCommand, ECSClient, ListClustersCommand, type Cluster } from '@aws-sdk/client-ecs';
import Button from '@cloudscape-design/components/button';
import { client } from '../clients.ts';
import { Status } from '../components/format.tsx';
import { Page, RouterLink, useFollow, href } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

/** Every cluster of the account and region, described (100 at a time, as DescribeClusters takes them). */
export async function listClusters(): Promise<Cluster[]> {
  const ecs = client(ECSClient);
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListClustersCommand({ nextToken }));
    arns.push(...(page.clusterArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const clusters: Cluster[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const { clusters: some } = await ecs.send(new DescribeClustersCommand({ clusters: arns.slice(i, i + 100), include: ['STATISTICS', 'SETTINGS'] }));
    clusters.push(...(some ?? []));
  }
  return clusters;
}

export default function ClustersPage() {
  const follow = useFollow();
  const clusters = useLive(listClusters, ['ecs/clusters', 'ecs/services', 'ecs/tasks', 'ecs/instances']);
  return (
    <Page title="Clusters" crumbs={[{ text: 'Amazon ECS', to: '/clusters' }, { text: 'Clusters' }]}>
      <ResourceTable
        title="Clusters"
        testId="clusters"
        items={clusters.data}
        loading={clusters.loading}
        error={clusters.error}
        trackBy={(c) => c.clusterArn!}
        actions={<Button variant="primary" href={href('/clusters/create')} onFollow={follow}>Create cluster</Button>}
        columns={[
          { id: 'name', header: 'Cluster', cell: (c) => <RouterLink to={`/clusters/${encodeURIComponent(c.clusterName!)}`}>{c.clusterName}</RouterLink>, sortBy: (c) => c.clusterName },
          { id: 'status', header: 'Status', cell: (c) => <Status value={c.status} />, sortBy: (c) => c.status },
          { id: 'services', header: 'Services', cell: (c) => c.activeServicesCount ?? 0, sortBy: (c) => c.activeServicesCount },
          { id: 'running', header: 'Running tasks', cell: (c) => c.runningTasksCount ?? 0, sortBy: (c) => c.runningTasksCount },
          { id: 'pending', header: 'Pending tasks', cell: (c) => c.pendingTasksCount ?? 0, sortBy: (c) => c.pendingTasksCount },
          { id: 'instances', header: 'Container instances', cell: (c) => c.registeredContainerInstancesCount ?? 0, sortBy: (c) => c.registeredContainerInstancesCount },
          { id: 'providers', header: 'Capacity providers', cell: (c) => (c.capacityProviders ?? []).join(', ') || '-' },
          { id: 'insights', header: 'Container Insights', cell: (c) => c.settings?.find((s) => s.name === 'containerInsights')?.value ?? 'disabled' },
        ]}
      />
    </Page>
  );
}
