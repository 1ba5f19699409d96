/**
 * Registry credentials, as ECR's GetAuthorizationToken hands them out: docker logs in with
 * user `AWS` and a password that names the account and region it is good for and when it
 * expires, signed with the registry's secret (HMAC-SHA256), so the registry checks it without
 * storing tokens. The secret is generated once and kept in the store.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../common/index.ts';
import type { Store } from '../state/index.ts';
import type { RegistryScope } from './records.ts';

/** ECR's default: a token is good for 12 hours. */
export const TOKEN_TTL_MS = 12 * 60 * 60 * 1000;

const SECRET_KEY = 'ecr/token-secret';

/** Issues and checks registry passwords. */
export class RegistryTokens {
  constructor(private readonly secret: Buffer, private readonly clock: Clock) {}

  /** The registry's tokens, with the secret read from the store (made on first use). */
  static async open(store: Store, clock: Clock): Promise<RegistryTokens> {
    const existing = await store.get(SECRET_KEY);
    if (existing) return new RegistryTokens(Buffer.from(existing.value, 'base64'), clock);
    const secret = randomBytes(32).toString('base64');
    const r = await store.txn([{ key: SECRET_KEY, modRevision: 0 }], [{ type: 'put', key: SECRET_KEY, value: secret }]);
    if (r.succeeded) return new RegistryTokens(Buffer.from(secret, 'base64'), clock);
    return RegistryTokens.open(store, clock); // another process made it first
  }

  /** A password for `scope`, valid for `ttlMs`. */
  issue(scope: RegistryScope, ttlMs = TOKEN_TTL_MS): { password: string; expiresAt: number } {
    const expiresAt = this.clock.now() + ttlMs;
    const body = Buffer.from(JSON.stringify({ a: scope.account, r: scope.region, e: expiresAt })).toString('base64url');
    return { password: `${body}.${this.sign(body)}`, expiresAt };
  }

  /** The scope a password is good for, or undefined when it is forged, malformed or expired. */
  verify(password: string): RegistryScope | undefined {
    const [body, mac, extra] = password.split('.');
    if (!body || !mac || extra !== undefined) return undefined;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { a?: unknown; r?: unknown; e?: unknown };
      if (typeof claims.a !== 'string' || typeof claims.r !== 'string' || typeof claims.e !== 'number') return undefined;
      if (claims.e <= this.clock.now()) return undefined;
      return { account: claims.a, region: claims.r };
    } catch {
      return undefined;
    }
  }

  /**
   * The scope of an HTTP `Authorization: Basic` header carrying user `AWS` and a valid
   * password (docker after `docker login`), or undefined.
   */
  verifyBasic(header: string | undefined): RegistryScope | undefined {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
    if (!m) return undefined;
    const decoded = Buffer.from(m[1], 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon < 0 || decoded.slice(0, colon) !== 'AWS') return undefined;
    return this.verify(decoded.slice(colon + 1));
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
