/**
 * Test harness: a Store wrapper that behaves like a remote, asynchronous backend (etcd) while
 * keeping the wrapped store's data and revisions. Watches are established after a random delay,
 * their events, progress and compaction notices arrive in order but after random delays (in
 * random-sized batches, so one txn's events may be split), and every call resolves a little
 * late. Code proven against it does not depend on synchronous delivery or registration.
 *
 *   watch() ──(random delay)──► inner.watch() ──► per-watch queue ──(random delays)──► callbacks
 *   compact(R) ──► inner.compact(R) ──► watches with undelivered events below R: onCompacted
 */
import type {
  Compare,
  KeyValue,
  Op,
  RangeOptions,
  RangeResult,
  Store,
  TxnResult,
  Unwatch,
  WatchEvent,
  WatchOptions,
} from './store.ts';

/** Timing choices for a DelayedStore; pass a seeded `random` to make a run reproducible. */
export interface DelayedStoreOptions {
  /** Uniform in [0, 1). Default Math.random. */
  random?: () => number;
  /** Longest single delay in milliseconds. Default 3. */
  maxDelayMs?: number;
  /** Receives whatever a watch callback throws. Default: console.error. */
  onWatcherError?: (error: unknown) => void;
}

type Notice =
  | { kind: 'event'; event: WatchEvent }
  | { kind: 'progress'; revision: number }
  | { kind: 'compacted'; revision: number };

/** One wrapped watch: its undelivered notices and the inner watch once established. */
class DelayedWatch {
  private readonly queue: Notice[] = [];
  private scheduled = false;
  private stopInner: Unwatch | undefined;
  /** False once stopped, or once its compaction notice is delivered: nothing more is. */
  active = true;
  registered = false;
  /** Ended by a compaction: takes nothing more from the inner watch, nor registers one. */
  private cutOff = false;

  constructor(
    private readonly owner: DelayedStore,
    readonly prefix: string,
    private readonly onEvent: (event: WatchEvent) => void,
    readonly options: WatchOptions,
  ) {}

  register(inner: Store): void {
    if (!this.active || this.cutOff) return;
    this.registered = true;
    const { fromRevision, onCompacted, onProgress } = this.options;
    const push = (notice: Notice): void => this.push(notice);
    try {
      this.stopInner = inner.watch(this.prefix, (event) => push({ kind: 'event', event }), {
        fromRevision,
        onCompacted: onCompacted && ((revision) => push({ kind: 'compacted', revision })),
        onProgress: onProgress && ((revision) => push({ kind: 'progress', revision })),
      });
    } catch (error) {
      this.owner.report(error);
      this.active = false;
    }
    if (!this.active) this.stopInner?.();
  }

  /** True when some notice below `revision` has not been delivered yet (etcd: an unsynced watcher). */
  behind(revision: number): boolean {
    if (!this.registered) return (this.options.fromRevision ?? Infinity) < revision;
    return this.queue.some((n) => n.kind === 'event' && n.event.kv.modRevision < revision);
  }

  /** Ends the watch as etcd ends a watcher that fell behind a compaction. */
  compacted(revision: number): void {
    this.stopInner?.();
    this.cutOff = true;
    this.queue.length = 0;
    if (!this.options.onCompacted) {
      this.active = false;
      return;
    }
    this.queue.push({ kind: 'compacted', revision });
    this.schedule();
  }

  stop(): void {
    this.active = false;
    this.queue.length = 0;
    this.stopInner?.();
  }

  private push(notice: Notice): void {
    if (!this.active || this.cutOff) return;
    this.queue.push(notice);
    this.schedule();
  }

  schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.owner.paused) return;
    this.scheduled = true;
    this.owner.later(() => {
      this.scheduled = false;
      this.deliverSome();
    });
  }

  private deliverSome(): void {
    if (this.owner.paused) return;
    let count = 1 + Math.floor(this.owner.random() * this.queue.length);
    while (count-- > 0 && this.active && this.queue.length > 0 && !this.owner.paused) {
      const notice = this.queue.shift() as Notice;
      if (notice.kind === 'compacted') this.active = false;
      try {
        if (notice.kind === 'event') this.onEvent(notice.event);
        else if (notice.kind === 'progress') this.options.onProgress?.(notice.revision);
        else this.options.onCompacted?.(notice.revision);
      } catch (error) {
        this.owner.report(error);
      }
    }
    this.schedule();
  }
}

/** The Store contract with asynchronous timing around any other Store (see the file comment). */
export class DelayedStore implements Store {
  readonly random: () => number;
  private readonly maxDelayMs: number;
  private readonly onWatcherError: (error: unknown) => void;
  private readonly watches = new Set<DelayedWatch>();
  private closed = false;
  /** While true, watch notices queue up undelivered (a watcher falling behind, on demand). */
  paused = false;

  constructor(
    readonly inner: Store,
    options: DelayedStoreOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.maxDelayMs = options.maxDelayMs ?? 3;
    this.onWatcherError =
      options.onWatcherError ?? ((error: unknown) => console.error('wharf: a store watch callback threw', error));
  }

  /** Runs `fn` after a random delay: sometimes the next turn of the event loop, sometimes a timer. */
  later(fn: () => void): void {
    if (this.random() < 0.5) setImmediate(fn);
    else setTimeout(fn, Math.floor(this.random() * (this.maxDelayMs + 1)));
  }

  report(error: unknown): void {
    try {
      this.onWatcherError(error);
    } catch {
      // A reporter that throws must not stop delivery.
    }
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => this.later(resolve));
  }

  private async call<R>(fn: () => Promise<R>): Promise<R> {
    await this.pause();
    const result = await fn();
    await this.pause();
    return result;
  }

  get(key: string): Promise<KeyValue | undefined> {
    return this.call(() => this.inner.get(key));
  }

  range(prefix: string, options?: RangeOptions): Promise<RangeResult> {
    return this.call(() => this.inner.range(prefix, options));
  }

  txn(compares: Compare[], ops: Op[]): Promise<TxnResult> {
    return this.call(() => this.inner.txn(compares, ops));
  }

  revision(): Promise<number> {
    return this.call(() => this.inner.revision());
  }

  watch(prefix: string, onEvent: (event: WatchEvent) => void, options: WatchOptions = {}): Unwatch {
    if (this.closed) throw new Error('The store is closed.');
    const watch = new DelayedWatch(this, prefix, onEvent, options);
    this.watches.add(watch);
    this.later(() => watch.register(this.inner));
    return () => {
      watch.stop();
      this.watches.delete(watch);
    };
  }

  /** Compacts the wrapped store, then ends every watch still behind `revision`, as etcd does. */
  async compact(revision: number): Promise<void> {
    if (!this.inner.compact) throw new Error('the wrapped store cannot compact');
    await this.call(async () => this.inner.compact?.(revision));
    for (const watch of this.watches) {
      if (!watch.active) this.watches.delete(watch);
      else if (watch.behind(revision)) watch.compacted(revision);
    }
  }

  /** Holds back every watch notice until resumeDelivery(), so a test can make a watcher fall behind. */
  pauseDelivery(): void {
    this.paused = true;
  }

  /** Delivers what pauseDelivery() held back, in order. */
  resumeDelivery(): void {
    this.paused = false;
    for (const watch of this.watches) watch.schedule();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const watch of this.watches) watch.stop();
    this.watches.clear();
    await this.inner.close();
  }
}

/**
 * A seeded source for DelayedStoreOptions.random, so a failing run replays from its seed. A
 * linear congruential generator: plenty for shuffling delays, nothing more.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}
