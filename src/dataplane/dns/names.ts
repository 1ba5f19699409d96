/**
 * What the DNS server answers for, as ports: the names of Cloud Map private DNS namespaces
 * (`DiscoveryNames`, kept by service discovery) and load balancers' DNS names
 * (`LoadBalancerNames`, kept by the load balancing data plane). The server knows neither domain;
 * it asks these two and forwards every other name.
 */

/** An address record's data (A or AAAA). */
export interface AddressData {
  address: string;
}

/** An SRV record's data. */
export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** A CNAME record's data. */
export interface CnameData {
  target: string;
}

/** The record types Cloud Map keeps in a private DNS namespace's hosted zone. */
export type DiscoveryRecordType = 'A' | 'AAAA' | 'SRV' | 'CNAME';

/** One name's records of one type, with the TTL they are served with. */
export interface DiscoveryAnswer {
  ttl: number;
  records: Array<AddressData | SrvData | CnameData>;
}

/** The names of the private DNS namespaces this server is authoritative for. */
export interface DiscoveryNames {
  /**
   * The records for `name` (lower-case, no trailing dot) of `type`; `undefined` when the name is
   * not in any namespace (or does not exist in it); `{ records: [] }` when the name is in a
   * namespace but has no such records (NODATA).
   */
  answer(name: string, type: DiscoveryRecordType): DiscoveryAnswer | undefined;
  /**
   * Whether `name` is inside a namespace this server is authoritative for (so unknown names there
   * are NXDOMAIN, not forwarded), and that namespace's SOA TTL.
   */
  zoneOf(name: string): { zone: string; soaTtl: number } | undefined;
}

/** Load balancers' DNS names (`<name>-<id>.<region>.elb.amazonaws.com`, `internal-…`). */
export interface LoadBalancerNames {
  /**
   * The addresses `name` (lower-case, no trailing dot) resolves to for a client, or `undefined`
   * when no load balancer has that name. A client on loopback gets the loopback address the load
   * balancer listens on; any other (a task) its addresses in its subnets.
   */
  loadBalancerAddresses(name: string, client: { loopback: boolean }): string[] | undefined;
}

/** Neither namespaces nor load balancers: every name is forwarded. */
export const noDiscoveryNames: DiscoveryNames = { answer: () => undefined, zoneOf: () => undefined };
/** No load balancers. */
export const noLoadBalancerNames: LoadBalancerNames = { loadBalancerAddresses: () => undefined };
