import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { instanceIdentityDocument, loadInstanceIdentitySigner } from './instance-identity.ts';
import { identityTestbed, type IdentityTestbed } from './testing.ts';

describe('instance identity documents', () => {
  let bed: IdentityTestbed;
  beforeEach(() => {
    bed = identityTestbed();
  });
  afterEach(() => bed.close());

  const document = instanceIdentityDocument({
    accountId: '123456789012', region: 'us-east-1', availabilityZone: 'us-east-1b', instanceId: 'i-0abc1234def567890', instanceType: 't3.micro',
    imageId: 'ami-0123456789abcdef0', privateIp: '10.0.1.10', architecture: 'x86_64', pendingTime: Date.UTC(2026, 11, 4, 9, 0, 0, 123),
  });

  it('are written with the metadata service\'s fields', () => {
    const doc = JSON.parse(document);
    assert.equal(doc.instanceId, 'i-0abc1234def567890');
    assert.equal(doc.pendingTime, '2026-12-04T09:00:00Z');
    assert.equal(doc.version, '2017-09-30');
    assert.equal(doc.kernelId, null);
  });

  it('are signed with one key kept in the store: every signer made from it verifies, a changed document or signature fails', async () => {
    const signer = await loadInstanceIdentitySigner(bed.env.store, bed.clock);
    const again = await loadInstanceIdentitySigner(bed.env.store, bed.clock);
    assert.equal(again.publicKeyPem, signer.publicKeyPem);
    const signature = signer.sign(document);
    assert.equal(again.verify(document, signature), true);
    assert.equal(again.verify(document, signature.replace(/(.{64})/g, '$1\n')), true, 'base64 split over lines');
    assert.equal(again.verify(document.replace('t3.micro', 't3.large'), signature), false);
    assert.equal(again.verify(document, Buffer.alloc(256, 1).toString('base64')), false);
    assert.equal(again.verify(document, 'not base64 at all!'), false);
    assert.equal(again.verify(document, ''), false);
  });
});
