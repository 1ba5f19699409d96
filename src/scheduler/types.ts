import type { Resources } from './resources.ts';

/** What placement sees of one container instance. */
export interface InstanceSnapshot {
  id: string;
  arn: string;
  status: string;
  agentConnected: boolean;
  /** CPU and memory left; `ports` / `portsUdp` are the host ports already taken. */
  remaining: Resources;
  attributes: { name: string; value?: string }[];
}

/** `count` copies of a task needing `demand` each. */
export interface PlacementRequest {
  count: number;
  demand: Resources;
}

/**
 * One instance id per placed task, in order. When some tasks could not be placed, a failure
 * per instance that was ruled out, with ECS's reason (`RESOURCE:MEMORY`, `AGENT`...), as
 * RunTask reports them in `failures`.
 */
export interface PlacementResult {
  placements: string[];
  failures: { arn: string; reason: string }[];
}

/** A placement algorithm. Pure: same snapshot and request, same result. */
export type Placer = (instances: InstanceSnapshot[], request: PlacementRequest) => PlacementResult;
