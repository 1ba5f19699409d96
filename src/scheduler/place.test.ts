import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { place } from './place.ts';
import { seededRandom } from './random.ts';
import { REASONS } from './reasons.ts';
import { instance, need, res } from './testing.ts';
import type { InstanceSnapshot, PlaceRequest } from './types.ts';

const AZ = 'ecs.availability-zone';
const rng = () => seededRandom(42);
const ids = (r: { placements: { instanceId: string }[] }) => r.placements.map((p) => p.instanceId);
const count = (r: { placements: { instanceId: string }[] }) => {
  const out: Record<string, number> = {};
  for (const p of r.placements) out[p.instanceId] = (out[p.instanceId] ?? 0) + 1;
  return out;
};
const request = (over: Partial<PlaceRequest>): PlaceRequest => ({ count: 1, demand: need(0, 100), group: 'family:web', ...over });

/** Three AZs, two instances each: a1 a2 b1 b2 c1 c2, with `memory` MiB left on each (default 1000). */
const threeAzs = (memory: Record<string, number> = {}): InstanceSnapshot[] =>
  ['a1', 'a2', 'b1', 'b2', 'c1', 'c2'].map((id) => instance(id, res(4096, memory[id] ?? 1000), { attributes: { [AZ]: `us-east-1${id[0]}` } }));

