import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registryImageRef } from './registry-image.ts';

describe('registryImageRef', () => {
  it('maps ECR host forms and the registry host itself to the registry, and nothing else', () => {
    const host = '127.0.0.1:8040';
    assert.equal(registryImageRef('123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/my-sample-app:latest', host), '127.0.0.1:8040/my-sample-app:latest');
    assert.equal(registryImageRef('123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app@sha256:abc', host), '127.0.0.1:8040/team/app@sha256:abc');
    assert.equal(registryImageRef('127.0.0.1:8040/my-app:1', host), '127.0.0.1:8040/my-app:1');
    assert.equal(registryImageRef('wharf-test/busybox:latest', host), undefined);
    assert.equal(registryImageRef('busybox', host), undefined);
    assert.equal(registryImageRef('ghcr.io/org/app:1', host), undefined);
    assert.equal(registryImageRef('12345.dkr.ecr.us-east-1.amazonaws.com/app', host), undefined, 'account ids have 12 digits');
  });
});
