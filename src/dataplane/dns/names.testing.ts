/**
 * Names for the DNS server's tests and benchmarks: a `DiscoveryNames` from a table (zones with
 * their SOA TTL, each name's records by type; a name with no records of any type does not exist,
 * NXDOMAIN inside a zone; a name with records of other types has NODATA for the rest), and load
 * balancer records as ELBv2 stores them.
 */
import type { LoadBalancerRecord } from '../../lb/index.ts';
import type { DiscoveryAnswer, DiscoveryNames, DiscoveryRecordType } from './names.ts';

/** The table: `zones` by name → SOA TTL; `records` by name → type → answer. */
export interface DiscoveryTable {
  zones: Record<string, number>;
  records: Record<string, Partial<Record<DiscoveryRecordType, DiscoveryAnswer>>>;
}

/** `DiscoveryNames` over a table that tests may change between queries. */
export class TableDiscoveryNames implements DiscoveryNames {
  constructor(readonly table: DiscoveryTable) {}

  answer(name: string, type: DiscoveryRecordType): DiscoveryAnswer | undefined {
    if (!this.zoneOf(name)) return undefined;
    const byType = this.table.records[name];
    if (!byType) return undefined;
    return byType[type] ?? { ttl: 0, records: [] };
  }

  zoneOf(name: string): { zone: string; soaTtl: number } | undefined {
    for (const [zone, soaTtl] of Object.entries(this.table.zones)) {
      if (name === zone || name.endsWith(`.${zone}`)) return { zone, soaTtl };
    }
    return undefined;
  }
}

/** A load balancer record as ELBv2 stores one (only what naming reads matters here). */
export function loadBalancerRecord(over: Partial<LoadBalancerRecord> = {}): LoadBalancerRecord {
  const id = over.id ?? '50dc6c495c0c9188';
  return {
    id, arn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/${id}`, name: 'shop', type: 'application', scheme: 'internal',
    ipAddressType: 'ipv4', vpcId: 'vpc-1', securityGroups: [], canonicalHostedZoneId: 'Z35SXDOTRQ7X7K', state: 'active', address: '127.255.0.7',
    dnsName: 'internal-shop-1356623945.us-east-1.elb.amazonaws.com', attributes: {}, tags: [], createdAt: 0,
    zones: [
      { zoneName: 'us-east-1a', zoneId: 'use1-az1', subnetId: 'subnet-a', networkInterfaceId: 'eni-a', privateIpv4Address: '10.0.1.20' },
      { zoneName: 'us-east-1b', zoneId: 'use1-az2', subnetId: 'subnet-b', networkInterfaceId: 'eni-b', privateIpv4Address: '10.0.2.20' },
    ],
    ...over,
  };
}

