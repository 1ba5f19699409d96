import type { Demand, Resources } from './resources.ts';

/** A container instance attribute: built-in (`ecs.availability-zone`, ...), capability, or custom (PutAttributes). */
export interface InstanceAttribute {
  name: string;
  value?: string;
}

/** What placement sees of one container instance. */
export interface InstanceSnapshot {
  /** The container instance id. */
  id: string;
  arn: string;
  status: string;
  agentConnected: boolean;
  /** What is left; `ports` / `portsUdp` are the host ports already taken, `gpus` the free GPU ids. */
  remaining: Resources;
  /** All of the instance's attributes, built-in ones (`ecs.instance-type`, `ecs.availability-zone`, ...) included. */
  attributes: readonly InstanceAttribute[];
  /** For `ec2InstanceId` in memberOf expressions. */
  ec2InstanceId?: string;
  /**
   * How many tasks of each task group are on the instance, counting the tasks whose
   * desiredStatus is not STOPPED (as ECS does for distinctInstance); used by distinctInstance,
   * spread and `task:group`.
   */
  taskGroups?: ReadonlyMap<string, number>;
  /** For `agentVersion`, `registeredAt` and `runningTasksCount` in memberOf expressions. */
  agentVersion?: string;
  registeredAt?: number;
  runningTasksCount?: number;
}

/** A placement constraint, as RunTask, CreateService and task definitions carry it (validated). */
export interface PlacementConstraint {
  type: 'distinctInstance' | 'memberOf';
  /** The cluster query language expression of a memberOf constraint. */
  expression?: string;
}

/** A placement strategy (validated): binpack on `cpu`/`memory`, spread on `instanceId`/`host`/`attribute:<name>`, random. */
export interface PlacementStrategy {
  type: 'binpack' | 'spread' | 'random';
  field?: string;
}

/** `count` copies of a task of `group`, each needing `demand`, placed under the constraints and strategies. */
export interface PlaceRequest {
  count: number;
  demand: Demand;
  /** The task group: `family:<family>` for a standalone task unless RunTask names one, `service:<name>` for a service. */
  group: string;
  /** RunTask's and the task definition's constraints together. */
  constraints?: readonly PlacementConstraint[];
  /** Up to 5, earlier ones dominating; none means `random`, RunTask's default. */
  strategy?: readonly PlacementStrategy[];
  /** The task definition's `requiresAttributes`: an instance lacking one is ruled out with `ATTRIBUTE`. */
  requiredAttributes?: readonly InstanceAttribute[];
}

/** One placed task: its instance, and what it holds there (the demand, with the GPU ids chosen for it). */
export interface Placement {
  instanceId: string;
  reserved: Resources;
}

/** A container instance ruled out, with ECS's reason, as RunTask reports it in `failures`. */
export interface PlacementFailure {
  arn: string;
  reason: string;
}

/**
 * The tasks placed, in order. When fewer than `count` could be placed, a failure for each
 * instance that was ruled out for the next one, in snapshot order.
 */
export interface PlaceResult {
  placements: Placement[];
  failures: PlacementFailure[];
}

/** A random source returning numbers in [0, 1): seeded in tests so placements replay. */
export type Rng = () => number;

/** The placement function's shape. Pure: same snapshot, request and random sequence, same result. */
export type Place = (instances: readonly InstanceSnapshot[], request: PlaceRequest, rng: Rng) => PlaceResult;
