/**
 * The Cloud Map domain: namespaces (HTTP, private DNS in a VPC, public DNS), services with their
 * DNS records and health-check settings, instances with attributes and health, the operations
 * that report changes, tags; and the read side the DNS server and the ECS service controller
 * use — informers over the records and the DNS answers they give. The Cloud Map adapter
 * (`services/servicediscovery`) is its API; nothing here reads a request or shapes a response.
 */
export {
  hostedZoneId, keys, namespaceArn, namespaceId, operationId, parseDiscoveryArn, serviceArn, serviceId,
  type CustomHealthStatus, type DiscoveryTag, type DnsConfigRecord, type DnsRecordSpec, type HealthCheckConfigRecord, type IdSource,
  type InstanceRecord, type NamespaceRecord, type NamespaceType, type OperationRecord, type OperationStatus, type OperationType,
  type RecordType, type Scope, type ServiceRecord, type ServiceType,
} from './records.ts';
export { DiscoveryErrors } from './errors.ts';
export { filterPredicate, type DiscoveryFilter, type FilterCondition } from './filters.ts';
export { getOperation, listOperations, stageOperation, type DiscoveryEnv } from './operations.ts';
export {
  DEFAULT_SOA_TTL, MAX_NAMESPACES, createNamespace, deleteNamespace, getNamespace, listNamespaces, updateNamespace,
  type CreateNamespaceRequest, type UpdateNamespaceRequest,
} from './namespaces.ts';
export {
  MAX_SERVICES_PER_NAMESPACE, MAX_SERVICE_ATTRIBUTES, checkDnsConfig, createService, deleteService, deleteServiceAttributes, getService, listServices,
  updateService, updateServiceAttributes,
  type CreateServiceRequest, type UpdateServiceRequest,
} from './services.ts';
export {
  ATTRIBUTES, MAX_ATTRIBUTES_SIZE, MAX_CUSTOM_ATTRIBUTES, MAX_INSTANCES_PER_SERVICE, checkAttributes, deregisterInstance, discoverInstances,
  getInstance, healthOf, instancesRevision, registerInstance, selectInstances, serviceInstances, stageCustomHealth, stageDeregisterInstance,
  stageRegisterInstance, updateCustomHealth,
  type DiscoverInstancesRequest, type DiscoveredInstance, type HealthStatusFilter, type RegisterInstanceRequest,
} from './instances.ts';
export { MAX_TAGS, checkTags, discoveryResourceInfo, listTags, tagResource, untagResource, type DiscoveryResourceInfo } from './tags.ts';
export {
  MULTIVALUE_MAX, dnsAnswer, normalizeName, srvTarget,
  type DiscoveryDnsPort, type DiscoveryDnsView, type DnsAnswer, type DnsAnswerRecord,
} from './dns-answers.ts';
export { DiscoveryInformers, type DiscoveryRecords, type DnsScope } from './informers.ts';
