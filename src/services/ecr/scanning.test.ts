import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { DescribeImageScanFindingsResponse, DescribeImagesResponse, StartImageScanResponse } from '@aws-sdk/client-ecr';
import { importOsvFeed, readImageInventory, registryKeys, scanKeys, type BlobStore, type RepositoryRecord } from '../../registry/index.ts';
import { imageOperations } from './images.ts';
import { repositoryOperations } from './repositories.ts';
import { scanOnPush, scanningOperations } from './scanning.ts';
import {
  addBlobStore, ctx, digestOf, ecrTestbed, expectAwsError, imageRecord, scope, seedImage, type Actions, type EcrTestbed,
} from './testing.ts';

const run = promisify(execFile);

const DPKG_STATUS = `Package: libssl3
Status: install ok installed
Source: openssl
Version: 3.0.11-1~deb12u1

Package: zlib1g
Status: install ok installed
Source: zlib
Version: 1:1.2.13.dfsg-1
`;
const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
const FEED = [
  JSON.stringify({
    id: 'DSA-0001-1', summary: 'openssl - security update',
    affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }] }] }],
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N' }],
  }),
  JSON.stringify({
    id: 'DSA-0002-1', summary: 'zlib - fixed already',
    affected: [{ package: { ecosystem: 'Debian:12', name: 'zlib' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.2.13.dfsg-1' }] }] }],
  }),
].join('\n');

/** The layers of a real image built with docker from busybox plus a fake dpkg database, as `docker save` writes them. */
let layers: Buffer[] = [];
let work: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'wharf-scan-image-'));
  await writeFile(join(work, 'status'), DPKG_STATUS);
  await writeFile(join(work, 'os-release'), OS_RELEASE);
  await writeFile(join(work, 'Dockerfile'), 'FROM wharf-test/busybox:latest\nCOPY status /var/lib/dpkg/status\nCOPY os-release /etc/os-release\n');
  const tag = `wharf-test/scan-fixture:${process.pid}`;
  await run('docker', ['build', '-q', '-t', tag, work], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  try {
    await run('docker', ['save', '-o', join(work, 'image.tar'), tag]);
  } finally {
    await run('docker', ['rmi', '-f', tag]);
  }
  await run('tar', ['-xf', join(work, 'image.tar'), '-C', work]);
  const manifest = JSON.parse(await readFile(join(work, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
  layers = await Promise.all(manifest[0].Layers.map((p) => readFile(join(work, p))));
});
after(() => rm(work, { recursive: true, force: true }));

let bed: EcrTestbed;
let blobs: BlobStore;
let removeBlobs: () => Promise<void>;
let api: Actions;
let repository: RepositoryRecord;

/** Puts the image's layers (the top one gzip'd, the rest plain tar) in the blob store; returns their digests. */
async function storeLayers(): Promise<{ digest: string; size: number }[]> {
  const stored = [];
  for (const [i, raw] of layers.entries()) {
    const bytes = i === layers.length - 1 ? gzipSync(raw) : raw;
    const digest = digestOf(bytes);
    await blobs.putBlob('test', digest, { body: Readable.from([bytes]) });
    stored.push({ digest, size: bytes.length });
  }
  return stored;
}

/** Seeds an image of `web` whose manifest names the stored layers, as a push would store it. */
async function seedScannedImage(tags: string[]) {
  const stored = await storeLayers();
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 2, digest: digestOf('{}') },
    layers: stored.map((l, i) => ({
      mediaType: i === stored.length - 1 ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.docker.image.rootfs.diff.tar',
      size: l.size, digest: l.digest,
    })),
  });
  const image = imageRecord('web', 'x', tags, bed.clock.now(), {
    digest: digestOf(manifest), manifestBase64: Buffer.from(manifest).toString('base64'), blobs: stored.map((l) => l.digest),
  });
  await seedImage(bed.store, image);
  return image;
}

