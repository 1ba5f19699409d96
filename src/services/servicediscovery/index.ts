/**
 * AWS Cloud Map, as served by Wharf, over the discovery domain: HTTP, private DNS and public DNS
 * namespaces, services with DNS records and health-check settings, instances registered with
 * attributes and discovered by name with query parameters and health filters, custom health,
 * the operations namespace and instance changes return (complete at once), tags. The platform
 * decodes AWS JSON 1.1, authenticates, authorizes each operation as `servicediscovery:<Action>`
 * on the namespace's or service's ARN (`*` for creations of namespaces, lists, operations and
 * DiscoverInstances), validates against the model and encodes.
 */
import { servicediscoveryModel, type ServiceDefinition, type ServicediscoveryOperations } from '../../aws/index.ts';
import { invalidInputError, type ServiceDiscoveryDeps } from './common.ts';
import { instanceOperations } from './instances.ts';
import { namespaceOperations } from './namespaces.ts';
import { serviceOperations } from './services.ts';

export type { ServiceDiscoveryDeps } from './common.ts';

/** The Cloud Map API over the given store, clock and ids. */
export function serviceDiscoveryService(deps: ServiceDiscoveryDeps): ServiceDefinition<ServicediscoveryOperations> {
  return {
    model: servicediscoveryModel,
    iamPrefix: 'servicediscovery',
    operations: { ...namespaceOperations(deps), ...serviceOperations(deps), ...instanceOperations(deps) },
    validationError: invalidInputError,
    partly: {
      CreatePrivateDnsNamespace: 'the VPC must exist in Wharf; the hosted zone is Wharf\'s own (its id is made up), answered by Wharf\'s DNS server, not Route 53.',
      CreatePublicDnsNamespace: 'no public DNS delegation: the zone is answered by Wharf\'s DNS server only.',
      CreateService: 'HealthCheckConfig (Route 53 health checks) is accepted and stored but not run: instances of such a service are reported HEALTHY.',
      UpdateService: 'changes the description, the records\' TTLs (not their types) and the Route 53 health check settings.',
      RegisterInstance: 'AWS_ALIAS_DNS_NAME is accepted and stored but not answered in DNS; AWS_EC2_INSTANCE_ID is kept as an attribute only.',
      GetInstancesHealthStatus: 'custom health as set; HEALTHY under a Route 53 health check (not run); UNKNOWN without health checks.',
      ListOperations: 'operations complete in the request that makes them, so every one is SUCCESS.',
    },
  };
}
