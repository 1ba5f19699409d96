/**
 * Cloud Map's shared in-memory views for the DNS server and the ECS service controller:
 * namespaces, services and instances watched and indexed (services by their DNS name
 * `<service>.<namespace>`, instances by service), with the lookups they ask — a name's service,
 * DNS configuration and instances with health (`recordsFor`), and the DNS answers themselves.
 */
import { decodeJson, Informer, type Store } from '../state/index.ts';
import { dnsAnswer, normalizeName, type DiscoveryDnsPort, type DiscoveryDnsView } from './dns-answers.ts';
import { healthOf } from './instances.ts';
import { keys, type DnsConfigRecord, type InstanceRecord, type NamespaceRecord, type ServiceRecord } from './records.ts';

/** Services by `<name>.<namespace>` (lowercase); instances and namespaces by `<account>/<region>/<id>` of their service / themselves. */
const DNS_NAME = 'dnsName';
const BY_SERVICE = 'service';
const BY_ID = 'id';
/** DNS namespaces by their name (lowercase). */
const BY_ZONE = 'zone';

const scopePath = (prefix: string, key: string): string => key.slice(prefix.length).split('/').slice(0, 2).join('/');

/** What `recordsFor` finds for a name: the service, its namespace, its DNS configuration and instances with their health. */
export interface DiscoveryRecords {
  namespace: NamespaceRecord;
  service: ServiceRecord;
  dnsConfig?: DnsConfigRecord;
  instances: { instance: InstanceRecord; health: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN' }[];
}

/** Which namespaces a DNS client sees: private ones of its VPC (all when absent) and public ones. */
export interface DnsScope {
  vpcId?: string;
}

/** Namespaces, services and instances of every account and region, watched. */
export class DiscoveryInformers {
  readonly namespaces: Informer<NamespaceRecord>;
  readonly services: Informer<ServiceRecord>;
  readonly instances: Informer<InstanceRecord>;

  constructor(store: Store, onError?: (error: unknown) => void) {
    this.namespaces = new Informer<NamespaceRecord>({
      store, onError, prefix: keys.allNamespaces, decode: decodeJson,
      indexes: {
        [BY_ID]: (n, key) => [`${scopePath(keys.allNamespaces, key)}/${n.id}`],
        [BY_ZONE]: (n) => (n.type === 'HTTP' ? [] : [normalizeName(n.name)]),
      },
    });
    this.services = new Informer<ServiceRecord>({
      store, onError, prefix: keys.allServices, decode: decodeJson,
      indexes: { [DNS_NAME]: (s) => (s.namespaceType === 'HTTP' ? [] : [normalizeName(`${s.name}.${s.namespaceName}`)]) },
    });
    this.instances = new Informer<InstanceRecord>({
      store, onError, prefix: keys.allInstances, decode: decodeJson,
      indexes: { [BY_SERVICE]: (i, key) => [`${scopePath(keys.allInstances, key)}/${i.serviceId}`] },
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.namespaces.start(), this.services.start(), this.instances.start()]);
  }

  close(): void {
    this.namespaces.close();
    this.services.close();
    this.instances.close();
  }

  /** The scope path (`<account>/<region>`) a service's record lives under. */
  private scopeOf(service: ServiceRecord): string {
    const [, , , region, account] = service.arn.split(':');
    return `${account}/${region}`;
  }

  private namespaceOf(service: ServiceRecord): NamespaceRecord | undefined {
    return this.namespaces.byIndex(BY_ID, `${this.scopeOf(service)}/${service.namespaceId}`)[0]?.value;
  }

  /** A service's instances. */
  instancesOf(service: ServiceRecord): InstanceRecord[] {
    return this.instances.byIndex(BY_SERVICE, `${this.scopeOf(service)}/${service.id}`).map((d) => d.value);
  }

  /** The DNS service answering `fqdn` for a client in `scope`. */
  private serviceByName(fqdn: string, scope: DnsScope): ServiceRecord | undefined {
    for (const doc of this.services.byIndex(DNS_NAME, normalizeName(fqdn))) {
      const ns = this.namespaceOf(doc.value);
      if (!ns) continue;
      if (ns.type === 'DNS_PUBLIC' || scope.vpcId === undefined || ns.vpcId === scope.vpcId) return doc.value;
    }
    return undefined;
  }

  /** The service named `<service>.<namespace>`, its DNS configuration and its instances with health. */
  recordsFor(name: string, scope: DnsScope = {}): DiscoveryRecords | undefined {
    const service = this.serviceByName(name, scope);
    const namespace = service && this.namespaceOf(service);
    if (!service || !namespace) return undefined;
    return {
      namespace, service, ...(service.dnsConfig ? { dnsConfig: service.dnsConfig } : {}),
      instances: this.instancesOf(service).map((instance) => ({ instance, health: healthOf(service, instance) })),
    };
  }

  /**
   * The DNS namespace `name` lies in (its apex or a name under it; the longest such namespace
   * name), for a client in `scope`: the DNS server is authoritative there.
   */
  zoneOf(name: string, scope: DnsScope = {}): NamespaceRecord | undefined {
    const labels = normalizeName(name).split('.');
    for (let i = 0; i < labels.length; i++) {
      for (const doc of this.namespaces.byIndex(BY_ZONE, labels.slice(i).join('.'))) {
        const ns = doc.value;
        if (ns.type === 'DNS_PUBLIC' || scope.vpcId === undefined || ns.vpcId === scope.vpcId) return ns;
      }
    }
    return undefined;
  }

  /** The view DNS answers are computed over, for a client in `scope`. */
  dnsView(scope: DnsScope = {}): DiscoveryDnsView {
    return { serviceByName: (fqdn) => this.serviceByName(fqdn, scope), instancesOf: (s) => this.instancesOf(s) };
  }

  /** The DNS server's port: answers for a client in `scope`; `pick(n)` (an index below n, from the caller's random source) spreads answers. */
  dnsPort(scope: DnsScope, pick: (n: number) => number): DiscoveryDnsPort {
    const view = this.dnsView(scope);
    return { answer: (name, type) => dnsAnswer(view, name, type, pick) };
  }
}
