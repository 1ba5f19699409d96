/**
 * A small cache of forwarded answers, positive and negative, honouring their TTLs: an entry
 * lives for the least TTL of its answer records, or for a negative answer (NXDOMAIN, or NODATA)
 * the SOA's TTL bounded by its minimum (RFC 2308); served TTLs count down. Truncated answers,
 * failures and negative answers without an SOA are not kept. Bounded in entries (the oldest
 * goes first) and in TTL. Time comes from a Clock.
 */
import { CHECKING_DISABLED, DNSSEC_OK, type Answer, type DecodedPacket, type Packet } from 'dns-packet';
import type { Clock } from '../../common/index.ts';
import { RCODE } from './answer.ts';
import { optOf } from './reply.ts';

/** A cached answer as served: its response code and sections, TTLs counted down. */
export interface CachedAnswer {
  rcode: number;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

/** The cache's bounds. */
export interface AnswerCacheOptions {
  clock: Clock;
  /** Entries kept at most (default 10,000). */
  maxEntries?: number;
  /** The longest a positive answer is kept, in seconds (default 3600). */
  maxTtl?: number;
  /** The longest a negative answer is kept, in seconds (default 300). */
  maxNegativeTtl?: number;
}

interface Entry {
  answer: CachedAnswer;
  storedAt: number;
  expiresAt: number;
}

/** The key of a query: its question (case-insensitive) and the bits that change the answer. */
export function cacheKey(query: Packet): string | undefined {
  const q = query.questions?.[0];
  if (!q || query.questions!.length !== 1) return undefined;
  const opt = optOf(query);
  const dnssec = opt && (opt.flags & DNSSEC_OK) ? 1 : 0;
  const cd = (query.flags ?? 0) & CHECKING_DISABLED ? 1 : 0;
  return `${q.name.toLowerCase()}|${q.type}|${q.class ?? 'IN'}|${dnssec}${cd}`;
}

const ttlOf = (a: Answer): number => ('ttl' in a && typeof a.ttl === 'number' ? a.ttl : 0);
const notOpt = (a: Answer) => a.type !== 'OPT';

/** How long a response may be kept, in seconds (0: not at all). */
export function cacheTtl(response: DecodedPacket, maxTtl: number, maxNegativeTtl: number): number {
  if (response.flag_tc) return 0;
  const rcode = (response.flags ?? 0) & 0xf;
  const answers = (response.answers ?? []).filter(notOpt);
  if (rcode === RCODE.NOERROR && answers.length > 0) return Math.min(maxTtl, ...answers.map(ttlOf));
  if (rcode !== RCODE.NOERROR && rcode !== RCODE.NXDOMAIN) return 0;
  const soa = (response.authorities ?? []).find((a) => a.type === 'SOA');
  if (!soa || soa.type !== 'SOA') return 0;
  return Math.min(maxNegativeTtl, ttlOf(soa), soa.data.minimum ?? ttlOf(soa));
}

/** Forwarded answers by question, while their TTLs last. */
export class AnswerCache {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly maxEntries: number;
  private readonly maxTtl: number;
  private readonly maxNegativeTtl: number;

  constructor(options: AnswerCacheOptions) {
    this.clock = options.clock;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxTtl = options.maxTtl ?? 3600;
    this.maxNegativeTtl = options.maxNegativeTtl ?? 300;
  }

  /** Entries held (expired ones included until they are asked for or pushed out). */
  get size(): number {
    return this.entries.size;
  }

  /** Keeps `response` (to a query with `key`) if it may be kept. */
  put(key: string, response: DecodedPacket): void {
    const ttl = cacheTtl(response, this.maxTtl, this.maxNegativeTtl);
    if (ttl <= 0) return;
    const now = this.clock.now();
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, {
      answer: {
        rcode: (response.flags ?? 0) & 0xf,
        answers: (response.answers ?? []).filter(notOpt),
        authorities: (response.authorities ?? []).filter(notOpt),
        additionals: (response.additionals ?? []).filter(notOpt),
      },
      storedAt: now,
      expiresAt: now + ttl * 1000,
    });
  }

  /** The answer kept for `key`, TTLs reduced by the time it has been kept; `undefined` once expired. */
  get(key: string): CachedAnswer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const now = this.clock.now();
    if (now >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    const elapsed = Math.floor((now - entry.storedAt) / 1000);
    const age = (list: Answer[]) => (elapsed === 0 ? list : list.map((a) => ('ttl' in a ? { ...a, ttl: Math.max(0, (a.ttl ?? 0) - elapsed) } : a) as Answer));
    const { answer } = entry;
    return { rcode: answer.rcode, answers: age(answer.answers), authorities: age(answer.authorities), additionals: age(answer.additionals) };
  }
}
