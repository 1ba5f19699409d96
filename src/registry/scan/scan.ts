/**
 * Basic image scanning's shell: where the imported OSV feed and each image's scan result live
 * in the store, and running one scan (read the image's layers → inventory → match the feed →
 * store the result). StartImageScan and scan-on-push both start scans here; a scan records
 * IN_PROGRESS first and COMPLETE or FAILED when it ends, so a crash leaves an IN_PROGRESS
 * record that a later start may replace (`STALE_SCAN_MS`).
 */
import type { Clock } from '../../common/index.ts';
import { getDoc, listDocs, transact, type Store, type Tx } from '../../state/index.ts';
import type { BlobStore } from '../blob-store.ts';
import { isIndexMediaType } from '../manifests.ts';
import { registryKeys, type ImageRecord, type RegistryScope, type RepositoryRecord } from '../records.ts';
import { manifestLayers, readImageInventory } from './inventory.ts';
import { indexAdvisories, matchInventory, parseOsvFeed, type OsvAdvisory, type OsvIndex, type ScanFinding } from './osv.ts';

/** ECR's ImageScanStatus values basic scanning records. */
export type ScanStatus = 'IN_PROGRESS' | 'COMPLETE' | 'FAILED' | 'UNSUPPORTED_IMAGE';

/** One image's latest scan, at `scanKeys.scan(...)`. */
export interface ScanRecord {
  status: ScanStatus;
  description: string;
  startedAt: number;
  completedAt?: number;
  /** When the feed the scan used was imported. */
  vulnerabilitySourceUpdatedAt?: number;
  findings?: ScanFinding[];
}

/** The imported feed's header, at `scanKeys.feed`; its advisories are in `chunks` documents under `scanKeys.feedChunks`. */
export interface OsvFeedRecord {
  importedAt: number;
  advisories: number;
  chunks: number;
}

/** Where scanning keeps its records. */
export const scanKeys = {
  feed: 'ecr/osv-feed',
  feedChunks: 'ecr/osv-feed/',
  feedChunk: (n: number) => `ecr/osv-feed/${String(n).padStart(6, '0')}`,
  scans: (s: RegistryScope, repository: string) => `ecr/scans/${s.account}/${s.region}/${repository}//`,
  scan: (s: RegistryScope, repository: string, digest: string) => `ecr/scans/${s.account}/${s.region}/${repository}//${digest}`,
};

/** Chunk size for the stored feed, in characters of JSON: well under any store's per-value limit. */
const FEED_CHUNK_CHARS = 512 * 1024;
/** An IN_PROGRESS scan older than this was cut off (a crash) and may be started again. */
export const STALE_SCAN_MS = 60 * 60 * 1000;

/**
 * Replaces the stored OSV feed with `text` (a JSON array of OSV records or JSON lines), in one
 * transaction. Returns how many advisories were kept. Throws SyntaxError on malformed JSON.
 */
export async function importOsvFeed(store: Store, text: string, clock: Clock = { now: () => Date.now() }): Promise<{ advisories: number }> {
  const advisories = parseOsvFeed(text);
  const chunks: OsvAdvisory[][] = [];
  let current: OsvAdvisory[] = [];
  let size = 0;
  for (const a of advisories) {
    const n = JSON.stringify(a).length;
    if (current.length && size + n > FEED_CHUNK_CHARS) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(a);
    size += n;
  }
  if (current.length) chunks.push(current);
  await transact(store, async (tx) => {
    const old = await tx.list<OsvAdvisory[]>(scanKeys.feedChunks);
    for (let n = 0; n < old.length; n++) tx.delete(scanKeys.feedChunk(n));
    chunks.forEach((chunk, n) => tx.put(scanKeys.feedChunk(n), chunk));
    const header: OsvFeedRecord = { importedAt: clock.now(), advisories: advisories.length, chunks: chunks.length };
    tx.put(scanKeys.feed, header);
  });
  return { advisories: advisories.length };
}

/** The stored feed's index, cached per store by import time. */
const feedCache = new WeakMap<Store, { importedAt: number; index: OsvIndex }>();

