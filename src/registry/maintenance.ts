/**
 * The registry's housekeeping pass, for a controller to run now and then: abandoned uploads
 * are swept, blobs no image references are collected once past their grace period, and the
 * repository links to collected blobs are dropped (so a layer check reports them missing and
 * a client uploads them again). Idempotent: running it twice does nothing the second time.
 */
import { listDocs, transact, type Store } from '../state/index.ts';
import type { BlobStore } from './blob-store.ts';
import { referencedBlobs } from './images.ts';
import { blobLinkKeys, type BlobLinkRecord } from './links.ts';

/** What one pass removed. */
export interface MaintenanceResult {
  uploadsRemoved: string[];
  blobsDeleted: string[];
  freedBytes: number;
  linksRemoved: number;
}

/** Sweeps uploads, collects unreferenced blobs, prunes their links. */
export async function runRegistryMaintenance(store: Store, blobs: BlobStore, now: number): Promise<MaintenanceResult> {
  const uploadsRemoved = await blobs.sweepUploads(now);
  const referenced = await referencedBlobs(store);
  const { deleted, freedBytes } = await blobs.garbageCollect(referenced, now);
  const gone = new Set(deleted);
  let linksRemoved = 0;
  for (const link of await listDocs<BlobLinkRecord>(store, blobLinkKeys.all)) {
    if (!gone.has(link.value.digest)) continue;
    const removed = await transact(store, async (tx) => {
      const current = await tx.get<BlobLinkRecord>(link.key);
      if (!current || (await blobs.stat(current.digest))) return false; // uploaded again meanwhile
      tx.delete(link.key);
      return true;
    });
    if (removed) linksRemoved++;
  }
  return { uploadsRemoved, blobsDeleted: deleted, freedBytes, linksRemoved };
}
