/**
 * The lifecycle documents the registry keeps beside each repository: the last policy preview
 * (StartLifecyclePolicyPreview) and when the lifecycle controller last applied the policy.
 * Both carry the repository's `createdAt`, so a record left by a deleted repository of the same
 * name is ignored.
 */
import type { Reader } from '../images.ts';
import type { RegistryScope, RepositoryRecord } from '../records.ts';

/** One image a stored preview expires (epoch ms; turned into the SDK shape when read). */
export interface StoredPreviewResult {
  imageDigest: string;
  imageTags: string[];
  imagePushedAt: number;
  appliedRulePriority: number;
}

/** The last StartLifecyclePolicyPreview of a repository, as stored. */
export interface LifecyclePreviewRecord {
  /** The repository's createdAt when the preview ran: a preview of a deleted namesake is not shown. */
  repositoryCreatedAt: number;
  lifecyclePolicyText: string;
  status: 'COMPLETE';
  evaluatedAt: number;
  results: StoredPreviewResult[];
}

/** When the lifecycle controller last applied a repository's policy (GetLifecyclePolicy's lastEvaluatedAt). */
export interface LifecycleEvaluationRecord {
  repositoryCreatedAt: number;
  lastEvaluatedAt: number;
}

/** Where lifecycle previews and evaluation times live: kind first, then account, region and repository, as registryKeys. */
export const lifecycleKeys = {
  allPreviews: 'ecr/lifecycle-previews/',
  preview: (s: RegistryScope, repository: string) => `ecr/lifecycle-previews/${s.account}/${s.region}/${repository}`,
  allEvaluations: 'ecr/lifecycle-evaluations/',
  evaluation: (s: RegistryScope, repository: string) => `ecr/lifecycle-evaluations/${s.account}/${s.region}/${repository}`,
};

/** lastEvaluatedAt for a repository: the controller's record, if it is this repository's and ran the current policy. */
export async function lastEvaluatedAt(reader: Reader, scope: RegistryScope, repo: RepositoryRecord): Promise<number | undefined> {
  const record = await reader.get<LifecycleEvaluationRecord>(lifecycleKeys.evaluation(scope, repo.name));
  if (!record || record.repositoryCreatedAt !== repo.createdAt) return undefined;
  if (repo.lifecyclePolicyUpdatedAt !== undefined && record.lastEvaluatedAt < repo.lifecyclePolicyUpdatedAt) return undefined;
  return record.lastEvaluatedAt;
}
