import type { StrategyPlugin } from '../plugin.ts';

/**
 * `binpack` on `cpu` or `memory`: the instance with the least of that resource left (that
 * still fits the task) first, so instances fill one by one. ECS accepts the field in either
 * case (it reads back `CPU` / `MEMORY`).
 */
export const binpack: StrategyPlugin = {
  validate(s, path) {
    if (s.field === undefined || s.field === '') return `${path}.field is required for a binpack strategy: cpu or memory.`;
    if (!/^(cpu|memory)$/i.test(s.field)) return `${path}.field must be cpu or memory for a binpack strategy. Received: ${s.field}.`;
    return undefined;
  },
  scorer(s, snapshot, identity) {
    return { keys: s.field!.toLowerCase() === 'cpu' ? snapshot.cpu : snapshot.memory, index: identity };
  },
};
