/**
 * A keyed work queue in the manner of Kubernetes' controllers: a watch only adds a key; a
 * worker re-reads current state for that key and converges it. A key is never worked on twice
 * at once (added while in progress, it runs again afterwards), added twice while waiting it
 * runs once, a failure retries with backoff, and a worker may ask to run again later
 * (grace periods, backoffs) by returning when.
 */

export interface WorkQueueOptions {
  /** Works one key; resolves to a delay (ms) after which the key should be worked again, if any. */
  work: (key: string) => Promise<number | undefined>;
  /** Keys worked at the same time, at most. */
  concurrency?: number;
  /** First retry delay after a failure; doubles per consecutive failure up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  log?: (message: string) => void;
  /** Receives each pass over a key: how long it took and whether it failed. */
  onWorked?: (seconds: number, failed: boolean) => void;
}

/** Keys waiting to be worked, deduplicated, with per-key delays and failure backoff. */
export class WorkQueue {
  private readonly ready: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  /** Keys added again while being worked. */
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private running = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly o: WorkQueueOptions) {}

  /** Queues `key` now, or after `delayMs` (an earlier pending delay wins). */
  add(key: string, delayMs = 0): void {
    if (this.closed) return;
    if (delayMs > 0) {
      const at = Date.now() + delayMs;
      const pending = this.timers.get(key);
      if (pending && pending.at <= at) return;
      if (pending) clearTimeout(pending.timer);
      const timer = setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, delayMs);
      timer.unref();
      this.timers.set(key, { at, timer });
      return;
    }
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.ready.push(key);
    this.pump();
  }

  /** Resolves when no key is queued or being worked (timers aside): for tests and shutdown. */
  idle(): Promise<void> {
    if (this.running === 0 && this.ready.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work; resolves once the keys in progress are done. */
  async close(): Promise<void> {
    this.closed = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    this.queued.clear();
    await this.idle();
  }

  private pump(): void {
    const limit = this.o.concurrency ?? 4;
    while (this.running < limit && this.ready.length && !this.closed) {
      const key = this.ready.shift()!;
      this.queued.delete(key);
      this.active.add(key);
      this.running++;
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    const started = performance.now();
    try {
      const again = await this.o.work(key);
      this.o.onWorked?.((performance.now() - started) / 1000, false);
      this.failures.delete(key);
      if (again !== undefined) this.add(key, Math.max(1, again));
    } catch (error) {
      this.o.onWorked?.((performance.now() - started) / 1000, true);
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      const delay = Math.min(this.o.maxBackoffMs ?? 10_000, (this.o.baseBackoffMs ?? 100) * 2 ** (n - 1));
      this.o.log?.(`${key}: ${error instanceof Error ? error.message : String(error)} (retrying in ${delay} ms)`);
      this.add(key, delay);
    } finally {
      this.active.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
      if (this.running === 0 && this.ready.length === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }
}
