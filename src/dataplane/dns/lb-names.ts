/**
 * Load balancers' DNS names over the data plane's view of the load balancing records: an active
 * load balancer's name resolves to its addresses in its subnets (where tasks reach it), or to its
 * loopback address for clients on loopback (and when it has no subnet address yet).
 */
import type { LbView } from '../lb-view.ts';
import type { LoadBalancerNames } from './names.ts';

/** `LoadBalancerNames` read from an `LbView`. */
export class LbViewNames implements LoadBalancerNames {
  constructor(private readonly view: LbView) {}

  loadBalancerAddresses(name: string, client: { loopback: boolean }): string[] | undefined {
    const lb = this.view.loadBalancerNamed(name);
    if (!lb || lb.state !== 'active') return undefined;
    if (client.loopback) return [lb.address];
    const subnet = lb.zones.map((z) => z.privateIpv4Address).filter((a) => !!a);
    return subnet.length > 0 ? subnet : [lb.address];
  }
}
