/**
 * Instances: RegisterInstance (its attributes checked against the service's DNS records and
 * health checks as Cloud Map documents), DeregisterInstance, GetInstance, ListInstances,
 * DiscoverInstances with query and optional parameters and health filters,
 * DiscoverInstancesRevision, GetInstancesHealthStatus and UpdateInstanceCustomHealthStatus.
 * Registration and deregistration rewrite the service (its instance count and revision), so a
 * DeleteService racing them loses or sees them.
 */
import { isIP } from 'node:net';
import { listDocs, transact, type Tx } from '../state/index.ts';
import { DiscoveryErrors } from './errors.ts';
import { stageOperation, type DiscoveryEnv } from './operations.ts';
import { keys, type CustomHealthStatus, type InstanceRecord, type NamespaceRecord, type Scope, type ServiceRecord } from './records.ts';
import { findService } from './services.ts';

/** Instances a service may have (Cloud Map's default quota). */
export const MAX_INSTANCES_PER_SERVICE = 1000;

/** Custom (non-AWS_) attributes an instance may have. */
export const MAX_CUSTOM_ATTRIBUTES = 30;

/** The characters of all attribute keys and values together. */
export const MAX_ATTRIBUTES_SIZE = 5000;

/** The attribute keys Cloud Map reads itself. */
export const ATTRIBUTES = {
  ipv4: 'AWS_INSTANCE_IPV4', ipv6: 'AWS_INSTANCE_IPV6', port: 'AWS_INSTANCE_PORT', cname: 'AWS_INSTANCE_CNAME',
  alias: 'AWS_ALIAS_DNS_NAME', initHealth: 'AWS_INIT_HEALTH_STATUS', ec2: 'AWS_EC2_INSTANCE_ID',
} as const;

const KNOWN = new Set<string>(Object.values(ATTRIBUTES));

/** Cloud Map's health of an instance: its custom health, HEALTHY under a Route 53 health check Wharf does not run, UNKNOWN without either. */
export function healthOf(service: Pick<ServiceRecord, 'healthCheckConfig' | 'healthCheckCustomConfig'>, instance: Pick<InstanceRecord, 'customHealth'>): 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN' {
  if (service.healthCheckCustomConfig) return instance.customHealth ?? 'HEALTHY';
  if (service.healthCheckConfig) return 'HEALTHY';
  return 'UNKNOWN';
}

