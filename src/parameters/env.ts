/** What the parameters domain runs on: the store, time as a port, and the sealer of SecureString values. */
import type { Clock, Sealer } from '../common/index.ts';
import type { Store } from '../state/index.ts';

/** The store the records live in, the clock that dates versions and the sealer that keeps SecureStrings. */
export interface ParametersEnv {
  store: Store;
  clock: Clock;
  sealer: Sealer;
}
