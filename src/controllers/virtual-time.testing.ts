/**
 * TEST HARNESS, not production code: a clock and timers that move only when a test says so.
 * `advance(ms)` walks through the timers due on the way in time order, setting the clock to
 * each one's time before calling it and letting the work it starts settle, so a controller's
 * periodic passes happen at the virtual times they would on the wall clock.
 */
import type { Clock } from '../common/index.ts';
import type { Timers } from './timers.ts';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

/** A ManualClock's `now()` with `Timers` that fire as it is advanced. */
export class VirtualTime implements Clock, Timers {
  private ms: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.ms = start;
  }

  now(): number {
    return this.ms;
  }

  after(ms: number, fn: () => void): () => void {
    const timer: Pending = { at: this.ms + Math.max(0, ms), seq: this.seq++, fn };
    this.pending.push(timer);
    return () => {
      this.pending = this.pending.filter((p) => p !== timer);
    };
  }

  /** How many timers are waiting. */
  get timers(): number {
    return this.pending.length;
  }

  /**
   * Moves the clock `ms` forward, firing every timer due on the way (and those they schedule)
   * in order; after each, `settle` (default: a few turns of the event loop) lets its work finish.
   */
  async advance(ms: number, settle: () => Promise<void> = turns): Promise<void> {
    const end = this.ms + ms;
    for (;;) {
      this.pending.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.pending[0];
      if (!next || next.at > end) break;
      this.pending.shift();
      this.ms = next.at;
      next.fn();
      await settle();
    }
    this.ms = end;
  }
}

/** Lets pending promise chains and setImmediate callbacks run. */
async function turns(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
