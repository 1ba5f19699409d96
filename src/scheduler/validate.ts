/**
 * Checks placement constraints and strategies before anything is placed, for the caller to
 * turn a message into an InvalidParameterException (DESIGN.md rule 7). Messages name the
 * member by its path, as `placementConstraints[1].expression: Invalid expression at position
 * 21: ...`.
 */
import type { ConstraintInput, StrategyInput } from './plugin.ts';
import { CONSTRAINTS, constraintPlugin, STRATEGIES, strategyPlugin } from './registry.ts';

/** ECS's limit: up to 10 constraints per task, those of the task definition included. */
export const MAX_CONSTRAINTS = 10;
/** ECS's limit: up to 5 strategy rules per task or service. */
export const MAX_STRATEGIES = 5;
/** ECS's length limits for a constraint's expression and a strategy's field. */
export const MAX_EXPRESSION_LENGTH = 2000;
export const MAX_FIELD_LENGTH = 255;

/** What is wrong with `constraints`, or undefined. */
export function validateConstraints(constraints: readonly ConstraintInput[] | undefined, path = 'placementConstraints'): string | undefined {
  if (!constraints) return undefined;
  if (constraints.length > MAX_CONSTRAINTS) {
    return `${path} can have at most ${MAX_CONSTRAINTS} constraints, those of the task definition included. Received: ${constraints.length}.`;
  }
  for (const [i, c] of constraints.entries()) {
    const at = `${path}[${i}]`;
    if (c.type === undefined || c.type === '') return `${at}.type can not be null or empty.`;
    const plugin = constraintPlugin(c.type);
    if (!plugin) return `${at}.type must be one of: ${Object.keys(CONSTRAINTS).join(', ')}. Received: ${c.type}.`;
    if (c.expression !== undefined && c.expression.length > MAX_EXPRESSION_LENGTH) {
      return `${at}.expression must be at most ${MAX_EXPRESSION_LENGTH} characters long.`;
    }
    const problem = plugin.validate(c, at);
    if (problem) return problem;
  }
  return undefined;
}

/** What is wrong with `strategy`, or undefined. */
export function validateStrategy(strategy: readonly StrategyInput[] | undefined, path = 'placementStrategy'): string | undefined {
  if (!strategy) return undefined;
  if (strategy.length > MAX_STRATEGIES) return `${path} can have at most ${MAX_STRATEGIES} strategy rules. Received: ${strategy.length}.`;
  for (const [i, s] of strategy.entries()) {
    const at = `${path}[${i}]`;
    if (s.type === undefined || s.type === '') return `${at}.type can not be null or empty.`;
    const plugin = strategyPlugin(s.type);
    if (!plugin) return `${at}.type must be one of: ${Object.keys(STRATEGIES).join(', ')}. Received: ${s.type}.`;
    if (s.field !== undefined && s.field.length > MAX_FIELD_LENGTH) return `${at}.field must be at most ${MAX_FIELD_LENGTH} characters long.`;
    const problem = plugin.validate(s, at);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * What is wrong with a launch's placement, or undefined: types, fields, counts, and memberOf
 * expressions parsed (a syntax error says where). Call it with the constraints merged from
 * the request and the task definition, so the limit of 10 counts both.
 */
export function validatePlacement(
  constraints: readonly ConstraintInput[] | undefined,
  strategy: readonly StrategyInput[] | undefined,
): string | undefined {
  return validateConstraints(constraints) ?? validateStrategy(strategy);
}
