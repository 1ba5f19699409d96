/**
 * A lifecycle evaluation (the registry's `evaluateLifecyclePolicy`) in the shapes of
 * GetLifecyclePolicyPreview's response.
 */
import type { LifecyclePolicyPreviewResult, LifecyclePolicyPreviewSummary } from '@aws-sdk/client-ecr';
import type { LifecycleEvaluation } from '../../registry/index.ts';

/** GetLifecyclePolicyPreview's `previewResults` and `summary` for an evaluation, in the SDK's shapes. */
export function toPreviewResults(result: LifecycleEvaluation): {
  previewResults: LifecyclePolicyPreviewResult[];
  summary: LifecyclePolicyPreviewSummary;
} {
  return {
    previewResults: result.expired.map(({ image, rule }) => ({
      imageDigest: image.digest,
      imageTags: [...image.tags],
      imagePushedAt: new Date(image.pushedAt),
      action: { type: 'EXPIRE' },
      appliedRulePriority: rule.rulePriority,
      storageClass: 'STANDARD',
    })),
    summary: { expiringImageTotalCount: result.expired.length },
  };
}
