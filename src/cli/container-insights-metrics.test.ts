import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readSeries, seriesOf, statisticSeries } from '../metrics/index.ts';
import { SqliteStore } from '../state/index.ts';
import type { TaskStatus } from '../common/index.ts';
import { EcsInformers } from '../ecs/index.ts';
import { taskRecord } from '../ecs/testing.ts';
import { VirtualTime } from '../controllers/virtual-time.testing.ts';
import { publishContainerInsights } from './container-insights-metrics.ts';

const scope = { account: '123456789012', region: 'us-east-1' };
const put = (key: string, value: object) => ({ type: 'put' as const, key, value: JSON.stringify(value) });
const cluster = (name: string, insights: string) => put(`ecs/clusters/${scope.account}/${scope.region}/${name}`, { name, status: 'ACTIVE', settings: [{ name: 'containerInsights', value: insights }] });
const service = (c: string, name: string, desiredCount: number) => put(`ecs/services/${scope.account}/${scope.region}/${c}/${name}`, { name, clusterName: c, status: 'ACTIVE', desiredCount, deployments: [] });
const task = (c: string, id: string, group: string, lastStatus: string, desiredStatus = 'RUNNING') =>
  put(`ecs/tasks/${scope.account}/${scope.region}/${c}/${id}`, taskRecord(c, id, { group, lastStatus: lastStatus as TaskStatus, desiredStatus: desiredStatus as 'RUNNING', startedBy: 'ecs-svc/1' }));

describe('Container Insights service metrics', () => {
  it('publishes RunningTaskCount, PendingTaskCount and DesiredTaskCount per service, only for clusters with Container Insights on', async () => {
    const store = SqliteStore.open(':memory:');
    const time = new VirtualTime(1_800_000_000_000);
    try {
      await store.txn([], [
        cluster('on', 'enabled'), cluster('off', 'disabled'),
        service('on', 'worker', 3), service('off', 'worker', 1),
        task('on', 't1', 'service:worker', 'RUNNING'), task('on', 't2', 'service:worker', 'RUNNING'), task('on', 't3', 'service:worker', 'PENDING'),
        task('on', 't4', 'service:worker', 'RUNNING', 'STOPPED'), task('on', 't5', 'family:worker', 'RUNNING'), task('off', 't6', 'service:worker', 'RUNNING'),
      ]);
      const informers = new EcsInformers(store);
      await publishContainerInsights(store, time, informers);
      informers.close();
      const read = async (c: string, metric: string) => statisticSeries(await readSeries(store, scope, seriesOf('ECS/ContainerInsights', metric,
        [{ name: 'ClusterName', value: c }, { name: 'ServiceName', value: 'worker' }]), { start: time.now() - 60_000, end: time.now() + 60_000, period: 60 }), 'Average').values;
      assert.deepEqual(await read('on', 'RunningTaskCount'), [2], 'a task being stopped no longer counts');
      assert.deepEqual(await read('on', 'PendingTaskCount'), [1]);
      assert.deepEqual(await read('on', 'DesiredTaskCount'), [3]);
      assert.deepEqual(await read('off', 'RunningTaskCount'), []);
    } finally {
      await store.close();
    }
  });
});
