/**
 * The registry's public face: the records and tokens shared with the ECR API, the blob store,
 * the image metadata operations, the OCI distribution route that docker and skopeo speak with
 * its access control (tokens bound to IAM principals, ECR's actions per request, repositories
 * as IAM resources), ECR lifecycle policies (`lifecycle/`) and basic image scanning (`scan/`).
 */
export * from './records.ts';
export { RegistryTokens, TOKEN_TTL_MS } from './tokens.ts';
export type { RegistryGrant, TokenHolder } from './tokens.ts';
export { tokenAccess } from './access.ts';
export type { HolderStatus, RegistryAccess, RegistryCaller, RegistryIdentity } from './access.ts';
export { requiredPermissions } from './permissions.ts';
export type { RegistryAction, RegistryPermission } from './permissions.ts';
export { repositoryResourceInfo } from './resource-info.ts';
export type { RepositoryResourceInfo } from './resource-info.ts';
export { RegistryError, RegistryErrors, REGISTRY_ERROR_STATUS } from './errors.ts';
export type { EcrErrorCode, RegistryErrorCode, RegistryErrorEntry } from './errors.ts';
export { isSha256Digest, requireSha256, sha256Digest } from './digest.ts';
export { BlobStore, DEFAULT_GC_GRACE_MS, DEFAULT_UPLOAD_TTL_MS } from './blob-store.ts';
export type { BlobInfo, BlobStoreOptions, ByteRange, UploadChunk, UploadStatus } from './blob-store.ts';
export { blobLinkKeys, getBlobLink, linkBlob } from './links.ts';
export type { BlobLinkRecord } from './links.ts';
export { MAX_MANIFEST_BYTES, MediaTypes, isIndexMediaType, isManifestMediaType, parseManifest } from './manifests.ts';
export type { Descriptor, ParsedManifest } from './manifests.ts';
export {
  ALL_IMAGES_PREFIX,
  deleteImage,
  deleteTag,
  getManifest,
  listRepositories,
  listTags,
  manifestBytes,
  putManifest,
  recordPull,
  referencedBlobs,
  referrers,
  requireRepository,
  requireTag,
  storeReader,
} from './images.ts';
export type { NamePage, PushContext, PutManifestResult, Reader } from './images.ts';
export { runRegistryMaintenance } from './maintenance.ts';
export type { MaintenanceResult } from './maintenance.ts';
export { DEFAULT_PULL_RECORD_INTERVAL_MS, distributionRoute } from './distribution.ts';
export type { DistributionOptions, RegistryRoute } from './distribution.ts';
export { uploadOwner } from './context.ts';
export { deletedActions, imageActionEvent, imageScanEvent, type ImageAction, type ImageEventHooks, type RegistryEvent } from './image-events.ts';
export * from './lifecycle/index.ts';
export * from './scan/index.ts';
