import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { WireRequest } from '../protocol/types.ts';
import { SignatureError, SignatureMessages, type SignatureErrorKind } from './errors.ts';
import { NodeSha256 } from '../../common/index.ts';
import { verifyRequest, type VerifyOptions } from './verify.ts';
import { ALICE, EXPIRED, EXPIRED_TOKEN, INACTIVE, lookup, SESSION_TOKEN, TEMP } from './verify.testing.ts';

const SIGNED_AT = Date.UTC(2026, 11, 3, 7, 0, 0); // 20261203T070000Z
const MINUTE = 60_000;
const HOST = '127.0.0.1:8040';
const TARGET = 'AmazonEC2ContainerServiceV20141113.ListClusters';

type SignableRequest = Parameters<SignatureV4['presign']>[0];

interface Signing {
  key?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  service?: string;
  region?: string;
  at?: number;
  /** The SDKs send x-amz-content-sha256; the AWS CLI does not. */
  contentSha256?: boolean;
  headers?: Record<string, string>;
  path?: string;
  query?: Record<string, string>;
  body?: string;
  method?: string;
  signableHeaders?: Set<string>;
  unsignableHeaders?: Set<string>;
}

function signer(s: Signing): SignatureV4 {
  return new SignatureV4({
    service: s.service ?? 'ecs',
    region: s.region ?? 'eu-west-3',
    sha256: NodeSha256,
    credentials: s.key ?? ALICE,
    applyChecksum: s.contentSha256 ?? false,
  });
}

function unsigned(s: Signing): SignableRequest {
  return {
    method: s.method ?? 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 8040,
    path: s.path ?? '/',
    query: s.query ?? {},
    headers: { host: HOST, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET, ...s.headers },
    body: s.body ?? '{}',
  };
}

/** The request as the endpoint would read it off the wire. */
function toWire(r: SignableRequest): WireRequest {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(r.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== null) query.append(name, v);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(r.headers)) headers[name.toLowerCase()] = value;
  return { method: r.method, path: r.path, query, headers, body: Buffer.from(typeof r.body === 'string' ? r.body : '') };
}

/** A request signed in the Authorization header by the signer the SDKs use. */
async function signed(s: Signing = {}): Promise<WireRequest> {
  const request = await signer(s).sign(unsigned(s), {
    signingDate: new Date(s.at ?? SIGNED_AT),
    signableHeaders: s.signableHeaders,
    unsignableHeaders: s.unsignableHeaders,
  });
  return toWire(request);
}

/** A presigned URL (GET, no body), as SignatureV4.presign makes one. */
async function presigned(s: Signing & { expiresIn?: number } = {}): Promise<WireRequest> {
  const request = await signer({ service: 'sts', ...s }).presign(
    { ...unsigned({ method: 'GET', body: '', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, ...s }), headers: { host: HOST, ...s.headers } },
    { signingDate: new Date(s.at ?? SIGNED_AT), expiresIn: s.expiresIn ?? 300 },
  );
  return toWire(request);
}

function at(now: number, more: Partial<VerifyOptions> = {}): VerifyOptions {
  return { now, ...more };
}

