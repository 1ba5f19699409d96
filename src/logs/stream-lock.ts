/**
 * Appends to one log stream from several control-plane replicas, one at a time. Each replica
 * serializes its own appends in memory (event-store.ts); across replicas sharing a logs
 * directory, an append holds the stream's lock key in the store while it writes: created only
 * when absent, deleted by its holder after the batch is on disk. A holder that died mid-append
 * leaves a key that the next writer takes over once it is older than `staleMs` (the writer then
 * cuts off the torn tail it left, as after any crash). Waiting writers follow the key's watch.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../common/index.ts';
import type { Store } from '../state/index.ts';

/** Runs `work` while no other process appends to the same stream. */
export type StreamLock = <R>(streamDir: string, work: () => Promise<R>) => Promise<R>;

interface Held {
  owner: string;
  takenAt: number;
}

/** Where the locks live in the store. */
export const STREAM_LOCKS = 'logs-lock/';

/** A StreamLock held in `store`; `owner` names this process (a replica name and pid). */
export function storeStreamLock(store: Store, clock: Clock, owner: string, staleMs = 30_000): StreamLock {
  return async (streamDir, work) => {
    const key = `${STREAM_LOCKS}${createHash('sha256').update(streamDir).digest('hex').slice(0, 40)}`;
    let revision = 0;
    for (;;) {
      const value = JSON.stringify({ owner, takenAt: clock.now() } satisfies Held);
      const current = await store.get(key);
      const stale = current !== undefined && clock.now() - (JSON.parse(current.value) as Held).takenAt >= staleMs;
      if (current === undefined || stale) {
        const result = await store.txn([{ key, modRevision: current?.modRevision ?? 0 }], [{ type: 'put', key, value }]);
        if (result.succeeded) {
          revision = result.revision;
          break;
        }
        continue;
      }
      await released(store, key, current.modRevision, staleMs);
    }
    try {
      return await work();
    } finally {
      // Guarded on our own write: a lock taken over as stale is not ours to delete.
      await store.txn([{ key, modRevision: revision }], [{ type: 'delete', key }]).catch(() => undefined);
    }
  };
}

/** Resolves when the key changes after `modRevision` (or after a while, to look again). */
function released(store: Store, key: string, modRevision: number, staleMs: number): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unwatch();
      resolve();
    };
    const timer = setTimeout(finish, Math.min(staleMs, 1000));
    const unwatch = store.watch(key, (event) => {
      if (event.kv.key === key && event.kv.modRevision > modRevision) finish();
    }, { fromRevision: modRevision + 1 });
  });
}
