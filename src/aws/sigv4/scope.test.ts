import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../common/index.ts';
import { credentialScope } from './scope.ts';

describe('credentialScope', () => {
  it('reads the scope of a request signed by the AWS signer', async () => {
    const signer = new SignatureV4({
      service: 'ecs',
      region: 'eu-west-3',
      sha256: NodeSha256,
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
