import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deletedActions, imageActionEvent, imageScanEvent } from './image-events.ts';
import type { ImageRecord } from './records.ts';

const DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234';
const scope = { account: '123456789012', region: 'us-east-1' };

describe('imageActionEvent', () => {
  it('a push by tag, shaped as ECR documents it: kebab-case fields, no resources', () => {
    assert.deepEqual(imageActionEvent({ actionType: 'PUSH', repositoryName: 'my-repository-name', digest: DIGEST, tag: 'latest' }), {
      source: 'aws.ecr', detailType: 'ECR Image Action', resources: [],
      detail: { result: 'SUCCESS', 'repository-name': 'my-repository-name', 'image-digest': DIGEST, 'action-type': 'PUSH', 'image-tag': 'latest' },
    });
  });

  it('a push by digest has no image-tag; a deleted image has one DELETE per tag it had', () => {
    assert.equal('image-tag' in imageActionEvent({ actionType: 'PUSH', repositoryName: 'r', digest: DIGEST }).detail, false);
    assert.deepEqual(deletedActions('r', DIGEST, ['a', 'b']).map((a) => imageActionEvent(a).detail), [
      { result: 'SUCCESS', 'repository-name': 'r', 'image-digest': DIGEST, 'action-type': 'DELETE', 'image-tag': 'a' },
      { result: 'SUCCESS', 'repository-name': 'r', 'image-digest': DIGEST, 'action-type': 'DELETE', 'image-tag': 'b' },
    ]);
    assert.deepEqual(deletedActions('r', DIGEST, []), [{ actionType: 'DELETE', repositoryName: 'r', digest: DIGEST }]);
  });
});

describe('imageScanEvent', () => {
  const image = { repositoryName: 'my-repository-name', digest: DIGEST, tags: ['latest'] } as unknown as ImageRecord;

  it('a completed scan: scan-status, finding-severity-counts, digest and tags, the repository ARN the resource', () => {
    const findings = [{ severity: 'CRITICAL' }, { severity: 'MEDIUM' }, { severity: 'CRITICAL' }] as never;
    assert.deepEqual(imageScanEvent(scope, image, { status: 'COMPLETE', description: '', startedAt: 0, completedAt: 1, findings }), {
      source: 'aws.ecr', detailType: 'ECR Image Scan', resources: ['arn:aws:ecr:us-east-1:123456789012:repository/my-repository-name'],
      detail: {
        'scan-status': 'COMPLETE', 'repository-name': 'my-repository-name', 'finding-severity-counts': { CRITICAL: 2, MEDIUM: 1 },
        'image-digest': DIGEST, 'image-tags': ['latest'],
      },
    });
  });

  it('none while the scan is in progress', () => {
    assert.equal(imageScanEvent(scope, image, { status: 'IN_PROGRESS', description: '', startedAt: 0 }), undefined);
  });
});
