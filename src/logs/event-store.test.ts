/**
 * The event store on a real directory: appends read back forward and backward with positions,
 * reads by time skipping segments, segments rolled by size and span, retention dropping whole
 * segments, a torn tail ignored and cut before the next append, and concurrent appends kept whole.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, type StreamRef, type StoredEvent } from './event-store.ts';

const ref: StreamRef = { account: '123456789012', region: 'eu-west-1', group: '/ecs/web', stream: 'web/app/1' };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function store(options?: ConstructorParameters<typeof EventStore>[1]): EventStore {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-events-'));
  dirs.push(dir);
  return new EventStore(dir, options);
}
const event = (timestamp: number, message = `m${timestamp}`): StoredEvent => ({ timestamp, ingestionTime: timestamp + 1, message });
const messages = (r: { events: StoredEvent[] }) => r.events.map((e) => e.message);

describe('event store', () => {
  it('reads appended events back forward and backward, a page at a time, and the same position back at the end', async () => {
    const s = store();
    await s.append(ref, [event(1), event(2), event(3)]);
    await s.append(ref, [event(4), event(5, 'é ünïcode')]);
    const first = await s.read(ref, { direction: 'forward', from: 'head', limit: 2 });
    assert.deepEqual(messages(first), ['m1', 'm2']);
    assert.deepEqual(first.events[0], { ...event(1), at: first.events[0]!.at, after: first.events[0]!.after });
    const second = await s.read(ref, { direction: 'forward', from: first.next, limit: 10 });
    assert.deepEqual(messages(second), ['m3', 'm4', 'é ünïcode']);
    const end = await s.read(ref, { direction: 'forward', from: second.next, limit: 10 });
    assert.deepEqual([end.events, end.next], [[], second.next], 'nothing new: the same position');
    await s.append(ref, [event(6)]);
    assert.deepEqual(messages(await s.read(ref, { direction: 'forward', from: second.next, limit: 10 })), ['m6']);

    const last = await s.read(ref, { direction: 'backward', from: 'tail', limit: 2 });
    assert.deepEqual(messages(last), ['é ünïcode', 'm6'], 'backward pages come in ingestion order');
    const before = await s.read(ref, { direction: 'backward', from: last.next, limit: 10 });
    assert.deepEqual(messages(before), ['m1', 'm2', 'm3', 'm4']);
    const none = await s.read(ref, { direction: 'backward', from: before.next, limit: 10 });
    assert.deepEqual([none.events, none.next], [[], before.next]);
  });

  it('stops a page before its messages pass maxBytes (26 bytes counted per event), both ways', async () => {
    const s = store();
    await s.append(ref, [1, 2, 3, 4].map((t) => event(t, 'x'.repeat(74))));
    const page = await s.read(ref, { direction: 'forward', from: 'head', limit: 10, maxBytes: 250 });
    assert.equal(page.events.length, 2);
    assert.deepEqual((await s.read(ref, { direction: 'forward', from: page.next, limit: 10, maxBytes: 250 })).events.map((e) => e.timestamp), [3, 4]);
    assert.deepEqual((await s.read(ref, { direction: 'backward', from: 'tail', limit: 10, maxBytes: 250 })).events.map((e) => e.timestamp), [3, 4]);
    assert.equal((await s.read(ref, { direction: 'forward', from: 'head', limit: 10, maxBytes: 10 })).events.length, 1, 'one event always fits');
  });

  it('pages forward through a segment larger than a read window, events of every size each once and in order', async () => {
    const s = store({ segmentBytes: 64 * 1024 * 1024 });
    // Small events and ones near the 256 KiB maximum, so frames straddle the 1 MiB windows.
    const all = Array.from({ length: 400 }, (_, i) => event(i, `${i} ${'x'.repeat(i % 7 === 0 ? 200_000 + i : 40)}`));
    for (let i = 0; i < all.length; i += 50) await s.append(ref, all.slice(i, i + 50));
    for (const limit of [1, 7, 10_000]) {
      const seen: string[] = [];
      let from: Parameters<EventStore['read']>[1]['from'] = 'head';
      for (let pages = 0; pages < 1000; pages++) {
        const page = await s.read(ref, { direction: 'forward', from, limit });
        if (!page.events.length) break;
        seen.push(...messages(page));
        from = page.next;
      }
      assert.deepEqual(seen, all.map((e) => e.message), `limit ${limit}`);
    }
  });

  it('reads a time range [start, end), skipping segments outside it', async () => {
    const s = store({ segmentBytes: 1 });
    for (let t = 0; t < 20; t++) await s.append(ref, [event(t * 1000)]);
    assert.equal(readdirSync(s.streamDir(ref)).filter((n) => n.endsWith('.seg')).length, 20, 'a segment per event');
    const range = await s.read(ref, { direction: 'forward', from: 'head', startTime: 5000, endTime: 9000, limit: 100 });
    assert.deepEqual(messages(range), ['m5000', 'm6000', 'm7000', 'm8000']);
    const back = await s.read(ref, { direction: 'backward', from: 'tail', startTime: 5000, endTime: 9000, limit: 3 });
    assert.deepEqual(messages(back), ['m6000', 'm7000', 'm8000']);
    assert.deepEqual(messages(await s.read(ref, { direction: 'forward', from: 'head', startTime: 50_000, limit: 5 })), []);
  });

  it('rolls a segment when a batch would make it span more than a day; retention drops whole segments older than the cutoff', async () => {
    const s = store({ segmentSpanMs: 86_400_000 });
    const DAY = 86_400_000;
    await s.append(ref, [event(0), event(DAY / 2)]);
    await s.append(ref, [event(DAY + 1)]);
    await s.append(ref, [event(3 * DAY)]);
    const before = await s.storedBytes(ref);
    assert.equal(await s.dropBefore(ref, DAY / 2), 0, 'the first segment still has an event at the cutoff');
    assert.equal(await s.dropBefore(ref, DAY), 1);
    assert.ok(await s.storedBytes(ref) < before);
    assert.deepEqual(messages(await s.read(ref, { direction: 'forward', from: 'head', limit: 10 })), [`m${DAY + 1}`, `m${3 * DAY}`]);
    assert.equal(await s.dropBefore(ref, 10 * DAY), 2, 'the last segment too');
    await s.append(ref, [event(11 * DAY)]);
    const segs = readdirSync(s.streamDir(ref)).filter((n) => n.endsWith('.seg'));
    assert.deepEqual(segs, ['0000000004.seg'], 'segment numbers are never reused');
    assert.deepEqual(messages(await s.read(ref, { direction: 'forward', from: 'head', limit: 10 })), [`m${11 * DAY}`]);
  });

  it('ignores a torn tail on reopen and cuts it before the next append', async () => {
    const dir = store().root;
    const first = new EventStore(dir);
    await first.append(ref, [event(1), event(2)]);
    const seg = join(first.streamDir(ref), '0000000001.seg');
    const whole = statSync(seg).size;
    appendFileSync(seg, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 9, 9]));
    const reopened = new EventStore(dir);
    assert.deepEqual(messages(await reopened.read(ref, { direction: 'forward', from: 'head', limit: 10 })), ['m1', 'm2']);
    assert.deepEqual(messages(await reopened.read(ref, { direction: 'backward', from: 'tail', limit: 10 })), ['m1', 'm2']);
    await reopened.append(ref, [event(3)]);
    assert.ok(statSync(seg).size > whole);
    assert.deepEqual(messages(await new EventStore(dir).read(ref, { direction: 'forward', from: 'head', limit: 10 })), ['m1', 'm2', 'm3']);
  });

  it('concurrent appends to one stream are serialized: every batch whole and contiguous', async () => {
    const s = store({ segmentBytes: 300 });
    await Promise.all(Array.from({ length: 20 }, (_, b) => s.append(ref, [event(b * 10, `b${b}-0`), event(b * 10 + 1, `b${b}-1`)])));
    const all = messages(await s.read(ref, { direction: 'forward', from: 'head', limit: 1000 }));
    assert.equal(all.length, 40);
    for (let i = 0; i < all.length; i += 2) assert.equal(all[i]!.replace(/-0$/, ''), all[i + 1]!.replace(/-1$/, ''));
  });

  it('deletes a stream and a group; other streams keep their events', async () => {
    const s = store();
    const other = { ...ref, stream: 'other' };
    await s.append(ref, [event(1)]);
    await s.append(other, [event(2)]);
    await s.deleteStream(ref);
    assert.deepEqual(messages(await s.read(ref, { direction: 'forward', from: 'head', limit: 10 })), []);
    assert.deepEqual(messages(await s.read(other, { direction: 'forward', from: 'head', limit: 10 })), ['m2']);
    await s.deleteGroup(ref);
    assert.deepEqual(messages(await s.read(other, { direction: 'forward', from: 'head', limit: 10 })), []);
  });
});
