/**
 * The load balancing records as the data plane sees them: one informer per kind (load balancers,
 * listeners, rules, target groups, registrations, health), indexed by what the proxies and the
 * health checker ask, and a generation bumped by every change so that what is compiled from the
 * records (a listener's routes, a group's targets) is rebuilt only after a change.
 */
import type { Store } from '../state/index.ts';
import { decodeJson, Informer } from '../state/index.ts';
import {
  keys, type ListenerRecord, type LoadBalancerRecord, type RuleRecord, type TargetGroupRecord, type TargetHealthRecord, type TargetRegistrationRecord,
} from '../lb/index.ts';


/** The data plane's shared view of the load balancing records. */
export class LbView {
  readonly loadBalancers: Informer<LoadBalancerRecord>;
  readonly listeners: Informer<ListenerRecord>;
  readonly rules: Informer<RuleRecord>;
  readonly targetGroups: Informer<TargetGroupRecord>;
  readonly targets: Informer<TargetRegistrationRecord>;
  readonly health: Informer<TargetHealthRecord>;
  /** Bumped by every change of any kind. */
  generation = 0;
  private readonly all: Informer<unknown>[];
  private readonly listenersOf = new Set<() => void>();

  constructor(store: Store, onError: (error: unknown) => void) {
    const common = { store, onError, decode: decodeJson };
    this.loadBalancers = new Informer<LoadBalancerRecord>({
      ...common, prefix: keys.allLoadBalancers,
      indexes: { arn: (lb) => [lb.arn], address: (lb) => [lb.address, ...lb.zones.map((z) => z.privateIpv4Address)], dnsName: (lb) => [lb.dnsName.toLowerCase()] },
    });
    this.listeners = new Informer<ListenerRecord>({ ...common, prefix: keys.allListeners, indexes: { arn: (l) => [l.arn], port: (l) => [`${l.loadBalancerArn}|${l.port}`] } });
    this.rules = new Informer<RuleRecord>({ ...common, prefix: keys.allRules, indexes: { listener: (r) => [r.listenerArn] } });
    this.targetGroups = new Informer<TargetGroupRecord>({ ...common, prefix: keys.allTargetGroups, indexes: { arn: (g) => [g.arn] } });
    this.targets = new Informer<TargetRegistrationRecord>({ ...common, prefix: keys.allTargets, indexes: { group: (t) => [t.targetGroupArn] } });
    this.health = new Informer<TargetHealthRecord>({ ...common, prefix: keys.allTargetHealth, indexes: { target: (h) => [`${h.targetGroupArn}|${h.id}|${h.port}`] } });
    this.all = [this.loadBalancers, this.listeners, this.rules, this.targetGroups, this.targets, this.health] as Informer<unknown>[];
    for (const informer of this.all) {
      informer.subscribe(() => {
        this.generation++;
        for (const fn of this.listenersOf) fn();
      });
    }
  }

  /** Lists and follows every kind; resolves once each has its first listing. */
  async start(): Promise<void> {
    await Promise.all(this.all.map((i) => i.start()));
    this.generation++;
  }

  close(): void {
    for (const informer of this.all) informer.close();
  }

  /** Calls `fn` after every change; returns the function that stops it. */
  onChange(fn: () => void): () => void {
    this.listenersOf.add(fn);
    return () => this.listenersOf.delete(fn);
  }

  /** The target group with this ARN. */
  group(arn: string): TargetGroupRecord | undefined {
    return this.targetGroups.byIndex('arn', arn)[0]?.value;
  }

  /** The listener with this ARN. */
  listener(arn: string): ListenerRecord | undefined {
    return this.listeners.byIndex('arn', arn)[0]?.value;
  }

  /** The load balancer with this ARN. */
  loadBalancer(arn: string): LoadBalancerRecord | undefined {
    return this.loadBalancers.byIndex('arn', arn)[0]?.value;
  }

  /** The load balancer listening on this address (its loopback address or one of its subnet addresses), if any. */
  loadBalancerAt(address: string): LoadBalancerRecord | undefined {
    return this.loadBalancers.byIndex('address', address)[0]?.value;
  }

  /** The load balancer's listener on this port, if any. */
  listenerOn(loadBalancerArn: string, port: number): ListenerRecord | undefined {
    return this.listeners.byIndex('port', `${loadBalancerArn}|${port}`)[0]?.value;
  }

  /** The load balancer with this DNS name (lower case). */
  loadBalancerNamed(dnsName: string): LoadBalancerRecord | undefined {
    return this.loadBalancers.byIndex('dnsName', dnsName)[0]?.value;
  }

  /** A group's registrations. */
  registrations(groupArn: string): TargetRegistrationRecord[] {
    return this.targets.byIndex('group', groupArn).map((d) => d.value);
  }

  /** What the health checker last wrote of a target, if anything. */
  healthOf(groupArn: string, id: string, port: number): TargetHealthRecord | undefined {
    return this.health.byIndex('target', `${groupArn}|${id}|${port}`)[0]?.value;
  }

  /** A listener's rules but its default one, by ascending priority. */
  rulesOf(listenerArn: string): RuleRecord[] {
    return this.rules.byIndex('listener', listenerArn).map((d) => d.value)
      .filter((r): r is RuleRecord & { priority: number } => r.priority !== 'default')
      .sort((a, b) => a.priority - b.priority);
  }
}
