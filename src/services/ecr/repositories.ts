/**
 * The ECR repository operations: CreateRepository, DescribeRepositories, DeleteRepository,
 * PutImageTagMutability, PutImageScanningConfiguration, DescribeRegistry. A repository is one
 * record; its images, tags and layer links are records of their own (written by the registry),
 * which DeleteRepository removes together with it (images only with `force`).
 */
import type { EncryptionConfiguration, ImageTagMutability, ImageTagMutabilityExclusionFilter } from '@aws-sdk/client-ecr';
import { paginate, requestTagConditions, type RequestContext } from '../../aws/index.ts';
import { blobLinkKeys, registryArns, registryKeys, type ImageRecord, type RepositoryRecord, type TagRecord } from '../../registry/index.ts';
import { listDocs, transact } from '../../state/index.ts';
import {
  checkTags, findRepository, need, registryOf, repositoryNamed, repositoryResource, scopeOf, storeReader, toApiRepository, updateRepository,
  type EcrOperationTable,
} from './common.ts';
import type { EcrDeps } from './deps.ts';
import { EcrErrors } from './errors.ts';

/** The mutability a request sets; ECR's `*_WITH_EXCLUSION` settings and their filters are not supported by Wharf. */
function mutabilityOf(value: ImageTagMutability | undefined, filters: ImageTagMutabilityExclusionFilter[] | undefined): RepositoryRecord['imageTagMutability'] | undefined {
  if (filters?.length) {
    throw EcrErrors.invalidParameter('imageTagMutabilityExclusionFilters are not supported by Wharf: use imageTagMutability MUTABLE or IMMUTABLE.');
  }
  if (value === undefined || value === 'MUTABLE' || value === 'IMMUTABLE') return value;
  throw EcrErrors.invalidParameter(`imageTagMutability ${value} is not supported by Wharf: use MUTABLE or IMMUTABLE.`);
}

/** The encryption a repository gets (AES256 when absent); a KMS key only goes with the KMS types. */
function encryptionOf(e: EncryptionConfiguration | undefined): RepositoryRecord['encryptionConfiguration'] {
  if (!e) return { encryptionType: 'AES256' };
  const encryptionType = need(e.encryptionType, 'encryptionConfiguration.encryptionType');
  if (e.kmsKey === undefined) return { encryptionType };
  if (encryptionType === 'AES256') throw EcrErrors.invalidParameter('encryptionConfiguration.kmsKey can only be given with encryptionType KMS or KMS_DSSE.');
  return { encryptionType, kmsKey: e.kmsKey };
}

/** DescribeRepositories is authorized on each repository it names, or on `*` when it lists the registry. */
function describedResources(input: { registryId?: string; repositoryNames?: string[] }, ctx: RequestContext): string[] {
  const names = input.repositoryNames ?? [];
  if (!names.length) return ['*'];
  return [...new Set(names)].map((name) => registryArns.repository({ account: input.registryId ?? ctx.account, region: ctx.region }, name));
}

