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