/** Refuses attributes Cloud Map refuses for an instance of `service`; the message names the attribute. */
export function checkAttributes(service: ServiceRecord, attributes: Record<string, string>): void {
  const has = (k: string) => attributes[k] !== undefined;
  const need = (k: string, why: string) => {
    if (!has(k)) throw DiscoveryErrors.invalidInput(`Attributes.${k}: required because ${why}.`);
  };
  const custom = Object.keys(attributes).filter((k) => !KNOWN.has(k));
  if (custom.length > MAX_CUSTOM_ATTRIBUTES) throw DiscoveryErrors.invalidInput(`Attributes: at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes, not ${custom.length}.`);
  const size = Object.entries(attributes).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (size > MAX_ATTRIBUTES_SIZE) throw DiscoveryErrors.invalidInput(`Attributes: keys and values total ${size} characters, more than ${MAX_ATTRIBUTES_SIZE}.`);
  if (has(ATTRIBUTES.ipv4) && isIP(attributes[ATTRIBUTES.ipv4]!) !== 4) {
    throw DiscoveryErrors.invalidInput(`Attributes.${ATTRIBUTES.ipv4}: ${attributes[ATTRIBUTES.ipv4]} is not an IPv4 address.`);
  }
  if (has(ATTRIBUTES.ipv6) && isIP(attributes[ATTRIBUTES.ipv6]!) !== 6) {
    throw DiscoveryErrors.invalidInput(`Attributes.${ATTRIBUTES.ipv6}: ${attributes[ATTRIBUTES.ipv6]} is not an IPv6 address.`);
  }
  if (has(ATTRIBUTES.port)) {
    const port = attributes[ATTRIBUTES.port]!;
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      throw DiscoveryErrors.invalidInput(`Attributes.${ATTRIBUTES.port}: ${port} is not a port from 1 to 65535.`);
    }
  }
  if (has(ATTRIBUTES.initHealth) && !['HEALTHY', 'UNHEALTHY'].includes(attributes[ATTRIBUTES.initHealth]!)) {
    throw DiscoveryErrors.invalidInput(`Attributes.${ATTRIBUTES.initHealth}: must be HEALTHY or UNHEALTHY.`);
  }
  const types = new Set(service.dnsConfig?.records.map((r) => r.type) ?? []);
  if (has(ATTRIBUTES.alias)) {
    if (!types.has('A') && !types.has('AAAA')) throw DiscoveryErrors.invalidInput(`Attributes.${ATTRIBUTES.alias}: the service needs an A or AAAA record for an alias.`);
    if (service.dnsConfig?.routingPolicy !== 'WEIGHTED') throw DiscoveryErrors.invalidInput(`Attributes.${ATTRIBUTES.alias}: the service's routing policy must be WEIGHTED for an alias.`);
    const instanceAttribute = Object.keys(attributes).find((k) => k.startsWith('AWS_INSTANCE_'));
    if (instanceAttribute) throw DiscoveryErrors.invalidInput(`Attributes.${instanceAttribute}: not allowed with ${ATTRIBUTES.alias}.`);
    return;
  }
  if (types.has('A')) need(ATTRIBUTES.ipv4, 'the service has an A record');
  if (types.has('AAAA')) need(ATTRIBUTES.ipv6, 'the service has an AAAA record');
  if (types.has('CNAME')) need(ATTRIBUTES.cname, 'the service has a CNAME record');
  if (types.has('SRV')) {
    need(ATTRIBUTES.port, 'the service has an SRV record');
    if (!has(ATTRIBUTES.ipv4) && !has(ATTRIBUTES.ipv6)) throw DiscoveryErrors.invalidInput(`Attributes.${ATTRIBUTES.ipv4}: the service has an SRV record, so ${ATTRIBUTES.ipv4} or ${ATTRIBUTES.ipv6} is required.`);
  }
  if (service.healthCheckConfig) need(ATTRIBUTES.port, 'the service has a Route 53 health check');
}

/** What RegisterInstance asks for. */
export interface RegisterInstanceRequest {
  serviceId: string;
  instanceId: string;
  creatorRequestId?: string;
  attributes: Record<string, string>;
}

/** RegisterInstance: a new instance, or new attributes for one already registered; returns the operation id. */
export function registerInstance(env: DiscoveryEnv, scope: Scope, req: RegisterInstanceRequest): Promise<string> {
  return transact(env.store, (tx) => stageRegisterInstance(tx, env, scope, req));
}

/**
 * Stages a registration in `tx` (guarded on the service and the instance it read), for a caller
 * that writes it with changes of its own — an ECS service registering a task it starts.
 */
export async function stageRegisterInstance(tx: Tx, env: DiscoveryEnv, scope: Scope, req: RegisterInstanceRequest): Promise<string> {
  const service = await findService(tx, scope, req.serviceId);
  checkAttributes(service, req.attributes);
  const key = keys.instance(scope, service.id, req.instanceId);
  const existing = await tx.get<InstanceRecord>(key);
  if (existing?.registerOperationId && req.creatorRequestId !== undefined && existing.creatorRequestId === req.creatorRequestId
    && JSON.stringify(existing.attributes) === JSON.stringify(req.attributes)) {
    return existing.registerOperationId;
  }
  if (!existing && service.instanceCount >= MAX_INSTANCES_PER_SERVICE) {
    throw DiscoveryErrors.resourceLimitExceeded(`A service can have at most ${MAX_INSTANCES_PER_SERVICE} instances.`);
  }
  const now = env.clock.now();
  const operationId = stageOperation(tx, env, scope, 'REGISTER_INSTANCE', { SERVICE: service.id, INSTANCE: req.instanceId });
  const initHealth = req.attributes[ATTRIBUTES.initHealth] as CustomHealthStatus | undefined;
  tx.put<InstanceRecord>(key, {
    id: req.instanceId, serviceId: service.id, namespaceId: service.namespaceId, attributes: req.attributes,
    ...(req.creatorRequestId !== undefined ? { creatorRequestId: req.creatorRequestId } : {}),
    ...(service.healthCheckCustomConfig ? { customHealth: existing?.customHealth ?? initHealth ?? 'HEALTHY' } : {}),
    createdAt: existing?.createdAt ?? now, updatedAt: now, registerOperationId: operationId,
  });
  tx.put<ServiceRecord>(keys.service(scope, service.id), {
    ...service, instanceCount: service.instanceCount + (existing ? 0 : 1), instancesRevision: service.instancesRevision + 1,
  });
  return operationId;
}

