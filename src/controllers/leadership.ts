/**
 * Runs the controllers only while this process leads (DESIGN.md rule 2). Campaign, start the
 * controllers on the term's fenced store, wait for the term to end, stop them, campaign again.
 * Work a deposed leader began and did not commit is refused by the fence and redone by the
 * next leader: the controllers are level-triggered.
 */
import type { Election, Store } from '../state/index.ts';

/** Starts the controllers on a term's store; answers how to stop them. */
export type StartControllers = (store: Store) => Promise<() => Promise<void>>;

/** What a replica knows of its leadership. */
export interface Leadership {
  /** True while this process leads and its controllers run. */
  readonly leading: boolean;
  /** Stops the controllers (if running) and leaves the election. */
  close(): Promise<void>;
}

/** Runs `start`'s controllers whenever `election` makes this process leader. */
export function runWhileLeader(election: Election, start: StartControllers, log: (message: string) => void): Leadership {
  let leading = false;
  let closed = false;
  const loop = (async () => {
    while (!closed) {
      let term;
      try {
        term = await election.campaign();
      } catch (error) {
        if (!closed) log(`leader election: ${String(error)}`);
        return;
      }
      if (closed) return;
      log(`${term.leader} leads: controllers starting`);
      let stop: (() => Promise<void>) | undefined;
      try {
        stop = await start(term.store);
        leading = true;
        await term.ended;
      } catch (error) {
        // Could not start (the store blinked): give the term up, so leading is never idle.
        log(`controllers: ${String(error)}`);
        await term.resign();
        await new Promise((resolve) => setTimeout(resolve, 1000));
      } finally {
        leading = false;
        await stop?.().catch((error: unknown) => log(`controllers stopping: ${String(error)}`));
        if (!closed) log(`${term.leader} no longer leads: controllers stopped`);
      }
    }
  })();
  return {
    get leading() {
      return leading;
    },
    async close() {
      closed = true;
      await election.close();
      await loop;
    },
  };
}
