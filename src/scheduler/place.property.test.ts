/**
 * Property tests for `place`, against a deliberately naive model of ECS placement written
 * from the documented rules: every task goes on an instance that can take it, with the best
 * strategy keys; placement stops only when no instance can take another task; the failures
 * say why each instance was ruled out.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { place } from './place.ts';
import { evaluateQuery, parseQuery } from './query/index.ts';
import { seededRandom } from './random.ts';
import { REASONS } from './reasons.ts';
import { instance, need, res } from './testing.ts';
import type { InstanceSnapshot, PlaceRequest, PlacementConstraint, PlacementStrategy, PlaceResult } from './types.ts';

const AZ = 'ecs.availability-zone';
const GROUP = 'g';

const instanceArb = fc.record({
  cpu: fc.integer({ min: 0, max: 2048 }),
  memory: fc.integer({ min: 0, max: 4096 }),
  ports: fc.subarray([22, 80, 443, 8080]),
  portsUdp: fc.subarray([53, 8080]),
  gpus: fc.integer({ min: 0, max: 4 }),
  enis: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  status: fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'DRAINING', 'INACTIVE'),
  agentConnected: fc.constantFrom(true, true, true, true, false),
  az: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
  mine: fc.integer({ min: 0, max: 2 }),
  others: fc.integer({ min: 0, max: 2 }),
  capable: fc.constantFrom(true, true, true, false),
});
type InstanceSpec = typeof instanceArb extends fc.Arbitrary<infer T> ? T : never;

const toSnapshot = (s: InstanceSpec, i: number): InstanceSnapshot =>
  instance(`i${i}`, res(s.cpu, s.memory, {
    ports: [...s.ports], portsUdp: [...s.portsUdp],
    gpus: Array.from({ length: s.gpus }, (_, k) => `GPU-${i}-${k}`),
    ...(s.enis === undefined ? {} : { enis: s.enis }),
  }), {
    status: s.status,
    agentConnected: s.agentConnected,
    attributes: { ...(s.az ? { [AZ]: s.az } : {}), ...(s.capable ? { capable: undefined } : {}) },
    groups: { [GROUP]: s.mine, other: s.others },
  });

const demandArb = fc.record({
  cpu: fc.integer({ min: 0, max: 512 }),
  memory: fc.integer({ min: 0, max: 1024 }),
  ports: fc.subarray([80, 8080], { maxLength: 1 }),
  portsUdp: fc.subarray([53], { maxLength: 1 }),
  gpus: fc.integer({ min: 0, max: 2 }),
  enis: fc.integer({ min: 0, max: 1 }),
});

const STRATEGIES: PlacementStrategy[] = [
  { type: 'binpack', field: 'cpu' }, { type: 'binpack', field: 'memory' },
  { type: 'spread', field: 'instanceId' }, { type: 'spread', field: `attribute:${AZ}` }, { type: 'random' },
];
const CONSTRAINTS: PlacementConstraint[] = [
  { type: 'distinctInstance' },
  { type: 'memberOf', expression: `attribute:${AZ} != a` },
  { type: 'memberOf', expression: `not(task:group == ${GROUP}) or attribute:${AZ} == b` },
];

const requestArb = fc.record({
  count: fc.integer({ min: 1, max: 25 }),
  demand: demandArb.map((d) => need(d.cpu, d.memory, { ports: d.ports, portsUdp: d.portsUdp, gpus: d.gpus, enis: d.enis })),
  group: fc.constant(GROUP),
  strategy: fc.array(fc.constantFrom(...STRATEGIES), { maxLength: 5 }),
  constraints: fc.subarray(CONSTRAINTS),
  requiredAttributes: fc.constantFrom([], [{ name: 'capable' }]),
});

const scenarioArb = fc.record({
  instances: fc.array(instanceArb, { maxLength: 12 }).map((specs) => specs.map(toSnapshot)),
  request: requestArb,
  seed: fc.integer(),
});

/** The naive model's view of one instance as tasks are placed. */
interface Model {
  s: InstanceSnapshot;
  cpu: number;
  memory: number;
  gpus: string[];
  enis: number;
  placed: number;
  groups: Map<string, number>;
}

const model = (instances: readonly InstanceSnapshot[]): Model[] =>
  instances.map((s) => ({
    s, cpu: s.remaining.cpu, memory: s.remaining.memory, gpus: [...(s.remaining.gpus ?? [])],
    enis: s.remaining.enis ?? Infinity, placed: 0, groups: new Map(s.taskGroups),
  }));

