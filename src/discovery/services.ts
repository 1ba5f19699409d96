/**
 * Services: CreateService (its DNS records, routing policy and health-check settings checked as
 * Cloud Map checks them against its namespace), GetService, ListServices, UpdateService and
 * DeleteService (refused while instances are registered). A service's name is unique in its
 * namespace; the namespace's service count and the service's instance count make creations,
 * registrations and deletions race on one record each.
 */
import { listDocs, transact, type Tx } from '../state/index.ts';
import { DiscoveryErrors } from './errors.ts';
import { filterPredicate, type DiscoveryFilter } from './filters.ts';
import { findNamespace, idOf } from './namespaces.ts';
import { stageOperation, type DiscoveryEnv } from './operations.ts';
import {
  keys, serviceArn, serviceId, type DiscoveryTag, type DnsConfigRecord, type HealthCheckConfigRecord, type NamespaceRecord, type Scope, type ServiceRecord,
} from './records.ts';
import { checkTags } from './tags.ts';

/** Services a namespace may hold (Cloud Map's default quota). */
export const MAX_SERVICES_PER_NAMESPACE = 1000;

/** What CreateService asks for. */
export interface CreateServiceRequest {
  name: string;
  namespaceId: string;
  description?: string;
  creatorRequestId?: string;
  dnsConfig?: DnsConfigRecord;
  healthCheckConfig?: HealthCheckConfigRecord;
  healthCheckCustomConfig?: { failureThreshold: number };
  /** `HTTP`: discoverable through DiscoverInstances only, no DNS records. */
  type?: 'HTTP';
  tags?: DiscoveryTag[];
}

/** Refuses a DNS configuration Cloud Map refuses. */
export function checkDnsConfig(dns: DnsConfigRecord, healthCheck: HealthCheckConfigRecord | undefined): void {
  if (dns.records.length === 0) throw DiscoveryErrors.invalidInput('DnsConfig.DnsRecords: at least one record is required.');
  const types = dns.records.map((r) => r.type);
  const twice = types.find((t, i) => types.indexOf(t) !== i);
  if (twice) throw DiscoveryErrors.invalidInput(`DnsConfig.DnsRecords: ${twice} is given twice; a service has at most one record of each type.`);
  if (types.includes('CNAME')) {
    if (types.length > 1) throw DiscoveryErrors.invalidInput('DnsConfig.DnsRecords: a CNAME record cannot be combined with other record types.');
    if (dns.routingPolicy !== 'WEIGHTED') throw DiscoveryErrors.invalidInput('DnsConfig.RoutingPolicy: a CNAME record needs the WEIGHTED routing policy.');
    if (healthCheck) throw DiscoveryErrors.invalidInput('HealthCheckConfig: a service with a CNAME record cannot have a Route 53 health check.');
  }
}

/** Refuses health-check settings Cloud Map refuses for a service in `ns`. */
function checkHealthChecks(ns: NamespaceRecord, req: Pick<CreateServiceRequest, 'healthCheckConfig' | 'healthCheckCustomConfig'>): void {
  if (req.healthCheckConfig && req.healthCheckCustomConfig) {
    throw DiscoveryErrors.invalidInput('HealthCheckConfig: a service has either HealthCheckConfig or HealthCheckCustomConfig, not both.');
  }
  const hc = req.healthCheckConfig;
  if (!hc) return;
  if (ns.type !== 'DNS_PUBLIC') throw DiscoveryErrors.invalidInput('HealthCheckConfig: Route 53 health checks are for services in public DNS namespaces only.');
  if (hc.type === 'TCP' && hc.resourcePath !== undefined) throw DiscoveryErrors.invalidInput('HealthCheckConfig.ResourcePath: a TCP health check has no resource path.');
}

/** The service `idOrArn` names, read through `tx`. */
export async function findService(tx: Tx, scope: Scope, idOrArn: string): Promise<ServiceRecord> {
  const id = idOf(scope, idOrArn, 'service');
  const service = id ? await tx.get<ServiceRecord>(keys.service(scope, id)) : undefined;
  if (!service) throw DiscoveryErrors.serviceNotFound(idOrArn);
  return service;
}

