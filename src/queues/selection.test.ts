import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { countMessages, selectMessages, type KeyedState } from './selection.ts';

const T0 = Date.UTC(2026, 0, 1);
const msg = (key: string, o: Partial<KeyedState['state']> = {}): KeyedState => ({
  key, state: { id: key, sentAt: T0, visibleAt: T0, receiveCount: 0, ...o },
});
const opts = { now: T0 + 1000, max: 10, fifo: false, retentionMs: 60_000, rng: () => 0.5 };

describe('selectMessages', () => {
  test('a standard queue delivers visible messages only, at most max', () => {
    const states = [msg('a'), msg('b', { visibleAt: T0 + 5000, receiveCount: 1 }), msg('c'), msg('d', { visibleAt: T0 + 2000 })];
    const out = selectMessages(states, { ...opts, max: 10 });
    assert.deepEqual(out.deliver.map((m) => m.key).sort(), ['a', 'c']);
    assert.equal(selectMessages(states, { ...opts, max: 1 }).deliver.length, 1);
  });

  test('a message whose visibility timeout passed is delivered again', () => {
    const states = [msg('a', { visibleAt: T0 + 30_000, receiveCount: 1 })];
    assert.equal(selectMessages(states, { ...opts, now: T0 + 29_999 }).deliver.length, 0);
    assert.equal(selectMessages(states, { ...opts, now: T0 + 30_000 }).deliver.length, 1);
  });

  test('past its retention period a message is dropped, not delivered', () => {
    const out = selectMessages([msg('old')], { ...opts, now: T0 + 60_000 });
    assert.deepEqual([out.deliver.length, out.expired.map((m) => m.key)], [0, ['old']]);
  });

  test('a visible message received maxReceiveCount times goes to the dead-letter queue', () => {
    const out = selectMessages([msg('a', { receiveCount: 3 }), msg('b', { receiveCount: 2 })], { ...opts, maxReceiveCount: 3 });
    assert.deepEqual([out.deadLetter.map((m) => m.key), out.deliver.map((m) => m.key)], [['a'], ['b']]);
  });

  test('FIFO: in order per group; a group with a message in flight or delayed gives nothing after it', () => {
    const states = [
      msg('a1', { groupId: 'a', visibleAt: T0 + 9000, receiveCount: 1 }), msg('b1', { groupId: 'b' }), msg('a2', { groupId: 'a' }),
      msg('c1', { groupId: 'c', visibleAt: T0 + 9000 }), msg('b2', { groupId: 'b' }), msg('c2', { groupId: 'c' }),
    ];
    assert.deepEqual(selectMessages(states, { ...opts, fifo: true }).deliver.map((m) => m.key), ['b1', 'b2']);
    assert.deepEqual(selectMessages(states, { ...opts, fifo: true, max: 1 }).deliver.map((m) => m.key), ['b1']);
  });

  test('property: never delivers an invisible message, never more than max, FIFO never out of order in a group', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ visibleIn: fc.integer({ min: -5, max: 5 }), group: fc.constantFrom('x', 'y', 'z'), received: fc.nat(3) }), { maxLength: 30 }),
      fc.integer({ min: 1, max: 10 }), fc.boolean(),
      (specs, max, fifo) => {
        const states = specs.map((s, i) => msg(String(i).padStart(3, '0'), { visibleAt: T0 + s.visibleIn * 1000, groupId: s.group, receiveCount: s.received }));
        const out = selectMessages(states, { ...opts, now: T0, max, fifo, rng: Math.random });
        assert.ok(out.deliver.length <= max);
        for (const m of out.deliver) assert.ok(m.state.visibleAt <= T0);
        if (fifo) {
          for (const m of out.deliver) {
            const earlier = states.filter((s) => s.key < m.key && s.state.groupId === m.state.groupId);
            for (const e of earlier) assert.ok(out.deliver.some((d) => d.key === e.key), `${m.key} delivered before ${e.key} of its group`);
          }
        }
      },
    ));
  });
});

describe('countMessages', () => {
  test('visible, in flight and delayed, and the oldest age', () => {
    const c = countMessages([
      msg('a').state, msg('b', { visibleAt: T0 + 5000, receiveCount: 1 }).state, msg('c', { visibleAt: T0 + 5000, sentAt: T0 - 10_000 }).state,
    ], T0 + 1000);
    assert.deepEqual(c, { visible: 1, notVisible: 1, delayed: 1, oldestAgeSeconds: 11 });
  });
});
