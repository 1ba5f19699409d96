import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signatureErrorCode, type SignatureErrorKind, type SignatureFamily } from './errors.ts';

const KINDS: SignatureErrorKind[] = [
  'MissingAuthenticationToken', 'IncompleteSignature', 'InvalidClientTokenId', 'InvalidToken', 'ExpiredToken',
  'SignatureDoesNotMatch', 'RequestExpired', 'PresignedUrlExpired', 'ContentSha256Mismatch',
];
const FAMILIES: SignatureFamily[] = ['json', 'rest-json', 'query', 'ec2', 'rest-xml'];

describe('signatureErrorCode', () => {
  it('gives every kind a 4xx code in every family', () => {
    for (const kind of KINDS) {
      for (const family of FAMILIES) {
        const wire = signatureErrorCode(kind, family);
        assert.match(wire.code, /^[A-Za-z0-9]+$/, `${kind}/${family}`);
        assert.ok(wire.status >= 400 && wire.status < 500, `${kind}/${family}: ${wire.status}`);
      }
    }
  });

  it('answers JSON services with their exception names and 400', () => {
    assert.deepEqual(signatureErrorCode('SignatureDoesNotMatch', 'json'), { code: 'InvalidSignatureException', status: 400 });
    assert.deepEqual(signatureErrorCode('RequestExpired', 'json'), { code: 'InvalidSignatureException', status: 400 });
    assert.deepEqual(signatureErrorCode('InvalidClientTokenId', 'json'), { code: 'UnrecognizedClientException', status: 400 });
    assert.deepEqual(signatureErrorCode('InvalidToken', 'json'), { code: 'UnrecognizedClientException', status: 400 });
    assert.deepEqual(signatureErrorCode('IncompleteSignature', 'json'), { code: 'IncompleteSignatureException', status: 400 });
    assert.deepEqual(signatureErrorCode('ExpiredToken', 'json'), { code: 'ExpiredTokenException', status: 400 });
    assert.deepEqual(signatureErrorCode('MissingAuthenticationToken', 'json'), { code: 'MissingAuthenticationTokenException', status: 400 });
    assert.equal(signatureErrorCode('SignatureDoesNotMatch', 'rest-json').status, 403);
  });

  it('answers Query services with their codes and 403s', () => {
    assert.deepEqual(signatureErrorCode('SignatureDoesNotMatch', 'query'), { code: 'SignatureDoesNotMatch', status: 403 });
    assert.deepEqual(signatureErrorCode('RequestExpired', 'query'), { code: 'SignatureDoesNotMatch', status: 403 });
    assert.deepEqual(signatureErrorCode('InvalidClientTokenId', 'query'), { code: 'InvalidClientTokenId', status: 403 });
    assert.deepEqual(signatureErrorCode('IncompleteSignature', 'query'), { code: 'IncompleteSignature', status: 400 });
    assert.deepEqual(signatureErrorCode('ExpiredToken', 'query'), { code: 'ExpiredToken', status: 403 });
    assert.deepEqual(signatureErrorCode('MissingAuthenticationToken', 'query'), { code: 'MissingAuthenticationToken', status: 403 });
    assert.deepEqual(signatureErrorCode('PresignedUrlExpired', 'query'), { code: 'RequestExpired', status: 400 });
  });

  it('gives EC2 and S3 their own fixed wording', () => {
    assert.deepEqual(signatureErrorCode('SignatureDoesNotMatch', 'ec2'),
      { code: 'AuthFailure', status: 401, message: 'AWS was not able to validate the provided access credentials' });
    assert.equal(signatureErrorCode('ExpiredToken', 'ec2').code, 'RequestExpired');
    assert.equal(signatureErrorCode('InvalidClientTokenId', 'rest-xml').code, 'InvalidAccessKeyId');
    assert.equal(signatureErrorCode('RequestExpired', 'rest-xml').code, 'RequestTimeTooSkewed');
    assert.equal(signatureErrorCode('ContentSha256Mismatch', 'rest-xml').code, 'XAmzContentSHA256Mismatch');
  });

  it('hands out copies, so a caller cannot change the table', () => {
    signatureErrorCode('SignatureDoesNotMatch', 'json').status = 500;
    assert.equal(signatureErrorCode('SignatureDoesNotMatch', 'json').status, 400);
  });
});
