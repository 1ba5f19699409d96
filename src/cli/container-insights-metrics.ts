/**
 * Container Insights' service metrics for clusters whose `containerInsights` setting is enabled
 * (or enhanced), in `ECS/ContainerInsights` by ClusterName and ServiceName, once a minute from the
 * leader: RunningTaskCount, PendingTaskCount and DesiredTaskCount. What a backlog-per-task policy
 * divides by (a queue's depth over the tasks that consume it). Counted from the ECS informers.
 */
import type { Clock } from '../common/index.ts';
import { keys, type ClusterRecord, type EcsInformers } from '../ecs/index.ts';
import { publishMetricData, type Datum } from '../metrics/index.ts';
import { listDocs, type Store } from '../state/index.ts';

const PENDING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

/** Publishes every Container Insights cluster's service task counts at the clock's now. */
export async function publishContainerInsights(store: Store, clock: Clock, informers: EcsInformers): Promise<void> {
  const now = clock.now();
  await informers.start();
  for (const { key, value: cluster } of await listDocs<ClusterRecord>(store, keys.allClusters)) {
    const insights = cluster.settings.find((s) => s.name === 'containerInsights')?.value;
    if (cluster.status !== 'ACTIVE' || (insights !== 'enabled' && insights !== 'enhanced')) continue;
    const [account, region] = key.slice(keys.allClusters.length).split('/') as [string, string];
    const scope = { account, region };
    const data: Datum[] = [];
    for (const { value: service } of informers.servicesOf(scope, cluster.name)) {
      if (service.status !== 'ACTIVE') continue;
      const tasks = informers.tasksOfService(scope, cluster.name, service.name).map((d) => d.value).filter((t) => t.desiredStatus === 'RUNNING');
      const dimensions = [{ name: 'ClusterName', value: cluster.name }, { name: 'ServiceName', value: service.name }];
      const counts = [
        ['RunningTaskCount', tasks.filter((t) => t.lastStatus === 'RUNNING').length],
        ['PendingTaskCount', tasks.filter((t) => PENDING.has(t.lastStatus)).length],
        ['DesiredTaskCount', service.desiredCount],
      ] as const;
      for (const [metricName, value] of counts) data.push({ metricName, dimensions, value, unit: 'Count', timestamp: now });
    }
    for (let i = 0; i < data.length; i += 500) await publishMetricData({ store, clock }, scope, 'ECS/ContainerInsights', data.slice(i, i + 500));
  }
}