describe('place: strategies', () => {
  it('binpack on memory fills the instance with the least memory left before the next', () => {
    const instances = [instance('big', res(4096, 2000)), instance('small', res(4096, 500)), instance('mid', res(4096, 1000))];
    const r = place(instances, request({ count: 8, strategy: [{ type: 'binpack', field: 'memory' }] }), rng());
    assert.deepEqual(ids(r), ['small', 'small', 'small', 'small', 'small', 'mid', 'mid', 'mid']);
  });

  it('binpack on cpu packs by CPU units left, and accepts the field in upper case as ECS does', () => {
    const instances = [instance('a', res(1024, 4000)), instance('b', res(512, 4000))];
    const r = place(instances, request({ count: 3, demand: need(256, 10), strategy: [{ type: 'binpack', field: 'CPU' }] }), rng());
    assert.deepEqual(ids(r), ['b', 'b', 'a']);
  });

  it('spread on instanceId puts one task on each instance before a second on any, counting the group tasks already there', () => {
    const instances = [instance('a', res(4096, 4000), { groups: { 'family:web': 2 } }), instance('b', res(4096, 4000)), instance('c', res(4096, 4000), { groups: { other: 5 } })];
    const r = place(instances, request({ count: 4, strategy: [{ type: 'spread', field: 'instanceId' }] }), rng());
    assert.deepEqual(count(r), { b: 2, c: 2 });
    const r2 = place(instances, request({ count: 5, strategy: [{ type: 'spread', field: 'host' }] }), rng());
    const totals = ['a', 'b', 'c'].map((id) => (count(r2)[id] ?? 0) + (id === 'a' ? 2 : 0));
    assert.deepEqual(totals.sort(), [2, 2, 3], 'host is instanceId: group totals stay within one');
  });

  it('spread over attribute:ecs.availability-zone balances the group across AZs (ECS example)', () => {
    const r = place(threeAzs(), request({ count: 6, strategy: [{ type: 'spread', field: `attribute:${AZ}` }] }), rng());
    const byAz: Record<string, number> = {};
    for (const id of ids(r)) byAz[id[0]] = (byAz[id[0]] ?? 0) + 1;
    assert.deepEqual(byAz, { a: 2, b: 2, c: 2 });
  });

  it('spread across AZs, then binpack on memory within each AZ (ECS example)', () => {
    const instances = threeAzs({ a1: 900, a2: 500, b1: 700, b2: 800, c1: 1000, c2: 600 });
    const r = place(instances, request({ count: 6, strategy: [{ type: 'spread', field: `attribute:${AZ}` }, { type: 'binpack', field: 'memory' }] }), rng());
    assert.deepEqual(count(r), { a2: 2, b1: 2, c2: 2 });
  });

  it('spread across AZs, then across the instances within each AZ (ECS example)', () => {
    const r = place(threeAzs(), request({ count: 6, strategy: [{ type: 'spread', field: `attribute:${AZ}` }, { type: 'spread', field: 'instanceId' }] }), rng());
    assert.deepEqual(count(r), { a1: 1, a2: 1, b1: 1, b2: 1, c1: 1, c2: 1 });
  });

  it('spread over an AZ counts the group tasks already in it, and instances without the attribute share one bucket', () => {
    const instances = [
      instance('a', res(4096, 4000), { attributes: { [AZ]: 'a' }, groups: { 'family:web': 3 } }),
      instance('b', res(4096, 4000), { attributes: { [AZ]: 'b' }, groups: { 'family:web': 1 } }),
      instance('x', res(4096, 4000)),
      instance('y', res(4096, 4000)),
    ];
    const r = place(instances, request({ count: 4, strategy: [{ type: 'spread', field: `attribute:${AZ}` }] }), rng());
    const c = count(r);
    assert.equal(c.a, undefined);
    assert.equal(c.b, 2, 'b is brought up to a\'s 3');
    assert.equal((c.x ?? 0) + (c.y ?? 0), 2, 'the no-AZ bucket gets the others');
  });

  it('an AZ whose instances are all full does not stop the spread: the others take the tasks', () => {
    const instances = threeAzs({ a1: 50, a2: 50 });
    const r = place(instances, request({ count: 4, strategy: [{ type: 'spread', field: `attribute:${AZ}` }] }), rng());
    assert.equal(r.placements.length, 4);
    assert.ok(ids(r).every((id) => id[0] !== 'a'));
  });

  it('random (also the default with no strategy) spreads over the candidates and replays with the same seed', () => {
    const instances = Array.from({ length: 10 }, (_, i) => instance(`i${i}`, res(4096, 100_000)));
    for (const strategy of [undefined, [], [{ type: 'random' as const }]]) {
      const a = place(instances, request({ count: 10, strategy }), seededRandom(7));
      const b = place(instances, request({ count: 10, strategy }), seededRandom(7));
      assert.deepEqual(a, b);
      assert.ok(new Set(ids(a)).size >= 4, 'ten random picks over ten instances land on several');
    }
    const seeds = new Set(Array.from({ length: 5 }, (_, s) => ids(place(instances, request({ count: 10 }), seededRandom(s))).join()));
    assert.ok(seeds.size > 1, 'different seeds, different placements');
  });

  it('a random strategy after a spread breaks only the spread\'s ties; strategies after random never matter', () => {
    const instances = threeAzs();
    const r = place(instances, request({ count: 3, strategy: [{ type: 'spread', field: `attribute:${AZ}` }, { type: 'random' }, { type: 'binpack', field: 'memory' }] }), rng());
    assert.deepEqual(new Set(ids(r).map((id) => id[0])), new Set(['a', 'b', 'c']));
  });

  it('every task of a count updates the working snapshot, so binpack never oversubscribes', () => {
    const instances = [instance('a', res(1000, 1000)), instance('b', res(1000, 950))];
    const r = place(instances, request({ count: 10, demand: need(100, 100), strategy: [{ type: 'binpack', field: 'memory' }] }), rng());
    assert.deepEqual(count(r), { b: 9, a: 1 });
  });
});

