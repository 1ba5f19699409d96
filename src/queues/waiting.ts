/**
 * Long polling: a receive that found nothing waits until a send to its queue in this process
 * wakes it, or a poll interval passes (messages becoming visible again, sends through another
 * replica), or its wait time ends.
 */
import type { QueuesEnv } from './queues.ts';
import type { Scope } from './records.ts';
import { receiveOnce, type ReceivedMessage } from './messages.ts';

/** Wakes the receives waiting on a queue when a message is sent to it. */
export class QueueSignals {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Wakes every receive waiting on the queue. */
  notify(scope: Scope, name: string): void {
    const set = this.waiters.get(`${scope.account}/${scope.region}/${name}`);
    if (set) for (const wake of [...set]) wake();
  }

  /** Resolves when notified or after `ms` or when `signal` aborts. */
  wait(scope: Scope, name: string, ms: number, signal?: AbortSignal): Promise<void> {
    const id = `${scope.account}/${scope.region}/${name}`;
    return new Promise((resolve) => {
      let set = this.waiters.get(id);
      if (!set) this.waiters.set(id, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        set!.delete(done);
        if (set!.size === 0 && this.waiters.get(id) === set) this.waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done);
      set.add(done);
    });
  }
}

/** How often a waiting receive looks again without being woken. */
const POLL_MS = 1000;

/** ReceiveMessage: receives at once, or waits up to `waitSeconds` for a message. */
export async function receiveMessages(
  env: QueuesEnv, signals: QueueSignals, scope: Scope, name: string,
  o: { max: number; visibilityTimeout?: number; waitSeconds: number; signal?: AbortSignal },
): Promise<ReceivedMessage[]> {
  const deadline = env.clock.now() + o.waitSeconds * 1000;
  for (;;) {
    const got = await receiveOnce(env, scope, name, o.max, o.visibilityTimeout);
    const left = deadline - env.clock.now();
    if (got.length || left <= 0 || o.signal?.aborted) return got;
    await signals.wait(scope, name, Math.min(left, POLL_MS), o.signal);
  }
}
