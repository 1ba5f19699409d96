/**
 * The `AWS/NetworkELB` metrics of this replica's flows, counted in memory and handed on in
 * batches as the ALB's are (lb-metrics.ts; each replica publishes what it carried, CloudWatch adds
 * them up), by LoadBalancer: NewFlowCount, ProcessedBytes and ActiveFlowCount, each also per
 * listener protocol (`_TCP`, `_TLS`, `_UDP`), TCP_Client_Reset_Count, TCP_Target_Reset_Count,
 * TCP_ELB_Reset_Count and ClientTLSNegotiationErrorCount; and HealthyHostCount /
 * UnHealthyHostCount by TargetGroup + LoadBalancer.
 *
 * - ActiveFlowCount is the most flows open at once during the interval (flows open across
 *   intervals count in each), so a burst between two publications is not missed.
 * - A flow's bytes (client to listener and back, without TCP/IP headers) are counted when it
 *   ends; a UDP flow ends after its idle timeout.
 * - Nothing is published for a load balancer without flows in the interval. Pure: the caller
 *   gives the time and the host counts.
 */
import type { LoadBalancerRecord } from '../lb/index.ts';
import { dimensionOf, type LbDatum } from './lb-metrics.ts';
import { resetByLoadBalancer, type TcpFlowEnd } from './nlb/tcp.ts';

/** The protocol of the listener that carried a flow (TCP_UDP's halves count as TCP and UDP). */
export type FlowProtocol = 'TCP' | 'TLS' | 'UDP';

/** What the NLB proxies tell of their flows. */
export interface FlowObserver {
  /** A flow was routed to a target. */
  flowStarted(lb: LoadBalancerRecord, protocol: FlowProtocol): void;
  /** A flow ended (`started`: it had been routed), with the bytes it carried both ways. */
  flowEnded(lb: LoadBalancerRecord, protocol: FlowProtocol, flow: { bytes: number; started: boolean; end: string }): void;
  /** A client's TLS handshake with a TLS listener failed. */
  clientTlsError(lb: LoadBalancerRecord): void;
}

interface Tally {
  scope: { account: string; region: string };
  dimensions: { name: string; value: string }[];
  counts: Map<string, number>;
  bytes: Map<string, number>;
  /** Open flows now, by protocol ('' for all). */
  active: Map<string, number>;
  /** The most open at once since the last take, by protocol ('' for all). */
  peak: Map<string, number>;
}

const RESETS: Partial<Record<TcpFlowEnd, string>> = { 'client-reset': 'TCP_Client_Reset_Count', 'target-reset': 'TCP_Target_Reset_Count' };

/** Counts of one replica's NLB flows until they are taken. */
export class NlbMetrics implements FlowObserver {
  private readonly tallies = new Map<string, Tally>();

  flowStarted(lb: LoadBalancerRecord, protocol: FlowProtocol): void {
    const t = this.tally(lb);
    add(t.counts, 'NewFlowCount', 1);
    add(t.counts, `NewFlowCount_${protocol}`, 1);
    for (const key of ['', protocol]) {
      const open = add(t.active, key, 1);
      if (open > (t.peak.get(key) ?? 0)) t.peak.set(key, open);
    }
  }

  flowEnded(lb: LoadBalancerRecord, protocol: FlowProtocol, flow: { bytes: number; started: boolean; end: string }): void {
    const t = this.tally(lb);
    if (flow.started) for (const key of ['', protocol]) add(t.active, key, -1);
    add(t.bytes, 'ProcessedBytes', flow.bytes);
    add(t.bytes, `ProcessedBytes_${protocol}`, flow.bytes);
    if (protocol === 'UDP') return;
    const end = flow.end as TcpFlowEnd;
    const reset = RESETS[end] ?? (resetByLoadBalancer(end) ? 'TCP_ELB_Reset_Count' : undefined);
    if (reset) add(t.counts, reset, 1);
  }

  clientTlsError(lb: LoadBalancerRecord): void {
    add(this.tally(lb).counts, 'ClientTLSNegotiationErrorCount', 1);
  }

  /**
   * The data counted since the last call, timestamped `now`, and the host counts of each target
   * group network load balancers use (`groups`: the group, its load balancers, its healthy and
   * unhealthy targets).
   */
  take(now: number, groups: { groupArn: string; loadBalancerArns: string[]; healthy: number; unhealthy: number }[]): LbDatum[] {
    const out: LbDatum[] = [];
    for (const [key, t] of this.tallies) {
      const datum = (metricName: string, value: number, unit: LbDatum['unit'] = 'Count') =>
        out.push({ scope: t.scope, metricName, dimensions: t.dimensions, timestamp: now, unit, value });
      for (const [name, value] of t.counts) datum(name, value);
      for (const [name, value] of t.bytes) datum(name, value, 'Bytes');
      for (const [protocol, value] of t.peak) if (protocol === '' || value > 0) datum(protocol ? `ActiveFlowCount_${protocol}` : 'ActiveFlowCount', value);
      t.counts = new Map();
      t.bytes = new Map();
      t.peak = new Map([...t.active].filter(([, n]) => n > 0));
      if (t.peak.size === 0) this.tallies.delete(key);
    }
    for (const g of groups) {
      for (const lb of g.loadBalancerArns) {
        const dimensions = [{ name: 'TargetGroup', value: dimensionOf(g.groupArn) }, { name: 'LoadBalancer', value: dimensionOf(lb) }];
        const [, , , region = '', account = ''] = g.groupArn.split(':');
        out.push({ scope: { account, region }, metricName: 'HealthyHostCount', dimensions, timestamp: now, unit: 'Count', value: g.healthy });
        out.push({ scope: { account, region }, metricName: 'UnHealthyHostCount', dimensions, timestamp: now, unit: 'Count', value: g.unhealthy });
      }
    }
    return out;
  }

  private tally(lb: LoadBalancerRecord): Tally {
    let t = this.tallies.get(lb.arn);
    if (!t) {
      const [, , , region = '', account = ''] = lb.arn.split(':');
      t = { scope: { account, region }, dimensions: [{ name: 'LoadBalancer', value: dimensionOf(lb.arn) }], counts: new Map(), bytes: new Map(), active: new Map(), peak: new Map() };
      this.tallies.set(lb.arn, t);
    }
    return t;
  }
}

function add(m: Map<string, number>, key: string, n: number): number {
  const v = (m.get(key) ?? 0) + n;
  m.set(key, v);
  return v;
}
