/**
 * Task placement: a pure function of a cluster snapshot and a request (DESIGN.md rule 3).
 * No I/O and no clock, so the control plane calls it inside a store transaction and retries
 * it on a lost race, and tests run it on thousands of simulated instances. See README.md.
 */
export type { Demand, ResourceReason, Resources } from './resources.ts';
export { fits, gpuCount, release, reserve, shortfall } from './resources.ts';
export { place } from './place.ts';
export { seededRandom } from './random.ts';
export { REASONS } from './reasons.ts';
export { MAX_CONSTRAINTS, MAX_STRATEGIES, validateConstraints, validatePlacement, validateStrategy } from './validate.ts';
export { CONSTRAINTS, STRATEGIES } from './registry.ts';
export type { ConstraintInput, StrategyInput } from './plugin.ts';
export type {
  InstanceAttribute, InstanceSnapshot, Place, Placement, PlacementConstraint, PlacementFailure, PlacementStrategy, PlaceRequest, PlaceResult, Rng,
} from './types.ts';
export * from './query/index.ts';
