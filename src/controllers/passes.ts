/**
 * Passes that never overlap — what every periodic controller needs: a pass asked for while one
 * runs starts once that one has ended, however it ended.
 */
export class SerialPasses<T> {
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly pass: () => Promise<T>) {}

  /** One pass, after any pass in progress. */
  run(): Promise<T> {
    const next = this.last.catch(() => undefined).then(() => this.pass());
    this.last = next;
    return next;
  }

  /** Resolves once the pass in progress (if any) is done. */
  async idle(): Promise<void> {
    await this.last.catch(() => undefined);
  }
}

/**
 * Passes asked for by changes and timers, as the leader's periodic controllers run them: a
 * kick while one is already queued adds nothing; after `close`, kicks do nothing.
 */
export class KickedPasses {
  private readonly passes: SerialPasses<void>;
  private queued = false;
  closed = false;

  constructor(pass: () => Promise<void>, private readonly onError: (error: unknown) => void) {
    this.passes = new SerialPasses(pass);
  }

  /** Asks for a pass once the one in progress (if any) is done. */
  kick(): void {
    if (this.closed || this.queued) return;
    this.queued = true;
    void this.passes.idle().then(() => {
      this.queued = false;
      return this.passes.run();
    }).catch(this.onError);
  }

  /** One pass now (after any in progress). */
  run(): Promise<void> {
    return this.passes.run();
  }

  /** Resolves when no pass is running or queued. */
  async idle(): Promise<void> {
    while (this.queued) await this.passes.idle().then(() => new Promise((r) => setImmediate(r)));
    await this.passes.idle();
  }

  /** No more kicks; resolves once a pass in progress is done. */
  async close(): Promise<void> {
    this.closed = true;
    await this.passes.idle();
  }
}
