/**
 * Wharf's DNS server wired to this control plane: Cloud Map's private and public DNS namespaces
 * (answered from the discovery informers: healthy instances, the service's TTLs and routing
 * policy), load balancers' DNS names (from the load balancing data plane's view), everything
 * else forwarded. Every replica serves it; agents relay their tasks' queries to it.
 *
 *   task ─▶ agent's resolver (169.254.169.253:53) ─▶ this server ─▶ DiscoveryNames (informers)
 *                                                              ├─▶ LbViewNames (LbView)
 *                                                              └─▶ upstream resolvers
 */
import { isIP } from 'node:net';
import { DEFAULT_SOA_TTL, DiscoveryInformers, type DnsAnswerRecord } from '../discovery/index.ts';
import {
  DnsServer, LbViewNames, type AddressData, type CnameData, type DiscoveryNames, type LbView, type SrvData, type Upstream,
} from '../dataplane/index.ts';
import type { Store } from '../state/index.ts';

/** Where the DNS server listens and what it forwards to. */
export interface DnsListen {
  address: string;
  /** 0: a free port. */
  port: number;
  /** Resolvers for names outside the namespaces (default: the host's, from /etc/resolv.conf). */
  upstreams?: Upstream[];
}

/** The port the control plane's DNS server listens on unless told otherwise (no root needed). */
export const DEFAULT_DNS_PORT = 8053;

/**
 * Queries per second each source may send: one source is a whole host's tasks (its agent relays
 * them), so the bound is a host's, not a task's.
 */
const PER_SOURCE_QPS = 20_000;

/** Cloud Map's records as the DNS server's `DiscoveryNames`: every account's namespaces, answered to every client. */
export function discoveryNames(informers: DiscoveryInformers, random: () => number = Math.random): DiscoveryNames {
  const port = informers.dnsPort({}, (n) => Math.floor(random() * n));
  return {
    answer(name, type) {
      const found = port.answer(name, type);
      return found && { ttl: found.ttl, records: found.records.map(recordData) };
    },
    zoneOf(name) {
      const ns = informers.zoneOf(name);
      return ns && { zone: ns.name.toLowerCase(), soaTtl: ns.soaTtl ?? DEFAULT_SOA_TTL };
    },
  };
}

function recordData(r: DnsAnswerRecord): AddressData | SrvData | CnameData {
  switch (r.type) {
    case 'A': case 'AAAA': return { address: r.address };
    case 'SRV': return { priority: r.priority, weight: r.weight, port: r.port, target: r.target };
    case 'CNAME': return { target: r.target };
  }
}

/** The running DNS server. */
export interface DnsDataPlane {
  address: { address: string; port: number };
  close(): Promise<void>;
}

/** Starts the DNS server at `listen` over the store's Cloud Map records and the load balancers' view. */
export async function startDnsDataPlane(store: Store, view: LbView, listen: DnsListen, log: (message: string) => void): Promise<DnsDataPlane> {
  const informers = new DiscoveryInformers(store, (error) => log(`dns: discovery records: ${String(error)}`));
  await informers.start();
  const server = new DnsServer({
    names: discoveryNames(informers), loadBalancers: new LbViewNames(view), log,
    rateLimit: { perSecond: PER_SOURCE_QPS },
    ...(listen.upstreams && { upstreams: listen.upstreams }),
  });
  try {
    const address = await server.listen(listen.address, listen.port);
    return {
      address,
      async close() {
        await server.close();
        informers.close();
      },
    };
  } catch (error) {
    informers.close();
    throw error;
  }
}

/** `IP[:PORT]` items, comma-separated (IPv6 in brackets when it has a port), as upstream resolvers. */
export function parseUpstreams(text: string): Upstream[] {
  return text.split(',').filter(Boolean).map((item) => {
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(item) ?? /^([^:]+)(?::(\d+))?$/.exec(item) ?? [item, item, undefined];
    const port = m[2] === undefined ? 53 : Number(m[2]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--dns-upstream: ${item} has no valid port`);
    if (!isIP(m[1]!)) throw new Error(`--dns-upstream: ${item} is not an IP address`);
    return { address: m[1]!, port };
  });
}
