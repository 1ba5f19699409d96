import type { Clock, Ids } from '../common/index.ts';
import type { Store } from '../state/index.ts';
import type { InstancesPort } from './ports.ts';

/** What the Auto Scaling domain's functions run on. */
export interface AutoScalingEnv {
  store: Store;
  clock: Clock;
  ids: Ids;
  /** EC2 instances: launch templates are resolved through it on create and update. */
  instances: InstancesPort;
}
