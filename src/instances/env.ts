/** What the instances part's writes run on: the store, and time and ids as ports. */
import type { Clock, Ids } from '../common/index.ts';
import type { Store, Tx } from '../state/index.ts';
import type { InstanceRecord } from './records.ts';

/** The store the records live in, the clock that dates them and the source of their random ids. */
export interface InstancesEnv {
  store: Store;
  clock: Clock;
  ids: Ids;
  /** Told of each instance that reaches a new state, in the transaction that records it (EventBridge's state-change notifications). */
  onInstanceState?: (tx: Tx, instance: InstanceRecord, now: number) => Promise<void>;
}
