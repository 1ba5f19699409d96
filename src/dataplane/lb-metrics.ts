/**
 * The `AWS/ApplicationELB` metrics of this replica's traffic, counted in memory and handed on in
 * batches (each replica publishes what it carried; CloudWatch adds them up): RequestCount,
 * HTTPCode_Target_2XX/3XX/4XX/5XX_Count, HTTPCode_ELB_4XX/5XX_Count, HTTP_Fixed_Response_Count,
 * HTTP_Redirect_Count and TargetResponseTime by
 * LoadBalancer and by LoadBalancer + TargetGroup, RequestCountPerTarget by TargetGroup (+
 * LoadBalancer), HealthyHostCount / UnHealthyHostCount of every target group in use, and the
 * client connections by LoadBalancer: NewConnectionCount, ActiveConnectionCount (the most open at
 * once during the interval) and ProcessedBytes (bytes on the wire both ways, TLS included, counted
 * as they pass: a long keep-alive connection's bytes fall in the interval they were carried in).
 * Request metrics exist only for periods with requests, as ALB reports them; health checks are not
 * requests. Pure: the caller gives the time and the host counts.
 */
import type { LoadBalancerRecord } from '../lb/index.ts';
import type { ExchangeRecord } from './alb/proxy.ts';

/** One datum for PutMetricData in the load balancer's account and region. */
export interface LbDatum {
  scope: { account: string; region: string };
  metricName: string;
  dimensions: { name: string; value: string }[];
  timestamp: number;
  unit: 'Count' | 'Seconds' | 'Bytes';
  /** A sum (counts) or a statistic set (response times). */
  value?: number;
  statisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
}

interface Tally {
  scope: { account: string; region: string };
  dimensions: { name: string; value: string }[];
  counts: Map<string, number>;
  times?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
}

