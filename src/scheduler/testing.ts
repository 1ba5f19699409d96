/** Builders for scheduler tests and benchmarks: instances and demands with ECS-like defaults. */
import type { Demand, Resources } from './resources.ts';
import type { InstanceSnapshot } from './types.ts';

/** Resources with no ports in use. */
export const res = (cpu: number, memory: number, more: Partial<Resources> = {}): Resources => ({ cpu, memory, ports: [], portsUdp: [], ...more });

/** A demand of `cpu` units and `memory` MiB, no ports. */
export const need = (cpu: number, memory: number, more: Partial<Demand> = {}): Demand => ({ cpu, memory, ports: [], portsUdp: [], ...more });

/**
 * An ACTIVE, connected instance `id` (arn `arn:<id>`, ec2InstanceId `i-<id>`) with `remaining`,
 * attributes given as a name → value record, and task groups as a group → count record.
 */
export function instance(
  id: string,
  remaining: Resources,
  opts: { attributes?: Record<string, string | undefined>; groups?: Record<string, number> } & Partial<Omit<InstanceSnapshot, 'attributes'>> = {},
): InstanceSnapshot {
  const { attributes = {}, groups, ...over } = opts;
  return {
    id,
    arn: `arn:${id}`,
    ec2InstanceId: `i-${id}`,
    status: 'ACTIVE',
    agentConnected: true,
    remaining,
    attributes: Object.entries(attributes).map(([name, value]) => (value === undefined ? { name } : { name, value })),
    ...(groups ? { taskGroups: new Map(Object.entries(groups)) } : {}),
    ...over,
  };
}
