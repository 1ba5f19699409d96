/** What the instances part's writes run on: the store, and time and ids as ports. */
import type { Clock, Ids } from '../common/index.ts';
import type { Store } from '../state/index.ts';

/** The store the records live in, the clock that dates them and the source of their random ids. */
export interface InstancesEnv {
  store: Store;
  clock: Clock;
  ids: Ids;
}