/** DeregisterInstance: returns the operation id. */
export function deregisterInstance(env: DiscoveryEnv, scope: Scope, serviceIdOrArn: string, instanceId: string): Promise<string> {
  return transact(env.store, (tx) => stageDeregisterInstance(tx, env, scope, serviceIdOrArn, instanceId));
}

/** Stages a deregistration in `tx` (InstanceNotFound when the instance is not registered). */
export async function stageDeregisterInstance(tx: Tx, env: DiscoveryEnv, scope: Scope, serviceIdOrArn: string, instanceId: string): Promise<string> {
  const service = await findService(tx, scope, serviceIdOrArn);
  const key = keys.instance(scope, service.id, instanceId);
  if (!(await tx.get<InstanceRecord>(key))) throw DiscoveryErrors.instanceNotFound(instanceId);
  tx.delete(key);
  tx.put<ServiceRecord>(keys.service(scope, service.id), {
    ...service, instanceCount: Math.max(0, service.instanceCount - 1), instancesRevision: service.instancesRevision + 1,
  });
  return stageOperation(tx, env, scope, 'DEREGISTER_INSTANCE', { SERVICE: service.id, INSTANCE: instanceId });
}

/** GetInstance. */
export async function getInstance(env: DiscoveryEnv, scope: Scope, serviceIdOrArn: string, instanceId: string): Promise<{ service: ServiceRecord; instance: InstanceRecord }> {
  return transact(env.store, async (tx) => {
    const service = await findService(tx, scope, serviceIdOrArn);
    const instance = await tx.get<InstanceRecord>(keys.instance(scope, service.id, instanceId));
    if (!instance) throw DiscoveryErrors.instanceNotFound(instanceId);
    return { service, instance };
  });
}

