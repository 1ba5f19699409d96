/**
 * The ECR layer operations: InitiateLayerUpload, UploadLayerPart and CompleteLayerUpload push a
 * layer through the JSON API (parts arrive base64 in the body), BatchCheckLayerAvailability and
 * GetDownloadUrlForLayer read what a repository holds. They share the registry's blob store
 * and its per-repository links with docker pushes: a layer uploaded here is one a PutImage —
 * or a docker push of a manifest — may reference, and one docker can pull.
 *
 *   InitiateLayerUpload ─▶ BlobStore.startUpload (owner: account/region/repository)
 *   UploadLayerPart ─────▶ appendUpload at partFirstByte (must be the upload's offset)
 *   CompleteLayerUpload ─▶ completeUpload (sha256 verified, renamed) ─▶ linkBlob in one transaction
 */
import { Readable } from 'node:stream';
import type { Layer, LayerFailure } from '@aws-sdk/client-ecr';
import { RegistryError, getBlobLink, isSha256Digest, linkBlob, uploadOwner } from '../../registry/index.ts';
import { transact } from '../../state/index.ts';
import { findRepository, need, repositoryNamed, repositoryResource, storeReader, type EcrOperationTable, type Registry } from './common.ts';
import type { EcrDeps } from './deps.ts';
import { EcrErrors } from './errors.ts';
import { DIGEST_PATTERN } from './images.ts';
import { blobsOf, fromRegistryError } from './registry-access.ts';

/**
 * The part size InitiateLayerUpload announces: 5 MiB (ECR's smallest part), whose base64 stays
 * well inside the JSON endpoint's 10 MiB body limit. Parts of any size are accepted.
 */
export const LAYER_PART_SIZE = 5 * 1024 * 1024;

const DIGEST = new RegExp(`^${DIGEST_PATTERN}$`);
/** BatchCheckLayerAvailability's failure reasons. */
const LAYER_REASONS = {
  MissingLayerDigest: 'Invalid request parameters: layer digest cannot be null or empty',
  InvalidLayerDigest: `Invalid request parameters: layer digest should satisfy the regex '${DIGEST_PATTERN}'`,
  UnsupportedLayerDigest: 'Invalid request parameters: only sha256 layer digests are supported',
} as const;