/** The imported feed, indexed, and when it was imported; undefined when none was. */
export async function loadOsvFeed(store: Store): Promise<{ importedAt: number; index: OsvIndex } | undefined> {
  const header = await getDoc<OsvFeedRecord>(store, scanKeys.feed);
  if (!header) return undefined;
  const cached = feedCache.get(store);
  if (cached && cached.importedAt === header.value.importedAt) return cached;
  const advisories = (await listDocs<OsvAdvisory[]>(store, scanKeys.feedChunks)).flatMap((d) => d.value);
  const loaded = { importedAt: header.value.importedAt, index: indexAdvisories(advisories) };
  feedCache.set(store, loaded);
  return loaded;
}

/** What running a scan needs. */
export interface ScanDeps {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  /** Stages what follows from a scan's outcome (ECR's "ECR Image Scan" event) in the transaction that stores it. */
  events?: { imageScanned?: (tx: Tx, scope: RegistryScope, image: ImageRecord, scan: ScanRecord, now: number) => Promise<void> };
}

/** The stored scan of an image, if it was ever scanned. */
export async function getScan(store: Store, scope: RegistryScope, repository: string, digest: string): Promise<ScanRecord | undefined> {
  return (await getDoc<ScanRecord>(store, scanKeys.scan(scope, repository, digest)))?.value;
}

/** True when an image can be scanned: an image manifest, not an index. */
export const isScannable = (image: ImageRecord) => !isIndexMediaType(image.mediaType);

/**
 * Scans an image whose IN_PROGRESS record is already stored, and stores the outcome: COMPLETE
 * with findings, or FAILED with the reason. Never rejects. Does nothing (returns false) when
 * the image is gone or another scan replaced this one meanwhile.
 */
export async function runImageScan(deps: ScanDeps, scope: RegistryScope, image: ImageRecord, startedAt: number): Promise<boolean> {
  let outcome: ScanRecord;
  try {
    const feed = await loadOsvFeed(deps.store);
    const layers = manifestLayers(Buffer.from(image.manifestBase64, 'base64'));
    const inventory = await readImageInventory(deps.blobs, layers);
    const findings = feed ? matchInventory(feed.index, inventory) : [];
    outcome = {
      status: 'COMPLETE',
      description: 'The scan was completed successfully.',
      startedAt,
      completedAt: deps.clock.now(),
      ...(feed && { vulnerabilitySourceUpdatedAt: feed.importedAt }),
      findings,
    };
  } catch (error) {
    outcome = { status: 'FAILED', description: `The scan failed: ${(error as Error).message}`, startedAt, completedAt: deps.clock.now() };
  }
  try {
    return await transact(deps.store, async (tx) => {
      const current = await tx.get<ScanRecord>(scanKeys.scan(scope, image.repositoryName, image.digest));
      const still = await tx.get<ImageRecord>(registryKeys.image(scope, image.repositoryName, image.digest));
      if (!still || current?.status !== 'IN_PROGRESS' || current.startedAt !== startedAt) return false;
      tx.put(scanKeys.scan(scope, image.repositoryName, image.digest), outcome);
      await deps.events?.imageScanned?.(tx, scope, still, outcome, deps.clock.now());
      return true;
    });
  } catch {
    return false;
  }
}

/** The IN_PROGRESS record a scan starts with. */
export const inProgress = (startedAt: number): ScanRecord => ({ status: 'IN_PROGRESS', description: 'The scan is in progress.', startedAt });

/**
 * Scan on push: when `repository` has `imageScanningConfiguration.scanOnPush`, records the
 * pushed image's scan as IN_PROGRESS (UNSUPPORTED_IMAGE for an index) and scans it. The
 * returned promise settles when the scan's outcome is stored (it never rejects); the push path
 * need not wait for it. Resolves to the record stored first, or undefined when not scanning.
 */
export async function scanOnPush(deps: ScanDeps, scope: RegistryScope, repository: RepositoryRecord, image: ImageRecord): Promise<ScanRecord | undefined> {
  if (!repository.imageScanningConfiguration.scanOnPush) return undefined;
  const now = deps.clock.now();
  const key = scanKeys.scan(scope, image.repositoryName, image.digest);
  const record: ScanRecord = isScannable(image)
    ? inProgress(now)
    : { status: 'UNSUPPORTED_IMAGE', description: 'The operating system and/or package manager are not supported.', startedAt: now, completedAt: now };
  try {
    await transact(deps.store, async (tx) => tx.put(key, record));
  } catch {
    return undefined;
  }
  if (record.status === 'IN_PROGRESS') await runImageScan(deps, scope, image, now);
  return record;
}
