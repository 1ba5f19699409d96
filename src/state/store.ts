/**
 * The key-value contract every state backend meets (embedded SQLite now, etcd later).
 * Modeled on etcd v3: one global revision that every committed write advances, per-key
 * create/mod revisions, transactions guarded by revision compares, and watches that replay
 * history from a revision before following live changes.
 */

/** One stored key with the revisions etcd would report for it. */
export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this key (since it last did not exist). */
  createRevision: number;
  /** Revision of the last write to this key. */
  modRevision: number;
  /** Number of writes to this key since it was created (1 after the create). */
  version: number;
}

/**
 * A guard on a transaction: the key's modRevision must equal `modRevision`.
 * `modRevision: 0` means "the key must not exist".
 */
export interface Compare {
  key: string;
  modRevision: number;
}

/** One write inside a transaction. */
export type Op =
  | { type: 'put'; key: string; value: string }
  | { type: 'delete'; key: string }
  | { type: 'deletePrefix'; prefix: string };

export interface TxnResult {
  /** False when a compare failed; nothing was written then. */
  succeeded: boolean;
  /** The store's revision after the transaction (unchanged when it failed or wrote nothing). */
  revision: number;
}

export interface RangeOptions {
  /** Return keys strictly greater than this one (for paging through a prefix). */
  startAfter?: string;
  /** At most this many keys, in key order. */
  limit?: number;
  /**
   * Read as of this revision, so that pages of one listing agree (a backup). etcd serves any
   * revision not yet compacted; SQLite keeps only the current one and refuses any other with a
   * RangeError (the caller starts again).
   */
  revision?: number;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** The store revision the range was read at. */
  revision: number;
  /** True when `limit` cut the result short. */
  more: boolean;
}

/** A change seen by a watch. For a delete, `kv.value` is '' and `kv.modRevision` is the delete's revision. */
export interface WatchEvent {
  type: 'put' | 'delete';
  kv: KeyValue;
  /** The value before this change, when there was one. */
  prevKv?: KeyValue;
}

/** Stops a watch; no events, progress or compaction notices are delivered after it returns. */
export type Unwatch = () => void;

/**
 * How a watch starts and what else it reports. Watches may be established asynchronously and
 * their callbacks may run before or after `watch()` returns and after the txn that caused them
 * resolved: callers wait for what they expect, never assume it already happened.
 */
export interface WatchOptions {
  /**
   * Deliver every change with revision >= fromRevision (history first, then live), however
   * late the watch is established. Omitted: nothing committed before `watch()` was called, then
   * every change from the (backend-chosen) revision at which the watch was established.
   */
  fromRevision?: number;
  /**
   * Called when fromRevision is older than the retained history, or when the watch fell behind
   * a compaction: the watch is over (nothing follows), and the caller must re-list.
   */
  onCompacted?: (compactRevision: number) => void;
  /**
   * A progress notification (etcd's): every change under the prefix with revision <= `revision`
   * has been delivered. Revisions never go down, and after a txn() on this store resolves at N a
   * notification with a revision >= N follows, even when the txn touched no key under the prefix.
   * Lets a watch-fed cache say how current it is (see Informer.waitForRevision).
   */
  onProgress?: (revision: number) => void;
}

/**
 * The store. All writes go through `txn`, so every write can be guarded by the revisions
 * its author read: a lost race is seen as `succeeded: false` and retried by the caller.
 */
export interface Store {
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys beginning with `prefix`, in key order. */
  range(prefix: string, options?: RangeOptions): Promise<RangeResult>;
  /** All compares hold → all ops are applied atomically at one new revision; else nothing. */
  txn(compares: Compare[], ops: Op[]): Promise<TxnResult>;
  /** Changes to keys beginning with `prefix`, in revision order, each delivered once. */
  watch(prefix: string, onEvent: (event: WatchEvent) => void, options?: WatchOptions): Unwatch;
  /** The current revision (0 for an empty, never-written store). */
  revision(): Promise<number>;
  /**
   * Discards change history before `revision` (etcd's compaction): later watches from an older
   * revision, and watches still behind it, get onCompacted. Keys and values are untouched.
   * Rejects with a RangeError for a revision above the current one; an older one is a no-op.
   * Optional in the type so wrappers and fakes need not offer it; the contract requires it.
   */
  compact?(revision: number): Promise<void>;
  close(): Promise<void>;
}
