/**
 * The ECR lifecycle policy operations: PutLifecyclePolicy, GetLifecyclePolicy,
 * DeleteLifecyclePolicy, StartLifecyclePolicyPreview and GetLifecyclePolicyPreview.
 *
 * The policy is validated once, here at the edge (the registry's parseLifecyclePolicy), and
 * kept on the repository record as the text given. Applying it is the lifecycle controller's
 * work (src/controllers/lifecycle), which records when it last ran under
 * `lifecycleKeys.evaluation`. A preview is evaluated at once against the repository's images
 * with the same pure function the controller uses, and stored COMPLETE under
 * `lifecycleKeys.preview` (ECR runs previews asynchronously; a finished one is all a caller can
 * observe anyway). Both records and their keys are the registry's (src/registry/lifecycle).
 */
import type { ImageIdentifier, LifecyclePolicyPreviewResult } from '@aws-sdk/client-ecr';
import { paginate } from '../../aws/index.ts';
import {
  evaluateLifecyclePolicy, lastEvaluatedAt, lifecycleKeys, parseLifecyclePolicy, registryKeys,
  type ImageRecord, type LifecyclePreviewRecord, type RepositoryRecord, type StoredPreviewResult,
} from '../../registry/index.ts';
import { transact } from '../../state/index.ts';
import {
  findRepository, need, repositoryNamed, repositoryResource, storeReader, toDate, updateRepository, type EcrOperationTable,
} from './common.ts';
import type { EcrDeps } from './deps.ts';
import { EcrErrors } from './errors.ts';

/** Whether a preview result is one of the images `ids` name (every member given must match). */
const namedBy = (ids: ImageIdentifier[], r: StoredPreviewResult) =>
  ids.some((id) => (id.imageDigest !== undefined || id.imageTag !== undefined)
    && (id.imageDigest === undefined || id.imageDigest === r.imageDigest)
    && (id.imageTag === undefined || r.imageTags.includes(id.imageTag)));

const toApiResult = (r: StoredPreviewResult): LifecyclePolicyPreviewResult => ({
  imageDigest: r.imageDigest,
  imageTags: r.imageTags.length ? [...r.imageTags] : undefined,
  imagePushedAt: new Date(r.imagePushedAt),
  action: { type: 'EXPIRE' },
  appliedRulePriority: r.appliedRulePriority,
  storageClass: 'STANDARD',
});

/** The lifecycle policy operations, bound to their dependencies. */
export function lifecycleOperations(deps: EcrDeps): EcrOperationTable {
  return {
    PutLifecyclePolicy: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const text = need(i.lifecyclePolicyText, 'lifecyclePolicyText');
        parseLifecyclePolicy(text);
        const now = deps.clock.now();
        const repo = await updateRepository(deps.store, registry, name, (r) =>
          (r.lifecyclePolicyText === text ? r : { ...r, lifecyclePolicyText: text, lifecyclePolicyUpdatedAt: now }));
        return { registryId: repo.registryId, repositoryName: repo.name, lifecyclePolicyText: text };
      },
    },

    GetLifecyclePolicy: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const reader = storeReader(deps.store);
        const repo = await findRepository(reader, registry, name);
        if (repo.lifecyclePolicyText === undefined) throw EcrErrors.lifecyclePolicyNotFound(name, registry.registryId);
        return {
          registryId: repo.registryId,
          repositoryName: repo.name,
          lifecyclePolicyText: repo.lifecyclePolicyText,
          lastEvaluatedAt: toDate(await lastEvaluatedAt(reader, registry.scope, repo)),
        };
      },
    },

    DeleteLifecyclePolicy: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        return transact(deps.store, async (tx) => {
          const repo = await findRepository(tx, registry, name);
          const text = repo.lifecyclePolicyText;
          if (text === undefined) throw EcrErrors.lifecyclePolicyNotFound(name, registry.registryId);
          const evaluated = await lastEvaluatedAt(tx, registry.scope, repo);
          const { lifecyclePolicyText: _text, lifecyclePolicyUpdatedAt: _at, ...rest } = repo;
          tx.put<RepositoryRecord>(registryKeys.repository(registry.scope, name), rest);
          tx.delete(lifecycleKeys.evaluation(registry.scope, name));
          return { registryId: repo.registryId, repositoryName: repo.name, lifecyclePolicyText: text, lastEvaluatedAt: toDate(evaluated) };
        });
      },
    },

    StartLifecyclePolicyPreview: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const given = i.lifecyclePolicyText;
        if (given !== undefined) parseLifecyclePolicy(given);
        const now = deps.clock.now();
        return transact(deps.store, async (tx) => {
          const repo = await findRepository(tx, registry, name);
          const text = given ?? repo.lifecyclePolicyText;
          if (text === undefined) throw EcrErrors.lifecyclePolicyNotFound(name, registry.registryId);
          const images = await tx.list<ImageRecord>(registryKeys.images(registry.scope, name));
          const { expired } = evaluateLifecyclePolicy(parseLifecyclePolicy(text), images, now);
          const record: LifecyclePreviewRecord = {
            repositoryCreatedAt: repo.createdAt,
            lifecyclePolicyText: text,
            status: 'COMPLETE',
            evaluatedAt: now,
            results: expired.map(({ image, rule }) => ({
              imageDigest: image.digest, imageTags: [...image.tags], imagePushedAt: image.pushedAt, appliedRulePriority: rule.rulePriority,
            })),
          };
          tx.put(lifecycleKeys.preview(registry.scope, name), record);
          return { registryId: repo.registryId, repositoryName: repo.name, lifecyclePolicyText: text, status: record.status };
        });
      },
    },

    GetLifecyclePolicyPreview: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const { imageIds, nextToken, maxResults } = i;
        if (imageIds && (nextToken !== undefined || maxResults !== undefined)) {
          throw EcrErrors.invalidParameter('nextToken and maxResults cannot be used when imageIds are specified.');
        }
        const tagStatus = i.filter?.tagStatus ?? 'ANY';
        const reader = storeReader(deps.store);
        const repo = await findRepository(reader, registry, name);
        const preview = await reader.get<LifecyclePreviewRecord>(lifecycleKeys.preview(registry.scope, name));
        if (!preview || preview.repositoryCreatedAt !== repo.createdAt) throw EcrErrors.lifecyclePolicyPreviewNotFound();

        // Results keep the preview's order (the order the controller deletes in); the position is the paging key.
        const shown = preview.results
          .map((result, i) => ({ result, key: String(i).padStart(8, '0') }))
          .filter(({ result }) => tagStatus === 'ANY' || (tagStatus === 'TAGGED') === (result.imageTags.length > 0))
          .filter(({ result }) => !imageIds || namedBy(imageIds, result));
        const page = imageIds ? { items: shown, nextToken: undefined } : paginate(shown, (e) => e.key, nextToken, maxResults, EcrErrors.invalidParameter);
        return {
          registryId: repo.registryId,
          repositoryName: repo.name,
          lifecyclePolicyText: preview.lifecyclePolicyText,
          status: preview.status,
          previewResults: page.items.map((e) => toApiResult(e.result)),
          nextToken: page.nextToken,
          summary: { expiringImageTotalCount: preview.results.length },
        };
      },
    },
  };
}