/** The repository operations, bound to their dependencies. */
export function repositoryOperations(deps: EcrDeps): EcrOperationTable {
  return {
    CreateRepository: {
      authorization: { resources: repositoryResource, conditions: (i) => requestTagConditions(i.tags) },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const tags = checkTags(i.tags ?? []);
        const imageTagMutability = mutabilityOf(i.imageTagMutability, i.imageTagMutabilityExclusionFilters) ?? 'MUTABLE';
        const encryptionConfiguration = encryptionOf(i.encryptionConfiguration);
        // Tagging on create is also authorized as ecr:TagResource, as ECR does.
        if (tags.length) await ctx.authorize({ action: 'ecr:TagResource', resource: repositoryResource(i, ctx)[0], conditions: requestTagConditions(tags) });
        if (!registry.own) {
          throw EcrErrors.accessDenied(
            `You do not have sufficient access to perform this action: registry ${registry.registryId} is not the registry of account ${registry.scope.account}.`,
          );
        }
        const { scope } = registry;
        const record: RepositoryRecord = {
          name,
          arn: registryArns.repository(scope, name),
          registryId: scope.account,
          uri: `${deps.registryHost()}/${name}`,
          createdAt: deps.clock.now(),
          imageTagMutability,
          imageScanningConfiguration: { scanOnPush: i.imageScanningConfiguration?.scanOnPush ?? false },
          encryptionConfiguration,
          tags,
        };
        await transact(deps.store, async (tx) => {
          if (await tx.get(registryKeys.repository(scope, name))) throw EcrErrors.repositoryAlreadyExists(name, scope.account);
          tx.put(registryKeys.repository(scope, name), record);
        });
        return { repository: toApiRepository(record, deps.registryHost()) };
      },
    },

    DescribeRepositories: {
      authorization: { resources: describedResources },
      handler: async (i, ctx) => {
        const registry = registryOf(i.registryId, ctx);
        const host = deps.registryHost();
        if (i.repositoryNames) {
          if (i.nextToken !== undefined || i.maxResults !== undefined) {
            throw EcrErrors.invalidParameter('nextToken and maxResults cannot be used when repositoryNames are specified.');
          }
          const reader = storeReader(deps.store);
          const found: RepositoryRecord[] = [];
          for (const name of new Set(i.repositoryNames)) found.push(await findRepository(reader, registry, name));
          return { repositories: found.map((r) => toApiRepository(r, host)) };
        }
        const all = registry.own ? (await listDocs<RepositoryRecord>(deps.store, registryKeys.repositories(registry.scope))).map((d) => d.value) : [];
        const page = paginate(all, (r) => r.name, i.nextToken, i.maxResults, EcrErrors.invalidParameter);
        return { repositories: page.items.map((r) => toApiRepository(r, host)), nextToken: page.nextToken };
      },
    },

    DeleteRepository: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const { scope } = registry;
        const deleted = await transact(deps.store, async (tx) => {
          const repo = await findRepository(tx, registry, name);
          const images = await listDocs<ImageRecord>(deps.store, registryKeys.images(scope, name));
          if (images.length > 0 && !i.force) throw EcrErrors.repositoryNotEmpty(name, registry.registryId);
          const tags = await listDocs<TagRecord>(deps.store, registryKeys.tags(scope, name));
          const links = await listDocs<unknown>(deps.store, blobLinkKeys.links(scope, name));
          for (const doc of [...images, ...tags, ...links]) {
            tx.guard(doc.key, doc.modRevision);
            tx.delete(doc.key);
          }
          tx.delete(registryKeys.repository(scope, name));
          return repo;
        });
        return { repository: toApiRepository(deleted, deps.registryHost()) };
      },
    },

    PutImageTagMutability: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const imageTagMutability = mutabilityOf(need(i.imageTagMutability, 'imageTagMutability'), i.imageTagMutabilityExclusionFilters)!;
        const repo = await updateRepository(deps.store, registry, name, (r) =>
          r.imageTagMutability === imageTagMutability ? r : { ...r, imageTagMutability });
        return { registryId: repo.registryId, repositoryName: repo.name, imageTagMutability: repo.imageTagMutability };
      },
    },

    PutImageScanningConfiguration: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const scanOnPush = need(i.imageScanningConfiguration, 'imageScanningConfiguration').scanOnPush ?? false;
        const repo = await updateRepository(deps.store, registry, name, (r) =>
          r.imageScanningConfiguration.scanOnPush === scanOnPush ? r : { ...r, imageScanningConfiguration: { scanOnPush } });
        return { registryId: repo.registryId, repositoryName: repo.name, imageScanningConfiguration: { ...repo.imageScanningConfiguration } };
      },
    },

    DescribeRegistry: {
      handler: async (_i, ctx) => ({ registryId: scopeOf(ctx).account, replicationConfiguration: { rules: [] } }),
    },
  };
}
