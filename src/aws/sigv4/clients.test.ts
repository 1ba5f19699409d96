/**
 * The verifier against real clients: the AWS SDK for JavaScript v3 (ECS over AWS JSON, STS over
 * AWS Query), URLs presigned by the SDKs' signer, and the AWS CLI v2. Each request goes to a
 * local server that verifies it and answers as the protocol does (verify.testing.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../common/index.ts';
import {
  ALICE, EXPIRED, EXPIRED_TOKEN, SESSION_TOKEN, startVerifyingServer, TEMP, type Outcome, type VerifyingServer,
} from './verify.testing.ts';

const REGION = 'eu-west-3';
const MINUTE = 60_000;

interface Key {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

let server: VerifyingServer;
let skew = 0;

before(async () => {
  // The server's clock can be moved; its Date header stays true, so the SDK corrects no skew.
  server = await startVerifyingServer(() => ({ now: Date.now() + skew }));
});

after(async () => {
  await server.close();
});

function ecs(credentials: Key): ECSClient {
  return new ECSClient({ endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 });
}

function sts(credentials: Key): STSClient {
  return new STSClient({ endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 });
}

/** The server's verdict on the last request. */
function last(): Outcome {
  const outcome = server.outcomes.at(-1);
  assert.ok(outcome, 'the server saw no request');
  return outcome;
}

