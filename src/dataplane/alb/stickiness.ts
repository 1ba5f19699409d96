/**
 * Sticky sessions as an Application Load Balancer keeps them, in cookies the load balancer writes
 * and reads back — and a network load balancer's `source_ip` stickiness. Pure but for the key and
 * the random IVs it is given.
 *
 * - Duration-based (`stickiness.type=lb_cookie`): `AWSALB` names the target a client is stuck
 *   to, for `stickiness.lb_cookie.duration_seconds`; `AWSALBCORS` carries the same value with
 *   `SameSite=None; Secure` for cross-origin requests. Either is honoured.
 * - Application-based (`app_cookie`): once the target sets the cookie named in
 *   `stickiness.app_cookie.cookie_name`, the load balancer adds `AWSALBAPP-0`..`AWSALBAPP-3`
 *   (shards of one value holding an entry per target group, each with its own
 *   `stickiness.app_cookie.duration_seconds`); the cookie itself lasts 7 days.
 * - Target group stickiness of a weighted forward (`TargetGroupStickinessConfig`): `AWSALBTG`
 *   and `AWSALBTGCORS` name the group, for the forward's `DurationSeconds`.
 *
 * Values are opaque and sealed: AES-256-GCM under a key of the load balancer's, the cookie's kind
 * as associated data (a group cookie does not open as a target cookie), an expiry inside. A value
 * that does not open, or has expired, is as if absent. What a cookie names is only ever looked up
 * among a group's registered targets: a cookie never carries an address.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The cookies the load balancer writes. */
export const STICKY_COOKIES = {
  target: 'AWSALB', targetCors: 'AWSALBCORS', group: 'AWSALBTG', groupCors: 'AWSALBTGCORS', appPrefix: 'AWSALBAPP-',
} as const;

/** How many `AWSALBAPP-<n>` shards there are, and the most characters each holds. */
const APP_SHARDS = 4;
const SHARD_CHARS = 4000;
/** How long an `AWSALBAPP-<n>` cookie lasts in the browser (not configurable on AWS). */
export const APP_COOKIE_LIFETIME_MS = 7 * 24 * 3600 * 1000;
/** Target groups one application cookie remembers at most (the most recent first). */
const APP_ENTRIES = 8;
const REMOVED = '_remove_';

/** What a sealed value is for: its associated data, so one kind never opens as another. */
export type CookieKind = 'target' | 'group' | 'app';

/** One group's entry in the application cookie: the target and until when the client sticks to it. */
export interface AppEntry {
  group: string;
  target: string;
  until: number;
}

/** Seals and opens the load balancer's cookie values. */
export class CookieSeal {
  private readonly key: Buffer;

  /** `key`: 32 bytes (a random one when absent); `iv`: 12 fresh bytes per value. */
  constructor(key?: Buffer, private readonly iv: () => Buffer = () => randomBytes(12)) {
    this.key = key ?? randomBytes(32);
    if (this.key.length !== 32) throw new Error('a cookie key is 32 bytes');
  }

