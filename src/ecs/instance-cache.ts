/**
 * Every container instance document, decoded, in memory: what RunTask places against, so a
 * launch does not read and decode a whole cluster from the store. The store stays the truth:
 * the cache is listed once and fed by the store's watch, and a launch guards its commit on the
 * revisions of the instances it chose — if one changed meanwhile, the commit fails and the
 * launch is placed again on the (by then updated) cache.
 */
import type { Doc, Store, WatchEvent } from '../state/index.ts';
import { keys, type ContainerInstanceRecord, type Scope } from './records.ts';

/** The container instances of every cluster, by cluster prefix, as last seen in the store. */
export class InstanceCache {
  private readonly byCluster = new Map<string, Map<string, Doc<ContainerInstanceRecord>>>();
  /** Revision of the latest change seen per key (deletes included), so the listing never goes back. */
  private readonly seen = new Map<string, number>();
  private readonly unwatch: () => void;
  /** Resolves once the initial listing is in. */
  readonly ready: Promise<void>;

  constructor(private readonly store: Store) {
    this.unwatch = store.watch(keys.allInstances, (e) => this.onEvent(e));
    this.ready = this.build();
    this.ready.catch(() => undefined); // reported to whoever awaits it
  }

  /** The cluster's instance documents (with the revisions they were seen at). */
  async list(scope: Scope, cluster: string): Promise<Doc<ContainerInstanceRecord>[]> {
    await this.ready;
    return [...(this.byCluster.get(keys.instances(scope, cluster))?.values() ?? [])];
  }

  close(): void {
    this.unwatch();
  }

  private onEvent(event: WatchEvent): void {
    const { key, value, modRevision } = event.kv;
    this.apply(key, event.type === 'put' ? value : undefined, modRevision);
  }

  private async build(): Promise<void> {
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.store.range(keys.allInstances, { startAfter, limit: 1000 });
      for (const kv of page.kvs) this.apply(kv.key, kv.value, kv.modRevision);
      if (!page.more || page.kvs.length === 0) return;
      startAfter = page.kvs[page.kvs.length - 1].key;
    }
  }

  /** Records the document at `modRevision` (undefined `value`: deleted), unless a newer change was seen. */
  private apply(key: string, value: string | undefined, modRevision: number): void {
    if ((this.seen.get(key) ?? 0) >= modRevision) return;
    this.seen.set(key, modRevision);
    const prefix = key.slice(0, key.lastIndexOf('/') + 1);
    let cluster = this.byCluster.get(prefix);
    if (value === undefined) {
      cluster?.delete(key);
      return;
    }
    if (!cluster) this.byCluster.set(prefix, (cluster = new Map()));
    cluster.set(key, { key, value: JSON.parse(value) as ContainerInstanceRecord, modRevision });
  }
}
