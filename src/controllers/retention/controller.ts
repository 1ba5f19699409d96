/**
 * The task retention controller: the shell around `expiredTasks`. On the leader, every
 * `intervalMs` on its injected timers, it takes the STOPPED tasks from the tasks informer's
 * `lastStatus` index (never a scan of the store), asks the pure core which have been visible
 * long enough, and deletes them in batches of at most `batchSize`, one transaction each,
 * every delete guarded on the revision it was read at: a task that changed since is not
 * deleted, and the batch is decided again once the informer has caught up.
 *
 *   timers.after(intervalMs) ──▶ informers: STOPPED tasks, their services' PRIMARY deployments
 *        ▲                          │
 *        │                          ▼ expiredTasks (pure)
 *        └──── next pass ◀── txn(compare modRevision = read, delete) × ⌈n / batchSize⌉
 *
 * Nothing is remembered between passes but when a task lacking stoppedAt was first seen at
 * its revision (a restart only delays such a task's expiry).
 */
import { SerialPasses } from '../passes.ts';
import type { Clock } from '../../common/index.ts';
import { TASK_INDEX, serviceKeyOfIndex, type EcsInformers, type TaskRecord } from '../../ecs/index.ts';
import type { Doc, Store } from '../../state/index.ts';
import { realTimers, type Timers } from '../timers.ts';
import { DEFAULT_TASK_RETENTION_MS, expiredTasks } from './expiry.ts';

/** What the task retention controller is given. */
export interface TaskRetentionControllerOptions {
  store: Store;
  informers: EcsInformers;
  clock: Clock;
  /** Default: Node's timers. Tests pass VirtualTime. */
  timers?: Timers;
  /** How long a STOPPED task stays visible; default one hour, as in ECS. */
  retentionMs?: number;
  /** Time between passes; default one minute. */
  intervalMs?: number;
  /** Tasks deleted per transaction, at most; default 100. */
  batchSize?: number;
  log?: (message: string) => void;
}

/** What one pass did. */
export interface RetentionPassResult {
  deleted: number;
  /** Batches that lost a race (a task changed since it was read) and were decided again. */
  conflicts: number;
}

/** Batches that may lose a race in one pass before the rest waits for the next pass. */
const MAX_CONFLICTS_PER_PASS = 5;

/** Deletes STOPPED tasks once they have been visible for the retention period. */
export class TaskRetentionController {
  private readonly timers: Timers;
  private readonly retentionMs: number;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  /** For STOPPED tasks without a stop time: the revision seen and when it was first seen. */
  private readonly firstSeen = new Map<string, { modRevision: number; at: number }>();
  private cancel?: () => void;
  private readonly passes = new SerialPasses(() => this.runPass());
  private closed = false;

  constructor(private readonly o: TaskRetentionControllerOptions) {
    this.timers = o.timers ?? realTimers;
    this.retentionMs = o.retentionMs ?? DEFAULT_TASK_RETENTION_MS;
    this.intervalMs = o.intervalMs ?? 60_000;
    this.batchSize = o.batchSize ?? 100;
    if (!(this.batchSize >= 1)) throw new RangeError('batchSize must be at least 1');
  }

  /** Runs a pass now and then every `intervalMs`. */
  start(): void {
    const tick = (): void => {
      this.cancel = undefined;
      if (this.closed) return;
      void this.runOnce()
        .catch((error: unknown) => this.o.log?.(`task retention: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          if (!this.closed) this.cancel = this.timers.after(this.intervalMs, tick);
        });
    };
    this.cancel = this.timers.after(0, tick);
  }

  /** Stops the timer; resolves once a pass in progress is done. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancel?.();
    await this.idle();
  }

  /** Resolves once the pass in progress (if any) is done. */
  async idle(): Promise<void> {
    await this.passes.idle();
  }

  /** One pass, after any pass in progress (passes never overlap). */
  runOnce(): Promise<RetentionPassResult> {
    return this.passes.run();
  }

  private async runPass(): Promise<RetentionPassResult> {
    const { informers, store } = this.o;
    await informers.start();
    const result: RetentionPassResult = { deleted: 0, conflicts: 0 };
    for (;;) {
      const batch = this.decide().slice(0, this.batchSize);
      if (batch.length === 0) return result;
      const txn = await store.txn(
        batch.map((d) => ({ key: d.key, modRevision: d.modRevision })),
        batch.map((d) => ({ type: 'delete' as const, key: d.key })),
      );
      // Whether deleted or lost, decide the next batch on contents that reflect this commit.
      await informers.tasks.waitForRevision(txn.revision);
      if (txn.succeeded) {
        result.deleted += batch.length;
        for (const d of batch) this.firstSeen.delete(d.key);
      } else if (++result.conflicts >= MAX_CONFLICTS_PER_PASS) {
        return result;
      }
    }
  }

  /** The expired tasks, as the pure core sees them now. */
  private decide(): Doc<TaskRecord>[] {
    const { informers } = this.o;
    const now = this.o.clock.now();
    const stopped = informers.tasks.byIndex(TASK_INDEX.lastStatus, 'STOPPED');
    this.noteFirstSeen(stopped, now);
    return expiredTasks({
      stopped,
      now,
      retentionMs: this.retentionMs,
      serviceOf: (service) => informers.services.get(serviceKeyOfIndex(service))?.value,
      serviceTasks: (service) => informers.tasks.byIndex(TASK_INDEX.service, service),
      lastChangedAt: (doc) => this.firstSeen.get(doc.key)?.at ?? now,
    });
  }

  /** Remembers when each STOPPED task without a stop time was first seen at its current revision. */
  private noteFirstSeen(stopped: readonly Doc<TaskRecord>[], now: number): void {
    const current = new Set<string>();
    for (const doc of stopped) {
      if (doc.value.stoppedAt !== undefined || doc.value.executionStoppedAt !== undefined) continue;
      current.add(doc.key);
      const seen = this.firstSeen.get(doc.key);
      if (seen?.modRevision !== doc.modRevision) this.firstSeen.set(doc.key, { modRevision: doc.modRevision, at: now });
    }
    for (const key of this.firstSeen.keys()) if (!current.has(key)) this.firstSeen.delete(key);
  }
}
