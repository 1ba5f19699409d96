/**
 * Typed arrays lent to one placement at a time. Allocating a dozen 10,000-element typed
 * arrays per request costs more than the placement itself (their memory lives outside the
 * JS heap), so a call borrows them here and gives them back when it returns. A call made
 * while another is running (only possible from inside a caller's `rng`) gets fresh arrays.
 * Nothing placement returns refers to them.
 */
export class Scratch {
  private readonly f64: Float64Array[] = [];
  private readonly i32: Int32Array[] = [];
  private nextF64 = 0;
  private nextI32 = 0;

  /** `n` doubles, not zeroed. */
  float64(n: number): Float64Array {
    let a = this.f64[this.nextF64];
    if (a === undefined || a.length < n) a = this.f64[this.nextF64] = new Float64Array(n);
    this.nextF64++;
    return a.length === n ? a : a.subarray(0, n);
  }

  /** `n` 32-bit integers, not zeroed. */
  int32(n: number): Int32Array {
    let a = this.i32[this.nextI32];
    if (a === undefined || a.length < n) a = this.i32[this.nextI32] = new Int32Array(n);
    this.nextI32++;
    return a.length === n ? a : a.subarray(0, n);
  }

  private busy = false;
  private static readonly shared = new Scratch();

  /** Runs `f` with the shared scratch arrays, or fresh ones when they are in use. */
  static with<T>(f: (scratch: Scratch) => T): T {
    const shared = Scratch.shared;
    if (shared.busy) return f(new Scratch());
    shared.busy = true;
    shared.nextF64 = shared.nextI32 = 0;
    try {
      return f(shared);
    } finally {
      shared.busy = false;
    }
  }
}
