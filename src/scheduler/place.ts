/**
 * ECS task placement (DESIGN.md rule 3), in ECS's order: rule out the instances that cannot
 * take the task (agent, required attributes, resources, then constraints), rank the rest by
 * the strategies (earlier ones dominate, later ones break ties, the last ties broken at
 * random), place one task, update the working snapshot, repeat for `count`.
 *
 * Cost: O(instances) to set up a request, then at most one pass over the remaining
 * candidates per task, over flat keys and without allocation (see choose.ts). Candidates
 * only ever drop out: all of a request's tasks are alike and only the instance just chosen
 * changes, so only it is re-checked.
 */
import { Chooser } from './choose.ts';
import type { ConstraintFilter, Scorer } from './plugin.ts';
import { REASONS } from './reasons.ts';
import { CONSTRAINTS, STRATEGIES } from './registry.ts';
import type { Resources } from './resources.ts';
import { Scratch } from './scratch.ts';
import { PlacementSnapshot } from './snapshot.ts';
import type { InstanceAttribute, InstanceSnapshot, Place, Placement, PlacementFailure, PlaceRequest, PlaceResult, Rng } from './types.ts';
import { validatePlacement } from './validate.ts';

/**
 * Places `request.count` tasks on `instances`: ACTIVE instances with a connected agent only
 * (DRAINING and other states are skipped; a named INACTIVE one fails as `INACTIVE`).
 * Constraints and strategies must have passed `validatePlacement` (an invalid request is a
 * programming error here: it throws a TypeError). Pure: the snapshot is not changed, and the
 * same `rng` sequence gives the same result.
 */
export const place: Place = (instances, request, rng) => {
  const problem = validatePlacement(request.constraints, request.strategy);
  if (problem) throw new TypeError(`place() needs a validated request (validatePlacement): ${problem}`);
  return Scratch.with((scratch) => placeWith(scratch, instances, request, rng));
};

function placeWith(scratch: Scratch, instances: readonly InstanceSnapshot[], request: PlaceRequest, rng: Rng): PlaceResult {
  const snapshot = new PlacementSnapshot(instances, request, scratch);
  const n = instances.length;
  const demand = request.demand;
  const gpusEach = demand.gpus ?? 0;
  const hasPorts = demand.ports.length > 0 || demand.portsUdp.length > 0;
  const required = request.requiredAttributes ?? [];

  const filters: ConstraintFilter[] = (request.constraints ?? []).map((c) => CONSTRAINTS[c.type].filter(c, request));

  const identity = scratch.int32(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const scorers: Scorer[] = [];
  for (const s of request.strategy ?? []) {
    const scorer = STRATEGIES[s.type].scorer(s, snapshot, identity);
    if (scorer === 'random') break;
    scorers.push(scorer);
  }

  /** Why instance `i` cannot take the next task, in ECS's order; undefined if it can. */
  const ruleOut = (i: number): string | undefined => {
    const s = instances[i];
    if (!s.agentConnected) return REASONS.agent;
    if (required.length && !hasAll(s.attributes, required)) return REASONS.attribute;
    if (demand.cpu > snapshot.cpu[i]) return REASONS.cpu;
    if (demand.memory > snapshot.memory[i]) return REASONS.memory;
    if (hasPorts && (snapshot.placed[i] > 0 || portsTaken(s.remaining, demand.ports, demand.portsUdp))) return REASONS.ports;
    if (gpusEach > snapshot.gpus[i]) return REASONS.gpu;
    if ((demand.enis ?? 0) > snapshot.enis[i]) return REASONS.eni;
    for (const filter of filters) {
      const reason = filter(i, snapshot);
      if (reason) return reason;
    }
    return undefined;
  };

  const reasons: (string | undefined)[] = new Array(n).fill(undefined);
  const candidates = scratch.int32(n);
  const position = scratch.int32(n);
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

  const chooser = new Chooser(scorers, candidates, rng, scratch);
  const placements: Placement[] = [];
  for (let t = 0; t < request.count && count > 0; t++) {
    const i = chooser.choose(count);
    placements.push({ instanceId: instances[i].id, reserved: held(instances[i].remaining, snapshot.placed[i]) });
    snapshot.charge(i);
    for (const scorer of scorers) scorer.placed?.(i);
    const reason = ruleOut(i);
    chooser.placed(i, !reason);
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
}

/** Whether `attributes` has every required attribute (by name, and by value where one is given). */
function hasAll(attributes: readonly InstanceAttribute[], required: readonly InstanceAttribute[]): boolean {
  return required.every((r) => attributes.some((a) => a.name === r.name && (r.value === undefined || a.value === r.value)));
}

/** Whether any of the task's static host ports is already taken on the instance. */
function portsTaken(remaining: Resources, tcp: readonly number[], udp: readonly number[]): boolean {
  return tcp.some((p) => remaining.ports.includes(p)) || udp.some((p) => remaining.portsUdp.includes(p));
}
