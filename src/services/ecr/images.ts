/**
 * The ECR image operations that read: ListImages, DescribeImages, BatchGetImage. They read the
 * image and tag records the registry writes when an image is pushed (docker push, PutImage),
 * and never write them. An image is one manifest, by digest; a tag names one image; an image
 * without tags is untagged.
 */
import type {
  Image, ImageDetail, ImageFailure, ImageFailureCode, ImageIdentifier, ImageStatusFilter, TagStatus,
} from '@aws-sdk/client-ecr';
import { paginate } from '../../aws/index.ts';
import {
  getScan, registryKeys, severityCounts, type ImageRecord, type RegistryScope, type RepositoryRecord, type ScanRecord, type TagRecord,
} from '../../registry/index.ts';
import { getDoc, listDocs, type Store } from '../../state/index.ts';
import { findRepository, need, repositoryNamed, repositoryResource, storeReader, toDate, type EcrOperationTable } from './common.ts';
import type { EcrDeps } from './deps.ts';
import { EcrErrors } from './errors.ts';

/** ECR's rule for an image digest, as its failure reasons quote it. */
export const DIGEST_PATTERN = '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+';
const DIGEST = new RegExp(`^${DIGEST_PATTERN}$`);
/** The characters a tag may have (the OCI tag grammar), up to ECR's 300 characters. */
export const TAG_PATTERN = '[a-zA-Z0-9_][a-zA-Z0-9._-]{0,299}';
const TAG = new RegExp(`^${TAG_PATTERN}$`);

/**
 * BatchGetImage's failure reasons: ECR's own words, but for InvalidImageTag (whose text ECR does
 * not document), written after ECR's digest reason.
 */
export const REASONS = {
  ImageNotFound: 'Requested image not found',
  MissingDigestAndTag: 'Invalid request parameters: both tag and digest cannot be null',
  InvalidImageDigest: `Invalid request parameters: image digest should satisfy the regex '${DIGEST_PATTERN}'`,
  InvalidImageTag: `Invalid request parameters: image tag should satisfy the regex '${TAG_PATTERN}'`,
  ImageTagDoesNotMatchDigest: 'Invalid request parameters: given tag does not map to the given digest',
} as const;

/** What an image reference resolved to: the image, or why not (an ECR failure code). */
type Resolution = { image: ImageRecord } | { failureCode: ImageFailureCode & keyof typeof REASONS };

/** Which tag status a ListImages/DescribeImages filter shows, and whether any image status it shows exists here (only ACTIVE does). */
function filterOf(filter: { tagStatus?: TagStatus; imageStatus?: ImageStatusFilter } | undefined): { tagStatus: TagStatus; showsActive: boolean } {
  const imageStatus = filter?.imageStatus ?? 'ACTIVE';
  return { tagStatus: filter?.tagStatus ?? 'ANY', showsActive: imageStatus === 'ACTIVE' || imageStatus === 'ANY' };
}

const matchesTagStatus = (image: ImageRecord, status: TagStatus) =>
  status === 'ANY' || (status === 'TAGGED' ? image.tags.length > 0 : image.tags.length === 0);

/** Every image of a repository, in digest order. */
async function imagesOf(store: Store, scope: RegistryScope, repository: string): Promise<ImageRecord[]> {
  return (await listDocs<ImageRecord>(store, registryKeys.images(scope, repository))).map((d) => d.value);
}

/** Finds the image a reference names, checking it the way BatchGetImage does. */
async function resolve(store: Store, scope: RegistryScope, repository: string, id: ImageIdentifier): Promise<Resolution> {
  const { imageDigest, imageTag } = id;
  if (imageDigest === undefined && imageTag === undefined) return { failureCode: 'MissingDigestAndTag' };
  if (imageDigest !== undefined && !DIGEST.test(imageDigest)) return { failureCode: 'InvalidImageDigest' };
  if (imageTag !== undefined && !TAG.test(imageTag)) return { failureCode: 'InvalidImageTag' };
  let digest = imageDigest!;
  if (imageTag !== undefined) {
    const tag = await getDoc<TagRecord>(store, registryKeys.tag(scope, repository, imageTag));
    if (!tag) return { failureCode: 'ImageNotFound' };
    if (imageDigest !== undefined && tag.value.digest !== imageDigest) return { failureCode: 'ImageTagDoesNotMatchDigest' };
    digest = tag.value.digest;
  }
  const image = await getDoc<ImageRecord>(store, registryKeys.image(scope, repository, digest));
  return image ? { image: image.value } : { failureCode: 'ImageNotFound' };
}

/** The images shown, each with its scan (read by key, only for the images of the answer). */
async function detailsOf(store: Store, scope: RegistryScope, repo: RepositoryRecord, images: ImageRecord[]): Promise<ImageDetail[]> {
  return Promise.all(images.map(async (x) => toImageDetail(x, repo, await getScan(store, scope, repo.name, x.digest))));
}