  /** `fields` (no newlines) valid until `until` (epoch ms), as an opaque cookie-safe value. */
  seal(kind: CookieKind, until: number, fields: readonly string[]): string {
    const iv = this.iv();
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(kind));
    const body = Buffer.concat([cipher.update(`${until}\n${fields.join('\n')}`, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The fields of a value this seal made for `kind`, unless it is forged, altered or past its expiry at `now`. */
  open(kind: CookieKind, value: string | undefined, now: number): string[] | undefined {
    if (!value || value.length < 40 || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
    const raw = Buffer.from(value, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(kind));
      decipher.setAuthTag(raw.subarray(12, 28));
      const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      const [until, ...fields] = text.split('\n');
      return Number(until) >= now ? fields : undefined;
    } catch {
      return undefined;
    }
  }
}

/** The request's cookies by name (the first of a repeated name wins), from its Cookie header(s). */
export function readCookies(headers: readonly string[]): Map<string, string> {
  const jar = new Map<string, string>();
  for (const header of headers) {
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      if (name && !jar.has(name)) jar.set(name, pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
    }
  }
  return jar;
}

/** A cookie's expiry as Set-Cookie writes it (IMF-fixdate). */
const httpDate = (ms: number) => new Date(ms).toUTCString();

/** A cookie and its cross-origin twin, with the same value. */
const pair = (name: string, cors: string, value: string, until: number) => [
  `${name}=${value}; Expires=${httpDate(until)}; Path=/`,
  `${cors}=${value}; Expires=${httpDate(until)}; Path=/; SameSite=None; Secure`,
];

/** The target a duration-based cookie sticks the client to in `group`: its key, or undefined. */
export function stuckTarget(seal: CookieSeal, jar: ReadonlyMap<string, string>, group: string, now: number): string | undefined {
  for (const name of [STICKY_COOKIES.target, STICKY_COOKIES.targetCors]) {
    const fields = seal.open('target', jar.get(name), now);
    if (fields?.[0] === group && fields[1]) return fields[1];
  }
  return undefined;
}

/** `AWSALB` and `AWSALBCORS` sticking the client to `target` of `group` for `durationMs`. */
export function targetCookies(seal: CookieSeal, group: string, target: string, now: number, durationMs: number): string[] {
  const until = now + durationMs;
  return pair(STICKY_COOKIES.target, STICKY_COOKIES.targetCors, seal.seal('target', until, [group, target]), until);
}

/** The group a target group stickiness cookie sticks the client to, when it is one of `groups` with a weight. */
export function stuckGroup(seal: CookieSeal, jar: ReadonlyMap<string, string>, groups: readonly { targetGroupArn: string; weight: number }[], now: number): string | undefined {
  for (const name of [STICKY_COOKIES.group, STICKY_COOKIES.groupCors]) {
    const arn = seal.open('group', jar.get(name), now)?.[0];
    if (arn && groups.some((g) => g.targetGroupArn === arn && g.weight > 0)) return arn;
  }
  return undefined;
}

/** `AWSALBTG` and `AWSALBTGCORS` sticking the client to `group` for `durationMs`. */
export function groupCookies(seal: CookieSeal, group: string, now: number, durationMs: number): string[] {
  const until = now + durationMs;
  return pair(STICKY_COOKIES.group, STICKY_COOKIES.groupCors, seal.seal('group', until, [group]), until);
}

/** The entries of the request's application cookie (its shards joined) that have not expired. */
export function appEntries(seal: CookieSeal, jar: ReadonlyMap<string, string>, now: number): AppEntry[] {
  let value = '';
  for (let n = 0; n < APP_SHARDS; n++) {
    const shard = jar.get(`${STICKY_COOKIES.appPrefix}${n}`);
    if (shard === undefined || shard === REMOVED) break;
    value += shard;
  }
  const fields = seal.open('app', value, now);
  if (!fields) return [];
  const out: AppEntry[] = [];
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const until = Number(fields[i + 2]);
    if (until >= now) out.push({ group: fields[i]!, target: fields[i + 1]!, until });
  }
  return out;
}

/**
 * `AWSALBAPP-0`..`AWSALBAPP-3` holding `entry` and the others still running (another group's
 * entry is kept, the same group's replaced); shards not needed are removed.
 */
export function appCookies(seal: CookieSeal, entry: AppEntry, others: readonly AppEntry[], now: number): string[] {
  const entries = [entry, ...others.filter((e) => e.group !== entry.group && e.until >= now)].slice(0, APP_ENTRIES);
  const until = Math.max(...entries.map((e) => e.until));
  const value = seal.seal('app', until, entries.flatMap((e) => [e.group, e.target, String(e.until)]));
  const expires = httpDate(now + APP_COOKIE_LIFETIME_MS);
  const out: string[] = [];
  for (let n = 0; n < APP_SHARDS; n++) {
    const shard = value.slice(n * SHARD_CHARS, (n + 1) * SHARD_CHARS);
    out.push(shard
      ? `${STICKY_COOKIES.appPrefix}${n}=${shard}; Expires=${expires}; Path=/`
      : `${STICKY_COOKIES.appPrefix}${n}=${REMOVED}; Expires=${httpDate(0)}; Path=/`);
  }
  return out;
}

/** Whether a response's Set-Cookie headers set the cookie `name` (a value, not its removal: no Max-Age of 0, no Expires before `now`). */
export function setsCookie(setCookie: readonly string[] | string | undefined, name: string, now: number): boolean {
  if (setCookie === undefined) return false;
  for (const line of typeof setCookie === 'string' ? [setCookie] : setCookie) {
    const eq = line.indexOf('=');
    if (eq < 0 || line.slice(0, eq).trim() !== name) continue;
    const attributes = line.slice(eq + 1).toLowerCase();
    if (/;\s*max-age=\s*(0|-\d+)\s*(;|$)/.test(attributes)) continue;
    const expires = /;\s*expires=([^;]+)/.exec(attributes)?.[1];
    if (expires && Date.parse(expires) < now) continue;
    return true;
  }
  return false;
}

/** 32-bit FNV-1a of a string, mixed at the end so that strings differing in their last characters score far apart. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * An NLB's `source_ip` stickiness: the target for flows from `sourceIp`, the same every time while
 * it stays among `candidates` (rendezvous hashing: when a target leaves, only its clients move).
 */
export function bySourceIp<T extends { key: string }>(candidates: readonly T[], sourceIp: string): T | undefined {
  let best: T | undefined;
  let bestScore = -1;
  for (const t of candidates) {
    const score = hash(`${sourceIp}|${t.key}`);
    if (score > bestScore) {
      best = t;
      bestScore = score;
    }
  }
  return best;
}
