import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { keys, type DeploymentRecord, type ServiceRecord, type TaskRecord } from '../../ecs/index.ts';
import { scope, taskRecord } from '../../ecs/testing.ts';
import type { Doc } from '../../state/index.ts';
import { observeTask } from '../service/controller.ts';
import { THROTTLE_SATURATION, throttleOf } from '../service/reconcile.ts';
import { DEFAULT_TASK_RETENTION_MS, expiredTasks, KEEP_FOR_THROTTLE_MAX, KEEP_WHILE_COUNTING_MAX, type RetentionInput } from './expiry.ts';

const MIN = 60_000;
const NOW = Date.UTC(2026, 0, 1, 12);
const PRIMARY = 'ecs-svc/1111111111111111111';
const OLD = 'ecs-svc/2222222222222222222';
const SERVICE = `${scope.account}/${scope.region}/prod/web`;

let revision = 0;
function doc(id: string, over: Partial<TaskRecord>): Doc<TaskRecord> {
  return { key: keys.task(scope, 'prod', id), value: taskRecord('prod', id, over), modRevision: ++revision };
}
const stopped = (id: string, minutesAgo: number, over: Partial<TaskRecord> = {}) =>
  doc(id, { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: NOW - minutesAgo * MIN, ...over });
/** A task of service `web`'s deployment `startedBy`, created `createdMinutesAgo`, that failed to start. */
const failedToStart = (id: string, createdMinutesAgo: number, startedBy = PRIMARY, over: Partial<TaskRecord> = {}) =>
  stopped(id, createdMinutesAgo - 1, { group: 'service:web', startedBy, createdAt: NOW - createdMinutesAgo * MIN, stopCode: 'TaskFailedToStart', ...over });

/** Service `web`, its PRIMARY deployment past its rollout (the circuit breaker no longer counts) unless `primary` says otherwise. */
function service(primary: Partial<DeploymentRecord> = {}): ServiceRecord {
  const deployment = { id: PRIMARY, status: 'PRIMARY', rolloutState: 'COMPLETED', circuitBreakerComplete: true, ...primary } as DeploymentRecord;
  const old = { id: OLD, status: 'ACTIVE', rolloutState: 'COMPLETED' } as DeploymentRecord;
  return { name: 'web', deployments: [deployment, old] } as unknown as ServiceRecord;
}

function input(tasks: Doc<TaskRecord>[], over: Partial<RetentionInput> = {}): RetentionInput {
  const web = service();
  return {
    stopped: tasks.filter((d) => d.value.lastStatus === 'STOPPED'),
    serviceOf: (s) => (s === SERVICE ? web : undefined),
    serviceTasks: (service) => (service === SERVICE ? tasks.filter((d) => d.value.group === 'service:web') : []),
    now: NOW,
    retentionMs: DEFAULT_TASK_RETENTION_MS,
    lastChangedAt: () => NOW,
    ...over,
  };
}
const ids = (docs: Doc<TaskRecord>[]) => docs.map((d) => d.value.id);

