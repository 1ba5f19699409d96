/**
 * The platform's ports to identity: how the endpoint learns who signed a request (the secret
 * for an access key) and whether that principal may do what it asks. `src/identity/` implements
 * them over IAM's records and the policy engine; the endpoint knows nothing of IAM itself.
 */
import type { AuthorizationRequest, ConditionValues, Principal } from './operation.ts';

/** An access key the endpoint can verify a signature with. */
export interface SigningKey {
  accessKeyId: string;
  secretAccessKey: string;
  principal: Principal;
  /** Temporary credentials end here (epoch ms); requests after it get ExpiredToken. */
  expiresAt?: number;
}

/** What looking up an access key found. */
export type KeyLookup =
  | { status: 'found'; key: SigningKey }
  /** No such key (InvalidClientTokenId / UnrecognizedClientException). */
  | { status: 'unknown' }
  /** A temporary key whose session token is missing, malformed or not this key's (InvalidClientTokenId). */
  | { status: 'invalid-token' }
  /** A temporary key past its expiry (ExpiredToken). */
  | { status: 'expired' }
  /** A key that exists but is Inactive (InvalidClientTokenId, as AWS answers). */
  | { status: 'inactive' };

/** IAM's answer to one request. */
export type AuthorizationDecision =
  | { allowed: true }
  /** `message` is AWS's: "User: arn:… is not authorized to perform: ecs:RunTask on resource: arn:… because …". */
  | { allowed: false; message: string };

/** Identity as the endpoint uses it. */
export interface Authority {
  /** The key a request was signed with: its secret and principal. `sessionToken` is the request's X-Amz-Security-Token. */
  findSigningKey(accessKeyId: string, sessionToken: string | undefined, now: number): Promise<KeyLookup>;
  /**
   * Whether `principal` may make `request`. `globals` are the request-wide condition keys the
   * endpoint knows (aws:SourceIp, aws:CurrentTime, aws:SecureTransport, aws:RequestedRegion, ...).
   */
  authorize(principal: Principal, request: AuthorizationRequest, globals: ConditionValues): Promise<AuthorizationDecision>;
}
