/**
 * Task placement: a pure function of a cluster snapshot and a request (DESIGN.md rule 3).
 * No I/O and no clock, so the control plane calls it inside a store transaction and retries
 * it on a lost race, and tests run it on thousands of simulated instances.
 */
export type { Resources } from './resources.ts';
export { fits, reserve, release, shortfall } from './resources.ts';
export { firstFit } from './first-fit.ts';
export type { InstanceSnapshot, PlacementRequest, PlacementResult, Placer } from './types.ts';
