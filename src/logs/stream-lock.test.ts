/**
 * Two replicas (two event stores on one directory, each with its own in-process serialization)
 * appending to the same stream at once, on both store backends: with the store's stream lock
 * every batch is read back whole and in one piece; a lock whose holder died is taken over once
 * stale.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, systemClock } from '../common/index.ts';
import { storeBackends } from '../state/backends.testing.ts';
import { EventStore, type StreamRef } from './event-store.ts';
import { STREAM_LOCKS, storeStreamLock } from './stream-lock.ts';

const ref: StreamRef = { account: '123456789012', region: 'us-east-1', group: '/ecs/web', stream: 'web/app/1' };
const root = mkdtempSync(join(tmpdir(), 'wharf-stream-lock-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

for (const [backend, open] of Object.entries(storeBackends('stream-lock'))) {
  describe(`stream lock on ${backend}`, () => {
    it('two replicas appending to one stream at once: every batch read back whole, each replica\'s in order', async () => {
      const store = await open();
      const dir = join(root, `a${++n}`);
      // Small segments, so the replicas also race to roll over to new ones.
      const replicas = ['r1', 'r2'].map((r) => new EventStore(dir, { segmentBytes: 2048, lock: storeStreamLock(store, systemClock, r) }));
      const batches = 40;
      await Promise.all(replicas.map((s, r) => (async () => {
        for (let b = 0; b < batches; b++) {
          await s.append(ref, Array.from({ length: 5 }, (_, i) => ({ timestamp: 1000 + b, ingestionTime: 1000 + b, message: `r${r}-b${b}-e${i}` })));
        }
      })()));
      const read = await replicas[0]!.read(ref, { direction: 'forward', from: 'head', limit: 10_000 });
      const messages = read.events.map((e) => e.message);
      assert.equal(messages.length, 2 * batches * 5, 'no event lost');
      assert.equal(new Set(messages).size, messages.length, 'none duplicated');
      for (let r = 0; r < 2; r++) {
        const own = messages.filter((m) => m.startsWith(`r${r}-`));
        assert.deepEqual(own, Array.from({ length: batches * 5 }, (_, k) => `r${r}-b${Math.floor(k / 5)}-e${k % 5}`), `replica ${r}'s events in its order`);
      }
      // Each batch stays together: five events of one batch in a row.
      for (let k = 0; k < messages.length; k += 5) assert.equal(new Set(messages.slice(k, k + 5).map((m) => m.replace(/-e\d$/, ''))).size, 1);
      assert.equal((await store.range(STREAM_LOCKS)).kvs.length, 0, 'every lock released');
    });

    it('a lock left by a replica that died is taken over once it is stale, not before', async () => {
      const store = await open();
      const clock = new ManualClock(Date.UTC(2026, 0, 1));
      const dir = join(root, `b${++n}`);
      const s = new EventStore(dir);
      const lock = storeStreamLock(store, clock, 'alive', 30_000);
      // The dead holder: took the lock and never released it.
      let release!: () => void;
      const dead = storeStreamLock(store, clock, 'dead', 30_000)(s.streamDir(ref), () => new Promise<void>((r) => (release = r)));
      await new Promise((r) => setTimeout(r, 50));
      let ran = false;
      const waiting = lock(s.streamDir(ref), async () => {
        ran = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(ran, false, 'held, and not stale yet');
      clock.advance(30_000);
      await waiting;
      assert.equal(ran, true, 'taken over once stale');
      release();
      await dead;
    });
  });
}
