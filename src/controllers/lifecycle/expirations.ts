/**
 * The lifecycle controller's pure core: which images a repository's lifecycle policy expires
 * now. It is ECR's evaluation itself (the registry's evaluateLifecyclePolicy), the very function
 * StartLifecyclePolicyPreview runs, so a preview shows exactly what a run then deletes.
 */
import { evaluateLifecyclePolicy, parseLifecyclePolicy, type ImageRecord, type LifecycleExpiration } from '../../registry/index.ts';

/**
 * The images `policyText` expires among `images` at `now` (epoch ms), each with its rule, in
 * deletion order: an image index before the children it references. Throws ECR's
 * InvalidParameterException for a policy that does not validate (a stored one always does).
 */
export function lifecycleExpirations(policyText: string, images: readonly ImageRecord[], now: number): LifecycleExpiration[] {
  return evaluateLifecyclePolicy(parseLifecyclePolicy(policyText), images, now).expired;
}
