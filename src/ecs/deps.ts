import type { Clock, Ids } from '../common/index.ts';
import type { Place, Rng } from '../scheduler/index.ts';
import type { Store } from '../state/index.ts';
import type { EfsPort } from './efs-volumes.ts';
import type { EcsInformers } from './informers.ts';
import type { TaskRolesPort } from './task-roles.ts';

/**
 * What ECS's domain works with, and so the ECS API adapter and the service controller too: the
 * store, time, ids and randomness, placement, and the control plane's shared informers.
 */
export interface EcsDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  place: Place;
  /** Placement's random source (ties, the random strategy): seeded in tests so placements replay. */
  rng: Rng;
  /** Tasks, container instances and services, decoded and indexed in memory: launches place against the instances. */
  informers: EcsInformers;
  /** EFS file systems and access points, for tasks with EFS volumes; absent, such tasks are refused. */
  efs?: EfsPort;
  /** Whether ECS may assume the roles a task names; absent, they are not checked at launch. */
  roles?: TaskRolesPort;
}