/** The layer operations, bound to their dependencies. */
export function layerOperations(deps: EcrDeps): EcrOperationTable {
  /** Runs a registry call, answering its failures as ECR's exceptions. */
  const registryCall = async <T>(registry: Registry, name: string, body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      throw fromRegistryError(error, { repositoryName: name, registryId: registry.registryId });
    }
  };

  return {
    InitiateLayerUpload: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        await findRepository(storeReader(deps.store), registry, name);
        const blobs = blobsOf(deps);
        const upload = await blobs.startUpload(uploadOwner(registry.scope, name));
        return { uploadId: upload.id, partSize: LAYER_PART_SIZE };
      },
    },

    UploadLayerPart: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const uploadId = need(i.uploadId, 'uploadId');
        const first = need(i.partFirstByte, 'partFirstByte');
        const last = need(i.partLastByte, 'partLastByte');
        const bytes = Buffer.from(need(i.layerPartBlob, 'layerPartBlob'));
        await findRepository(storeReader(deps.store), registry, name);
        const blobs = blobsOf(deps);
        const owner = uploadOwner(registry.scope, name);
        const status = await registryCall(registry, name, () => blobs.uploadStatus(uploadId, owner));
        if (first !== status.offset) {
          throw EcrErrors.invalidLayerPart(
            `The part's first byte ${first} is not consecutive to the last byte received for upload '${uploadId}', which is ${status.offset - 1}.`,
          );
        }
        if (last < first || last - first + 1 !== bytes.length) {
          throw EcrErrors.invalidLayerPart(
            `The part spans bytes ${first}-${last} (${Math.max(0, last - first + 1)} bytes) but layerPartBlob holds ${bytes.length} bytes.`,
          );
        }
        const after = await registryCall(registry, name, () =>
          blobs.appendUpload(uploadId, owner, { body: Readable.from([bytes]), start: first, length: bytes.length }));
        return { registryId: registry.registryId, repositoryName: name, uploadId, lastByteReceived: after.offset - 1 };
      },
    },

    CompleteLayerUpload: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const uploadId = need(i.uploadId, 'uploadId');
        const digests = need(i.layerDigests, 'layerDigests');
        const distinct = [...new Set(digests)];
        if (distinct.length > 1) throw EcrErrors.invalidParameter('An upload is one layer: layerDigests must name a single digest.');
        const [digest] = distinct;
        if (!isSha256Digest(digest)) throw EcrErrors.invalidLayer(`The layer digest '${digest}' is not a sha256 digest; only sha256 is supported.`);
        await findRepository(storeReader(deps.store), registry, name);
        const blobs = blobsOf(deps);
        const owner = uploadOwner(registry.scope, name);
        const status = await registryCall(registry, name, () => blobs.uploadStatus(uploadId, owner));
        if (status.offset === 0) throw EcrErrors.emptyUpload();
        let size: number;
        try {
          size = (await blobs.completeUpload(uploadId, owner, digest)).size;
        } catch (error) {
          if (error instanceof RegistryError && error.code === 'DIGEST_INVALID') throw EcrErrors.invalidLayer();
          throw fromRegistryError(error, { repositoryName: name, registryId: registry.registryId });
        }
        await transact(deps.store, async (tx) => {
          await findRepository(tx, registry, name);
          if (await getBlobLink(tx, registry.scope, name, digest)) throw EcrErrors.layerAlreadyExists();
          linkBlob(tx, registry.scope, name, digest, size, deps.clock.now());
        });
        return { registryId: registry.registryId, repositoryName: name, uploadId, layerDigest: digest };
      },
    },

    BatchCheckLayerAvailability: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const digests = need(i.layerDigests, 'layerDigests');
        const reader = storeReader(deps.store);
        await findRepository(reader, registry, name);
        const blobs = blobsOf(deps);
        const layers: Layer[] = [];
        const failures: LayerFailure[] = [];
        for (const layerDigest of digests) {
          if (layerDigest === '') {
            failures.push({ layerDigest, failureCode: 'MissingLayerDigest', failureReason: LAYER_REASONS.MissingLayerDigest });
          } else if (!DIGEST.test(layerDigest)) {
            failures.push({ layerDigest, failureCode: 'InvalidLayerDigest', failureReason: LAYER_REASONS.InvalidLayerDigest });
          } else if (!isSha256Digest(layerDigest)) {
            failures.push({ layerDigest, failureCode: 'InvalidLayerDigest', failureReason: LAYER_REASONS.UnsupportedLayerDigest });
          } else {
            const link = await getBlobLink(reader, registry.scope, name, layerDigest);
            const info = link ? await blobs.stat(layerDigest) : undefined;
            layers.push(info
              ? { layerDigest, layerAvailability: 'AVAILABLE', layerSize: info.size }
              : { layerDigest, layerAvailability: 'UNAVAILABLE' });
          }
        }
        return { layers, failures };
      },
    },

    GetDownloadUrlForLayer: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const layerDigest = need(i.layerDigest, 'layerDigest');
        const reader = storeReader(deps.store);
        await findRepository(reader, registry, name);
        const blobs = blobsOf(deps);
        const notFound = () =>
          EcrErrors.layersNotFound(`The layer with digest '${layerDigest}' does not exist in the repository with name '${name}' `
            + `in the registry with id '${registry.registryId}'`);
        if (!isSha256Digest(layerDigest) || !(await getBlobLink(reader, registry.scope, name, layerDigest))) throw notFound();
        if (!(await blobs.stat(layerDigest))) throw EcrErrors.layerInaccessible();
        return { downloadUrl: `http://${deps.registryHost()}/v2/${name}/blobs/${layerDigest}`, layerDigest };
      },
    },
  };
}
