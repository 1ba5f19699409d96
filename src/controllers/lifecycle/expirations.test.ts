/** The lifecycle controller's pure core; the controller with the ECR actions is test/lifecycle-controller.test.ts. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../common/index.ts';
import { DAY_MS, sha256Digest, type ImageRecord } from '../../registry/index.ts';
import { lifecycleExpirations } from './expirations.ts';

const clock = new ManualClock();
const expire = { type: 'expire' };

/** An untagged image of `web`, distinct per `seed`, pushed at `pushedAt`. */
const imageRecord = (_repository: string, seed: string, tags: string[], pushedAt: number): ImageRecord => ({
  repositoryName: 'web', digest: sha256Digest(Buffer.from(seed)), mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  manifestBase64: '', sizeInBytes: 1100, blobs: [], tags, pushedAt,
});

describe('lifecycleExpirations', () => {
  test('lifecycleExpirations is the evaluation of the policy text', () => {
    const now = clock.now();
    const text = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: expire }] }, null, 2);
    const a = imageRecord('web', 'a', [], now - DAY_MS);
    const b = imageRecord('web', 'b', [], now);
    assert.deepEqual(lifecycleExpirations(text, [b, a], now).map((e) => e.image.digest), [a.digest]);
    assert.throws(() => lifecycleExpirations('{}', [a], now), /lifecyclePolicyText/);
  });

});
