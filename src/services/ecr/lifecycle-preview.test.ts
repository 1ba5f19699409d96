import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DAY_MS, evaluateLifecyclePolicy, parseLifecyclePolicy, type ImageRecord } from '../../registry/index.ts';
import { toPreviewResults } from './lifecycle-preview.ts';

type Json = Record<string, unknown>;

const NOW = Date.UTC(2025, 5, 30, 12);

/** An image named `name` (its digest derived from the name), pushed `pushedDaysAgo` days before NOW. */
function image(name: string, tags: string[], pushedDaysAgo: number): ImageRecord {
  const digest = `sha256:${Buffer.from(name).toString('hex').padStart(64, '0')}`;
  return {
    repositoryName: 'app', digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', manifestBase64: '',
    sizeInBytes: 1024, blobs: [], tags, pushedAt: NOW - pushedDaysAgo * DAY_MS,
  };
}
const digest = (name: string) => image(name, [], 0).digest;

/** Parses a policy given as the documentation writes it (through the real validator). */
const policyOf = (rules: Json[]) => parseLifecyclePolicy(JSON.stringify({ rules }, null, 2));
const expire = { type: 'expire' };

describe('toPreviewResults', () => {
  test('has GetLifecyclePolicyPreview\'s shape: one EXPIRE result per image, with the applied rule priority', () => {
    const images = [image('A', ['beta-1', 'prod-1'], 10), image('B', [], 9), image('C', ['prod-2'], 8)];
    const policy = policyOf([
      { rulePriority: 3, selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 }, action: expire },
      { rulePriority: 7, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 5 }, action: expire },
      { rulePriority: 8, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 9 }, action: expire },
    ]);
    assert.deepEqual(toPreviewResults(evaluateLifecyclePolicy(policy, images, NOW)), {
      previewResults: [
        { imageDigest: digest('A'), imageTags: ['beta-1', 'prod-1'], imagePushedAt: new Date(NOW - 10 * DAY_MS), action: { type: 'EXPIRE' }, appliedRulePriority: 3, storageClass: 'STANDARD' },
      ],
      summary: { expiringImageTotalCount: 1 },
    });
    assert.deepEqual(toPreviewResults({ expired: [] }), { previewResults: [], summary: { expiringImageTotalCount: 0 } });
  });
});
