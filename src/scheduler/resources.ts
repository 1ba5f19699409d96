/**
 * CPU units, memory MiB, host ports, GPUs and ENI attachment points: what an instance has
 * (registered or remaining), or what a placed task holds of it.
 *
 * - `ports` / `portsUdp`: on an instance, the host ports in use (ECS reports the PORTS resource
 *   as the list of ports taken); on a task, its static host ports.
 * - `gpus`: GPU ids. Registered: every GPU the agent found; remaining: those not pinned to a
 *   task; held by a task: the GPUs pinned to it (placement picks them). Absent means none.
 * - `enis`: elastic network interface attachment points for `awsvpc` tasks. Registered: the
 *   instance's limit less its primary interface; remaining: those free; held: 1 for an awsvpc
 *   task. Absent on an instance means the agent reported no limit, so ENIs are not counted.
 */
export interface Resources {
  cpu: number;
  memory: number;
  /** TCP host ports. */
  ports: number[];
  /** UDP host ports. */
  portsUdp: number[];
  gpus?: string[];
  enis?: number;
}

/**
 * What one task asks of an instance before it is placed: as {@link Resources}, but GPUs as a
 * count (the sum of the containers' `resourceRequirements` of type GPU), since placement
 * chooses which GPUs; `enis` is 1 for an awsvpc task.
 */
export interface Demand {
  cpu: number;
  memory: number;
  ports: readonly number[];
  portsUdp: readonly number[];
  gpus?: number;
  enis?: number;
}

/** The ECS failure reasons for a resource an instance lacks. */
export type ResourceReason = 'RESOURCE:CPU' | 'RESOURCE:MEMORY' | 'RESOURCE:PORTS' | 'RESOURCE:GPU' | 'RESOURCE:ENI';

/** How many GPUs `need` asks for: a demand's count, or the ids a placed task holds. */
export const gpuCount = (need: Demand | Resources): number => (typeof need.gpus === 'number' ? need.gpus : need.gpus?.length ?? 0);

/**
 * The ECS failure reason for the first resource `need` lacks on `have` (CPU, memory, ports,
 * GPUs, ENIs, in that order), or undefined if it fits.
 */
export function shortfall(have: Resources, need: Demand | Resources): ResourceReason | undefined {
  if (need.cpu > have.cpu) return 'RESOURCE:CPU';
  if (need.memory > have.memory) return 'RESOURCE:MEMORY';
  if (need.ports.some((p) => have.ports.includes(p)) || need.portsUdp.some((p) => have.portsUdp.includes(p))) return 'RESOURCE:PORTS';
  if (gpuCount(need) > (have.gpus?.length ?? 0)) return 'RESOURCE:GPU';
  if ((need.enis ?? 0) > 0 && have.enis !== undefined && need.enis! > have.enis) return 'RESOURCE:ENI';
  return undefined;
}

export const fits = (have: Resources, need: Demand | Resources): boolean => shortfall(have, need) === undefined;

/**
 * Takes what a task holds out of `remaining`: CPU and memory down, its ports added to those in
 * use, its GPUs out of the free ones, its ENIs out of the free attachment points.
 */
export function reserve(remaining: Resources, held: Resources): Resources {
  const out: Resources = {
    cpu: remaining.cpu - held.cpu,
    memory: remaining.memory - held.memory,
    ports: [...remaining.ports, ...held.ports],
    portsUdp: [...remaining.portsUdp, ...held.portsUdp],
  };
  if (remaining.gpus) out.gpus = held.gpus?.length ? remaining.gpus.filter((id) => !held.gpus!.includes(id)) : [...remaining.gpus];
  if (remaining.enis !== undefined) out.enis = remaining.enis - (held.enis ?? 0);
  return out;
}

/** Gives what a task held back to `remaining`, capped at what was registered. */
export function release(remaining: Resources, held: Resources, registered: Resources): Resources {
  const without = (ports: number[], gone: number[]) => {
    const left = [...ports];
    for (const p of gone) {
      const i = left.indexOf(p);
      if (i >= 0) left.splice(i, 1);
    }
    return left;
  };
  const out: Resources = {
    cpu: Math.min(registered.cpu, remaining.cpu + held.cpu),
    memory: Math.min(registered.memory, remaining.memory + held.memory),
    ports: without(remaining.ports, held.ports),
    portsUdp: without(remaining.portsUdp, held.portsUdp),
  };
  if (registered.gpus) {
    // In registered order, and only GPUs the instance has.
    out.gpus = registered.gpus.filter((id) => remaining.gpus?.includes(id) || held.gpus?.includes(id));
  } else if (remaining.gpus) {
    out.gpus = [...remaining.gpus];
  }
  if (registered.enis !== undefined) out.enis = Math.min(registered.enis, (remaining.enis ?? registered.enis) + (held.enis ?? 0));
  else if (remaining.enis !== undefined) out.enis = remaining.enis;
  return out;
}
