/**
 * The registry's one error type. Business code (blob store, manifest parsing, image metadata)
 * throws these; the distribution API alone turns them into the OCI wire shape
 * `{"errors":[{"code","message","detail"}]}` with the status, and the ECR API maps them to its
 * exceptions by `ecrCode`, so neither side matches on message text.
 */

/**
 * The OCI Distribution Specification v1.1 error codes, plus distribution's TAG_INVALID, which
 * ECR itself answers when a push would overwrite a tag in an IMMUTABLE repository.
 */
export type RegistryErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'TAG_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS';

/** The HTTP status each code is answered with unless an error says otherwise (distribution's table). */
export const REGISTRY_ERROR_STATUS: Record<RegistryErrorCode, number> = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  TAG_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
};

/** One entry of the wire `errors` array. */
export interface RegistryErrorEntry {
  code: RegistryErrorCode;
  message: string;
  detail?: unknown;
}

/**
 * The ECR exception the same condition is in the ECR API (PutImage, BatchDeleteImage,
 * BatchGetImage, ...), so the ECR service maps a registry failure without guessing.
 */
export type EcrErrorCode =
  | 'RepositoryNotFoundException'
  | 'ImageNotFoundException'
  | 'ImageTagAlreadyExistsException'
  | 'ImageDigestDoesNotMatchException'
  | 'LayersNotFoundException'
  | 'ReferencedImagesNotFoundException'
  | 'InvalidParameterException'
  | 'InvalidLayerException'
  | 'UploadNotFoundException'
  | 'InvalidLayerPartException'
  | 'UnsupportedImageTypeException'
  | 'ImageReferencedByManifestList'
  | 'LimitExceededException'
  | 'ServerException';

/** A registry failure: the first entry's code, its HTTP status, and any further entries. */
export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  readonly status: number;
  readonly detail?: unknown;
  readonly ecrCode: EcrErrorCode;
  /** Further entries for the wire body (one MANIFEST_BLOB_UNKNOWN per missing blob). */
  readonly more: RegistryErrorEntry[];

  constructor(
    code: RegistryErrorCode,
    message: string,
    options: { status?: number; detail?: unknown; ecrCode?: EcrErrorCode; more?: RegistryErrorEntry[] } = {},
  ) {
    super(message);
    this.name = 'RegistryError';
    this.code = code;
    this.status = options.status ?? REGISTRY_ERROR_STATUS[code];
    this.detail = options.detail;
    this.ecrCode = options.ecrCode ?? 'InvalidParameterException';
    this.more = options.more ?? [];
  }

  /** The wire entries, first this error, then `more`. */
  entries(): RegistryErrorEntry[] {
    const first: RegistryErrorEntry = { code: this.code, message: this.message };
    if (this.detail !== undefined) first.detail = this.detail;
    return [first, ...this.more];
  }
}

/** The registry's errors, each with its OCI code, status and ECR exception. */
export const RegistryErrors = {
  nameUnknown: (name: string) =>
    new RegistryError('NAME_UNKNOWN', `repository name not known to registry: the repository '${name}' does not exist`, {
      detail: { name },
      ecrCode: 'RepositoryNotFoundException',
    }),
  nameInvalid: (name: string, reason: string) =>
    new RegistryError('NAME_INVALID', `invalid repository name: ${reason}`, { detail: { name } }),
  manifestUnknown: (reference: string) =>
    new RegistryError('MANIFEST_UNKNOWN', `manifest unknown: ${reference}`, { detail: { reference }, ecrCode: 'ImageNotFoundException' }),
  manifestInvalid: (reason: string, detail?: unknown) =>
    new RegistryError('MANIFEST_INVALID', `manifest invalid: ${reason}`, { detail, ecrCode: 'InvalidParameterException' }),
  manifestTooLarge: (size: number, limit: number) =>
    new RegistryError('MANIFEST_INVALID', `manifest invalid: ${size} bytes exceeds the limit of ${limit} bytes`, {
      status: 413,
      detail: { size, limit },
      ecrCode: 'InvalidParameterException',
    }),
  /** One entry per missing blob or child manifest, as the spec asks. */
  manifestBlobUnknown: (digests: string[]) => {
    const entry = (digest: string): RegistryErrorEntry => ({
      code: 'MANIFEST_BLOB_UNKNOWN',
      message: `manifest references a manifest or blob unknown to registry: ${digest}`,
      detail: { digest },
    });
    const [first, ...rest] = digests.map(entry);
    return new RegistryError('MANIFEST_BLOB_UNKNOWN', first.message, {
      detail: first.detail,
      more: rest,
      ecrCode: 'LayersNotFoundException',
    });
  },
  /** A child manifest of an index that is not in the repository (ECR: ReferencedImagesNotFoundException). */
  childManifestsUnknown: (digests: string[]) => {
    const error = RegistryErrors.manifestBlobUnknown(digests);
    return new RegistryError(error.code, error.message, { detail: error.detail, more: error.more, ecrCode: 'ReferencedImagesNotFoundException' });
  },
  tagImmutable: (tag: string, repository: string) =>
    new RegistryError(
      'TAG_INVALID',
      `tag invalid: The image tag '${tag}' already exists in the '${repository}' repository and cannot be overwritten because the repository is immutable.`,
      { detail: { tag, repository }, ecrCode: 'ImageTagAlreadyExistsException' },
    ),
  tagInvalid: (tag: string) =>
    new RegistryError('TAG_INVALID', `tag invalid: '${tag.slice(0, 300)}' is not a valid tag`, { detail: { tag: tag.slice(0, 300) } }),
  digestInvalid: (reason: string, detail?: unknown) =>
    new RegistryError('DIGEST_INVALID', `digest invalid: ${reason}`, { detail, ecrCode: 'ImageDigestDoesNotMatchException' }),
  blobUnknown: (digest: string) =>
    new RegistryError('BLOB_UNKNOWN', `blob unknown to registry: ${digest}`, { detail: { digest }, ecrCode: 'LayersNotFoundException' }),
  uploadUnknown: (id: string) =>
    new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { detail: { uuid: id }, ecrCode: 'UploadNotFoundException' }),
  uploadInvalid: (reason: string, status = 400, detail?: unknown) =>
    new RegistryError('BLOB_UPLOAD_INVALID', `blob upload invalid: ${reason}`, { status, detail, ecrCode: 'InvalidLayerPartException' }),
  sizeInvalid: (reason: string, detail?: unknown) =>
    new RegistryError('SIZE_INVALID', `provided length did not match content length: ${reason}`, { detail, ecrCode: 'InvalidLayerException' }),
  unsupported: (reason: string, status = 405) => new RegistryError('UNSUPPORTED', `the operation is unsupported: ${reason}`, { status }),
  denied: (reason: string) => new RegistryError('DENIED', `requested access to the resource is denied: ${reason}`),
  /** IAM refused the request: 403 DENIED with IAM's message, as ECR answers docker (`User: … is not authorized to perform: …`). */
  accessDenied: (message: string) => new RegistryError('DENIED', message),
  referencedByIndex: (digest: string, index: string) =>
    new RegistryError('DENIED', `requested access to the resource is denied: manifest ${digest} is referenced by image index ${index}; delete the index first`, {
      detail: { digest, index },
      ecrCode: 'ImageReferencedByManifestList',
    }),
  tooManyRequests: (reason: string) => new RegistryError('TOOMANYREQUESTS', `too many requests: ${reason}`, { ecrCode: 'LimitExceededException' }),
};
