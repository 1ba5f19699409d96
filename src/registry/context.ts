/**
 * What every distribution API handler is given: the request, who is asking (their account
 * and region decide which repositories they see; IAM decides what they may do there), and the
 * registry's parts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../common/index.ts';
import type { Store } from '../state/index.ts';
import type { BlobStore } from './blob-store.ts';
import type { RegistryAction } from './permissions.ts';
import type { ImageEventHooks } from './image-events.ts';
import type { ImageRecord, RegistryScope } from './records.ts';

/** The registry's parts and limits, with defaults applied. */
export interface RegistryParts {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  maxManifestBytes: number;
  pullRecordIntervalMs: number;
  /** Largest page of tags / repositories / referrers one response carries. */
  maxPageSize: number;
  /** Told of each new image pushed (scan on push); not awaited. */
  onImagePushed?: (scope: RegistryScope, repository: string, image: ImageRecord) => void;
  /** Stages ECR's image events in the transactions of pushes and deletes. */
  events?: ImageEventHooks;
}

/** One authenticated request, already authorized for what its path and method need. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** The registry the caller's token opens: its account and region. */
  scope: RegistryScope;
  query: URLSearchParams;
  parts: RegistryParts;
  /** Whether the caller may also do `action` on another repository (the catalog's, a mount's source). */
  allowed(action: RegistryAction, repository: string): Promise<boolean>;
}

/** Who may continue an upload: the repository it was started in. */
export function uploadOwner(scope: RegistryScope, repository: string): string {
  return `${scope.account}/${scope.region}/${repository}`;
}