/** CreateService; a retry with the CreatorRequestId that made the service answers it again. */
export async function createService(env: DiscoveryEnv, scope: Scope, req: CreateServiceRequest): Promise<ServiceRecord> {
  checkTags(req.tags ?? [], req.name);
  return transact(env.store, async (tx) => {
    const ns = await findNamespace(tx, scope, req.namespaceId);
    const taken = await tx.get<{ serviceId: string }>(keys.serviceName(scope, ns.id, req.name));
    if (taken) {
      const existing = await tx.get<ServiceRecord>(keys.service(scope, taken.serviceId));
      if (existing && req.creatorRequestId !== undefined && existing.creatorRequestId === req.creatorRequestId) return existing;
      throw DiscoveryErrors.serviceAlreadyExists(req.name, taken.serviceId, serviceArn(scope, taken.serviceId), existing?.creatorRequestId);
    }
    if (req.dnsConfig) {
      if (ns.type === 'HTTP') throw DiscoveryErrors.invalidInput('DnsConfig: a service in an HTTP namespace has no DNS records.');
      if (req.type === 'HTTP') throw DiscoveryErrors.invalidInput('Type: a service of type HTTP has no DnsConfig.');
      checkDnsConfig(req.dnsConfig, req.healthCheckConfig);
    }
    checkHealthChecks(ns, req);
    if (ns.serviceCount >= MAX_SERVICES_PER_NAMESPACE) throw DiscoveryErrors.resourceLimitExceeded(`A namespace can have at most ${MAX_SERVICES_PER_NAMESPACE} services.`);
    const id = serviceId(env.ids);
    const service: ServiceRecord = {
      id, arn: serviceArn(scope, id), name: req.name, namespaceId: ns.id, namespaceName: ns.name, namespaceType: ns.type,
      type: req.dnsConfig ? 'DNS_HTTP' : 'HTTP',
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(req.creatorRequestId !== undefined ? { creatorRequestId: req.creatorRequestId } : {}),
      ...(req.dnsConfig ? { dnsConfig: req.dnsConfig } : {}),
      ...(req.healthCheckConfig ? { healthCheckConfig: req.healthCheckConfig } : {}),
      ...(req.healthCheckCustomConfig ? { healthCheckCustomConfig: req.healthCheckCustomConfig } : {}),
      instanceCount: 0, instancesRevision: 0, createdAt: env.clock.now(), tags: req.tags ?? [],
    };
    tx.put(keys.service(scope, id), service);
    tx.put(keys.serviceName(scope, ns.id, req.name), { serviceId: id });
    tx.put<NamespaceRecord>(keys.namespace(scope, ns.id), { ...ns, serviceCount: ns.serviceCount + 1 });
    return service;
  });
}

/** GetService. */
export const getService = (env: DiscoveryEnv, scope: Scope, idOrArn: string): Promise<ServiceRecord> =>
  transact(env.store, (tx) => findService(tx, scope, idOrArn));

/** ListServices' filters. */
const SERVICE_FILTERS = {
  NAMESPACE_ID: { conditions: ['EQ', 'IN'] as const, valuesOf: (s: ServiceRecord) => [s.namespaceId] },
  RESOURCE_OWNER: { conditions: ['EQ'] as const, valuesOf: () => ['SELF'] },
};

