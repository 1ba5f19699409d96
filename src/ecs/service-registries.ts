/**
 * ECS services with `serviceRegistries`: each RUNNING task of the service is an instance of the
 * Cloud Map service the registry names (its id the task's id, as ECS registers them), with the
 * attributes ECS gives — the task's address (awsvpc: its interface; bridge and host: its host's),
 * the port for SRV records (the registry's `port`, or the host port bound for `containerPort`),
 * and the cluster, service and family it belongs to — and is deregistered once it is asked to
 * stop; where the Cloud Map service has HealthCheckCustomConfig, the instance's custom health is
 * the task's (UNHEALTHY while its containers' health checks say so), as ECS sets it. Cloud Map
 * itself is the discovery domain's: ECS reaches it through `RegistriesPort`.
 * Pure but for the port.
 */
import type { ServiceRegistry } from '@aws-sdk/client-ecs';
import { VPC_ADDRESS_ATTRIBUTE } from '../common/index.ts';
import type { Tx } from '../state/index.ts';
import type { ContainerInstanceRecord, Scope, TaskRecord } from './records.ts';

/** A task's health as its instance's custom health: UNHEALTHY when its containers' health checks say so, else HEALTHY. */
export type RegistryHealth = 'HEALTHY' | 'UNHEALTHY';

/** An instance ECS registered: its attributes, and its custom health when the registry's service has HealthCheckCustomConfig. */
export interface RegisteredInstance {
  attributes: Record<string, string>;
  health?: RegistryHealth;
}

/** How ECS reaches Cloud Map services (the control plane implements it over the discovery domain), staged in ECS's transaction. */
export interface RegistriesPort {
  /** The instances ECS registered in the registry for `service` (its `ECS_CLUSTER_NAME` and `ECS_SERVICE_NAME`), by id; undefined when the registry is gone. */
  registered(tx: Tx, scope: Scope, registryArn: string, cluster: string, service: string): Promise<Map<string, RegisteredInstance> | undefined>;
  /**
   * Registers (or updates) an instance, with `health` as its custom health where the registry's
   * service has HealthCheckCustomConfig; resolves to why Cloud Map refused, undefined when it did not.
   */
  register(tx: Tx, scope: Scope, registryArn: string, instanceId: string, attributes: Record<string, string>, health: RegistryHealth): Promise<string | undefined>;
  /** Sets a registered instance's custom health (UpdateInstanceCustomHealthStatus, as ECS calls it). */
  setHealth(tx: Tx, scope: Scope, registryArn: string, instanceId: string, health: RegistryHealth): Promise<void>;
  deregister(tx: Tx, scope: Scope, registryArn: string, instanceId: string): Promise<void>;
}

/** The custom health ECS reports for a task's instance. */
export const registryHealth = (task: Pick<TaskRecord, 'healthStatus'>): RegistryHealth => (task.healthStatus === 'UNHEALTHY' ? 'UNHEALTHY' : 'HEALTHY');

/** The attributes of a task's instance, or undefined while what they need is not known (the binding not reported yet). */
export function instanceAttributes(
  task: Pick<TaskRecord, 'spec' | 'containers' | 'eni' | 'clusterName' | 'group'>, instance: Pick<ContainerInstanceRecord, 'attributes'> | undefined,
  registry: ServiceRegistry, serviceName: string,
): Record<string, string> | undefined {
  const mode = task.spec.networkMode;
  let address: string | undefined;
  let port: number | undefined = registry.port;
  if (mode === 'awsvpc') {
    address = task.eni?.privateIPv4Address;
    port ??= registry.containerPort;
  } else {
    address = instance?.attributes.find((a) => a.name === VPC_ADDRESS_ATTRIBUTE)?.value ?? '127.0.0.1';
    if (registry.containerName && registry.containerPort !== undefined) {
      const container = task.containers.find((c) => c.name === registry.containerName);
      port = mode === 'host' ? registry.containerPort : container?.networkBindings.find((b) => b.containerPort === registry.containerPort)?.hostPort;
      if (port === undefined) return undefined;
    }
  }
  if (!address) return undefined;
  return {
    AWS_INSTANCE_IPV4: address,
    ...(port !== undefined && { AWS_INSTANCE_PORT: String(port) }),
    ECS_CLUSTER_NAME: task.clusterName,
    ECS_SERVICE_NAME: serviceName,
    ECS_TASK_DEFINITION_FAMILY: task.spec.family,
  };
}
