/** The state layer's errors that callers tell apart (by class, never by message). */

/** The store cannot reach a quorum of etcd members (or etcd refused the call): nothing was written. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`The store (etcd) is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StoreUnavailableError';
  }
}

/** A write refused because the term it belonged to is over. */
export class NotLeaderError extends Error {
  constructor(message = 'This replica is no longer the leader: its term ended, and its writes are refused.') {
    super(message);
    this.name = 'NotLeaderError';
  }
}