function whyNot(m: Model, req: PlaceRequest): string | undefined {
  const d = req.demand;
  if (!m.s.agentConnected) return REASONS.agent;
  if (!(req.requiredAttributes ?? []).every((r) => m.s.attributes.some((a) => a.name === r.name))) return REASONS.attribute;
  if (d.cpu > m.cpu) return REASONS.cpu;
  if (d.memory > m.memory) return REASONS.memory;
  const ports = d.ports.some((p) => m.s.remaining.ports.includes(p)) || d.portsUdp.some((p) => m.s.remaining.portsUdp.includes(p));
  if (ports || (m.placed > 0 && d.ports.length + d.portsUdp.length > 0)) return REASONS.ports;
  if ((d.gpus ?? 0) > m.gpus.length) return REASONS.gpu;
  if ((d.enis ?? 0) > m.enis) return REASONS.eni;
  for (const c of req.constraints ?? []) {
    if (c.type === 'distinctInstance' && (m.groups.get(req.group) ?? 0) > 0) return REASONS.distinctInstance;
    if (c.type === 'memberOf') {
      const subject = {
        attributes: new Map(m.s.attributes.map((a) => [a.name, a.value])),
        ec2InstanceId: m.s.ec2InstanceId ?? '',
        taskGroups: new Set([...m.groups].filter(([, n]) => n > 0).map(([g]) => g)),
      };
      if (!evaluateQuery(parseQuery(c.expression!), subject)) return REASONS.memberOf;
    }
  }
  return undefined;
}

/** The strategy keys of an instance, up to the first random strategy; lower is better. */
function keys(all: Model[], m: Model, req: PlaceRequest): number[] {
  const out: number[] = [];
  for (const s of req.strategy ?? []) {
    if (s.type === 'random') break;
    if (s.type === 'binpack') out.push(s.field === 'cpu' ? m.cpu : m.memory);
    else if (s.field === 'instanceId') out.push(m.groups.get(req.group) ?? 0);
    else {
      const az = (x: Model) => x.s.attributes.find((a) => a.name === AZ)?.value;
      out.push(all.filter((x) => az(x) === az(m)).reduce((n, x) => n + (x.groups.get(req.group) ?? 0), 0));
    }
  }
  return out;
}

const compare = (a: number[], b: number[]) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
};

/** Replays `result` on the naive model, asserting each step against the documented rules. */
function check(instances: readonly InstanceSnapshot[], req: PlaceRequest, result: PlaceResult): Model[] {
  const all = model(instances);
  const byId = new Map(all.map((m) => [m.s.id, m]));
  const eligible = () => all.filter((m) => m.s.status === 'ACTIVE' && whyNot(m, req) === undefined);
  for (const p of result.placements) {
    const m = byId.get(p.instanceId)!;
    const candidates = eligible();
    assert.ok(candidates.includes(m), `placed on ${m.s.id}, which cannot take the task: ${m.s.status} ${whyNot(m, req)}`);
    const best = candidates.map((c) => keys(all, c, req)).reduce((a, b) => (compare(b, a) < 0 ? b : a));
    assert.deepEqual(keys(all, m, req), best, 'placed on an instance the strategies rank best');
    const d = req.demand;
    assert.deepEqual(p.reserved.gpus ?? [], m.gpus.slice(0, d.gpus ?? 0), 'the next free GPUs are pinned');
    m.gpus = m.gpus.slice(d.gpus ?? 0);
    m.cpu -= d.cpu;
    m.memory -= d.memory;
    m.enis -= d.enis ?? 0;
    m.placed++;
    m.groups.set(req.group, (m.groups.get(req.group) ?? 0) + 1);
  }
  assert.ok(result.placements.length <= req.count);
  if (result.placements.length < req.count) {
    assert.deepEqual(eligible(), [], 'placement stops only when no instance can take another task');
    const expected = all.flatMap((m) => {
      if (m.s.status === 'INACTIVE') return [{ arn: m.s.arn, reason: 'INACTIVE' }];
      return m.s.status === 'ACTIVE' ? [{ arn: m.s.arn, reason: whyNot(m, req)! }] : [];
    });
    assert.deepEqual(result.failures, expected);
  } else {
    assert.deepEqual(result.failures, []);
  }
  return all;
}

