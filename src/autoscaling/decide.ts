/**
 * The pure decisions of a group's reconcile: which placements new instances go to (balanced over
 * the group's availability zones, the least-filled zone first, then the order the subnets were
 * given), and which instances a scale-in terminates.
 *
 * Scale-in follows AWS's default termination policy, simplified:
 *   1. from the availability zone with the most unprotected instances (ties: the zone given last);
 *   2. in it, instances whose launch template or version is not the group's current one first;
 *   3. then the instance closest to its next billing hour (the largest part of an hour since launch);
 *   4. then the lowest instance id, so the choice is deterministic.
 * Instances protected from scale-in are never chosen; `OldestInstance`, `NewestInstance` and
 * `OldestLaunchTemplate` given as TerminationPolicies are honoured as the first criterion.
 */
import { countedInstances, type AsgInstance, type GroupRecord, type Placement } from './records.ts';

/** What a reconcile should do now. */
export interface CapacityPlan {
  /** Where each new instance goes. */
  launch: Placement[];
  /** The instances a scale-in takes out of service. */
  terminate: string[];
}

const HOUR = 3_600_000;

/** How many instances (counted or being launched) each of the group's zones has. */
function zoneCounts(group: GroupRecord, instances: readonly { availabilityZone: string }[]): Map<string, number> {
  const counts = new Map<string, number>(group.placements.map((p) => [p.availabilityZone, 0]));
  for (const i of instances) counts.set(i.availabilityZone, (counts.get(i.availabilityZone) ?? 0) + 1);
  return counts;
}

/** `n` placements, each into the zone with the fewest instances so far (ties: the subnet given first). */
export function placementsFor(group: GroupRecord, n: number): Placement[] {
  if (group.placements.length === 0) return [];
  const counts = zoneCounts(group, [...countedInstances(group), ...group.launching]);
  const out: Placement[] = [];
  const used = new Map<string, number>();
  for (let k = 0; k < n; k++) {
    let best = group.placements[0]!;
    for (const p of group.placements) if ((counts.get(p.availabilityZone) ?? 0) < (counts.get(best.availabilityZone) ?? 0)) best = p;
    // Within a zone, subnets take turns.
    const inZone = group.placements.filter((p) => p.availabilityZone === best.availabilityZone);
    const turn = used.get(best.availabilityZone) ?? 0;
    const chosen = inZone[turn % inZone.length]!;
    used.set(best.availabilityZone, turn + 1);
    counts.set(best.availabilityZone, (counts.get(best.availabilityZone) ?? 0) + 1);
    out.push(chosen);
  }
  return out;
}

const sameTemplate = (i: AsgInstance, g: GroupRecord) =>
  i.launchTemplate.launchTemplateId === g.launchTemplate.launchTemplateId && i.launchTemplate.version === g.launchTemplate.version;

/** Orders two candidates of one zone: the first to terminate sorts first. */
function compareForTermination(g: GroupRecord, now: number): (a: AsgInstance, b: AsgInstance) => number {
  const policy = g.terminationPolicies.find((p) => p !== 'Default') ?? 'Default';
  const billing = (i: AsgInstance) => (now - i.launchedAt) % HOUR;
  return (a, b) => {
    if (policy === 'OldestInstance' && a.launchedAt !== b.launchedAt) return a.launchedAt - b.launchedAt;
    if (policy === 'NewestInstance' && a.launchedAt !== b.launchedAt) return b.launchedAt - a.launchedAt;
    if (policy === 'ClosestToNextInstanceHour' && billing(a) !== billing(b)) return billing(b) - billing(a);
    const oldA = sameTemplate(a, g) ? 1 : 0;
    const oldB = sameTemplate(b, g) ? 1 : 0;
    if (oldA !== oldB) return oldA - oldB;
    if (billing(a) !== billing(b)) return billing(b) - billing(a);
    return a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
  };
}

/** The `n` instances a scale-in takes out, never protected ones (fewer when too few are unprotected). */
export function instancesToTerminate(group: GroupRecord, n: number, now: number): string[] {
  const candidates = countedInstances(group).filter((i) => !i.protectedFromScaleIn);
  const order = compareForTermination(group, now);
  const zones = [...new Set([...group.placements.map((p) => p.availabilityZone), ...candidates.map((i) => i.availabilityZone)])];
  const chosen: string[] = [];
  let left = candidates;
  for (let k = 0; k < n && left.length > 0; k++) {
    // Balance: the zone with the most instances (protected ones count toward balance too).
    const counts = zoneCounts(group, countedInstances(group).filter((i) => !chosen.includes(i.instanceId)));
    let zone: string | undefined;
    for (const z of zones) {
      if (!left.some((i) => i.availabilityZone === z)) continue;
      if (zone === undefined || (counts.get(z) ?? 0) >= (counts.get(zone) ?? 0)) zone = z;
    }
    const pick = left.filter((i) => i.availabilityZone === zone).sort(order)[0]!;
    chosen.push(pick.instanceId);
    left = left.filter((i) => i !== pick);
  }
  return chosen;
}

/** What a group needs to reach its desired capacity: launches to fill it, or terminations to shrink it. */
export function planCapacity(group: GroupRecord, now: number): CapacityPlan {
  if (group.status === 'Delete in progress') return { launch: [], terminate: countedInstances(group).map((i) => i.instanceId) };
  const have = countedInstances(group).length + group.launching.length;
  if (have < group.desiredCapacity) return { launch: placementsFor(group, group.desiredCapacity - have), terminate: [] };
  // Launches under way are not cancelled: a scale-in waits for them to become instances.
  const excess = countedInstances(group).length - group.desiredCapacity;
  if (excess > 0 && group.launching.length === 0) return { launch: [], terminate: instancesToTerminate(group, excess, now) };
  return { launch: [], terminate: [] };
}
