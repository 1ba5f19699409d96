import type { Clock, Ids } from '../../common/clock.ts';
import type { Store } from '../../state/store.ts';
import type { InstanceCache } from './instance-cache.ts';
import type { Place, Rng } from '../../scheduler/index.ts';

/** What the ECS actions are given to work with: the store, time, ids and randomness, placement. */
export interface EcsDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  place: Place;
  /** Placement's random source (ties, the random strategy): seeded in tests so placements replay. */
  rng: Rng;
  /** The container instances, decoded in memory, that RunTask places against. */
  instances: InstanceCache;
}