describe('place (properties)', () => {
  it('places each task where the documented rules allow and rank best, stops only when nothing fits, and reports why', () => {
    fc.assert(fc.property(scenarioArb, ({ instances, request, seed }) => {
      check(instances, request, place(instances, request, seededRandom(seed)));
    }), { numRuns: 500 });
  });

  it('never exceeds an instance\'s remaining CPU, memory, ports, GPUs or ENIs', () => {
    fc.assert(fc.property(scenarioArb, ({ instances, request, seed }) => {
      const result = place(instances, request, seededRandom(seed));
      for (const s of instances) {
        const mine = result.placements.filter((p) => p.instanceId === s.id).map((p) => p.reserved);
        if (!mine.length) continue;
        assert.ok(s.status === 'ACTIVE' && s.agentConnected);
        assert.ok(mine.reduce((n, r) => n + r.cpu, 0) <= s.remaining.cpu);
        assert.ok(mine.reduce((n, r) => n + r.memory, 0) <= s.remaining.memory);
        const tcp = [...s.remaining.ports, ...mine.flatMap((r) => r.ports)];
        const udp = [...s.remaining.portsUdp, ...mine.flatMap((r) => r.portsUdp)];
        assert.equal(new Set(tcp).size, tcp.length, 'no TCP host port taken twice');
        assert.equal(new Set(udp).size, udp.length, 'no UDP host port taken twice');
        const gpus = mine.flatMap((r) => r.gpus ?? []);
        assert.equal(new Set(gpus).size, gpus.length, 'no GPU pinned twice');
        assert.ok(gpus.every((g) => s.remaining.gpus?.includes(g)), 'only free GPUs are pinned');
        assert.equal(gpus.length, mine.length * (request.demand.gpus ?? 0));
        if (s.remaining.enis !== undefined) assert.ok(mine.reduce((n, r) => n + (r.enis ?? 0), 0) <= s.remaining.enis);
      }
    }), { numRuns: 500 });
  });

  it('distinctInstance never puts two tasks of the group on one instance', () => {
    fc.assert(fc.property(scenarioArb, ({ instances, request, seed }) => {
      const req = { ...request, constraints: [...request.constraints.filter((c) => c.type !== 'distinctInstance'), { type: 'distinctInstance' as const }] };
      const result = place(instances, req, seededRandom(seed));
      const ids = result.placements.map((p) => p.instanceId);
      assert.equal(new Set(ids).size, ids.length);
      for (const id of ids) assert.equal(instances.find((s) => s.id === id)!.taskGroups?.get(GROUP) ?? 0, 0);
    }), { numRuns: 300 });
  });

  it('spread over AZs keeps the group\'s AZs within one task of each other when capacity allows', () => {
    const roomy = fc.array(fc.record({ az: fc.constantFrom('a', 'b', 'c', 'd'), memory: fc.integer({ min: 0, max: 100_000 }) }), { minLength: 1, maxLength: 20 });
    fc.assert(fc.property(roomy, fc.integer({ min: 1, max: 60 }), fc.boolean(), fc.integer(), (specs, count, thenBinpack, seed) => {
      const instances = specs.map((s, i) => instance(`i${i}`, res(100_000, 100_000 + s.memory), { attributes: { [AZ]: s.az } }));
      const strategy: PlacementStrategy[] = [{ type: 'spread', field: `attribute:${AZ}` }, ...(thenBinpack ? [{ type: 'binpack' as const, field: 'memory' }] : [])];
      const result = place(instances, { count, demand: need(10, 10), group: GROUP, strategy }, seededRandom(seed));
      assert.equal(result.placements.length, count);
      const perAz = new Map<string, number>([...new Set(specs.map((s) => s.az))].map((az) => [az, 0]));
      for (const p of result.placements) {
        const az = instances.find((s) => s.id === p.instanceId)!.attributes[0].value!;
        perAz.set(az, perAz.get(az)! + 1);
      }
      assert.ok(Math.max(...perAz.values()) - Math.min(...perAz.values()) <= 1, JSON.stringify([...perAz]));
    }), { numRuns: 300 });
  });

  it('spread fills the emptiest AZs first when the group is already unbalanced', () => {
    const existing = fc.array(fc.record({ az: fc.constantFrom('a', 'b', 'c'), mine: fc.integer({ min: 0, max: 6 }) }), { minLength: 1, maxLength: 12 });
    fc.assert(fc.property(existing, fc.integer({ min: 1, max: 30 }), fc.integer(), (specs, count, seed) => {
      const instances = specs.map((s, i) => instance(`i${i}`, res(100_000, 100_000), { attributes: { [AZ]: s.az }, groups: { [GROUP]: s.mine } }));
      const result = place(instances, { count, demand: need(1, 1), group: GROUP, strategy: [{ type: 'spread', field: `attribute:${AZ}` }] }, seededRandom(seed));
      const total = new Map<string, number>();
      const got = new Set<string>();
      for (const s of specs) total.set(s.az, (total.get(s.az) ?? 0) + s.mine);
      for (const p of result.placements) {
        const az = instances.find((s) => s.id === p.instanceId)!.attributes[0].value!;
        total.set(az, total.get(az)! + 1);
        got.add(az);
      }
      const least = Math.min(...total.values());
      for (const az of got) assert.ok(total.get(az)! <= least + 1, `AZ ${az} got tasks but ends above the emptiest by more than one`);
    }), { numRuns: 300 });
  });

  it('gives identical results for the same seed', () => {
    fc.assert(fc.property(scenarioArb, ({ instances, request, seed }) => {
      assert.deepEqual(place(instances, request, seededRandom(seed)), place(instances, request, seededRandom(seed)));
    }), { numRuns: 200 });
  });
});
