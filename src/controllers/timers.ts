/**
 * Time as a port for controllers' timers: a controller asks `timers.after(ms, fn)` rather than
 * calling `setTimeout`, so its passes run on a virtual clock in tests (`VirtualTime`, in
 * `virtual-time.testing.ts`) exactly as they do on the wall clock in the control plane.
 */

/** Schedules callbacks; what a controller's periodic passes run on. */
export interface Timers {
  /** Calls `fn` once, `ms` from now; returns the function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** Node's timers, unref'd so a pending pass never keeps the process alive. */
export const realTimers: Timers = {
  after(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref();
    return () => clearTimeout(timer);
  },
};