async function describeWhenDone(imageId: object): Promise<DescribeImageScanFindingsResponse> {
  for (let i = 0; i < 500; i++) {
    const r = (await api.DescribeImageScanFindings({ repositoryName: 'web', imageId }, ctx)) as DescribeImageScanFindingsResponse;
    if (r.imageScanStatus?.status !== 'IN_PROGRESS') return r;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the scan did not finish');
}

beforeEach(async () => {
  bed = ecrTestbed();
  ({ blobs, remove: removeBlobs } = await addBlobStore(bed));
  api = { ...bed.api(repositoryOperations), ...bed.api(scanningOperations), ...bed.api(imageOperations) };
  await api.CreateRepository({ repositoryName: 'web', imageScanningConfiguration: { scanOnPush: true } }, ctx);
  repository = JSON.parse((await bed.store.get(registryKeys.repository(scope, 'web')))!.value) as RepositoryRecord;
});
afterEach(async () => {
  await bed.store.close();
  await removeBlobs();
});

describe('image scanning of a docker-built image', () => {
  test('the inventory is read from the saved layers', async () => {
    const image = await seedScannedImage(['v1']);
    const inventory = await readImageInventory(blobs, image.blobs);
    assert.deepEqual(inventory.os, { id: 'debian', versionId: '12' });
    assert.deepEqual(inventory.packages.map((p) => [p.name, p.version, p.source, p.sourceName]), [
      ['libssl3', '3.0.11-1~deb12u1', 'dpkg', 'openssl'],
      ['zlib1g', '1:1.2.13.dfsg-1', 'dpkg', 'zlib'],
    ]);
  });

  test('StartImageScan runs in the background; DescribeImageScanFindings shows the findings, counts and paging', async () => {
    await importOsvFeed(bed.store, FEED, bed.clock);
    const importedAt = bed.clock.now();
    bed.clock.advance(1000);
    const image = await seedScannedImage(['v1']);
    await expectAwsError(api.DescribeImageScanFindings({ repositoryName: 'web', imageId: { imageTag: 'v1' } }, ctx), 'ScanNotFoundException', /could not be found/);

    const started = (await api.StartImageScan({ repositoryName: 'web', imageId: { imageTag: 'v1' } }, ctx)) as StartImageScanResponse;
    assert.deepEqual(started, {
      registryId: ctx.account, repositoryName: 'web', imageId: { imageDigest: image.digest, imageTag: 'v1' },
      imageScanStatus: { status: 'IN_PROGRESS', description: 'The scan is in progress.' },
    });
    const done = await describeWhenDone({ imageDigest: image.digest });
    assert.equal(done.imageScanStatus?.status, 'COMPLETE', done.imageScanStatus?.description);
    assert.deepEqual(done.imageScanFindings, {
      imageScanCompletedAt: new Date(bed.clock.now()),
      vulnerabilitySourceUpdatedAt: new Date(importedAt),
      findingSeverityCounts: { MEDIUM: 1 },
      findings: [{
        name: 'DSA-0001-1', description: 'openssl - security update', uri: 'https://osv.dev/vulnerability/DSA-0001-1', severity: 'MEDIUM',
        attributes: [{ key: 'package_name', value: 'libssl3' }, { key: 'package_version', value: '3.0.11-1~deb12u1' }],
      }],
    });
    const page = (await api.DescribeImageScanFindings({ repositoryName: 'web', imageId: { imageTag: 'v1' }, maxResults: 1 }, ctx)) as DescribeImageScanFindingsResponse;
    assert.equal(page.imageScanFindings?.findings?.length, 1);
    assert.equal(page.nextToken, undefined);

    // Basic scanning scans an image once a day.
    await expectAwsError(api.StartImageScan({ repositoryName: 'web', imageId: { imageTag: 'v1' } }, ctx), 'LimitExceededException', /quota/);
    bed.clock.advance(24 * 60 * 60 * 1000);
    await importOsvFeed(bed.store, '[]', bed.clock);
    await api.StartImageScan({ repositoryName: 'web', imageId: { imageTag: 'v1' } }, ctx);
    assert.deepEqual((await describeWhenDone({ imageTag: 'v1' })).imageScanFindings?.findings, []);
  });

  test('DescribeImages shows each image\'s scan status and, once complete, its severity counts', async () => {
    await importOsvFeed(bed.store, FEED, bed.clock);
    const importedAt = bed.clock.now();
    const image = await seedScannedImage(['v1']);
    const detail = async () => ((await api.DescribeImages({ repositoryName: 'web' }, ctx)) as DescribeImagesResponse).imageDetails![0];
    const before = await detail();
    assert.equal(before.imageScanStatus, undefined, 'an image never scanned has no scan status');
    assert.equal(before.imageScanFindingsSummary, undefined);
    await api.StartImageScan({ repositoryName: 'web', imageId: { imageTag: 'v1' } }, ctx);
    await describeWhenDone({ imageDigest: image.digest });
    const after = await detail();
    assert.deepEqual(after.imageScanStatus, { status: 'COMPLETE', description: 'The scan was completed successfully.' });
    assert.deepEqual(after.imageScanFindingsSummary, {
      imageScanCompletedAt: new Date(bed.clock.now()), vulnerabilitySourceUpdatedAt: new Date(importedAt), findingSeverityCounts: { MEDIUM: 1 },
    });
    const byId = ((await api.DescribeImages({ repositoryName: 'web', imageIds: [{ imageTag: 'v1' }] }, ctx)) as DescribeImagesResponse).imageDetails![0];
    assert.deepEqual(byId.imageScanFindingsSummary?.findingSeverityCounts, { MEDIUM: 1 });
  });

  test('a scan whose layers are missing is FAILED; unknown images and repositories are errors', async () => {
    const image = imageRecord('web', 'gone', ['g'], bed.clock.now());
    await seedImage(bed.store, image);
    await api.StartImageScan({ repositoryName: 'web', imageId: { imageTag: 'g' } }, ctx);
    const r = await describeWhenDone({ imageTag: 'g' });
    assert.equal(r.imageScanStatus?.status, 'FAILED');
    assert.match(r.imageScanStatus!.description!, /not in the blob store/);
    assert.equal(r.imageScanFindings, undefined);
    await expectAwsError(api.StartImageScan({ repositoryName: 'web', imageId: { imageTag: 'nope' } }, ctx), 'ImageNotFoundException', /nope/);
    await expectAwsError(api.StartImageScan({ repositoryName: 'nope', imageId: { imageTag: 'g' } }, ctx), 'RepositoryNotFoundException', /nope/);
    await expectAwsError(api.StartImageScan({ repositoryName: 'web' }, ctx), 'InvalidParameterException', /imageId/);
    const index = imageRecord('web', 'idx', ['multi'], bed.clock.now(), { mediaType: 'application/vnd.oci.image.index.v1+json' });
    await seedImage(bed.store, index);
    await expectAwsError(api.StartImageScan({ repositoryName: 'web', imageId: { imageTag: 'multi' } }, ctx), 'UnsupportedImageTypeException', /cannot be scanned/);
  });

  test('scanOnPush scans when the repository asks for it, and only then', async () => {
    await importOsvFeed(bed.store, FEED, bed.clock);
    const image = await seedScannedImage(['v2']);
    const deps = { store: bed.store, blobs, clock: bed.clock };
    assert.equal(await scanOnPush(deps, scope, { ...repository, imageScanningConfiguration: { scanOnPush: false } }, image), undefined);
    assert.equal(await bed.store.get(scanKeys.scan(scope, 'web', image.digest)), undefined);
    assert.equal((await scanOnPush(deps, scope, repository, image))?.status, 'IN_PROGRESS');
    const r = (await api.DescribeImageScanFindings({ repositoryName: 'web', imageId: { imageTag: 'v2' } }, ctx)) as DescribeImageScanFindingsResponse;
    assert.equal(r.imageScanStatus?.status, 'COMPLETE');
    assert.deepEqual(r.imageScanFindings?.findings?.map((f) => f.name), ['DSA-0001-1']);
  });
});

describe('the stored feed', () => {
  test('a large feed is stored in chunks and replaced whole', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => JSON.stringify({
      id: `X-${i}`, summary: 'y'.repeat(300), affected: [{ package: { ecosystem: 'Debian:12', name: `p${i}` }, versions: ['1'] }],
    })).join('\n');
    assert.deepEqual(await importOsvFeed(bed.store, many, bed.clock), { advisories: 3000 });
    const chunks = (await bed.store.range(scanKeys.feedChunks)).kvs.length;
    assert.ok(chunks > 1, `${chunks} chunks`);
    await importOsvFeed(bed.store, FEED, bed.clock);
    assert.equal((await bed.store.range(scanKeys.feedChunks)).kvs.length, 1);
  });
});
