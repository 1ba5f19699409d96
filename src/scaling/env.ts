import type { Clock, Ids } from '../common/index.ts';
import type { Store } from '../state/index.ts';
import type { Scope } from './records.ts';

/** How scaling reads and sets an ECS service's desiredCount (wired to the ECS domain's staged service write). */
export interface ServicesPort {
  /** The ACTIVE service's desiredCount, or undefined when there is no such service. */
  desiredCount(scope: Scope, clusterName: string, serviceName: string): Promise<number | undefined>;
  setDesiredCount(scope: Scope, clusterName: string, serviceName: string, desiredCount: number): Promise<void>;
}

/** What the scaling domain's functions run on. */
export interface ScalingEnv {
  store: Store;
  clock: Clock;
  ids: Ids;
  services: ServicesPort;
  /**
   * The period, in seconds, of the alarms target tracking creates: 60 as AWS's; an operator may
   * choose 10 or 30 (high resolution, with ECS's metrics stored per second) for faster reaction.
   */
  trackingPeriod?: number;
}
