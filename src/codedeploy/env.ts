import type { Clock, Ids } from '../common/index.ts';
import type { Store } from '../state/index.ts';

/** What CodeDeploy's domain functions run on. */
export interface CodeDeployEnv {
  store: Store;
  clock: Clock;
  ids: Ids;
}
