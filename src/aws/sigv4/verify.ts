/**
 * Verifies an AWS Signature Version 4 request: the `Authorization` header form the SDKs and
 * the CLI send, and presigned URLs. The checks run in AWS's order — the signature's shape, its
 * time, its scope, the access key, the signature itself, then the payload hash — and each
 * refusal is a SignatureError whose kind the endpoint maps to the protocol's error code
 * (`signatureErrorCode`).
 */
import { timingSafeEqual } from 'node:crypto';
import type { KeyLookup, SigningKey } from '../auth.ts';
import type { WireRequest } from '../protocol/types.ts';
import { expectedSignature } from './canonical.ts';
import { SignatureError, SignatureMessages } from './errors.ts';
import { longDateOf, readSignedParts, type SignedParts } from './parse.ts';
import type { CredentialScope } from './scope.ts';
import { sha256Hex } from '../../common/index.ts';

/** AWS's allowed clock skew between a client and the service. */
export const DEFAULT_MAX_SKEW_MS = 15 * 60_000;

/** How identity answers "what is the secret of this access key" (see `Authority.findSigningKey`). */
export type SigningKeyLookup = (accessKeyId: string, sessionToken: string | undefined) => Promise<KeyLookup>;

/** What the verifier needs besides the request. */
export interface VerifyOptions {
  /** The current time (epoch ms), from the endpoint's clock. */
  now: number;
  /** The signing name the API expects (`ecs`, `sts`, ...); when given the scope must name it. */
  service?: string;
  /** How far the request's date may be from `now`, either way (15 minutes). */
  maxSkewMs?: number;
  /** False for S3, whose canonical path is the path as sent; every other service encodes it again. */
  uriEscapePath?: boolean;
}

/** A request whose signature checked out: who signed it and for what scope. */
export interface VerifiedRequest {
  /** The key that signed: its principal is who the request is from. */
  key: SigningKey;
  /** The credential scope; the endpoint validates its region. */
  scope: CredentialScope;
  /** Signed in the query of a presigned URL rather than in the Authorization header. */
  presigned: boolean;
  /** When the client signed (epoch ms). */
  signedAt: number;
  sessionToken?: string;
}

const CONTENT_SHA256 = 'x-amz-content-sha256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/** "15 min" or "90 sec", as AWS words a window. */
function window(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} sec`;
}

function checkTime(parts: SignedParts, now: number, skew: number): void {
  if (parts.signedAt > now + skew) {
    throw new SignatureError('RequestExpired',
      `Signature not yet current: ${parts.longDate} is still later than ${longDateOf(now + skew)} (${longDateOf(now)} + ${window(skew)}.)`);
  }
  if (parts.presigned) {
    if (now > parts.signedAt + parts.expiresIn! * 1000) throw new SignatureError('PresignedUrlExpired', SignatureMessages.presignedExpired);
    return;
  }
  if (parts.signedAt < now - skew) {
    throw new SignatureError('RequestExpired',
      `Signature expired: ${parts.longDate} is now earlier than ${longDateOf(now - skew)} (${longDateOf(now)} - ${window(skew)}.)`);
  }
}

/** Host must be signed; the scope must name the expected service, AWS's terminator and the request's day. */
function checkScope(parts: SignedParts, service: string | undefined): void {
  if (!parts.signedHeaders.includes('host')) throw new SignatureError('SignatureDoesNotMatch', SignatureMessages.hostNotSigned);
  let problems = '';
  if (service !== undefined && parts.service !== service) problems += `Credential should be scoped to correct service: '${service}'. `;
  if (parts.terminator !== 'aws4_request') {
    problems += `Credential should be scoped with a valid terminator: 'aws4_request', not '${parts.terminator}'. `;
  }
  const day = parts.longDate.slice(0, 8);
  if (parts.scopeDate !== day) {
    problems += `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parts.scopeDate}' != '${day}', from '${parts.longDate}'. `;
  }
  if (problems) throw new SignatureError('SignatureDoesNotMatch', problems);
}

/** The payload hash the client declared (header, or a presigned URL's query), if any. */
function declaredPayloadHash(request: WireRequest, presigned: boolean): string | undefined {
  if (!presigned) return request.headers[CONTENT_SHA256];
  for (const [name, value] of request.query) if (name.toLowerCase() === CONTENT_SHA256) return value;
  return undefined;
}

function checkPayloadHashShape(declared: string | undefined): void {
  if (declared === undefined || declared === UNSIGNED_PAYLOAD || HEX_SHA256.test(declared)) return;
  // Streaming (aws-chunked) payloads would need their chunk signatures checked: not accepted.
  throw new SignatureError('IncompleteSignature',
    `x-amz-content-sha256 must be ${UNSIGNED_PAYLOAD} or the hex SHA-256 of the payload, not '${declared}'.`);
}

function signingKeyOf(found: KeyLookup, now: number): SigningKey {
  switch (found.status) {
    case 'found':
      if (found.key.expiresAt !== undefined && now >= found.key.expiresAt) {
        throw new SignatureError('ExpiredToken', SignatureMessages.expiredToken);
      }
      return found.key;
    case 'expired':
      throw new SignatureError('ExpiredToken', SignatureMessages.expiredToken);
    case 'invalid-token':
      throw new SignatureError('InvalidToken', SignatureMessages.invalidToken);
    case 'unknown':
    case 'inactive':
      throw new SignatureError('InvalidClientTokenId', SignatureMessages.unknownKey);
  }
}

/** Compares in time that depends only on the lengths, never on where the strings differ. */
function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(provided, 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Verifies `request`'s SigV4 signature with the secret `lookup` finds for its access key.
 * Resolves to the signing key and scope; rejects with a SignatureError (never anything else
 * for a bad request) whose kind says which AWS error to answer.
 */
export async function verifyRequest(request: WireRequest, lookup: SigningKeyLookup, options: VerifyOptions): Promise<VerifiedRequest> {
  const { now } = options;
  const parts = readSignedParts(request);
  checkTime(parts, now, options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS);
  checkScope(parts, options.service);
  const declared = declaredPayloadHash(request, parts.presigned);
  checkPayloadHashShape(declared);

  const key = signingKeyOf(await lookup(parts.accessKeyId, parts.sessionToken), now);
  const expected = await expectedSignature({
    method: request.method,
    path: request.path,
    query: request.query,
    headers: request.headers,
    body: request.body,
    presigned: parts.presigned,
    signedHeaders: parts.signedHeaders,
    // The signer drops `date`; a request that signed one is rebuilt with its headers as sent.
    signedDateHeader: !parts.presigned && parts.signedHeaders.includes('date'),
    signedAt: parts.signedAt,
    longDate: parts.longDate,
    region: parts.region,
    service: parts.service,
    accessKeyId: parts.accessKeyId,
    secretAccessKey: key.secretAccessKey,
    expiresIn: parts.expiresIn,
    uriEscapePath: options.uriEscapePath ?? true,
  });
  if (!sameSignature(expected, parts.signature)) throw new SignatureError('SignatureDoesNotMatch', SignatureMessages.mismatch);

  // The signature covers the declared hash; the body must be what it declares.
  if (declared !== undefined && declared !== UNSIGNED_PAYLOAD && sha256Hex(request.body) !== declared.toLowerCase()) {
    throw new SignatureError('ContentSha256Mismatch', SignatureMessages.contentSha256);
  }
  return {
    key,
    scope: { accessKeyId: parts.accessKeyId, date: parts.scopeDate, region: parts.region, service: parts.service },
    presigned: parts.presigned,
    signedAt: parts.signedAt,
    sessionToken: parts.sessionToken,
  };
}
