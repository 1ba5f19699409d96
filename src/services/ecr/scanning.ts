/**
 * ECR basic image scanning: StartImageScan and DescribeImageScanFindings. A scan reads the
 * image's OS package inventory from its layers and matches it against the OSV feed an operator
 * imported (`importOsvFeed`); the work lives in `registry/scan/`, shared with scan on push.
 * StartImageScan answers IN_PROGRESS at once and the scan runs in the background, storing
 * COMPLETE or FAILED; DescribeImageScanFindings reads what was stored.
 */
import type { DescribeImageScanFindingsResponse, ImageIdentifier } from '@aws-sdk/client-ecr';
import { paginate } from '../../aws/index.ts';
import {
  STALE_SCAN_MS, getScan, inProgress, isScannable, registryKeys, runImageScan, scanKeys, severityCounts, type ImageRecord,
  type RegistryScope, type ScanFinding, type TagRecord,
} from '../../registry/index.ts';
import { getDoc, transact, type Store } from '../../state/index.ts';
import { findRepository, need, repositoryNamed, repositoryResource, storeReader, toDate, type EcrOperationTable } from './common.ts';
import type { EcrDeps } from './deps.ts';
import { EcrErrors } from './errors.ts';

export { scanOnPush, importOsvFeed } from '../../registry/index.ts';

/** Basic scanning scans an image at most once a day (ECR's quota); a second start within it is LimitExceededException. */
export const SCAN_QUOTA_MS = 24 * 60 * 60 * 1000;

/** The image a request names: a digest, a tag, or both (the model requires the member, not either of its parts). */
function imageIdOf(id: ImageIdentifier): ImageIdentifier {
  if (id.imageDigest === undefined && id.imageTag === undefined) throw EcrErrors.constraint('imageId', 'both tag and digest cannot be null');
  return { ...(id.imageDigest !== undefined && { imageDigest: id.imageDigest }), ...(id.imageTag !== undefined && { imageTag: id.imageTag }) };
}

/** The image an identifier names, or ImageNotFoundException. */
async function findImage(store: Store, scope: RegistryScope, repository: string, id: ImageIdentifier, registryId: string): Promise<ImageRecord> {
  let digest = id.imageDigest;
  if (id.imageTag !== undefined) {
    const tag = await getDoc<TagRecord>(store, registryKeys.tag(scope, repository, id.imageTag));
    if (!tag || (digest !== undefined && tag.value.digest !== digest)) throw EcrErrors.imageNotFound(id, repository, registryId);
    digest = tag.value.digest;
  }
  const image = await getDoc<ImageRecord>(store, registryKeys.image(scope, repository, digest!));
  if (!image) throw EcrErrors.imageNotFound(id, repository, registryId);
  return image.value;
}

/** The identifier an answer echoes: the digest, and the tag when the request named one. */
const answerId = (image: ImageRecord, id: ImageIdentifier): ImageIdentifier =>
  ({ imageDigest: image.digest, ...(id.imageTag !== undefined && { imageTag: id.imageTag }) });

/** The scanning operations, bound to their dependencies. */
export function scanningOperations(deps: EcrDeps): EcrOperationTable {
  return {
    StartImageScan: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const imageId = imageIdOf(need(i.imageId, 'imageId'));
        await findRepository(storeReader(deps.store), registry, name);
        const image = await findImage(deps.store, registry.scope, name, imageId, registry.registryId);
        if (!isScannable(image)) throw EcrErrors.unsupportedImageType();
        const blobs = deps.blobs;
        if (!blobs) throw EcrErrors.server('The registry has no blob store to read image layers from.');
        const now = deps.clock.now();
        const started = inProgress(now);
        await transact(deps.store, async (tx) => {
          const key = scanKeys.scan(registry.scope, name, image.digest);
          const current = await tx.get<typeof started>(key);
          const busy = current?.status === 'IN_PROGRESS' && now - current.startedAt < STALE_SCAN_MS;
          const recent = current?.completedAt !== undefined && current.status !== 'UNSUPPORTED_IMAGE' && now - current.startedAt < SCAN_QUOTA_MS;
          if (busy || recent) throw EcrErrors.limitExceeded('The scan quota per image has been exceeded. Wait and try again.');
          tx.put(key, started);
        });
        void runImageScan({ store: deps.store, blobs, clock: deps.clock, events: deps.events }, registry.scope, image, now);
        return {
          registryId: registry.registryId,
          repositoryName: name,
          imageId: answerId(image, imageId),
          imageScanStatus: { status: started.status, description: started.description },
        };
      },
    },

    DescribeImageScanFindings: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const imageId = imageIdOf(need(i.imageId, 'imageId'));
        const { nextToken, maxResults } = i;
        await findRepository(storeReader(deps.store), registry, name);
        const image = await findImage(deps.store, registry.scope, name, imageId, registry.registryId);
        const scan = await getScan(deps.store, registry.scope, name, image.digest);
        if (!scan) throw EcrErrors.scanNotFound();
        const answer: DescribeImageScanFindingsResponse = {
          registryId: registry.registryId,
          repositoryName: name,
          imageId: answerId(image, imageId),
          imageScanStatus: { status: scan.status, description: scan.description },
        };
        if (scan.status !== 'COMPLETE') return answer;
        const all = scan.findings ?? [];
        const numbered = all.map((finding, i) => ({ key: String(i).padStart(10, '0'), finding }));
        const page = paginate(numbered, (e) => e.key, nextToken, maxResults, EcrErrors.invalidParameter);
        const findings: ScanFinding[] = page.items.map((e) => e.finding);
        return {
          ...answer,
          imageScanFindings: {
            imageScanCompletedAt: toDate(scan.completedAt),
            vulnerabilitySourceUpdatedAt: toDate(scan.vulnerabilitySourceUpdatedAt),
            findingSeverityCounts: severityCounts(all),
            findings,
          },
          ...(page.nextToken !== undefined && { nextToken: page.nextToken }),
        };
      },
    },
  };
}
