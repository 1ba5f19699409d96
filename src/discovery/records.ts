/**
 * Cloud Map's records as stored: namespaces (HTTP, private DNS in a VPC, public DNS), the
 * services in them with their DNS configuration and health-check settings, the instances
 * registered in a service with their attributes and custom health, and the operations that
 * namespace and instance changes return. Records are not API shapes: timestamps are epoch ms;
 * the Cloud Map adapter (`services/servicediscovery`) turns them into the API's.
 */

/** Every namespace, service and instance belongs to one account and one region. */
export interface Scope {
  account: string;
  region: string;
}

/** A tag on a namespace or service (Cloud Map's tags always have a value). */
export interface DiscoveryTag {
  key: string;
  value: string;
}

/** Cloud Map's namespace types. */
export type NamespaceType = 'DNS_PRIVATE' | 'DNS_PUBLIC' | 'HTTP';

/** A namespace: the name services are found under, by DiscoverInstances and (DNS ones) by DNS. */
export interface NamespaceRecord {
  id: string;
  arn: string;
  name: string;
  type: NamespaceType;
  description?: string;
  creatorRequestId?: string;
  /** The operation that created it (a retry with the same CreatorRequestId answers it again). */
  createOperationId: string;
  /** DNS namespaces: the hosted zone Wharf answers for (`Z…`), and its SOA record's TTL. */
  hostedZoneId?: string;
  soaTtl?: number;
  /** Private DNS namespaces: the VPC whose tasks resolve its names. */
  vpcId?: string;
  /** Services in it: kept here so a DeleteNamespace and a CreateService race on this record. */
  serviceCount: number;
  createdAt: number;
  tags: DiscoveryTag[];
}

/** Cloud Map's DNS record types. */
export type RecordType = 'A' | 'AAAA' | 'SRV' | 'CNAME';

/** One record a registered instance gets, with its TTL in seconds. */
export interface DnsRecordSpec {
  type: RecordType;
  ttl: number;
}

/** How a service's instances are answered in DNS. */
export interface DnsConfigRecord {
  routingPolicy: 'MULTIVALUE' | 'WEIGHTED';
  records: DnsRecordSpec[];
}

/** A Route 53 health check's settings (public DNS namespaces; stored, not run by Wharf). */
export interface HealthCheckConfigRecord {
  type: 'HTTP' | 'HTTPS' | 'TCP';
  resourcePath?: string;
  failureThreshold: number;
}

/** Cloud Map's service types: who can discover its instances. */
export type ServiceType = 'HTTP' | 'DNS_HTTP' | 'DNS';

/** A service: a name in a namespace that instances register under. */
export interface ServiceRecord {
  id: string;
  arn: string;
  name: string;
  namespaceId: string;
  /** The namespace's name (never changes), so a DNS name finds the service without the namespace. */
  namespaceName: string;
  namespaceType: NamespaceType;
  type: ServiceType;
  description?: string;
  creatorRequestId?: string;
  dnsConfig?: DnsConfigRecord;
  healthCheckConfig?: HealthCheckConfigRecord;
  /** Present when instances' health is set by UpdateInstanceCustomHealthStatus. */
  healthCheckCustomConfig?: { failureThreshold: number };
  /** Registered instances: kept here so a DeleteService and a RegisterInstance race on this record. */
  instanceCount: number;
  /** Service-level attributes (UpdateServiceAttributes). */
  attributes?: Record<string, string>;
  /** Bumped by every registration and deregistration (DiscoverInstancesRevision). */
  instancesRevision: number;
  createdAt: number;
  tags: DiscoveryTag[];
}

/** An instance's custom health, as UpdateInstanceCustomHealthStatus sets it. */
export type CustomHealthStatus = 'HEALTHY' | 'UNHEALTHY';

/** An instance registered in a service. */
export interface InstanceRecord {
  id: string;
  serviceId: string;
  namespaceId: string;
  attributes: Record<string, string>;
  creatorRequestId?: string;
  /** Services with HealthCheckCustomConfig: the instance's health (HEALTHY unless AWS_INIT_HEALTH_STATUS said otherwise). */
  customHealth?: CustomHealthStatus;
  createdAt: number;
  updatedAt: number;
  /** The operation of the latest registration (a retry with the same CreatorRequestId answers it again). */
  registerOperationId?: string;
}

/** What an operation did. */
export type OperationType = 'CREATE_NAMESPACE' | 'DELETE_NAMESPACE' | 'UPDATE_NAMESPACE' | 'UPDATE_SERVICE' | 'REGISTER_INSTANCE' | 'DEREGISTER_INSTANCE';

