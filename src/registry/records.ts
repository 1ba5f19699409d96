/**
 * What the registry stores about repositories and images, shared by the OCI distribution API
 * (docker push/pull) and the ECR API: both read and write these same records, so an image
 * pushed with docker is listed by DescribeImages and one deleted by BatchDeleteImage is gone
 * from pulls. Blobs themselves live on disk in the blob store, by digest; only their sizes
 * and references are here.
 *
 * Repositories belong to an account and region, as in ECR. Repository names are ECR's:
 * lowercase, may contain `/` namespaces, 2–256 characters.
 */
import { formatArn, parseArn, resourceOf } from '../aws/index.ts';

/** Every repository and image belongs to one account (the registry id) and one region. */
export interface RegistryScope {
  account: string;
  region: string;
}

export interface RepositoryRecord {
  name: string;
  arn: string;
  /** The account id, as ECR's registryId. */
  registryId: string;
  /** What docker pushes to and pulls from: `<wharf registry host>/<name>`. */
  uri: string;
  createdAt: number;
  imageTagMutability: 'MUTABLE' | 'IMMUTABLE';
  imageScanningConfiguration: { scanOnPush: boolean };
  encryptionConfiguration: { encryptionType: 'AES256' | 'KMS' | 'KMS_DSSE'; kmsKey?: string };
  tags: { Key: string; Value: string }[];
  /** Repository policy text (SetRepositoryPolicy), kept as given. */
  policyText?: string;
  /** Lifecycle policy text (PutLifecyclePolicy), validated, kept as given. */
  lifecyclePolicyText?: string;
  lifecyclePolicyUpdatedAt?: number;
}

/**
 * One image (manifest) in a repository, by digest. Tags point at images; an image may have
 * many tags or none (untagged).
 */
export interface ImageRecord {
  repositoryName: string;
  /** `sha256:<hex>` of the manifest bytes. */
  digest: string;
  /** The manifest's media type (Docker v2 schema 2, OCI manifest, OCI index, Docker manifest list). */
  mediaType: string;
  /** The manifest bytes, as pushed (base64, so any byte survives JSON). */
  manifestBase64: string;
  /** The image's size as ECR reports it: the sum of its layers' (compressed) sizes; for an index, of its children. */
  sizeInBytes: number;
  /** The blobs it references (config and layers), for garbage collection and layer checks. */
  blobs: string[];
  /** For an index/manifest list: the child manifests' digests. */
  children?: string[];
  /** The manifest's `subject` digest (OCI referrers API), if any. */
  subject?: string;
  /** The manifest's artifactType (or config media type), for the referrers API. */
  artifactType?: string;
  /** Its tags, newest first. */
  tags: string[];
  pushedAt: number;
  lastRecordedPullTime?: number;
}

/** The document at a tag key: the digest the tag points at. */
export interface TagRecord {
  digest: string;
  /** When the tag last moved (for lifecycle rules and ordering). */
  updatedAt: number;
}

/** Where registry records live in the store. Kind first, then account and region, as ECS's keys. */
export const registryKeys = {
  allRepositories: 'ecr/repositories/',
  repositories: (s: RegistryScope) => `ecr/repositories/${s.account}/${s.region}/`,
  repository: (s: RegistryScope, name: string) => `ecr/repositories/${s.account}/${s.region}/${name}`,
  images: (s: RegistryScope, repository: string) => `ecr/images/${s.account}/${s.region}/${repository}//`,
  image: (s: RegistryScope, repository: string, digest: string) => `ecr/images/${s.account}/${s.region}/${repository}//${digest}`,
  tags: (s: RegistryScope, repository: string) => `ecr/tags/${s.account}/${s.region}/${repository}//`,
  tag: (s: RegistryScope, repository: string, tag: string) => `ecr/tags/${s.account}/${s.region}/${repository}//${tag}`,
};

/** ECR ARNs. */
export const registryArns = {
  repository: (s: RegistryScope, name: string) => formatArn('ecr', s.region, s.account, `repository/${name}`),
};

/** The repository an ARN names (its scope and name, not checked against ECR's name rule), or undefined for any other ARN. */
export function parseRepositoryArn(text: string): { scope: RegistryScope; name: string } | undefined {
  const arn = parseArn(text);
  if (!arn || arn.service !== 'ecr' || !arn.region || !/^\d{12}$/.test(arn.account)) return undefined;
  const { type, path } = resourceOf(arn);
  if (type !== 'repository' || path.length === 0) return undefined;
  return { scope: { account: arn.account, region: arn.region }, name: path.join('/') };
}

export { ECR_HOST } from '../common/index.ts';
