import { reserve, shortfall } from './resources.ts';
import type { Placer } from './types.ts';

/**
 * The first placement: each task goes on the first ACTIVE, connected instance with room.
 * Stands in for the ECS strategies and constraints behind the same `Placer` interface.
 */
export const firstFit: Placer = (instances, request) => {
  const remaining = new Map(instances.map((i) => [i.id, i.remaining]));
  const placements: string[] = [];
  const reasons = new Map<string, string>();
  for (let n = 0; n < request.count; n++) {
    let placed = false;
    for (const instance of instances) {
      // DRAINING (and registering/deregistering) instances take no new tasks and are not
      // failures; a deregistered one named by StartTask is ECS's `INACTIVE`.
      if (instance.status !== 'ACTIVE' && instance.status !== 'INACTIVE') continue;
      const reason =
        instance.status === 'INACTIVE' ? 'INACTIVE' : !instance.agentConnected ? 'AGENT' : shortfall(remaining.get(instance.id)!, request.demand);
      if (reason) {
        reasons.set(instance.arn, reason);
        continue;
      }
      remaining.set(instance.id, reserve(remaining.get(instance.id)!, request.demand));
      placements.push(instance.id);
      placed = true;
      break;
    }
    if (!placed) break;
  }
  const failures = placements.length < request.count ? [...reasons].map(([arn, reason]) => ({ arn, reason })) : [];
  return { placements, failures };
};
