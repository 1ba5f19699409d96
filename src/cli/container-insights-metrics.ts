/**
 * Container Insights' service metrics for clusters whose `containerInsights` setting is enabled
 * (or enhanced), in `ECS/ContainerInsights` by ClusterName and ServiceName, once a minute from the
 * leader: RunningTaskCount, PendingTaskCount and DesiredTaskCount. What a backlog-per-task policy
 * divides by (a queue's depth over the tasks that consume it).
 */
import type { Clock } from '../common/index.ts';
import type { ServiceRecord, TaskRecord } from '../ecs/index.ts';
import { publishMetricData, type Datum } from '../metrics/index.ts';
import type { Store } from '../state/index.ts';

const SERVICE_GROUP = 'service:';

/** Publishes every Container Insights cluster's service task counts at the clock's now. */
export async function publishContainerInsights(store: Store, clock: Clock): Promise<void> {
  const now = clock.now();
  const { kvs: clusters } = await store.range('ecs/clusters/');
  for (const kv of clusters) {
    const [account, region, name] = kv.key.slice('ecs/clusters/'.length).split('/') as [string, string, string];
    const cluster = JSON.parse(kv.value) as { status: string; settings: { name: string; value?: string }[] };
    const insights = cluster.settings.find((s) => s.name === 'containerInsights')?.value;
    if (cluster.status !== 'ACTIVE' || (insights !== 'enabled' && insights !== 'enhanced')) continue;
    const counts = new Map<string, { running: number; pending: number; desired: number }>();
    for (const s of (await store.range(`ecs/services/${account}/${region}/${name}/`)).kvs) {
      const service = JSON.parse(s.value) as ServiceRecord;
      if (service.status === 'ACTIVE') counts.set(service.name, { running: 0, pending: 0, desired: service.desiredCount });
    }
    for (const t of (await store.range(`ecs/tasks/${account}/${region}/${name}/`)).kvs) {
      const task = JSON.parse(t.value) as TaskRecord;
      const c = task.group.startsWith(SERVICE_GROUP) ? counts.get(task.group.slice(SERVICE_GROUP.length)) : undefined;
      if (!c || task.desiredStatus !== 'RUNNING') continue;
      if (task.lastStatus === 'RUNNING') c.running++;
      else if (task.lastStatus === 'PENDING' || task.lastStatus === 'PROVISIONING' || task.lastStatus === 'ACTIVATING') c.pending++;
    }
    const data: Datum[] = [];
    for (const [service, c] of counts) {
      const dimensions = [{ name: 'ClusterName', value: name }, { name: 'ServiceName', value: service }];
      for (const [metricName, value] of [['RunningTaskCount', c.running], ['PendingTaskCount', c.pending], ['DesiredTaskCount', c.desired]] as const) {
        data.push({ metricName, dimensions, value, unit: 'Count', timestamp: now });
      }
    }
    for (let i = 0; i < data.length; i += 500) await publishMetricData({ store, clock }, { account, region }, 'ECS/ContainerInsights', data.slice(i, i + 500));
  }
}
