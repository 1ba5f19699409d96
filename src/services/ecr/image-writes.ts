/**
 * The ECR image operations that write: PutImage and BatchDeleteImage. They go through the
 * registry's own image operations (putManifest, deleteImage, deleteTag), so an image put here
 * is pulled by docker and one docker pushed is deleted here, with the same checks: every blob a
 * manifest names must be in the repository, an IMMUTABLE repository never moves a tag, an
 * image an index lists stays until the index goes.
 */
import type {
  BatchDeleteImageRequest, BatchDeleteImageResponse, ImageFailure, ImageFailureCode, ImageIdentifier, PutImageRequest, PutImageResponse,
} from '@aws-sdk/client-ecr';
import type { RequestContext } from '../../aws/index.ts';
import {
  RegistryError, deleteImage, deleteTag, deletedActions, putManifest, registryKeys, sha256Digest, type ImageAction, type TagRecord,
} from '../../registry/index.ts';
import { transact } from '../../state/index.ts';
import { findRepository, need, repositoryNamed, repositoryResource, storeReader, type EcrOperationTable } from './common.ts';
import type { EcrDeps } from './deps.ts';
import { EcrErrors } from './errors.ts';
import { DIGEST_PATTERN, REASONS, TAG_PATTERN } from './images.ts';
import { blobsOf, fromRegistryError } from './registry-access.ts';

const DIGEST = new RegExp(`^${DIGEST_PATTERN}$`);
const TAG = new RegExp(`^${TAG_PATTERN}$`);

/** PutImage: the manifest put through the registry's own push path, its digest checked against the one given. */
async function putImage(deps: EcrDeps, i: PutImageRequest, ctx: RequestContext): Promise<PutImageResponse> {
  const { registry, name } = repositoryNamed(i, ctx);
  const manifest = need(i.imageManifest, 'imageManifest');
  const { imageManifestMediaType: mediaType, imageTag, imageDigest } = i;
  if (imageDigest !== undefined && !DIGEST.test(imageDigest)) {
    throw EcrErrors.constraint('imageDigest', `must satisfy regular expression '${DIGEST_PATTERN}'`);
  }
  const bytes = Buffer.from(manifest, 'utf8');
  const digest = sha256Digest(bytes);
  if (imageDigest !== undefined && imageDigest !== digest) {
    throw EcrErrors.imageDigestDoesNotMatch(
      `The specified image digest '${imageDigest}' does not match the digest '${digest}' that Amazon ECR calculated for the image.`,
    );
  }
  await findRepository(storeReader(deps.store), registry, name);
  const blobs = blobsOf(deps);
  const site = { repositoryName: name, registryId: registry.registryId };
  const result = await transact(deps.store, async (tx) => {
    const repo = await findRepository(tx, registry, name);
    try {
      const now = deps.clock.now();
      const pushed = await putManifest(tx, registry.scope, name, bytes, mediaType, imageTag ?? digest, { now, blobs });
      if (pushed.changed) await deps.events?.imageActions?.(tx, registry.scope, [{ actionType: 'PUSH', repositoryName: name, digest: pushed.image.digest, tag: pushed.tag }], now);
      return { repo, pushed };
    } catch (error) {
      throw fromRegistryError(error, site);
    }
  });
  const { repo, pushed } = result;
  if (!pushed.changed) throw EcrErrors.imageAlreadyExists(pushed.image.digest, imageTag ?? 'null', name, registry.registryId);
  return {
    image: {
      registryId: repo.registryId,
      repositoryName: repo.name,
      imageId: imageTag === undefined ? { imageDigest: pushed.image.digest } : { imageDigest: pushed.image.digest, imageTag },
      imageManifest: manifest,
      imageManifestMediaType: pushed.image.mediaType,
    },
  };
}

/** BatchDeleteImage: each reference removed (a tag, or an image with all its tags), failures reported per reference. */
async function batchDeleteImage(deps: EcrDeps, i: BatchDeleteImageRequest, ctx: RequestContext): Promise<BatchDeleteImageResponse> {
  const { registry, name } = repositoryNamed(i, ctx);
  const imageIds = need(i.imageIds, 'imageIds');
  await findRepository(storeReader(deps.store), registry, name);
  const { scope } = registry;
  // One transaction for the batch: later entries see what earlier ones removed.
  return transact(deps.store, async (tx) => {
    await findRepository(tx, registry, name);
    const deleted: ImageIdentifier[] = [];
    const failures: ImageFailure[] = [];
    const actions: ImageAction[] = [];
    const fail = (imageId: ImageIdentifier, failureCode: ImageFailureCode & keyof typeof REASONS) =>
      failures.push({ imageId: { ...imageId }, failureCode, failureReason: REASONS[failureCode] });
    for (const id of imageIds) {
      const { imageDigest, imageTag } = id;
      if (imageDigest === undefined && imageTag === undefined) {
        fail(id, 'MissingDigestAndTag');
        continue;
      }
      if (imageDigest !== undefined && !DIGEST.test(imageDigest)) {
        fail(id, 'InvalidImageDigest');
        continue;
      }
      if (imageTag !== undefined && !TAG.test(imageTag)) {
        fail(id, 'InvalidImageTag');
        continue;
      }
      try {
        if (imageTag !== undefined) {
          // A tag (with or without its digest) removes the tag; removing an image's last tag deletes the image.
          if (imageDigest !== undefined) {
            const tag = await tx.get<TagRecord>(registryKeys.tag(scope, name, imageTag));
            if (tag && tag.digest !== imageDigest) {
              fail(id, 'ImageTagDoesNotMatchDigest');
              continue;
            }
          }
          const removed = await deleteTag(tx, scope, name, imageTag, { deleteUntaggedImage: true });
          deleted.push({ imageDigest: removed.digest, imageTag });
          actions.push(...deletedActions(name, removed.digest, [imageTag]));
        } else {
          // A digest deletes the image and every tag on it; the answer names each tag it had.
          const image = await deleteImage(tx, scope, name, imageDigest!);
          actions.push(...deletedActions(name, image.digest, image.tags));
          if (image.tags.length === 0) deleted.push({ imageDigest: image.digest });
          for (const tag of image.tags) deleted.push({ imageDigest: image.digest, imageTag: tag });
        }
      } catch (error) {
        if (!(error instanceof RegistryError)) throw error;
        if (error.ecrCode === 'ImageReferencedByManifestList') {
          const index = (error.detail as { index?: string } | undefined)?.index;
          failures.push({
            imageId: { ...id },
            failureCode: 'ImageReferencedByManifestList',
            failureReason: `Requested image is referenced by the image index ${index}; delete the index first`,
          });
        } else if (error.code === 'MANIFEST_UNKNOWN' || error.code === 'TAG_INVALID' || error.code === 'DIGEST_INVALID') {
          // A tag or digest the registry cannot hold (a tag over 128 characters, a sha512 digest) names no image here.
          fail(id, 'ImageNotFound');
        } else {
          throw fromRegistryError(error, { repositoryName: name, registryId: registry.registryId });
        }
      }
    }
    if (actions.length) await deps.events?.imageActions?.(tx, scope, actions, deps.clock.now());
    return { imageIds: deleted, failures };
  });
}

/** The image write operations, bound to their dependencies. */
export function imageWriteOperations(deps: EcrDeps): EcrOperationTable {
  return {
    PutImage: { authorization: { resources: repositoryResource }, handler: (i, ctx) => putImage(deps, i, ctx) },
    BatchDeleteImage: { authorization: { resources: repositoryResource }, handler: (i, ctx) => batchDeleteImage(deps, i, ctx) },
  };
}
