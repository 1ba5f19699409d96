import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BATCH_LIMITS, CursorFilter, EventAssembler, batches, datetimeFormatPattern, normalizeTime, parseDockerLine, sinceOf, type PendingEvent } from './log-lines.ts';

const at = (ms: number, fraction = '000000') => new Date(ms).toISOString().replace('Z', `${fraction}Z`);

describe('container output as awslogs events', () => {
  it('reads Docker’s timestamped lines, normalizing the fraction so timestamps compare as text', () => {
    assert.equal(normalizeTime('2026-12-03T17:00:00.1234Z'), '2026-12-03T17:00:00.123400000Z');
    assert.equal(normalizeTime('2026-12-03T17:00:00Z'), '2026-12-03T17:00:00.000000000Z');
    assert.deepEqual(parseDockerLine('2026-12-03T17:00:00.5Z hello world'), { time: '2026-12-03T17:00:00.500000000Z', message: 'hello world' });
    assert.equal(parseDockerLine('garbage'), undefined);
    assert.equal(sinceOf({ time: '2026-12-03T17:00:00.123456789Z', count: 1 }), `${Date.UTC(2026, 11, 3, 17) / 1000}.123456789`);
  });

  it('a cursor skips exactly the lines shipped before, also among lines of one timestamp', () => {
    const t1 = '2026-12-03T17:00:00.100000000Z';
    const t2 = '2026-12-03T17:00:00.200000000Z';
    const lines = [t1, t1, t2, t2, t2].map((time, i) => ({ time, message: `m${i}` }));
    const first = new CursorFilter(undefined);
    const cursors = lines.map((l) => first.next(l));
    assert.deepEqual(cursors[3], { time: t2, count: 2 });
    // Resumed with Docker's `since` at the cursor's time: the output starts again at the first line of that time.
    const resumed = new CursorFilter(cursors[3]);
    assert.deepEqual(lines.slice(2).filter((l) => resumed.next(l)).map((l) => l.message), ['m4']);
  });

  it('joins lines into events by a start pattern, as awslogs-multiline-pattern does', () => {
    const asm = new EventAssembler(/^\[/);
    const c = { time: 't', count: 1 };
    for (const m of ['[1] start', '  at a', '  at b', '[2] next']) asm.add({ time: '2026-12-03T17:00:00.000000000Z', message: m }, c);
    assert.deepEqual(asm.take().map((e) => e.message), ['[1] start\n  at a\n  at b']);
    assert.deepEqual(asm.flush().map((e) => e.message), ['[2] next']);
  });

  it('turns awslogs-datetime-format into the start of an event', () => {
    const re = datetimeFormatPattern('%Y-%m-%d %H:%M:%S');
    assert.ok(re.test('2026-12-03 17:00:01 INFO up'));
    assert.ok(!re.test('  continuation 2026-12-03 17:00:01'));
    assert.ok(datetimeFormatPattern('[%b %d, %Y %H:%M:%S]').test('[Dec 03, 2026 17:00:01] x'));
  });

  it('cuts batches at 10,000 events, 1 MiB with 26 bytes an event, and a 24-hour span', () => {
    const ev = (i: number, ts = 0, size = 1): PendingEvent => ({ timestamp: ts, message: 'x'.repeat(size), cursor: { time: at(i), count: 1 } });
    assert.deepEqual(batches(Array.from({ length: 25_000 }, (_, i) => ev(i))).map((b) => b.length), [10_000, 10_000, 5_000]);
    const big = Array.from({ length: 10 }, (_, i) => ev(i, 0, 200_000));
    assert.ok(batches(big).every((b) => b.reduce((n, e) => n + e.message.length + BATCH_LIMITS.eventOverhead, 0) <= BATCH_LIMITS.bytes));
    assert.deepEqual(batches([ev(0, 0), ev(1, BATCH_LIMITS.spanMs), ev(2, BATCH_LIMITS.spanMs + 1)]).map((b) => b.length), [2, 1]);
  });
});
