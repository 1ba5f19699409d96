import type { Clock, Ids } from '../../common/clock.ts';
import type { Store } from '../../state/store.ts';
import type { Placer } from '../../scheduler/index.ts';

/** What the ECS actions are given to work with: the store, time and ids, placement. */
export interface EcsDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  place: Placer;
}
