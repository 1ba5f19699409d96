/**
 * Which control-plane replicas are alive. Each replica joins under an id unique to its run
 * (name and incarnation), held by a lease with etcd; the leader compares the agents' links
 * against it: an instance linked through a replica that is gone has lost its agent, even though
 * that replica never got to say so.
 */
import type { Lease } from 'etcd3';
import { revokeWithin } from './errors.ts';
import type { EtcdStore } from './etcd.ts';

/** The live replicas, as this replica sees them. */
export interface Presence {
  /** This replica's id: `<name>#<incarnation>`. */
  readonly id: string;
  /** The ids of every live replica (this one included while it holds its place). */
  members(): Promise<Set<string>>;
  close(): Promise<void>;
}

/** One process: it alone is alive. */
export class LocalPresence implements Presence {
  constructor(readonly id: string) {}

  async members(): Promise<Set<string>> {
    return new Set([this.id]);
  }

  async close(): Promise<void> {}
}

/**
 * Presence on etcd: `<root>replicas/<id>` bound to a kept-alive lease. When the lease is lost
 * (the replica was cut off past its TTL), it joins again and calls `onRejoined`: the leader may
 * have counted its agents as gone meanwhile.
 */
export class EtcdPresence implements Presence {
  private lease?: Lease;
  private closed = false;

  private constructor(
    private readonly store: EtcdStore,
    readonly id: string,
    private readonly ttlSeconds: number,
    private readonly onRejoined: () => void,
  ) {}

  /** Joins and resolves once this replica's key is in place. */
  static async join(store: EtcdStore, id: string, o: { ttlSeconds?: number; onRejoined?: () => void } = {}): Promise<EtcdPresence> {
    const presence = new EtcdPresence(store, id, o.ttlSeconds ?? 3, o.onRejoined ?? (() => undefined));
    await presence.hold();
    return presence;
  }

  private get prefix(): string {
    return `${this.store.rootPrefix}replicas/`;
  }

  private async hold(): Promise<void> {
    const lease = this.store.etcd.lease(this.ttlSeconds, { autoKeepAlive: true });
    this.lease = lease;
    lease.on('lost', () => {
      if (this.closed || this.lease !== lease) return;
      void this.rejoin();
    });
    await lease.put(`${this.prefix}${this.id}`).value('').exec();
  }

  private async rejoin(): Promise<void> {
    while (!this.closed) {
      try {
        await this.hold();
        this.onRejoined();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  async members(): Promise<Set<string>> {
    const keys = await this.store.etcd.getAll().prefix(this.prefix).keys();
    return new Set(keys.map((key) => key.slice(this.prefix.length)));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.lease) await revokeWithin(this.lease);
  }
}
