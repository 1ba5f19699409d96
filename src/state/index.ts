/**
 * The state layer's public face: the Store contract every backend meets, the embedded SQLite
 * backend and the etcd one (with local etcd clusters for trying and testing it), the
 * optimistic-transaction helpers that services and controllers write through, and informers
 * (watch-fed, indexed caches of one prefix) that they read through.
 */
export type {
  Compare,
  KeyValue,
  Op,
  RangeOptions,
  RangeResult,
  Store,
  TxnResult,
  Unwatch,
  WatchEvent,
  WatchOptions,
} from './store.ts';
export { SqliteStore, StoreClosedError, StoreLockedError } from './sqlite.ts';
export type { SqliteStoreOptions } from './sqlite.ts';
export { BACKUP_FORMAT, BackupError, backupLines, restoreLines } from './backup.ts';
export { EtcdStore, bytesPrefixEnd } from './etcd.ts';
export { NotLeaderError, StoreUnavailableError } from './errors.ts';
export type { EtcdStoreOptions } from './etcd.ts';
export { ElectionClosedError, EtcdElection, LocalElection } from './election.ts';
export type { Election, EtcdElectionOptions, Term } from './election.ts';
export { EtcdPresence, LocalPresence } from './presence.ts';
export type { Presence } from './presence.ts';
export { EtcdCluster, freePort } from './etcd-cluster.ts';
export type { EtcdClusterOptions } from './etcd-cluster.ts';
export { ConflictError, getDoc, listDocs, transact, Tx } from './transact.ts';
export type { Doc } from './transact.ts';
export { compareKeys, decodeJson, Informer, InformerClosedError, InformerDecodeError } from './informer.ts';
export type { IndexFunc, InformerChange, InformerOptions } from './informer.ts';
