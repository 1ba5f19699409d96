import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Scorer } from '../plugin.ts';
import { PlacementSnapshot } from '../snapshot.ts';
import { instance, need, res } from '../testing.ts';
import { binpack } from './binpack.ts';

const keysOf = (scorer: Scorer, n: number) => Array.from({ length: n }, (_, i) => scorer.keys[scorer.index[i]]);

describe('binpack', () => {
  const instances = [instance('a', res(1024, 300)), instance('b', res(512, 900))];
  const request = { count: 1, demand: need(100, 100), group: 'g' };
  const identity = Int32Array.from([0, 1]);

  it('ranks by the resource left, least first, and follows the tasks charged', () => {
    const snapshot = new PlacementSnapshot(instances, request);
    const memory = binpack.scorer({ type: 'binpack', field: 'memory' }, snapshot, identity) as Scorer;
    const cpu = binpack.scorer({ type: 'binpack', field: 'CPU' }, snapshot, identity) as Scorer;
    assert.deepEqual(keysOf(memory, 2), [300, 900]);
    assert.deepEqual(keysOf(cpu, 2), [1024, 512]);
    snapshot.charge(0);
    assert.deepEqual(keysOf(memory, 2), [200, 900]);
  });

  it('takes cpu or memory, in either case', () => {
    for (const field of ['cpu', 'memory', 'CPU', 'Memory']) assert.equal(binpack.validate({ type: 'binpack', field }, 's'), undefined);
    assert.match(binpack.validate({ type: 'binpack' }, 's') ?? '', /^s\.field is required/);
    assert.match(binpack.validate({ type: 'binpack', field: 'gpu' }, 's') ?? '', /^s\.field must be cpu or memory/);
  });
});
