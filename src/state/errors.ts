/** The state layer's errors that callers tell apart (by class, never by message), and bounded lease release. */

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

/**
 * Gives a lease up, waiting at most `ms`: without a quorum etcd never answers, and a replica
 * shutting down must not hang on it (the lease then simply expires).
 */
export async function revokeWithin(lease: { revoke(): Promise<void> }, ms = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    lease.revoke().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}
