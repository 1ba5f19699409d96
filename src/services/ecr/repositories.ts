/**
 * The ECR repository actions: CreateRepository, DescribeRepositories, DeleteRepository,
 * PutImageTagMutability, PutImageScanningConfiguration, DescribeRegistry. A repository is one
 * record; its images, tags and layer links are records of their own (written by the registry),
 * which DeleteRepository removes together with it (images only with `force`).
 */
import type {
  CreateRepositoryResponse, DeleteRepositoryResponse, DescribeRegistryResponse, DescribeRepositoriesResponse,
  PutImageScanningConfigurationResponse, PutImageTagMutabilityResponse,
} from '@aws-sdk/client-ecr';
import { paginate, type ActionHandler, type Fields } from '../../aws/index.ts';
import { blobLinkKeys, registryArns, registryKeys, type ImageRecord, type RepositoryRecord, type TagRecord } from '../../registry/index.ts';
import { listDocs, transact } from '../../state/index.ts';
import {
  checkCount, checkRepositoryName, ecrFields, findRepository, readMaxResults, readRegistry, readRepositoryName, readTags,
  scopeOf, storeReader, toApiRepository, updateRepository,
} from './common.ts';
import type { EcrDeps } from './deps.ts';
import { EcrErrors } from './errors.ts';

/** The tag mutability settings a Wharf repository can have. */
export const TAG_MUTABILITY = ['MUTABLE', 'IMMUTABLE'] as const;

const ENCRYPTION_TYPES = ['AES256', 'KMS', 'KMS_DSSE'] as const;

/** Reads `imageTagMutability`; the `*_WITH_EXCLUSION` settings and their filters are not supported. */
function readMutability(f: Fields, rules: { required?: boolean } = {}): RepositoryRecord['imageTagMutability'] | undefined {
  const value = f.enum('imageTagMutability', TAG_MUTABILITY, rules);
  const filters = f.objects('imageTagMutabilityExclusionFilters');
  if (filters?.length) {
    throw EcrErrors.invalidParameter(`${f.at('imageTagMutabilityExclusionFilters')} are not supported: use imageTagMutability MUTABLE or IMMUTABLE.`);
  }
  return value;
}

/** Reads `encryptionConfiguration` (AES256 when absent); a KMS key only goes with the KMS types. */
function readEncryption(f: Fields): RepositoryRecord['encryptionConfiguration'] {
  const e = f.object('encryptionConfiguration');
  if (!e) return { encryptionType: 'AES256' };
  const encryptionType = e.enum('encryptionType', ENCRYPTION_TYPES, { required: true });
  const kmsKey = e.string('kmsKey');
  if (kmsKey === undefined) return { encryptionType };
  if (kmsKey.length < 1 || kmsKey.length > 2048) {
    throw EcrErrors.constraint(e.at('kmsKey'), `Member must have length ${kmsKey.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 2048'}`);
  }
  if (encryptionType === 'AES256') throw EcrErrors.invalidParameter(`${e.at('kmsKey')} can only be given with encryptionType KMS or KMS_DSSE.`);
  return { encryptionType, kmsKey };
}

/** The repository actions, bound to their dependencies. */
export function repositoryActions(deps: EcrDeps): Record<string, ActionHandler> {
  return {
    async CreateRepository(input, ctx): Promise<CreateRepositoryResponse> {
      const f = ecrFields(input);
      const registry = readRegistry(f, ctx);
      const name = readRepositoryName(f);
      const tags = readTags(f) ?? [];
      const imageTagMutability = readMutability(f) ?? 'MUTABLE';
      const scanOnPush = f.object('imageScanningConfiguration')?.bool('scanOnPush') ?? false;
      const encryptionConfiguration = readEncryption(f);
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
        imageScanningConfiguration: { scanOnPush },
        encryptionConfiguration,
        tags: tags.map((t) => ({ Key: t.Key!, Value: t.Value! })),
      };
      await transact(deps.store, async (tx) => {
        if (await tx.get(registryKeys.repository(scope, name))) throw EcrErrors.repositoryAlreadyExists(name, scope.account);
        tx.put(registryKeys.repository(scope, name), record);
      });
      return { repository: toApiRepository(record, deps.registryHost()) };
    },

    async DescribeRepositories(input, ctx): Promise<DescribeRepositoriesResponse> {
      const f = ecrFields(input);
      const registry = readRegistry(f, ctx);
      const names = f.strings('repositoryNames');
      const nextToken = f.string('nextToken');
      const maxResults = readMaxResults(f);
      const host = deps.registryHost();
      if (names) {
        checkCount(f.at('repositoryNames'), names.length, 1, 100);
        names.forEach((name, i) => checkRepositoryName(name, `${f.at('repositoryNames')}[${i}]`));
        if (nextToken !== undefined || maxResults !== undefined) {
          throw EcrErrors.invalidParameter('nextToken and maxResults cannot be used when repositoryNames are specified.');
        }
        const reader = storeReader(deps.store);
        const found: RepositoryRecord[] = [];
        for (const name of new Set(names)) found.push(await findRepository(reader, registry, name));
        return { repositories: found.map((r) => toApiRepository(r, host)) };
      }
      const all = registry.own ? (await listDocs<RepositoryRecord>(deps.store, registryKeys.repositories(registry.scope))).map((d) => d.value) : [];
      const page = paginate(all, (r) => r.name, nextToken, maxResults, EcrErrors.invalidParameter);
      return { repositories: page.items.map((r) => toApiRepository(r, host)), nextToken: page.nextToken };
    },

    async DeleteRepository(input, ctx): Promise<DeleteRepositoryResponse> {
      const f = ecrFields(input);
      const registry = readRegistry(f, ctx);
      const name = readRepositoryName(f);
      const force = f.bool('force') ?? false;
      const { scope } = registry;
      const deleted = await transact(deps.store, async (tx) => {
        const repo = await findRepository(tx, registry, name);
        const images = await listDocs<ImageRecord>(deps.store, registryKeys.images(scope, name));
        if (images.length > 0 && !force) throw EcrErrors.repositoryNotEmpty(name, registry.registryId);
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

    async PutImageTagMutability(input, ctx): Promise<PutImageTagMutabilityResponse> {
      const f = ecrFields(input);
      const registry = readRegistry(f, ctx);
      const name = readRepositoryName(f);
      const imageTagMutability = readMutability(f, { required: true })!;
      const repo = await updateRepository(deps.store, registry, name, (r) =>
        r.imageTagMutability === imageTagMutability ? r : { ...r, imageTagMutability });
      return { registryId: repo.registryId, repositoryName: repo.name, imageTagMutability: repo.imageTagMutability };
    },

    async PutImageScanningConfiguration(input, ctx): Promise<PutImageScanningConfigurationResponse> {
      const f = ecrFields(input);
      const registry = readRegistry(f, ctx);
      const name = readRepositoryName(f);
      const scanOnPush = f.object('imageScanningConfiguration', { required: true }).bool('scanOnPush') ?? false;
      const repo = await updateRepository(deps.store, registry, name, (r) =>
        r.imageScanningConfiguration.scanOnPush === scanOnPush ? r : { ...r, imageScanningConfiguration: { scanOnPush } });
      return { registryId: repo.registryId, repositoryName: repo.name, imageScanningConfiguration: { ...repo.imageScanningConfiguration } };
    },

    async DescribeRegistry(input, ctx): Promise<DescribeRegistryResponse> {
      ecrFields(input);
      return { registryId: scopeOf(ctx).account, replicationConfiguration: { rules: [] } };
    },
  };
}