describe('expiredTasks', () => {
  it('a task STOPPED 59 minutes ago stays; one STOPPED 61 minutes ago goes', () => {
    assert.deepEqual(ids(expiredTasks(input([stopped('recent', 59), stopped('old', 61)]))), ['old']);
  });

  it('never takes a task that is not STOPPED, however old, nor one still stopping', () => {
    const tasks = [
      doc('running', { createdAt: NOW - 24 * 60 * MIN, startedAt: NOW - 24 * 60 * MIN }),
      doc('stopping', { desiredStatus: 'STOPPED', stoppingAt: NOW - 24 * 60 * MIN, lastStatus: 'DEACTIVATING' }),
      // Listed with the STOPPED ones by mistake: still judged by its own lastStatus.
      doc('pending', { lastStatus: 'PENDING', stoppedAt: NOW - 24 * 60 * MIN }),
    ];
    assert.deepEqual(expiredTasks({ ...input(tasks), stopped: tasks }), []);
  });

  it('without stoppedAt, counts from executionStoppedAt, else from when it was last seen to change', () => {
    const byExecution = stopped('exec', 0, { stoppedAt: undefined, executionStoppedAt: NOW - 61 * MIN });
    const unknown = stopped('unknown', 0, { stoppedAt: undefined });
    const seen = new Map([[unknown.key, NOW - 59 * MIN]]);
    assert.deepEqual(ids(expiredTasks(input([byExecution, unknown], { lastChangedAt: (d) => seen.get(d.key) ?? NOW }))), ['exec']);
    seen.set(unknown.key, NOW - 61 * MIN);
    assert.deepEqual(ids(expiredTasks(input([byExecution, unknown], { lastChangedAt: (d) => seen.get(d.key) ?? NOW }))), ['exec', 'unknown']);
  });

  it('honours the retention period it is given, and returns the oldest first', () => {
    const tasks = [stopped('b', 30), stopped('a', 45), stopped('c', 5)];
    assert.deepEqual(ids(expiredTasks(input(tasks, { retentionMs: 10 * MIN }))), ['a', 'b']);
  });

  it("keeps the PRIMARY deployment's latest failures to start, as many as the throttle reads", () => {
    const failures = Array.from({ length: THROTTLE_SATURATION + 5 }, (_, i) => failedToStart(`f${String(i).padStart(2, '0')}`, 300 - i * 10));
    const expired = ids(expiredTasks(input(failures)));
    // The newest THROTTLE_SATURATION (the highest numbers) stay; the 5 oldest go.
    assert.deepEqual(expired, ['f00', 'f01', 'f02', 'f03', 'f04']);
  });

  it('keeps nothing for the throttle once a newer task started, or once the deployment is not PRIMARY', () => {
    const failures = Array.from({ length: 4 }, (_, i) => failedToStart(`f${i}`, 300 - i * 10));
    const running = doc('running', { group: 'service:web', startedBy: PRIMARY, createdAt: NOW - 100 * MIN, startedAt: NOW - 99 * MIN });
    assert.deepEqual(ids(expiredTasks(input([...failures, running]))), ['f0', 'f1', 'f2', 'f3']);
    const ofOld = failures.map((d) => failedToStart(d.value.id, (NOW - d.value.createdAt) / MIN, OLD));
    assert.deepEqual(ids(expiredTasks(input(ofOld))), ['f0', 'f1', 'f2', 'f3']);
  });

  it('walks past tasks the scheduler or a user stopped, keeping them, up to a task that started', () => {
    const tasks = [
      failedToStart('started', 200, PRIMARY, { startedAt: NOW - 199 * MIN, stopCode: 'EssentialContainerExited' }),
      failedToStart('before', 210),
      failedToStart('f1', 190),
      failedToStart('scaled', 180, PRIMARY, { stopCode: 'ServiceSchedulerInitiated' }),
      failedToStart('f2', 170),
    ];
    // The throttle reads f2, scaled (skipped), f1, then stops at `started`: those stay, `before` goes.
    assert.deepEqual(ids(expiredTasks(input(tasks))), ['before']);
  });

  it("keeps every STOPPED task of a PRIMARY deployment whose circuit breaker still counts, up to KEEP_WHILE_COUNTING_MAX", () => {
    const counting = service({ rolloutState: 'IN_PROGRESS', circuitBreakerComplete: undefined });
    const tasks = Array.from({ length: KEEP_WHILE_COUNTING_MAX + 2 }, (_, i) =>
      failedToStart(`f${String(i).padStart(3, '0')}`, 2000 - i, PRIMARY, { stopCode: 'EssentialContainerExited', startedAt: NOW - (1999 - i) * MIN }));
    const expired = ids(expiredTasks(input(tasks, { serviceOf: () => counting })));
    assert.deepEqual(expired, ['f000', 'f001'], 'all but the two oldest stay while the breaker counts');
    // Once the rollout is over (or the breaker saw a healthy task), only the throttle's few stay: here none, each had started.
    assert.equal(expiredTasks(input(tasks)).length, KEEP_WHILE_COUNTING_MAX + 1, 'the newest, which ended the throttle\'s walk, stays');
    const past = service({ rolloutState: 'IN_PROGRESS', circuitBreakerComplete: true });
    assert.equal(expiredTasks(input(tasks, { serviceOf: () => past })).length, KEEP_WHILE_COUNTING_MAX + 1);
  });

  it('keeps at most KEEP_FOR_THROTTLE_MAX tasks of one deployment', () => {
    const scaled = Array.from({ length: KEEP_FOR_THROTTLE_MAX + 3 }, (_, i) =>
      failedToStart(`s${String(i).padStart(3, '0')}`, 1000 - i, PRIMARY, { stopCode: 'ServiceSchedulerInitiated' }));
    assert.equal(expiredTasks(input(scaled)).length, 3);
  });
});

