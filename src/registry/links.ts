/**
 * Which blobs each repository holds. The blob store is one content-addressed pool shared by
 * every account, so a repository sees a blob only once it has been uploaded or mounted into it
 * (as distribution links blobs per repository, and as ECR's layers belong to a repository):
 * no one can read, mount or reference another account's layer by guessing its digest. A link
 * is a small record in the store; the bytes stay in the pool once.
 */
import type { Tx } from '../state/index.ts';
import type { RegistryScope } from './records.ts';

/** A blob linked into a repository: ECR's layer (BatchCheckLayerAvailability reads it). */
export interface BlobLinkRecord {
  digest: string;
  size: number;
  /** When it was uploaded or mounted into the repository. */
  linkedAt: number;
}

/** Where links live: kind first, then account and region, as registryKeys. */
export const blobLinkKeys = {
  all: 'ecr/layers/',
  /** Every link of one repository (delete this prefix with the repository). */
  links: (s: RegistryScope, repository: string) => `ecr/layers/${s.account}/${s.region}/${repository}//`,
  link: (s: RegistryScope, repository: string, digest: string) => `ecr/layers/${s.account}/${s.region}/${repository}//${digest}`,
};

/** Links a committed blob into a repository (after an upload, a mount, or ECR's CompleteLayerUpload). */
export function linkBlob(tx: Pick<Tx, 'put'>, scope: RegistryScope, repository: string, digest: string, size: number, now: number): void {
  const record: BlobLinkRecord = { digest, size, linkedAt: now };
  tx.put(blobLinkKeys.link(scope, repository, digest), record);
}

/** The repository's link to a blob, or undefined. */
export function getBlobLink(tx: Pick<Tx, 'get'>, scope: RegistryScope, repository: string, digest: string): Promise<BlobLinkRecord | undefined> {
  return tx.get<BlobLinkRecord>(blobLinkKeys.link(scope, repository, digest));
}
