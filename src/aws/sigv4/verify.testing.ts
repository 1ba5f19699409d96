/**
 * A harness for the verifier's tests: a few known keys, a lookup over them, and a local HTTP
 * server that verifies every request before answering like ECS (AWS JSON) or STS (AWS Query),
 * so real SDK clients and the AWS CLI can be pointed at it. Not used outside tests.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyLookup, SigningKey } from '../auth.ts';
import type { WireRequest } from '../protocol/types.ts';
import { SignatureError, signatureErrorCode, type SignatureFamily } from './errors.ts';
import { verifyRequest, type VerifiedRequest, type VerifyOptions } from './verify.ts';

export const ACCOUNT = '123456789012';

function key(accessKeyId: string, secretAccessKey: string, name: string, expiresAt?: number): SigningKey {
  return {
    accessKeyId,
    secretAccessKey,
    expiresAt,
    principal: { arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, account: ACCOUNT, userId: `AIDA${name.toUpperCase()}`, kind: 'user', accessKeyId },
  };
}

/** A long-term key. */
export const ALICE = key('AKIAALICE0000000001', 'alice/secret+Key0000000000000000000000', 'alice');
/** A temporary key; its session token is SESSION_TOKEN. */
export const TEMP = key('ASIATEMP00000000001', 'temp/secret+Key00000000000000000000000', 'temp');
export const SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLE//session+token=';
/** A temporary key identity says has expired. */
export const EXPIRED = key('ASIAEXPIRED00000001', 'expired/secret+Key000000000000000000000', 'expired');
export const EXPIRED_TOKEN = 'FwoGZXIvYXdzEXPIRED';
/** A key that exists but is Inactive. */
export const INACTIVE = key('AKIAINACTIVE0000001', 'inactive/secret+Key00000000000000000000', 'inactive');

/** Identity as the tests see it: what `Authority.findSigningKey` would answer for the keys above. */
export async function lookup(accessKeyId: string, sessionToken: string | undefined): Promise<KeyLookup> {
  switch (accessKeyId) {
    case ALICE.accessKeyId:
      return sessionToken === undefined ? { status: 'found', key: ALICE } : { status: 'invalid-token' };
    case TEMP.accessKeyId:
      return sessionToken === SESSION_TOKEN ? { status: 'found', key: TEMP } : { status: 'invalid-token' };
    case EXPIRED.accessKeyId:
      return sessionToken === EXPIRED_TOKEN ? { status: 'expired' } : { status: 'invalid-token' };
    case INACTIVE.accessKeyId:
      return { status: 'inactive' };
    default:
      return { status: 'unknown' };
  }
}

/** A node request as the endpoint hands it to the verifier. */
export function wireRequest(req: IncomingMessage, body: Buffer): WireRequest {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(',') : value;
  return {
    method: req.method ?? 'GET',
    path: q < 0 ? raw : raw.slice(0, q),
    query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)),
    headers,
    body,
  };
}

/** What the server saw for one request. */
export type Outcome =
  | { ok: true; verified: VerifiedRequest; wire: WireRequest }
  | { ok: false; error: SignatureError; wire: WireRequest };

export interface VerifyingServer {
  endpoint: string;
  outcomes: Outcome[];
  /** Rewrites a request's body after it arrives and before it is verified (a tampering proxy). */
  tamper?: (body: Buffer) => Buffer;
  close(): Promise<void>;
}

function errorBody(family: SignatureFamily, error: SignatureError): { status: number; type: string; body: string } {
  const wire = signatureErrorCode(error.kind, family);
  const message = wire.message ?? error.message;
  if (family === 'json') {
    return { status: wire.status, type: 'application/x-amz-json-1.1', body: JSON.stringify({ __type: wire.code, message }) };
  }
  const xml = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>`
    + `<Code>${wire.code}</Code><Message>${message.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Message></Error>`
    + `<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`;
  return { status: wire.status, type: 'text/xml', body: xml };
}

function callerIdentity(verified: VerifiedRequest): string {
  const p = verified.key.principal;
  return `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`
    + `<Arn>${p.arn}</Arn><UserId>${p.userId}</UserId><Account>${p.account}</Account></GetCallerIdentityResult>`
    + `<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
}

/**
 * Starts a server on 127.0.0.1 that verifies each request with `options()` (so a test can move
 * the clock) and answers ECS calls with `{}` and STS GetCallerIdentity with the signer's identity.
 */
export async function startVerifyingServer(options: () => Omit<VerifyOptions, 'service'> = () => ({ now: Date.now() })): Promise<VerifyingServer> {
  const outcomes: Outcome[] = [];
  const state: VerifyingServer = { endpoint: '', outcomes, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Buffer = Buffer.concat(chunks);
      if (state.tamper) body = state.tamper(body);
      const wire = wireRequest(req, body);
      const family: SignatureFamily = wire.headers['x-amz-target'] ? 'json' : 'query';
      const service = family === 'json' ? 'ecs' : 'sts';
      verifyRequest(wire, lookup, { ...options(), service }).then((verified) => {
        outcomes.push({ ok: true, verified, wire });
        if (family === 'json') {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{}');
        } else {
          res.writeHead(200, { 'content-type': 'text/xml' }).end(callerIdentity(verified));
        }
      }, (error: unknown) => {
        if (!(error instanceof SignatureError)) {
          res.writeHead(500).end(String(error));
          return;
        }
        outcomes.push({ ok: false, error, wire });
        const answer = errorBody(family, error);
        res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}
