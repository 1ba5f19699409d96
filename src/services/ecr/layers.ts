/**
 * The ECR layer actions: InitiateLayerUpload, UploadLayerPart and CompleteLayerUpload push a
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
import type {
  BatchCheckLayerAvailabilityResponse, CompleteLayerUploadResponse, GetDownloadUrlForLayerResponse, InitiateLayerUploadResponse, Layer,
  LayerFailure, UploadLayerPartResponse,
} from '@aws-sdk/client-ecr';
import { CommonErrors, type ActionHandler, type Fields } from '../../aws/index.ts';
import { RegistryError, getBlobLink, isSha256Digest, linkBlob, uploadOwner } from '../../registry/index.ts';
import { transact } from '../../state/index.ts';
import { checkCount, ecrFields, findRepository, readRegistry, readRepositoryName, storeReader, type Registry } from './common.ts';
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
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** BatchCheckLayerAvailability's failure reasons. */
const LAYER_REASONS = {
  MissingLayerDigest: 'Invalid request parameters: layer digest cannot be null or empty',
  InvalidLayerDigest: `Invalid request parameters: layer digest should satisfy the regex '${DIGEST_PATTERN}'`,
  UnsupportedLayerDigest: 'Invalid request parameters: only sha256 layer digests are supported',
} as const;

/** A non-negative whole number member (ECR's Long: part offsets may pass 2 GiB). */
function readLong(f: Fields, name: string): number {
  const v = f.json[name];
  if (v === undefined || v === null) throw EcrErrors.invalidParameter(`${f.at(name)} can not be null.`);
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw CommonErrors.serialization(`${f.at(name)}: expected a whole number.`);
  if (v < 0) throw EcrErrors.constraint(f.at(name), 'Member must have value greater than or equal to 0');
  return v;
}

/** A base64 member decoded; anything that is not base64 is a SerializationException, as for any blob member. */
function readBlob(f: Fields, name: string): Buffer {
  const text = f.string(name);
  if (text === undefined) throw EcrErrors.invalidParameter(`${f.at(name)} can not be null.`);
  if (!BASE64.test(text)) throw CommonErrors.serialization(`${f.at(name)}: expected base64-encoded bytes.`);
  return Buffer.from(text, 'base64');
}

/** A digest member checked against ECR's pattern. */
function readDigest(f: Fields, name: string): string {
  const digest = f.string(name, { required: true });
  if (!DIGEST.test(digest)) throw EcrErrors.constraint(f.at(name), `must satisfy regular expression '${DIGEST_PATTERN}'`);
  return digest;
}

/** The layer actions, bound to their dependencies. */
export function layerActions(deps: EcrDeps): Record<string, ActionHandler> {
  /** Runs a registry call, answering its failures as ECR's exceptions. */
  const registryCall = async <T>(registry: Registry, name: string, body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      throw fromRegistryError(error, { repositoryName: name, registryId: registry.registryId });
    }
  };

  return {
    async InitiateLayerUpload(input, ctx): Promise<InitiateLayerUploadResponse> {
      const f = ecrFields(input);
      const registry = readRegistry(f, ctx);
      const name = readRepositoryName(f);
      await findRepository(storeReader(deps.store), registry, name);
      const blobs = blobsOf(deps);
      const upload = await blobs.startUpload(uploadOwner(registry.scope, name));
      return { uploadId: upload.id, partSize: LAYER_PART_SIZE };
    },

    async UploadLayerPart(input, ctx): Promise<UploadLayerPartResponse> {
      const f = ecrFields(input);
      const registry = readRegistry(f, ctx);
      const name = readRepositoryName(f);
      const uploadId = f.string('uploadId', { required: true });
      const first = readLong(f, 'partFirstByte');
      const last = readLong(f, 'partLastByte');
      const bytes = readBlob(f, 'layerPartBlob');
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

    async CompleteLayerUpload(input, ctx): Promise<CompleteLayerUploadResponse> {
      const f = ecrFields(input);
      const registry = readRegistry(f, ctx);
      const name = readRepositoryName(f);
      const uploadId = f.string('uploadId', { required: true });
      const digests = f.strings('layerDigests');
      if (!digests) throw EcrErrors.invalidParameter(`${f.at('layerDigests')} can not be null.`);
      checkCount(f.at('layerDigests'), digests.length, 1, 100);
      digests.forEach((d, i) => {
        if (!DIGEST.test(d)) throw EcrErrors.constraint(`${f.at('layerDigests')}[${i}]`, `must satisfy regular expression '${DIGEST_PATTERN}'`);
      });
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

    async BatchCheckLayerAvailability(input, ctx): Promise<BatchCheckLayerAvailabilityResponse> {
      const f = ecrFields(input);
      const registry = readRegistry(f, ctx);
      const name = readRepositoryName(f);
      const digests = f.strings('layerDigests');
      if (!digests) throw EcrErrors.invalidParameter(`${f.at('layerDigests')} can not be null.`);
      checkCount(f.at('layerDigests'), digests.length, 1, 100);
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

    async GetDownloadUrlForLayer(input, ctx): Promise<GetDownloadUrlForLayerResponse> {
      const f = ecrFields(input);
      const registry = readRegistry(f, ctx);
      const name = readRepositoryName(f);
      const layerDigest = readDigest(f, 'layerDigest');
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
  };
}
