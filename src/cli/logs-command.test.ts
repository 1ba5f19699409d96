import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLogLine } from './logs-command.ts';

describe('wharf logs lines', () => {
  it('show the time, the container padded to the widest name, and its message; a colour per container on a terminal', () => {
    const e = { timestamp: Date.UTC(2026, 11, 3, 17), container: 'app', message: 'up' };
    assert.equal(formatLogLine(e, 0, 7, false), '2026-12-03T17:00:00.000Z app     | up');
    assert.equal(formatLogLine(e, 1, 3, true), '2026-12-03T17:00:00.000Z \u001b[33mapp\u001b[0m | up');
    assert.notEqual(formatLogLine(e, 0, 3, true), formatLogLine(e, 1, 3, true));
  });
});
