/**
 * Why a SigV4 request was refused, in AWS's words, and the wire code and status each protocol
 * family gives that reason. The verifier throws `SignatureError`s with a protocol-neutral
 * `kind`; the endpoint, which knows the protocol, asks `signatureErrorCode` how to write it.
 */

/**
 * The reasons a signed request is refused. Each is one row of AWS's behaviour, not one code:
 * JSON services and Query services name the same reason differently.
 */
export type SignatureErrorKind =
  /** No Authorization header and no presigned query, or a header that is not AWS4-*. */
  | 'MissingAuthenticationToken'
  /** A SigV4 header or presigned query missing parts, or with parts in the wrong shape. */
  | 'IncompleteSignature'
  /** An access key nobody knows, or one that is Inactive. */
  | 'InvalidClientTokenId'
  /** A temporary key whose session token is missing, malformed or not its own. */
  | 'InvalidToken'
  /** A temporary key past its expiry. */
  | 'ExpiredToken'
  /** The signature, its scope (service, terminator, date) or its signed headers are wrong. */
  | 'SignatureDoesNotMatch'
  /** The request's date is outside the allowed clock skew ("Signature expired: …"). */
  | 'RequestExpired'
  /** A presigned URL used after its X-Amz-Expires. */
  | 'PresignedUrlExpired'
  /** The body does not hash to the x-amz-content-sha256 the client signed. */
  | 'ContentSha256Mismatch';

/**
 * How a protocol family writes signature errors: AWS JSON 1.0/1.1 (`json`), REST-JSON
 * (`rest-json`, same codes as JSON with 403s), AWS Query (`query`), EC2 Query (`ec2`), and
 * S3-style REST-XML (`rest-xml`).
 */
export type SignatureFamily = 'json' | 'rest-json' | 'query' | 'ec2' | 'rest-xml';

/** A refused signature: `kind` says why, `message` is AWS's wording for the detail. */
export class SignatureError extends Error {
  constructor(readonly kind: SignatureErrorKind, message: string) {
    super(message);
    this.name = 'SignatureError';
  }
}

/** What goes on the wire for a signature error. */
export interface SignatureErrorWire {
  code: string;
  status: number;
  /**
   * Set when the family words this error with a fixed message of its own (EC2's AuthFailure,
   * S3's InvalidAccessKeyId, ...): write it instead of the error's message.
   */
  message?: string;
}

/** AWS's messages for the verifier's refusals, in one place. */
export const SignatureMessages = {
  missingToken: 'Request is missing Authentication Token',
  mismatch: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  /** An unknown key ends with a period; a bad session token, as AWS writes it, does not. */
  unknownKey: 'The security token included in the request is invalid.',
  invalidToken: 'The security token included in the request is invalid',
  expiredToken: 'The security token included in the request is expired',
  presignedExpired: 'Request has expired.',
  contentSha256: "The provided 'x-amz-content-sha256' header does not match what was computed.",
  bothForms: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
  hostNotSigned: "'Host' must be a 'SignedHeader' in the AWS Authorization.",
};

const EC2_AUTH_FAILURE = 'AWS was not able to validate the provided access credentials';
const EC2_EXPIRED = 'Request has expired.';

type Row = Record<SignatureFamily, SignatureErrorWire>;

/** JSON and REST-JSON share codes; REST-JSON services answer auth failures with 403. */
function jsonRow(code: string, jsonStatus = 400): Pick<Row, 'json' | 'rest-json'> {
  return { json: { code, status: jsonStatus }, 'rest-json': { code, status: 403 } };
}

const TABLE: Record<SignatureErrorKind, Row> = {
  MissingAuthenticationToken: {
    ...jsonRow('MissingAuthenticationTokenException'),
    query: { code: 'MissingAuthenticationToken', status: 403 },
    ec2: { code: 'MissingParameter', status: 400, message: 'The request must contain the parameter AWSAccessKeyId' },
    'rest-xml': { code: 'AccessDenied', status: 403, message: 'Access Denied' },
  },
  IncompleteSignature: {
    ...jsonRow('IncompleteSignatureException'),
    query: { code: 'IncompleteSignature', status: 400 },
    ec2: { code: 'IncompleteSignature', status: 400 },
    'rest-xml': { code: 'AuthorizationHeaderMalformed', status: 400 },
  },
  InvalidClientTokenId: {
    ...jsonRow('UnrecognizedClientException'),
    query: { code: 'InvalidClientTokenId', status: 403 },
    ec2: { code: 'AuthFailure', status: 401, message: EC2_AUTH_FAILURE },
    'rest-xml': { code: 'InvalidAccessKeyId', status: 403, message: 'The AWS Access Key Id you provided does not exist in our records.' },
  },
  InvalidToken: {
    ...jsonRow('UnrecognizedClientException'),
    query: { code: 'InvalidClientTokenId', status: 403 },
    ec2: { code: 'AuthFailure', status: 401, message: EC2_AUTH_FAILURE },
    'rest-xml': { code: 'InvalidToken', status: 400, message: 'The provided token is malformed or otherwise invalid.' },
  },
  ExpiredToken: {
    ...jsonRow('ExpiredTokenException'),
    query: { code: 'ExpiredToken', status: 403 },
    ec2: { code: 'RequestExpired', status: 400, message: EC2_EXPIRED },
    'rest-xml': { code: 'ExpiredToken', status: 400, message: 'The provided token has expired.' },
  },
  SignatureDoesNotMatch: {
    ...jsonRow('InvalidSignatureException'),
    query: { code: 'SignatureDoesNotMatch', status: 403 },
    ec2: { code: 'AuthFailure', status: 401, message: EC2_AUTH_FAILURE },
    'rest-xml': { code: 'SignatureDoesNotMatch', status: 403 },
  },
  RequestExpired: {
    // Clock skew is a signature error on JSON and Query services ("Signature expired: …").
    ...jsonRow('InvalidSignatureException'),
    query: { code: 'SignatureDoesNotMatch', status: 403 },
    ec2: { code: 'RequestExpired', status: 400, message: EC2_EXPIRED },
    'rest-xml': { code: 'RequestTimeTooSkewed', status: 403, message: 'The difference between the request time and the current time is too large.' },
  },
  PresignedUrlExpired: {
    json: { code: 'RequestExpired', status: 400 },
    'rest-json': { code: 'RequestExpired', status: 400 },
    query: { code: 'RequestExpired', status: 400 },
    ec2: { code: 'RequestExpired', status: 400, message: EC2_EXPIRED },
    'rest-xml': { code: 'AccessDenied', status: 403, message: 'Request has expired' },
  },
  ContentSha256Mismatch: {
    // Outside S3 a body that does not match what was signed is a signature mismatch.
    ...jsonRow('InvalidSignatureException'),
    query: { code: 'SignatureDoesNotMatch', status: 403 },
    ec2: { code: 'AuthFailure', status: 401, message: EC2_AUTH_FAILURE },
    'rest-xml': { code: 'XAmzContentSHA256Mismatch', status: 400 },
  },
};

/**
 * The error code and HTTP status AWS answers a signature refusal with in a protocol family;
 * write `message` when present, else the SignatureError's own message.
 */
export function signatureErrorCode(kind: SignatureErrorKind, family: SignatureFamily): SignatureErrorWire {
  return { ...TABLE[kind][family] };
}
