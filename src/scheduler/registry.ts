/** The ECS names of placement constraints and strategies, mapped to their plugins. */
import { distinctInstance } from './constraints/distinct-instance.ts';
import { memberOf } from './constraints/member-of.ts';
import type { ConstraintPlugin, StrategyPlugin } from './plugin.ts';
import { binpack } from './strategies/binpack.ts';
import { random } from './strategies/random.ts';
import { spread } from './strategies/spread.ts';
import type { PlacementConstraint, PlacementStrategy } from './types.ts';

/** `placementConstraints[].type` → its filter. */
export const CONSTRAINTS: Readonly<Record<PlacementConstraint['type'], ConstraintPlugin>> = { distinctInstance, memberOf };

/** `placementStrategy[].type` → its scorer. */
export const STRATEGIES: Readonly<Record<PlacementStrategy['type'], StrategyPlugin>> = { binpack, spread, random };

/** The plugin for a constraint type, or undefined if ECS has no such type. */
export const constraintPlugin = (type: string): ConstraintPlugin | undefined =>
  Object.hasOwn(CONSTRAINTS, type) ? CONSTRAINTS[type as PlacementConstraint['type']] : undefined;

/** The plugin for a strategy type, or undefined if ECS has no such type. */
export const strategyPlugin = (type: string): StrategyPlugin | undefined =>
  Object.hasOwn(STRATEGIES, type) ? STRATEGIES[type as PlacementStrategy['type']] : undefined;
