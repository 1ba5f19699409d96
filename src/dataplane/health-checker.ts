/**
 * Target health checks, run by the leader alone: every registered, not draining target of every
 * target group a load balancer uses is probed at the group's interval (the first probe at once),
 * each result folded by the group's thresholds (alb/health.ts), and the outcome written as the
 * target's health record whenever its state or reason changes — the only health the proxies and
 * ECS services read. Counts start from the last record, so a new leader carries on.
 */
import type { Clock } from '../common/index.ts';
import { parseLbArn, putTargetHealth, type TargetGroupRecord, type TargetHealthReason, type TargetHealthRecord } from '../lb/index.ts';
import type { Store } from '../state/index.ts';
import { observe, statusMatcher, type TargetHealthState } from './alb/health.ts';
import { probe } from './alb/probe.ts';
import type { LbView } from './lb-view.ts';
import type { GroupTargets } from './targets.ts';

/** What the checker is given. */
export interface HealthCheckerOptions {
  store: Store;
  view: LbView;
  clock: Clock;
  /** Each group's targets as the data plane reaches them (shared with the proxies). */
  targets: GroupTargets;
  log: (message: string) => void;
  /** The address a load balancer sends to IP targets from, when not the host's (see LoadBalancers.sourceAddress). */
  sourceAddress?(loadBalancerArn: string): string | undefined;
  /** How often due checks are looked for (default 250 ms). */
  tickMs?: number;
}

interface Checked {
  health: TargetHealthState;
  nextAt: number;
  inFlight: boolean;
  written?: string;
}

/** The leader's health checker. */
export class HealthChecker {
  private readonly checked = new Map<string, Checked>();
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly o: HealthCheckerOptions) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.o.tickMs ?? 250);
    this.timer.unref();
    this.tick();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  private tick(): void {
    if (this.closed) return;
    const now = this.o.clock.now();
    const live = new Set<string>();
    for (const { value: group } of this.o.view.targetGroups.list()) {
      if (group.usedBy.length === 0 || !group.healthCheck.enabled) continue;
      for (const target of this.o.targets.of(group.arn)) {
        live.add(target.key);
        let c = this.checked.get(target.key);
        if (!c) {
          const record = this.o.view.healthOf(group.arn, target.id, target.port);
          c = { health: fromRecord(record), nextAt: now, inFlight: false, written: record && `${record.state}|${record.reason ?? ''}` };
          this.checked.set(target.key, c);
        }
        if (c.inFlight || c.nextAt > now) continue;
        c.inFlight = true;
        c.nextAt = now + group.healthCheck.intervalSeconds * 1000;
        void this.check(group, target.id, target.address, target.port, c).finally(() => {
          c.inFlight = false;
        });
      }
    }
    for (const key of this.checked.keys()) if (!live.has(key)) this.checked.delete(key);
  }

  /** IP targets are checked from an address of a load balancer using the group, where this host holds one. */
  private sourceOf(group: TargetGroupRecord): string | undefined {
    if (group.targetType !== 'ip' || !this.o.sourceAddress) return undefined;
    for (const { loadBalancerArn } of group.usedBy) {
      const address = this.o.sourceAddress(loadBalancerArn);
      if (address) return address;
    }
    return undefined;
  }

  private async check(group: TargetGroupRecord, id: string, address: string, port: number, c: Checked): Promise<void> {
    const hc = group.healthCheck;
    const result = await probe({
      address, port: hc.port === 'traffic-port' ? port : Number(hc.port), protocol: hc.protocol, path: hc.path,
      matches: statusMatcher(hc.matcher?.httpCode ?? '200'), timeoutMs: hc.timeoutSeconds * 1000, localAddress: this.sourceOf(group),
    });
    if (this.closed) return;
    c.health = observe(c.health, result, hc);
    const state = `${c.health.state}|${c.health.reason ?? ''}`;
    if (state === c.written) return;
    const parsed = parseLbArn(group.arn);
    if (parsed?.kind !== 'targetgroup') return;
    const record: TargetHealthRecord = {
      targetGroupArn: group.arn, id, port, state: c.health.state,
      ...(c.health.reason ? { reason: c.health.reason as TargetHealthReason, description: c.health.description } : {}),
      consecutiveSuccesses: c.health.passes, consecutiveFailures: c.health.failures, checkedAt: this.o.clock.now(),
    };
    try {
      await putTargetHealth(this.o.store, parsed.scope, parsed.id, record);
      c.written = state;
    } catch (error) {
      this.o.log(`health check of ${id}:${port} in ${group.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function fromRecord(record: TargetHealthRecord | undefined): TargetHealthState {
  if (!record || record.state === 'unavailable') return { state: 'initial', passes: 0, failures: 0 };
  return { state: record.state, reason: record.reason, description: record.description, passes: record.consecutiveSuccesses ?? 0, failures: record.consecutiveFailures ?? 0 };
}
