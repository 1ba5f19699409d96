/**
 * The ECR errors Wharf raises, by their AWS error codes (HTTP 400 but ServerException). Where
 * ECR's own message text is known (seen in real responses), it is reproduced word for word;
 * where only the API reference's description of the error is known, that description is the
 * default message. Business code throws these; the endpoint alone writes them to the wire.
 */
import { AwsError } from '../../aws/index.ts';

/** The parts of an image reference an error message quotes (an ImageIdentifier's members). */
export interface ImageRef {
  imageDigest?: string;
  imageTag?: string;
}

const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);

/** The ECR errors, one builder per error code, shared by every ECR action and the registry. */
export const EcrErrors = {
  invalidParameter,
  /**
   * ECR's wording for a member that breaks one of the API's constraints, e.g.
   * `Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'`.
   */
  constraint: (member: string, constraint: string) =>
    invalidParameter(`Invalid parameter at '${member}' failed to satisfy constraint: '${constraint}'`),
  validation: (message = 'There was an exception validating this request.') => new AwsError('ValidationException', message),
  server: (message = 'These errors are usually caused by a server-side issue.') => new AwsError('ServerException', message, 500),
  /** AWS's common error for a request the caller may not make (another account's registry). */
  accessDenied: (message: string) => new AwsError('AccessDeniedException', message),
  limitExceeded: (message: string) => new AwsError('LimitExceededException', message),
  kms: (message = 'The operation failed due to a KMS exception.') => new AwsError('KmsException', message),

  // ---- repositories ----
  repositoryNotFound: (name: string, registryId: string) =>
    new AwsError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${registryId}'`),
  repositoryAlreadyExists: (name: string, registryId: string) =>
    new AwsError('RepositoryAlreadyExistsException', `The repository with name '${name}' already exists in the registry with id '${registryId}'`),
  repositoryNotEmpty: (name: string, registryId: string) =>
    new AwsError(
      'RepositoryNotEmptyException',
      `The repository with name '${name}' in registry with id '${registryId}' cannot be deleted because it still contains images`,
    ),
  repositoryPolicyNotFound: (name: string, registryId: string) =>
    new AwsError(
      'RepositoryPolicyNotFoundException',
      `Repository policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  lifecyclePolicyNotFound: (name: string, registryId: string) =>
    new AwsError(
      'LifecyclePolicyNotFoundException',
      `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  lifecyclePolicyPreviewNotFound: (message = 'There is no dry run for this repository.') =>
    new AwsError('LifecyclePolicyPreviewNotFoundException', message),
  lifecyclePolicyPreviewInProgress: (message = 'The previous lifecycle policy preview request has not completed. Wait and try again.') =>
    new AwsError('LifecyclePolicyPreviewInProgressException', message),

  // ---- tags on repositories ----
  tooManyTags: () =>
    new AwsError(
      'TooManyTagsException',
      'The list of tags on the repository is over the limit. The maximum number of tags that can be applied to a repository is 50.',
    ),
  invalidTagParameter: (message: string) => new AwsError('InvalidTagParameterException', message),

  // ---- images ----
  imageNotFound: (id: ImageRef, name: string, registryId: string) =>
    new AwsError(
      'ImageNotFoundException',
      `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} `
        + `does not exist within the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  imageTagAlreadyExists: (tag: string, name: string) =>
    new AwsError(
      'ImageTagAlreadyExistsException',
      `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`,
    ),
  imageAlreadyExists: (digest: string, tag: string, name: string, registryId: string) =>
    new AwsError(
      'ImageAlreadyExistsException',
      `Image with digest '${digest}' and tag '${tag}' already exists in the repository with name '${name}' in registry with id '${registryId}'`,
    ),
  imageDigestDoesNotMatch: (message = 'The specified image digest does not match the digest that Amazon ECR calculated for the image.') =>
    new AwsError('ImageDigestDoesNotMatchException', message),
  referencedImagesNotFound: (message = 'The manifest list is referencing an image that does not exist.') =>
    new AwsError('ReferencedImagesNotFoundException', message),
  unsupportedImageType: (message = 'The image is of a type that cannot be scanned.') => new AwsError('UnsupportedImageTypeException', message),
  scanNotFound: (message = 'The specified image scan could not be found. Ensure that image scanning is enabled on the repository and try again.') =>
    new AwsError('ScanNotFoundException', message),

  // ---- layers and uploads ----
  layersNotFound: (message = 'The specified layers could not be found, or the specified layer is not valid for this repository.') =>
    new AwsError('LayersNotFoundException', message),
  layerAlreadyExists: (message = 'The image layer already exists in the associated repository.') =>
    new AwsError('LayerAlreadyExistsException', message),
  layerInaccessible: (
    message = 'The specified layer is not available because it is not associated with an image. Unassociated image layers may be cleaned up at any time.',
  ) => new AwsError('LayerInaccessibleException', message),
  invalidLayer: (
    message = 'The layer digest calculation performed by Amazon ECR upon receipt of the image layer does not match the digest specified.',
  ) => new AwsError('InvalidLayerException', message),
  layerPartTooSmall: (message = 'Layer parts must be at least 5 MiB in size.') => new AwsError('LayerPartTooSmallException', message),
  invalidLayerPart: (
    message = 'The layer part size is not valid, or the first byte specified is not consecutive to the last byte of a previous layer part upload.',
  ) => new AwsError('InvalidLayerPartException', message),
  emptyUpload: (message = 'The specified layer upload does not contain any layer parts.') => new AwsError('EmptyUploadException', message),
  uploadNotFound: (message = 'The upload could not be found, or the specified upload ID is not valid for this repository.') =>
    new AwsError('UploadNotFoundException', message),
};
