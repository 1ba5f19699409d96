/**
 * The signature a request should carry, computed by `@smithy/signature-v4` — the signer the AWS
 * SDKs use — so Wharf never writes the canonical request or the key derivation itself.
 *
 * The signer is made for clients: it adds headers (x-amz-date, x-amz-security-token,
 * x-amz-content-sha256), skips others (user-agent, …), hoists x-amz-* headers into presigned
 * queries and drops `date`. To reproduce what the client signed, it is handed a request that
 * holds exactly the headers the client listed in SignedHeaders, and told:
 *   - `signableHeaders`: every listed header, so one it would skip (user-agent) still counts;
 *   - `unsignableHeaders`: x-amz-date when the client did not list it (the signer always sets
 *     it), and an unlisted x-amz-content-sha256 that is there only to give the payload hash;
 *   - `unhoistableHeaders` (presign): the listed x-amz-* headers, which stay headers;
 *   - credentials without a session token, so it adds none: a signed token header, or the
 *     X-Amz-Security-Token query parameter, is already in the request as the client sent it;
 *   - `applyChecksum: false`, so it adds no x-amz-content-sha256 of its own.
 * A request that signed a `date` header (and no x-amz-date) cannot pass through `sign()`, which
 * deletes `date`; for it the same signer's canonical-request and string-to-sign steps run on the
 * listed headers as they are.
 */
import {
  ALGORITHM_IDENTIFIER,
  createScope,
  getCanonicalHeaders,
  getPayloadHash,
  SignatureV4,
} from '@smithy/signature-v4';
import { NodeSha256 } from '../../common/index.ts';

/** The request shape the signer takes (the SDKs' HttpRequest). */
type SignableRequest = Parameters<SignatureV4['presign']>[0];
type Query = SignableRequest['query'];

const CONTENT_SHA256 = 'x-amz-content-sha256';
const AMZ_DATE = 'x-amz-date';

/** Everything the expected signature depends on. */
export interface SignatureInputs {
  method: string;
  /** The raw path, as sent. */
  path: string;
  query: URLSearchParams;
  /** Lowercased names. */
  headers: Record<string, string | undefined>;
  body: Uint8Array;
  presigned: boolean;
  /** Lowercased, as listed by the client. */
  signedHeaders: readonly string[];
  /** Whether the client's timestamp is a signed `date` header rather than x-amz-date. */
  signedDateHeader: boolean;
  signedAt: number;
  longDate: string;
  region: string;
  service: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Presigned only. */
  expiresIn?: number;
  /** False for S3's single-encoded paths; every other service double-encodes. */
  uriEscapePath: boolean;
}

/** A signer whose canonical-request steps can run without `sign()`'s header rewriting. */
class ExactSigner extends SignatureV4 {
  /** The signature over `request` with exactly its own headers, for a signed `date` header. */
  async signWithHeadersAsSent(request: SignableRequest, inputs: SignatureInputs): Promise<string> {
    const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(inputs.signedHeaders));
    const payloadHash = await getPayloadHash(request, NodeSha256);
    const canonicalRequest = this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
    const scope = createScope(inputs.longDate.slice(0, 8), inputs.region, inputs.service);
    const stringToSign = await this.createStringToSign(inputs.longDate, scope, canonicalRequest, ALGORITHM_IDENTIFIER);
    return this.sign(stringToSign, { signingDate: new Date(inputs.signedAt), signingRegion: inputs.region, signingService: inputs.service });
  }
}

function queryBag(query: URLSearchParams, skip: (name: string) => boolean): Query {
  const bag: Record<string, string | string[]> = {};
  for (const [name, value] of query) {
    if (skip(name)) continue;
    const prior = bag[name];
    if (prior === undefined) bag[name] = value;
    else if (Array.isArray(prior)) prior.push(value);
    else bag[name] = [prior, value];
  }
  return bag;
}

function hostnameOf(host: string | undefined): string {
  return (host ?? '').replace(/:\d+$/, '');
}

/**
 * The signature (lowercase hex) the client should have sent, had it signed this request with
 * `secretAccessKey` at `signedAt` for `region` and `service`.
 */
export async function expectedSignature(inputs: SignatureInputs): Promise<string> {
  const signed = new Set(inputs.signedHeaders);
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = inputs.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const unsignable = new Set<string>();
  if (!signed.has(AMZ_DATE)) unsignable.add(AMZ_DATE);
  const contentSha256 = inputs.headers[CONTENT_SHA256];
  if (!inputs.presigned && contentSha256 !== undefined && !signed.has(CONTENT_SHA256)) {
    // The hashed payload line is this header's value whether or not it was signed.
    headers[CONTENT_SHA256] = contentSha256;
    unsignable.add(CONTENT_SHA256);
  }

  let query: Query;
  if (inputs.presigned) {
    // A presigned payload hash travels as a query parameter (S3); the signer reads it from a
    // header of the same spelling, which it hoists back into the query where it was.
    const payloadParam = [...inputs.query.keys()].find((name) => name.toLowerCase() === CONTENT_SHA256);
    query = queryBag(inputs.query, (name) => name === 'X-Amz-Signature' || name === payloadParam);
    if (payloadParam !== undefined) headers[payloadParam] = inputs.query.get(payloadParam)!;
  } else {
    query = queryBag(inputs.query, () => false);
  }

  const request: SignableRequest = {
    method: inputs.method,
    protocol: 'https:',
    hostname: hostnameOf(inputs.headers.host),
    path: inputs.path,
    query,
    headers,
    body: inputs.body,
  };
  const signer = new ExactSigner({
    service: inputs.service,
    region: inputs.region,
    credentials: { accessKeyId: inputs.accessKeyId, secretAccessKey: inputs.secretAccessKey },
    sha256: NodeSha256,
    uriEscapePath: inputs.uriEscapePath,
    applyChecksum: false,
  });
  const options = {
    signingDate: new Date(inputs.signedAt),
    signingRegion: inputs.region,
    signingService: inputs.service,
    signableHeaders: signed,
    unsignableHeaders: unsignable,
  };

  if (inputs.presigned) {
    const unhoistable = new Set([...signed].filter((name) => name.startsWith('x-amz-')));
    const presigned = await signer.presign(request, { ...options, expiresIn: inputs.expiresIn, unhoistableHeaders: unhoistable });
    const signature = presigned.query?.['X-Amz-Signature'];
    return typeof signature === 'string' ? signature : '';
  }
  if (inputs.signedDateHeader) return signer.signWithHeadersAsSent(request, inputs);
  const result = await signer.sign(request, options);
  const authorization = result.headers.authorization ?? '';
  return authorization.slice(authorization.lastIndexOf('Signature=') + 'Signature='.length);
}
