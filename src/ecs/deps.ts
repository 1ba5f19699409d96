import type { Clock, Ids } from '../common/index.ts';
import type { Place, Rng } from '../scheduler/index.ts';
import type { Store } from '../state/index.ts';
import type { InstanceCache } from './instance-cache.ts';

/**
 * What ECS's domain works with, and so the ECS API adapter and the service controller too: the
 * store, time, ids and randomness, placement, and the decoded container instances.
 */
export interface EcsDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  place: Place;
  /** Placement's random source (ties, the random strategy): seeded in tests so placements replay. */
  rng: Rng;
  /** The container instances, decoded in memory, that launches place against. */
  instances: InstanceCache;
}
