import type { Clock, Ids } from '../../common/index.ts';
import type { BlobStore, ImageEventHooks, RegistryTokens } from '../../registry/index.ts';
import type { Store } from '../../state/index.ts';

/**
 * What the ECR operations are given to work with: the store holding the registry's records,
 * time, ids, the registry's password issuer, and where docker reaches the registry.
 */
export interface EcrDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  /** Issues the passwords GetAuthorizationToken hands out (and the registry checks). */
  tokens: RegistryTokens;
  /** The `host:port` docker pushes to and pulls from: repository URIs and login endpoints name it. */
  registryHost(): string;
  /**
   * The STS session token a temporary (`ASIA…`) key was presented with, so that a registry
   * token issued to a session can reopen it later (identity's `IamAuthority.sessionTokenOf`).
   */
  sessionToken?: (accessKeyId: string) => string | undefined;
  /**
   * The registry's blob store, for the layer operations and PutImage (which check and commit
   * blobs). Optional so the read-only operations run without one; those that need it answer
   * ServerException when it is absent.
   */
  blobs?: BlobStore;
  /** Stages ECR's image events (PutImage, BatchDeleteImage, scans' outcomes) in the transactions that make them. */
  events?: ImageEventHooks;
}
