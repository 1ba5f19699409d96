/**
 * Which ECR actions each request of the distribution API needs, as ECR maps docker's and
 * skopeo's requests to its IAM actions: a pull reads manifests (`ecr:BatchGetImage`) and layers
 * (`ecr:GetDownloadUrlForLayer`); a push checks which layers are there
 * (`ecr:BatchCheckLayerAvailability`), uploads them (`ecr:InitiateLayerUpload`,
 * `ecr:UploadLayerPart`, `ecr:CompleteLayerUpload`) and puts the manifest (`ecr:PutImage`);
 * deletes are `ecr:BatchDeleteImage`; listing tags is `ecr:ListImages`. Each is authorized on
 * the repository's ARN. The catalog shows only the repositories the caller may
 * `ecr:DescribeRepositories` (checked per repository by its handler). Pure.
 *
 *   GET/HEAD manifests/<ref>      BatchGetImage          PUT manifests   PutImage
 *   GET blobs/<digest>            GetDownloadUrlForLayer DELETE …        BatchDeleteImage
 *   HEAD blobs/<digest>           BatchCheckLayerAvailability or GetDownloadUrlForLayer
 *   POST blobs/uploads/           InitiateLayerUpload (+ UploadLayerPart, CompleteLayerUpload with ?digest=)
 *   PATCH/GET/DELETE uploads/<id> UploadLayerPart        PUT uploads/<id> CompleteLayerUpload
 *   GET tags/list                 ListImages             GET referrers   BatchGetImage
 */
import type { V2Path } from './paths.ts';

/** The ECR actions the registry authorizes. */
export type RegistryAction =
  | 'ecr:BatchGetImage'
  | 'ecr:GetDownloadUrlForLayer'
  | 'ecr:BatchCheckLayerAvailability'
  | 'ecr:InitiateLayerUpload'
  | 'ecr:UploadLayerPart'
  | 'ecr:CompleteLayerUpload'
  | 'ecr:PutImage'
  | 'ecr:BatchDeleteImage'
  | 'ecr:ListImages'
  | 'ecr:DescribeRepositories';

/** One permission a request needs: an action, or any one of several (the first is the one a refusal names). */
export type RegistryPermission = RegistryAction | readonly RegistryAction[];

/** The permissions a request needs on its repository, all of them; none for the base check and the catalog. */
export function requiredPermissions(target: V2Path, method: string, query: URLSearchParams): RegistryPermission[] {
  switch (target.kind) {
    case 'base':
    case 'catalog':
      return [];
    case 'tags':
      return ['ecr:ListImages'];
    case 'referrers':
      return ['ecr:BatchGetImage'];
    case 'manifest':
      if (method === 'PUT') return ['ecr:PutImage'];
      if (method === 'DELETE') return ['ecr:BatchDeleteImage'];
      return method === 'GET' || method === 'HEAD' ? ['ecr:BatchGetImage'] : [];
    case 'blob':
      if (method === 'GET') return ['ecr:GetDownloadUrlForLayer'];
      // docker push asks whether a layer is there; a pull may ask too.
      if (method === 'HEAD') return [['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer']];
      return method === 'DELETE' ? ['ecr:BatchDeleteImage'] : [];
    case 'uploads':
      if (method !== 'POST') return [];
      // A monolithic upload (a digest, no mount) is the whole upload in one request.
      return query.has('digest') && !query.has('mount')
        ? ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload']
        : ['ecr:InitiateLayerUpload'];
    case 'upload':
      if (method === 'PUT') return ['ecr:CompleteLayerUpload'];
      return method === 'PATCH' || method === 'GET' || method === 'DELETE' ? ['ecr:UploadLayerPart'] : [];
  }
}