/** A stored image as DescribeImages shows it, with its scan's status and severity counts when it was scanned. */
export function toImageDetail(image: ImageRecord, repo: RepositoryRecord, scan?: ScanRecord): ImageDetail {
  return {
    registryId: repo.registryId,
    repositoryName: repo.name,
    imageDigest: image.digest,
    imageTags: image.tags.length ? [...image.tags] : undefined,
    imageSizeInBytes: image.sizeInBytes,
    imagePushedAt: new Date(image.pushedAt),
    imageManifestMediaType: image.mediaType,
    artifactMediaType: image.artifactType,
    lastRecordedPullTime: toDate(image.lastRecordedPullTime),
    subjectManifestDigest: image.subject,
    imageStatus: 'ACTIVE',
    ...(scan && { imageScanStatus: { status: scan.status, description: scan.description } }),
    ...(scan?.status === 'COMPLETE' && {
      imageScanFindingsSummary: {
        imageScanCompletedAt: toDate(scan.completedAt),
        vulnerabilitySourceUpdatedAt: toDate(scan.vulnerabilitySourceUpdatedAt),
        findingSeverityCounts: severityCounts(scan.findings ?? []),
      },
    }),
  };
}

/** The manifest bytes of an image as BatchGetImage returns them: the stored bytes, as text. */
const manifestText = (image: ImageRecord) => Buffer.from(image.manifestBase64, 'base64').toString('utf8');

/** The image read operations, bound to their dependencies. */
export function imageOperations(deps: EcrDeps): EcrOperationTable {
  return {
    ListImages: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const { tagStatus, showsActive } = filterOf(i.filter);
        await findRepository(storeReader(deps.store), registry, name);
        const entries: { key: string; id: ImageIdentifier }[] = [];
        for (const image of showsActive ? await imagesOf(deps.store, registry.scope, name) : []) {
          if (image.tags.length === 0) {
            if (tagStatus !== 'TAGGED') entries.push({ key: image.digest, id: { imageDigest: image.digest } });
          } else if (tagStatus !== 'UNTAGGED') {
            for (const tag of image.tags) entries.push({ key: `${image.digest}/${tag}`, id: { imageDigest: image.digest, imageTag: tag } });
          }
        }
        entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        const page = paginate(entries, (e) => e.key, i.nextToken, i.maxResults, EcrErrors.invalidParameter);
        return { imageIds: page.items.map((e) => e.id), nextToken: page.nextToken };
      },
    },

    DescribeImages: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const { imageIds, nextToken, maxResults } = i;
        const { tagStatus, showsActive } = filterOf(i.filter);
        if (imageIds && (nextToken !== undefined || maxResults !== undefined)) {
          throw EcrErrors.invalidParameter('nextToken and maxResults cannot be used when imageIds are specified.');
        }
        const repo = await findRepository(storeReader(deps.store), registry, name);
        if (!imageIds) {
          const shown = showsActive ? (await imagesOf(deps.store, registry.scope, name)).filter((x) => matchesTagStatus(x, tagStatus)) : [];
          const page = paginate(shown, (x) => x.digest, nextToken, maxResults, EcrErrors.invalidParameter);
          return { imageDetails: await detailsOf(deps.store, registry.scope, repo, page.items), nextToken: page.nextToken };
        }
        const found = new Map<string, ImageRecord>();
        for (const [n, id] of imageIds.entries()) {
          const r = await resolve(deps.store, registry.scope, name, id);
          if ('image' in r) {
            found.set(r.image.digest, r.image);
            continue;
          }
          const at = `imageIds[${n}]`;
          if (r.failureCode === 'MissingDigestAndTag') throw EcrErrors.constraint(at, 'both tag and digest cannot be null');
          if (r.failureCode === 'InvalidImageDigest') throw EcrErrors.constraint(`${at}.imageDigest`, `must satisfy regular expression '${DIGEST_PATTERN}'`);
          if (r.failureCode === 'InvalidImageTag') throw EcrErrors.constraint(`${at}.imageTag`, `must satisfy regular expression '${TAG_PATTERN}'`);
          throw EcrErrors.imageNotFound(id, name, registry.registryId);
        }
        return { imageDetails: await detailsOf(deps.store, registry.scope, repo, [...found.values()]) };
      },
    },

    BatchGetImage: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const imageIds = need(i.imageIds, 'imageIds');
        const accepted = i.acceptedMediaTypes;
        const repo = await findRepository(storeReader(deps.store), registry, name);
        const images: Image[] = [];
        const failures: ImageFailure[] = [];
        const seen = new Set<string>();
        for (const id of imageIds) {
          const r = await resolve(deps.store, registry.scope, name, id);
          if (!('image' in r)) {
            failures.push({ imageId: { ...id }, failureCode: r.failureCode, failureReason: REASONS[r.failureCode] });
            continue;
          }
          const { image } = r;
          if (accepted && !accepted.includes(image.mediaType)) {
            failures.push({
              imageId: { ...id },
              failureCode: 'ImageNotFound',
              failureReason: `${REASONS.ImageNotFound}: its manifest media type ${image.mediaType} is not one of the acceptedMediaTypes`,
            });
            continue;
          }
          // By digest, ECR returns the image once per tag it has; by tag, once with that tag.
          const tags: (string | undefined)[] = id.imageTag !== undefined ? [id.imageTag] : image.tags.length ? image.tags : [undefined];
          for (const tag of tags) {
            const key = `${image.digest}/${tag ?? ''}`;
            if (seen.has(key)) continue;
            seen.add(key);
            images.push({
              registryId: repo.registryId,
              repositoryName: repo.name,
              imageId: tag === undefined ? { imageDigest: image.digest } : { imageDigest: image.digest, imageTag: tag },
              imageManifest: manifestText(image),
              imageManifestMediaType: image.mediaType,
            });
          }
        }
        return { images, failures };
      },
    },
  };
}
