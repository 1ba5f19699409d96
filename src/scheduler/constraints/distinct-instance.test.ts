import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PlacementSnapshot } from '../snapshot.ts';
import { instance, need, res } from '../testing.ts';
import { distinctInstance } from './distinct-instance.ts';

describe('distinctInstance', () => {
  const request = { count: 2, demand: need(0, 0), group: 'service:web', constraints: [{ type: 'distinctInstance' as const }] };

  it('rules out instances running a task of the group, including one this request just placed', () => {
    const snapshot = new PlacementSnapshot([instance('busy', res(1, 1), { groups: { 'service:web': 1 } }), instance('free', res(1, 1), { groups: { 'service:api': 4 } })], request);
    const filter = distinctInstance.filter(request.constraints[0], request);
    assert.equal(filter(0, snapshot), 'DistinctInstance placement constraint unsatisfied.');
    assert.equal(filter(1, snapshot), undefined);
    snapshot.charge(1);
    assert.equal(filter(1, snapshot), 'DistinctInstance placement constraint unsatisfied.');
  });

  it('takes no expression', () => {
    assert.equal(distinctInstance.validate({ type: 'distinctInstance' }, 'c'), undefined);
    assert.match(distinctInstance.validate({ type: 'distinctInstance', expression: 'x' }, 'c') ?? '', /^c\.expression: /);
  });
});
