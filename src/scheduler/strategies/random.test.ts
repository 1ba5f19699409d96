import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PlacementSnapshot } from '../snapshot.ts';
import { need } from '../testing.ts';
import { random } from './random.ts';

describe('random', () => {
  it('ranks nothing: it leaves the choice to the random tie-break', () => {
    const snapshot = new PlacementSnapshot([], { count: 1, demand: need(0, 0), group: 'g' });
    assert.equal(random.scorer({ type: 'random' }, snapshot, new Int32Array(0)), 'random');
  });

  it('takes no field, not even an empty one', () => {
    assert.equal(random.validate({ type: 'random' }, 's'), undefined);
    assert.match(random.validate({ type: 'random', field: '' }, 's') ?? '', /^s\.field can't be specified/);
  });
});
