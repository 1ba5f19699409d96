/**
 * EventBridge's two loops on the leader, each a thin shell over the events domain on injected
 * timers: the delivery worker (every queued delivery that is due, oldest first, delivered at
 * least once through the target ports; woken by the queue's watch and by its timer) and the
 * schedule (fires due scheduled rules and Scheduler's due schedules, then sleeps until the next
 * due time, at most `pollMs`).
 *
 *   store watch events-queue/ ─┐
 *   timers.after(pollMs) ──────┴▶ pass: list queue ▶ deliver(id) × n ▶ next pass
 *   timers.after(next due) ──────▶ fireDueSchedules + fireDueSchedulerSchedules ▶ (deliveries enqueued) ▶ next due
 */
import type { Clock, Ids } from '../../common/index.ts';
import { deliver, fireDueSchedulerSchedules, fireDueSchedules, keys, schedulerKeys, type DeliveryRecord, type EventTargetPorts } from '../../events/index.ts';
import { listDocs, type Store } from '../../state/index.ts';
import { realTimers, type Timers } from '../timers.ts';

/** What the EventBridge controllers are given. */
export interface EventsControllerOptions {
  store: Store;
  clock: Clock;
  ids: Ids;
  ports: EventTargetPorts;
  /** Default: Node's timers. Tests pass VirtualTime. */
  timers?: Timers;
  /** The longest either loop sleeps; default 10 s. */
  pollMs?: number;
  log?: (message: string) => void;
}

/** The delivery worker and the schedule, started and stopped together. */
export class EventsController {
  private readonly timers: Timers;
  private readonly pollMs: number;
  /** Pending timers, each removed when it fires. */
  private readonly cancels = new Set<() => void>();
  private unwatches: (() => void)[] = [];
  /** The one pending timer of each loop: a new one replaces it, so wakes never pile timers up. */
  private deliveryTimer?: () => void;
  private scheduleTimer?: () => void;
  private firing = false;
  private deliveries: Promise<unknown> = Promise.resolve();
  private schedules: Promise<unknown> = Promise.resolve();
  private again = false;
  private running = false;
  private closed = false;

  constructor(private readonly o: EventsControllerOptions) {
    this.timers = o.timers ?? realTimers;
    this.pollMs = o.pollMs ?? 10_000;
  }

  start(): void {
    this.unwatches = [
      this.o.store.watch(keys.queue(), () => this.wake()),
      // A rule or schedule written is looked at at once, not at the next poll.
      this.o.store.watch(keys.everyRule(), (e) => {
        if (e.kv.key.includes('/rule/')) this.scheduleLoop(0);
      }),
      this.o.store.watch(schedulerKeys.everything(), (e) => {
        if (!e.kv.key.includes('/fired/')) this.scheduleLoop(0);
      }),
    ];
    this.wake();
    this.scheduleLoop(0);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const unwatch of this.unwatches) unwatch();
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    await this.idle();
  }

  /** Resolves once the passes in progress are done. */
  async idle(): Promise<void> {
    await Promise.all([this.deliveries.catch(() => undefined), this.schedules.catch(() => undefined)]);
  }

  /** Runs a delivery pass now (or once more after the one in progress). */
  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.deliveries = this.deliverDue()
      .catch((error: unknown) => this.o.log?.(`event delivery: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async deliverDue(): Promise<void> {
    const now = this.o.clock.now();
    let nextAt = now + this.pollMs;
    for (const doc of await listDocs<DeliveryRecord>(this.o.store, keys.queue())) {
      if (this.closed) return;
      if (doc.value.notBefore !== undefined && doc.value.notBefore > now) {
        nextAt = Math.min(nextAt, doc.value.notBefore);
        continue;
      }
      await deliver(this.o, this.o.ports, doc.value.id);
    }
    if (!this.closed) {
      this.deliveryTimer?.();
      this.deliveryTimer = this.after(nextAt - now, () => this.wake());
    }
  }

  /** Fires due schedules in `ms` (replacing the pass already timed), then times the next pass. */
  private scheduleLoop(ms: number): void {
    if (this.closed) return;
    this.scheduleTimer?.();
    this.scheduleTimer = this.after(ms, () => {
      if (this.closed) return;
      if (this.firing) {
        // A pass is running: one more right after it.
        this.scheduleLoop(0);
        return;
      }
      this.firing = true;
      this.schedules = Promise.all([fireDueSchedules(this.o), fireDueSchedulerSchedules(this.o)])
        .then(([rules, schedules]) => {
          const now = this.o.clock.now();
          const nextDueAt = Math.min(rules.nextDueAt ?? Infinity, schedules.nextDueAt ?? Infinity);
          return Math.min(this.pollMs, Math.max(0, nextDueAt - now));
        })
        .catch((error: unknown) => {
          this.o.log?.(`event schedules: ${error instanceof Error ? error.message : String(error)}`);
          return this.pollMs;
        })
        .then((next) => {
          this.firing = false;
          this.scheduleLoop(next);
        });
    });
  }

  /** A timer that forgets itself once it fires; returns its cancel. */
  private after(ms: number, fn: () => void): () => void {
    const cancel = this.timers.after(ms, () => {
      this.cancels.delete(cancel);
      fn();
    });
    this.cancels.add(cancel);
    return () => {
      this.cancels.delete(cancel);
      cancel();
    };
  }
}
