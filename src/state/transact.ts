import type { Compare, Op, Store } from './store.ts';

/** A decoded JSON document with the revision it was read at. */
export interface Doc<T> {
  key: string;
  value: T;
  modRevision: number;
}

/** Reads a JSON document, or undefined when the key is absent. */
export async function getDoc<T>(store: Store, key: string): Promise<Doc<T> | undefined> {
  const kv = await store.get(key);
  return kv && { key: kv.key, value: JSON.parse(kv.value) as T, modRevision: kv.modRevision };
}

/** Reads every JSON document under a prefix, in key order, paging through the store. */
export async function listDocs<T>(store: Store, prefix: string): Promise<Doc<T>[]> {
  const docs: Doc<T>[] = [];
  let startAfter: string | undefined;
  for (;;) {
    const page = await store.range(prefix, { startAfter, limit: 1000 });
    for (const kv of page.kvs) docs.push({ key: kv.key, value: JSON.parse(kv.value) as T, modRevision: kv.modRevision });
    if (!page.more || page.kvs.length === 0) return docs;
    startAfter = page.kvs[page.kvs.length - 1].key;
  }
}

/**
 * An optimistic transaction: every key read through it becomes a revision compare, every
 * write is buffered, and commit applies the writes only if nothing read has changed since.
 * Absent keys read through `get` are guarded too (they must still be absent).
 */
export class Tx {
  private readonly reads = new Map<string, number>();
  private readonly writes = new Map<string, Op>();

  /** The store this transaction reads and commits to (caches of derived data are kept per store). */
  constructor(readonly store: Store) {}

  async get<T>(key: string): Promise<T | undefined> {
    const pending = this.writes.get(key);
    if (pending) return pending.type === 'put' ? (JSON.parse(pending.value) as T) : undefined;
    const kv = await this.store.get(key);
    if (!this.reads.has(key)) this.reads.set(key, kv?.modRevision ?? 0);
    return kv ? (JSON.parse(kv.value) as T) : undefined;
  }

  /**
   * Reads `key` with its revision, guarding the commit on it; -1 for a value this transaction
   * itself wrote, 0 for none. A cache of what depends on the key can be reused while it stays.
   */
  async revisionOf(key: string): Promise<number> {
    if (this.writes.has(key)) return -1;
    const kv = await this.store.get(key);
    if (!this.reads.has(key)) this.reads.set(key, kv?.modRevision ?? 0);
    return this.reads.get(key)!;
  }

  /** Lists a prefix in key order, with this transaction's own writes applied, guarding each stored key read (keys created later are not guarded). */
  async list<T>(prefix: string): Promise<T[]> {
    const byKey = new Map<string, T>();
    for (const doc of await listDocs<T>(this.store, prefix)) {
      if (!this.reads.has(doc.key)) this.reads.set(doc.key, doc.modRevision);
      byKey.set(doc.key, doc.value);
    }
    for (const [key, op] of this.writes) {
      if (!key.startsWith(prefix)) continue;
      if (op.type === 'put') byKey.set(key, JSON.parse(op.value) as T);
      else byKey.delete(key);
    }
    return [...byKey.keys()].sort().map((key) => byKey.get(key)!);
  }

  /**
   * Guards the commit on `key` still being at `modRevision`, for a value read elsewhere (an
   * in-memory cache fed by the store's watch) rather than through this transaction.
   */
  guard(key: string, modRevision: number): void {
    if (!this.reads.has(key)) this.reads.set(key, modRevision);
  }

  put<T>(key: string, value: T): void {
    this.writes.set(key, { type: 'put', key, value: JSON.stringify(value) });
  }

  delete(key: string): void {
    this.writes.set(key, { type: 'delete', key });
  }

  /** Applies the buffered writes if every read is still current. */
  async commit(): Promise<boolean> {
    if (this.writes.size === 0) return true;
    const compares: Compare[] = [...this.reads].map(([key, modRevision]) => ({ key, modRevision }));
    const result = await this.store.txn(compares, [...this.writes.values()]);
    return result.succeeded;
  }
}

/** Raised when a transaction keeps losing races; callers see it as a retryable server error. */
export class ConflictError extends Error {
  constructor() {
    super('Too many concurrent changes; try again.');
    this.name = 'ConflictError';
  }
}

/**
 * Runs `body` in a fresh Tx and commits it, retrying from scratch when another writer got
 * there first. Whatever `body` throws aborts the transaction with nothing written.
 */
export async function transact<R>(store: Store, body: (tx: Tx) => Promise<R>, maxAttempts = 100): Promise<R> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const tx = new Tx(store);
    const result = await body(tx);
    if (await tx.commit()) return result;
  }
  throw new ConflictError();
}
