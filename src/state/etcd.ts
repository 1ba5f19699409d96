/**
 * The Store on etcd v3: the distributed backend. etcd already is the model the contract was
 * written from (one revision, create/mod revisions, guarded transactions, watches from a
 * revision, compaction), so most calls map one to one onto its KV API.
 *
 * Layout under the root prefix (default `wharf/`), so one etcd can hold several Wharfs and an
 * operator can read it with etcdctl:
 *
 *   <root>kv/<key>        the documents (what get/range/txn/watch see)
 *   <root>progress        the progress barrier (below)
 *   <root>leader/<name>   leader elections (etcd-election.ts)
 *
 * Watches share one etcd watch per store, the *tail*, over the whole root, and fan out to the
 * callers by prefix. One stream makes "every change up to R has been delivered" a property of
 * the store rather than of each watch: after an event at R, every watch is complete through R.
 * A watch asking for history older than the tail's position restarts the tail from there; the
 * others skip what they already have.
 *
 * Progress: after a write of this store the tail sees the write's own event. When a caller
 * needs progress to a revision the tail will not see by itself (another client's write outside
 * the root, a failed or empty transaction), the store writes the barrier key; its event is
 * proof that everything before it arrived. This is correct on every etcd version (requested
 * progress notifications raced events before etcd 3.4.25 and 3.5.8).
 */
import { createWriteStream } from 'node:fs';
import { noop } from 'cockatiel';
import { Etcd3, CompareResult, CompareTarget, type IOptions } from 'etcd3';
import type { ICompare, IDuplexStream, IEvent, IKeyValue, IRequestOp, IWatchRequest, IWatchResponse } from 'etcd3';
import { NotLeaderError, StoreUnavailableError } from './errors.ts';
import { StoreClosedError } from './sqlite.ts';
import type {
  Compare, KeyValue, Op, RangeOptions, RangeResult, Store, TxnResult, Unwatch, WatchEvent, WatchOptions,
} from './store.ts';

/** How to reach etcd and where Wharf's keys live in it. */
export interface EtcdStoreOptions {
  /** Client URLs of the members: `http://10.0.0.1:2379`, or https for TLS. */
  hosts: string[];
  /** Every key Wharf writes starts with this (default `wharf/`). */
  root?: string;
  /** TLS: the CA that signed the members' certificates, and a client certificate if they ask for one. */
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
  /** etcd's own user authentication. */
  auth?: { username: string; password: string };
  /** Each unary call fails after this long (default 5 s): a store without a quorum refuses rather than hangs. */
  callTimeoutMs?: number;
  /** How long a needed progress waits for the tail's own events before a barrier write (default 25 ms). */
  barrierGraceMs?: number;
  /** Where an exception thrown by a watch callback goes (default: console.error). */
  onWatcherError?: (error: unknown) => void;
}

/** The first byte string after every string that starts with `prefix` (etcd's range_end for a prefix). */
export function bytesPrefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // every key: etcd's "\0" range end
}

interface Subscriber {
  prefix: string;
  onEvent: (event: WatchEvent) => void;
  options: WatchOptions;
  /** The next revision it has not been given (undefined until a watch from now learns "now"). */
  next?: number;
  /** The highest progress it was told. */
  progressed: number;
  active: boolean;
}

/** One etcd watch of the tail: where it started, and its id once etcd confirmed it. */
interface Tail {
  from: number;
  id?: string;
}

const RECONNECT_MS = [50, 100, 250, 500, 1000, 2000];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Store on etcd v3. */
export class EtcdStore implements Store {
  private readonly client: Etcd3;
  private readonly root: string;
  private readonly kvRoot: string;
  private readonly barrierKey: Buffer;
  private readonly callTimeoutMs: number;
  private readonly barrierGraceMs: number;
  private readonly onWatcherError: (error: unknown) => void;
  private closed = false;

  private readonly subscribers = new Set<Subscriber>();
  private stream?: IDuplexStream<IWatchRequest, IWatchResponse>;
  private connecting = false;
  private reconnects = 0;
  /** The tail's etcd watch: the revision it was created from and its id once etcd confirmed it. */
  private tail?: Tail;
  /** Tails whose create request awaits etcd's answer, oldest first. */
  private creating: Tail[] = [];
  /** Every change up to this revision has been handed to every subscriber that wants it. */
  private seen = 0;
  /** Progress wanted (the highest revision), and whether a barrier write is scheduled or in flight. */
  private wantProgress = 0;
  private barrierBusy = false;

