/**
 * Pure: the events ECR sends to EventBridge's default bus about images, shaped as ECR sends
 * them (kebab-case detail fields):
 *
 * - "ECR Image Action": an image pushed (`action-type` PUSH) or deleted (DELETE), `result`
 *   SUCCESS, with `repository-name`, `image-digest` and the `image-tag` it was pushed to or
 *   deleted with (none for a push or delete by digest); no resources, as ECR lists none;
 * - "ECR Image Scan": a basic scan finished (`scan-status` COMPLETE or FAILED) with
 *   `finding-severity-counts`, the image's digest and tags, the repository's ARN as resource.
 *
 * The hooks are how the registry's writes (docker push, PutImage, BatchDeleteImage, a scan's
 * outcome) stage these in their own transactions; the control plane wires them to EventBridge.
 */
import type { Tx } from '../state/index.ts';
import { registryArns, type ImageRecord, type RegistryScope } from './records.ts';
import { severityCounts } from './scan/osv.ts';
import type { ScanRecord } from './scan/scan.ts';

/** An event for EventBridge from ECR: its envelope fields, and `detail` as an object. */
export interface RegistryEvent {
  source: 'aws.ecr';
  detailType: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** One image pushed or deleted: its repository, digest, and the tag named, if any. */
export interface ImageAction {
  actionType: 'PUSH' | 'DELETE';
  repositoryName: string;
  digest: string;
  tag?: string;
}

/** The "ECR Image Action" of `action`. */
export function imageActionEvent(action: ImageAction): RegistryEvent {
  return {
    source: 'aws.ecr', detailType: 'ECR Image Action', resources: [],
    detail: {
      result: 'SUCCESS', 'repository-name': action.repositoryName, 'image-digest': action.digest, 'action-type': action.actionType,
      ...(action.tag !== undefined && { 'image-tag': action.tag }),
    },
  };
}

/** ECR's DELETE actions for an image deleted with `tags` (one without a tag when it had none). */
export function deletedActions(repositoryName: string, digest: string, tags: readonly string[]): ImageAction[] {
  return tags.length ? tags.map((tag) => ({ actionType: 'DELETE', repositoryName, digest, tag })) : [{ actionType: 'DELETE', repositoryName, digest }];
}

/** The "ECR Image Scan" of `image`'s finished scan, or undefined while it is not finished. */
export function imageScanEvent(scope: RegistryScope, image: ImageRecord, scan: ScanRecord): RegistryEvent | undefined {
  if (scan.status !== 'COMPLETE' && scan.status !== 'FAILED') return undefined;
  return {
    source: 'aws.ecr', detailType: 'ECR Image Scan', resources: [registryArns.repository(scope, image.repositoryName)],
    detail: {
      'scan-status': scan.status, 'repository-name': image.repositoryName,
      ...(scan.status === 'COMPLETE' && { 'finding-severity-counts': severityCounts(scan.findings ?? []) }),
      'image-digest': image.digest, 'image-tags': [...image.tags],
    },
  };
}

/** What follows from changes to images, staged through the transaction that makes them. */
export interface ImageEventHooks {
  /** Images pushed or deleted in this transaction. */
  imageActions?: (tx: Tx, scope: RegistryScope, actions: ImageAction[], now: number) => Promise<void>;
  /** An image's scan finished in this transaction. */
  imageScanned?: (tx: Tx, scope: RegistryScope, image: ImageRecord, scan: ScanRecord, now: number) => Promise<void>;
}
