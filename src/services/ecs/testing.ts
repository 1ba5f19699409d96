/**
 * Helpers the ECS actions' unit tests share: a testbed (the ECS domain's world, with a request
 * context and the actions bound to its deps), the assertions for a rejected request, and the
 * domain's seeding helpers and record fixtures. Not used by the actions.
 */
import type { ActionHandler, JsonRequestContext as RequestContext } from '../../aws/index.ts';
import type { EcsDeps } from '../../ecs/index.ts';
import { ecsWorld, scope, type EcsWorld } from '../../ecs/testing.ts';

export {
  instanceRecord, scope, seed, seedCluster, seedInstance, seedTask, seedTaskDefinition, storedInstance, taskDefinitionRecord, taskRecord,
} from '../../ecs/testing.ts';
export { expectAwsError, expectRejected } from '../../aws/testing.ts';

/** The request context every unit test calls the actions in (the account and region of `scope`). */
export const ctx: RequestContext = { region: scope.region, account: scope.account, requestId: 'req-1' };

/** One service's action table, as `clusterActions(deps)` and its siblings return it. */
export type Actions = Record<string, ActionHandler>;

/** A fresh world for one test, with the request context and a way to bind actions to its deps. */
export interface EcsTestbed extends EcsWorld {
  ctx: RequestContext;
  /** One service's actions over this testbed's deps: `bed.api(clusterActions)`. */
  api(actions: (deps: EcsDeps) => Actions): Actions;
}

/** A new testbed; close its store in `afterEach`. */
export function ecsTestbed(): EcsTestbed {
  const world = ecsWorld();
  return { ...world, ctx, api: (actions) => actions(world.deps) };
}
