/**
 * Both store backends for a domain's tests: a fresh SQLite store in memory, or a fresh root in
 * one etcd member started on first use. Every store opened is closed, and the member stopped,
 * after the file's tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { EtcdCluster } from './etcd-cluster.ts';
import { EtcdStore } from './etcd.ts';
import { SqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

/** `{ SQLite, etcd }`, each opening a fresh, empty store; `name` prefixes the etcd roots. */
export function storeBackends(name: string): Record<'SQLite' | 'etcd', () => Promise<Store>> {
  const root = mkdtempSync(join(tmpdir(), `wharf-${name}-`));
  let etcd: Promise<EtcdCluster> | undefined;
  const opened: Store[] = [];
  let counter = 0;
  after(async () => {
    for (const s of opened) await s.close();
    if (etcd) await (await etcd).stop();
    rmSync(root, { recursive: true, force: true });
  });
  const track = (store: Store) => {
    opened.push(store);
    return store;
  };
  return {
    SQLite: async () => track(SqliteStore.open(':memory:')),
    etcd: async () => {
      etcd ??= EtcdCluster.start({ members: 1, dir: join(root, 'etcd') });
      return track(new EtcdStore({ hosts: (await etcd).hosts, root: `${name}-${++counter}/` }));
    },
  };
}
