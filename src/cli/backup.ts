/**
 * `wharf backup` and `wharf restore`: a logical backup of either store (state/backup.ts), and
 * etcd's own snapshot. The store is opened directly: SQLite's file only while no wharf runs on
 * it (it is locked), etcd at any time (a backup is read at one revision).
 *
 *   wharf backup  (--data-dir DIR | --store etcd://...) --out FILE [--etcd-snapshot FILE]
 *   wharf restore FILE (--data-dir DIR | --store etcd://...)
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { backupLines, EtcdStore, restoreLines, StoreLockedError, type Store } from '../state/index.ts';
import { openSqlite, type StoreSpec } from './control-plane.ts';

/** Opens the store a backup or restore names. */
function openStore(spec: StoreSpec, dataDir: string): Store {
  if (spec.kind === 'etcd') return new EtcdStore(spec);
  try {
    return openSqlite(dataDir);
  } catch (error) {
    if (error instanceof StoreLockedError) {
      throw new Error(`${dataDir} is in use by a running wharf: stop it first (its SQLite file is locked while it runs)`, { cause: error });
    }
    throw error;
  }
}

/** Writes a backup of the store to `out` (mode 0600); answers the number of keys and the revision. */
export async function backup(spec: StoreSpec, dataDir: string, out: string, etcdSnapshot?: string): Promise<{ keys: number; revision: number; snapshotBytes?: number }> {
  const store = openStore(spec, dataDir);
  try {
    const file = createWriteStream(out, { mode: 0o600 });
    let keys = 0;
    let revision = 0;
    for await (const line of backupLines(store)) {
      const entry = JSON.parse(line) as { revision?: number; end?: boolean; keys?: number };
      if (entry.end) keys = entry.keys ?? 0;
      else if (entry.revision !== undefined && revision === 0) revision = entry.revision;
      if (!file.write(`${line}\n`)) await new Promise<void>((resolve) => file.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
    if (etcdSnapshot === undefined) return { keys, revision };
    if (!(store instanceof EtcdStore)) throw new Error('--etcd-snapshot needs an etcd store (--store etcd://...)');
    return { keys, revision, snapshotBytes: await store.etcdSnapshot(etcdSnapshot) };
  } finally {
    await store.close();
  }
}

/** The lines of `file`, read once iterated (readline drops lines that arrive before anyone iterates). */
async function* linesOf(file: string): AsyncGenerator<string> {
  yield* createInterface({ input: createReadStream(file), crlfDelay: Infinity });
}

/** Restores the backup in `file` into the (empty) store. */
export async function restore(spec: StoreSpec, dataDir: string, file: string): Promise<{ keys: number; revision: number }> {
  const store = openStore(spec, dataDir);
  try {
    return await restoreLines(store, linesOf(file));
  } finally {
    await store.close();
  }
}
