/** The instance state machine: what each request does from each state, the completions, EC2's reasons. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STATE_CODES, completion, gmt, reasonsOfRequest, requestOutcome, visibleAt, type InstanceStateName } from './states.ts';

const STATES: InstanceStateName[] = ['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped'];

describe('instance states', () => {
  it('carry EC2\'s codes', () => {
    assert.deepEqual(STATES.map((s) => STATE_CODES[s]), [0, 16, 32, 48, 64, 80]);
  });

  it('start, stop and terminate from every state', () => {
    const table = Object.fromEntries(STATES.map((s) => [s, (['start', 'stop', 'terminate'] as const).map((r) => {
      const o = requestOutcome(s, r);
      return 'to' in o ? o.to : 'refused';
    })]));
    assert.deepEqual(table, {
      pending: ['pending', 'stopping', 'shutting-down'],
      running: ['running', 'stopping', 'shutting-down'],
      'shutting-down': ['refused', 'refused', 'shutting-down'],
      terminated: ['refused', 'refused', 'terminated'],
      stopping: ['refused', 'stopping', 'shutting-down'],
      stopped: ['pending', 'stopped', 'shutting-down'],
    });
  });

  it('the controller completes the moving states only', () => {
    assert.deepEqual(STATES.map(completion), ['running', undefined, 'terminated', undefined, 'stopped', undefined]);
  });

  it('writes EC2\'s reasons', () => {
    const at = Date.UTC(2026, 11, 4, 9, 5, 7, 250);
    assert.equal(gmt(at), '2026-12-04 09:05:07 GMT');
    assert.deepEqual(reasonsOfRequest('stopping', at), {
      stateTransitionReason: 'User initiated (2026-12-04 09:05:07 GMT)',
      stateReason: { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' },
    });
    assert.deepEqual(reasonsOfRequest('pending', at), { stateTransitionReason: '', stateReason: { code: 'pending', message: 'pending' } });
  });

  it('a terminated instance is shown for an hour', () => {
    assert.equal(visibleAt(undefined, 5), true);
    assert.equal(visibleAt(1000, 1000 + 59 * 60_000), true);
    assert.equal(visibleAt(1000, 1000 + 60 * 60_000), false);
  });
});
