/**
 * An informer: one key prefix of the store, decoded and kept in memory, with indexes, change
 * notifications and a revision saying how current it is (client-go's SharedInformer with
 * indexers, over etcd-style watch semantics). Controllers and API handlers read it instead of
 * scanning the store, and subscribe to it to enqueue keys.
 *
 *   start() ──► range(prefix) page by page; each page is read at its own revision r1 <= r2 <= …
 *           ──► watch(prefix, fromRevision: r1 + 1, onProgress, onCompacted)
 *   event at e on key k ──► skipped when the page that listed k was read at >= e (already seen)
 *                       ──► else applied when newer than the cached modRevision: cache, indexes,
 *                           then an add/update/delete queued to every subscriber
 *   onCompacted ──► re-list the same way, diff against the cache (add/update/delete), watch again
 *
 * The store stays the truth: a write guarded on a revision read here fails if the informer was
 * behind, and the writer retries on fresher contents.
 */
import type { KeyValue, Store, Unwatch, WatchEvent } from './store.ts';
import type { Doc } from './transact.ts';

/** Maps a document to the index values it is filed under (e.g. its containerInstance). Must be pure. */
export type IndexFunc<T> = (value: T, key: string) => readonly string[];

/** What an Informer watches and how it decodes and indexes what it finds. */
export interface InformerOptions<T> {
  store: Store;
  prefix: string;
  /** Turns a stored value into a document; undefined (or a throw) skips the record and reports it. */
  decode: (kv: KeyValue) => T | undefined;
  /** Named index functions, queried with byIndex(name, value). */
  indexes?: Record<string, IndexFunc<T>>;
  /** Receives undecodable records, handler errors and failed listings. Default: console.error. */
  onError?: (error: unknown) => void;
  /** Keys per range page while listing. Default 1000. */
  pageSize?: number;
  /** First wait before retrying a failed listing; doubles up to 30 times this. Default 100 ms. */
  retryDelayMs?: number;
}

/**
 * One change to the informer's contents, as subscribers see it. For a delete found by a
 * re-list, `modRevision` is the revision the listing saw the key absent at.
 */
export type InformerChange<T> =
  | { readonly type: 'add'; readonly key: string; readonly value: T; readonly modRevision: number }
  | { readonly type: 'update'; readonly key: string; readonly value: T; readonly previous: T; readonly modRevision: number }
  | { readonly type: 'delete'; readonly key: string; readonly previous: T; readonly modRevision: number };

/** The decoder of informers over JSON records: a value that does not parse is left out (and reported). */
export function decodeJson<T>(kv: KeyValue): T | undefined {
  try {
    return JSON.parse(kv.value) as T;
  } catch {
    return undefined;
  }
}

/** Reported through onError for a stored record that `decode` rejected; the record is left out. */
export class InformerDecodeError extends Error {
  constructor(
    readonly key: string,
    readonly modRevision: number,
    options?: { cause?: unknown },
  ) {
    super(`Cannot decode ${key} at revision ${modRevision}; it is left out of the informer.`, options);
    this.name = 'InformerDecodeError';
  }
}

/** Rejects `ready` and waitForRevision() once the informer is closed. */
export class InformerClosedError extends Error {
  constructor() {
    super('The informer is closed.');
    this.name = 'InformerClosedError';
  }
}

/**
 * Compares keys the way the store orders them (UTF-8 bytes, i.e. code points). JavaScript's `<`
 * compares UTF-16 units, which puts astral characters below U+E000–U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Move surrogates (astral code points) above the rest of the BMP.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Where `key` is, or would go, in `keys` (in key order). */
