/**
 * What Wharf's DNS server answers for Cloud Map names, pure over the records: for
 * `<service>.<namespace>` the records of the service's healthy instances of the asked type
 * (MULTIVALUE: up to eight, as Route 53's multivalue answers; WEIGHTED: one, Cloud Map weighting
 * every instance alike), and when none is healthy, the unhealthy ones as Route 53 does; an SRV
 * record `1 1 <port> <instanceId>.<service>.<namespace>` per instance, whose target resolves to
 * the instance's A and AAAA records; TTLs from the service's DnsRecords.
 */
import { ATTRIBUTES, healthOf } from './instances.ts';
import type { InstanceRecord, RecordType, ServiceRecord } from './records.ts';

/** One record of an answer. */
export type DnsAnswerRecord =
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { type: 'CNAME'; target: string };

/** The answer to a name and type: its records (none: the name exists without records of that type) and their TTL in seconds. */
export interface DnsAnswer {
  records: DnsAnswerRecord[];
  ttl: number;
}

/** The port the DNS server asks: undefined for a name Cloud Map does not know (NXDOMAIN). */
export interface DiscoveryDnsPort {
  answer(name: string, type: RecordType): DnsAnswer | undefined;
}

/** What answers are computed over: the DNS services by their name, and a service's instances. */
export interface DiscoveryDnsView {
  /** The service answering `<service>.<namespace>` (lowercase, no trailing dot), if any. */
  serviceByName(fqdn: string): ServiceRecord | undefined;
  instancesOf(service: ServiceRecord): readonly InstanceRecord[];
}

/** Records a multivalue answer holds at most (Route 53's). */
export const MULTIVALUE_MAX = 8;

/** Cloud Map's SRV priority and weight: both 1, always. */
const SRV_PRIORITY = 1;
const SRV_WEIGHT = 1;

/** A name as the index holds it: lowercase, without the root's dot. */
export const normalizeName = (name: string): string => (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();

/** The name an SRV record of an instance targets: `<instanceId>.<service>.<namespace>`. */
export const srvTarget = (service: Pick<ServiceRecord, 'name' | 'namespaceName'>, instanceId: string): string =>
  `${instanceId}.${service.name}.${service.namespaceName}`;

/** The record of `type` an instance gives, if its attributes have what it needs. */
function recordOf(service: ServiceRecord, instance: InstanceRecord, type: RecordType): DnsAnswerRecord | undefined {
  const a = instance.attributes;
  if (a[ATTRIBUTES.alias] !== undefined) return undefined;
  switch (type) {
    case 'A': return a[ATTRIBUTES.ipv4] ? { type, address: a[ATTRIBUTES.ipv4]! } : undefined;
    case 'AAAA': return a[ATTRIBUTES.ipv6] ? { type, address: a[ATTRIBUTES.ipv6]! } : undefined;
    case 'CNAME': return a[ATTRIBUTES.cname] ? { type, target: a[ATTRIBUTES.cname]! } : undefined;
    case 'SRV': {
      const port = Number(a[ATTRIBUTES.port]);
      if (!Number.isInteger(port) || (!a[ATTRIBUTES.ipv4] && !a[ATTRIBUTES.ipv6])) return undefined;
      return { type, priority: SRV_PRIORITY, weight: SRV_WEIGHT, port, target: srvTarget(service, instance.id) };
    }
  }
}

/** The TTL of the service's smallest record: what a name without records of the asked type is answered with. */
const minTtl = (service: ServiceRecord) => Math.min(...(service.dnsConfig?.records.map((r) => r.ttl) ?? [0]));

/** `count` items from `from` starting at `start` (wrapping): a rotation so answers share the load. */
function rotate<T>(from: readonly T[], start: number, count: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < Math.min(count, from.length); i++) out.push(from[(start + i) % from.length]!);
  return out;
}

/**
 * The answer to `name` and `type`. `pick(n)` chooses an index below n (the WEIGHTED record, and
 * where a multivalue answer starts); 0 by default, so tests are deterministic.
 */
export function dnsAnswer(view: DiscoveryDnsView, name: string, type: RecordType, pick: (n: number) => number = () => 0): DnsAnswer | undefined {
  const fqdn = normalizeName(name);
  const service = view.serviceByName(fqdn);
  if (service?.dnsConfig) {
    const spec = service.dnsConfig.records.find((r) => r.type === type);
    if (!spec) return { records: [], ttl: minTtl(service) };
    const candidates = [...view.instancesOf(service)].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
      .map((instance) => ({ record: recordOf(service, instance, type), health: healthOf(service, instance) }))
      .filter((c): c is { record: DnsAnswerRecord; health: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN' } => c.record !== undefined);
    const healthy = candidates.filter((c) => c.health !== 'UNHEALTHY');
    const pool = (healthy.length > 0 ? healthy : candidates).map((c) => c.record);
    if (pool.length === 0) return { records: [], ttl: spec.ttl };
    const start = pick(pool.length);
    const records = service.dnsConfig.routingPolicy === 'WEIGHTED' ? [pool[start]!] : rotate(pool, start, MULTIVALUE_MAX);
    return { records, ttl: spec.ttl };
  }
  if (service) return undefined;
  return instanceHostAnswer(view, fqdn, type);
}

/** The answer for `<instanceId>.<service>.<namespace>`, the target of an SRV record: the instance's own A or AAAA record. */
function instanceHostAnswer(view: DiscoveryDnsView, fqdn: string, type: RecordType): DnsAnswer | undefined {
  const labels = fqdn.split('.');
  for (let i = 1; i < labels.length - 1; i++) {
    const service = view.serviceByName(labels.slice(i).join('.'));
    const srv = service?.dnsConfig?.records.find((r) => r.type === 'SRV');
    if (!service || !srv) continue;
    const instanceId = labels.slice(0, i).join('.');
    const instance = view.instancesOf(service).find((x) => x.id.toLowerCase() === instanceId);
    if (!instance) continue;
    const ttl = service.dnsConfig!.records.find((r) => r.type === type)?.ttl ?? srv.ttl;
    if (type !== 'A' && type !== 'AAAA') return { records: [], ttl };
    const record = recordOf(service, instance, type);
    return { records: record ? [record] : [], ttl };
  }
  return undefined;
}
