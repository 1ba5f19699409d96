/**
 * Merging agent reports into stored tasks, for container health: the task's healthStatus rule
 * over its essential containers, same-status reports that only change health, and nothing
 * changing once the task is STOPPED. Against a real in-memory store.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { ContainerStateChange, TaskStateChange } from '../common/index.ts';
import { SqliteStore, getDoc, transact } from '../state/index.ts';
import { keys, type ContainerRecord, type TaskRecord } from './records.ts';
import { stageTaskReport, taskHealthStatus } from './task-reports.ts';
import { instanceRecord, scope, seedInstance, seedTask, taskRecord } from './testing.ts';

const CHECK = { command: ['CMD-SHELL', 'exit 0'], interval: 5, timeout: 2, retries: 3 };
const INSTANCE = 'i1';

/** A PENDING task on INSTANCE with these containers (`check`: has a health check). */
function healthTask(id: string, containers: { name: string; essential?: boolean; check?: boolean }[]): TaskRecord {
  const defs: ContainerDefinition[] = containers.map((c) => ({ name: c.name, image: 'x', essential: c.essential ?? true, ...(c.check && { healthCheck: CHECK }) }));
  return taskRecord('c', id, {
    lastStatus: 'PENDING',
    containerInstanceId: INSTANCE,
    containers: containers.map((c): ContainerRecord => ({
      containerArn: `arn:aws:ecs:us-east-1:123456789012:container/c/${id}/${c.name}`, name: c.name, image: 'x',
      lastStatus: 'PENDING', networkBindings: [], essential: c.essential ?? true,
    })),
    spec: { family: 'web', revision: 1, networkMode: 'bridge', containers: defs },
  });
}

describe('task healthStatus rule', () => {
  const defs = [{ name: 'a', healthCheck: CHECK }, { name: 'b', healthCheck: CHECK }, { name: 'side', healthCheck: CHECK }, { name: 'plain' }];
  const rule = (a?: ContainerRecord['healthStatus'], b?: ContainerRecord['healthStatus'], side?: ContainerRecord['healthStatus']) => taskHealthStatus([
    { name: 'a', essential: true, healthStatus: a },
    { name: 'b', essential: true, healthStatus: b },
    { name: 'side', essential: false, healthStatus: side },
    { name: 'plain', essential: true },
  ], defs);

  it('UNHEALTHY if any essential container with a check is; HEALTHY when all are; UNKNOWN otherwise', () => {
    assert.equal(rule('HEALTHY', 'HEALTHY'), 'HEALTHY', 'the essential container without a check does not count');
    assert.equal(rule('HEALTHY', 'UNKNOWN'), 'UNKNOWN');
    assert.equal(rule('HEALTHY', undefined), 'UNKNOWN', 'no report yet');
    assert.equal(rule('UNHEALTHY', 'UNKNOWN'), 'UNHEALTHY');
    assert.equal(rule('HEALTHY', 'UNHEALTHY'), 'UNHEALTHY');
  });

  it('non-essential containers never count', () => {
    assert.equal(rule('HEALTHY', 'HEALTHY', 'UNHEALTHY'), 'HEALTHY');
    assert.equal(rule('UNKNOWN', 'UNKNOWN', 'HEALTHY'), 'UNKNOWN');
  });

  it('UNKNOWN when no essential container has a check', () => {
    assert.equal(taskHealthStatus([{ name: 'plain', essential: true }], [{ name: 'plain' }]), 'UNKNOWN');
    assert.equal(taskHealthStatus([{ name: 'side', essential: false, healthStatus: 'HEALTHY' }], [{ name: 'side', healthCheck: CHECK }]), 'UNKNOWN');
  });
});