/** One task of the PRIMARY deployment in a generated history. */
const historyTask = fc.record({
  kind: fc.constantFrom('failedToStart', 'failedToStart', 'failedToStart', 'failedToStart', 'scaledIn', 'ranThenStopped', 'running', 'pending'),
  /** Minutes after the previous task was created. */
  gap: fc.integer({ min: 1, max: 30 }),
  /** Tenths of the gap it took to stop (or start): a task stops before the next is created, so stops keep creation order. */
  takes: fc.integer({ min: 0, max: 9 }),
});

describe('expiredTasks property', () => {
  it('what it deletes never changes whether or until when the service throttle holds launches', () => {
    // A random past, then (often) a run of failures to start a few minutes apart, as under the throttle.
    const failing = fc.record({ kind: fc.constant('failedToStart' as const), gap: fc.integer({ min: 1, max: 16 }), takes: fc.integer({ min: 0, max: 9 }) });
    const histories = fc.tuple(fc.array(historyTask, { maxLength: 40 }), fc.array(failing, { maxLength: 14 })).map(([past, run]) => [...past, ...run]);
    fc.assert(
      fc.property(histories, fc.integer({ min: 0, max: 20 }), (history, sinceLast) => {
        let created = NOW - sinceLast * MIN - history.reduce((n, h) => n + h.gap, 0) * MIN;
        const tasks = history.map((h, i) => {
          created += h.gap * MIN;
          const base: Partial<TaskRecord> = { group: 'service:web', startedBy: PRIMARY, createdAt: created };
          const stop = created + (h.takes * h.gap * MIN) / 10;
          switch (h.kind) {
            case 'failedToStart': return stopped(`t${i}`, (NOW - stop) / MIN, { ...base, stopCode: 'TaskFailedToStart' });
            case 'scaledIn': return stopped(`t${i}`, (NOW - stop) / MIN, { ...base, stopCode: 'ServiceSchedulerInitiated' });
            case 'ranThenStopped': return stopped(`t${i}`, (NOW - stop - 30 * MIN) / MIN, { ...base, startedAt: stop, stopCode: 'EssentialContainerExited' });
            case 'running': return doc(`t${i}`, { ...base, startedAt: stop });
            default: return doc(`t${i}`, { ...base, lastStatus: 'PENDING' });
          }
        });
        const gone = new Set(expiredTasks(input(tasks)).map((d) => d.key));
        const before = throttleOf(tasks.map((d) => observeTask(d.value)));
        const after = throttleOf(tasks.filter((d) => !gone.has(d.key)).map((d) => observeTask(d.value)));
        const holds = (t: typeof before) => (t !== undefined && NOW < t.nextLaunchAt ? t.nextLaunchAt : undefined);
        assert.equal(holds(after), holds(before));
      }),
      { numRuns: 500 },
    );
  });
});
