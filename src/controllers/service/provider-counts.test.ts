import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distribute, nextProvider } from '../../ecs/index.ts';
import { taskRecord } from '../../ecs/testing.ts';
import { providerCounts } from './controller.ts';

test("a deployment's tasks by provider count only those not stopping, so a replacement goes where the stopped task was", () => {
  const strategy = [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 0, weight: 3 }];
  const tasks = distribute(strategy, 9).map((name, i) =>
    taskRecord('c', String(i).padStart(32, '0'), { startedBy: 'ecs-svc/1', capacityProviderName: name, launchType: 'FARGATE' }));
  const other = taskRecord('c', 'f'.repeat(32), { startedBy: 'ecs-svc/2', capacityProviderName: 'FARGATE' });
  assert.deepEqual(Object.fromEntries(providerCounts([...tasks, other], 'ecs-svc/1')), { FARGATE: 3, FARGATE_SPOT: 6 });
  const interrupted = tasks.findIndex((t) => t.capacityProviderName === 'FARGATE_SPOT');
  tasks[interrupted] = { ...tasks[interrupted], desiredStatus: 'STOPPED', stopCode: 'SpotInterruption' };
  const counts = providerCounts(tasks, 'ecs-svc/1');
  assert.deepEqual(Object.fromEntries(counts), { FARGATE: 3, FARGATE_SPOT: 5 });
  assert.equal(nextProvider(strategy, counts), 'FARGATE_SPOT');
});
