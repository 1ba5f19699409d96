/**
 * ECR lifecycle policies as the registry keeps them: parsing and validating a policy, the pure
 * evaluation of which images it expires, and the preview and evaluation records kept beside
 * each repository. The ECR actions (PutLifecyclePolicy, previews) and the lifecycle controller
 * both build on these, through the registry's index.ts.
 */
export {
  LIFECYCLE_POLICY_TEXT_LENGTH, MAX_TAG_PATTERN_WILDCARDS, parseLifecyclePolicy,
  type LifecycleCount, type LifecyclePolicy, type LifecycleRule, type LifecycleSelection, type LifecycleTagSelection, type TagStatus,
} from './policy.ts';
export {
  DAY_MS, evaluateLifecyclePolicy, matchesTagPattern, selectsImage, type LifecycleEvaluation, type LifecycleExpiration,
} from './evaluate.ts';
export {
  lastEvaluatedAt, lifecycleKeys, type LifecycleEvaluationRecord, type LifecyclePreviewRecord, type StoredPreviewResult,
} from './records.ts';
