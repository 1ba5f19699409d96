import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Scorer } from '../plugin.ts';
import { PlacementSnapshot } from '../snapshot.ts';
import { instance, need, res } from '../testing.ts';
import { spread } from './spread.ts';

const keysOf = (scorer: Scorer, n: number) => Array.from({ length: n }, (_, i) => scorer.keys[scorer.index[i]]);
const AZ = 'ecs.availability-zone';

describe('spread', () => {
  const instances = [
    instance('a1', res(1, 1), { attributes: { [AZ]: 'a' }, groups: { web: 2, db: 7 } }),
    instance('a2', res(1, 1), { attributes: { [AZ]: 'a' }, groups: { web: 1 } }),
    instance('b1', res(1, 1), { attributes: { [AZ]: 'b' } }),
    instance('none', res(1, 1)),
  ];
  const request = { count: 1, demand: need(0, 0), group: 'web' };
  const identity = Int32Array.from([0, 1, 2, 3]);

  it('on instanceId (or host) ranks instances by the group\'s tasks on each, fewest first', () => {
    const snapshot = new PlacementSnapshot(instances, request);
    for (const field of ['instanceId', 'host']) {
      const scorer = spread.scorer({ type: 'spread', field }, snapshot, identity) as Scorer;
      assert.deepEqual(keysOf(scorer, 4), [2, 1, 0, 0]);
    }
  });

  it('on an attribute ranks instances by the group\'s tasks over all instances with the same value', () => {
    const snapshot = new PlacementSnapshot(instances, request);
    const scorer = spread.scorer({ type: 'spread', field: `attribute:${AZ}` }, snapshot, identity) as Scorer;
    assert.deepEqual(keysOf(scorer, 4), [3, 3, 0, 0]);
    snapshot.charge(2);
    scorer.placed?.(2);
    assert.deepEqual(keysOf(scorer, 4), [3, 3, 1, 0], 'a task placed in b counts for b only; the no-value bucket is separate');
  });

  it('takes instanceId, host or attribute:<name>', () => {
    for (const field of ['instanceId', 'host', 'attribute:ecs.availability-zone', 'attribute:stack']) assert.equal(spread.validate({ type: 'spread', field }, 's'), undefined);
    for (const field of [undefined, '', 'attribute:', 'memory', 'InstanceId']) assert.ok(spread.validate({ type: 'spread', field }, 's'));
  });
});
