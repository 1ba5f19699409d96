/**
 * Which messages a receive gets: the pure core of ReceiveMessage, over a queue's message states
 * oldest first and the time. A standard queue hands out any visible messages (in a random order,
 * so concurrent consumers rarely race for the same ones); a FIFO queue hands them out in order
 * per message group, and a group with a message in flight (or still delayed) gives nothing more
 * until it is deleted or visible again. A visible message already received `maxReceiveCount`
 * times goes to the dead-letter queue instead; one past its retention period is dropped.
 */
import type { MessageState } from './records.ts';

/** A message's state with its key in the queue. */
export interface KeyedState {
  key: string;
  state: MessageState;
}

/** What to do with the scanned messages. */
export interface Selection {
  deliver: KeyedState[];
  deadLetter: KeyedState[];
  expired: KeyedState[];
}

/** What a receive asks for, and the queue's settings that matter. */
export interface SelectionOptions {
  now: number;
  max: number;
  fifo: boolean;
  retentionMs: number;
  /** The redrive policy's maxReceiveCount (none: no dead-letter queue). */
  maxReceiveCount?: number;
  /** Random numbers in [0, 1), to shuffle a standard queue's candidates. */
  rng: () => number;
}

/**
 * Messages one receive moves to the dead-letter queue, and drops past retention, at most each: a
 * receive is one store transaction, and etcd takes at most 128 operations in one (a move is four).
 * The rest wait for the next receive.
 */
export const MAX_SET_ASIDE = 10;

/** Picks the messages a receive delivers, moves to the dead-letter queue, or drops. */
export function selectMessages(states: readonly KeyedState[], o: SelectionOptions): Selection {
  const out: Selection = { deliver: [], deadLetter: [], expired: [] };
  const blocked = new Set<string>();
  const candidates: KeyedState[] = [];
  for (const m of states) {
    const s = m.state;
    if (o.now >= s.sentAt + o.retentionMs) {
      if (out.expired.length < MAX_SET_ASIDE) out.expired.push(m);
      continue;
    }
    const group = s.groupId ?? '';
    if (s.visibleAt > o.now) {
      if (o.fifo) blocked.add(group);
      continue;
    }
    if (o.fifo && blocked.has(group)) continue;
    if (o.maxReceiveCount !== undefined && s.receiveCount >= o.maxReceiveCount) {
      if (out.deadLetter.length < MAX_SET_ASIDE) out.deadLetter.push(m);
      continue;
    }
    candidates.push(m);
  }
  if (o.fifo) {
    out.deliver = candidates.slice(0, o.max);
  } else {
    // A partial Fisher-Yates: the first `max` of a random permutation.
    const pool = [...candidates];
    const n = Math.min(o.max, pool.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(o.rng() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    out.deliver = pool.slice(0, n);
  }
  return out;
}

/** The approximate counts GetQueueAttributes and the metrics show. */
export interface QueueCounts {
  visible: number;
  notVisible: number;
  delayed: number;
  /** Age in seconds of the oldest message (0 when empty). */
  oldestAgeSeconds: number;
}

/** Counts a queue's messages at `now`. */
export function countMessages(states: readonly MessageState[], now: number): QueueCounts {
  const c: QueueCounts = { visible: 0, notVisible: 0, delayed: 0, oldestAgeSeconds: 0 };
  let oldest = Infinity;
  for (const s of states) {
    if (s.visibleAt <= now) c.visible++;
    else if (s.receiveCount > 0) c.notVisible++;
    else c.delayed++;
    oldest = Math.min(oldest, s.sentAt);
  }
  if (oldest !== Infinity) c.oldestAgeSeconds = Math.max(0, Math.floor((now - oldest) / 1000));
  return c;
}
