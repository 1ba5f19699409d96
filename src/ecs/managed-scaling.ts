/**
 * Pure: ECS cluster auto scaling's arithmetic for one Auto Scaling group capacity provider. ECS
 * publishes CapacityProviderReservation = M / N × 100, N the instances the group has, M the
 * instances the provider's tasks need — with tasks waiting in PROVISIONING, N plus the instances
 * they need (between the minimum and maximum scaling step); without, the instances running at
 * least one task (daemon tasks aside). Its target tracking policy keeps the metric at the
 * provider's targetCapacity: the group's desired capacity becomes ⌈M × 100 / target⌉, at once
 * when that is more, and only after 15 minutes of lower readings when it is less.
 */
import type { ManagedScalingRecord } from './asg-providers.ts';

/** How long readings must stay low before the group scales in (the low alarm's 15 one-minute data points). */
export const SCALE_IN_AFTER_MS = 15 * 60_000;

/** What the provider's instances and tasks look like now. */
export interface ProviderLoad {
  /** N: the group's instances (pending or in service). */
  groupInstances: number;
  /** The provider's container instances that run at least one task (daemon tasks aside). */
  busyInstances: number;
  /** The cpu and memory each task waiting in PROVISIONING for the provider needs. */
  waiting: readonly { cpu: number; memory: number }[];
  /** What one instance of the provider offers (a registered one's resources), to size the waiting tasks in instances. */
  instanceSize?: { cpu: number; memory: number };
}

/** M, N and the metric. */
export interface Reservation {
  m: number;
  n: number;
  /** CapacityProviderReservation, percent. */
  value: number;
}

/** CapacityProviderReservation for the provider's load. */
export function capacityProviderReservation(load: ProviderLoad, scaling: ManagedScalingRecord): Reservation {
  const n = load.groupInstances;
  let m = load.busyInstances;
  if (load.waiting.length) {
    const size = load.instanceSize;
    const sum = (f: (t: { cpu: number; memory: number }) => number) => load.waiting.reduce((s, t) => s + f(t), 0);
    // The instances the waiting tasks fill, packed by their larger need (cpu or memory); none known yet: one step.
    const needed = size && size.cpu > 0 && size.memory > 0
      ? Math.max(1, Math.ceil(sum((t) => t.cpu) / size.cpu), Math.ceil(sum((t) => t.memory) / size.memory))
      : scaling.minimumScalingStepSize;
    m = n + Math.min(scaling.maximumScalingStepSize, Math.max(scaling.minimumScalingStepSize, needed));
  }
  const value = n === 0 ? (m > 0 ? 200 : 100) : Math.round((10_000 * m) / n) / 100;
  return { m, n, value };
}

/** The desired capacity the provider's target tracking asks of the group for M instances, within its bounds. */
export function managedDesiredCapacity(m: number, scaling: ManagedScalingRecord, bounds: { minSize: number; maxSize: number }): number {
  const wanted = Math.ceil((m * 100) / scaling.targetCapacity);
  return Math.min(bounds.maxSize, Math.max(bounds.minSize, wanted));
}

/**
 * Whether to set the group's desired capacity to `wanted` now: more at once; less once readings
 * have asked for less since `lowSince` for SCALE_IN_AFTER_MS. Returns the decision and when the
 * low readings began (undefined when they are not low).
 */
export function scalingDecision(current: number, wanted: number, lowSince: number | undefined, now: number): { set?: number; lowSince?: number } {
  if (wanted > current) return { set: wanted };
  if (wanted === current) return {};
  const since = lowSince ?? now;
  return now - since >= SCALE_IN_AFTER_MS ? { set: wanted } : { lowSince: since };
}
