/**
 * Queries per second bounded per source address: a token bucket each, refilled with time from
 * a Clock, so one client (or one spoofed address, over UDP) cannot take the server or turn it
 * into an amplifier. Buckets are bounded in number; the least recently seen goes first.
 */
import type { Clock } from '../../common/index.ts';

/** A limit's settings. */
export interface SourceRateLimitOptions {
  clock: Clock;
  /** Queries per second a source may send on average. */
  perSecond: number;
  /** Queries a source may send at once (default twice `perSecond`). */
  burst?: number;
  /** Sources tracked at most (default 10,000). */
  maxSources?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets by source address. */
export class SourceRateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly clock: Clock;
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly maxSources: number;

  constructor(options: SourceRateLimitOptions) {
    this.clock = options.clock;
    this.perSecond = options.perSecond;
    this.burst = options.burst ?? options.perSecond * 2;
    this.maxSources = options.maxSources ?? 10_000;
  }

  /** Whether a query from `source` may be answered now (taking its token if so). */
  admit(source: string): boolean {
    const now = this.clock.now();
    let bucket = this.buckets.get(source);
    if (bucket) {
      this.buckets.delete(source);
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
      bucket.at = now;
    } else {
      if (this.buckets.size >= this.maxSources) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: this.burst, at: now };
    }
    this.buckets.set(source, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
