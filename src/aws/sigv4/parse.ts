/**
 * Reads the signature material out of a request — from the `Authorization` header or from a
 * presigned URL's query — and refuses, with AWS's words, what is missing or malformed. Nothing
 * here knows a secret: this is the part of verification that needs no lookup.
 */
import type { WireRequest } from '../protocol/types.ts';
import { SignatureError, SignatureMessages } from './errors.ts';

/** The one algorithm Wharf verifies. */
export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** Presigned URLs live at most a week, as AWS allows. */
export const MAX_PRESIGNED_SECONDS = 604_800;

/** The signature material of one request, as the client wrote it. */
export interface SignedParts {
  presigned: boolean;
  /** `AKID/20261203/us-east-1/ecs/aws4_request`, unparsed. */
  credential: string;
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  terminator: string;
  /** Lowercased, in the client's order. */
  signedHeaders: string[];
  signature: string;
  /** When the client signed (epoch ms). */
  signedAt: number;
  /** The timestamp as SigV4's string to sign writes it: `20261203T070000Z`. */
  longDate: string;
  /** Where the timestamp came from: signing a `date` header changes how the signature is rebuilt. */
  dateFrom: 'x-amz-date' | 'date' | 'query';
  /** Presigned URLs only: X-Amz-Expires in seconds. */
  expiresIn?: number;
  /** X-Amz-Security-Token, from the header (header form) or the query (presigned). */
  sessionToken?: string;
}

const BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** SigV4's timestamp form, `YYYYMMDD'T'HHMMSS'Z'`. */
export function longDateOf(time: number): string {
  return new Date(time).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Epoch ms of an ISO 8601 basic timestamp, undefined unless it is a real instant in that exact form. */
function parseBasic(value: string): number | undefined {
  const m = BASIC.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const time = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 20261340 over into 2027: only fields that come back unchanged are real.
  const d = new Date(time);
  const real = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day
    && d.getUTCHours() === hour && d.getUTCMinutes() === minute && d.getUTCSeconds() === second;
  return real ? time : undefined;
}

/** A `date` header may carry the basic form or an HTTP date (RFC 7231: `Thu, 03 Dec 2026 07:00:00 GMT`). */
function parseDateHeader(value: string): number | undefined {
  const basic = parseBasic(value);
  if (basic !== undefined) return basic;
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value.trim())) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

function incomplete(message: string): SignatureError {
  return new SignatureError('IncompleteSignature', message);
}

function badDate(value: string): SignatureError {
  return incomplete(`Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`);
}

/** Whether the request carries a presigned URL's signature in its query. */
function isPresigned(query: URLSearchParams): boolean {
  return query.has('X-Amz-Algorithm') || query.has('X-Amz-Credential') || query.has('X-Amz-Signature');
}

interface Raw {
  algorithm: string;
  credential: string;
  signedHeaders: string;
  signature: string;
}

/** The header's `Key=value` pairs, refusing what AWS refuses. */
function readHeader(header: string, request: WireRequest): Raw {
  const trimmed = header.trim();
  const space = trimmed.search(/\s/);
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  const rest = space < 0 ? '' : trimmed.slice(space);
  const fields = new Map<string, string>();
  for (const token of rest.split(/[,\s]+/)) {
    if (!token) continue;
    const eq = token.indexOf('=');
    if (eq < 0) throw incomplete(`'${token}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`);
    fields.set(token.slice(0, eq), token.slice(eq + 1));
  }
  let missing = '';
  for (const name of ['Credential', 'Signature', 'SignedHeaders']) {
    if (!fields.get(name)) missing += `Authorization header requires '${name}' parameter. `;
  }
  if (request.headers['x-amz-date'] === undefined && request.headers.date === undefined) {
    missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (missing) throw incomplete(`${missing}Authorization=${header}`);
  return { algorithm, credential: fields.get('Credential')!, signedHeaders: fields.get('SignedHeaders')!, signature: fields.get('Signature')! };
}

const PRESIGN_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date', 'X-Amz-Expires'];

function readQuery(query: URLSearchParams): Raw {
  let missing = '';
  for (const name of PRESIGN_PARAMS) {
    if (!query.get(name)) missing += `AWS query-string parameters must include '${name}'. `;
  }
  if (missing) throw incomplete(`${missing}Re-examine the query-string parameters.`);
  return {
    algorithm: query.get('X-Amz-Algorithm')!,
    credential: query.get('X-Amz-Credential')!,
    signedHeaders: query.get('X-Amz-SignedHeaders')!,
    signature: query.get('X-Amz-Signature')!,
  };
}

function readExpires(value: string): number {
  if (!/^\d+$/.test(value)) throw incomplete('X-Amz-Expires should be a number');
  const seconds = Number(value);
  if (seconds < 1) throw incomplete('X-Amz-Expires must be greater than 0');
  if (seconds > MAX_PRESIGNED_SECONDS) throw incomplete(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_SECONDS}`);
  return seconds;
}

/**
 * The request's signature material, or the SignatureError AWS would answer: a request with
 * neither form is MissingAuthenticationToken, one with both is refused, and a form with parts
 * missing or malformed is IncompleteSignature naming them.
 */
export function readSignedParts(request: WireRequest): SignedParts {
  const header = request.headers.authorization;
  const presigned = isPresigned(request.query);
  if (header !== undefined && presigned) throw new SignatureError('SignatureDoesNotMatch', SignatureMessages.bothForms);
  if (!presigned && (header === undefined || !header.trim().startsWith('AWS4-'))) {
    throw new SignatureError('MissingAuthenticationToken', SignatureMessages.missingToken);
  }
  const raw = presigned ? readQuery(request.query) : readHeader(header!, request);
  if (raw.algorithm !== ALGORITHM) throw incomplete(`Unsupported AWS 'algorithm': '${raw.algorithm}' (only ${ALGORITHM} for now). `);

  const scope = raw.credential.split('/');
  if (scope.length !== 5) {
    throw incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${raw.credential}'`);
  }
  const [accessKeyId, scopeDate, region, service, terminator] = scope;

  let signedAt: number | undefined;
  let dateFrom: SignedParts['dateFrom'];
  let dateValue: string;
  if (presigned) {
    dateFrom = 'query';
    dateValue = request.query.get('X-Amz-Date')!;
    signedAt = parseBasic(dateValue);
  } else if (request.headers['x-amz-date'] !== undefined) {
    // AWS looks at x-amz-date first, then at date.
    dateFrom = 'x-amz-date';
    dateValue = request.headers['x-amz-date'];
    signedAt = parseBasic(dateValue);
  } else {
    dateFrom = 'date';
    dateValue = request.headers.date!;
    signedAt = parseDateHeader(dateValue);
  }
  if (signedAt === undefined) throw badDate(dateValue);

  const token = presigned ? request.query.get('X-Amz-Security-Token') : request.headers['x-amz-security-token'];
  return {
    presigned,
    credential: raw.credential,
    accessKeyId,
    scopeDate,
    region,
    service,
    terminator,
    signedHeaders: raw.signedHeaders.split(';').map((name) => name.toLowerCase()),
    signature: raw.signature,
    signedAt,
    // The basic form is already SigV4's; an HTTP date is rewritten into it.
    longDate: dateFrom === 'date' ? longDateOf(signedAt) : dateValue,
    dateFrom,
    expiresIn: presigned ? readExpires(request.query.get('X-Amz-Expires')!) : undefined,
    sessionToken: token ?? undefined,
  };
}
