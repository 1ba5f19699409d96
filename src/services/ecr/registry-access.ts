/**
 * What the ECR write actions (image-writes.ts, layers.ts) share to reach the registry core:
 * the blob store from their deps, and the mapping of a RegistryError to the ECR exception it
 * names (`ecrCode`), in ECR's words where those are known. Nothing here matches on message text.
 */
import { AwsError } from '../../aws/index.ts';
import { RegistryError, type BlobStore } from '../../registry/index.ts';
import type { EcrDeps } from './deps.ts';
import { EcrErrors } from './errors.ts';

/** The blob store, or a ServerException saying this server runs without one. */
export function blobsOf(deps: EcrDeps): BlobStore {
  if (!deps.blobs) throw EcrErrors.server('This server has no registry blob store configured, so it cannot store or check image layers.');
  return deps.blobs;
}

/** Where a registry failure happened, for ECR's messages. */
export interface RegistryFailureSite {
  repositoryName: string;
  registryId: string;
}

/** The digests a registry error lists (one entry per missing blob or child manifest). */
function digestsOf(error: RegistryError): string[] {
  return error.entries().flatMap((e) => {
    const digest = (e.detail as { digest?: unknown } | undefined)?.digest;
    return typeof digest === 'string' ? [digest] : [];
  });
}

/** The ECR exception for a registry failure; anything else is returned unchanged (to rethrow). */
export function fromRegistryError(error: unknown, site: RegistryFailureSite): unknown {
  if (!(error instanceof RegistryError)) return error;
  const { repositoryName: name, registryId } = site;
  switch (error.ecrCode) {
    case 'RepositoryNotFoundException':
      return EcrErrors.repositoryNotFound(name, registryId);
    case 'ImageTagAlreadyExistsException': {
      const tag = (error.detail as { tag?: unknown } | undefined)?.tag;
      return typeof tag === 'string' ? EcrErrors.imageTagAlreadyExists(tag, name) : new AwsError(error.ecrCode, error.message);
    }
    case 'LayersNotFoundException':
      return EcrErrors.layersNotFound(
        `Layers with digests '[${digestsOf(error).join(', ')}]' required for pushing image into repository with name '${name}' `
          + `in registry with id '${registryId}' do not exist`,
      );
    case 'ReferencedImagesNotFoundException':
      return EcrErrors.referencedImagesNotFound(
        `The manifest list is referencing images that do not exist in the repository with name '${name}': [${digestsOf(error).join(', ')}]`,
      );
    case 'UploadNotFoundException':
      return EcrErrors.uploadNotFound();
    case 'ServerException':
      return EcrErrors.server(error.message);
    default:
      return new AwsError(error.ecrCode, error.message);
  }
}
