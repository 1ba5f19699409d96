import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { credentialScope } from './sigv4.ts';

/** The SHA-256 checksum the signer wants, from node:crypto. */
class Sha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key = typeof this.secret === 'string' ? this.secret
      : ArrayBuffer.isView(this.secret) ? new Uint8Array(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)
      : new Uint8Array(this.secret);
    return createHmac('sha256', key);
  }
  reset(): void {
    this.hash = this.fresh();
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

describe('credentialScope', () => {
  it('reads the scope of a request signed by the AWS signer', async () => {
    const signer = new SignatureV4({
      service: 'ecs',
      region: 'eu-west-3',
      sha256: Sha256,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    const signed = await signer.sign({
      method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 8040, path: '/',
      headers: { host: '127.0.0.1:8040', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters' },
      body: '{}',
    });
    const scope = credentialScope(signed.headers['authorization']);
    assert.equal(scope?.accessKeyId, 'AKIDEXAMPLE');
    assert.equal(scope?.region, 'eu-west-3');
    assert.equal(scope?.service, 'ecs');
    assert.match(scope?.date ?? '', /^\d{8}$/);
  });

  it('reads a presigned URL', () => {
    const q = new URLSearchParams({ 'X-Amz-Credential': 'AKID/20260101/ap-northeast-2/ecr/aws4_request' });
    assert.deepEqual(credentialScope(undefined, q), { accessKeyId: 'AKID', date: '20260101', region: 'ap-northeast-2', service: 'ecr' });
  });

  it('rejects malformed headers and unsigned requests', () => {
    assert.equal(credentialScope('Bearer abc'), undefined);
    assert.equal(credentialScope('AWS4-HMAC-SHA256 Credential=AKID/2026/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=ab'), undefined);
    assert.equal(credentialScope(undefined), undefined);
  });
});
