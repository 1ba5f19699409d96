/**
 * STS sessions without a store write per session: the session token *is* the session. It is
 * the AES-256-GCM sealing of everything the session carries (its key id and secret, who it is,
 * its role, expiry, session policies and tags), under a key created once and kept in the store.
 * Looking a session up opens the token, checks it belongs to the key id the request was signed
 * with, and checks its expiry; a token altered by one bit does not open.
 *
 *   token = base64( 0x01 | iv (12 bytes) | GCM tag (16 bytes) | ciphertext of JSON claims )
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { Clock, Ids } from '../common/index.ts';
import { transact, type Store } from '../state/index.ts';
import { iamKeys, type TokenKeyRecord } from './records.ts';

/** Everything a session carries, sealed in its token. */
export interface SessionClaims {
  /** The temporary key id (`ASIA…`) the token belongs to. */
  accessKeyId: string;
  secretAccessKey: string;
  account: string;
  /** A role session (AssumeRole), or a user's or the root's session (GetSessionToken). */
  kind: 'assumed-role' | 'user' | 'root';
  /** The session's principal ARN: the assumed-role ARN, or the user's or root's own. */
  arn: string;
  /** `AROA…:<session>` for a role session; the user's id or the account id otherwise. */
  userId: string;
  /** For a role session: the role. */
  role?: { arn: string; id: string; name: string; sessionName: string };
  /** For a user's session: the user. */
  user?: { name: string; id: string };
  /** Epoch ms. */
  issuedAt: number;
  /** Epoch ms. */
  expiresAt: number;
  /** The inline session policy passed to AssumeRole. */
  policy?: string;
  /** The managed session policies passed to AssumeRole. */
  policyArns?: string[];
  /** Session tags (transitive ones from the calling session included). */
  tags?: Record<string, string>;
  transitiveTagKeys?: string[];
  sourceIdentity?: string;
  /** Assumed with a role session's credentials (role chaining: sessions of at most an hour). */
  chained?: boolean;
}

const VERSION = 1;
const AAD = Buffer.from('wharf-sts-session');

/** Seals and opens session tokens with the account-independent token key. */
export class SessionTokens {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('The STS token key must be 32 bytes.');
  }

  /** The token for `claims`; `ids` gives the nonce. */
  seal(claims: SessionClaims, ids: Ids): string {
    const iv = Buffer.from(ids.hex32(), 'hex').subarray(0, 12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(JSON.stringify(claims), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The claims a token carries, or undefined for a token that is not one of ours, unaltered. */
  open(token: string): SessionClaims | undefined {
    const raw = Buffer.from(token, 'base64');
    if (raw.length < 1 + 12 + 16 + 2 || raw[0] !== VERSION) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(1, 13));
      decipher.setAAD(AAD);
      decipher.setAuthTag(raw.subarray(13, 29));
      const text = Buffer.concat([decipher.update(raw.subarray(29)), decipher.final()]).toString('utf8');
      const claims = JSON.parse(text) as SessionClaims;
      return typeof claims.accessKeyId === 'string' && typeof claims.expiresAt === 'number' ? claims : undefined;
    } catch {
      return undefined;
    }
  }
}

/** The outcome of checking a session token against the key id a request was signed with. */
export type SessionCheck =
  | { status: 'valid'; claims: SessionClaims }
  | { status: 'invalid-token' }
  | { status: 'expired' };

/** Opens `token` for `accessKeyId` at `now`: it must be ours, be that key's, and not have expired. */
export function checkSession(tokens: SessionTokens, accessKeyId: string, token: string | undefined, now: number): SessionCheck {
  if (!token) return { status: 'invalid-token' };
  const claims = tokens.open(token);
  if (!claims || claims.accessKeyId !== accessKeyId) return { status: 'invalid-token' };
  if (now >= claims.expiresAt) return { status: 'expired' };
  return { status: 'valid', claims };
}

/** Loads the token key, creating it the first time (one key for the whole store: sessions are global). */
export async function loadSessionTokens(store: Store, ids: Ids, clock: Clock): Promise<SessionTokens> {
  const record = await transact(store, async (tx) => {
    const existing = await tx.get<TokenKeyRecord>(iamKeys.tokenKey);
    if (existing) return existing;
    const key = Buffer.concat([Buffer.from(ids.hex32(), 'hex'), Buffer.from(ids.hex32(), 'hex')]).toString('base64');
    const created: TokenKeyRecord = { key, createdAt: clock.now() };
    tx.put(iamKeys.tokenKey, created);
    return created;
  });
  return new SessionTokens(Buffer.from(record.key, 'base64'));
}