/** The service and its instances (ListInstances, GetInstancesHealthStatus), in id order. */
export async function serviceInstances(env: DiscoveryEnv, scope: Scope, serviceIdOrArn: string): Promise<{ service: ServiceRecord; instances: InstanceRecord[] }> {
  const service = await transact(env.store, (tx) => findService(tx, scope, serviceIdOrArn));
  const instances = (await listDocs<InstanceRecord>(env.store, keys.instances(scope, service.id))).map((d) => d.value);
  return { service, instances: instances.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}

/** UpdateInstanceCustomHealthStatus: only for services with HealthCheckCustomConfig. */
export async function updateCustomHealth(env: DiscoveryEnv, scope: Scope, serviceIdOrArn: string, instanceId: string, status: CustomHealthStatus): Promise<void> {
  await transact(env.store, (tx) => stageCustomHealth(tx, env, scope, serviceIdOrArn, instanceId, status));
}

/**
 * Stages an instance's custom health in `tx` (CustomHealthNotFound for a service without
 * HealthCheckCustomConfig), for a caller writing it with changes of its own — ECS reporting its
 * tasks' health.
 */
export async function stageCustomHealth(tx: Tx, env: DiscoveryEnv, scope: Scope, serviceIdOrArn: string, instanceId: string, status: CustomHealthStatus): Promise<void> {
  const service = await findService(tx, scope, serviceIdOrArn);
  if (!service.healthCheckCustomConfig) throw DiscoveryErrors.customHealthNotFound(service.id);
  const key = keys.instance(scope, service.id, instanceId);
  const instance = await tx.get<InstanceRecord>(key);
  if (!instance) throw DiscoveryErrors.instanceNotFound(instanceId);
  if (instance.customHealth !== status) tx.put<InstanceRecord>(key, { ...instance, customHealth: status, updatedAt: env.clock.now() });
}

/** Which instances DiscoverInstances returns by health. */
export type HealthStatusFilter = 'HEALTHY' | 'UNHEALTHY' | 'ALL' | 'HEALTHY_OR_ELSE_ALL';

/** What DiscoverInstances asks for. */
export interface DiscoverInstancesRequest {
  namespaceName: string;
  serviceName: string;
  maxResults?: number;
  queryParameters?: Record<string, string>;
  optionalParameters?: Record<string, string>;
  healthStatus?: HealthStatusFilter;
}

/** One instance DiscoverInstances found, with its health. */
export interface DiscoveredInstance {
  instance: InstanceRecord;
  health: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
}

const matchesAll = (attributes: Record<string, string>, wanted: Record<string, string>) => Object.entries(wanted).every(([k, v]) => attributes[k] === v);

/**
 * The instances DiscoverInstances returns, pure: those with every query parameter, narrowed to
 * those also with every optional parameter when any has them, then by health (ignored for a
 * service without health checks), at most `maxResults` (100 by default).
 */
export function selectInstances(service: ServiceRecord, instances: readonly InstanceRecord[], req: Omit<DiscoverInstancesRequest, 'namespaceName' | 'serviceName'>): DiscoveredInstance[] {
  let found = instances.filter((i) => matchesAll(i.attributes, req.queryParameters ?? {}));
  if (req.optionalParameters && Object.keys(req.optionalParameters).length > 0) {
    const narrowed = found.filter((i) => matchesAll(i.attributes, req.optionalParameters!));
    if (narrowed.length > 0) found = narrowed;
  }
  let withHealth = found.map((instance) => ({ instance, health: healthOf(service, instance) }));
  if (service.healthCheckConfig || service.healthCheckCustomConfig) {
    const filter = req.healthStatus ?? 'HEALTHY';
    const healthy = withHealth.filter((d) => d.health === 'HEALTHY');
    if (filter === 'HEALTHY') withHealth = healthy;
    else if (filter === 'UNHEALTHY') withHealth = withHealth.filter((d) => d.health === 'UNHEALTHY');
    else if (filter === 'HEALTHY_OR_ELSE_ALL' && healthy.length > 0) withHealth = healthy;
  }
  return withHealth.slice(0, req.maxResults ?? 100);
}

/** The service a namespace name and service name find (DiscoverInstances, DiscoverInstancesRevision). */
async function discoverService(env: DiscoveryEnv, scope: Scope, namespaceName: string, serviceName: string): Promise<ServiceRecord> {
  return transact(env.store, async (tx) => {
    const ref = await tx.get<{ namespaceId: string }>(keys.namespaceName(scope, namespaceName));
    const ns = ref ? await tx.get<NamespaceRecord>(keys.namespace(scope, ref.namespaceId)) : undefined;
    if (!ns) throw DiscoveryErrors.namespaceNotFound(namespaceName);
    const sref = await tx.get<{ serviceId: string }>(keys.serviceName(scope, ns.id, serviceName));
    const service = sref ? await tx.get<ServiceRecord>(keys.service(scope, sref.serviceId)) : undefined;
    if (!service) throw DiscoveryErrors.serviceNotFound(serviceName);
    return service;
  });
}

/** DiscoverInstances: the matching instances, their service (for names) and its instances revision. */
export async function discoverInstances(env: DiscoveryEnv, scope: Scope, req: DiscoverInstancesRequest): Promise<{ service: ServiceRecord; found: DiscoveredInstance[] }> {
  const service = await discoverService(env, scope, req.namespaceName, req.serviceName);
  const instances = (await listDocs<InstanceRecord>(env.store, keys.instances(scope, service.id))).map((d) => d.value);
  return { service, found: selectInstances(service, instances, req) };
}

/** DiscoverInstancesRevision. */
export async function instancesRevision(env: DiscoveryEnv, scope: Scope, namespaceName: string, serviceName: string): Promise<number> {
  return (await discoverService(env, scope, namespaceName, serviceName)).instancesRevision;
}
