/**
 * Agents' task reports on their way to the store. Reports that arrive together share one
 * transaction (up to 256): a task's lifecycle is otherwise four commits of its own. Each report
 * was checked on arrival (`decodeReport`); each is judged alone here (`stageTaskReport`: the
 * task must be on the reporting link's instances), and one that is refused, or that fails,
 * never takes the others down with it: a batch that fails is applied again report by report.
 *
 *   link ──report──▶ queue ──(next turn)──▶ transact: stageTaskReport × ≤256 ──▶ commit
 *                                               │ refused ──▶ `error` to its link
 *                                               └ batch failed ──▶ one transaction per report
 */
import type { Clock, TaskStateChange } from '../common/index.ts';
import { stageTaskReport, type ContainerInstanceRecord, type TaskRecord } from '../ecs/index.ts';
import { ConflictError, transact, type Store, type Tx } from '../state/index.ts';

/** Agent reports applied per transaction, at most. */
export const REPORT_BATCH = 256;

type Outcome = Awaited<ReturnType<typeof stageTaskReport>>;

/** Stages what follows from a task's change, in the transaction that changes it. */
export type TaskChangeHook = (tx: Tx, task: TaskRecord, now: number) => Promise<void>;

/** Stages what follows from a container instance's change, in the transaction that changes it. */
export type InstanceChangeHook = (tx: Tx, instance: ContainerInstanceRecord, now: number) => Promise<void>;

/** The link a report came from, as the queue needs it. */
export interface ReportSender {
  /** The container instances the link holds: only their tasks' reports are applied. */
  readonly instanceIds: ReadonlySet<string>;
  /** Reports of this link queued and not yet applied, and their size as sent (the link pauses its socket above a limit). */
  queued: number;
  queuedBytes: number;
  /** A report was refused or failed: the link tells its agent. */
  refused(taskArn: string, code: 'TaskNotOnInstance' | 'InternalError', message: string): void;
}

interface Queued {
  change: TaskStateChange;
  from: ReportSender;
  bytes: number;
}

/** Applies agents' reports in arrival order, batched. */
export class ReportQueue {
  private readonly queue: Queued[] = [];
  private flushing = false;
  private closed = false;
  /** The size, as sent, of every report queued and not yet applied. */
  bytes = 0;

  /** `settled` is called after each batch (links paused for a full queue may read again). */
  constructor(private readonly o: {
    store: Store; clock: Clock; log: (message: string) => void; settled?: () => void;
    /** A report changed a task: staged in the same transaction (ECS's task state change event). */
    onApplied?: TaskChangeHook;
    /** A report released resources on its task's instance: staged in the same transaction (ECS's container instance state change event). */
    onInstanceChanged?: InstanceChangeHook;
  }) {}

  /**
   * Queues a report (`bytes` long as sent) for the next commit. Reports are level-based (a lost
   * one is sent again after the agent's next registration), so none is answered unless refused.
   */
  push(change: TaskStateChange, from: ReportSender, bytes: number): void {
    if (this.closed) return;
    from.queued++;
    from.queuedBytes += bytes;
    this.bytes += bytes;
    this.queue.push({ change, from, bytes });
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => void this.flush());
  }

  /** Stops applying (queued reports are dropped: their agents send them again to the next control plane). */
  close(): void {
    this.closed = true;
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length && !this.closed) {
        const batch = this.queue.splice(0, REPORT_BATCH);
        let outcomes: Outcome[] | undefined;
        try {
          outcomes = await this.apply(batch);
        } catch (error) {
          this.o.log(`agent link: a batch of ${batch.length} task report(s) failed (${message(error)}); applying them one by one`);
        }
        if (outcomes) for (let i = 0; i < batch.length; i++) this.settle(batch[i], outcomes[i]);
        else for (const report of batch) await this.applyAlone(report);
        this.o.settled?.();
      }
    } finally {
      this.flushing = false;
      if (this.queue.length && !this.closed) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    }
  }

  private apply(batch: Queued[]): Promise<Outcome[]> {
    return transact(this.o.store, async (tx) => {
      const now = this.o.clock.now();
      const out: Outcome[] = [];
      for (const r of batch) {
        const outcome = await stageTaskReport(tx, now, r.change, r.from.instanceIds);
        if (outcome.outcome === 'applied' && this.o.onApplied) await this.o.onApplied(tx, outcome.task, now);
        if (outcome.outcome === 'applied' && outcome.instance && this.o.onInstanceChanged) await this.o.onInstanceChanged(tx, outcome.instance, now);
        out.push(outcome);
      }
      return out;
    });
  }

  private async applyAlone(report: Queued): Promise<void> {
    try {
      const [outcome] = await this.apply([report]);
      this.settle(report, outcome);
    } catch (error) {
      const text = error instanceof ConflictError ? 'the store was too busy' : message(error);
      this.o.log(`agent link: task report for ${report.change.taskArn} not applied: ${text}`);
      this.release(report);
      report.from.refused(report.change.taskArn, 'InternalError', `The report for ${report.change.taskArn} was not applied: ${text}.`);
    }
  }

  private settle(report: Queued, outcome: Outcome): void {
    this.release(report);
    if (outcome.outcome === 'refused') {
      report.from.refused(report.change.taskArn, outcome.reason === 'not-on-instance' ? 'TaskNotOnInstance' : 'InternalError', outcome.message);
    }
  }

  private release(report: Queued): void {
    report.from.queued--;
    report.from.queuedBytes -= report.bytes;
    this.bytes -= report.bytes;
  }
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
