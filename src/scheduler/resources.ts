/** CPU units, memory MiB and host ports: an instance's capacity, or what a task needs of it. */
export interface Resources {
  cpu: number;
  memory: number;
  /** TCP host ports. */
  ports: number[];
  /** UDP host ports. */
  portsUdp: number[];
}

/** The ECS failure reason for the first resource `need` lacks on `have`, or undefined if it fits. */
export function shortfall(have: Resources, need: Resources): 'RESOURCE:CPU' | 'RESOURCE:MEMORY' | 'RESOURCE:PORTS' | undefined {
  if (need.cpu > have.cpu) return 'RESOURCE:CPU';
  if (need.memory > have.memory) return 'RESOURCE:MEMORY';
  if (need.ports.some((p) => have.ports.includes(p)) || need.portsUdp.some((p) => have.portsUdp.includes(p))) return 'RESOURCE:PORTS';
  return undefined;
}

export const fits = (have: Resources, need: Resources): boolean => shortfall(have, need) === undefined;

/**
 * Takes `need` out of `remaining`. Remaining ports are the ports in use (ECS reports the
 * PORTS resource as the list of ports taken), so reserving adds to them.
 */
export function reserve(remaining: Resources, need: Resources): Resources {
  return {
    cpu: remaining.cpu - need.cpu,
    memory: remaining.memory - need.memory,
    ports: [...remaining.ports, ...need.ports],
    portsUdp: [...remaining.portsUdp, ...need.portsUdp],
  };
}

/** Gives `held` back to `remaining`, capped at what was registered. */
export function release(remaining: Resources, held: Resources, registered: Resources): Resources {
  const without = (ports: number[], gone: number[]) => {
    const left = [...ports];
    for (const p of gone) {
      const i = left.indexOf(p);
      if (i >= 0) left.splice(i, 1);
    }
    return left;
  };
  return {
    cpu: Math.min(registered.cpu, remaining.cpu + held.cpu),
    memory: Math.min(registered.memory, remaining.memory + held.memory),
    ports: without(remaining.ports, held.ports),
    portsUdp: without(remaining.portsUdp, held.portsUdp),
  };
}