  constructor(options: EtcdStoreOptions) {
    this.root = options.root ?? 'wharf/';
    this.kvRoot = `${this.root}kv/`;
    this.barrierKey = Buffer.from(`${this.root}progress`);
    this.callTimeoutMs = options.callTimeoutMs ?? 5000;
    this.barrierGraceMs = options.barrierGraceMs ?? 25;
    this.onWatcherError = options.onWatcherError ?? ((error) => console.error('wharf: a store watch callback threw', error));
    const clientOptions: IOptions = {
      hosts: options.hosts,
      dialTimeout: this.callTimeoutMs,
      ...(options.tls && {
        credentials: { rootCertificate: options.tls.ca, privateKey: options.tls.key, certChain: options.tls.cert },
      }),
      ...(options.auth && { auth: options.auth }),
      // Unary calls carry a deadline; the watch stream lives as long as the store.
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + this.callTimeoutMs }),
      // Each call tries the members in turn. No circuit breaker: one that opened while the
      // quorum was lost kept refusing calls long after it was back; Wharf's callers retry.
      faultHandling: { host: () => noop },
      // Reconnect to a member that comes back within seconds, not gRPC's two minutes.
      grpcOptions: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 2000 },
    };
    this.client = new Etcd3(clientOptions);
  }

  /** The etcd client, for the parts built on the same connection (leader election). */
  get etcd(): Etcd3 {
    return this.client;
  }

  /** The prefix every key of this store starts with in etcd. */
  get rootPrefix(): string {
    return this.root;
  }

  private ensureOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  private key(key: string): Buffer {
    return Buffer.from(this.kvRoot + key);
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    this.ensureOpen();
    try {
      return await run();
    } catch (error) {
      if (this.closed) throw new StoreClosedError();
      // A revision etcd cannot read (compacted, or not written yet) is the caller's mistake, not an outage.
      const message = error instanceof Error ? error.message : String(error);
      if (/required revision (has been compacted|is a future revision)/.test(message)) throw new RangeError(message);
      throw new StoreUnavailableError(error);
    }
  }

  private toKeyValue(kv: IKeyValue): KeyValue {
    return {
      key: kv.key.toString('utf8').slice(this.kvRoot.length),
      value: kv.value.toString('utf8'),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
      version: Number(kv.version),
    };
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.call(() => this.client.kv.range({ key: this.key(key) }));
    return res.kvs[0] && this.toKeyValue(res.kvs[0]);
  }

  async range(prefix: string, options: RangeOptions = {}): Promise<RangeResult> {
    const { startAfter, limit } = options;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new RangeError('limit must be a positive integer');
    const from = this.key(prefix);
    let start = from;
    if (startAfter !== undefined) {
      const after = Buffer.concat([this.key(startAfter), Buffer.from([0])]);
      if (Buffer.compare(after, from) > 0) start = after;
    }
    const res = await this.call(() =>
      this.client.kv.range({
        key: start, range_end: bytesPrefixEnd(from), ...(limit !== undefined && { limit }), ...(options.revision !== undefined && { revision: options.revision }),
      }));
    return { kvs: res.kvs.map((kv) => this.toKeyValue(kv)), revision: Number(res.header.revision), more: res.more };
  }

  async txn(compares: Compare[], ops: Op[]): Promise<TxnResult> {
    return this.guardedTxn(compares, ops);
  }

  /**
   * This store, with every transaction also requiring `guardKey` (a raw etcd key) to have been
   * created at `createRevision`: a leader's writes, refused with NotLeaderError once its key
   * is gone or another's.
   */
  fenced(guardKey: string, createRevision: number): Store {
    const guard = { key: Buffer.from(guardKey), createRevision };
    return {
      get: (key) => this.get(key),
      range: (prefix, options) => this.range(prefix, options),
      txn: (compares, ops) => this.guardedTxn(compares, ops, guard),
      watch: (prefix, onEvent, options) => this.watch(prefix, onEvent, options),
      revision: () => this.revision(),
      compact: (revision) => this.compact(revision),
      close: async () => undefined, // the term's view; the store itself stays open
    };
  }

  private async guardedTxn(compares: Compare[], ops: Op[], guard?: { key: Buffer; createRevision: number }): Promise<TxnResult> {
    const compare: ICompare[] = compares.map((c) => ({
      key: this.key(c.key), target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: c.modRevision,
    }));
    if (guard) compare.push({ key: guard.key, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: guard.createRevision });
    const success: IRequestOp[] = ops.map((op) => {
      if (op.type === 'put') return { request_put: { key: this.key(op.key), value: Buffer.from(op.value) } };
      if (op.type === 'delete') return { request_delete_range: { key: this.key(op.key) } };
      const from = this.key(op.prefix);
      return { request_delete_range: { key: from, range_end: bytesPrefixEnd(from) } };
    });
    // On failure, the guard key says whether the term is over or only a compare lost a race.
    const failure: IRequestOp[] = guard ? [{ request_range: { key: guard.key } }] : [];
    const res = await this.call(() => this.client.kv.txn({ compare, success, failure }));
    const revision = Number(res.header.revision);
    if (!res.succeeded && guard) {
      const held = res.responses[0]?.response_range?.kvs[0];
      if (!held || Number(held.create_revision) !== guard.createRevision) throw new NotLeaderError();
    }
    // A write's own event brings the tail to `revision`; anything else may need a barrier.
    const wrote = res.succeeded && res.responses.some((r) => r.response_put || Number(r.response_delete_range?.deleted ?? 0) > 0);
    if (!wrote) this.needProgress(revision);
    return { succeeded: res.succeeded, revision };
  }

  async revision(): Promise<number> {
    const res = await this.call(() => this.client.kv.range({ key: this.barrierKey, count_only: true }));
    const revision = Number(res.header.revision);
    this.needProgress(revision);
    return revision;
  }

  /**
   * etcd's own snapshot of the whole database (every root in it), written to `path` (mode
   * 0600: it holds secrets); restored with `etcdctl snapshot restore`. Resolves to its size.
   */
  async etcdSnapshot(path: string): Promise<number> {
    const stream = await this.call(() => this.client.maintenance.snapshot({}));
    const out = createWriteStream(path, { mode: 0o600 });
    let size = 0;
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk) => {
        size += chunk.blob.length;
        out.write(chunk.blob);
      });
      stream.on('error', (error) => reject(new StoreUnavailableError(error)));
      stream.on('end', () => resolve());
    });
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    return size;
  }

  async compact(revision: number): Promise<void> {
    const current = await this.revision();
    if (revision > current) throw new RangeError(`compact(${revision}) is above the current revision ${current}`);
    try {
      await this.call(() => this.client.kv.compact({ revision, physical: true }));
    } catch (error) {
      // At or below the last compaction: nothing to do, as the contract says.
      if (error instanceof RangeError && /compacted/.test(error.message)) return;
      throw error;
    }
  }

  watch(prefix: string, onEvent: (event: WatchEvent) => void, options: WatchOptions = {}): Unwatch {
    this.ensureOpen();
    const sub: Subscriber = { prefix, onEvent, options, progressed: 0, active: true };
    this.subscribers.add(sub);
    if (options.fromRevision !== undefined) {
      this.subscribe(sub, Math.max(1, options.fromRevision));
    } else {
      // "From now": the revision of the call's moment, then everything after it.
      this.call(() => this.client.kv.range({ key: this.barrierKey, count_only: true }))
        .then((res) => this.subscribe(sub, Number(res.header.revision) + 1))
        .catch((error) => this.active(sub) && this.onWatcherError(error));
    }
    return () => {
      sub.active = false;
      this.subscribers.delete(sub);
      if (this.subscribers.size === 0) this.stopTail();
    };
  }

  private active(sub: Subscriber): boolean {
    return sub.active && !this.closed;
  }

  private subscribe(sub: Subscriber, next: number): void {
    if (!this.active(sub)) return;
    sub.next = next;
    sub.progressed = next - 1;
    // The tail delivers every change after `seen`; older history means starting it again from there.
    if (!this.tail || next <= this.seen) this.startTail(next);
  }

  /** (Re)creates the tail's etcd watch from `from`: subscribers skip what they already have. */
  private startTail(from: number): void {
    const old = this.tail;
    if (old?.id !== undefined) this.stream?.write({ cancel_request: { watch_id: old.id } });
    this.tail = { from };
    this.seen = from - 1;
    if (this.stream) this.createTailWatch();
    else void this.connect();
  }

  /** Asks for the tail's watch; etcd answers creates in order, so `creating` says whose answer is next. */
  private createTailWatch(): void {
    const root = Buffer.from(this.root);
    this.creating.push(this.tail!);
    this.stream!.write({
      create_request: {
        key: root, range_end: bytesPrefixEnd(root), start_revision: this.tail!.from, prev_kv: true, progress_notify: true,
      },
    });
  }

  private stopTail(): void {
    this.tail = undefined;
    const stream = this.stream;
    this.stream = undefined;
    this.creating = [];
    stream?.cancel();
  }

  private async connect(): Promise<void> {
    if (this.connecting || this.closed) return;
    this.connecting = true;
    let stream: IDuplexStream<IWatchRequest, IWatchResponse>;
    try {
      stream = await this.client.watchClient.watch();
    } catch {
      this.retryConnect();
      return;
    } finally {
      this.connecting = false;
    }
    if (this.closed || !this.tail || this.stream) {
      stream.cancel();
      return;
    }
    this.stream = stream;
    this.reconnects = 0;
    stream.on('data', (res: IWatchResponse) => this.onResponse(stream, res));
    stream.on('error', () => this.lost(stream));
    stream.on('end', () => this.lost(stream));
    this.createTailWatch();
  }

  /** The stream broke (a member died, the network blinked): reconnect and go on after `seen`. */
  private lost(stream: IDuplexStream<IWatchRequest, IWatchResponse>): void {
    if (stream !== this.stream) return;
    this.stream = undefined;
    this.creating = [];
    if (this.tail) this.tail = { from: this.seen + 1 };
    this.retryConnect();
  }

  private retryConnect(): void {
    if (this.closed || !this.tail) return;
    const delay = RECONNECT_MS[Math.min(this.reconnects++, RECONNECT_MS.length - 1)];
    setTimeout(() => void this.connect(), delay).unref();
  }

  private onResponse(stream: IDuplexStream<IWatchRequest, IWatchResponse>, res: IWatchResponse): void {
    if (stream !== this.stream) return;
    if (res.created) {
      const created = this.creating.shift();
      if (created === undefined || created !== this.tail) {
        // A tail replaced before etcd confirmed it: end it.
        if (!res.canceled) stream.write({ cancel_request: { watch_id: res.watch_id } });
        return;
      }
      if (!res.canceled) {
        created.id = res.watch_id;
        return;
      }
    } else if (!this.tail || res.watch_id !== this.tail.id) {
      return; // a tail this store already replaced
    }
    if (res.canceled) {
      const compacted = Number(res.compact_revision ?? 0);
      if (compacted > 0) this.compacted(compacted);
      else this.lost(stream);
      return;
    }
    if (res.events.length === 0) {
      // A progress notification: everything up to its revision has been sent.
      this.advance(Number(res.header.revision));
      return;
    }
    for (const event of res.events) this.deliver(event);
    this.advance(Number(res.events[res.events.length - 1].kv.mod_revision));
  }

  /** The tail fell behind a compaction (or was asked for compacted history). */
  private compacted(compactRevision: number): void {
    for (const sub of [...this.subscribers]) {
      if (sub.next === undefined || sub.next >= compactRevision) continue;
      sub.active = false;
      this.subscribers.delete(sub);
      this.guard(() => sub.options.onCompacted?.(compactRevision));
    }
    this.tail = undefined;
    const waiting = [...this.subscribers].filter((s) => s.next !== undefined);
    if (waiting.length) this.startTail(Math.min(...waiting.map((s) => s.next!)));
    else if (this.subscribers.size === 0) this.stopTail();
  }

  private deliver(raw: IEvent): void {
    const key = raw.kv.key.toString('utf8');
    if (!key.startsWith(this.kvRoot)) return; // the barrier or an election
    const revision = Number(raw.kv.mod_revision);
    const kv = this.toKeyValue(raw.kv);
    const event: WatchEvent = raw.type === 'Delete'
      ? { type: 'delete', kv: { ...kv, value: '', createRevision: 0, version: 0 }, ...(raw.prev_kv && { prevKv: this.toKeyValue(raw.prev_kv) }) }
      : { type: 'put', kv, ...(raw.prev_kv && { prevKv: this.toKeyValue(raw.prev_kv) }) };
    for (const sub of this.subscribers) {
      if (sub.next === undefined || revision < sub.next || !kv.key.startsWith(sub.prefix)) continue;
      this.guard(() => sub.onEvent(event));
    }
  }

  private advance(revision: number): void {
    if (revision <= this.seen) return;
    this.seen = revision;
    for (const sub of this.subscribers) {
      if (sub.next === undefined) continue;
      if (sub.next <= revision) sub.next = revision + 1;
      this.tell(sub, revision);
    }
  }

  private tell(sub: Subscriber, revision: number): void {
    if (revision <= sub.progressed || !this.active(sub)) return;
    sub.progressed = revision;
    this.guard(() => sub.options.onProgress?.(revision));
  }

  private guard(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.onWatcherError(error);
    }
  }

  /**
   * Someone may wait for watches to reach `revision`. The tail usually gets there by itself;
   * when it has not after a short grace, a barrier write takes it there.
   */
  private needProgress(revision: number): void {
    if (this.subscribers.size === 0 || revision <= this.seen) return;
    this.wantProgress = Math.max(this.wantProgress, revision);
    if (this.barrierBusy) return;
    this.barrierBusy = true;
    setTimeout(() => void this.writeBarriers(), this.barrierGraceMs).unref();
  }

  private async writeBarriers(): Promise<void> {
    let failures = 0;
    while (!this.closed && this.subscribers.size > 0 && this.wantProgress > this.seen) {
      const want = this.wantProgress;
      try {
        await this.client.kv.put({ key: this.barrierKey, value: Buffer.alloc(0) });
      } catch {
        await sleep(RECONNECT_MS[Math.min(failures++, RECONNECT_MS.length - 1)]);
        continue;
      }
      // Committed after `want` was: its event takes the tail past it. A later need takes another.
      if (this.wantProgress === want) break;
    }
    this.barrierBusy = false;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const sub of this.subscribers) sub.active = false;
    this.subscribers.clear();
    this.stopTail();
    this.client.close();
  }
}