/** ListServices: the scope's services matching `filters`, oldest first. */
export async function listServices(env: DiscoveryEnv, scope: Scope, filters?: readonly DiscoveryFilter[]): Promise<ServiceRecord[]> {
  const matches = filterPredicate(filters, SERVICE_FILTERS, 'Filters');
  return (await listDocs<ServiceRecord>(env.store, keys.services(scope))).map((d) => d.value).filter(matches)
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

/** What UpdateService changes: a description, the records' TTLs, the Route 53 health check (removed when omitted). */
export interface UpdateServiceRequest {
  description?: string;
  dnsRecords?: DnsConfigRecord['records'];
  healthCheckConfig?: HealthCheckConfigRecord;
}

/** UpdateService: returns the operation id. The record types and routing policy stay as they were. */
export async function updateService(env: DiscoveryEnv, scope: Scope, idOrArn: string, req: UpdateServiceRequest): Promise<string> {
  return transact(env.store, async (tx) => {
    const service = await findService(tx, scope, idOrArn);
    let dnsConfig = service.dnsConfig;
    if (req.dnsRecords) {
      if (!dnsConfig) throw DiscoveryErrors.invalidInput('Service.DnsConfig: the service has no DNS configuration to change.');
      const before = dnsConfig.records.map((r) => r.type).sort().join(',');
      const after = req.dnsRecords.map((r) => r.type).sort().join(',');
      if (before !== after) throw DiscoveryErrors.invalidInput(`Service.DnsConfig.DnsRecords: the record types (${before}) cannot be changed, only their TTLs.`);
      dnsConfig = { ...dnsConfig, records: req.dnsRecords };
      checkDnsConfig(dnsConfig, req.healthCheckConfig);
    }
    const ns = await findNamespace(tx, scope, service.namespaceId);
    checkHealthChecks(ns, { healthCheckConfig: req.healthCheckConfig, healthCheckCustomConfig: service.healthCheckCustomConfig });
    const { healthCheckConfig: _dropped, ...rest } = service;
    tx.put<ServiceRecord>(keys.service(scope, service.id), {
      ...rest,
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(dnsConfig ? { dnsConfig } : {}),
      ...(req.healthCheckConfig ? { healthCheckConfig: req.healthCheckConfig } : {}),
    });
    return stageOperation(tx, env, scope, 'UPDATE_SERVICE', { SERVICE: service.id });
  });
}

/** DeleteService: refused while instances are registered. */
export async function deleteService(env: DiscoveryEnv, scope: Scope, idOrArn: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const service = await findService(tx, scope, idOrArn);
    if (service.instanceCount > 0) throw DiscoveryErrors.resourceInUse(`Service ${service.id} has ${service.instanceCount} registered instance(s): deregister them first.`);
    tx.delete(keys.service(scope, service.id));
    tx.delete(keys.serviceName(scope, service.namespaceId, service.name));
    const ns = await tx.get<NamespaceRecord>(keys.namespace(scope, service.namespaceId));
    if (ns) tx.put<NamespaceRecord>(keys.namespace(scope, ns.id), { ...ns, serviceCount: Math.max(0, ns.serviceCount - 1) });
  });
}

/** Service-level attributes a service may have (Cloud Map's quota). */
export const MAX_SERVICE_ATTRIBUTES = 30;

/** UpdateServiceAttributes: adds attributes or changes their values. */
export async function updateServiceAttributes(env: DiscoveryEnv, scope: Scope, idOrArn: string, attributes: Record<string, string>): Promise<void> {
  if (Object.keys(attributes).length === 0) throw DiscoveryErrors.invalidInput('Attributes: at least one attribute is required.');
  for (const [key, value] of Object.entries(attributes)) {
    if (key.length === 0 || key.length > 255) throw DiscoveryErrors.invalidInput(`Attributes: the key ${key.slice(0, 32)} must have 1 to 255 characters.`);
    if (value.length > 1024) throw DiscoveryErrors.invalidInput(`Attributes.${key}: a value has at most 1024 characters.`);
  }
  await transact(env.store, async (tx) => {
    const service = await findService(tx, scope, idOrArn);
    const merged = { ...service.attributes, ...attributes };
    if (Object.keys(merged).length > MAX_SERVICE_ATTRIBUTES) throw DiscoveryErrors.serviceAttributesLimitExceeded(MAX_SERVICE_ATTRIBUTES);
    tx.put<ServiceRecord>(keys.service(scope, service.id), { ...service, attributes: merged });
  });
}

/** DeleteServiceAttributes: keys not there are ignored. */
export async function deleteServiceAttributes(env: DiscoveryEnv, scope: Scope, idOrArn: string, attributeKeys: readonly string[]): Promise<void> {
  await transact(env.store, async (tx) => {
    const service = await findService(tx, scope, idOrArn);
    const kept = Object.fromEntries(Object.entries(service.attributes ?? {}).filter(([k]) => !attributeKeys.includes(k)));
    tx.put<ServiceRecord>(keys.service(scope, service.id), { ...service, attributes: kept });
  });
}
