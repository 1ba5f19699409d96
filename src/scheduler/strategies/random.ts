import type { StrategyPlugin } from '../plugin.ts';

/**
 * `random`: uniformly among the candidates (or among those the earlier strategies tie on).
 * It takes no field: ECS rejects one, even empty.
 */
export const random: StrategyPlugin = {
  validate(s, path) {
    if (s.field !== undefined) return `${path}.field can't be specified for a random strategy. Received: ${s.field}.`;
    return undefined;
  },
  scorer() {
    return 'random';
  },
};