async function rejectsWith(call: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<void> {
  await assert.rejects(call, (err: unknown) => {
    const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    assert.equal(e.name, name, e.message);
    assert.equal(e.$metadata?.httpStatusCode, status);
    if (message) assert.match(e.message ?? '', message);
    return true;
  });
}

describe('the AWS SDK for JavaScript v3', () => {
  it('ECS ListClusters signed with a known key is verified, with its principal and scope', async () => {
    await ecs(ALICE).send(new ListClustersCommand({}));
    const outcome = last();
    assert.ok(outcome.ok);
    assert.equal(outcome.verified.key.principal.arn, ALICE.principal.arn);
    assert.deepEqual({ ...outcome.verified.scope, date: '' }, { accessKeyId: ALICE.accessKeyId, date: '', region: REGION, service: 'ecs' });
  });

  it('STS GetCallerIdentity is verified, with and without a session token', async () => {
    const alice = await sts(ALICE).send(new GetCallerIdentityCommand({}));
    assert.equal(alice.Arn, ALICE.principal.arn);
    const temp = await sts({ ...TEMP, sessionToken: SESSION_TOKEN }).send(new GetCallerIdentityCommand({}));
    assert.equal(temp.Arn, TEMP.principal.arn);
    const outcome = last();
    assert.ok(outcome.ok);
    assert.equal(outcome.verified.sessionToken, SESSION_TOKEN);
  });

  it('a wrong secret is InvalidSignatureException on ECS and SignatureDoesNotMatch on STS', async () => {
    const wrong = { accessKeyId: ALICE.accessKeyId, secretAccessKey: 'not-alice-secret' };
    await rejectsWith(ecs(wrong).send(new ListClustersCommand({})), 'InvalidSignatureException', 400, /^The request signature we calculated does not match/);
    await rejectsWith(sts(wrong).send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', 403, /Check your AWS Secret Access Key/);
  });

  it('an unknown key is UnrecognizedClientException on ECS and InvalidClientTokenId on STS', async () => {
    const nobody = { accessKeyId: 'AKIANOBODY000000001', secretAccessKey: 'whatever' };
    await rejectsWith(ecs(nobody).send(new ListClustersCommand({})), 'UnrecognizedClientException', 400, /security token included in the request is invalid/);
    await rejectsWith(sts(nobody).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
  });

  it('a temporary key with its session token missing, wrong or expired is refused', async () => {
    await rejectsWith(ecs(TEMP).send(new ListClustersCommand({})), 'UnrecognizedClientException', 400);
    await rejectsWith(sts({ ...TEMP, sessionToken: 'not-the-token' }).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
    await rejectsWith(ecs({ ...EXPIRED, sessionToken: EXPIRED_TOKEN }).send(new ListClustersCommand({})), 'ExpiredTokenException', 400,
      /security token included in the request is expired/);
    await rejectsWith(sts({ ...EXPIRED, sessionToken: EXPIRED_TOKEN }).send(new GetCallerIdentityCommand({})), 'ExpiredToken', 403);
  });

  it('a body altered after signing is refused', async () => {
    server.tamper = (body) => Buffer.from(body.toString().replace('{}', '[]').replace('2011-06-15', '2011-06-16'));
    try {
      await rejectsWith(ecs(ALICE).send(new ListClustersCommand({})), 'InvalidSignatureException', 400, /x-amz-content-sha256/);
      const outcome = last();
      assert.ok(!outcome.ok && outcome.error.kind === 'ContentSha256Mismatch');
      await rejectsWith(sts(ALICE).send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', 403);
    } finally {
      server.tamper = undefined;
    }
  });

  it('a request signed 20 minutes before the server\'s clock is refused as expired', async () => {
    skew = 20 * MINUTE;
    try {
      await rejectsWith(ecs(ALICE).send(new ListClustersCommand({})), 'InvalidSignatureException', 400,
        /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
      await rejectsWith(sts(ALICE).send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', 403, /^Signature expired/);
    } finally {
      skew = 0;
    }
  });
});

describe('presigned URLs', () => {
  async function presignedUrl(signedAt: number, expiresIn: number, key: Key = ALICE): Promise<string> {
    const { hostname, port } = new URL(server.endpoint);
    const signer = new SignatureV4({ service: 'sts', region: REGION, sha256: NodeSha256, credentials: key });
    const request = await signer.presign({
      method: 'GET', protocol: 'http:', hostname, port: Number(port), path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: `${hostname}:${port}` },
    }, { signingDate: new Date(signedAt), expiresIn });
    const query = new URLSearchParams(request.query as Record<string, string>);
    return `${server.endpoint}/?${query}`;
  }

  it('a URL presigned with SignatureV4.presign is verified until it expires', async () => {
    const ok = await fetch(await presignedUrl(Date.now(), 60, { ...TEMP, sessionToken: SESSION_TOKEN }));
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), new RegExp(TEMP.principal.arn));
    const outcome = last();
    assert.ok(outcome.ok && outcome.verified.presigned);

    const expired = await fetch(await presignedUrl(Date.now() - 2 * MINUTE, 60));
    assert.equal(expired.status, 400);
    assert.match(await expired.text(), /<Code>RequestExpired<\/Code>/);
  });
});

describe('the AWS CLI v2', () => {
  const AWS = '/usr/bin/aws';
  let home: string;

  before(() => {
    home = mkdtempSync(join(tmpdir(), 'wharf-sigv4-cli-'));
  });

  after(() => {
    rmSync(home, { recursive: true, force: true });
  });

  /** Runs the CLI with only the given key: a temp HOME and no config or profile. */
  function cli(key: Key, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = {
      PATH: '/usr/bin:/bin',
      HOME: home,
      AWS_ACCESS_KEY_ID: key.accessKeyId,
      AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_PAGER: '',
    };
    return new Promise((resolve) => {
      execFile(AWS, ['--endpoint-url', server.endpoint, '--output', 'json', ...args], { env }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  it('ecs list-clusters and sts get-caller-identity are verified with the right key', async () => {
    const clusters = await cli(ALICE, 'ecs', 'list-clusters');
    assert.equal(clusters.code, 0, clusters.stderr);
    const first = last();
    assert.ok(first.ok);
    assert.equal(first.verified.scope.service, 'ecs');
    // The CLI sends no x-amz-content-sha256: the signature covers the body's own hash.
    assert.equal(first.wire.headers['x-amz-content-sha256'], undefined);

    const identity = await cli(ALICE, 'sts', 'get-caller-identity');
    assert.equal(identity.code, 0, identity.stderr);
    assert.equal(JSON.parse(identity.stdout).Arn, ALICE.principal.arn);
  });

  it('a body altered after signing is refused, though the CLI sends no payload hash header', async () => {
    server.tamper = (body) => Buffer.from(body.toString().replace('2011-06-15', '2011-06-16'));
    try {
      const identity = await cli(ALICE, 'sts', 'get-caller-identity');
      assert.notEqual(identity.code, 0);
      assert.match(identity.stderr, /\(SignatureDoesNotMatch\)/);
      const outcome = last();
      assert.ok(!outcome.ok && outcome.error.kind === 'SignatureDoesNotMatch');
    } finally {
      server.tamper = undefined;
    }
  });

  it('a wrong secret is refused', async () => {
    const wrong = { accessKeyId: ALICE.accessKeyId, secretAccessKey: 'not-alice-secret' };
    const clusters = await cli(wrong, 'ecs', 'list-clusters');
    assert.notEqual(clusters.code, 0);
    assert.match(clusters.stderr, /\(InvalidSignatureException\)/);
    const identity = await cli(wrong, 'sts', 'get-caller-identity');
    assert.notEqual(identity.code, 0);
    assert.match(identity.stderr, /\(SignatureDoesNotMatch\)/);
    const outcome = last();
    assert.ok(!outcome.ok && outcome.error.kind === 'SignatureDoesNotMatch');
  });
});
