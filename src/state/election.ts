/**
 * Leader election: one process at a time runs the controllers. With SQLite there is one
 * process, and it leads. With etcd the leader holds a key bound to a lease it keeps alive; when
 * it dies or is cut off, the lease expires, the key goes, and another replica takes it.
 *
 * A term's writes are fenced: they go through a store whose every transaction also requires the
 * term's key to be the one this leader created, so a leader that lost its lease (and may not
 * know it yet) can never write again.
 */
import type { Lease } from 'etcd3';
import { revokeWithin } from './errors.ts';
import type { EtcdStore } from './etcd.ts';
import type { Store } from './store.ts';

/** One stretch of leadership. */
export interface Term {
  /** Who leads (this process's candidate name). */
  leader: string;
  /** The store the leader writes through: refuses with NotLeaderError once the term is over. */
  store: Store;
  /** Resolves when the term ends (lease lost, resigned, or the election closed). */
  ended: Promise<void>;
  /** Gives the term up (another candidate, or this one again, may lead next). */
  resign(): Promise<void>;
}

/** A way to become leader. */
export interface Election {
  /** Resolves once this process leads; rejects with ElectionClosedError if closed first. */
  campaign(): Promise<Term>;
  /** The current leader's name, as the store says (undefined while there is none). */
  leader(): Promise<string | undefined>;
  /** Ends any term (resigning, so another replica takes over at once) and stops campaigning. */
  close(): Promise<void>;
}

/** campaign() after (or during) close(). */
export class ElectionClosedError extends Error {
  constructor() {
    super('The election is closed.');
    this.name = 'ElectionClosedError';
  }
}

/** The only process: it leads from the start until closed. */
export class LocalElection implements Election {
  private closed = false;
  private end?: () => void;

  constructor(private readonly store: Store, private readonly name = 'local') {}

  async campaign(): Promise<Term> {
    if (this.closed || this.end) throw new ElectionClosedError();
    const ended = new Promise<void>((resolve) => (this.end = resolve));
    const resign = async () => {
      this.end?.();
      this.end = undefined;
    };
    return { leader: this.name, store: this.store, ended, resign };
  }

  async leader(): Promise<string | undefined> {
    return this.closed ? undefined : this.name;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.end?.();
  }
}

/** How an etcd election runs. */
export interface EtcdElectionOptions {
  /** What is led (one key per name): `controllers`. */
  name: string;
  /** This replica's name, shown as the leader. */
  candidate: string;
  /** The lease's time to live: how long a dead leader holds on (default 3 s). */
  ttlSeconds?: number;
  /** How often a follower checks for a vacancy (default 250 ms). */
  pollMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Leader election on etcd: a key created only if absent, bound to a kept-alive lease. */
export class EtcdElection implements Election {
  private readonly key: string;
  private closed = false;
  private lease?: Lease;
  private end?: () => void;

  constructor(private readonly store: EtcdStore, private readonly o: EtcdElectionOptions) {
    this.key = `${store.rootPrefix}leader/${o.name}`;
  }

  async campaign(): Promise<Term> {
    const client = this.store.etcd;
    const ttl = this.o.ttlSeconds ?? 3;
    while (!this.closed) {
      try {
        if (await this.leader() === undefined) {
          const lease = client.lease(ttl, { autoKeepAlive: true });
          lease.on('lost', () => undefined); // handled below, through the term
          const taken = await client.if(this.key, 'Create', '==', 0).then(lease.put(this.key).value(this.o.candidate)).commit();
          if (taken.succeeded) return this.begin(lease, Number(taken.header.revision), ttl);
          await revokeWithin(lease);
        }
      } catch {
        // etcd unreachable: keep trying while open.
      }
      await sleep(this.o.pollMs ?? 250);
    }
    throw new ElectionClosedError();
  }

  /** A term from the revision that created the key, ended when the lease is not renewed in time. */
  private begin(lease: Lease, createRevision: number, ttl: number): Term {
    this.lease = lease;
    let renewed = Date.now();
    let check: NodeJS.Timeout | undefined;
    const ended = new Promise<void>((resolve) => {
      this.end = () => {
        clearInterval(check);
        this.lease = undefined;
        this.end = undefined;
        resolve();
      };
    });
    const end = () => this.end?.();
    lease.on('keepaliveSucceeded', () => (renewed = Date.now()));
    lease.on('lost', end);
    // Unrenewed for a whole TTL, the lease may have expired on the server: stop acting now
    // (the fence already refuses the writes; this stops the work).
    check = setInterval(() => {
      if (Date.now() - renewed > ttl * 1000) {
        end();
        lease.release();
      }
    }, 200);
    check.unref();
    const resign = async () => {
      end();
      await revokeWithin(lease);
    };
    return { leader: this.o.candidate, store: this.store.fenced(this.key, createRevision), ended, resign };
  }

  async leader(): Promise<string | undefined> {
    return (await this.store.etcd.get(this.key).string()) ?? undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    const lease = this.lease;
    this.end?.();
    // Resign: the key goes with the lease, and the next replica need not wait for it to expire.
    if (lease) await revokeWithin(lease);
  }
}
