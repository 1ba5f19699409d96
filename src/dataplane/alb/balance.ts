/**
 * Which target a request goes to, as an Application Load Balancer picks: a forward action's
 * target group by weight, then within the group only targets that are healthy — or, when none
 * is, every unhealthy one (ALB fails open) — by round robin or least outstanding requests, a
 * target in slow start taking a share that grows linearly over its duration. Draining and initial
 * targets take no new requests. Pure but for the counters a picker keeps; randomness injected.
 */

/** A registered target as the data plane sees it. */
export interface RoutableTarget {
  /** Instance id or IP, with the port: unique within the target group. */
  key: string;
  address: string;
  port: number;
  state: 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'unavailable';
  /** When it last became healthy, for slow start. */
  healthySince?: number;
}

/** The targets new requests may go to (see the file comment). */
export function routable(targets: readonly RoutableTarget[]): RoutableTarget[] {
  const healthy = targets.filter((t) => t.state === 'healthy');
  return healthy.length > 0 ? healthy : targets.filter((t) => t.state === 'unhealthy');
}

/** One of `groups` by weight (a weight of 0 is never picked); undefined when all weigh 0. */
export function pickWeighted<G extends { weight: number }>(groups: readonly G[], rng: () => number): G | undefined {
  const total = groups.reduce((n, g) => n + Math.max(0, g.weight), 0);
  if (total <= 0) return undefined;
  let x = rng() * total;
  for (const g of groups) {
    x -= Math.max(0, g.weight);
    if (x < 0 && g.weight > 0) return g;
  }
  // Rounding at the very end of the range: the last group that weighs anything.
  return [...groups].reverse().find((g) => g.weight > 0);
}

/** How a target group spreads its requests (`load_balancing.algorithm.type`). */
export type Algorithm = 'round_robin' | 'least_outstanding_requests' | 'weighted_random';

/** One target group's picker: the round-robin position and each target's requests in flight. */
export class TargetPicker {
  private next = 0;
  private readonly outstanding = new Map<string, number>();

  constructor(private readonly rng: () => number) {}

  /** The target for the next request among `candidates` (already routable), or undefined when there is none. */
  pick(candidates: readonly RoutableTarget[], algorithm: Algorithm, now: number, slowStartMs = 0): RoutableTarget | undefined {
    if (candidates.length === 0) return undefined;
    const ramping = slowStartMs > 0 ? candidates.filter((t) => t.healthySince !== undefined && now - t.healthySince < slowStartMs) : [];
    if (ramping.length > 0 && ramping.length < candidates.length) {
      // A target in slow start is passed over with the share of its ramp it has not reached.
      const settled = candidates.filter((t) => !ramping.includes(t));
      const admitted = ramping.filter((t) => this.rng() < (now - t.healthySince!) / slowStartMs);
      candidates = [...settled, ...admitted];
    }
    if (algorithm === 'least_outstanding_requests') {
      let best = candidates[0]!;
      for (const t of candidates) if (this.inFlight(t) < this.inFlight(best)) best = t;
      return best;
    }
    if (algorithm === 'weighted_random') return candidates[Math.floor(this.rng() * candidates.length)];
    this.next = (this.next + 1) % Number.MAX_SAFE_INTEGER;
    return candidates[this.next % candidates.length];
  }

  /** A request to `t` began; call the returned function when it ends. */
  begin(t: RoutableTarget): () => void {
    this.outstanding.set(t.key, this.inFlight(t) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const n = this.inFlight(t) - 1;
      if (n > 0) this.outstanding.set(t.key, n);
      else this.outstanding.delete(t.key);
    };
  }

  /** Requests in flight to `t`. */
  inFlight(t: RoutableTarget): number {
    return this.outstanding.get(t.key) ?? 0;
  }
}
