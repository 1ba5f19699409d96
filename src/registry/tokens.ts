/**
 * Registry credentials, as ECR's GetAuthorizationToken hands them out: docker logs in with
 * user `AWS` and a password bound to the principal that asked for it. The password carries
 * who that is (ARN, kind, user id, account; for temporary credentials the key id and the STS
 * session token, so the session can be reopened and its expiry and role checked), the account
 * and region whose registry it opens, and when it expires — sealed with the registry's secret
 * (AES-256-GCM), so the registry reads it back without storing tokens and nobody can read or
 * alter it. Every push and pull is then authorized as that principal (`access.ts`).
 *
 *   password = base64url( 0x02 | iv (12 bytes) | GCM tag (16 bytes) | ciphertext of JSON claims )
 *
 * The secret is generated once and kept in the store.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Principal } from '../aws/index.ts';
import type { Clock } from '../common/index.ts';
import type { Store } from '../state/index.ts';
import type { RegistryScope } from './records.ts';

/** ECR's default: a token is good for 12 hours. */
export const TOKEN_TTL_MS = 12 * 60 * 60 * 1000;

const SECRET_KEY = 'ecr/token-secret';
const VERSION = 2;
const AAD = Buffer.from('wharf-registry-token');

/** Who a registry token is issued to: enough to authorize them again on every request. */
export interface TokenHolder {
  principal: Principal;
  /** For temporary credentials (an `ASIA…` key): the STS session token the request was signed with. */
  sessionToken?: string;
}

/** What a valid registry password grants: its holder, in the registry of `scope`, until `expiresAt`. */
export interface RegistryGrant extends TokenHolder {
  scope: RegistryScope;
  /** Epoch ms. */
  expiresAt: number;
}

/** The sealed claims (short names keep the password short). */
interface Claims {
  a: string;
  r: string;
  e: number;
  p: Principal;
  t?: string;
}

const KINDS: ReadonlySet<string> = new Set<Principal['kind']>(['root', 'user', 'assumed-role']);

function isPrincipal(p: unknown): p is Principal {
  const x = p as Partial<Principal> | null;
  return typeof x === 'object' && x !== null && typeof x.arn === 'string' && typeof x.account === 'string' && typeof x.userId === 'string'
    && typeof x.kind === 'string' && KINDS.has(x.kind) && (x.accessKeyId === undefined || typeof x.accessKeyId === 'string');
}

/** Issues and checks registry passwords. */
export class RegistryTokens {
  private readonly key: Buffer;

  constructor(secret: Buffer, private readonly clock: Clock) {
    // The sealing key is derived from the stored secret, never the secret itself.
    this.key = createHmac('sha256', secret).update('wharf registry token key v2').digest();
  }

  /** The registry's tokens, with the secret read from the store (made on first use). */
  static async open(store: Store, clock: Clock): Promise<RegistryTokens> {
    const existing = await store.get(SECRET_KEY);
    if (existing) return new RegistryTokens(Buffer.from(existing.value, 'base64'), clock);
    const secret = randomBytes(32).toString('base64');
    const r = await store.txn([{ key: SECRET_KEY, modRevision: 0 }], [{ type: 'put', key: SECRET_KEY, value: secret }]);
    if (r.succeeded) return new RegistryTokens(Buffer.from(secret, 'base64'), clock);
    return RegistryTokens.open(store, clock); // another process made it first
  }

  /** A password for `holder` in the registry of `scope`, valid for `ttlMs`. */
  issue(scope: RegistryScope, holder: TokenHolder, ttlMs = TOKEN_TTL_MS): { password: string; expiresAt: number } {
    const expiresAt = this.clock.now() + ttlMs;
    const { arn, account, userId, kind, accessKeyId } = holder.principal;
    const claims: Claims = {
      a: scope.account, r: scope.region, e: expiresAt,
      p: { arn, account, userId, kind, ...(accessKeyId !== undefined ? { accessKeyId } : {}) },
      ...(holder.sessionToken !== undefined ? { t: holder.sessionToken } : {}),
    };
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(JSON.stringify(claims), 'utf8'), cipher.final()]);
    return { password: Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]).toString('base64url'), expiresAt };
  }

  /** What a password grants, or undefined when it is forged, altered, malformed or expired. */
  verify(password: string): RegistryGrant | undefined {
    const opened = this.open(password);
    return opened === 'expired' ? undefined : opened;
  }

  /**
   * What an HTTP `Authorization: Basic` header grants when it carries user `AWS` and a valid
   * password (docker after `docker login`), or undefined.
   */
  verifyBasic(header: string | undefined): RegistryGrant | undefined {
    const opened = this.openBasic(header);
    return opened === 'expired' ? undefined : opened;
  }

  /** `verifyBasic`, telling an expired password (`'expired'`) from one that is not ours at all (undefined). */
  openBasic(header: string | undefined): RegistryGrant | 'expired' | undefined {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
    if (!m) return undefined;
    const decoded = Buffer.from(m[1], 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon < 0 || decoded.slice(0, colon) !== 'AWS') return undefined;
    return this.open(decoded.slice(colon + 1));
  }

  /** The grant a password carries, `'expired'` past its expiry, undefined when it is forged, altered or malformed. */
  private open(password: string): RegistryGrant | 'expired' | undefined {
    const raw = Buffer.from(password, 'base64url');
    if (raw.length < 1 + 12 + 16 + 2 || raw[0] !== VERSION) return undefined;
    let claims: Partial<Claims>;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(1, 13));
      decipher.setAAD(AAD);
      decipher.setAuthTag(raw.subarray(13, 29));
      claims = JSON.parse(Buffer.concat([decipher.update(raw.subarray(29)), decipher.final()]).toString('utf8')) as Partial<Claims>;
    } catch {
      return undefined;
    }
    if (typeof claims.a !== 'string' || typeof claims.r !== 'string' || typeof claims.e !== 'number' || !isPrincipal(claims.p)) return undefined;
    if (claims.t !== undefined && typeof claims.t !== 'string') return undefined;
    if (claims.e <= this.clock.now()) return 'expired';
    return {
      scope: { account: claims.a, region: claims.r }, expiresAt: claims.e, principal: claims.p,
      ...(claims.t !== undefined ? { sessionToken: claims.t } : {}),
    };
  }
}
