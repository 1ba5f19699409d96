/**
 * The shape of placement plugins (kube-scheduler's filter and score plugins, in ECS's terms):
 * each placement constraint is a filter that rules an instance out with ECS's failure reason,
 * each placement strategy a scorer. `registry.ts` maps the ECS names to them.
 */
import type { PlacementSnapshot } from './snapshot.ts';
import type { PlaceRequest, PlacementConstraint, PlacementStrategy } from './types.ts';

/** A constraint or strategy as it arrives from a request, before validation. */
export interface ConstraintInput {
  type?: string;
  expression?: string;
}

/** See {@link ConstraintInput}. */
export interface StrategyInput {
  type?: string;
  field?: string;
}

/** One constraint's check of instance `i` in the working snapshot: ECS's reason, or undefined if the instance may take the task. */
export type ConstraintFilter = (i: number, snapshot: PlacementSnapshot) => string | undefined;

/** A placement constraint type. */
export interface ConstraintPlugin {
  /** Why the constraint's members are invalid, naming the member under `path`; undefined if valid. */
  validate(constraint: ConstraintInput, path: string): string | undefined;
  /** Its filter for one request (an expression is parsed here, once). The constraint must have passed `validate`. */
  filter(constraint: PlacementConstraint, request: PlaceRequest): ConstraintFilter;
}

/**
 * A strategy's ranking of the instances for one request: lower keys are better, and instance
 * `i`'s key is `keys[index[i]]`. Keys may be the snapshot's own arrays (kept current as tasks are
 * charged) or the scorer's, which `placed` updates after a task lands on instance `i`.
 */
export interface Scorer {
  readonly keys: Float64Array;
  readonly index: Int32Array;
  placed?(i: number): void;
  /** Whether a task placed on one instance changes other instances' keys (spread over an attribute). */
  readonly shared?: boolean;
}

/** A placement strategy type. */
export interface StrategyPlugin {
  /** Why the strategy's field is invalid for its type, naming the member under `path`; undefined if valid. */
  validate(strategy: StrategyInput, path: string): string | undefined;
  /**
   * Its scorer for one request, or `random`: choose uniformly among the instances the earlier
   * strategies tie on (so strategies after a random one never matter).
   */
  scorer(strategy: PlacementStrategy, snapshot: PlacementSnapshot, identity: Int32Array): Scorer | 'random';
}