/** `app/<name>/<id>`, `targetgroup/<name>/<id>`: the dimension values, the ARNs' resource parts. */
export const dimensionOf = (arn: string): string => arn.split(':').slice(5).join(':').replace(/^loadbalancer\//, '');

const scopeOf = (arn: string) => {
  const [, , , region = '', account = ''] = arn.split(':');
  return { account, region };
};

/** A client connection as the counts read it. */
export interface ConnectionBytes {
  bytesRead: number;
  bytesWritten: number;
}

/** One load balancer's client connections: those open, and what was carried since the last take. */
interface Connections {
  scope: { account: string; region: string };
  dimension: { name: string; value: string };
  /** Open connections with the bytes already counted of each. */
  open: Map<ConnectionBytes, number>;
  opened: number;
  peak: number;
  bytes: number;
}

/** Counts of one replica's exchanges until they are taken. */
export class LbMetrics {
  private tallies = new Map<string, Tally>();
  private readonly connections = new Map<string, Connections>();

  /** A client connection to `lb` was accepted; `closed` is to be called once it is gone. */
  connectionOpened(lb: LoadBalancerRecord, socket: ConnectionBytes): { closed(): void } {
    let c = this.connections.get(lb.arn);
    if (!c) this.connections.set(lb.arn, (c = { scope: scopeOf(lb.arn), dimension: { name: 'LoadBalancer', value: dimensionOf(lb.arn) }, open: new Map(), opened: 0, peak: 0, bytes: 0 }));
    const conns = c;
    conns.open.set(socket, 0);
    conns.opened++;
    conns.peak = Math.max(conns.peak, conns.open.size);
    return {
      closed: () => {
        const counted = conns.open.get(socket);
        if (counted === undefined) return;
        conns.bytes += socket.bytesRead + socket.bytesWritten - counted;
        conns.open.delete(socket);
      },
    };
  }

  /** Counts one finished exchange of `lb`. */
  record(lb: LoadBalancerRecord, e: ExchangeRecord): void {
    const lbDim = { name: 'LoadBalancer', value: dimensionOf(lb.arn) };
    const scope = scopeOf(lb.arn);
    const byLb = this.tally(scope, [lbDim]);
    const class_ = `${Math.floor(e.statusCode / 100)}XX`;
    add(byLb, 'RequestCount', 1);
    if (e.action === 'fixed-response') return add(byLb, 'HTTP_Fixed_Response_Count', 1);
    if (e.action === 'redirect') return add(byLb, 'HTTP_Redirect_Count', 1);
    if (e.by === 'elb') {
      if (e.statusCode >= 400) add(byLb, `HTTPCode_ELB_${class_}_Count`, 1);
      return;
    }
    add(byLb, `HTTPCode_Target_${class_}_Count`, 1);
    if (!e.targetGroupArn) return;
    const byGroup = this.tally(scope, [{ name: 'TargetGroup', value: dimensionOf(e.targetGroupArn) }, lbDim]);
    add(byGroup, 'RequestCount', 1);
    add(byGroup, `HTTPCode_Target_${class_}_Count`, 1);
    if (e.targetResponseMs !== undefined) for (const t of [byLb, byGroup]) time(t, e.targetResponseMs / 1000);
  }

  /**
   * The data counted since the last call, timestamped `now`, and each in-use group's host counts
   * (`groups`: the group, its load balancers, and its healthy and unhealthy target counts);
   * RequestCountPerTarget divides a group's requests by its healthy targets.
   */
  take(now: number, groups: { groupArn: string; loadBalancerArns: string[]; healthy: number; unhealthy: number }[]): LbDatum[] {
    const out: LbDatum[] = [];
    const healthyOf = new Map(groups.flatMap((g) => g.loadBalancerArns.map((lb) => [`${dimensionOf(g.groupArn)}|${dimensionOf(lb)}`, g.healthy] as const)));
    for (const t of this.tallies.values()) {
      for (const [metricName, value] of t.counts) out.push({ scope: t.scope, metricName, dimensions: t.dimensions, timestamp: now, unit: 'Count', value });
      if (t.times) out.push({ scope: t.scope, metricName: 'TargetResponseTime', dimensions: t.dimensions, timestamp: now, unit: 'Seconds', statisticValues: t.times });
      const [group, lb] = t.dimensions;
      const requests = t.counts.get('RequestCount');
      if (group?.name === 'TargetGroup' && lb && requests) {
        const healthy = healthyOf.get(`${group.value}|${lb.value}`) ?? 0;
        const value = requests / Math.max(1, healthy);
        out.push({ scope: t.scope, metricName: 'RequestCountPerTarget', dimensions: [group], timestamp: now, unit: 'Count', value });
        out.push({ scope: t.scope, metricName: 'RequestCountPerTarget', dimensions: t.dimensions, timestamp: now, unit: 'Count', value });
      }
    }
    for (const [arn, c] of this.connections) {
      for (const [socket, counted] of c.open) {
        const total = socket.bytesRead + socket.bytesWritten;
        c.bytes += total - counted;
        c.open.set(socket, total);
      }
      const datum = (metricName: string, value: number, unit: LbDatum['unit']) => out.push({ scope: c.scope, metricName, dimensions: [c.dimension], timestamp: now, unit, value });
      if (c.opened > 0) datum('NewConnectionCount', c.opened, 'Count');
      if (c.peak > 0) datum('ActiveConnectionCount', c.peak, 'Count');
      if (c.bytes > 0) datum('ProcessedBytes', c.bytes, 'Bytes');
      c.opened = 0;
      c.bytes = 0;
      c.peak = c.open.size;
      if (c.open.size === 0) this.connections.delete(arn);
    }
    for (const g of groups) {
      for (const lb of g.loadBalancerArns) {
        const dimensions = [{ name: 'TargetGroup', value: dimensionOf(g.groupArn) }, { name: 'LoadBalancer', value: dimensionOf(lb) }];
        const scope = scopeOf(g.groupArn);
        out.push({ scope, metricName: 'HealthyHostCount', dimensions, timestamp: now, unit: 'Count', value: g.healthy });
        out.push({ scope, metricName: 'UnHealthyHostCount', dimensions, timestamp: now, unit: 'Count', value: g.unhealthy });
      }
    }
    this.tallies = new Map();
    return out;
  }

  private tally(scope: Tally['scope'], dimensions: Tally['dimensions']): Tally {
    const key = `${scope.account}|${scope.region}|${dimensions.map((d) => d.value).join('|')}`;
    let t = this.tallies.get(key);
    if (!t) this.tallies.set(key, (t = { scope, dimensions, counts: new Map() }));
    return t;
  }
}

function add(t: Tally, metric: string, n: number): void {
  t.counts.set(metric, (t.counts.get(metric) ?? 0) + n);
}

function time(t: Tally, seconds: number): void {
  const s = t.times;
  t.times = s
    ? { SampleCount: s.SampleCount + 1, Sum: s.Sum + seconds, Minimum: Math.min(s.Minimum, seconds), Maximum: Math.max(s.Maximum, seconds) }
    : { SampleCount: 1, Sum: seconds, Minimum: seconds, Maximum: seconds };
}