describe('place: constraints', () => {
  it('distinctInstance places each task of the request on a different instance, and reports the rest', () => {
    const instances = [instance('a', res(4096, 4000)), instance('b', res(4096, 4000))];
    const r = place(instances, request({ count: 3, constraints: [{ type: 'distinctInstance' }] }), rng());
    assert.deepEqual(new Set(ids(r)), new Set(['a', 'b']));
    assert.deepEqual(r.failures, [
      { arn: 'arn:a', reason: 'DistinctInstance placement constraint unsatisfied.' },
      { arn: 'arn:b', reason: 'DistinctInstance placement constraint unsatisfied.' },
    ]);
  });

  it('distinctInstance avoids instances already running a task of the group (not desired STOPPED), but not other groups', () => {
    const instances = [instance('a', res(4096, 4000), { groups: { 'family:web': 1 } }), instance('b', res(4096, 4000), { groups: { 'family:db': 3 } })];
    const r = place(instances, request({ count: 1, constraints: [{ type: 'distinctInstance' }] }), rng());
    assert.deepEqual(ids(r), ['b']);
    const again = place([instances[0]], request({ count: 1, constraints: [{ type: 'distinctInstance' }] }), rng());
    assert.deepEqual(again, { placements: [], failures: [{ arn: 'arn:a', reason: REASONS.distinctInstance }] });
  });

  it('memberOf on instance type (ECS example: attribute:ecs.instance-type =~ t2.*)', () => {
    const instances = [
      instance('m5', res(4096, 4000), { attributes: { 'ecs.instance-type': 'm5.large' } }),
      instance('t2', res(4096, 4000), { attributes: { 'ecs.instance-type': 't2.micro' } }),
    ];
    const r = place(instances, request({ count: 3, constraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t2.*' }] }), rng());
    assert.deepEqual(ids(r), ['t2', 't2', 't2']);
    assert.deepEqual(r.failures, []);
    const none = place([instances[0]], request({ constraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t2.*' }] }), rng());
    assert.deepEqual(none.failures, [{ arn: 'arn:m5', reason: 'MemberOf placement constraint unsatisfied.' }]);
  });

  it('memberOf task:group places next to the group named (ECS example: task:group == databases)', () => {
    const instances = [instance('web', res(4096, 4000), { groups: { web: 1 } }), instance('db', res(4096, 4000), { groups: { databases: 2 } })];
    const r = place(instances, request({ count: 2, constraints: [{ type: 'memberOf', expression: 'task:group == databases' }] }), rng());
    assert.deepEqual(ids(r), ['db', 'db']);
  });

  it('memberOf task:group sees the tasks this request has placed', () => {
    const instances = [instance('a', res(4096, 4000)), instance('b', res(4096, 4000))];
    const r = place(instances, request({ count: 2, group: 'solo', constraints: [{ type: 'memberOf', expression: 'not(task:group == solo)' }] }), rng());
    assert.deepEqual(new Set(ids(r)), new Set(['a', 'b']));
  });

  it('memberOf on ec2InstanceId and on a custom attribute set by PutAttributes', () => {
    const instances = [instance('a', res(4096, 4000), { attributes: { stack: 'prod' } }), instance('b', res(4096, 4000), { attributes: { stack: 'dev' } })];
    assert.deepEqual(ids(place(instances, request({ constraints: [{ type: 'memberOf', expression: 'ec2InstanceId in [i-b, i-z]' }] }), rng())), ['b']);
    assert.deepEqual(ids(place(instances, request({ constraints: [{ type: 'memberOf', expression: 'attribute:stack == prod' }] }), rng())), ['a']);
  });

  it('constraints and strategies together: spread across AZs, binpack on memory, only on m5 instances', () => {
    const instances = threeAzs({ a1: 300, b2: 400 }).map((s) => ({
      ...s,
      attributes: [...s.attributes, { name: 'ecs.instance-type', value: s.id.endsWith('1') || s.id === 'b2' ? 'm5.large' : 't2.micro' }],
    }));
    const r = place(instances, request({
      count: 3,
      constraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type == m5.large' }],
      strategy: [{ type: 'spread', field: `attribute:${AZ}` }, { type: 'binpack', field: 'memory' }],
    }), rng());
    assert.deepEqual(count(r), { a1: 1, b2: 1, c1: 1 });
  });
});

describe('place: failures as RunTask reports them', () => {
  it('reports every ruled-out instance with its reason (agent, attributes, resources, constraints), in snapshot order; DRAINING ones are skipped silently', () => {
    const instances = [
      instance('cpu', res(100, 1000)),
      instance('mem', res(1000, 10)),
      instance('port', res(1000, 1000, { ports: [22, 80] })),
      instance('udp', res(1000, 1000, { portsUdp: [53] })),
      instance('gpu', res(1000, 1000, { gpus: ['GPU-1'] })),
      instance('eni', res(1000, 1000, { gpus: ['GPU-1', 'GPU-2'], enis: 0 })),
      instance('agent', res(1000, 1000), { agentConnected: false }),
      instance('attr', res(1000, 1000, { gpus: ['GPU-1', 'GPU-2'] })),
      instance('member', res(1000, 1000, { gpus: ['GPU-1', 'GPU-2'] }), { attributes: { 'ecs.capability.task-eni': undefined } }),
      instance('gone', res(1000, 1000), { status: 'INACTIVE' }),
      instance('draining', res(1000, 1000), { status: 'DRAINING' }),
      instance('registering', res(1000, 1000), { status: 'REGISTERING' }),
    ];
    const r = place(instances, request({
      count: 1,
      demand: need(200, 100, { ports: [80], portsUdp: [53], gpus: 2, enis: 1 }),
      requiredAttributes: [{ name: 'ecs.capability.task-eni' }],
      constraints: [{ type: 'memberOf', expression: 'attribute:stack == prod' }],
    }), rng());
    assert.deepEqual(r.placements, []);
    assert.deepEqual(r.failures, [
      { arn: 'arn:cpu', reason: 'ATTRIBUTE' },
      { arn: 'arn:mem', reason: 'ATTRIBUTE' },
      { arn: 'arn:port', reason: 'ATTRIBUTE' },
      { arn: 'arn:udp', reason: 'ATTRIBUTE' },
      { arn: 'arn:gpu', reason: 'ATTRIBUTE' },
      { arn: 'arn:eni', reason: 'ATTRIBUTE' },
      { arn: 'arn:agent', reason: 'AGENT' },
      { arn: 'arn:attr', reason: 'ATTRIBUTE' },
      { arn: 'arn:member', reason: 'MemberOf placement constraint unsatisfied.' },
      { arn: 'arn:gone', reason: 'INACTIVE' },
    ]);
  });

  it('names the first resource an instance lacks: CPU, memory, ports, GPU, ENI', () => {
    const instances = [
      instance('cpu', res(100, 1000)),
      instance('mem', res(1000, 10)),
      instance('port', res(1000, 1000, { ports: [22, 80] })),
      instance('udp', res(1000, 1000, { portsUdp: [53] })),
      instance('gpu', res(1000, 1000, { gpus: ['GPU-1'] })),
      instance('eni', res(1000, 1000, { gpus: ['GPU-1', 'GPU-2'], enis: 0 })),
    ];
    const r = place(instances, request({ demand: need(200, 100, { ports: [80], portsUdp: [53], gpus: 2, enis: 1 }) }), rng());
    assert.deepEqual(r.failures.map((f) => f.reason), ['RESOURCE:CPU', 'RESOURCE:MEMORY', 'RESOURCE:PORTS', 'RESOURCE:PORTS', 'RESOURCE:GPU', 'RESOURCE:ENI']);
  });

  it('checks resources before constraints, as ECS does', () => {
    const r = place([instance('a', res(10, 10))], request({ demand: need(100, 100), constraints: [{ type: 'memberOf', expression: 'attribute:x == y' }] }), rng());
    assert.deepEqual(r.failures, [{ arn: 'arn:a', reason: 'RESOURCE:CPU' }]);
  });

  it('an instance filled by this request reports what it ran out of; nothing is reported when every task is placed', () => {
    const instances = [instance('a', res(1000, 250)), instance('b', res(150, 1000)), instance('c', res(10, 10), { agentConnected: false })];
    const r = place(instances, request({ count: 4, demand: need(100, 100) }), rng());
    assert.deepEqual(count(r), { a: 2, b: 1 });
    assert.deepEqual(r.failures, [
      { arn: 'arn:a', reason: 'RESOURCE:MEMORY' },
      { arn: 'arn:b', reason: 'RESOURCE:CPU' },
      { arn: 'arn:c', reason: 'AGENT' },
    ]);
    assert.deepEqual(place(instances, request({ count: 3, demand: need(100, 100) }), rng()).failures, []);
  });

  it('a static host port takes one task per instance; dynamic ports (none in the demand) do not', () => {
    const instances = [instance('a', res(4096, 4000)), instance('b', res(4096, 4000))];
    const r = place(instances, request({ count: 3, demand: need(0, 10, { ports: [8080] }) }), rng());
    assert.deepEqual(new Set(ids(r)), new Set(['a', 'b']));
    assert.deepEqual(r.failures, [{ arn: 'arn:a', reason: 'RESOURCE:PORTS' }, { arn: 'arn:b', reason: 'RESOURCE:PORTS' }]);
    assert.equal(place(instances, request({ count: 3, demand: need(0, 10) }), rng()).placements.length, 3);
  });

  it('ATTRIBUTE checks required attribute values where the task definition gives one', () => {
    const instances = [instance('arm', res(4096, 4000), { attributes: { 'ecs.cpu-architecture': 'arm64' } }), instance('x86', res(4096, 4000), { attributes: { 'ecs.cpu-architecture': 'x86_64' } })];
    const r = place(instances, request({ count: 2, requiredAttributes: [{ name: 'ecs.cpu-architecture', value: 'arm64' }] }), rng());
    assert.deepEqual(ids(r), ['arm', 'arm']);
    assert.deepEqual(place([instances[1]], request({ requiredAttributes: [{ name: 'ecs.cpu-architecture', value: 'arm64' }] }), rng()).failures, [
      { arn: 'arn:x86', reason: 'ATTRIBUTE' },
    ]);
  });

  it('no instances: nothing placed, nothing to report', () => {
    assert.deepEqual(place([], request({ count: 3 }), rng()), { placements: [], failures: [] });
  });
});

describe('place: what each task holds', () => {
  it('pins distinct free GPUs to each task, in the order the instance lists them', () => {
    const instances = [instance('g', res(4096, 4000, { gpus: ['GPU-a', 'GPU-b', 'GPU-c', 'GPU-d', 'GPU-e'] }))];
    const r = place(instances, request({ count: 3, demand: need(0, 10, { gpus: 2 }) }), rng());
    assert.deepEqual(r.placements.map((p) => p.reserved.gpus), [['GPU-a', 'GPU-b'], ['GPU-c', 'GPU-d']]);
    assert.deepEqual(r.failures, [{ arn: 'arn:g', reason: 'RESOURCE:GPU' }]);
  });

  it('takes one ENI attachment point per awsvpc task; an instance reporting no limit is not counted', () => {
    const instances = [instance('limited', res(100, 4000, { enis: 2 })), instance('unlimited', res(4096, 4000))];
    const r = place(instances, request({ count: 6, demand: need(1, 10, { enis: 1 }), strategy: [{ type: 'binpack', field: 'cpu' }] }), rng());
    assert.deepEqual(ids(r), ['limited', 'limited', 'unlimited', 'unlimited', 'unlimited', 'unlimited']);
    assert.deepEqual(r.placements[0].reserved, { cpu: 1, memory: 10, ports: [], portsUdp: [], enis: 1 });
  });

  it('returns the demand as what the task holds, and leaves the snapshot untouched', () => {
    const instances = [instance('a', res(4096, 4000, { ports: [22] }))];
    const before = structuredClone(instances);
    const r = place(instances, request({ count: 2, demand: need(128, 256, { portsUdp: [5353] }) }), rng());
    assert.deepEqual(r.placements, [{ instanceId: 'a', reserved: { cpu: 128, memory: 256, ports: [], portsUdp: [5353] } }]);
    assert.deepEqual(instances, before);
  });
});

describe('place: requests it refuses', () => {
  it('throws on a request that has not passed validatePlacement, rather than placing by a guess', () => {
    const instances = [instance('a', res(4096, 4000))];
    assert.throws(() => place(instances, request({ strategy: [{ type: 'binpack', field: 'disk' }] }), rng()), /validatePlacement.*placementStrategy\[0\]\.field/);
    assert.throws(() => place(instances, request({ constraints: [{ type: 'memberOf', expression: 'attribute:x ==' }] }), rng()), TypeError);
  });
});