describe('merging health reports', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = SqliteStore.open(':memory:');
    await seedInstance(store, instanceRecord('c', INSTANCE));
  });
  afterEach(() => store.close());

  const stored = async (id: string) => (await getDoc<TaskRecord>(store, keys.task(scope, 'c', id)))!.value;
  const report = (id: string, lastStatus: TaskStateChange['lastStatus'], containers: Partial<ContainerStateChange>[]): TaskStateChange => ({
    taskArn: `arn:aws:ecs:us-east-1:123456789012:task/c/${id}`,
    lastStatus,
    containers: containers.map((c) => ({ name: '', lastStatus, ...c })),
    ...(lastStatus === 'STOPPED' && { stoppedAt: 9, executionStoppedAt: 9 }),
  });
  const apply = async (change: TaskStateChange) => {
    const result = await transact(store, (tx) => stageTaskReport(tx, 5, change, new Set([INSTANCE])));
    return result.outcome === 'applied' ? result.task : undefined;
  };

  it('records container health and derives the task health, going back and forth while RUNNING', async () => {
    const id = 'a'.repeat(32);
    await seedTask(store, healthTask(id, [{ name: 'web', check: true }, { name: 'log', essential: false, check: true }, { name: 'plain' }]));
    const web = (healthStatus: ContainerStateChange['healthStatus']) => ({ name: 'web', healthStatus });

    assert.ok(await apply(report(id, 'RUNNING', [web('UNKNOWN'), { name: 'log', healthStatus: 'UNKNOWN' }, { name: 'plain' }])));
    let t = await stored(id);
    assert.equal(t.healthStatus, undefined, 'UNKNOWN is not written out: it is what unset shows (services/ecs task-view.test.ts)');
    assert.deepEqual(t.containers.map((c) => c.healthStatus), ['UNKNOWN', 'UNKNOWN', undefined]);

    const versions: number[] = [t.version];
    for (const [container, task] of [['HEALTHY', 'HEALTHY'], ['UNHEALTHY', 'UNHEALTHY'], ['HEALTHY', 'HEALTHY'], ['UNHEALTHY', 'UNHEALTHY']] as const) {
      const next = await apply(report(id, 'RUNNING', [web(container), { name: 'log', healthStatus: 'HEALTHY' }, { name: 'plain' }]));
      assert.ok(next, `a same-status report that changes health to ${container} is applied`);
      t = await stored(id);
      assert.equal(t.lastStatus, 'RUNNING');
      assert.equal(t.containers[0]?.healthStatus, container);
      assert.equal(t.healthStatus, task);
      versions.push(t.version);
    }
    assert.deepEqual(versions, [2, 3, 4, 5, 6], 'each health change bumps the task version');
    assert.equal(t.healthStatus, 'UNHEALTHY');
    assert.deepEqual(t.containers.map((c) => c.healthStatus), ['UNHEALTHY', 'HEALTHY', undefined]);
    assert.equal(t.desiredStatus, 'RUNNING', 'an unhealthy task is not stopped by the merge');

    assert.equal(await apply(report(id, 'RUNNING', [web('UNHEALTHY'), { name: 'log', healthStatus: 'HEALTHY' }, { name: 'plain' }])), undefined, 'a re-sent report changes nothing');
    assert.equal(await apply(report(id, 'RUNNING', [{ name: 'web' }, { name: 'log' }, { name: 'plain' }])), undefined, 'a report without health keeps the last one');
  });

  it('never changes health once the task is STOPPED', async () => {
    const id = 'b'.repeat(32);
    await seedTask(store, healthTask(id, [{ name: 'web', check: true }]));
    await apply(report(id, 'RUNNING', [{ name: 'web', healthStatus: 'HEALTHY' }]));
    await apply(report(id, 'STOPPED', [{ name: 'web', healthStatus: 'UNHEALTHY', exitCode: 1 }]));
    let t = await stored(id);
    assert.equal(t.lastStatus, 'STOPPED');
    assert.equal(t.healthStatus, 'UNHEALTHY', 'the report that stops the task still counts');
    assert.equal(await apply(report(id, 'STOPPED', [{ name: 'web', healthStatus: 'HEALTHY', exitCode: 1 }])), undefined);
    assert.equal(await apply(report(id, 'RUNNING', [{ name: 'web', healthStatus: 'HEALTHY' }])), undefined);
    t = await stored(id);
    assert.equal(t.healthStatus, 'UNHEALTHY');
    assert.equal(t.containers[0]?.healthStatus, 'UNHEALTHY');
  });

  it('a task without health checks is UNKNOWN and is not rewritten for it', async () => {
    const id = 'c'.repeat(32);
    await seedTask(store, healthTask(id, [{ name: 'web' }]));
    await apply(report(id, 'RUNNING', [{ name: 'web' }]));
    const t = await stored(id);
    assert.equal(t.healthStatus, undefined);
    assert.equal(t.containers[0]?.healthStatus, undefined);
    assert.equal(await apply(report(id, 'RUNNING', [{ name: 'web' }])), undefined);
  });

  it('refuses a report about a task of another instance, of no task, or of a task stored in a form it cannot read; changes nothing', async () => {
    const id = 'd'.repeat(32);
    await seedTask(store, { ...healthTask(id, [{ name: 'web' }]), containerInstanceId: 'elsewhere' });
    const stage = (change: TaskStateChange) => transact(store, (tx) => stageTaskReport(tx, 5, change, new Set([INSTANCE])));
    const before = await stored(id);
    const refused = await stage(report(id, 'RUNNING', [{ name: 'web' }]));
    assert.equal(refused.outcome === 'refused' && refused.reason, 'not-on-instance');
    assert.deepEqual(await stored(id), before);
    const missing = await stage(report('e'.repeat(32), 'RUNNING', []));
    assert.equal(missing.outcome === 'refused' && missing.reason, 'not-on-instance');
    const broken = 'f'.repeat(32);
    await seedTask(store, { ...healthTask(broken, [{ name: 'web' }]), containers: 'garbage' as unknown as ContainerRecord[] });
    const unreadable = await stage(report(broken, 'RUNNING', [{ name: 'web' }]));
    assert.equal(unreadable.outcome === 'refused' && unreadable.reason, 'unreadable');
  });
});
