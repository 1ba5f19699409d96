/**
 * ECS task placement (DESIGN.md rule 3), in ECS's order: rule out the instances that cannot
 * take the task (agent, required attributes, resources, then constraints), rank the rest by
 * the strategies (earlier ones dominate, later ones break ties, the last ties broken at
 * random), place one task, update the working state, repeat for `count`.
 *
 * Cost: O(instances) to set up a request, then per task one pass over the remaining
 * candidates with flat keys and no allocation. Candidates only ever drop out: all of a
 * request's tasks are alike and only the instance just chosen changes, so only it is
 * re-checked.
 */
import type { ConstraintFilter, Scorer } from './plugin.ts';
import { REASONS } from './reasons.ts';
import { constraintPlugin, strategyPlugin } from './registry.ts';
import type { Resources } from './resources.ts';
import { PlacementState } from './state.ts';
import type { InstanceAttribute, Place, Placement, PlacementFailure } from './types.ts';

/**
 * Places `request.count` tasks on `instances`: ACTIVE instances with a connected agent only
 * (DRAINING and other states are skipped; a named INACTIVE one fails as `INACTIVE`).
 * Constraints and strategies must have passed `validatePlacement`. Pure: the snapshot is not
 * changed, and the same `rng` sequence gives the same result.
 */
export const place: Place = (instances, request, rng) => {
  const state = new PlacementState(instances, request);
  const n = instances.length;
  const demand = request.demand;
  const gpusEach = demand.gpus ?? 0;
  const hasPorts = demand.ports.length > 0 || demand.portsUdp.length > 0;
  const required = request.requiredAttributes ?? [];

  const filters: ConstraintFilter[] = (request.constraints ?? []).map((c) => {
    const plugin = constraintPlugin(c.type);
    if (!plugin) throw new Error(`unknown placement constraint type ${c.type}`);
    return plugin.filter(c, request);
  });

  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const scorers: Scorer[] = [];
  for (const s of request.strategy ?? []) {
    const plugin = strategyPlugin(s.type);
    if (!plugin) throw new Error(`unknown placement strategy type ${s.type}`);
    const scorer = plugin.scorer(s, state, identity);
    if (scorer === 'random') break;
    scorers.push(scorer);
  }

  /** Why instance `i` cannot take the next task, in ECS's order; undefined if it can. */
  const ruleOut = (i: number): string | undefined => {
    const s = instances[i];
    if (!s.agentConnected) return REASONS.agent;
    if (required.length && !hasAll(s.attributes, required)) return REASONS.attribute;
    if (demand.cpu > state.cpu[i]) return REASONS.cpu;
    if (demand.memory > state.memory[i]) return REASONS.memory;
    if (hasPorts && (state.placed[i] > 0 || portsTaken(s.remaining, demand.ports, demand.portsUdp))) return REASONS.ports;
    if (gpusEach > state.gpus[i]) return REASONS.gpu;
    if ((demand.enis ?? 0) > state.enis[i]) return REASONS.eni;
    for (const filter of filters) {
      const reason = filter(i, state);
      if (reason) return reason;
    }
    return undefined;
  };

  const reasons: (string | undefined)[] = new Array(n).fill(undefined);
  const candidates = new Int32Array(n);
  const position = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const status = instances[i].status;
    if (status !== 'ACTIVE') {
      if (status === 'INACTIVE') reasons[i] = REASONS.inactive;
      continue;
    }
    const reason = ruleOut(i);
    if (reason) reasons[i] = reason;
    else {
      position[i] = count;
      candidates[count++] = i;
    }
  }

  const choose = chooser(scorers, candidates, rng);
  const placements: Placement[] = [];
  for (let t = 0; t < request.count && count > 0; t++) {
    const i = choose(count);
    placements.push({ instanceId: instances[i].id, reserved: held(instances[i].remaining, state.placed[i]) });
    state.charge(i);
    for (const scorer of scorers) scorer.placed?.(i);
    const reason = ruleOut(i);
    if (reason) {
      reasons[i] = reason;
      const last = candidates[--count];
      candidates[position[i]] = last;
      position[last] = position[i];
    }
  }

  const failures: PlacementFailure[] = [];
  if (placements.length < request.count) {
    for (let i = 0; i < n; i++) if (reasons[i]) failures.push({ arn: instances[i].arn, reason: reasons[i]! });
  }
  return { placements, failures };

  /** What the next task on an instance holds: the demand, with the next free GPUs. */
  function held(remaining: Resources, alreadyPlaced: number): Resources {
    const out: Resources = { cpu: demand.cpu, memory: demand.memory, ports: [...demand.ports], portsUdp: [...demand.portsUdp] };
    if (gpusEach > 0) out.gpus = remaining.gpus!.slice(alreadyPlaced * gpusEach, (alreadyPlaced + 1) * gpusEach);
    if (demand.enis) out.enis = demand.enis;
    return out;
  }
};

/**
 * Picks one of the first `count` candidates: the best by the scorers' keys (compared in
 * order, lower first), uniformly at random among the ties. With no scorers every candidate
 * ties, which is the random strategy.
 */
function chooser(scorers: readonly Scorer[], candidates: Int32Array, rng: () => number): (count: number) => number {
  const pick = (n: number) => Math.min(n - 1, Math.floor(rng() * n));
  const depth = scorers.length;
  if (depth === 0) return (count) => candidates[pick(count)];
  const keys = scorers.map((s) => s.keys);
  const index = scorers.map((s) => s.index);
  const best = new Float64Array(depth);
  const ties = new Int32Array(candidates.length);
  return (count) => {
    let tied = 0;
    for (let c = 0; c < count; c++) {
      const i = candidates[c];
      let s = 0;
      if (tied > 0) {
        let key = 0;
        for (; s < depth; s++) {
          key = keys[s][index[s][i]];
          if (key !== best[s]) break;
        }
        if (s === depth) {
          ties[tied++] = i;
          continue;
        }
        if (key > best[s]) continue;
      }
      for (; s < depth; s++) best[s] = keys[s][index[s][i]];
      ties[0] = i;
      tied = 1;
    }
    return tied === 1 ? ties[0] : ties[pick(tied)];
  };
}

/** Whether `attributes` has every required attribute (by name, and by value where one is given). */
function hasAll(attributes: readonly InstanceAttribute[], required: readonly InstanceAttribute[]): boolean {
  return required.every((r) => attributes.some((a) => a.name === r.name && (r.value === undefined || a.value === r.value)));
}

/** Whether any of the task's static host ports is already taken on the instance. */
function portsTaken(remaining: Resources, tcp: readonly number[], udp: readonly number[]): boolean {
  return tcp.some((p) => remaining.ports.includes(p)) || udp.some((p) => remaining.portsUdp.includes(p));
}
