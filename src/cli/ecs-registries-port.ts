/**
 * How ECS reaches Cloud Map for services with service registries: the discovery domain's
 * instances, registered and deregistered in ECS's own transactions (each with its Cloud Map
 * operation, as a RegisterInstance would have), and their custom health set from their tasks'.
 */
import { AwsError } from '../aws/index.ts';
import type { Clock, Ids } from '../common/index.ts';
import { keys, parseDiscoveryArn, stageCustomHealth, stageDeregisterInstance, stageRegisterInstance, type InstanceRecord } from '../discovery/index.ts';
import type { RegistriesPort } from '../ecs/index.ts';
import type { Store } from '../state/index.ts';

/** The registries port over `store`. */
export function ecsRegistriesPort(store: Store, clock: Clock, ids: Ids): RegistriesPort {
  const env = { store, clock, ids };
  /** The Cloud Map service `arn` names in `scope`. */
  const serviceOf = (scope: { account: string; region: string }, arn: string) => {
    const p = parseDiscoveryArn(arn);
    return p?.kind === 'service' && p.scope.account === scope.account && p.scope.region === scope.region ? p.id : undefined;
  };
  return {
    async registered(tx, scope, arn, cluster, service) {
      const id = serviceOf(scope, arn);
      if (!id || !(await tx.get(keys.service(scope, id)))) return undefined;
      const mine = (await tx.list<InstanceRecord>(keys.instances(scope, id)))
        .filter((i) => i.attributes.ECS_CLUSTER_NAME === cluster && i.attributes.ECS_SERVICE_NAME === service);
      return new Map(mine.map((i) => [i.id, { attributes: i.attributes, ...(i.customHealth && { health: i.customHealth }) }]));
    },
    async register(tx, scope, arn, instanceId, attributes, health) {
      try {
        await stageRegisterInstance(tx, env, scope, { serviceId: arn, instanceId, attributes });
        const key = keys.instance(scope, serviceOf(scope, arn)!, instanceId);
        const instance = await tx.get<InstanceRecord>(key);
        // Under HealthCheckCustomConfig the task's health is the instance's from its registration on.
        if (instance?.customHealth !== undefined && instance.customHealth !== health) tx.put<InstanceRecord>(key, { ...instance, customHealth: health });
        return undefined;
      } catch (error) {
        if (error instanceof AwsError) return error.message;
        throw error;
      }
    },
    async setHealth(tx, scope, arn, instanceId, health) {
      await stageCustomHealth(tx, env, scope, arn, instanceId, health).catch((error: unknown) => {
        if (!(error instanceof AwsError)) throw error; // gone, or no custom health: nothing to set
      });
    },
    async deregister(tx, scope, arn, instanceId) {
      await stageDeregisterInstance(tx, env, scope, arn, instanceId).catch((error: unknown) => {
        if (!(error instanceof AwsError)) throw error; // gone already: nothing to deregister
      });
    },
  };
}
