/**
 * How Application Auto Scaling reads and sets an ECS service's desiredCount: the ECS domain's
 * staged desiredCount write, in one transaction on the service as read, so the service
 * controller then starts or stops tasks as it does for UpdateService.
 */
import { EcsErrors, serviceKeys, stageDesiredCount, type EcsDeps, type ServiceRecord } from '../ecs/index.ts';
import type { ServicesPort } from '../scaling/index.ts';
import { transact } from '../state/index.ts';

/** The services port over the ECS domain. */
export function scalingServicesPort(deps: Pick<EcsDeps, 'store' | 'clock' | 'changes'>): ServicesPort {
  return {
    async desiredCount(scope, cluster, name) {
      const service = await transact(deps.store, (tx) => tx.get<ServiceRecord>(serviceKeys.service(scope, cluster, name)));
      return service?.status === 'ACTIVE' ? service.desiredCount : undefined;
    },
    async setDesiredCount(scope, cluster, name, desiredCount) {
      await transact(deps.store, async (tx) => {
        const service = await tx.get<ServiceRecord>(serviceKeys.service(scope, cluster, name));
        if (!service || service.status !== 'ACTIVE') throw EcsErrors.serviceNotFound();
        await stageDesiredCount(tx, deps, service, desiredCount);
      });
    },
  };
}
