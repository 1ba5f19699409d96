/**
 * The service controller's service-discovery step, inside its transaction: every RUNNING task of
 * a service with `serviceRegistries` (and still wanted) is an instance of each registry's Cloud
 * Map service, its attributes kept current; an instance ECS registered whose task is asked to
 * stop, has stopped or is gone is deregistered; its custom health (HealthCheckCustomConfig) follows
 * the task's. Level-triggered: the registry's own instances
 * (those ECS marked with the service's name) are what was done.
 */
import type { ServiceRegistry } from '@aws-sdk/client-ecs';
import type { Tx } from '../../state/index.ts';
import {
  instanceAttributes, launchSpecOf, registryHealth, scopeOfService, usesTaskSets, type ContainerInstanceRecord, type RegistriesPort, type RegistryHealth, type ServiceRecord, type TaskRecord,
} from '../../ecs/index.ts';
import { messages } from './messages.ts';

/** Registers and deregisters the service's tasks; returns what to say once (a registry refusing). */
export async function applyRegistries(
  tx: Tx, port: RegistriesPort, service: ServiceRecord, tasks: ReadonlyMap<string, TaskRecord>, instances: ReadonlyMap<string, ContainerInstanceRecord>,
): Promise<string[]> {
  const notes: string[] = [];
  const scope = scopeOfService(service);
  // A service running task sets registers each task in its task set's registries (a DRAINING one's too, until its tasks go).
  const registriesOf = (task: TaskRecord) => (usesTaskSets(service) ? launchSpecOf(service, task.startedBy)?.serviceRegistries ?? [] : service.serviceRegistries);
  const registries = usesTaskSets(service) ? distinct((service.taskSets ?? []).flatMap((t) => t.serviceRegistries)) : service.serviceRegistries;
  for (const registry of registries) {
    const arn = registry.registryArn;
    if (!arn) continue;
    const registered = await port.registered(tx, scope, arn, service.clusterName, service.name);
    if (registered === undefined) {
      notes.push(messages.registryMissing(service.name, arn));
      continue;
    }
    const wanted = new Map<string, { attributes: Record<string, string>; health: RegistryHealth }>();
    for (const task of tasks.values()) {
      if (task.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING') continue;
      if (!registriesOf(task).some((r) => r.registryArn === arn)) continue;
      const attributes = instanceAttributes(task, task.containerInstanceId ? instances.get(task.containerInstanceId) : undefined, registry, service.name);
      // A task set's externalId is its instances' ECS_TASK_SET_EXTERNAL_ID, as ECS registers it.
      const externalId = service.taskSets?.find((t) => t.id === task.startedBy)?.externalId;
      if (attributes) {
        wanted.set(task.id, {
          attributes: externalId === undefined ? attributes : { ...attributes, ECS_TASK_SET_EXTERNAL_ID: externalId },
          health: registryHealth(task),
        });
      }
    }
    for (const id of registered.keys()) if (!wanted.has(id)) await port.deregister(tx, scope, arn, id);
    for (const [id, { attributes, health }] of wanted) {
      const now = registered.get(id);
      if (now && JSON.stringify(now.attributes) === JSON.stringify(attributes)) {
        // Registered as it is; its health (kept only under HealthCheckCustomConfig) may have changed.
        if (now.health !== undefined && now.health !== health) await port.setHealth(tx, scope, arn, id, health);
        continue;
      }
      const refused = await port.register(tx, scope, arn, id, attributes, health);
      if (refused) notes.push(messages.registryRefused(service.name, arn, refused));
    }
  }
  return notes;
}

/** Registries by ARN, the first of each. */
function distinct(list: ServiceRegistry[]): ServiceRegistry[] {
  const seen = new Set<string | undefined>();
  return list.filter((r) => !seen.has(r.registryArn) && seen.add(r.registryArn));
}
