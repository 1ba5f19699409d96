import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { firstFit } from './first-fit.ts';
import type { InstanceSnapshot } from './types.ts';
import type { Resources } from './resources.ts';

const res = (cpu: number, memory: number, ports: number[] = []): Resources => ({ cpu, memory, ports, portsUdp: [] });
const instance = (id: string, remaining: Resources, over: Partial<InstanceSnapshot> = {}): InstanceSnapshot => ({
  id, arn: `arn:${id}`, status: 'ACTIVE', agentConnected: true, remaining, attributes: [], ...over,
});

describe('firstFit', () => {
  it('fills the first instance with room, then the next', () => {
    const result = firstFit([instance('a', res(1024, 300)), instance('b', res(1024, 300))], { count: 4, demand: res(0, 100) });
    assert.deepEqual(result, { placements: ['a', 'a', 'a', 'b'], failures: [] });
  });

  it('reports each ruled-out instance with ECS reasons when tasks are left over', () => {
    const result = firstFit(
      [
        instance('cpu', res(100, 1000)),
        instance('mem', res(1000, 10)),
        instance('port', res(1000, 1000, [80])),
        instance('agent', res(1000, 1000), { agentConnected: false }),
        instance('gone', res(1000, 1000), { status: 'INACTIVE' }),
        instance('draining', res(1000, 1000), { status: 'DRAINING' }),
      ],
      { count: 1, demand: res(200, 100, [80]) },
    );
    assert.deepEqual(result.placements, []);
    assert.deepEqual(result.failures, [
      { arn: 'arn:cpu', reason: 'RESOURCE:CPU' },
      { arn: 'arn:mem', reason: 'RESOURCE:MEMORY' },
      { arn: 'arn:port', reason: 'RESOURCE:PORTS' },
      { arn: 'arn:agent', reason: 'AGENT' },
      { arn: 'arn:gone', reason: 'INACTIVE' },
    ]);
  });

  it('never places two tasks on one static host port', () => {
    const result = firstFit([instance('a', res(4096, 4096)), instance('b', res(4096, 4096))], { count: 3, demand: res(0, 10, [8080]) });
    assert.deepEqual(result.placements, ['a', 'b']);
    assert.deepEqual(result.failures, [{ arn: 'arn:a', reason: 'RESOURCE:PORTS' }, { arn: 'arn:b', reason: 'RESOURCE:PORTS' }]);
  });

  it('never oversubscribes an instance (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ cpu: fc.nat(4096), memory: fc.nat(8192) }), { minLength: 1, maxLength: 8 }),
      fc.record({ cpu: fc.nat(1024), memory: fc.nat(2048) }),
      fc.integer({ min: 1, max: 10 }),
      (sizes, demand, count) => {
        const instances = sizes.map((s, i) => instance(`i${i}`, res(s.cpu, s.memory)));
        const { placements } = firstFit(instances, { count, demand: res(demand.cpu, demand.memory) });
        for (const inst of instances) {
          const n = placements.filter((id) => id === inst.id).length;
          assert.ok(n * demand.cpu <= inst.remaining.cpu && n * demand.memory <= inst.remaining.memory);
        }
        assert.ok(placements.length <= count);
      },
    ));
  });
});
