/** Stored tasks as the API shows them: health left unset in the record shows as UNKNOWN. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { taskRecord } from './testing.ts';
import { toApiTask } from './task-view.ts';

const container = (name: string, healthStatus?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN') => ({
  containerArn: `arn:aws:ecs:us-east-1:123456789012:container/c/${name}`, name, image: 'x', lastStatus: 'RUNNING' as const,
  networkBindings: [], essential: true, ...(healthStatus && { healthStatus }),
});

describe('toApiTask health', () => {
  it('shows a task and containers without a stored health as UNKNOWN', () => {
    const api = toApiTask(taskRecord('c', 'a'.repeat(32), { containers: [container('web')] }));
    assert.equal(api.healthStatus, 'UNKNOWN');
    assert.equal(api.containers![0]?.healthStatus, 'UNKNOWN');
  });

  it('shows stored health as it is, UNKNOWN where a container has none', () => {
    const api = toApiTask(taskRecord('c', 'b'.repeat(32), {
      healthStatus: 'UNHEALTHY', containers: [container('web', 'UNHEALTHY'), container('log', 'HEALTHY'), container('plain')],
    }));
    assert.equal(api.healthStatus, 'UNHEALTHY');
    assert.deepEqual(api.containers!.map((c) => c.healthStatus), ['UNHEALTHY', 'HEALTHY', 'UNKNOWN']);
  });
});