function positionOf(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareKeys(keys[mid], key) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Where each page of the latest listing ended and the revision it was read at: page i covers the
 * keys after page i-1's last key up to its own last key, the final page everything after.
 */
class Listing {
  readonly min: number;
  readonly max: number;

  constructor(
    private readonly uppers: readonly string[],
    private readonly revisions: readonly number[],
  ) {
    this.max = revisions.reduce((a, b) => Math.max(a, b));
    this.min = revisions.reduce((a, b) => Math.min(a, b));
  }

  /** The revision at which the page covering `key` was read. */
  revisionFor(key: string): number {
    return this.revisions[positionOf(this.uppers, key)];
  }
}

/** How many queued changes one subscriber takes per turn of the event loop. */
const HANDLER_BATCH = 500;

/** A subscriber's own queue, so a slow or failing handler holds up neither the informer nor others. */
class Subscriber<T> {
  private queue: InformerChange<T>[] = [];
  private head = 0;
  private scheduled = false;
  private flushWaiters: (() => void)[] = [];
  active = true;

  constructor(
    private readonly handler: (change: InformerChange<T>) => void,
    private readonly report: (error: unknown) => void,
  ) {}

  push(change: InformerChange<T>): void {
    this.queue.push(change);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  /** Resolves once every change pushed so far has been handed to the handler (at once when stopped). */
  flushed(): Promise<void> {
    if (!this.active || this.head === this.queue.length) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push(resolve));
  }

  private drain(): void {
    this.scheduled = false;
    for (let budget = HANDLER_BATCH; budget > 0 && this.active && this.head < this.queue.length; budget--) {
      const change = this.queue[this.head++];
      try {
        const result: unknown = this.handler(change);
        if (result instanceof Promise) result.catch(this.report);
      } catch (error) {
        this.report(error);
      }
    }
    if (!this.active || this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      const waiters = this.flushWaiters;
      this.flushWaiters = [];
      for (const resolve of waiters) resolve();
    } else {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }
}

interface Index<T> {
  fn: IndexFunc<T>;
  /** Index value → the keys filed under it, in key order. */
  byValue: Map<string, string[]>;
}

/** Files `key` under `value`, keeping the keys in key order. */
function fileUnder(byValue: Map<string, string[]>, value: string, key: string): void {
  const keys = byValue.get(value);
  if (!keys) {
    byValue.set(value, [key]);
    return;
  }
  const at = positionOf(keys, key);
  if (keys[at] !== key) keys.splice(at, 0, key);
}

/** Takes `key` out of `value`'s keys (and the value out of the index once it has none). */
function unfile(byValue: Map<string, string[]>, value: string, key: string): void {
  const keys = byValue.get(value);
  if (!keys) return;
  const at = positionOf(keys, key);
  if (keys[at] !== key) return;
  if (keys.length === 1) byValue.delete(value);
  else keys.splice(at, 1);
}

interface Waiter {
  revision: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** The decoded, indexed, watch-fed contents of one key prefix (see the file comment). */
export class Informer<T> {
  private readonly store: Store;
  /** The keys it holds: every key starting with this. */
  readonly prefix: string;
  private readonly decode: (kv: KeyValue) => T | undefined;
  private readonly onError: (error: unknown) => void;
  private readonly pageSize: number;
  private readonly retryDelayMs: number;
  /** One frozen document per key. */
  private readonly items = new Map<string, Doc<T>>();
  private readonly indexes = new Map<string, Index<T>>();
  private readonly subscribers = new Set<Subscriber<T>>();
  private waiters: Waiter[] = [];
  /** Bumped whenever a watch is abandoned (compaction, close): callbacks of older ones are ignored. */
  private generation = 0;
  /** The listing whose page revisions still decide which events are already reflected. */
  private listing: Listing | undefined;
  private unwatch: Unwatch | undefined;
  private current = 0;
  private synced = false;
  private started = false;
  private closed = false;
  private retry: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  private settleReady!: (error?: unknown) => void;
  /** Resolves once the first listing is in (hasSynced); rejects if closed before that. */
  readonly ready: Promise<void>;

  constructor(options: InformerOptions<T>) {
    this.store = options.store;
    this.prefix = options.prefix;
    this.decode = options.decode;
    this.onError = options.onError ?? ((error) => console.error(`wharf: informer on ${options.prefix}:`, error));
    this.pageSize = options.pageSize ?? 1000;
    this.retryDelayMs = options.retryDelayMs ?? 100;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) throw new RangeError('pageSize must be a positive integer');
    for (const [name, fn] of Object.entries(options.indexes ?? {})) this.indexes.set(name, { fn, byValue: new Map() });
    this.ready = new Promise((resolve, reject) => {
      this.settleReady = (error) => (error === undefined ? resolve() : reject(error));
    });
    this.ready.catch(() => undefined); // reported to whoever awaits it
  }

  /** Lists the prefix and starts following it; resolves with `ready`. Calling it again is harmless. */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new InformerClosedError());
    if (!this.started) {
      this.started = true;
      void this.resync(this.generation);
    }
    return this.ready;
  }

  /** True once the first listing is in: from then on the contents are never older than it. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** Every change under the prefix with a revision up to this one is reflected (0 before sync). */
  get revision(): number {
    return this.current;
  }

  /** How many documents are held. */
  get size(): number {
    return this.items.size;
  }

  /** The document at `key` with the revision it was written at, or undefined. Do not mutate it. */
  get(key: string): Doc<T> | undefined {
    return this.items.get(key);
  }

  /** Every document, in no particular order. */
  list(): Doc<T>[] {
    return [...this.items.values()];
  }

  /**
   * The documents with `indexValue` in the index, in key order (the store's): the same order
   * however and whenever they arrived, so readers need not sort, and lists page by key.
   */
  byIndex(indexName: string, indexValue: string): Doc<T>[] {
    const index = this.indexes.get(indexName);
    if (!index) throw new RangeError(`The informer on ${this.prefix} has no index named ${indexName}.`);
    return (index.byValue.get(indexValue) ?? []).map((key) => this.items.get(key) as Doc<T>);
  }

  /** Resolves once every subscriber has been handed every change made so far (e.g. before deciding nothing is left to do). */
  async flushed(): Promise<void> {
    await Promise.all([...this.subscribers].map((s) => s.flushed()));
  }

  /**
   * Calls `handler` for every change, after the contents reflect it, from a queue of its own
   * (never inside the informer's update; a throw or a rejected promise goes to onError). A
   * subscriber that joins late first gets an `add` for each document already held. Returns the
   * unsubscribe function.
   */
  subscribe(handler: (change: InformerChange<T>) => void): () => void {
    if (this.closed) return () => undefined;
    const subscriber = new Subscriber(handler, (error) => this.report(error));
    for (const doc of this.items.values()) {
      subscriber.push(Object.freeze({ type: 'add', key: doc.key, value: doc.value, modRevision: doc.modRevision }));
    }
    this.subscribers.add(subscriber);
    return () => {
      subscriber.active = false;
      this.subscribers.delete(subscriber);
    };
  }

  /**
   * Resolves once every change up to `revision` is reflected, e.g. right after a txn at that
   * revision, to read one's own write. Needs the store's progress notifications when the txn
   * touched nothing under the prefix. Rejects if the informer is closed first.
   */
  waitForRevision(revision: number): Promise<void> {
    if (this.closed) return Promise.reject(new InformerClosedError());
    if (this.current >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ revision, resolve, reject }));
  }

  /** Stops watching and notifying; pending waits and an unsettled `ready` reject. Contents stay readable. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    this.unwatch?.();
    this.unwatch = undefined;
    if (this.retry) {
      clearTimeout(this.retry.timer);
      this.retry.wake();
    }
    for (const subscriber of this.subscribers) subscriber.active = false;
    this.subscribers.clear();
    for (const waiter of this.waiters) waiter.reject(new InformerClosedError());
    this.waiters = [];
    if (!this.synced) this.settleReady(new InformerClosedError());
  }

  /** Lists and watches for `generation`, retrying with backoff until it succeeds or is superseded. */
  private async resync(generation: number): Promise<void> {
    let delay = this.retryDelayMs;
    while (generation === this.generation) {
      try {
        await this.relist(generation);
        return;
      } catch (error) {
        if (generation !== this.generation) return;
        this.report(error);
        await new Promise<void>((wake) => (this.retry = { timer: setTimeout(wake, delay), wake }));
        this.retry = undefined;
        delay = Math.min(delay * 2, this.retryDelayMs * 30);
      }
    }
  }

  /**
   * Lists the prefix into the cache (emitting what differs from it), then watches from just after
   * the oldest page. Pages may be read at different revisions; `Listing` remembers which.
   */
  private async relist(generation: number): Promise<void> {
    const seen = this.items.size > 0 ? new Set<string>() : undefined;
    const uppers: string[] = [];
    const revisions: number[] = [];
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.store.range(this.prefix, { startAfter, limit: this.pageSize });
      if (generation !== this.generation) return;
      revisions.push(page.revision);
      for (const kv of page.kvs) {
        seen?.add(kv.key);
        this.applyPut(kv);
      }
      if (!page.more || page.kvs.length === 0) break;
      startAfter = page.kvs[page.kvs.length - 1].key;
      uppers.push(startAfter);
    }
    const listing = new Listing(uppers, revisions);
    // A held key its page did not list was absent when that page was read.
    if (seen) for (const [key, doc] of this.items) if (!seen.has(key)) this.remove(doc, listing.revisionFor(key));
    this.listing = listing;
    this.advance(listing.min);
    if (!this.synced) {
      this.synced = true;
      this.settleReady();
    }
    this.watchFrom(generation, listing.min + 1);
  }

  private watchFrom(generation: number, fromRevision: number): void {
    const stop = this.store.watch(this.prefix, (event) => this.onEvent(generation, event), {
      fromRevision,
      onCompacted: () => this.onCompacted(generation),
      onProgress: (revision) => {
        if (generation === this.generation) this.advance(revision);
      },
    });
    // A backend may report compaction before watch() returns: then this watch is already over.
    if (generation === this.generation) this.unwatch = stop;
    else stop();
  }

  private onCompacted(generation: number): void {
    if (generation !== this.generation) return;
    const next = ++this.generation;
    this.unwatch?.();
    this.unwatch = undefined;
    void this.resync(next);
  }

  private onEvent(generation: number, event: WatchEvent): void {
    if (generation !== this.generation) return;
    const { key, modRevision } = event.kv;
    const reflected = this.listing !== undefined && modRevision <= this.listing.revisionFor(key);
    if (!reflected) {
      if (event.type === 'put') this.applyPut(event.kv);
      else {
        const held = this.items.get(key);
        if (held && held.modRevision < modRevision) this.remove(held, modRevision);
      }
    }
    // Later events of the same txn may still be on their way: only the revisions before are complete.
    this.advance(modRevision - 1);
  }

  /** Takes a listed or watched value unless the cache already holds this or a later write of the key. */
  private applyPut(kv: KeyValue): void {
    const held = this.items.get(kv.key);
    if (held && held.modRevision >= kv.modRevision) return;
    let value: T | undefined;
    try {
      value = this.decode(kv);
      if (value === undefined) this.report(new InformerDecodeError(kv.key, kv.modRevision));
    } catch (error) {
      this.report(new InformerDecodeError(kv.key, kv.modRevision, { cause: error }));
    }
    if (value === undefined) {
      // The key's current value is unusable: holding the older one would misstate the store.
      if (held) this.remove(held, kv.modRevision);
      return;
    }
    const doc: Doc<T> = Object.freeze({ key: kv.key, value, modRevision: kv.modRevision });
    this.items.set(kv.key, doc);
    if (held) this.reindex(held, doc);
    else this.index(doc);
    if (held) this.emit({ type: 'update', key: kv.key, value, previous: held.value, modRevision: kv.modRevision });
    else this.emit({ type: 'add', key: kv.key, value, modRevision: kv.modRevision });
  }

  private remove(held: Doc<T>, modRevision: number): void {
    this.items.delete(held.key);
    this.unindex(held);
    this.emit({ type: 'delete', key: held.key, previous: held.value, modRevision });
  }

  private index(doc: Doc<T>): void {
    for (const [name, index] of this.indexes) {
      for (const value of this.indexValues(name, index, doc)) fileUnder(index.byValue, value, doc.key);
    }
  }

  /** Moves an updated document between index values: only the values it left or joined are touched. */
  private reindex(held: Doc<T>, doc: Doc<T>): void {
    for (const [name, index] of this.indexes) {
      const before = this.indexValues(name, index, held);
      const after = this.indexValues(name, index, doc);
      for (const value of before) if (!after.includes(value)) unfile(index.byValue, value, doc.key);
      for (const value of after) if (!before.includes(value)) fileUnder(index.byValue, value, doc.key);
    }
  }

  private unindex(doc: Doc<T>): void {
    for (const [name, index] of this.indexes) {
      for (const value of this.indexValues(name, index, doc)) unfile(index.byValue, value, doc.key);
    }
  }

  private indexValues(name: string, index: Index<T>, doc: Doc<T>): readonly string[] {
    try {
      return index.fn(doc.value, doc.key);
    } catch (error) {
      this.report(new Error(`Index ${name} failed on ${doc.key}; the document is left out of it.`, { cause: error }));
      return [];
    }
  }

  private emit(change: InformerChange<T>): void {
    if (this.subscribers.size === 0) return;
    Object.freeze(change);
    for (const subscriber of this.subscribers) subscriber.push(change);
  }

  private advance(revision: number): void {
    if (revision <= this.current) return;
    this.current = revision;
    // From here on every event is newer than every page of the listing.
    if (this.listing && revision >= this.listing.max) this.listing = undefined;
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.revision <= revision) waiter.resolve();
      else still.push(waiter);
    }
    this.waiters = still;
  }

  private report(error: unknown): void {
    try {
      this.onError(error);
    } catch {
      // An error reporter that throws must not stop the informer.
    }
  }
}