/** Where an operation is. Wharf's complete in the transaction that makes them. */
export type OperationStatus = 'SUBMITTED' | 'PENDING' | 'SUCCESS' | 'FAIL';

/** A change Cloud Map reports through GetOperation. */
export interface OperationRecord {
  id: string;
  type: OperationType;
  status: OperationStatus;
  targets: { NAMESPACE?: string; SERVICE?: string; INSTANCE?: string };
  createdAt: number;
  updatedAt: number;
  errorCode?: string;
  errorMessage?: string;
}

/** An instance id as a key segment (ids may hold `/`). */
const seg = (id: string): string => encodeURIComponent(id);

/** Where the records live. */
export const keys = {
  allNamespaces: 'discovery/namespaces/',
  namespaces: (s: Scope) => `discovery/namespaces/${s.account}/${s.region}/`,
  namespace: (s: Scope, id: string) => `discovery/namespaces/${s.account}/${s.region}/${id}`,
  /** A namespace's name, held while it exists: names are unique in an account and region. */
  namespaceName: (s: Scope, name: string) => `discovery/namespace-names/${s.account}/${s.region}/${seg(name.toLowerCase())}`,
  allServices: 'discovery/services/',
  services: (s: Scope) => `discovery/services/${s.account}/${s.region}/`,
  service: (s: Scope, id: string) => `discovery/services/${s.account}/${s.region}/${id}`,
  /** A service's name in its namespace, held while it exists. */
  serviceName: (s: Scope, namespaceId: string, name: string) => `discovery/service-names/${s.account}/${s.region}/${namespaceId}/${seg(name.toLowerCase())}`,
  allInstances: 'discovery/instances/',
  instances: (s: Scope, serviceId: string) => `discovery/instances/${s.account}/${s.region}/${serviceId}/`,
  instance: (s: Scope, serviceId: string, instanceId: string) => `discovery/instances/${s.account}/${s.region}/${serviceId}/${seg(instanceId)}`,
  operations: (s: Scope) => `discovery/operations/${s.account}/${s.region}/`,
  operation: (s: Scope, id: string) => `discovery/operations/${s.account}/${s.region}/${id}`,
};

/** `arn:aws:servicediscovery:<region>:<account>:namespace/ns-…`. */
export const namespaceArn = (s: Scope, id: string): string => `arn:aws:servicediscovery:${s.region}:${s.account}:namespace/${id}`;

/** `arn:aws:servicediscovery:<region>:<account>:service/srv-…`. */
export const serviceArn = (s: Scope, id: string): string => `arn:aws:servicediscovery:${s.region}:${s.account}:service/${id}`;

const ARN = /^arn:aws[a-z-]*:servicediscovery:([a-z0-9-]+):(\d{12}):(namespace|service)\/([A-Za-z0-9-]+)$/;

/** The scope, kind and id an ARN names, or undefined for a string that is not a Cloud Map ARN. */
export function parseDiscoveryArn(arn: string): { scope: Scope; kind: 'namespace' | 'service'; id: string } | undefined {
  const m = ARN.exec(arn);
  return m ? { scope: { region: m[1]!, account: m[2]! }, kind: m[3] as 'namespace' | 'service', id: m[4]! } : undefined;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lowercase base32 of random hex (as Cloud Map's ids look), `length` characters. */
function base32(hex: string, length: number): string {
  let bits = '';
  for (const c of hex) bits += parseInt(c, 16).toString(2).padStart(4, '0');
  let out = '';
  for (let i = 0; i + 5 <= bits.length && out.length < length; i += 5) out += BASE32[parseInt(bits.slice(i, i + 5), 2)];
  return out;
}

/** Random-id source the domain needs (a port: tests pass their own). */
export interface IdSource {
  hex32(): string;
}

/** `ns-` and 16 base32 characters, as Cloud Map's namespace ids. */
export const namespaceId = (ids: IdSource): string => `ns-${base32(ids.hex32(), 16)}`;

/** `srv-` and 16 base32 characters, as Cloud Map's service ids. */
export const serviceId = (ids: IdSource): string => `srv-${base32(ids.hex32(), 16)}`;

/** 32 lowercase base32 characters, `-`, 8 more: the shape of Cloud Map's operation ids. */
export const operationId = (ids: IdSource): string => `${base32(ids.hex32() + ids.hex32(), 32)}-${base32(ids.hex32(), 8)}`;

/** A Route 53 hosted zone id (`Z` and 20 uppercase characters) for a DNS namespace Wharf answers for. */
export const hostedZoneId = (ids: IdSource): string => `Z${base32(ids.hex32(), 20).toUpperCase()}`;
