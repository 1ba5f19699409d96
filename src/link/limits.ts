/**
 * The agent link's limits on how fast and how much: token buckets for upgrades per source
 * address and messages per connection, and the numbers the control plane uses. Pure given the
 * clock it is handed (`now` in, no timers).
 *
 *   upgrade from A ──▶ buckets[A].take()? ── no ──▶ 429
 *   message on link ──▶ link.bucket.take()? ── no ──▶ socket paused until a token is due
 */
import type { UpgradeRefusal } from './handshake.ts';

/** How fast and how much the agent link takes (see `DEFAULT_LINK_LIMITS` for the reasons). */
export interface LinkLimits {
  /** WebSocket upgrades one source address may make: a burst, then so many a second. */
  upgradeBurst: number;
  upgradesPerSecond: number;
  /** Links open at once from one source address. */
  linksPerAddress: number;
  /** Messages one link may send: a burst, then so many a second (beyond it the socket is paused, not closed). */
  messageBurst: number;
  messagesPerSecond: number;
  /** Reports of one link waiting for their commit, and their size; beyond either the socket is paused until they are applied. */
  queuedReportsPerLink: number;
  queuedReportBytesPerLink: number;
  /** Size of all links' reports waiting for their commit; beyond it every link that sends one is paused. */
  queuedReportBytes: number;
  /** A link that has not said hello within this is closed. */
  helloTimeoutMs: number;
}

/**
 * The defaults. A real host has one address and one agent, which reconnects at most every
 * 0.5–5 s (its backoff), so 10 upgrades a second after a burst of 60 leaves room for dozens of
 * hosts behind one NAT coming back after a control-plane restart, and caps a flood from one
 * address at 10 registrations a second — a few ms of work, so the API keeps answering.
 * An agent's burst of messages is its re-sync after registering: one report per task it knows,
 * stopped tasks included until they are cleaned up, so 2,000 at once and 200 a second after.
 * Reports wait in memory for their commit: a report is ~1 KiB (at most the 256 KiB message
 * limit), so 1,000 or 4 MiB per link and 64 MiB in all bound that memory whatever links send.
 */
export const DEFAULT_LINK_LIMITS: LinkLimits = {
  upgradeBurst: 60,
  upgradesPerSecond: 10,
  linksPerAddress: 1024,
  messageBurst: 2000,
  messagesPerSecond: 200,
  queuedReportsPerLink: 1000,
  queuedReportBytesPerLink: 4 * 1024 * 1024,
  queuedReportBytes: 64 * 1024 * 1024,
  helloTimeoutMs: 10_000,
};

/** A token bucket: `burst` tokens, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(private readonly burst: number, private readonly perSecond: number, now: number) {
    this.tokens = burst;
    this.at = now;
  }

  /** Takes a token if one is there. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token (0 when one is there). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  /** True once the bucket is full again (it can be forgotten). */
  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.at) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perSecond);
    this.at = now;
  }
}

/**
 * The source a limit counts by: an IPv4 address, or the /64 of an IPv6 one (one host's share
 * of a network; a host can use any address of its /64).
 */
export function sourceOf(remoteAddress: string | undefined): string {
  const address = remoteAddress ?? '';
  if (address.startsWith('::ffff:')) return address.slice(7);
  if (!address.includes(':')) return address;
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** Upgrades and open links per source address. */
export class AddressLimiter {
  private readonly upgrades = new Map<string, TokenBucket>();
  private readonly open = new Map<string, number>();

  constructor(private readonly limits: LinkLimits) {}

  /** Why an upgrade from `source` is refused now (HTTP 429), or undefined when it may go ahead. */
  refuse(source: string, now: number): UpgradeRefusal | undefined {
    const tooMany = (message: string, retryAfterS: number): UpgradeRefusal => ({ status: 429, code: 'ThrottlingException', message, retryAfterS });
    if ((this.open.get(source) ?? 0) >= this.limits.linksPerAddress) {
      return tooMany(`Too many agent links from ${source} (at most ${this.limits.linksPerAddress}).`, 5);
    }
    let bucket = this.upgrades.get(source);
    if (!bucket) this.upgrades.set(source, (bucket = new TokenBucket(this.limits.upgradeBurst, this.limits.upgradesPerSecond, now)));
    if (bucket.take(now)) return undefined;
    return tooMany(`Too many agent link upgrades from ${source}; slow down.`, Math.max(1, Math.ceil(bucket.waitMs(now) / 1000)));
  }

  /** A link from `source` opened (+1) or closed (-1). */
  count(source: string, by: 1 | -1): void {
    const n = (this.open.get(source) ?? 0) + by;
    if (n > 0) this.open.set(source, n);
    else this.open.delete(source);
  }

  /** Forgets sources whose buckets are full again, so the table does not grow with every address seen. */
  sweep(now: number): void {
    for (const [source, bucket] of this.upgrades) if (bucket.full(now)) this.upgrades.delete(source);
  }
}