async function refused(wire: WireRequest, options: VerifyOptions, kind: SignatureErrorKind, message?: string | RegExp): Promise<void> {
  await assert.rejects(verifyRequest(wire, lookup, options), (err: unknown) => {
    assert.ok(err instanceof SignatureError, `expected a SignatureError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}

function withHeader(wire: WireRequest, name: string, value: string | undefined): WireRequest {
  return { ...wire, headers: { ...wire.headers, [name]: value } };
}

describe('verifyRequest: the Authorization header', () => {
  it('verifies a request signed with a known key and reports who signed it and its scope', async () => {
    const verified = await verifyRequest(await signed(), lookup, at(SIGNED_AT + MINUTE, { service: 'ecs' }));
    assert.equal(verified.key.principal.arn, ALICE.principal.arn);
    assert.deepEqual(verified.scope, { accessKeyId: ALICE.accessKeyId, date: '20261203', region: 'eu-west-3', service: 'ecs' });
    assert.equal(verified.presigned, false);
    assert.equal(verified.signedAt, SIGNED_AT);
  });

  it('verifies with or without x-amz-content-sha256, and with headers the signer would skip when the client signed them', async () => {
    await verifyRequest(await signed({ contentSha256: true }), lookup, at(SIGNED_AT));
    const withAgent = await signed({ headers: { 'user-agent': 'wharf-test/1' }, signableHeaders: new Set(['user-agent']) });
    assert.match(withAgent.headers.authorization!, /SignedHeaders=[^,]*user-agent/);
    await verifyRequest(withAgent, lookup, at(SIGNED_AT));
    // Headers the client did not sign may come and go.
    await verifyRequest(withHeader(await signed(), 'user-agent', 'anything'), lookup, at(SIGNED_AT));
    await verifyRequest(withHeader(await signed(), 'x-forwarded-for', '10.0.0.1'), lookup, at(SIGNED_AT));
  });

  it('verifies an x-amz-date the client sent without signing it', async () => {
    const wire = await signed({ unsignableHeaders: new Set(['x-amz-date']) });
    assert.doesNotMatch(wire.headers.authorization!, /x-amz-date/);
    await verifyRequest(wire, lookup, at(SIGNED_AT));
  });

  it('verifies encoded paths and queries as the REST SDKs send them', async () => {
    const wire = await signed({
      method: 'GET', body: '', path: '/2015-03-31/functions/my%3Afunc/invocations',
      query: { Qualifier: 'a b+c/d~e', empty: '', 'x-id': 'Invoke' },
    });
    await verifyRequest(wire, lookup, at(SIGNED_AT));
  });

  it('refuses a wrong secret with SignatureDoesNotMatch', async () => {
    const wire = await signed({ key: { accessKeyId: ALICE.accessKeyId, secretAccessKey: 'not-the-secret' } });
    await refused(wire, at(SIGNED_AT), 'SignatureDoesNotMatch', SignatureMessages.mismatch);
  });

  it('refuses a signature of zeros, a shorter one, and one differing in its last digit', async () => {
    const wire = await signed();
    const good = /Signature=([0-9a-f]{64})/.exec(wire.headers.authorization!)![1];
    const last = good.at(-1) === '0' ? '1' : '0';
    for (const signature of ['0'.repeat(64), good.slice(0, 63), good.slice(0, 63) + last]) {
      const forged = withHeader(wire, 'authorization', wire.headers.authorization!.replace(good, signature));
      await refused(forged, at(SIGNED_AT), 'SignatureDoesNotMatch', SignatureMessages.mismatch);
    }
  });

  it('refuses a tampered body, header or query', async () => {
    const wire = await signed();
    await refused({ ...wire, body: Buffer.from('{"maxResults":1}') }, at(SIGNED_AT), 'SignatureDoesNotMatch');
    await refused(withHeader(wire, 'x-amz-target', 'AmazonEC2ContainerServiceV20141113.DeleteCluster'), at(SIGNED_AT), 'SignatureDoesNotMatch');
    await refused({ ...wire, query: new URLSearchParams('extra=1') }, at(SIGNED_AT), 'SignatureDoesNotMatch');
    await refused({ ...wire, path: '/other' }, at(SIGNED_AT), 'SignatureDoesNotMatch');
  });

  it('refuses a body that does not hash to the signed x-amz-content-sha256', async () => {
    const wire = await signed({ contentSha256: true });
    await refused({ ...wire, body: Buffer.from('{"maxResults":1}') }, at(SIGNED_AT), 'ContentSha256Mismatch', SignatureMessages.contentSha256);
  });

  it('accepts UNSIGNED-PAYLOAD, whose signature covers the literal and not the body', async () => {
    const wire = await signed({ headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    await verifyRequest(wire, lookup, at(SIGNED_AT));
    await verifyRequest({ ...wire, body: Buffer.from('anything at all') }, lookup, at(SIGNED_AT));
    // The literal is signed: swapping it for the body's hash breaks the signature.
    const hash = createHash('sha256').update('{}').digest('hex');
    await refused(withHeader(wire, 'x-amz-content-sha256', hash), at(SIGNED_AT), 'SignatureDoesNotMatch');
  });

  it('refuses streaming payload hashes it cannot check', async () => {
    const wire = await signed({ headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' } });
    await refused(wire, at(SIGNED_AT), 'IncompleteSignature', /UNSIGNED-PAYLOAD or the hex SHA-256/);
  });

  it('refuses unknown and inactive keys with InvalidClientTokenId', async () => {
    const unknown = await signed({ key: { accessKeyId: 'AKIANOBODY000000001', secretAccessKey: 'x' } });
    await refused(unknown, at(SIGNED_AT), 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    await refused(await signed({ key: INACTIVE }), at(SIGNED_AT), 'InvalidClientTokenId');
  });

  it('hands the session token to the lookup: present, missing, wrong, expired', async () => {
    const verified = await verifyRequest(await signed({ key: { ...TEMP, sessionToken: SESSION_TOKEN } }), lookup, at(SIGNED_AT));
    assert.equal(verified.key.principal.arn, TEMP.principal.arn);
    assert.equal(verified.sessionToken, SESSION_TOKEN);
    await refused(await signed({ key: TEMP }), at(SIGNED_AT), 'InvalidToken', SignatureMessages.invalidToken);
    await refused(await signed({ key: { ...TEMP, sessionToken: 'wrong' } }), at(SIGNED_AT), 'InvalidToken');
    await refused(await signed({ key: { ...EXPIRED, sessionToken: EXPIRED_TOKEN } }), at(SIGNED_AT), 'ExpiredToken',
      'The security token included in the request is expired');
  });

  it('refuses a found key past its expiresAt with ExpiredToken', async () => {
    const wire = await signed({ key: { ...TEMP, sessionToken: SESSION_TOKEN } });
    const lapsed = async () => ({ status: 'found' as const, key: { ...TEMP, expiresAt: SIGNED_AT } });
    await assert.rejects(verifyRequest(wire, lapsed, at(SIGNED_AT)), (e: unknown) => e instanceof SignatureError && e.kind === 'ExpiredToken');
  });

  it('allows 15 minutes of skew either way and words the refusal as AWS does', async () => {
    const wire = await signed();
    await verifyRequest(wire, lookup, at(SIGNED_AT + 15 * MINUTE));
    await verifyRequest(wire, lookup, at(SIGNED_AT - 15 * MINUTE));
    await refused(wire, at(SIGNED_AT + 30 * MINUTE), 'RequestExpired',
      'Signature expired: 20261203T070000Z is now earlier than 20261203T071500Z (20261203T073000Z - 15 min.)');
    await refused(wire, at(SIGNED_AT + 20 * MINUTE), 'RequestExpired', /^Signature expired: 20261203T070000Z is now earlier than 20261203T070500Z/);
    await refused(wire, at(SIGNED_AT - 20 * MINUTE), 'RequestExpired',
      'Signature not yet current: 20261203T070000Z is still later than 20261203T065500Z (20261203T064000Z + 15 min.)');
    await refused(wire, at(SIGNED_AT + 6 * MINUTE, { maxSkewMs: 5 * MINUTE }), 'RequestExpired', / - 5 min\.\)$/);
  });

  it('refuses a request with no signature, or an Authorization that is not SigV4, with MissingAuthenticationToken', async () => {
    const wire = withHeader(await signed(), 'authorization', undefined);
    await refused(wire, at(SIGNED_AT), 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    await refused(withHeader(wire, 'authorization', 'Bearer abc'), at(SIGNED_AT), 'MissingAuthenticationToken');
  });

  it('refuses malformed headers with IncompleteSignature, naming what is wrong', async () => {
    const wire = await signed();
    const header = wire.headers.authorization!;
    const cases: Array<[string, string | RegExp]> = [
      [header.replace(/, Signature=[0-9a-f]+/, ''), `Authorization header requires 'Signature' parameter. Authorization=${header.replace(/, Signature=[0-9a-f]+/, '')}`],
      ['AWS4-HMAC-SHA256 Credential=', /^Authorization header requires 'Credential' parameter\. Authorization header requires 'Signature' parameter\. Authorization header requires 'SignedHeaders' parameter\./],
      [header.replace('Credential=', 'Credential= '), /^'AKIAALICE0000000001\/20261203\/eu-west-3\/ecs\/aws4_request' not a valid key=value pair \(missing equal-sign\) in Authorization header: '/],
      [header.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512'), "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "],
      [header.replace('/aws4_request', ''), /^Credential must have exactly 5 slash-delimited elements, e\.g\. keyid\/date\/region\/service\/term, got 'AKIAALICE0000000001\/20261203\/eu-west-3\/ecs'$/],
    ];
    for (const [authorization, message] of cases) await refused(withHeader(wire, 'authorization', authorization), at(SIGNED_AT), 'IncompleteSignature', message);
    await refused(withHeader(wire, 'x-amz-date', '2026-12-03T07:00:00Z'), at(SIGNED_AT), 'IncompleteSignature',
      "Date must be in ISO-8601 'basic format'. Got '2026-12-03T07:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601");
    await refused(withHeader(wire, 'x-amz-date', '20261340T070000Z'), at(SIGNED_AT), 'IncompleteSignature', /^Date must be in ISO-8601/);
    await refused(withHeader(wire, 'x-amz-date', undefined), at(SIGNED_AT), 'IncompleteSignature',
      /Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\. Authorization=/);
  });

  it('holds the scope to the expected service, its terminator and the request day', async () => {
    await refused(await signed({ service: 'sts' }), at(SIGNED_AT, { service: 'ecs' }), 'SignatureDoesNotMatch',
      "Credential should be scoped to correct service: 'ecs'. ");
    const wire = await signed();
    const otherDay = withHeader(wire, 'authorization', wire.headers.authorization!.replace('/20261203/', '/20261202/'));
    await refused(otherDay, at(SIGNED_AT), 'SignatureDoesNotMatch',
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261202' != '20261203', from '20261203T070000Z'. ");
    const terminator = withHeader(wire, 'authorization', wire.headers.authorization!.replace('/aws4_request', '/aws5_request'));
    await refused(terminator, at(SIGNED_AT), 'SignatureDoesNotMatch', /with a valid terminator: 'aws4_request', not 'aws5_request'/);
  });

  it('requires the host header to be signed', async () => {
    const wire = await signed({ unsignableHeaders: new Set(['host']) });
    await refused(wire, at(SIGNED_AT), 'SignatureDoesNotMatch', SignatureMessages.hostNotSigned);
  });
});

/** SigV4 written out in the test, as an independent oracle for a request the SDK signer cannot make. */
function oracleSignature(secret: string, longDate: string, canonicalRequest: string): string {
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const day = longDate.slice(0, 8);
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), 'eu-west-3'), 'ecs'), 'aws4_request');
  const hashed = createHash('sha256').update(canonicalRequest).digest('hex');
  return createHmac('sha256', signingKey).update(`AWS4-HMAC-SHA256\n${longDate}\n${day}/eu-west-3/ecs/aws4_request\n${hashed}`).digest('hex');
}

describe('verifyRequest: a signed date header', () => {
  const date = 'Thu, 03 Dec 2026 07:00:00 GMT';
  const canonical = [
    'POST', '/', '',
    'content-type:application/x-amz-json-1.1', `date:${date}`, `host:${HOST}`, `x-amz-target:${TARGET}`, '',
    'content-type;date;host;x-amz-target',
    createHash('sha256').update('{}').digest('hex'),
  ].join('\n');

  function request(signature: string): WireRequest {
    return {
      method: 'POST', path: '/', query: new URLSearchParams(), body: Buffer.from('{}'),
      headers: {
        host: HOST, date, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET,
        authorization: `AWS4-HMAC-SHA256 Credential=${ALICE.accessKeyId}/20261203/eu-west-3/ecs/aws4_request, SignedHeaders=content-type;date;host;x-amz-target, Signature=${signature}`,
      },
    };
  }

  it('verifies a request dated by a signed date header instead of x-amz-date', async () => {
    const verified = await verifyRequest(request(oracleSignature(ALICE.secretAccessKey, '20261203T070000Z', canonical)), lookup, at(SIGNED_AT));
    assert.equal(verified.signedAt, SIGNED_AT);
    await refused(request(oracleSignature('wrong', '20261203T070000Z', canonical)), at(SIGNED_AT), 'SignatureDoesNotMatch');
    await refused(request(oracleSignature(ALICE.secretAccessKey, '20261203T070000Z', canonical)), at(SIGNED_AT + 16 * MINUTE), 'RequestExpired');
  });

  it('takes the time from x-amz-date when both it and a signed date header are sent', async () => {
    const amzDate = '20261203T071000Z';
    const both = canonical
      .replace(`host:${HOST}\n`, `host:${HOST}\nx-amz-date:${amzDate}\n`)
      .replace('content-type;date;host;x-amz-target', 'content-type;date;host;x-amz-date;x-amz-target');
    const wire = request(oracleSignature(ALICE.secretAccessKey, amzDate, both));
    wire.headers['x-amz-date'] = amzDate;
    wire.headers.authorization = wire.headers.authorization!.replace('SignedHeaders=content-type;date;host;x-amz-target', 'SignedHeaders=content-type;date;host;x-amz-date;x-amz-target');
    const verified = await verifyRequest(wire, lookup, at(SIGNED_AT + 10 * MINUTE));
    assert.equal(verified.signedAt, SIGNED_AT + 10 * MINUTE);
  });
});

describe('verifyRequest: presigned URLs', () => {
  it('verifies a URL made by SignatureV4.presign until X-Amz-Expires passes', async () => {
    const wire = await presigned({ expiresIn: 300 });
    assert.equal(wire.headers.authorization, undefined);
    const verified = await verifyRequest(wire, lookup, at(SIGNED_AT + 299_000, { service: 'sts' }));
    assert.equal(verified.presigned, true);
    assert.equal(verified.scope.service, 'sts');
    await verifyRequest(wire, lookup, at(SIGNED_AT + 300_000));
    await refused(wire, at(SIGNED_AT + 301_000), 'PresignedUrlExpired', 'Request has expired.');
    await refused(wire, at(SIGNED_AT - 16 * MINUTE), 'RequestExpired', /^Signature not yet current/);
  });

  it('verifies a presigned URL carrying a session token, and refuses a wrong one', async () => {
    const wire = await presigned({ key: { ...TEMP, sessionToken: SESSION_TOKEN } });
    assert.equal(wire.query.get('X-Amz-Security-Token'), SESSION_TOKEN);
    assert.equal((await verifyRequest(wire, lookup, at(SIGNED_AT))).key.principal.arn, TEMP.principal.arn);
    const query = new URLSearchParams(wire.query);
    query.set('X-Amz-Security-Token', 'wrong');
    await refused({ ...wire, query }, at(SIGNED_AT), 'InvalidToken');
  });

  it('verifies signed x-amz-* headers that stay headers, and an S3-style X-Amz-Content-Sha256 parameter', async () => {
    const request = await signer({ service: 'sts' }).presign(
      { ...unsigned({ method: 'GET', body: '' }), headers: { host: HOST, 'x-amz-meta-team': 'wharf' } },
      { signingDate: new Date(SIGNED_AT), expiresIn: 60, unhoistableHeaders: new Set(['x-amz-meta-team']) },
    );
    const wire = toWire(request);
    assert.match(wire.query.get('X-Amz-SignedHeaders')!, /x-amz-meta-team/);
    await verifyRequest(wire, lookup, at(SIGNED_AT));
    await refused(withHeader(wire, 'x-amz-meta-team', 'other'), at(SIGNED_AT), 'SignatureDoesNotMatch');

    const s3 = toWire(await signer({ service: 's3' }).presign(
      { ...unsigned({ method: 'GET', body: '', path: '/bucket/key' }), headers: { host: HOST, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' } },
      { signingDate: new Date(SIGNED_AT), expiresIn: 60 },
    ));
    assert.equal(s3.query.get('X-Amz-Content-Sha256'), 'UNSIGNED-PAYLOAD');
    await verifyRequest(s3, lookup, at(SIGNED_AT, { service: 's3' }));
  });

  it('refuses a tampered query, wrong secret, missing or out-of-range parameters', async () => {
    const wire = await presigned();
    const tampered = new URLSearchParams(wire.query);
    tampered.set('Action', 'AssumeRole');
    await refused({ ...wire, query: tampered }, at(SIGNED_AT), 'SignatureDoesNotMatch');
    await refused(await presigned({ key: { accessKeyId: ALICE.accessKeyId, secretAccessKey: 'nope' } }), at(SIGNED_AT), 'SignatureDoesNotMatch');

    const missing = new URLSearchParams(wire.query);
    missing.delete('X-Amz-Signature');
    missing.delete('X-Amz-Date');
    await refused({ ...wire, query: missing }, at(SIGNED_AT), 'IncompleteSignature',
      "AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.");
    for (const [expires, message] of [['604801', /less than a week/], ['0', /greater than 0/], ['soon', /should be a number/]] as const) {
      const q = new URLSearchParams(wire.query);
      q.set('X-Amz-Expires', expires);
      await refused({ ...wire, query: q }, at(SIGNED_AT), 'IncompleteSignature', message);
    }
  });

  it('refuses a request carrying both an Authorization header and a presigned query', async () => {
    const wire = await presigned();
    await refused(withHeader(wire, 'authorization', (await signed()).headers.authorization), at(SIGNED_AT), 'SignatureDoesNotMatch', SignatureMessages.bothForms);
  });
});
